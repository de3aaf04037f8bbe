"""Storage and identity queries PyTorch code asks of tensors: `Tensor.data_ptr` (and
``const_data_ptr``), `is_set_to`, `as_subclass`, `dim_order`, `pin_memory`/`is_pinned`,
`share_memory_`/`is_shared`, and `typename`, `get_device`, `to_dlpack`, `is_inference`,
`is_storage` at the top level.

tensorweave has no pinned host memory (host-to-device copies go through the backend's own
transfer) and no shared-memory storages (a tensor sent to another process is pickled by
value): `pin_memory` returns the tensor itself, `share_memory_` leaves it as it is, and both
queries answer False, so code that checks before acting takes the plain path.
"""

from __future__ import annotations

from typing import Any

from .inplace_functions import check_tensor
from .tensor import Tensor

__all__ = ["typename", "get_device", "to_dlpack", "is_storage"]


def data_ptr(self: Tensor) -> int:
    """The address of the first element: the same int for tensors that view the same
    storage at the same offset, and stable for the tensor's lifetime.

    A backend whose arrays expose no address (``__array_interface__`` or
    ``__cuda_array_interface__``) gets one made of its storage object's identity plus the
    byte offset, which keeps both properties.
    """
    native = self._data
    for protocol in ("__array_interface__", "__cuda_array_interface__"):
        info = getattr(native, protocol, None)
        if info is not None:
            return int(info["data"][0])
    storage = getattr(native, "buffer", native)
    return id(storage) + self.storage_offset() * self.element_size()


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """Whether ``self`` and ``tensor`` view the same memory in the same way: one storage,
    offset, shape and strides (``x.is_set_to(x.view(x.shape))`` holds)."""
    return (self.data_ptr() == tensor.data_ptr() and self.shape == tensor.shape
            and self.stride() == tensor.stride() and self.dtype is tensor.dtype
            and self.device == tensor.device)


def as_subclass(self: Tensor, cls: type) -> Tensor:
    """A view of ``self`` whose class is ``cls`` (a `Tensor` subclass), in ``self``'s graph,
    as `torch.Tensor.as_subclass`. Ops on it return plain tensors: tensorweave has no
    ``__torch_function__`` protocol to carry the subclass through them.

    Raises:
        TypeError: ``cls`` is not a `Tensor` subclass (PyTorch's message).
    """
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from "
                        "Tensor is not possible. Make sure your class inherits from Tensor.")
    out = self.view_as(self)  # type: ignore[attr-defined]
    out.__class__ = cls
    return out


def dim_order(self: Tensor) -> tuple[int, ...]:
    """The dimensions from outermost to innermost in memory (strides decreasing; ties keep
    the logical order), like `torch.Tensor.dim_order`: (0, 1) for a contiguous matrix,
    (1, 0) for its transpose."""
    strides = self.stride()
    return tuple(sorted(range(self.ndim), key=lambda d: -strides[d]))


def pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """``self``: there is no page-locked host memory to copy into (see the module's note).

    Raises:
        RuntimeError: ``self`` is not on cpu (only host tensors can be pinned).
    """
    if self.device.type != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    return self


def is_pinned(self: Tensor, device: Any = None) -> bool:
    """False: tensorweave has no pinned memory."""
    return False


def share_memory_(self: Tensor) -> Tensor:
    """``self``, unchanged: storages are never shared between processes (see the module's
    note), so there is nothing to move."""
    return self


def is_shared(self: Tensor) -> bool:
    """False: storages are never in shared memory."""
    return False


for _fn in (data_ptr, is_set_to, as_subclass, dim_order, pin_memory, is_pinned,
            share_memory_, is_shared):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.const_data_ptr = data_ptr  # type: ignore[attr-defined]  # no const/mutable split here


def typename(obj: Any, /) -> str:
    """The type of ``obj`` as a string: ``x.type()`` for a tensor, else the qualified name
    of ``obj`` (a class or function) or of its class, without ``builtins.``."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def get_device(input: Tensor) -> int:  # noqa: A002
    """``input.get_device()``: -1 on cpu, else the device index.

    Raises:
        TypeError: ``input`` is not a tensor.
    """
    check_tensor("get_device", input)
    return input.get_device()


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule of ``tensor``'s memory (`Tensor.__dlpack__`), for consumers that take
    capsules (``from_dlpack`` takes the tensor itself too)."""
    check_tensor("to_dlpack", tensor, "tensor")
    return tensor.__dlpack__()


def is_storage(obj: Any, /) -> bool:
    """False: tensorweave has no storage objects (a tensor's memory is its backend's array),
    so nothing is one."""
    return False
