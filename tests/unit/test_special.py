"""Special functions (`tensorweave.special` and the top-level erfc, erfinv, lgamma, digamma,
i0, mvlgamma): float64 accuracy against 50-digit references (Python's decimal) or PyTorch,
float32 against PyTorch's float32 in ulps, edge values, gradients and the namespace."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
import torch

import tensorweave as tw
from tests.unit._functional_oracle import compare


def _erfc_dec(x: float) -> Decimal:
    """erfc to 50 digits: erf's Taylor series summed with 60 digits (and 2 - erfc(-x) for
    negative x), or Laplace's continued fraction with 400 levels beyond x = 5."""
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(abs(x))
        pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
        if d > 5:
            t = d
            for k in range(400, 0, -1):
                t = d + Decimal(k) / 2 / t
            value = (-d * d).exp() / pi.sqrt() / t
        else:
            term, total, n = d, d, 0
            while term.copy_abs() > Decimal(10) ** -58:
                n += 1
                term = -term * d * d * (2 * n - 1) / (n * (2 * n + 1))
                total += term
            value = 1 - 2 / pi.sqrt() * total
        return value if x >= 0 else 2 - value


def _erfc_decimal(x: float) -> float:
    return float(_erfc_dec(x))


def _erfcx_decimal(x: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 60
        return float(_erfc_dec(x) * (Decimal(x) ** 2).exp())


def _rel(got: np.ndarray, want: np.ndarray) -> float:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return float(np.max(np.abs(got - want) / np.abs(want)))


def _ulps(got: np.ndarray, want64: np.ndarray) -> float:
    """Distance of float32 results from the float64 truth, in float32 ulps of the truth."""
    want64 = np.asarray(want64, np.float64)
    spacing = np.spacing(np.abs(want64).astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(np.asarray(got, np.float64) - want64) / spacing))


def _t64(x: np.ndarray) -> tw.Tensor:
    return tw.tensor(np.asarray(x, np.float64))


# -- float64 accuracy ----------------------------------------------------------------------


def test_erfc_is_accurate_to_1e13_from_minus5_to_26() -> None:
    """erfc keeps 13 digits where 1 - erf(x) has none left (x > 6) and up to underflow."""
    x = np.concatenate([np.linspace(-5.0, 26.0, 1241), [0.4999, 0.5, 3.999, 4.0, 26.5]])
    want = np.array([_erfc_decimal(v) for v in x])
    assert _rel(tw.erfc(_t64(x)).numpy(), want) <= 1e-13


def test_erfcx_is_accurate_and_finite_for_large_inputs() -> None:
    """exp(x**2) erfc(x) to 1e-13 on [-26, 60]; ~1/(x sqrt(pi)) for huge x."""
    x = np.linspace(-26.0, 60.0, 861)
    want = np.array([_erfcx_decimal(v) for v in x])
    assert _rel(tw.special.erfcx(_t64(x)).numpy(), want) <= 1e-13
    big = np.array([1e10, 1e300])
    np.testing.assert_allclose(tw.special.erfcx(_t64(big)).numpy(),
                               1.0 / (big * math.sqrt(math.pi)), rtol=1e-15)


def _away_from_poles(x: np.ndarray) -> np.ndarray:
    return x[np.abs(x - np.round(x)) > 1e-3]


def test_lgamma_matches_math_to_1e12_away_from_poles() -> None:
    """Positive arguments to 170 and negative non-integers (where lgamma is not near 0)."""
    x = _away_from_poles(np.concatenate([np.linspace(-30.0, -0.001, 3001),
                                         np.linspace(0.001, 170.0, 4001), [1e5, 1e200]]))
    want = np.array([math.lgamma(v) for v in x])
    keep = np.abs(want) > 0.05  # relative error is meaningless at lgamma's negative zeros
    assert _rel(tw.lgamma(_t64(x[keep])).numpy(), want[keep]) <= 1e-12


def test_lgamma_keeps_relative_precision_next_to_its_zeros_at_1_and_2() -> None:
    """lgamma(1 + e) and lgamma(2 + e) are O(e): the series around 2 keeps their digits."""
    e = np.array([1e-12, -1e-9, 1e-6, -1e-4, 0.01])
    x = np.concatenate([1.0 + e, 2.0 + e])
    want = torch.lgamma(torch.tensor(x)).numpy()  # glibc's lgamma is accurate there
    assert _rel(tw.lgamma(_t64(x)).numpy(), want) <= 1e-12


def test_digamma_matches_torch_to_1e12_away_from_its_zeros() -> None:
    x = _away_from_poles(np.concatenate([np.linspace(-30.0, -0.01, 3001),
                                         np.linspace(0.001, 200.0, 4001), [1e6, 1e300]]))
    want = torch.digamma(torch.tensor(x)).numpy()
    keep = np.abs(want) > 0.05
    assert _rel(tw.digamma(_t64(x[keep])).numpy(), want[keep]) <= 1e-12


def test_erfinv_inverts_erf_to_1e12_up_to_one_minus_1e15() -> None:
    """erf(erfinv(x)) = x on the center; near +-1, erfc(erfinv(x)) = 1 - |x| (relative)."""
    center = np.linspace(-0.5, 0.5, 1001)
    center = center[center != 0]
    y = tw.erfinv(_t64(center)).numpy()
    assert _rel([math.erf(v) for v in y], center) <= 1e-14
    tail = np.concatenate([np.linspace(0.5, 0.999999, 1000), 1.0 - np.logspace(-6, -15, 40)])
    tail = np.concatenate([tail, -tail])
    y = tw.erfinv(_t64(tail)).numpy()
    assert _rel([_erfc_decimal(abs(v)) for v in y], 1.0 - np.abs(tail)) <= 1e-12
    ref = torch.erfinv(torch.tensor(tail)).numpy()
    assert _rel(y, ref) <= 1e-12


def test_ndtri_and_log_ndtr_reach_the_far_tails() -> None:
    """ndtri keeps precision down to p = 1e-300; log_ndtr is right far into the left tail."""
    p = np.concatenate([10.0 ** -np.linspace(1, 300, 300), np.linspace(0.01, 0.99, 99),
                        1.0 - 10.0 ** -np.linspace(2, 15, 14)])
    p = p[p != 0.5]  # ndtri(0.5) = 0 exactly, checked with the edges
    got = tw.special.ndtri(_t64(p)).numpy()
    assert _rel(got, torch.special.ndtri(torch.tensor(p)).numpy()) <= 1e-12
    x = np.concatenate([-np.logspace(0, 5, 200), np.linspace(-1.0, 8.0, 91), [-1e10]])
    want = torch.special.log_ndtr(torch.tensor(x)).numpy()
    assert _rel(tw.special.log_ndtr(_t64(x)).numpy(), want) <= 1e-12
    # ndtr itself: 0.5 erfc(-x/sqrt(2)), accurate where PyTorch's float64 ndtr underflows.
    x = np.linspace(-37.0, 8.0, 451)
    want = np.array([0.5 * _erfc_decimal(-v / math.sqrt(2.0)) for v in x])
    assert _rel(tw.special.ndtr(_t64(x)).numpy(), want) <= 1e-12


def test_bessel_i0_i1_match_torch() -> None:
    """Both the decomposition and the cpu kernel (NumPy's i0) of i0."""
    x = np.concatenate([np.linspace(-700.0, 700.0, 1401), np.linspace(-25.0, 25.0, 501)])
    want = torch.special.i0(torch.tensor(x)).numpy()
    assert _rel(tw.i0(_t64(x)).numpy(), want) <= 1e-13
    assert _rel(tw.i0.decomp(_t64(x)).numpy(), want) <= 1e-13
    x = x[x != 0]
    assert _rel(tw.special.i1(_t64(x)).numpy(),
                torch.special.i1(torch.tensor(x)).numpy()) <= 1e-13


# -- float32 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, low, high, ulps", [
    ("erfc", -4.0, 9.5, 6), ("erfcx", -3.0, 50.0, 4), ("erfinv", -0.9999, 0.9999, 4),
    ("ndtri", 1e-6, 0.9999, 4), ("i0", -80.0, 80.0, 10), ("i1", -80.0, 80.0, 10),
    ("log_ndtr", -50.0, 5.0, 20), ("gammaln", 0.05, 30.0, 8), ("digamma", 2.0, 30.0, 10)])
def test_float32_is_within_a_few_ulps_of_the_truth(name: str, low: float, high: float,
                                                    ulps: int) -> None:
    """float32 results of the decompositions stay within a few ulps of the float64 truth
    (PyTorch's float32 is within 1 to 14 ulps on these ranges)."""
    x = np.linspace(low, high, 2001).astype(np.float32)
    truth = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float64)).numpy()
    keep = truth != 0
    got = getattr(tw.special, name).decomp(tw.tensor(x)).numpy()
    assert got.dtype == np.float32
    assert _ulps(got[keep], truth[keep]) <= ulps


# -- edge values -----------------------------------------------------------------------------

EDGES = [0.0, -0.0, -1.0, -2.0, -2.5, 1.0, 2.0, math.inf, -math.inf, math.nan, 1e-310, 1e300,
         -1e300]


@pytest.mark.parametrize("name", ["erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr",
                                  "gammaln", "digamma", "i0", "i1", "entr"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_edge_values_match_torch_silently(name: str, dtype: str) -> None:
    """0, -0, negative integers, +-inf, nan, tiny and huge inputs give PyTorch's values
    (signed zeros and infinities included) and no NumPy warning."""
    if name == "ndtr" and dtype == "float64":
        pytest.skip("PyTorch's float64 ndtr underflows to 0 early (-8.3); see the tails test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = tw.tensor(EDGES, dtype=getattr(tw, dtype))
        want = getattr(torch.special, name)(torch.tensor(EDGES, dtype=getattr(torch, dtype)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = getattr(tw.special, name)(x).numpy()
    want = want.numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    if name != "i1":  # i1(-0.0) is -0.0 here (i1 is odd), +0.0 in PyTorch
        np.testing.assert_array_equal(np.signbit(got[got == 0]), np.signbit(want[got == 0]))
    # float32: lgamma(-2.5) = -0.056 sits next to a zero of lgamma, where the reflection
    # formula cancels.
    np.testing.assert_allclose(got, want, rtol=2e-6 if dtype == "float32" else 1e-12, atol=0)


def test_erfinv_is_infinite_at_one_and_nan_outside() -> None:
    got = tw.erfinv(tw.tensor([1.0, -1.0, 1.5, -1.0001, math.nan])).numpy()
    np.testing.assert_array_equal(got[:2], [math.inf, -math.inf])
    assert np.isnan(got[2:]).all()


# -- gradients ---------------------------------------------------------------------------------

# PyTorch's own float64 ndtr (near -6), log_ndtr gradient (-1e3) and trigamma (the
# gradient of digamma: 5e-10 off at 1, where it is pi**2/6) are less accurate than 1e-11.
GRADS = [
    (tw.erfc, torch.erfc, np.linspace(-3.0, 6.0, 13), 1e-11),
    (tw.special.erfcx, torch.special.erfcx, np.linspace(-2.0, 30.0, 13), 1e-11),
    (tw.erfinv, torch.erfinv, np.array([-0.999, -0.5, 0.0, 0.3, 0.9, 1.0 - 1e-10]), 1e-11),
    (tw.special.ndtr, torch.special.ndtr, np.linspace(-6.0, 4.0, 11), 1e-9),
    (tw.special.ndtri, torch.special.ndtri, np.array([1e-12, 0.01, 0.5, 0.9, 0.999]), 1e-11),
    (tw.special.log_ndtr, torch.special.log_ndtr, np.array([-1e3, -30.0, -3.0, 0.0, 5.0]),
     1e-9),
    (tw.lgamma, torch.lgamma, np.array([-3.5, -0.2, 0.01, 1.0, 1.5, 7.0, 12.0, 300.0]), 1e-11),
    (tw.digamma, torch.digamma, np.array([-3.5, -0.2, 0.01, 1.0, 1.5, 7.0, 12.0, 300.0]),
     1e-9),
    (tw.i0, torch.i0, np.array([-30.0, -3.0, 0.0, 0.5, 19.0, 21.0]), 1e-11),
    (tw.special.i1, torch.special.i1, np.array([-30.0, -3.0, 0.0, 0.5, 19.0, 21.0]), 1e-11),
    (tw.special.entr, torch.special.entr, np.array([0.1, 1.0, 3.0]), 1e-11),
]


@pytest.mark.parametrize("tw_fn, torch_fn, x, rtol", GRADS,
                         ids=[g[1].__name__ for g in GRADS])
def test_forward_and_gradient_match_torch(tw_fn, torch_fn, x, rtol) -> None:
    compare(tw_fn, torch_fn, x, atol=0, rtol=rtol)


def test_digamma_gradient_is_exact_trigamma() -> None:
    """trigamma at 1, 1/2 and 3/2 is pi**2/6, pi**2/2 and pi**2/2 - 4 to the last bits."""
    x = tw.tensor([1.0, 0.5, 1.5], dtype=tw.float64, requires_grad=True)
    tw.digamma(x).sum().backward()
    want = [math.pi ** 2 / 6, math.pi ** 2 / 2, math.pi ** 2 / 2 - 4]
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-15)


def test_xlog1py_and_multigammaln_match_torch() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-2.0, 2.0, (3, 4)), rng.uniform(-0.9, 3.0, (4,))
    x[0, 0] = 0.0
    compare(tw.special.xlog1py, torch.special.xlog1py, x, y, atol=1e-14, rtol=1e-12)
    a = rng.uniform(2.0, 6.0, (2, 3))
    compare(lambda t: tw.special.multigammaln(t, 3), lambda t: torch.special.multigammaln(t, 3),
            a, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_polygamma_matches_torch_for_positive_and_negative_arguments(n: int) -> None:
    """Away from the poles, and from the zeros on the negative axis."""
    x = _away_from_poles(np.concatenate([np.linspace(-12.0, -0.01, 1201),
                                         np.linspace(0.001, 80.0, 2001), [1e8]]))
    want = torch.polygamma(n, torch.tensor(x)).numpy()
    keep = np.abs(want) > 1e-3 * math.factorial(n)
    tol = 1e-9 if n == 1 else 1e-12  # PyTorch's trigamma is 5e-10 off (pi**2/6 at 1)
    assert _rel(tw.polygamma(n, _t64(x[keep])).numpy(), want[keep]) <= tol


def test_polygamma_orders_gradient_method_and_errors() -> None:
    x = np.array([-2.5, 0.3, 1.7, 15.0])
    compare(lambda t: tw.polygamma(2, t), lambda t: torch.polygamma(2, t), x, atol=0,
            rtol=1e-11)
    t = tw.tensor(x)
    np.testing.assert_array_equal(tw.special.polygamma(0, t).numpy(), tw.digamma(t).numpy())
    np.testing.assert_array_equal(t.polygamma(3).numpy(), tw.polygamma(3, t).numpy())
    assert tw.polygamma(1, tw.tensor([1, 2])).dtype is tw.float32
    with pytest.raises(RuntimeError, match=r"polygamma\(n, x\) does not support negative n"):
        tw.polygamma(-1, t)


def test_second_derivatives_match_torch() -> None:
    """lgamma'' is trigamma and digamma'' is polygamma(2): both from the vjps' ops."""
    x = np.array([-2.5, 0.3, 1.7, 15.0])
    for tw_fn, torch_fn in [(tw.lgamma, torch.lgamma), (tw.digamma, torch.digamma)]:
        a = tw.tensor(x, requires_grad=True)
        (g,) = tw.autograd.grad(tw_fn(a).sum(), a, create_graph=True)
        (gg,) = tw.autograd.grad(g.sum(), a)
        b = torch.tensor(x, requires_grad=True)
        (h,) = torch.autograd.grad(torch_fn(b).sum(), b, create_graph=True)
        (hh,) = torch.autograd.grad(h.sum(), b)
        np.testing.assert_allclose(gg.numpy(), hh.numpy(), rtol=1e-8)  # PyTorch's trigamma


# -- dtypes, names, errors --------------------------------------------------------------------

def test_integers_promote_to_float_and_half_stays_half() -> None:
    for name in ["erfc", "erfinv", "lgamma", "digamma", "i0"]:
        assert getattr(tw, name)(tw.tensor([0, 1])).dtype is tw.float32
        h = getattr(tw, name)(tw.tensor([0.25, 0.5], dtype=tw.float16))
        want = getattr(torch, name)(torch.tensor([0.25, 0.5], dtype=torch.float16))
        assert h.dtype is tw.float16
        np.testing.assert_allclose(h.numpy().astype(np.float64), want.numpy(), rtol=2e-3)


def test_tensor_methods_and_top_level_names() -> None:
    x = tw.tensor([0.25, 0.5], dtype=tw.float64)
    for name in ["erfc", "erfinv", "lgamma", "digamma", "i0"]:
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(tw, name)(x).numpy())
    np.testing.assert_array_equal(x.add(2).mvlgamma(2).numpy(),
                                  tw.special.multigammaln(x + 2, 2).numpy())


def test_namespace_mirrors_torch_special() -> None:
    """Every name exists in torch.special; the aliases are the existing functions."""
    for name in tw.special.__all__:
        assert hasattr(torch.special, name), name
    s = tw.special
    assert s.expit is tw.sigmoid and s.gammaln is tw.lgamma and s.psi is tw.digamma
    assert s.logsumexp is tw.logsumexp and s.softmax is tw.softmax and s.xlogy is tw.xlogy
    x = np.linspace(-2.0, 2.0, 9)
    np.testing.assert_allclose(s.expit(_t64(x)).numpy(), torch.special.expit(torch.tensor(x)))
    np.testing.assert_allclose(s.round(_t64(x), decimals=1).numpy(),
                               torch.special.round(torch.tensor(x), decimals=1))
    np.testing.assert_allclose(s.log_softmax(_t64(x), 0).numpy(),
                               torch.special.log_softmax(torch.tensor(x), 0))


def test_multigammaln_rejects_p_below_one() -> None:
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1; got p=0"):
        tw.special.multigammaln(tw.tensor([2.0]), 0)
