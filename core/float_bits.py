"""`frexp` and `nextafter`: a float's binary mantissa and exponent, and its neighbour.

Both are written with tensor ops (log2, floor, exp2, where), not bit reinterpretation, so they
run and differentiate on every backend. They are exact where the backend's ``exp2`` is exact
on integers (NumPy's is): powers of two are built as the product of two halves, so that
``2 ** k`` stays in range for every normal and subnormal float, the smallest included.

Gradients are PyTorch's: the mantissa's is ``grad / 2 ** exponent``; ``nextafter`` passes
``grad`` to ``input`` and zero to ``other``.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from . import dtypes as D
from .autograd.function import Function
from .autograd.grad_mode import no_grad
from .inplace_functions import check_tensor
from .ops.creation import full_like, ones_like
from .ops.elementwise import isfinite, isinf, isnan, sign, where
from .ops.inplace import _TORCH_NAME
from .ops.joining import broadcast_tensors
from .tensor import Tensor

__all__ = ["frexp", "nextafter"]

_Frexp = namedtuple("frexp", ["mantissa", "exponent"])  # torch.return_types.frexp's fields


def _pow2_scale(x: Tensor, k: Tensor) -> Tensor:
    """``x * 2 ** k`` for integer-valued ``k``, in two factors so neither overflows."""
    half = (k / 2).floor()
    return x * half.exp2() * (k - half).exp2()  # type: ignore[attr-defined]


def _exponent(a: Tensor) -> Tensor:
    """frexp's exponent (in ``a``'s dtype) of a detached tensor: 0 for 0, inf and nan."""
    mag = a.abs()  # type: ignore[attr-defined]
    regular = isfinite(mag) & (mag > 0)
    safe = where(regular, mag, 1.0)
    e = safe.log2().floor() + 1  # type: ignore[attr-defined]
    m = _pow2_scale(safe, -e)  # log2 rounds near powers of two: put m back in [0.5, 1)
    e = e + (m >= 1).to(a.dtype) - (m < 0.5).to(a.dtype)
    return where(regular, e, 0.0)


def frexp(input: Tensor) -> Any:  # noqa: A002
    """``input = mantissa * 2 ** exponent`` with ``|mantissa|`` in [0.5, 1) (0, inf and nan
    keep their value and get exponent 0); returns ``(mantissa, exponent)``, the exponent int32.

    Raises:
        TypeError: ``input`` is not a tensor.
        RuntimeError: ``input`` is not floating point (PyTorch's message).
    """
    check_tensor("frexp", input)
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    with no_grad():
        e = _exponent(input.detach())
    return _Frexp(_pow2_scale(input, -e), e.to(D.int32))


class _Straight(Function):
    """Forward the precomputed result; backward: ``grad`` to input, zeros to other."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, y: Tensor, result: Tensor) -> Tensor:
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, grad * 0, None


def nextafter(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The next representable float after ``input`` in the direction of ``other``,
    element-wise in the promoted dtype (``other`` where they are equal, nan with a nan).

    Raises:
        TypeError: an argument is not a tensor.
        NotImplementedError: the promoted dtype is not floating point (PyTorch's message).
    """
    check_tensor("nextafter", input)
    if not isinstance(other, Tensor):
        raise TypeError(f"nextafter(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    dt = D.result_type(input, other)
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                                  f"'{_TORCH_NAME[dt.name]}'")
    x, y = broadcast_tensors(input.to(dt), other.to(dt))
    info = D.finfo(dt)
    digits = 1 - round(math.log2(info.eps))  # 24 for float32: significand bits
    min_exp = round(math.log2(info.tiny)) + 1  # frexp's exponent of the smallest normal
    with no_grad():
        a, b = x.detach(), y.detach()
        e = _exponent(a)
        away = where(a > 0, b > a, b < a)  # moving to a larger magnitude
        at_power = _pow2_scale(a.abs(), -e) == 0.5  # type: ignore[attr-defined]
        k = where(away | ~at_power, e, e - 1).clamp_min(min_exp) - digits
        step = _pow2_scale(ones_like(a), k)
        # Constants as tensors of the dtype: a Python float would pass through float32.
        top = full_like(a, info.max)
        overflow = away & (a.abs() == top)  # type: ignore[attr-defined]
        # No step where nothing moves or the result is inf: no overflow warning from the add.
        r = where(overflow, 0.0, a) + where(b > a, step, where(b < a, -step, 0.0))
        r = where(overflow, where(a > 0, math.inf, -math.inf), r)
        tiny = full_like(a, 2.0 ** (min_exp - digits))  # the smallest subnormal
        r = where(a == 0, where(b > 0, tiny, -tiny), r)
        r = where(isinf(a), sign(a) * top, r)
        r = where(a == b, b, r)
        r = where(isnan(a) | isnan(b), math.nan, r)
    if x.requires_grad or y.requires_grad:
        return _Straight.apply(x, y, r)
    return r


def nextafter_(self: Tensor, other: Tensor) -> Tensor:
    """In-place `nextafter`; returns ``self``."""
    return self.copy_(nextafter(self, other))  # type: ignore[attr-defined]


Tensor.frexp = frexp  # type: ignore[attr-defined]
Tensor.nextafter = nextafter  # type: ignore[attr-defined]
Tensor.nextafter_ = nextafter_  # type: ignore[attr-defined]
