"""The Hurwitz zeta function ``zeta(x, q) = sum_k (k + q)**-x`` (``torch.special.zeta``) as a
composite op.

As Cephes (and PyTorch's kernels): the first terms are summed directly, at least 9 and
until ``q + n > 9``, and the rest by the Euler-Maclaurin formula
``sum_{k>=n} f(k) = int_w^inf f + f(w)/2 - sum_j B_2j/(2j)! f^(2j-1)(w)`` with
``w = q + n`` and eight Bernoulli numbers: from w >= 10 the correction terms shrink like
``(x / 2 pi w)**2`` each, so float64 precision is reached for every x > 1. Beyond q = 1e8
the two leading terms of the large-q expansion are exact to rounding. At x = inf the values
are PyTorch's (1 at q = 1, inf below, nan above). Negative q (allowed
for integer x) needs ``9 - q`` direct terms: their number is read once from the data.

The derivative exists in q only (``-x zeta(x + 1, q)``); backward through x raises
PyTorch's NotImplementedError. float16 is refused, as PyTorch's kernels refuse it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE
from ._rules import Promotion
from .elementwise import (
    _is_t,
    _quiet,
    _tensor_pair,
    binary,
    eq,
    floor,
    gt,
    isfinite,
    isnan,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
    pow,
    where,
)
from .reduction import amin
from .special import _BERNOULLI, _TOL

__all__ = ["zeta"]

_MIN_TERMS = 9
_LARGE_Q = 1e8
# B_2j / (2j)!, the Euler-Maclaurin weights.
_EM = [float(b / math.factorial(2 * j)) for j, b in enumerate(_BERNOULLI, start=1)]


def _zeta(x: Any, q: Any) -> Tensor:
    x, q = _tensor_pair(x, q)
    if x.dtype is D.float16:
        raise NotImplementedError("\"zeta\" not implemented for 'float16'")
    # Cephes' domain: inf at x = 1 and at the poles q = 0, -1, -2...; nan below x = 1 and
    # for q < 0 with a non-integer x (q**-x is not real).
    pole = logical_or(eq(x, 1.0), logical_and(le(q, 0.0), eq(q, floor(q))))
    bad = logical_or(logical_or(lt(x, 1.0), logical_and(lt(q, 0.0), ne(x, floor(x)))),
                     logical_or(isnan(x), isnan(q)))
    ok = logical_not(logical_or(pole, bad))
    finite = logical_and(ok, logical_and(isfinite(x), isfinite(q)))
    mid = logical_and(finite, le(q, _LARGE_Q))
    xs = where(finite, x, 2.0)
    qs = where(mid, q, 1.0)
    q_min = float(amin(qs).item()) if qs.numel() else 1.0
    n = max(_MIN_TERMS, math.ceil(_MIN_TERMS - q_min))
    total = pow(qs, -xs)
    for i in range(1, n + 1):
        total = total + pow(qs + float(i), -xs)
    w = qs + float(n)
    b = pow(w, -xs)
    total = total + b * w / (xs - 1.0) - 0.5 * b
    # f^(2j-1)(w) = -x (x+1) ... (x+2j-2) w**(-x-2j+1), built up factor by factor (so that
    # it stays finite for huge x, where b is 0).
    deriv = xs * b / w
    for j, weight in enumerate(_EM, start=1):
        total = total + weight * deriv
        deriv = deriv * ((xs + (2 * j - 1)) / w) * ((xs + 2 * j) / w)
    qb = where(finite, q, 1.0)
    large = (1.0 / (xs - 1.0) + 0.5 / qb) * pow(qb, 1.0 - xs)
    out = where(mid, total, large)
    # x = inf: only the first term is left, q**-inf (1 at q = 1, inf below); for q > 1,
    # where it is 0, PyTorch's kernel gives nan (0/0 in its convergence test).
    qi = where(ok, q, 1.0)
    out = where(eq(x, math.inf), where(gt(qi, 1.0), math.nan, pow(qi, -x)), out)
    out = where(logical_and(ok, eq(q, math.inf)), math.nan, out)
    return where(pole, math.inf, where(bad, math.nan, out))


def _zeta_vjp(g: Tensor, out: Tensor, x: Any, q: Any) -> tuple[Any, Any]:
    if _is_t(x) and x.requires_grad:
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")
    if not _is_t(q):
        return None, None
    tx, tq = _tensor_pair(x, q)
    return None, g * -tx * zeta(tx + 1.0, tq)


def _zeta_ref(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """2000 terms, then the integral, half a term and the first Euler-Maclaurin term."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    total = sum((q + k) ** -x for k in range(2000))
    w = q + 2000.0
    return total + w ** (1.0 - x) / (x - 1.0) + 0.5 * w ** -x + x / 12.0 * w ** (-x - 1.0)


def _samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    """x (not differentiable, as in PyTorch) in (1.5, 5), q in (0.3, 12)."""
    for sx, sq in [((3, 4), (3, 4)), ((2, 1), (3,)), ((), ()), ((0, 3), (3,))]:
        yield S.SampleInput((S.Arg(S.make(rng, sx, dt, 1.5, 5.0), differentiable=False),
                             S.Arg(S.make(rng, sq, dt, 0.3, 12.0))), name=f"{sx}x{sq}")
    yield S.SampleInput((3.0, S.Arg(S.make(rng, (4,), dt, 0.3, 4.0), noncontig=True)),
                        name="scalar-tensor")


zeta = binary(
    "zeta", kind=COMPOSITE, promotion=Promotion.INT_TO_FLOAT, dtypes=(D.float32, D.float64),
    decomp=_zeta, vjp=_zeta_vjp, ref=_quiet(_zeta_ref), samples=_samples, tol=_TOL,
    method=False, function=False,
    doc="Element-wise Hurwitz zeta function ``sum_k (k + other)**-input`` (inf at input = 1 "
        "and at other = 0, -1, -2...; nan for input < 1). Differentiable in ``other`` only, "
        "as in PyTorch.")
