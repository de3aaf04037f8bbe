"""`Variable`, PyTorch's deprecated pre-0.4 wrapper: ``Variable(t, requires_grad=True)``
now just returns a tensor (a detached alias of ``t``, like PyTorch's), and every tensor
is an instance of it, so old code runs unchanged."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data=None, requires_grad=False)``: a tensor sharing ``data``'s storage,
    without its history (an empty one without ``data``).

    Raises:
        TypeError: ``data`` is not a tensor (PyTorch's message).
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = False) -> Any:
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        out = data.detach()
        return out.requires_grad_(True) if requires_grad else out
