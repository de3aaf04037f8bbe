"""`Tensor.apply_`, `map_` and `map2_`: a Python callable applied element by element, in
place, on cpu tensors (as PyTorch restricts them; they are slow by nature and only for
tests and debugging).

The callable gets Python numbers and its results are converted to ``self``'s dtype as
PyTorch converts them (``float()``, integer truncation, ``bool()``); the new values are
written with `copy_`, so views and version counters see the change as after any in-place op.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from .tensor import Tensor

__all__: list[str] = []  # Tensor methods only


def _check(name: str, self: Tensor, others: dict[str, Any]) -> None:
    if self.device.type != "cpu":
        raise TypeError(f"{name} is only implemented on CPU tensors")
    for arg, other in others.items():
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position 1) must be Tensor, not "
                            f"{type(other).__name__}")
        if other.dtype is not self.dtype or other.device != self.device:
            what = f"'{arg}'" if name == "map_" else f"argument '{arg}'"
            raise TypeError(f"{name}: expected {self.type()} for {what} (got {other.type()})")
    if any(t.requires_grad for t in (self, *others.values())):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def _real(value: Any) -> float:
    """``float(value)`` for numbers (and one-element tensors), refusing strings as PyTorch."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        raise TypeError(f"must be real number, not {type(value).__name__}")
    return float(value)


def _converter(self: Tensor) -> Callable[[Any], Any]:
    if self.dtype.is_floating_point:
        return _real
    if self.dtype.name == "bool":
        return bool
    return lambda v: int(v) if isinstance(v, float) else operator.index(v)


def _apply(name: str, self: Tensor, fn: Callable[..., Any], others: dict[str, Any]) -> Tensor:
    _check(name, self, others)
    inputs = [self, *(o.expand(self.shape) for o in others.values())]
    convert = _converter(self)
    columns = (np.asarray(t.detach().numpy()).ravel().tolist() for t in inputs)
    values = [convert(fn(*vals)) for vals in zip(*columns)]
    new = np.array(values, dtype=self.dtype.np).reshape(tuple(self.shape))
    return self.copy_(Tensor._from_value(new, self.device, self.dtype))


def apply_(self: Tensor, callable: Callable[[Any], Any]) -> Tensor:  # noqa: A002
    """Replace each element ``x`` by ``callable(x)``; returns ``self``.

    Raises:
        TypeError: ``self`` is not on cpu.
        RuntimeError: ``self`` requires grad.
    """
    return _apply("apply_", self, callable, {})


def map_(self: Tensor, other: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:  # noqa: A002
    """Replace each element ``x`` by ``callable(x, y)``, ``y`` from ``other`` broadcast to
    ``self``'s shape; returns ``self``.

    Raises:
        TypeError: a tensor is not on cpu, or ``other``'s dtype is not ``self``'s.
        RuntimeError: a tensor requires grad, or ``other`` does not broadcast.
    """
    return _apply("map_", self, callable, {"other": other})


def map2_(self: Tensor, x: Tensor, y: Tensor,
          callable: Callable[[Any, Any, Any], Any]) -> Tensor:  # noqa: A002
    """`map_` with two tensors: each element ``s`` becomes ``callable(s, x_i, y_i)``."""
    return _apply("map2_", self, callable, {"x": x, "y": y})


for _fn in (apply_, map_, map2_):
    setattr(Tensor, _fn.__name__, _fn)
