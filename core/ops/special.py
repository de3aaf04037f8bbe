"""Special functions (the `torch.special` family) as composite ops.

Each decomposition is written in elementwise ops, so it runs (and differentiates) on every
backend; each has an explicit vjp from the function's known derivative. The numerics aim at
float64 accuracy of about 1e-13 relative, which rules out the textbook one-liners:

* ``erfc(x) = 1 - erf(x)`` loses every digit once ``erf(x)`` rounds to 1. For ``x >= 0.5``
  ``erfc`` is ``exp(-x**2) * erfcx(x)`` with ``erfcx`` (smooth and slowly varying) from a
  Chebyshev interpolant on [0.5, 4] and Laplace's continued fraction beyond; ``exp(-x**2)``
  is split so the rounding of ``x*x`` (an error of ``x**2`` ulps) never enters.
* ``lgamma`` reduces to [1.5, 2.5] by the recurrence and expands ``lgamma(2 + z)`` in
  ``z`` with zeta-function coefficients, which keeps full relative precision next to its
  zeros at 1 and 2; Stirling's series takes over from 10, the reflection formula below 0.5.
* ``digamma`` and ``polygamma`` (any order n >= 1) shift the argument up by their
  recurrences (to 10, 10 + 2n) and use their asymptotic series; negative arguments use
  the reflection formula of psi and its n-th derivative (a polynomial in cot(pi x)).
* ``erfinv`` starts from Giles' single-precision polynomial (an asymptotic guess in the far
  tails that only `ndtri` reaches) and refines it by Newton/Halley steps on ``erf``, or on
  ``log(erfc)`` near +-1 where ``1 - |x|`` carries the information.
* ``i0`` and ``i1`` sum their power series (positive terms, so no cancellation) below 20
  and use the large-argument expansion above.

float16 inputs are computed in float32 and rounded once, as PyTorch's cpu kernels do.
The ``torch.special`` names live in `tensorweave.special`; the ops that PyTorch also
exposes at the top level (erfc, erfinv, lgamma, digamma, polygamma, i0, mvlgamma) are
``tw.<name>`` and Tensor methods.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, Tol, defop, method
from ._rules import Promotion
from .elementwise import (
    _is_t,
    _quiet,
    _tensor_pair,
    abs,
    binary,
    clamp,
    cos,
    eq,
    erf,
    exp,
    ge,
    gt,
    isfinite,
    log,
    log1p,
    logical_and,
    logical_not,
    lt,
    maximum,
    round,
    sin,
    sqrt,
    trunc,
    unary,
    where,
)

__all__ = ["erfc", "erfinv", "lgamma", "digamma", "polygamma", "i0", "mvlgamma"]

P = Promotion
_PI = math.pi
_SQRT_PI = math.sqrt(math.pi)
_SQRT2 = math.sqrt(2.0)
_EULER = 0.57721566490153286061
# Bernoulli numbers B_2 ... B_16, for the asymptotic series.
_BERNOULLI = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30),
              Fraction(5, 66), Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510)]
# Central samples are compared with a float64 NumPy reference; the series and fits are
# accurate to a few ulps, which float32's default rtol does not always leave room for.
_TOL = {D.float32: Tol(atol=1e-5, rtol=4e-5)}


def _f64(x: Tensor) -> bool:
    return x.dtype is D.float64


def _via_float32(fn: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    """Compute float16 inputs in float32 and round once (PyTorch's cpu kernels do)."""
    @functools.wraps(fn)
    def decomp(x: Tensor) -> Tensor:
        if x.dtype is D.float16:
            return fn(x.to(D.float32)).to(D.float16)
        return fn(x)
    return decomp


def _horner(coefs: list[float], t: Any) -> Any:
    """``coefs[0] + coefs[1] t + coefs[2] t**2 + ...``."""
    acc: Any = coefs[-1]
    for c in reversed(coefs[:-1]):
        acc = acc * t + c
    return acc


def _exp_sq(x: Tensor, sign: float) -> Tensor:
    """``exp(sign * x**2)`` for ``|x| <= 28``, without the rounding error of ``x*x``.

    ``x = hi + lo`` with ``hi`` a multiple of 1/16: ``hi*hi`` is exact and
    ``lo * (x + hi)`` is small, so only its own rounding (a few ulps of a small number)
    reaches the exponent instead of ``x**2`` ulps.
    """
    hi = trunc(x * 16.0) * 0.0625
    lo = x - hi
    return exp((sign * hi) * hi) * exp(sign * (lo * (x + hi)))


# -- erfc, erfcx, ndtr, log_ndtr ----------------------------------------------------------------

_CHEB_LO, _CHEB_HI, _CHEB_DEG = 0.5, 4.0, 24


def _erfcx_decimal(x: float) -> float:
    """``exp(x**2) erfc(x)`` to double precision from a 34-digit evaluation of erf's series
    ``2/sqrt(pi) exp(-x**2) sum 2**n x**(2n+1) / (1*3*...*(2n+1))`` (positive terms; the
    ``1 - erf`` that follows cancels at most 8 digits on [0.5, 4])."""
    with localcontext() as ctx:
        ctx.prec = 34
        d = Decimal(x)
        x2 = d * d
        term = total = d
        n = 0
        while term > total * Decimal(10) ** -32:
            n += 1
            term = term * 2 * x2 / (2 * n + 1)
            total += term
        return float((1 - 2 / _decimal_pi(ctx.prec).sqrt() * (-x2).exp() * total) * x2.exp())


@functools.lru_cache(maxsize=None)
def _decimal_pi(prec: int) -> Decimal:
    """pi to ``prec`` digits (Machin's formula)."""
    def arctan_inv(n: int) -> Decimal:
        x = Decimal(1) / n
        term = total = x
        k = 1
        while True:
            term = -term * x * x
            k += 2
            if term.copy_abs() / k < Decimal(10) ** -(prec + 2):
                return total
            total += term / k
    return 16 * arctan_inv(5) - 4 * arctan_inv(239)


@functools.lru_cache(maxsize=None)
def _erfcx_chebyshev(f64: bool) -> list[float]:
    """Chebyshev coefficients of erfcx on [0.5, 4], from the values at the Chebyshev nodes
    (computed once, on first use: ~0.1 s); float32 keeps the terms above its precision."""
    if not f64:
        coefs = _erfcx_chebyshev(True)
        return coefs[: int(np.nonzero(np.abs(coefs) > 1e-10)[0][-1]) + 1]
    k = np.arange(_CHEB_DEG + 1)
    u = np.cos(np.pi * (k + 0.5) / (_CHEB_DEG + 1))
    x = _CHEB_LO + (_CHEB_HI - _CHEB_LO) * (u + 1.0) / 2.0
    coefs = np.polynomial.chebyshev.chebfit(u, [_erfcx_decimal(float(v)) for v in x],
                                            _CHEB_DEG)
    return [float(c) for c in coefs]


def _erfcx_big(x: Tensor) -> Tensor:
    """erfcx for ``x >= 0.5`` (+inf included): Chebyshev on [0.5, 4], then the continued
    fraction ``erfc(x) = exp(-x**2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))``
    evaluated from its tail (24 levels reach double precision from x = 4, 10 single)."""
    coefs = _erfcx_chebyshev(_f64(x))
    u = x * (2.0 / (_CHEB_HI - _CHEB_LO)) - (_CHEB_HI + _CHEB_LO) / (_CHEB_HI - _CHEB_LO)
    u = clamp(u, -1.0, 1.0)
    b1: Any = coefs[-1]
    b2: Any = 0.0
    for c in reversed(coefs[1:-1]):  # Clenshaw's recurrence
        b1, b2 = 2.0 * u * b1 - b2 + c, b1
    mid = u * b1 - b2 + coefs[0]
    t = x
    for k in range(24 if _f64(x) else 10, 0, -1):
        t = x + (0.5 * k) / t
    return where(lt(x, _CHEB_HI), mid, (1.0 / _SQRT_PI) / t)


def _erfc(x: Tensor) -> Tensor:
    xc = clamp(x, 0.5, 28.0)  # erfc underflows to 0 before 28
    return where(lt(x, 0.5), 1.0 - erf(x), _exp_sq(xc, -1.0) * _erfcx_big(xc))


def _erfcx(x: Tensor) -> Tensor:
    # Below 0.5 erfc(x) >= 0.48 is exact enough; exp(x**2) overflows (correctly) below -26.6.
    small = _exp_sq(clamp(x, -27.0, 0.5), 1.0) * (1.0 - erf(x))
    return where(lt(x, 0.5), small, _erfcx_big(maximum(x, 0.5)))


def _log_ndtr(x: Tensor) -> Tensor:
    t = x * (-1.0 / _SQRT2)
    # Far left: log(erfc(t)/2) = -t**2 + log(erfcx(t)/2), with t**2 = x*x/2 exactly scaled;
    # -inf once x*x would overflow.
    huge = 1e150 if _f64(x) else 1e18
    xc = clamp(x, -huge, -2.0)
    left = where(lt(x, -huge), -math.inf,
                 (-0.5 * xc) * xc + log(0.5 * _erfcx_big(maximum(t, 2.0))))
    mid = log(0.5 * _erfc(t))
    right = log1p(-0.5 * _erfc(-t))  # ndtr close to 1
    return where(gt(t, 2.0), left, where(lt(x, 0.0), mid, right))


def _erf_ref(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    host = np.frompyfunc(fn, 1, 1)
    return lambda x: np.asarray(host(x), dtype=np.float64).reshape(np.shape(x))


def _with_edges(values: list[float], low: float, high: float, large: tuple[float, ...] = ()
                ) -> Callable[[D.dtype, np.random.Generator], Iterator[S.SampleInput]]:
    """Unary samples in [low, high) plus a vector of hand-picked values (branch switches,
    tails), and one of ``large`` values whose results are big: apart, so their rounding
    does not swamp the numerical gradients of the others; not for float16, which overflows.
    """
    def samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
        yield from S.unary(dt, rng, low, high)
        yield S.SampleInput((S.Arg(np.array(values).astype(dt.np)),), name="edges")
        if large and dt is not D.float16:
            yield S.SampleInput((S.Arg(np.array(large).astype(dt.np)),), name="large")
    return samples


erfc = unary(
    "erfc", kind=COMPOSITE, decomp=_via_float32(_erfc), tol=_TOL,
    vjp=lambda g, out, x: (g * (-2.0 / _SQRT_PI) * exp(-(x * x)),),
    ref=_erf_ref(math.erfc), samples=_with_edges([-4.0, 0.49, 0.51, 3.9, 4.1, 6.0], -2.0, 3.0),
    doc="Element-wise complementary error function ``1 - erf(input)``, accurate where it "
        "is tiny (large inputs).")

erfcx = unary(
    "erfcx", kind=COMPOSITE, decomp=_via_float32(_erfcx), method=False, function=False,
    vjp=lambda g, out, x: (g * (2.0 * x * out - 2.0 / _SQRT_PI),), save_inputs=True,
    save_out=True, tol=_TOL, samples=_with_edges([-2.5, 0.49, 0.51, 3.9, 4.1, 8.0], -2.0, 3.0),
    ref=_erf_ref(lambda v: math.exp(v * v) * math.erfc(v)),
    doc="Element-wise scaled complementary error function ``exp(input**2) * erfc(input)``, "
        "finite for large inputs.")

ndtr = unary(
    "ndtr", kind=COMPOSITE, method=False, function=False, tol=_TOL,
    decomp=_via_float32(lambda x: 0.5 * _erfc(x * (-1.0 / _SQRT2))),
    vjp=lambda g, out, x: (g * (1.0 / math.sqrt(2.0 * _PI)) * exp(-0.5 * x * x),),
    ref=_erf_ref(lambda v: 0.5 * math.erfc(-v / _SQRT2)), low=-4.0, high=4.0,
    doc="Element-wise standard normal cumulative distribution function.")

log_ndtr = unary(
    "log_ndtr", kind=COMPOSITE, method=False, function=False, tol=_TOL,
    decomp=_via_float32(_log_ndtr),
    # d/dx log(ndtr(x)) = pdf/cdf = sqrt(2/pi) / erfcx(-x/sqrt(2)): finite in both tails.
    vjp=lambda g, out, x: (g * math.sqrt(2.0 / _PI) / _erfcx(x * (-1.0 / _SQRT2)),),
    ref=_erf_ref(lambda v: math.log(0.5 * math.erfc(-v / _SQRT2))),
    samples=_with_edges([-30.0, -8.0, -2.9, -2.8, 2.0, 5.0], -4.0, 3.0),
    doc="Element-wise log of the standard normal cdf, accurate far into the left tail.")


# -- erfinv, ndtri ------------------------------------------------------------------------------

# Giles (2010), "Approximating the erfinv function", single-precision branch, in
# w = -log((1 - x)(1 + x)): a polynomial in w - 2.5 below 5, in sqrt(w) - 3 above.
_GILES_CENTRAL = [1.50140941, 0.246640727, -0.00417768164, -0.00125372503, 0.00021858087,
                  -4.39150654e-06, -3.5233877e-06, 3.43273939e-07, 2.81022636e-08]
_GILES_TAIL = [2.83297682, 1.00167406, 0.00943887047, -0.0076224613, 0.00573950773,
               -0.00367342844, 0.00134934322, 0.000100950558, -0.000200214257]


def _erfinv_core(a: Tensor, c: Tensor) -> Tensor:
    """``erfinv(a)`` for ``0 <= a < 1``, given ``c = 1 - a`` exactly (where it matters,
    a >= 0.5, the caller can compute it without rounding)."""
    w = -log(c * (1.0 + a))
    guess = where(lt(w, 5.0), _horner(_GILES_CENTRAL, w - 2.5),
                  _horner(_GILES_TAIL, sqrt(w) - 3.0)) * a
    # Beyond Giles' range (1 - a below ~1e-7) erfc(y) ~ exp(-y**2) / (y sqrt(pi)) gives y.
    big = -log(c)
    y0 = sqrt(maximum(big, 1.0))
    y1 = sqrt(maximum(big - log(_SQRT_PI * y0), 1.0))
    y = where(gt(big, 16.0), sqrt(maximum(big - log(_SQRT_PI * y1), 1.0)), guess)
    tail = gt(a, 0.55)
    log_c = log(c)
    steps = 3 if _f64(a) else 2
    for _ in range(steps):
        # Central: Halley on erf(y) = a (f''/f' = -2y).
        u = (erf(y) - a) / ((2.0 / _SQRT_PI) * exp(-(y * y)))
        central = y - u / (1.0 + y * u)
        # Tail: Newton on log(erfc(y)) = log(c), whose slope is -2 / (sqrt(pi) erfcx(y)).
        yt = maximum(y, 0.5)
        ex = _erfcx_big(yt)
        outer = yt + (log(ex) - yt * yt - log_c) * (0.5 * _SQRT_PI) * ex
        y = where(tail, outer, central)
    return y


def _erfinv(x: Tensor) -> Tensor:
    a = abs(x)
    inside = lt(a, 1.0)
    a_in = where(inside, a, 0.5)
    y = _erfinv_core(a_in, 1.0 - a_in)
    y = where(inside, y, where(eq(a, 1.0), math.inf, math.nan))
    return where(eq(a, 0.0), x, where(lt(x, 0.0), -y, y))


def _ndtri(p: Tensor) -> Tensor:
    # ndtri(p) = -sqrt(2) erfinv(1 - 2q) with q = min(p, 1 - p): c = 2q is exact, so the
    # tails keep their precision down to the smallest p.
    lower = lt(p, 0.5)
    q = where(lower, p, 1.0 - p)
    inside = logical_and(gt(q, 0.0), lt(q, 1.0))
    c = where(inside, 2.0 * q, 0.5)
    y = _SQRT2 * _erfinv_core(1.0 - c, c)
    y = where(lower, -y, y)
    edge = where(eq(p, 0.0), -math.inf, where(eq(p, 1.0), math.inf, math.nan))
    return where(inside, y, edge)


def _bisect_inverse(fn: Callable[[float], float], lo: float, hi: float
                    ) -> Callable[[np.ndarray], np.ndarray]:
    """A reference inverse of an increasing scalar function, by 100 bisection steps."""
    def inverse(v: float) -> float:
        if not lo < v < hi:
            return math.nan if not lo <= v <= hi else (-math.inf if v == lo else math.inf)
        a, b = -40.0, 40.0
        for _ in range(100):
            m = 0.5 * (a + b)
            a, b = (m, b) if fn(m) < v else (a, m)
        return 0.5 * (a + b)
    return _erf_ref(inverse)


erfinv = unary(
    "erfinv", kind=COMPOSITE, decomp=_via_float32(_erfinv), save_out=True, tol=_TOL,
    vjp=lambda g, out, x: (g * (0.5 * _SQRT_PI) * exp(out * out),),
    ref=_bisect_inverse(math.erf, -1.0, 1.0), low=-0.9, high=0.9,
    samples=_with_edges([-0.99, -0.6, 0.0, 0.54, 0.56, 0.999], -0.9, 0.9),
    doc="Element-wise inverse error function on (-1, 1) (+-inf at +-1, nan outside).")

ndtri = unary(
    "ndtri", kind=COMPOSITE, decomp=_via_float32(_ndtri), save_out=True, method=False,
    function=False, tol=_TOL,
    vjp=lambda g, out, p: (g * math.sqrt(2.0 * _PI) * exp(0.5 * out * out),),
    ref=_bisect_inverse(lambda v: 0.5 * math.erfc(-v / _SQRT2), 0.0, 1.0), low=0.05, high=0.95,
    samples=_with_edges([1e-3, 0.01, 0.2, 0.5, 0.8, 0.99], 0.05, 0.95),
    doc="Element-wise inverse of the standard normal cdf (`ndtr`).")


# -- lgamma, digamma, trigamma --------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _zeta_minus_one(k: int) -> float:
    """``zeta(k) - 1`` for k >= 2: the first terms summed, the rest by Euler-Maclaurin."""
    n = 10
    head = math.fsum(j ** -float(k) for j in range(2, n))
    tail = n ** (1.0 - k) / (k - 1) + 0.5 * n ** -float(k)
    rising = Fraction(k)  # k (k+1) ... (k + 2j - 2)
    for j, b in enumerate(_BERNOULLI[:6], start=1):
        tail += float(b / math.factorial(2 * j) * rising) * n ** (-k - 2 * j + 1)
        rising *= (k + 2 * j - 1) * (k + 2 * j)
    return head + tail


@functools.lru_cache(maxsize=None)
def _lgamma2_series(f64: bool) -> list[float]:
    """Coefficients of ``lgamma(2 + z) = (1 - gamma) z + sum_k (-1)**k (zeta(k) - 1)/k z**k``
    (the terms shrink like 4**-k on |z| <= 1/2)."""
    n = 28 if f64 else 14
    return [0.0, 1.0 - _EULER] + [(-1) ** k * _zeta_minus_one(k) / k for k in range(2, n + 1)]


_STIRLING = [float(b / (2 * n * (2 * n - 1))) for n, b in enumerate(_BERNOULLI, start=1)]
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SHIFT = 10.0  # the asymptotic series start here


def _lgamma_pos(y: Tensor) -> Tensor:
    """lgamma for ``y >= 0.5``."""
    # Down to [1.5, 2.5) (the series' interval) by lgamma(w) = lgamma(w - 1) + log(w - 1).
    w = clamp(y, None, _SHIFT)
    prod: Any = 1.0
    for _ in range(int(_SHIFT) - 2):
        down = ge(w, 2.5)
        prod = prod * where(down, w - 1.0, 1.0)
        w = where(down, w - 1.0, w)
    low = lt(y, 1.5)  # lgamma(y) = lgamma(y + 1) - log(y), with y + 1 = 2 + (y - 1)
    z = where(low, y - 1.0, w - 2.0)
    series = z * _horner(_lgamma2_series(_f64(y))[1:], z)
    mid = series + where(low, -log(y), log(prod))
    s = maximum(y, _SHIFT)
    r = (1.0 / s) * (1.0 / s)
    stirling = (s - 0.5) * log(s) - s + _HALF_LOG_2PI + _horner(_STIRLING, r) / s
    return where(lt(y, _SHIFT), mid, stirling)


def _sinpi(x: Tensor) -> Tensor:
    """``+-sin(pi x)`` after an exact reduction to [-1/2, 1/2]: the sign is lost for odd
    shifts, so callers take its absolute value or square."""
    return sin(_PI * (x - round(x)))


def _finite(x: Tensor) -> Tensor:
    """``x`` with its infinities and nans replaced by 1: the decompositions compute on it
    (so no inf - inf reaches a kernel) and patch those elements afterwards."""
    return where(isfinite(x), x, 1.0)


def _lgamma(x: Tensor) -> Tensor:
    out = _lgamma_finite(_finite(x))
    return where(isfinite(x), out, abs(x))  # inf at +-inf, nan stays nan


def _lgamma_finite(x: Tensor) -> Tensor:
    refl = lt(x, 0.5)
    y = where(refl, 1.0 - x, x)
    ly = _lgamma_pos(y)
    # lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x); inf at the poles 0, -1, -2...
    reflected = (math.log(_PI) - log(abs(_sinpi(x)))) - ly
    return where(refl, reflected, ly)


def _digamma_pos(y: Tensor) -> Tensor:
    """digamma for ``y >= 0`` (``-0.0`` included): shifted up to 10 by
    psi(w) = psi(w + 1) - 1/w, then the asymptotic series."""
    acc: Any = 0.0
    w = y
    for _ in range(int(_SHIFT)):
        up = lt(w, _SHIFT)
        acc = acc + where(up, 1.0 / w, 0.0)
        w = where(up, w + 1.0, w)
    r = (1.0 / w) * (1.0 / w)
    series = [float(b / (2 * n)) for n, b in enumerate(_BERNOULLI[:7], start=1)]
    return log(w) - 0.5 / w - r * _horner(series, r) - acc


def _digamma(x: Tensor) -> Tensor:
    out = _digamma_finite(_finite(x))
    return where(isfinite(x), out, where(eq(x, math.inf), math.inf, math.nan))


def _digamma_finite(x: Tensor) -> Tensor:
    refl = lt(x, 0.0)
    psi = _digamma_pos(where(refl, 1.0 - x, x))
    # psi(x) = psi(1 - x) - pi cot(pi x); nan at the negative integers, as PyTorch.
    r = x - round(x)
    pole = eq(r, 0.0)
    r = where(logical_and(refl, logical_not(pole)), r, 0.5)  # unused branches stay finite
    reflected = psi - _PI * cos(_PI * r) / sin(_PI * r)
    return where(refl, where(pole, math.nan, reflected), psi)


@functools.lru_cache(maxsize=None)
def _polygamma_coefs(n: int) -> tuple[float, list[float], list[float]]:
    """For psi^(n), n >= 1: n!, the asymptotic series
    ``psi^(n)(y) ~ (-1)**(n+1) y**-n [(n-1)! + n!/(2y) + sum_k B_2k (2k+n-1)!/(2k)! y**-2k]``
    and the polynomial P_n with ``d^n/dx^n cot(pi x) = pi**n P_n(cot(pi x))``
    (P_0(c) = c, P_{k+1}(c) = -(1 + c**2) P_k'(c))."""
    asym = [float(math.factorial(2 * k + n - 1) * b / math.factorial(2 * k))
            for k, b in enumerate(_BERNOULLI, start=1)]
    poly = [0, 1]
    for _ in range(n):
        d = [i * c for i, c in enumerate(poly)][1:] or [0]
        sq = [0, 0] + d  # c**2 P'
        poly = [-(a + b) for a, b in zip(d + [0, 0], sq)]
    return float(math.factorial(n)), asym, [float(c) for c in poly]


def _polygamma_pos(y: Tensor, n: int) -> Tensor:
    """psi^(n) for ``y > 0``: shifted up to ``10 + 2n`` (the asymptotic series needs more room
    as n grows) by psi^(n)(w) = psi^(n)(w + 1) + (-1)**(n+1) n! / w**(n+1)."""
    fact, asym, _ = _polygamma_coefs(n)
    shift = _SHIFT + 2 * n
    acc: Any = 0.0
    w = y
    for _ in range(int(shift)):
        up = lt(w, shift)
        acc = acc + where(up, (1.0 / w) ** (n + 1), 0.0)
        w = where(up, w + 1.0, w)
    inv = 1.0 / w
    series = math.factorial(n - 1) + fact * 0.5 * inv + inv * inv * _horner(asym, inv * inv)
    return (-1.0) ** (n + 1) * (fact * acc + inv ** n * series)


def _polygamma(x: Tensor, n: int) -> Tensor:
    """psi^(n), n >= 1. ``(-1)**(n+1) inf`` at 0 and the negative integers, 0 at +inf."""
    out = _polygamma_finite(_finite(x), n)
    return where(isfinite(x), out, where(eq(x, math.inf), 0.0, math.nan))


def _polygamma_finite(x: Tensor, n: int) -> Tensor:
    refl = lt(x, 0.0)
    pos = _polygamma_pos(where(refl, 1.0 - x, x), n)
    r = x - round(x)
    pole = logical_and(eq(r, 0.0), lt(x, 0.5))
    r = where(logical_and(refl, logical_not(pole)), r, 0.5)  # unused branches stay finite
    # psi^(n)(x) = (-1)**n psi^(n)(1 - x) - pi**(n+1) P_n(cot(pi x)), from the n-th
    # derivative of psi(1 - x) - psi(x) = pi cot(pi x).
    cot = cos(_PI * r) / sin(_PI * r)
    reflected = (-1.0) ** n * pos - _PI ** (n + 1) * _horner(_polygamma_coefs(n)[2], cot)
    return where(pole, (-1.0) ** (n + 1) * math.inf, where(refl, reflected, pos))


def _lgamma_ref(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole
        return math.inf


def _digamma_ref(x: np.ndarray) -> np.ndarray:
    """psi in NumPy float64: recurrence up to 30, the asymptotic series, reflection."""
    x = np.asarray(x, dtype=np.float64)
    neg = x < 0
    w = np.where(neg, 1.0 - x, x)
    acc = np.zeros_like(w)
    while np.any(w < 30):
        m = w < 30
        acc = acc + np.where(m, 1.0 / np.where(m, w, 1.0), 0.0)
        w = np.where(m, w + 1.0, w)
    r = 1.0 / (w * w)
    psi = np.log(w) - 0.5 / w - r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r / 240))) - acc
    return np.where(neg, psi - np.pi / np.tan(np.pi * x), psi)


lgamma = unary(
    "lgamma", kind=COMPOSITE, decomp=_via_float32(_lgamma), tol=_TOL,
    vjp=lambda g, out, x: (g * digamma(x),), ref=_erf_ref(_lgamma_ref),
    samples=_with_edges([-4.5, -2.7, -0.3, 0.01, 1.0, 2.0, 1.4, 9.9, 10.1, 40.0], 0.2, 6.0),
    doc="Element-wise ``log|Gamma(input)|`` (inf at 0 and the negative integers).")
digamma = unary(
    "digamma", kind=COMPOSITE, decomp=_via_float32(_digamma), tol=_TOL,
    vjp=lambda g, out, x: (g * _polygamma_op(x, 1),), ref=_quiet(_digamma_ref),
    samples=_with_edges([-4.5, -2.7, -0.3, 0.01, 1.0, 2.0, 9.9, 10.1, 40.0], 0.2, 6.0),
    doc="Element-wise logarithmic derivative of Gamma (-inf at +0, nan at the negative "
        "integers, as PyTorch).")


def _polygamma_decomp(x: Tensor, n: int) -> Tensor:
    return _via_float32(lambda t: _polygamma(t, n))(x)


def _polygamma_ref(x: np.ndarray, n: int) -> np.ndarray:
    """(-1)**(n+1) n! sum_k (x + k)**-(n+1): 2000 terms, the rest by Euler-Maclaurin."""
    x = np.asarray(x, dtype=np.float64)
    total = sum((x + k) ** -(n + 1.0) for k in range(2000))
    t = x + 2000.0
    total = total + t ** -float(n) / n + 0.5 * t ** -(n + 1.0) + (n + 1) / 12.0 * t ** -(n + 2.0)
    return (-1.0) ** (n + 1) * math.factorial(n) * total


def _polygamma_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for n in (1, 2, 3):
        yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt, 0.2, 6.0)), n), name=f"n={n}")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt, 0.2, 6.0)), 2), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt, 0.2, 6.0), noncontig=True), 2),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(np.array([-3.7, -0.4, 0.3, 12.0, 40.0]).astype(dt.np)), 2),
                        name="edges")


@defop(COMPOSITE, name="polygamma", promotion=P.INT_TO_FLOAT, broadcasts=True,
       dtypes=D.FLOATING, decomp=_polygamma_decomp, function=False, tol=_TOL,
       vjp=lambda g, out, x, n: (g * _polygamma_op(x, n + 1),), ref=_quiet(_polygamma_ref),
       samples=_polygamma_samples)
def _polygamma_op(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """The n-th derivative of `digamma` (``Tensor.polygamma(n)``; see `polygamma`)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input)
    return _polygamma_op.bind(input, n=int(n))


def polygamma(n: int, input: Tensor) -> Tensor:  # noqa: A002
    """The n-th derivative of `digamma`, element-wise: ``(-1)**(n+1) n! sum_k (x+k)**-(n+1)``
    for n >= 1, also for negative non-integers (``(-1)**(n+1) inf`` at 0 and the negative
    integers; 0 at +inf, where PyTorch gives nan for n >= 2).

    Raises:
        RuntimeError: for a negative ``n``, as PyTorch.
    """
    return _polygamma_op(input, n)


@method
def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma function of dimension ``p``:
    ``sum_{i<p} lgamma(input - i/2) + p (p - 1)/4 log(pi)`` (``torch.special.multigammaln``).

    Raises:
        RuntimeError: for ``p < 1``, as PyTorch.
    """
    if p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1; got p={p}")
    total = lgamma(input)
    for i in range(1, p):
        total = total + lgamma(input - 0.5 * i)
    return total + p * (p - 1) / 4.0 * math.log(_PI)


# -- modified Bessel functions --------------------------------------------------------------

_BESSEL_SWITCH = 20.0


@functools.lru_cache(maxsize=None)
def _bessel_coefs(nu: int, f64: bool) -> tuple[list[float], list[float]]:
    """Power-series coefficients ``1/(k! (k+nu)!)`` in ``(x/2)**2`` and the large-argument
    expansion ``I_nu(x) ~ e**x / sqrt(2 pi x) sum_k a_k / x**k``,
    ``a_k = (-1)**k prod_{j<=k} (4 nu**2 - (2j-1)**2) / (k! 8**k)``."""
    n_series = 45 if f64 else 25
    series = [1.0 / (math.factorial(k) * math.factorial(k + nu)) for k in range(n_series)]
    asym, a = [1.0], Fraction(1)
    for k in range(1, 18 if f64 else 8):
        a = a * -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8)
        asym.append(float(a))
    return series, asym


def _bessel_i(x: Tensor, nu: int) -> Tensor:
    series, asym = _bessel_coefs(nu, _f64(x))
    ax = abs(x)
    half = 0.5 * clamp(x, -_BESSEL_SWITCH, _BESSEL_SWITCH)
    small = _horner(series, half * half) * (half if nu else 1.0)
    big_x = maximum(ax, _BESSEL_SWITCH)
    big = exp(big_x) * _horner(asym, 1.0 / big_x) / sqrt((2.0 * _PI) * big_x)
    if nu:  # I_1 is odd
        big = where(lt(x, 0.0), -big, big)
    return where(lt(ax, _BESSEL_SWITCH), small, big)


def _bessel_ref(nu: int) -> Callable[[np.ndarray], np.ndarray]:
    def ref(x: np.ndarray) -> np.ndarray:
        t = (np.asarray(x, dtype=np.float64) / 2.0) ** 2
        total, term = np.zeros_like(t), np.ones_like(t) / math.factorial(nu)
        for k in range(1, 80):
            total, term = total + term, term * t / (k * (k + nu))
        return total * (np.asarray(x) / 2.0) ** nu
    return ref


i0 = unary("i0", kind=COMPOSITE, decomp=_via_float32(lambda x: _bessel_i(x, 0)), tol=_TOL,
           vjp=lambda g, out, x: (g * i1(x),), ref=np.i0, low=-4.0, high=4.0,
           samples=_with_edges([-6.0, 0.0, 0.5, 8.0], -4.0, 4.0, (-25.0, -19.9, 19.9, 20.1, 30.0)),
           doc="Element-wise modified Bessel function of the first kind, order 0.")
i1 = unary("i1", kind=COMPOSITE, decomp=_via_float32(lambda x: _bessel_i(x, 1)), tol=_TOL,
           method=False, function=False, save_out=True, save_inputs=True,
           vjp=lambda g, out, x: (g * where(eq(x, 0.0), 0.5, i0(x) - out / x),),
           ref=_bessel_ref(1), low=-4.0, high=4.0,
           samples=_with_edges([-6.0, 0.0, 0.5, 8.0], -4.0, 4.0, (-25.0, -19.9, 19.9, 20.1, 30.0)),
           doc="Element-wise modified Bessel function of the first kind, order 1.")


# -- entropy and friends ----------------------------------------------------------------------


def _entr(x: Tensor) -> Tensor:
    pos = gt(x, 0.0)
    xp = where(pos, x, 1.0)
    return where(pos, -xp * log(xp), where(eq(x, 0.0), 0.0,
                                                          where(lt(x, 0.0), -math.inf, x)))


def _entr_ref(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(x > 0, -x * np.log(x), np.where(x == 0, 0.0, np.where(x < 0, -np.inf,
                                                                               x)))


entr = unary("entr", kind=COMPOSITE, decomp=_via_float32(_entr), method=False, function=False,
             vjp=lambda g, out, x: (-g * (1.0 + log(x)),), ref=_entr_ref, low=0.1, high=3.0,
             doc="Element-wise entropy term ``-input * log(input)`` (0 at 0, -inf below).")


def _xlog1py(x: Any, y: Any) -> Tensor:
    x, y = _tensor_pair(x, y)
    return where(logical_and(eq(x, 0), eq(y, y)), 0.0, x * log1p(y))


def _xlog1py_vjp(g: Tensor, out: Tensor, x: Any, y: Any) -> tuple[Any, Any]:
    tx, ty = _tensor_pair(x, y)
    # PyTorch's rule: the x-gradient is log1p(y) even where x is 0 (unlike xlogy's).
    return ((g * log1p(ty) if _is_t(x) else None),
            (g * tx / (ty + 1.0) if _is_t(y) else None))


def _xlog1py_ref(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y))


xlog1py = binary("xlog1py", kind=COMPOSITE, promotion=P.INT_TO_FLOAT, dtypes=D.FLOATING,
                 decomp=_xlog1py, vjp=_xlog1py_vjp, ref=_xlog1py_ref, low=0.1, high=3.0,
                 method=False, function=False,
                 doc="Element-wise ``input * log1p(other)``, 0 where ``input`` is 0 (unless "
                     "``other`` is nan).")

