"""`Parameter` and `Buffer`: tensors that a `Module` registers when assigned to it; and
`UninitializedParameter` and `UninitializedBuffer`, the placeholders of the lazy layers.

Both are `Tensor` subclasses sharing the storage (and version counter) of the tensor they
wrap, as in PyTorch. Ops on them return plain tensors (kernel results are wrapped as
`Tensor`), while in-place ops and optimizer updates write into their storage, so they stay
what they are.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor, _new

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


def _alias(cls: type, data: Tensor | None, op: str) -> Any:
    """A ``cls`` instance sharing ``data``'s storage and version counter (no history)."""
    if data is None:
        from ..ops.creation import empty

        data = empty(0)
    elif not isinstance(data, Tensor):
        raise TypeError(f"{op}: expected a Tensor as data; got {type(data).__name__}. Wrap it "
                        "first, e.g. tensorweave.tensor(data).")
    t = _new(cls)
    t._data, t._dtype, t._device = data._data, data._dtype, data._device
    t._vc = data._shared_vc()
    return t


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning one to a `Module` attribute registers
    it, and it is returned by `Module.parameters`.

    Args:
        data: the tensor to wrap (its storage is shared, not copied); an empty tensor if
            None.
        requires_grad: whether the parameter requires gradient (default True).

    Raises:
        RuntimeError: if ``requires_grad`` is True and ``data`` is not floating point.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        t = _alias(cls, data, "Parameter")
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # __new__ did the work; Tensor.__init__ would copy the data

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (Tensor.__reduce_ex__(self.detach(), protocol),
                                     self._requires_grad))


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet: an empty placeholder that follows the
    module's ``.to()`` and becomes a `Parameter` of the right shape, in place, when
    `materialize` is called.

    Args:
        requires_grad: as for `Parameter`.
        device, dtype: of the placeholder (and so of the materialized parameter).
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        from ..ops.creation import empty

        return super().__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass  # __new__ did the work

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the parameter storage of ``shape`` (uninitialized values), in the
        placeholder's device and dtype unless given, and make it a plain `Parameter`."""
        from ..autograd.grad_mode import no_grad
        from ..ops.creation import empty

        with no_grad():
            self.data = empty(shape, device=device or self.device, dtype=dtype or self.dtype)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (a lazy norm's running statistics): an empty
    placeholder that follows the module's ``.to()`` and becomes a plain `Tensor` of the
    right shape, in place, when `materialize` is called.

    Args:
        requires_grad: whether the materialized buffer requires grad.
        device, dtype: of the placeholder (and so of the materialized buffer).
        persistent: whether the buffer is part of the module's `state_dict`.
    """

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> UninitializedBuffer:
        from ..ops.creation import empty

        t = _alias(cls, empty(0, device=device, dtype=dtype), "UninitializedBuffer")
        if requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        return t

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:
        pass  # __new__ did the work

    materialize = UninitializedParameter.materialize

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is a placeholder that a lazy module has not materialized yet."""
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is true for any tensor flagged as a buffer, as in PyTorch."""

    def __instancecheck__(cls, instance: Any) -> bool:
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer",
                                                                      False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A tensor that is module state but not a parameter (a running mean, a step count):
    assigning one to a `Module` attribute registers it as a buffer, as
    `Module.register_buffer` does.

    As in PyTorch, ``Buffer(data)`` returns a plain `Tensor` (detached from ``data``, sharing
    its storage) flagged as a buffer, so ``isinstance(t, Buffer)`` holds and ops on it behave
    exactly as on any tensor.

    Args:
        data: the tensor to wrap (its storage is shared); an empty tensor if None.
        persistent: whether the buffer is part of the module's `state_dict`.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Any:
        t = _alias(Tensor, data, "Buffer")
        if data is not None and data._requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t


def _rebuild_parameter(reduced: Any, requires_grad: bool) -> Parameter:
    fn, args = reduced
    return Parameter(fn(*args), requires_grad)
