"""The orthogonal polynomials of ``torch.special`` (``chebyshev_polynomial_t/u/v/w``, their
``shifted_`` forms on [0, 1], ``hermite_polynomial_h/he``, ``laguerre_polynomial_l``,
``legendre_polynomial_p``), as composite ops ``name(input, n)``.

They follow PyTorch's kernels, which define the semantics: n is truncated to an integer as C
does (a nan, infinite or out-of-range n, like a negative one, gives 0); the Chebyshev
families take their closed forms at the ends of the interval (``x = +-1``, or 1 and 0 for the
shifted ones) and the trigonometric forms (``T_n = cos(n acos x)``...) inside it for n above a
small threshold; everything else runs the three-term recurrence. n varies per element, so
the recurrence runs up to the largest n that needs it, each element keeping its value once
its own n is reached; it stops early when every element still running is nan (an overflow
ends in inf - inf). Like PyTorch's, the results never require grad, and float16 is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE
from ._rules import Promotion
from .creation import ones_like, zeros_like
from .elementwise import (
    _tensor_pair,
    abs,
    acos,
    binary,
    cos,
    eq,
    fmod,
    isnan,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    sin,
    trunc,
    where,
)
from .joining import broadcast_tensors
from .reduction import amax, any
from .special import _TOL

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]

_BLOCK = 64  # recurrence steps between two checks for an early stop
_Fn = Callable[..., Any]


@dataclass(frozen=True)
class _Family:
    """One polynomial family: ``P_1(y)`` and ``P_k`` from ``(k, y, P_{k-2}, P_{k-1})``; for the
    Chebyshev ones also the values at y = 1 and y = -1 (as functions of n) and the
    trigonometric form in ``theta = acos(y)``, used for n > ``trig_above``."""

    first: _Fn
    step: _Fn
    shifted: bool = False
    at_one: _Fn | None = None
    at_minus_one: _Fn | None = None
    trig: _Fn | None = None
    trig_above: int = 0


def _sign(n: Tensor) -> Tensor:
    """(-1)**n for an integer-valued n."""
    return where(eq(fmod(n, 2.0), 0.0), 1.0, -1.0)


def _cheb_step(k: float, y: Tensor, p: Tensor, q: Tensor) -> Tensor:
    return (y + y) * q - p


def _u_trig(n: Tensor, t: Tensor) -> Tensor:
    s = sin(t)
    return where(eq(s, 0.0), (n + 1.0) * cos((n + 1.0) * t), sin((n + 1.0) * t) / s)


def _v_trig(n: Tensor, t: Tensor) -> Tensor:
    # At y -> -1 sin(t/2) rounds to 1 and the quotient to 0/0: the limit +-(2n+1).
    return where(eq(sin(0.5 * t), 1.0), _sign(n) * (n + n + 1.0),
                 cos((n + 0.5) * t) / cos(0.5 * t))


def _w_trig(n: Tensor, t: Tensor) -> Tensor:
    return where(eq(cos(0.5 * t), 1.0), n + n + 1.0, sin((n + 0.5) * t) / sin(0.5 * t))


def _chebyshev(first: _Fn, at_one: _Fn, at_minus_one: _Fn, trig: _Fn, trig_above: int,
               shifted: bool) -> _Family:
    return _Family(first, _cheb_step, shifted, at_one, at_minus_one, trig, trig_above)


_T = dict(first=lambda y: y, at_one=lambda n: 1.0, at_minus_one=_sign,
          trig=lambda n, t: cos(n * t))
_U = dict(first=lambda y: y + y, at_one=lambda n: n + 1.0,
          at_minus_one=lambda n: _sign(n) * (n + 1.0), trig=_u_trig)
_V = dict(first=lambda y: y + y - 1.0, at_one=lambda n: 1.0,
          at_minus_one=lambda n: _sign(n) * (n + n + 1.0), trig=_v_trig)
_W = dict(first=lambda y: y + y + 1.0, at_one=lambda n: n + n + 1.0, at_minus_one=_sign,
          trig=_w_trig)

FAMILIES: dict[str, _Family] = {
    "chebyshev_polynomial_t": _chebyshev(**_T, trig_above=6, shifted=False),
    "chebyshev_polynomial_u": _chebyshev(**_U, trig_above=8, shifted=False),
    "chebyshev_polynomial_v": _chebyshev(**_V, trig_above=8, shifted=False),
    "chebyshev_polynomial_w": _chebyshev(**_W, trig_above=8, shifted=False),
    "shifted_chebyshev_polynomial_t": _chebyshev(**_T, trig_above=6, shifted=True),
    "shifted_chebyshev_polynomial_u": _chebyshev(**_U, trig_above=6, shifted=True),
    "shifted_chebyshev_polynomial_v": _chebyshev(**_V, trig_above=6, shifted=True),
    "shifted_chebyshev_polynomial_w": _chebyshev(**_W, trig_above=4, shifted=True),
    # H_k = 2y H_{k-1} - 2(k-1) H_{k-2};  He_k = y He_{k-1} - (k-1) He_{k-2}
    "hermite_polynomial_h": _Family(lambda y: y + y,
                                    lambda k, y, p, q: (y + y) * q - (2.0 * (k - 1)) * p),
    "hermite_polynomial_he": _Family(lambda y: y, lambda k, y, p, q: y * q - (k - 1.0) * p),
    # k L_k = (2k - 1 - y) L_{k-1} - (k-1) L_{k-2};  k P_k = (2k-1) y P_{k-1} - (k-1) P_{k-2}
    "laguerre_polynomial_l": _Family(
        lambda y: 1.0 - y,
        lambda k, y, p, q: ((2.0 * (k - 1) + (1.0 - y)) * q - (k - 1.0) * p) / k),
    "legendre_polynomial_p": _Family(
        lambda y: y, lambda k, y, p, q: ((2.0 * k - 1.0) * y * q - (k - 1.0) * p) / k,
        at_one=lambda n: 1.0, at_minus_one=_sign),
}


def _recurrence(fam: _Family, y: Tensor, n: Tensor, run: Tensor) -> Tensor:
    """``P_n(y)`` for n >= 0 by the recurrence, where ``run`` (elsewhere: anything)."""
    p = ones_like(y)
    q = fam.first(y)
    top = int(amax(where(run, n, 0.0)).item()) if n.numel() else 0
    k = 2
    while k <= top:
        for _ in range(min(_BLOCK, top - k + 1)):
            r = fam.step(float(k), y, p, q)
            go = le(float(k), n)
            p, q = where(go, q, p), where(go, r, q)
            k += 1
        if not bool(any(logical_and(logical_and(run, lt(float(k - 1), n)),
                                    logical_not(isnan(q)))).item()):
            break  # what is still running is nan for good
    return where(eq(n, 0.0), 1.0, q)


def _polynomial(name: str) -> Callable[[Any, Any], Tensor]:
    fam = FAMILIES[name]

    def decomp(x: Any, n: Any) -> Tensor:
        x, n = _tensor_pair(x, n)
        if x.dtype is D.float16:
            raise NotImplementedError(f"\"{name}\" not implemented for 'float16'")
        with no_grad():
            # n as C's (int64_t) cast: truncated; nan, inf and |n| >= 2**63 give INT64_MIN.
            nt = trunc(n)
            zero = logical_or(logical_not(lt(abs(n), 2.0 ** 63)), lt(nt, 0.0))
            nn = where(zero, 0.0, nt)
            y, nn, zero = broadcast_tensors(x + x - 1.0 if fam.shifted else x, nn, zero)
            done = zero
            out = zeros_like(y)
            if fam.at_one is not None:
                for at, value in ((1.0, fam.at_one), (-1.0, fam.at_minus_one)):
                    edge = logical_and(logical_not(done), eq(y, at))
                    out = where(edge, value(nn), out)
                    done = logical_or(done, edge)
            if name == "laguerre_polynomial_l":  # L_n(0) = 1
                edge = logical_and(logical_not(done), eq(y, 0.0))
                out, done = where(edge, 1.0, out), logical_or(done, edge)
            if fam.trig is not None:
                inner = logical_and(lt(abs(y), 1.0), lt(float(fam.trig_above), nn))
                inner = logical_and(inner, logical_not(done))
                theta = acos(where(inner, y, 0.0))
                out = where(inner, fam.trig(nn, theta), out)
                done = logical_or(done, inner)
            rest = logical_not(done)
            return where(rest, _recurrence(fam, y, nn, rest), out)

    return decomp


def _basis(name: str, k: int) -> Callable[[np.ndarray], np.ndarray]:
    """A float64 NumPy reference of ``P_k`` from numpy.polynomial (U, V, W as sums of T:
    ``U_k = 2 sum_{j = k, k-2, ...} T_j - [k even]``, ``V_k = U_k - U_{k-1}``,
    ``W_k = U_k + U_{k-1}``)."""
    npp = np.polynomial
    unit = [0.0] * k + [1.0]
    simple = {"hermite_polynomial_h": npp.hermite.hermval,
              "hermite_polynomial_he": npp.hermite_e.hermeval,
              "laguerre_polynomial_l": npp.laguerre.lagval,
              "legendre_polynomial_p": npp.legendre.legval}
    if name in simple:
        return lambda x: simple[name](x, unit)
    kind = name.rsplit("_", 1)[1]

    def u(m: int) -> list[float]:
        c = [0.0] * (k + 1)
        for j in range(m, -1, -2):
            c[j] = 2.0
        if m >= 0 and m % 2 == 0:
            c[0] -= 1.0
        return c
    coefs = {"t": unit, "u": u(k), "v": list(np.subtract(u(k), u(k - 1))),
             "w": list(np.add(u(k), u(k - 1)))}[kind]
    shift = name.startswith("shifted")
    return lambda x: npp.chebyshev.chebval(2.0 * x - 1.0 if shift else x, coefs)


def _ref(name: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def ref(x: Any, n: Any) -> np.ndarray:
        x, n = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(n, np.float64))
        out = np.zeros(x.shape)
        for v in np.unique(np.trunc(n)):
            m = np.trunc(n) == v
            if v >= 0:
                out[m] = _basis(name, int(v))(x[m])
        return out
    return ref


def _samples(name: str) -> Callable[[D.dtype, np.random.Generator], Any]:
    low, high = (-0.25, 1.25) if name.startswith("shifted") else (-1.5, 1.5)

    def samples(dt: D.dtype, rng: np.random.Generator) -> Any:
        ns = rng.integers(0, 9, (3, 4)).astype(dt.np)
        yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt, low, high)), S.Arg(ns)),
                            name="n=0..8")
        yield S.SampleInput((S.Arg(S.make(rng, (2, 1), dt, low, high), noncontig=True),
                             S.Arg(np.array([1.0, 5.0, 12.0]).astype(dt.np))),
                            name="broadcast")
        yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt, low, high)), 3), name="empty")
        yield S.SampleInput((S.Arg(np.array([low, 0.0, 0.5, 1.0, high, -1.0]).astype(dt.np)),
                             S.Arg(np.array([-1.0, 2.5, 7.0, 9.0, 3.0, 10.0]).astype(dt.np))),
                            name="edges")
    return samples


def _define(name: str, what: str) -> Any:
    return binary(name, kind=COMPOSITE, promotion=Promotion.INT_TO_FLOAT,
                  dtypes=(D.float32, D.float64), decomp=_polynomial(name), vjp=None,
                  differentiable=False, ref=_ref(name), samples=_samples(name), tol=_TOL,
                  method=False, function=False,
                  doc=f"Element-wise {what} of degree ``n`` at ``input`` (n truncated to an "
                      "integer; 0 for a negative n).")


chebyshev_polynomial_t = _define("chebyshev_polynomial_t",
                                 "Chebyshev polynomial of the first kind T_n")
chebyshev_polynomial_u = _define("chebyshev_polynomial_u",
                                 "Chebyshev polynomial of the second kind U_n")
chebyshev_polynomial_v = _define("chebyshev_polynomial_v",
                                 "Chebyshev polynomial of the third kind V_n")
chebyshev_polynomial_w = _define("chebyshev_polynomial_w",
                                 "Chebyshev polynomial of the fourth kind W_n")
shifted_chebyshev_polynomial_t = _define(
    "shifted_chebyshev_polynomial_t", "shifted Chebyshev polynomial T_n(2x - 1)")
shifted_chebyshev_polynomial_u = _define(
    "shifted_chebyshev_polynomial_u", "shifted Chebyshev polynomial U_n(2x - 1)")
shifted_chebyshev_polynomial_v = _define(
    "shifted_chebyshev_polynomial_v", "shifted Chebyshev polynomial V_n(2x - 1)")
shifted_chebyshev_polynomial_w = _define(
    "shifted_chebyshev_polynomial_w", "shifted Chebyshev polynomial W_n(2x - 1)")
hermite_polynomial_h = _define("hermite_polynomial_h", "physicists' Hermite polynomial H_n")
hermite_polynomial_he = _define("hermite_polynomial_he",
                                "probabilists' Hermite polynomial He_n")
laguerre_polynomial_l = _define("laguerre_polynomial_l", "Laguerre polynomial L_n")
legendre_polynomial_p = _define("legendre_polynomial_p", "Legendre polynomial P_n")
