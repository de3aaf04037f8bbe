"""Bessel functions of the ``torch.special`` family, as composite ops: the exp-scaled
modified Bessel functions of the first kind (`i0e`, `i1e`, differentiable as in PyTorch), the
modified ones of both kinds (``modified_bessel_i0/i1/k0/k1``, ``scaled_modified_bessel_k0/k1``),
the Bessel functions of the first and second kind (``bessel_j0/j1/y0/y1``) and
``spherical_bessel_j0``. Like PyTorch's, all but `i0e` and `i1e` have no derivative (their
results never require grad) and refuse float16.

The numerics aim at float64 accuracy of about 1e-14 (relative for I and K, absolute near
the zeros of J and Y), in three pieces:

* small arguments (I: |x| < 20; K: x < 2; J, Y: |x| <= 5): the power series in ``x**2/4``
  (for K and Y the series with ``log(x/2)`` and harmonic numbers, A&S 9.1.11, 9.6.11);
* I for |x| >= 20: the large-argument expansion (the coefficients of `special.i0`);
* K for x >= 2: ``e**x sqrt(x) K(x)`` as a Chebyshev series in ``4/x - 1``; J and Y for
  |x| > 5: Hankel's ``P`` and ``Q`` (``J0 = sqrt(2/(pi x)) (P cos(x - pi/4) -
  Q sin(x - pi/4))``, ``Y0 = sqrt(2/(pi x)) (P sin + Q cos)``) as Chebyshev series in
  ``10/x - 1``. Their coefficients are fitted once, on first use, to values computed with
  60-digit decimals (the series above, or the asymptotic expansions far out).
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal, localcontext
from typing import Any, Callable

import numpy as np

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ._opdef import COMPOSITE
from .elementwise import (
    _quiet,
    abs,
    clamp,
    cos,
    eq,
    exp,
    gt,
    isfinite,
    isnan,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    lt,
    maximum,
    ne,
    sign,
    sin,
    sqrt,
    unary,
    where,
)
from .special import (
    _EULER,
    _TOL,
    _bessel_coefs,
    _bessel_i,
    _bessel_ref,
    _decimal_pi,
    _erf_ref,
    _f64,
    _horner,
    _via_float32,
    _with_edges,
)

__all__ = ["i0e", "i1e", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
           "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "spherical_bessel_j0"]

_PI = math.pi
_I_SWITCH = 20.0  # as special._bessel_i
_K_SWITCH = 2.0
_J_SWITCH = 5.0
_SMALL_TERMS = 24  # (x**2/4)**k / k!**2 below 1e-17 for x <= 5 (t <= 6.25)
_PREC = 60


# -- 60-digit references, and the Chebyshev fits made from them --------------------------


def _dec_series(x: Decimal, nu: int, sign: int) -> tuple[Decimal, Decimal]:
    """``sum_k (sign t)**k / (k! (k+nu)!)`` and the same weighted by ``H_k + H_{k+nu}``
    (harmonic numbers; t = x**2/4), to the working precision."""
    t = x * x / 4
    term = Decimal(1) / math.factorial(nu)
    h = sum((Decimal(1) / j for j in range(1, nu + 1)), Decimal(0))  # H_0 + H_nu
    plain = weighted = Decimal(0)
    k = 0
    while k <= 2 * x or term.copy_abs() > Decimal(10) ** -(_PREC + 40):
        plain += term
        weighted += h * term
        k += 1
        term = term * sign * t / (k * (k + nu))
        h += Decimal(1) / k + Decimal(1) / (k + nu)
    return plain, weighted


def _dec_hankel(x: Decimal, nu: int) -> list[Decimal]:
    """The terms ``a_k(nu) / x**k`` of Hankel's expansions,
    ``a_k = prod_{j<=k} (4 nu**2 - (2j - 1)**2) / (k! 8**k)``, up to the smallest one."""
    terms = [Decimal(1)]
    while True:
        k = len(terms)
        nxt = terms[-1] * (4 * nu * nu - (2 * k - 1) ** 2) / (k * 8 * x)
        if nxt.copy_abs() >= terms[-1].copy_abs() or nxt == 0:
            return terms
        terms.append(nxt)


def _dec_sincos(x: Decimal) -> tuple[Decimal, Decimal]:
    """sin and cos by their Taylor series after reducing x to [-pi, pi]."""
    two_pi = 2 * _decimal_pi(_PREC + 10)
    r = x - two_pi * (x / two_pi).to_integral_value()
    s = c = Decimal(0)
    term, n = Decimal(1), 0
    while n < 8 or term.copy_abs() > Decimal(10) ** -(_PREC + 5):
        if n % 2:
            s += term if n % 4 == 1 else -term
        else:
            c += term if n % 4 == 0 else -term
        n += 1
        term = term * r / n
    return s, c


def _k_scaled_decimal(x: float, nu: int) -> float:
    """``e**x sqrt(x) K_nu(x)`` for x > 0 (A&S 9.6.11, 9.7.2)."""
    with localcontext() as ctx:
        ctx.prec = _PREC + 30  # the series cancels like e**(2x) / x
        d = Decimal(x)
        if x >= 30.0:  # the expansion's smallest term is ~e**-2x
            return float((_decimal_pi(ctx.prec) / 2).sqrt() * sum(_dec_hankel(d, nu)))
        plain, weighted = _dec_series(d, nu, 1)
        log_term = (d / 2).ln() + Decimal(_EULER_DEC)
        if nu == 0:
            k = -log_term * plain + weighted / 2
        else:
            k = 1 / d + log_term * d / 2 * plain - d / 4 * weighted
        return float(d.exp() * d.sqrt() * k)


def _jy_decimal(x: float, nu: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(J, Y, P, Q) of order nu at x > 0: J and Y from their series (A&S 9.1.10-11) and
    Hankel's P, Q from them below 40; P, Q from their expansions (A&S 9.2.9-10) and J, Y
    from those beyond."""
    with localcontext() as ctx:
        ctx.prec = _PREC + 30
        d = Decimal(x)
        pi = _decimal_pi(ctx.prec)
        s, c = _dec_sincos(d - (2 * nu + 1) * pi / 4)
        amp = (pi * d / 2).sqrt()
        if x >= 40.0:
            terms = _dec_hankel(d, nu)
            p = sum(t if k % 4 == 0 else -t for k, t in enumerate(terms) if k % 2 == 0)
            q = sum(t if k % 4 == 1 else -t for k, t in enumerate(terms) if k % 2 == 1)
            return (p * c - q * s) / amp, (p * s + q * c) / amp, p, q
        plain, weighted = _dec_series(d, nu, -1)
        log_term = (d / 2).ln() + Decimal(_EULER_DEC)
        if nu == 0:
            j = plain
            y = 2 / pi * (log_term * j - weighted / 2)
        else:
            j = d / 2 * plain
            y = -2 / (pi * d) + 2 / pi * log_term * j - d / (2 * pi) * weighted
        return j, y, amp * (j * c + y * s), amp * (y * c - j * s)


_EULER_DEC = "0.57721566490153286060651209008240243104215933593992359880576723488"


def _chebyshev_fit(fn: Callable[[float], tuple[float, ...]], to_x: Callable[[float], float],
                   deg: int) -> list[list[float]]:
    """Chebyshev interpolants on [-1, 1], at deg + 1 nodes, of the components of
    ``fn(to_x(u))``. The degrees are where the coefficients reach 1e-16 (beyond, they are the
    noise of the float64 values)."""
    k = np.arange(deg + 1)
    u = np.cos(np.pi * (k + 0.5) / (deg + 1))
    vals = np.array([fn(to_x(float(v))) for v in u])
    return [[float(c) for c in np.polynomial.chebyshev.chebfit(u, col, deg)] for col in vals.T]


@functools.lru_cache(maxsize=None)
def _k_chebyshev(nu: int) -> list[float]:
    """``e**x sqrt(x) K_nu(x)`` on [2, inf) in ``u = 4/x - 1`` (computed once: ~20 ms)."""
    return _chebyshev_fit(lambda x: (_k_scaled_decimal(x, nu),), lambda u: 4.0 / (u + 1.0),
                          26)[0]


@functools.lru_cache(maxsize=None)
def _pq_chebyshev(nu: int) -> list[list[float]]:
    """Hankel's P and Q on [5, inf) in ``u = 10/x - 1`` (computed once: ~20 ms)."""
    return _chebyshev_fit(lambda x: tuple(float(v) for v in _jy_decimal(x, nu)[2:]),
                          lambda u: 10.0 / (u + 1.0), 22)


def _clenshaw(coefs: list[float], u: Tensor) -> Tensor:
    """``sum_k coefs[k] T_k(u)``."""
    b1: Any = coefs[-1]
    b2: Any = 0.0
    for c in reversed(coefs[1:-1]):
        b1, b2 = 2.0 * u * b1 - b2 + c, b1
    return u * b1 - b2 + coefs[0]


# -- the small-argument series -------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _series_coefs(nu: int, sign: int) -> tuple[list[float], list[float]]:
    """Coefficients in ``t = x**2/4`` of ``sum_k (sign t)**k / (k! (k+nu)!)`` and of the
    same weighted by ``H_k + H_{k+nu}``."""
    def harmonic(n: int) -> float:
        return math.fsum(1.0 / j for j in range(1, n + 1))
    plain = [sign ** k / (math.factorial(k) * math.factorial(k + nu))
             for k in range(_SMALL_TERMS)]
    return plain, [(harmonic(k) + harmonic(k + nu)) * c for k, c in enumerate(plain)]


def _log_half(x: Tensor) -> Tensor:
    """``log(x/2) + Euler's gamma``, the logarithmic term of the K and Y series."""
    return log(0.5 * x) + _EULER


def _k(x: Tensor, nu: int, scaled: bool) -> Tensor:
    small = lt(x, _K_SWITCH)
    xs = where(logical_and(small, gt(x, 0.0)), x, 1.0)
    plain, weighted = _series_coefs(nu, 1)
    t = 0.25 * xs * xs
    if nu == 0:
        k_small = 0.5 * _horner(weighted, t) - _log_half(xs) * _horner(plain, t)
    else:
        k_small = (1.0 / xs + _log_half(xs) * (0.5 * xs) * _horner(plain, t)
                   - (0.25 * xs) * _horner(weighted, t))
    xb = maximum(x, _K_SWITCH)
    big = _clenshaw(_k_chebyshev(nu), 4.0 / xb - 1.0) / sqrt(xb)
    out = where(small, exp(xs) * k_small, big) if scaled else \
        where(small, k_small, big * exp(-xb))
    return where(eq(x, 0.0), math.inf, where(lt(x, 0.0), math.nan, out))


def _bessel_ie(x: Tensor, nu: int) -> Tensor:
    """``exp(-|x|) I_nu(x)``: special.i0's series and expansion, without the exponential."""
    series, asym = _bessel_coefs(nu, _f64(x))
    ax = abs(x)
    xc = clamp(x, -_I_SWITCH, _I_SWITCH)
    half = 0.5 * xc
    small = _horner(series, half * half) * (half if nu else 1.0) * exp(-abs(xc))
    big_x = maximum(ax, _I_SWITCH)
    big = _horner(asym, 1.0 / big_x) / sqrt((2.0 * _PI) * big_x)
    if nu:  # I_1 is odd
        big = where(lt(x, 0.0), -big, big)
    return where(lt(ax, _I_SWITCH), small, big)


def _jy(x: Tensor, nu: int, second_kind: bool) -> Tensor:
    ax = abs(x)
    small = le(ax, _J_SWITCH)
    xs = where(logical_and(small, ne(x, 0.0) if second_kind else small), x, 1.0)
    plain, weighted = _series_coefs(nu, -1)
    t = 0.25 * xs * xs
    j_small = _horner(plain, t) * (0.5 * xs if nu else 1.0)
    finite = isfinite(x)
    xb = where(logical_and(logical_not(small), finite), ax, 2.0 * _J_SWITCH)
    p_coefs, q_coefs = _pq_chebyshev(nu)
    u = 10.0 / xb - 1.0
    p, q = _clenshaw(p_coefs, u), _clenshaw(q_coefs, u)
    chi = xb - (0.75 if nu else 0.25) * _PI  # as Cephes, so huge x round as in PyTorch
    amp = sqrt((2.0 / _PI) / xb)
    if not second_kind:
        big = amp * (p * cos(chi) - q * sin(chi))
        if nu:  # J_1 is odd
            big = where(lt(x, 0.0), -big, big)
        return where(small, j_small, where(finite, big, math.nan))
    w = _horner(weighted, t)
    if nu == 0:
        y_small = (2.0 / _PI) * (_log_half(xs) * j_small - 0.5 * w)
    else:
        y_small = (-2.0 / _PI) / xs + (2.0 / _PI) * _log_half(xs) * j_small \
            - (xs * (0.5 / _PI)) * w
    out = where(small, y_small, where(finite, amp * (p * sin(chi) + q * cos(chi)), math.nan))
    # Y is -inf at 0 (its series would give nan for nu = 1) and nan on the negative axis.
    return where(eq(x, 0.0), -math.inf, where(lt(x, 0.0), math.nan, out))


_J0_TAYLOR = [(-1.0) ** k / math.factorial(2 * k + 1) for k in range(7)]


def _spherical_j0(x: Tensor) -> Tensor:
    # sin(x)/x, by its Taylor series below 0.5 (as PyTorch); 0 at +-inf.
    small = lt(abs(x), 0.5)
    xs = where(small, x, 1.0)
    finite = isfinite(x)
    xb = where(logical_or(small, logical_not(finite)), 1.0, x)
    out = where(small, _horner(_J0_TAYLOR, xs * xs), sin(xb) / xb)
    return where(finite, out, where(isnan(x), math.nan, 0.0))


# -- references and ops --------------------------------------------------------------------


def _ref(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """A NumPy reference from a scalar function of a positive float (nan for nan)."""
    return _erf_ref(lambda v: math.nan if math.isnan(v) else fn(v))


def _k_ref(nu: int, scaled: bool) -> Callable[[np.ndarray], np.ndarray]:
    def k(v: float) -> float:
        if v <= 0:
            return math.inf if v == 0 else math.nan
        g = _k_scaled_decimal(v, nu) / math.sqrt(v)
        return g if scaled else g * math.exp(-v)
    return _ref(k)


def _jy_ref(nu: int, second_kind: bool) -> Callable[[np.ndarray], np.ndarray]:
    def f(v: float) -> float:
        if v == 0:
            return -math.inf if second_kind else float(nu == 0)
        if v < 0:
            return math.nan if second_kind else (-1.0) ** nu * f(-v)
        return float(_jy_decimal(v, nu)[1 if second_kind else 0])
    return _ref(f)


def _ie_ref(nu: int) -> Callable[[np.ndarray], np.ndarray]:
    plain = _bessel_ref(nu)
    return lambda x: plain(x) * np.exp(-np.abs(x))


def _no_grad_op(name: str, fn: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    """The decomposition of an op that PyTorch does not differentiate: its result never
    requires grad, and float16 is refused as PyTorch's kernels refuse it."""
    @functools.wraps(fn)
    def decomp(x: Tensor) -> Tensor:
        if x.dtype is D.float16:
            raise NotImplementedError(f'"{name}" not implemented for \'float16\'')
        with no_grad():
            return fn(x)
    return decomp


def _plain(name: str, fn: Callable[[Tensor], Tensor], ref: Callable[..., Any], doc: str,
           samples: Callable[..., Any]) -> Any:
    return unary(name, kind=COMPOSITE, decomp=_no_grad_op(name, fn), vjp=None,
                 differentiable=False, dtypes=(D.float32, D.float64), method=False,
                 function=False, tol=_TOL, ref=ref, samples=samples, doc=doc)


_K_SAMPLES = _with_edges([0.01, 1.99, 2.01, 9.0, 40.0], 0.1, 6.0)
_J_SAMPLES = _with_edges([-7.0, 4.99, 5.01, 12.0, 60.0], -8.0, 8.0)
_Y_SAMPLES = _with_edges([0.01, 4.99, 5.01, 12.0, 60.0], 0.1, 8.0)

i0e = unary(
    "i0e", kind=COMPOSITE, decomp=_via_float32(lambda x: _bessel_ie(x, 0)), method=False,
    function=False, save_out=True, save_inputs=True, tol=_TOL,
    vjp=lambda g, out, x: (g * (i1e(x) - sign(x) * out),), ref=_ie_ref(0), low=-4.0, high=4.0,
    samples=_with_edges([-6.0, 0.0, 0.5, 8.0], -4.0, 4.0, (-25.0, -19.9, 20.1, 30.0)),
    doc="Element-wise exponentially scaled modified Bessel function of the first kind, "
        "order 0: ``exp(-|input|) * i0(input)``.")


def _i1e_vjp(g: Tensor, out: Tensor, x: Tensor) -> tuple[Tensor]:
    # d/dx i1e = i0e - i1e (sign(x) + 1/x); 1/2 at 0.
    zero = eq(x, 0.0)
    xs = where(zero, 1.0, x)
    return (g * where(zero, 0.5, i0e(x) - out * (sign(x) + 1.0 / xs)),)


i1e = unary(
    "i1e", kind=COMPOSITE, decomp=_via_float32(lambda x: _bessel_ie(x, 1)), method=False,
    function=False, save_out=True, save_inputs=True, tol=_TOL, vjp=_i1e_vjp, ref=_ie_ref(1),
    samples=_with_edges([-6.0, 0.0, 0.5, 8.0], -4.0, 4.0, (-25.0, -19.9, 20.1, 30.0)),
    doc="Element-wise exponentially scaled modified Bessel function of the first kind, "
        "order 1: ``exp(-|input|) * i1(input)``.")

modified_bessel_i0 = _plain(
    "modified_bessel_i0", lambda x: _bessel_i(x, 0), np.i0,
    "Element-wise modified Bessel function of the first kind, order 0 (`i0` without a "
    "derivative, as PyTorch's).", _with_edges([-25.0, 0.0, 19.9, 20.1], -4.0, 4.0))
modified_bessel_i1 = _plain(
    "modified_bessel_i1", lambda x: _bessel_i(x, 1), _bessel_ref(1),
    "Element-wise modified Bessel function of the first kind, order 1 (`special.i1` "
    "without a derivative).", _with_edges([-25.0, 0.0, 19.9, 20.1], -4.0, 4.0))
modified_bessel_k0 = _plain(
    "modified_bessel_k0", lambda x: _k(x, 0, False), _k_ref(0, False),
    "Element-wise modified Bessel function of the second kind, order 0 (inf at 0, nan "
    "below).", _K_SAMPLES)
modified_bessel_k1 = _plain(
    "modified_bessel_k1", lambda x: _k(x, 1, False), _k_ref(1, False),
    "Element-wise modified Bessel function of the second kind, order 1 (inf at 0, nan "
    "below).", _K_SAMPLES)
scaled_modified_bessel_k0 = _plain(
    "scaled_modified_bessel_k0", lambda x: _k(x, 0, True), _k_ref(0, True),
    "Element-wise ``exp(input) * modified_bessel_k0(input)``, finite for large inputs.",
    _K_SAMPLES)
scaled_modified_bessel_k1 = _plain(
    "scaled_modified_bessel_k1", lambda x: _k(x, 1, True), _k_ref(1, True),
    "Element-wise ``exp(input) * modified_bessel_k1(input)``, finite for large inputs.",
    _K_SAMPLES)
bessel_j0 = _plain(
    "bessel_j0", lambda x: _jy(x, 0, False), _jy_ref(0, False),
    "Element-wise Bessel function of the first kind, order 0.", _J_SAMPLES)
bessel_j1 = _plain(
    "bessel_j1", lambda x: _jy(x, 1, False), _jy_ref(1, False),
    "Element-wise Bessel function of the first kind, order 1.", _J_SAMPLES)
bessel_y0 = _plain(
    "bessel_y0", lambda x: _jy(x, 0, True), _jy_ref(0, True),
    "Element-wise Bessel function of the second kind, order 0 (-inf at 0, nan below).",
    _Y_SAMPLES)
bessel_y1 = _plain(
    "bessel_y1", lambda x: _jy(x, 1, True), _jy_ref(1, True),
    "Element-wise Bessel function of the second kind, order 1 (-inf at 0, nan below).",
    _Y_SAMPLES)
spherical_bessel_j0 = _plain(
    "spherical_bessel_j0", _spherical_j0,
    _quiet(lambda x: np.where(np.isinf(x), 0.0, np.sinc(x / _PI))),
    "Element-wise spherical Bessel function of the first kind, order 0: "
    "``sin(input) / input``.", _with_edges([-7.0, 0.0, 0.49, 0.51, 30.0], -4.0, 4.0))
