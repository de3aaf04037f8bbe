"""`Tensor`: a native array on a device plus its autograd state.

No math lives here: operators and methods are thin calls into the ops
(`core/ops`), which dispatch to the tensor's backend. Op methods such as
``x.sum()`` are attached from the op definitions (`ops/__init__.py`); the
dunders below call ``op.bind`` directly because they are the hottest path.

Attributes not set on an instance fall back to the class defaults below, so
wrapping a kernel result sets only three attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from . import dtypes as D
from .device import device as Device
from .device import resolve

if TYPE_CHECKING:
    from .autograd.engine import AccumulateGrad, Node

__all__ = ["Tensor", "Size"]


class Size(tuple):  # type: ignore[type-arg]
    """The shape of a tensor: a tuple of ints, like `torch.Size`."""

    def __repr__(self) -> str:
        return f"tensorweave.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i: Any) -> Any:
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r


class Tensor:
    """A multi-dimensional array with autograd, on one device.

    Create tensors with `tensorweave.tensor`, `zeros`, `randn`...; the constructor is
    PyTorch's legacy one (`legacy_types.legacy_new` with the default dtype):
    ``Tensor(2, 3)`` is uninitialized, ``Tensor([1, 2])`` a float copy.
    """

    # Class-level defaults: instances only store what differs.
    _requires_grad = False
    grad: Tensor | None = None
    _grad_fn: Node | None = None
    _output_nr = 0
    _base: Tensor | None = None
    _vc: list[int] | None = None
    _view_fn: Callable[[Tensor], Tensor] | None = None
    _accumulator: AccumulateGrad | None = None
    _retains_grad = False
    _backward_hooks: Any = None
    __array_priority__ = 1000  # numpy scalars defer to our reflected operators

    _data: Any
    _dtype: D.dtype
    _device: Device

    def __init__(self, *args: Any, device: Any = None) -> None:
        from .device import resolve
        from .legacy_types import legacy_new

        t = legacy_new(D.get_default_dtype(), resolve(device)[0], args)
        self._data, self._dtype, self._device = t._data, t._dtype, t._device

    # -- construction (internal) ---------------------------------------------------------------
    @staticmethod
    def _wrap(native: Any, dev: Device, dtype: D.dtype | None = None) -> Tensor:
        t = _new(Tensor)
        t._data = native
        t._dtype = dtype if dtype is not None else D.from_numpy_dtype(native.dtype)
        t._device = dev
        return t

    @staticmethod
    def _from_value(value: Any, device: Any, dtype: Any) -> Tensor:
        """``tensorweave.tensor`` semantics: copy ``value`` (nested lists, NumPy, Tensor)."""
        dev, be = resolve(device)
        if isinstance(value, Tensor):
            value = value.detach().cpu().numpy()
        dt = None if dtype is None else D.to_dtype(dtype)
        arr = _to_numpy(value, dt)
        dt = dt or D.from_numpy_dtype(arr.dtype)
        be.check_dtype("tensor", dt, dev)
        return Tensor._wrap(be.from_numpy(arr, dev.index), dev, dt)

    # -- properties ------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self) -> D.dtype:
        return self._dtype

    @property
    def device(self) -> Device:
        return self._device

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self) -> Node | None:
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage, outside autograd (prefer `detach`)."""
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor; got {type(value).__name__}")
        self._data, self._dtype, self._device = value._data, value._dtype, value._device

    def is_inference(self) -> bool:
        """Whether this is an inference tensor: never (`inference_mode` makes ordinary ones)."""
        return False

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        from .ops._rules import normalize_dim

        return self._data.shape[normalize_dim("size", dim, self.ndim)] if self.ndim else 1

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(np.prod(self._data.shape, dtype=np.int64))

    nelement = numel
    ndimension = dim

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        """The bytes of the elements this tensor views (not of its whole storage)."""
        return self.numel() * self._dtype.itemsize

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    # Layouts and kinds tensorweave does not have: always False, so library code that asks
    # (``if x.is_sparse: ...``) takes the dense path as it does in PyTorch.
    is_sparse = is_sparse_csr = is_quantized = is_meta = is_nested = is_mkldnn = False
    # Accelerators tensorweave has no backend for (a plugin backend's tensors answer
    # through their device type, as ``is_cuda`` does).
    is_mps = is_xpu = is_ipu = is_xla = is_mtia = is_maia = is_vulkan = False

    def stride(self, dim: int | None = None) -> Any:
        """Strides in elements, like `torch.Tensor.stride`."""
        s = self._backend().strides(self._data)
        if dim is None:
            return s
        from .ops._rules import normalize_dim

        return s[normalize_dim("stride", dim, self.ndim)]

    def storage_offset(self) -> int:
        return self._backend().storage_offset(self._data)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Row-major in memory (size-1 dims' strides do not matter; an empty tensor always
        is, as in PyTorch), or contiguous in ``memory_format``'s order (see
        `tensorweave.layouts`)."""
        if memory_format is not None:
            from .layouts import is_contiguous_in

            return is_contiguous_in(self, memory_format)
        if self.numel() == 0:
            return True
        expected = 1
        for n, s in zip(reversed(self._data.shape), reversed(self.stride())):
            if n != 1 and s != expected:
                return False
            expected *= n
        return True

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def _backend(self) -> Any:
        return resolve(self._device)[1]

    def get_device(self) -> int:
        return -1 if self._device.type == "cpu" else (self._device.index or 0)

    # -- conversion --------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A NumPy array; on cpu it shares memory with the tensor, as in PyTorch.

        Raises:
            RuntimeError: if the tensor requires grad (call ``detach()`` first) or is not on
                cpu (call ``cpu()`` first), unless ``force=True``.
        """
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            if not force:
                raise TypeError(f"can't convert {self._device} device type tensor to numpy. "
                                "Use Tensor.cpu() to copy the tensor to host memory first.")
            return self._backend().to_numpy(self._data)
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.detach()._host()
        return arr if dtype is None else arr.astype(dtype)

    def __dlpack__(self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None,
                   copy: Any = None) -> Any:
        """A DLPack capsule of this tensor's memory (no copy), for ``np.from_dlpack``,
        ``torch.from_dlpack``, ``cupy.from_dlpack``...

        Raises:
            RuntimeError: the tensor requires grad (export ``detach()`` instead).
            BufferError: the backend's arrays cannot be exported (copy to cpu first).
        """
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use "
                               "tensor.detach()")
        export = getattr(self._data, "__dlpack__", None)
        if export is None:
            raise BufferError(f"__dlpack__: {self._device} tensors cannot be exported through "
                              "DLPack; copy the tensor with .cpu() first")
        given = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                   ("dl_device", dl_device), ("copy", copy)) if v is not None}
        try:
            return export(**given)
        except BufferError as e:
            raise BufferError(f"__dlpack__: {self._dtype.name} tensors on {self._device} cannot "
                              f"be exported through DLPack ({e}); convert first, e.g. "
                              "x.float()") from e

    def __dlpack_device__(self) -> tuple[int, int]:
        where = getattr(self._data, "__dlpack_device__", None)
        if where is None:
            raise BufferError(f"__dlpack_device__: {self._device} tensors cannot be exported "
                              "through DLPack; copy the tensor with .cpu() first")
        return where()

    def _host(self) -> np.ndarray:
        """The values as a host array (a copy from devices, the array itself on cpu)."""
        if self._device.type == "cpu":
            return self._data
        return self._backend().to_numpy(self._data)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self._host().reshape(()).item()

    def tolist(self) -> Any:
        """Nested Python lists (a number for a 0-d tensor)."""
        return self._host().tolist()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype and/or device: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(other)``, and the memory layout with ``memory_format=`` (``channels_last``...).
        Returns ``self`` when nothing changes, as in PyTorch.
        """
        fmt = kwargs.pop("memory_format", None)
        dev, dt, copy = _parse_to(args, kwargs)
        out = self
        if dt is not None and dt is not out._dtype:
            from .ops.elementwise import cast

            out = cast.bind(out, dtype=dt)
        if dev is not None:
            d, _ = resolve(dev)
            if d != out._device:
                from .ops.movement import to_device

                out = to_device.bind(out, device=d)
        if copy and out is self:
            out = self.clone()
        if fmt is not None:
            from .layouts import preserve_format, suggest_memory_format

            # As PyTorch: a copy only where the layout is not already the format's
            if fmt is not preserve_format and suggest_memory_format(out) is not fmt:
                out = out.contiguous(memory_format=fmt)  # type: ignore[attr-defined]
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        return self.to("cuda" if device is None else
                       (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def bfloat16(self) -> Tensor:
        return self.to(D.bfloat16)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other._dtype)

    # The new_* factories take PyTorch's layout and pin_memory too (`tensorweave.layouts`
    # adds them).
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        from .ops.creation import tensor

        return tensor(data, dtype=dtype or self._dtype, device=device or self._device,
                      requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        from .ops.creation import zeros

        return zeros(*size, dtype=dtype or self._dtype, device=device or self._device,
                     requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        from .ops.creation import ones

        return ones(*size, dtype=dtype or self._dtype, device=device or self._device,
                    requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
        from .ops.creation import full

        return full(size, fill_value, dtype=dtype or self._dtype, device=device or self._device,
                    requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    # -- autograd -------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this leaf; returns ``self``."""
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and not self._dtype.is_differentiable:
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients; got {self._dtype!r}")
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new tensor sharing storage (and version counter) with no autograd history."""
        t = Tensor._wrap(self._data, self._device, self._dtype)
        t._vc = self._shared_vc()  # in-place changes are seen by saved-tensor checks
        return t

    def detach_(self) -> Tensor:
        """Detach in place: this tensor becomes a leaf that does not require grad."""
        self._grad_fn = None
        self._requires_grad = False
        return self

    def _shared_vc(self) -> list[int]:
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self) -> None:
        vc = self._shared_vc()
        vc[0] += 1

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        from .autograd.engine import retain_grad

        retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle with ``remove()``.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.engine import accumulator

        node = self._grad_fn if self._grad_fn is not None else accumulator(self)
        idx = self._output_nr if self._grad_fn is not None else 0
        node.add_pre_hook(idx, hook)
        return _HookHandle(node, idx, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(self)`` each time a backward pass has added into this leaf's ``.grad``
        (an optimizer step per parameter inside backward, as PyTorch allows). Returns a
        handle with ``remove()``.

        Raises:
            RuntimeError: for a tensor that does not require grad, or a non-leaf.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from .autograd.engine import accumulator

        hooks = accumulator(self).post_hooks
        hooks.append(hook)
        return _ListHandle(hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the leaves' ``.grad``.

        See `tensorweave.autograd.backward`.
        """
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    # -- Python protocol -------------------------------------------------------------------------
    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))  # type: ignore[attr-defined]

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.numel()} elements is "
                               "ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self.detach().cpu().numpy(), str(self._device), self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if id(self) in memo:
            return memo[id(self)]
        t = self.detach().clone()
        t._requires_grad = self._requires_grad
        if self.grad is not None:
            t.grad = self.grad.detach().clone()
        if type(self) is not Tensor:
            t.__class__ = type(self)
        memo[id(self)] = t
        return t


def _rebuild(arr: np.ndarray, dev: str, requires_grad: bool) -> Tensor:
    t = Tensor._from_value(arr, dev, None)
    return t.requires_grad_(requires_grad) if requires_grad else t


_new: Callable[[type], Any] = object.__new__


class _HookHandle:
    """Returned by `Tensor.register_hook`; ``remove()`` unregisters the hook."""

    def __init__(self, node: Any, idx: int, hook: Any) -> None:
        self._node, self._idx, self._hook = node, idx, hook

    def remove(self) -> None:
        hooks = (self._node.pre_hooks or {}).get(self._idx, [])
        if self._hook in hooks:
            hooks.remove(self._hook)


class _ListHandle:
    """Returned by `Tensor.register_post_accumulate_grad_hook`; ``remove()`` unregisters."""

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _to_numpy(value: Any, dt: D.dtype | None) -> np.ndarray:
    """Host array for `tensor(value)`: PyTorch's dtype inference (floats -> default dtype)."""
    if isinstance(value, np.ndarray):
        arr = value
        if dt is None and arr.dtype not in D._BY_NP:
            D.from_numpy_dtype(arr.dtype)  # raises the unsupported-dtype error
        return np.array(arr, dtype=None if dt is None else dt.np, copy=True)
    if isinstance(value, (list, tuple)):
        value = _flatten_tensors(value)
    try:
        arr = np.asarray(value)
    except ValueError as e:
        raise ValueError(f"tensor: could not build a tensor from the given data: {e}") from None
    if arr.dtype == object or (arr.dtype.kind in "USV" and arr.dtype not in D._BY_NP):
        raise TypeError(f"tensor: could not infer dtype of {type(value).__name__}; expected "
                        "numbers, nested sequences of numbers, NumPy arrays or tensors")
    if dt is None:
        if arr.dtype.kind == "f" and not isinstance(value, (np.generic,)):
            dt = D.get_default_dtype() if _all_python(value) else D.from_numpy_dtype(arr.dtype)
        elif arr.dtype.kind in "iu" and _all_python(value):
            dt = D.int64
        elif arr.dtype.kind == "c" and _all_python(value) and not isinstance(value, np.generic):
            dt = D.default_complex()
        else:
            dt = D.from_numpy_dtype(arr.dtype)
    with np.errstate(over="ignore"):  # out of a float16's range is inf, silently as PyTorch
        return np.array(arr, dtype=dt.np, copy=True, order="C")


def _all_python(value: Any) -> bool:
    """True when ``value`` holds Python numbers only (their dtype is PyTorch's default)."""
    if isinstance(value, (bool, int, float, complex)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_all_python(v) for v in value)
    return False


def _flatten_tensors(value: Any) -> Any:
    """Turn tensors nested in lists into host arrays/numbers so NumPy can stack them."""
    if isinstance(value, Tensor):
        return value.detach()._host()
    if isinstance(value, (list, tuple)):
        return [_flatten_tensors(v) for v in value]
    return value


def _parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, bool]:
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to(): unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a._device, a._dtype
        elif isinstance(a, D.dtype) or a in (bool, int, float):
            dt = a
        elif isinstance(a, (str, Device)):
            dev = a
        elif isinstance(a, int):
            dev = f"cuda:{a}"
        else:
            raise TypeError(f"to(): expected a device, a dtype or a tensor; got {a!r}")
    return dev, (None if dt is None else D.to_dtype(dt)), copy


def _t_prop(self: Tensor) -> Tensor:
    """The tensor with all dimensions reversed (``x.T``)."""
    return self.permute(*reversed(range(self.ndim)))  # type: ignore[attr-defined]


def _mt_prop(self: Tensor) -> Tensor:
    """The last two dimensions swapped (``x.mT``, batched matrix transpose)."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return self.transpose(-2, -1)  # type: ignore[attr-defined]


def _h_prop(self: Tensor) -> Tensor:
    """The conjugate transpose of a matrix (``x.H``): for a real matrix, a view (the
    transpose); for a complex one, a copy (conjugates are not lazy here)."""
    if self.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.ndim}-D tensor." + (" For batches of matrices, consider using "
                                                      "tensor.mH" if self.ndim > 2 else ""))
    return self.transpose(0, 1).conj()  # type: ignore[attr-defined]


def _mh_prop(self: Tensor) -> Tensor:
    """The batched conjugate transpose (``x.mH``): `mT` conjugated (a view for real dtypes)."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return self.transpose(-2, -1).conj()  # type: ignore[attr-defined]


Tensor.T = property(_t_prop)  # type: ignore[attr-defined]
Tensor.mT = property(_mt_prop)  # type: ignore[attr-defined]
Tensor.H = property(_h_prop)  # type: ignore[attr-defined]
Tensor.mH = property(_mh_prop)  # type: ignore[attr-defined]


# -- complex numbers: conj, real, imag... are in ops/complex_numbers.py, over view_as_real ------

def adjoint(input: Tensor) -> Tensor:  # noqa: A002
    """The batched conjugate transpose (`Tensor.mH`)."""
    return _mh_prop(input)


Tensor.adjoint = adjoint  # type: ignore[attr-defined]


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """``input.detach()``: the same storage, outside autograd."""
    return input.detach()


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a tensorweave `Tensor`."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of ``input``."""
    return input.numel()


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is a floating dtype."""
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is complex64 or complex128."""
    return input.dtype.is_complex


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    """Whether the single element of ``input`` is nonzero.

    Raises:
        RuntimeError: unless ``input`` has exactly one element.
    """
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Whether both tensors have the same shape."""
    return input.shape == other.shape


def is_signed(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is signed (the floats and the signed integers)."""
    return input.dtype.is_signed


# Tensor methods too, as in PyTorch (x.is_signed()...).
Tensor.is_complex = is_complex  # type: ignore[attr-defined]
Tensor.is_nonzero = is_nonzero  # type: ignore[attr-defined]
Tensor.is_same_size = is_same_size  # type: ignore[attr-defined]
Tensor.is_signed = is_signed  # type: ignore[attr-defined]
