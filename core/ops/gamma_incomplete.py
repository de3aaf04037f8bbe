"""The regularized incomplete gamma functions ``P(a, x)`` (`igamma`, ``torch.special.gammainc``)
and ``Q(a, x) = 1 - P(a, x)`` (`igammac`, ``gammaincc``), as composite ops.

Each element takes one of three expansions, chosen by Cephes' rules (the ones PyTorch's
kernels follow), so that the one computed directly is the small one of P and Q and the other
is its complement:

* the power series ``P = x**a e**-x / Gamma(a + 1) * sum_n x**n / ((a + 1)...(a + n))``
  (positive terms) where x <= max(a, 1);
* the continued fraction of Q (Legendre's, evaluated forwards by the modified Lentz method)
  where x > max(a, 1.1);
* for small a and x <= 1.1, the series
  ``Q = -expm1(a log x - lgamma(1 + a)) - x**a / Gamma(a) sum_n (-x)**n / (n! (a + n))``,
  which keeps Q's relative precision when a is tiny (P rounds to 1 there).

The series and the fraction converge in about ``sqrt(a)`` steps near ``x = a``, so they run
in blocks of 8 steps until every element has converged (one host synchronization a block).
The prefactor ``x**a e**-x / Gamma(a)`` is ``sqrt(a / 2 pi) exp(a log1pmx((x - a)/a) - S(a))``
with Stirling's series S for a >= 10: ``a log x - x - lgamma(a)`` would cancel to an absolute
error of ``a log(a)`` ulps.

Only the derivative in x exists (``x**(a-1) e**-x / Gamma(a)``); backward through ``a``
raises PyTorch's NotImplementedError. float16 is computed in float32.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, defop
from ._rules import Promotion
from .creation import full_like
from .elementwise import (
    _is_t,
    abs,
    eq,
    exp,
    expm1,
    ge,
    gt,
    isfinite,
    isnan,
    le,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    lt,
    where,
)
from .reduction import all
from .special import _STIRLING, _TOL, _horner, _lgamma2_series, lgamma

__all__ = ["igamma", "igammac"]

_BLOCK = 8  # steps between two convergence checks
_MAX_STEPS = 4000  # enough for a up to ~1e5 at float64 precision
_QSERIES_TERMS = {True: 26, False: 14}  # x <= 1.1: 1.1**n / n! below the dtype's epsilon
_TINY = 1e-30  # Lentz's guard against a zero denominator
# 2 sum_k u**(2k+1) / (2k+1) for k >= 1, as a polynomial in u**2 (|u| <= 1/3).
_ATANH_SERIES = [2.0 / (2 * k + 3) for k in range(17)]


def _log1pmx(x: Tensor, a: Tensor) -> Tensor:
    """``log(1 + t) - t`` for ``t = (x - a) / a``, without the cancellation for small t: with
    ``u = t / (2 + t)``, ``log(1 + t) = 2 atanh(u)`` and ``2u - t = -t**2 / (2 + t)`` exactly.
    Far from 0 it is ``log(x / a) - t`` (``1 + t`` would round away the digits of a small
    x/a)."""
    t = (x - a) / a
    mid = logical_and(ge(t, -0.5), le(t, 1.0))
    tm = where(mid, t, 0.0)
    u = tm / (2.0 + tm)
    u2 = u * u
    series = -(tm * tm) / (2.0 + tm) + u * u2 * _horner(_ATANH_SERIES, u2)
    return where(mid, series, log(x / a) - t)


def _log_fac(a: Tensor, x: Tensor) -> Tensor:
    """``log(x**a e**-x / Gamma(a))`` for a, x > 0 (see the module docstring)."""
    big = ge(a, 10.0)
    ab = where(big, a, 10.0)
    r = (1.0 / ab) * (1.0 / ab)  # ab * ab would overflow for a > 1e154
    stirling = ab * _log1pmx(x, ab) - _horner(_STIRLING, r) / ab \
        + 0.5 * log(ab * (1.0 / (2.0 * math.pi)))
    asmall = where(big, 1.0, a)
    direct = asmall * log(x) - x - lgamma(asmall)
    return where(big, stirling, direct)


def _iterate(step: Callable[[int, tuple[Tensor, ...]], tuple[Tensor, ...]],
             state: tuple[Tensor, ...], done: Callable[[tuple[Tensor, ...]], Tensor]
             ) -> tuple[Tensor, ...]:
    """Run ``step(n, state)`` for n = 1, 2, ... in blocks until ``done(state)`` holds for
    every element (or `_MAX_STEPS`)."""
    n = 0
    while n < _MAX_STEPS:
        for _ in range(_BLOCK):
            n += 1
            state = step(n, state)
        if bool(all(done(state)).item()):
            break
    return state


def _p_series(a: Tensor, x: Tensor, eps: float) -> Tensor:
    """``P(a, x)`` from its power series (positive terms)."""
    def step(n: int, s: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        r, c, total = s
        r = r + 1.0
        c = c * x / r
        return r, c, total + c

    one = full_like(x, 1.0)
    _, _, total = _iterate(step, (a, one, one), lambda s: le(s[1], 0.5 * eps * s[2]))
    return exp(_log_fac(a, x)) * total / a


def _q_fraction(a: Tensor, x: Tensor, eps: float) -> Tensor:
    """``Q(a, x)`` from Legendre's continued fraction, by the modified Lentz method. An
    element stops at its first factor within ``4 eps`` of 1: rounding can keep later ones
    one ulp away from 1 for ever, and an element's value must not depend on its neighbours'
    convergence."""
    def step(n: int, s: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        b, c, d, h, done = s
        an = (a - n) * n
        b = b + 2.0
        d = an * d + b
        d = where(lt(abs(d), _TINY), _TINY, d)
        c = b + an / c
        c = where(lt(abs(c), _TINY), _TINY, c)
        d = 1.0 / d
        delta = d * c
        h = where(done, h, h * delta)
        return b, c, d, h, logical_or(done, le(abs(delta - 1.0), 4.0 * eps))

    b = x + 1.0 - a
    d = 1.0 / b
    state = (b, full_like(d, 1.0 / _TINY), d, d, full_like(d, False, dtype=D.bool))
    h = _iterate(step, state, lambda s: s[4])[3]
    return exp(_log_fac(a, x)) * h


def _lgamma1p(a: Tensor) -> Tensor:
    """``lgamma(1 + a)`` for ``0 < a <= 1.5`` with full relative precision near a = 0 and 1,
    from the series of ``lgamma(2 + z)``."""
    coefs = _lgamma2_series(a.dtype is D.float64)[1:]
    low = le(a, 0.5)
    z = where(low, a, a - 1.0)  # exact for a in (0.5, 1.5]
    return z * _horner(coefs, z) - where(low, log1p(a), 0.0)


def _q_series(a: Tensor, x: Tensor) -> Tensor:
    """``Q(a, x)`` for ``x <= 1.1`` and ``a <= 1.21`` (see the module docstring)."""
    fac: Any = 1.0
    total: Any = 0.0
    for n in range(1, _QSERIES_TERMS[a.dtype is D.float64] + 1):
        fac = fac * (-x / n)
        total = total + fac / (a + n)
    logx = log(x)
    return -expm1(a * logx - _lgamma1p(a)) - exp(a * logx - lgamma(a)) * total


def _igamma(a: Tensor, x: Tensor, upper: bool) -> Tensor:
    eps = float(np.finfo(a.dtype.np).eps)
    valid = logical_and(logical_and(gt(a, 0.0), gt(x, 0.0)),
                        logical_and(isfinite(a), isfinite(x)))
    av = where(valid, a, 1.0)
    xv = where(valid, x, 1.0)
    mid = logical_and(gt(xv, 0.5), le(xv, 1.1))
    if upper:
        pser = logical_or(logical_and(gt(xv, 1.1), lt(xv, av)),
                          logical_or(logical_and(le(xv, 0.5), gt(av, -0.4 / log(xv))),
                                     logical_and(mid, gt(av, 1.1 * xv))))
        frac = logical_and(gt(xv, 1.1), ge(xv, av))
    else:
        far = logical_and(gt(xv, 1.0), gt(xv, av))
        pser = logical_not(far)
        frac = logical_and(far, gt(xv, 1.1))
    qser = logical_not(logical_or(pser, frac))
    # Each expansion sees benign values (they converge at once) outside its own elements.
    p = _p_series(where(pser, av, 1.0), where(pser, xv, 1.0), eps)
    qf = _q_fraction(where(frac, av, 1.0), where(frac, xv, 2.0), eps)
    qs = _q_series(where(qser, av, 1.0), where(qser, xv, 1.0))
    q = where(frac, qf, qs)
    out = where(pser, 1.0 - p, q) if upper else where(pser, p, 1.0 - q)
    return _edges(a, x, out, upper)


def _edges(a: Tensor, x: Tensor, out: Tensor, upper: bool) -> Tensor:
    """PyTorch's values off the open quadrant: nan for negative or nan arguments and for
    (0, 0) and (inf, inf); P = 1 at a = 0 or x = inf, P = 0 at x = 0 or a = inf."""
    nan = logical_or(logical_or(isnan(a), isnan(x)), logical_or(lt(a, 0.0), lt(x, 0.0)))
    a_inf, x_inf = eq(a, math.inf), eq(x, math.inf)
    nan = logical_or(nan, logical_or(logical_and(eq(a, 0.0), eq(x, 0.0)),
                                     logical_and(a_inf, x_inf)))
    p_one = logical_or(eq(a, 0.0), x_inf)
    p_zero = logical_or(eq(x, 0.0), a_inf)
    one, zero = (0.0, 1.0) if upper else (1.0, 0.0)
    return where(nan, math.nan, where(p_one, one, where(p_zero, zero, out)))


def _decomp(upper: bool) -> Callable[[Tensor, Tensor], Tensor]:
    def decomp(a: Tensor, x: Tensor) -> Tensor:
        if a.dtype is D.float16:
            return _igamma(a.to(D.float32), x.to(D.float32), upper).to(D.float16)
        return _igamma(a, x, upper)
    return decomp


def _vjp(name: str, sign: float) -> Callable[..., tuple[Any, Any]]:
    """d/dx P(a, x) = x**(a-1) e**-x / Gamma(a) = -d/dx Q(a, x), written as PyTorch does
    (so its nan at a = 1, x = 0 and its inf at a < 1, x = 0 are PyTorch's too)."""
    def vjp(g: Tensor, out: Tensor, a: Tensor, x: Tensor) -> tuple[Any, Any]:
        if a.requires_grad:
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        dx = exp((a - 1.0) * log(x) - x - lgamma(a))
        return None, (g * sign * dx if x.requires_grad else None)
    return vjp


def _check(name: str, a: Any, x: Any) -> None:
    for pos, arg, v in ((1, "input", a), (2, "other", x)):
        if not _is_t(v):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")
    if not (a.dtype.is_floating_point or x.dtype.is_floating_point):
        dt = D.result_type(a, x)
        raise NotImplementedError(f'"{name}" not implemented for \'{dt.name}\'')


def _ref(upper: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The float64 NumPy reference of P (or Q), element by element."""
    host = np.frompyfunc(lambda a, x: _ref_scalar(float(a), float(x), upper), 2, 1)
    return lambda a, x: np.asarray(host(a, x), dtype=np.float64)


def _ref_scalar(a: float, x: float, upper: bool) -> float:
    """P(a, x) (or Q) in float64 from the series or the fraction, run to convergence; the
    conformance samples stay where both are accurate (a, x in (0.1, 6))."""
    if not (a > 0 and x > 0):
        return math.nan
    log_fac = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = 0
        while term > 1e-17 * total:
            n += 1
            term *= x / (a + n)
            total += term
        p = math.exp(log_fac) * total
        return 1.0 - p if upper else p
    h = 0.0  # the fraction evaluated from its tail (x >= a + 1: 200 levels are plenty)
    for n in range(200, 0, -1):
        h = n * (n - a) / (x + 2 * n + 1 - a - h)
    q = math.exp(log_fac) / (x + 1 - a - h)
    return q if upper else 1.0 - q


def _samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    """a (not differentiable, as in PyTorch) and x in (0.1, 6): all three expansions."""
    for sa, sx in [((3, 4), (3, 4)), ((2, 1), (3,)), ((), ()), ((0, 3), (3,))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt, 0.1, 6.0), differentiable=False),
                             S.Arg(S.make(rng, sx, dt, 0.1, 6.0))), name=f"{sa}x{sx}")
    a = np.array([0.05, 0.5, 1.0, 2.5, 5.0, 12.0]).astype(dt.np)
    x = np.array([0.3, 0.9, 1.05, 4.0, 5.5, 10.0]).astype(dt.np)
    yield S.SampleInput((S.Arg(a, differentiable=False), S.Arg(x, noncontig=True)),
                        name="edges")


_FIELDS: dict[str, Any] = dict(promotion=Promotion.INT_TO_FLOAT, broadcasts=True,
                               dtypes=D.FLOATING, samples=_samples, tol=_TOL)


@defop(COMPOSITE, decomp=_decomp(False), vjp=_vjp("igamma", 1.0), ref=_ref(False), **_FIELDS)
def igamma(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """Element-wise regularized lower incomplete gamma function P(input, other).

    ``P(a, x) = 1/Gamma(a) int_0^x t**(a-1) e**-t dt`` with ``a = input``, ``x = other``
    (``torch.special.gammainc``), with broadcasting.

    nan for negative or nan arguments, at (0, 0) and at (inf, inf); 1 at a = 0 or x = inf;
    0 at x = 0 or a = inf. Differentiable in ``other`` only, as in PyTorch.

    Raises:
        TypeError: when an argument is not a tensor.
        NotImplementedError: for two integer tensors, and at backward for a gradient of
            ``input``, as PyTorch.
    """
    _check("igamma", input, other)
    return igamma.bind(input, other)


@defop(COMPOSITE, decomp=_decomp(True), vjp=_vjp("igammac", -1.0), ref=_ref(True), **_FIELDS)
def igammac(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Element-wise regularized upper incomplete gamma function Q(input, other) = 1 - P.

    See `igamma` (``torch.special.gammaincc``); Q is computed directly where it is small.

    Raises:
        TypeError: when an argument is not a tensor.
        NotImplementedError: for two integer tensors, and at backward for a gradient of
            ``input``, as PyTorch.
    """
    _check("igammac", input, other)
    return igammac.bind(input, other)
