"""PyTorch's legacy tensor types and constructors: ``tw.FloatTensor(2, 3)``, ``tw.Tensor(2, 3)``,
``x.new(...)``, ``x.type()`` / ``x.type(tw.DoubleTensor)``, ``isinstance(x, tw.LongTensor)``
and the deprecated `set_default_tensor_type`.

Older PyTorch code is full of these (``nn.Parameter(torch.Tensor(out, in))`` followed by an
init, ``x.type(torch.cuda.FloatTensor)``), so they work as there. A legacy type is not a
subclass of `Tensor` (as in PyTorch): it is a (dtype, device type) pair whose
``isinstance`` check compares the two, and whose call is the legacy constructor. The cpu
types live at the top level; ``tw.cuda.FloatTensor`` and the like come from the device
modules (`legacy_type`).
"""

from __future__ import annotations

import warnings
from typing import Any

from . import dtypes as D
from .ops.creation import empty, tensor
from .tensor import Size, Tensor

__all__ = ["DoubleTensor", "FloatTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "set_default_tensor_type"]

# The legacy name of each dtype's type (PyTorch exports no complex ones, but names them).
_NAMES = {D.float64: "DoubleTensor", D.float32: "FloatTensor", D.float16: "HalfTensor",
          D.bfloat16: "BFloat16Tensor", D.int64: "LongTensor", D.int32: "IntTensor",
          D.int16: "ShortTensor", D.int8: "CharTensor", D.uint8: "ByteTensor",
          D.bool: "BoolTensor", D.complex64: "ComplexFloatTensor",
          D.complex128: "ComplexDoubleTensor"}
_DTYPES = {name: dt for dt, name in _NAMES.items()}


def legacy_new(dtype: D.dtype, device: Any, args: tuple[Any, ...]) -> Tensor:
    """The legacy constructor's rules for a ``dtype`` tensor on ``device``: no arguments an
    empty tensor, ints or a `Size` an uninitialized one of that shape, one sequence (or
    array) a copy of it in ``dtype``, one tensor of that dtype and device that tensor itself.

    Raises:
        TypeError: a tensor of another dtype or device, a scalar where data is expected,
            or another combination of arguments, as in PyTorch.
    """
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if other.dtype is not dtype or other.device != device:
            raise TypeError(f"expected {dtype} on {device} (got {other.dtype} on "
                            f"{other.device})")
        return other.detach() if other.requires_grad else other
    if not args or isinstance(args[0], Size) or all(
            isinstance(a, int) and not isinstance(a, bool) for a in args):
        return empty(*(args[0] if args and isinstance(args[0], Size) else args) or (0,),
                     dtype=dtype, device=device)
    if len(args) == 1:
        if isinstance(args[0], (int, float, bool, complex)):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        return tensor(args[0], dtype=dtype, device=device)
    raise TypeError(f"new() received an invalid combination of arguments - got "
                    f"({', '.join(type(a).__name__ for a in args)})")


def new(self: Tensor, *args: Any, device: Any = None) -> Tensor:
    """The legacy constructor, with ``self``'s dtype (and device unless given):
    ``x.new()`` an empty tensor, ``x.new(2, 3)`` or ``x.new(Size)`` an uninitialized one of
    that shape, ``x.new(data)`` a copy of the data, ``x.new(other)`` ``other`` itself.

    Raises:
        TypeError: ``other`` is a tensor of another dtype or device, as in PyTorch.
    """
    from .device import device as make_device

    return legacy_new(self.dtype, self.device if device is None else make_device(device), args)


class LegacyTensorType(type):
    """The type of ``tw.FloatTensor`` and its siblings (``torch.tensortype``)."""

    dtype: D.dtype
    device_type: str

    def __instancecheck__(cls, obj: Any) -> bool:
        return (isinstance(obj, Tensor) and obj.dtype is cls.dtype
                and obj.device.type == cls.device_type)

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        from .device import resolve

        dev = resolve(cls.device_type if device is None else device)[0]
        if dev.type != cls.device_type:
            raise RuntimeError(f"legacy constructor expects device type: {cls.device_type} "
                               f"but device type: {dev.type} was passed")
        return legacy_new(cls.dtype, dev, args)

    @property
    def is_cuda(cls) -> bool:
        return cls.device_type == "cuda"

    def __repr__(cls) -> str:
        return f"<class '{cls.__module__}.{cls.__name__}'>"


_TYPES: dict[tuple[str, str], LegacyTensorType] = {}


def legacy_type(device_type: str, name: str) -> LegacyTensorType:
    """The legacy type ``name`` (``"FloatTensor"``) of ``device_type``, made once.

    Raises:
        AttributeError: ``name`` is no legacy type name.
    """
    key = (device_type, name)
    if key not in _TYPES:
        if name not in _DTYPES:
            raise AttributeError(f"no legacy tensor type {name!r}; the types are "
                                 f"{', '.join(_DTYPES)}")
        module = "tensorweave" if device_type == "cpu" else f"tensorweave.{device_type}"
        _TYPES[key] = LegacyTensorType(name, (), {"dtype": _DTYPES[name],
                                                  "device_type": device_type,
                                                  "__module__": module})
    return _TYPES[key]


def _parse(name: str) -> LegacyTensorType:
    """``"torch.FloatTensor"``, ``"tensorweave.cuda.DoubleTensor"``... as a legacy type."""
    parts = name.split(".")
    if len(parts) in (2, 3) and parts[0] in ("torch", "tensorweave") and parts[-1] in _DTYPES:
        return legacy_type(parts[1] if len(parts) == 3 else "cpu", parts[-1])
    raise ValueError(f"invalid type: {name!r}")


def type_(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """Without an argument, the legacy type name (``"tensorweave.FloatTensor"``,
    ``"tensorweave.cuda.LongTensor"``); with a dtype, a legacy type or its name (PyTorch's
    ``"torch.DoubleTensor"`` spelling too), the tensor converted to it.

    Raises:
        ValueError: a name that is no legacy type.
    """
    if dtype is None:
        dev = self.device.type
        return f"tensorweave.{'' if dev == 'cpu' else dev + '.'}{_NAMES[self.dtype]}"
    if isinstance(dtype, str) and dtype not in D.__all__:
        dtype = _parse(dtype)
    if isinstance(dtype, LegacyTensorType):
        dev = self.device if dtype.device_type == self.device.type else dtype.device_type
        return self.to(dev, dtype.dtype, non_blocking=non_blocking)
    return self.to(D.to_dtype(dtype), non_blocking=non_blocking)


def set_default_tensor_type(t: Any) -> None:
    """Deprecated, as in PyTorch: set the default dtype from a floating legacy type (or its
    name), and the default device from a non-cpu one.

    Raises:
        TypeError: ``t`` is no floating legacy type.
    """
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        t = _parse(t)
    if not isinstance(t, LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    from .device import set_default_device

    set_default_device(None if t.device_type == "cpu" else t.device_type)
    D.set_default_dtype(t.dtype)


Tensor.new = new  # type: ignore[attr-defined]
Tensor.type = type_  # type: ignore[method-assign]
DoubleTensor, FloatTensor, HalfTensor, BFloat16Tensor = (
    legacy_type("cpu", n) for n in ("DoubleTensor", "FloatTensor", "HalfTensor", "BFloat16Tensor"))
LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    legacy_type("cpu", n) for n in ("LongTensor", "IntTensor", "ShortTensor", "CharTensor",
                                    "ByteTensor", "BoolTensor"))
