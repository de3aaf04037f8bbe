"""`GeneralizedPareto` against PyTorch (float32: PyTorch's own class fails in float64) and
against the closed forms of its special cases in float64 (Exponential at c = 0, Uniform at
c = -1, the Pareto tail at c > 0): densities, cdf and icdf, moments, support, sampling law
(KS test) and pathwise gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.distributions as D

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402

LOC, SCALE, CONC = [0.1, -1.0, 2.0, 0.0, 0.5], [2.0, 0.5, 1.0, 3.0, 1.5], [0.4, -0.5, 0.0,
                                                                          -1.0, 1e-9]
X = [0.5, -0.6, 2.5, 1.0, 3.0]


def _pair(dtype=np.float32):
    p = [np.array(v, dtype) for v in (LOC, SCALE, CONC)]
    return D.GeneralizedPareto(*map(tw.tensor, p)), TD.GeneralizedPareto(*map(torch.tensor, p))


@pytest.mark.parametrize("fn", ["log_prob", "cdf", "log_cdf", "log_survival_function",
                                "icdf"])
def test_functions_equal_pytorchs(fn):
    ours, theirs = _pair()
    x = np.array([0.1, 0.5, 0.9, 0.3, 0.7] if fn == "icdf" else X, np.float32)
    np.testing.assert_allclose(getattr(ours, fn)(tw.tensor(x)).numpy(),
                               getattr(theirs, fn)(torch.tensor(x)).numpy(), rtol=2e-6,
                               atol=2e-7)


def test_moments_entropy_mode_and_support_equal_pytorchs():
    ours, theirs = _pair()
    for name in ("mean", "variance", "mode"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name).numpy(),
                                   rtol=1e-6)
    np.testing.assert_allclose(ours.entropy().numpy(), theirs.entropy().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.support.upper_bound.numpy(),
                               theirs.support.upper_bound.numpy(), rtol=1e-6)
    assert ours.batch_shape == (5,) and ours.expand((2, 5)).batch_shape == (2, 5)


def _f64(*values):
    return [tw.tensor(v, dtype=tw.float64) for v in values]


def test_special_cases_in_float64():
    x = tw.tensor([0.3, 1.7], dtype=tw.float64)
    expo = D.GeneralizedPareto(*_f64(0.0, 2.0, 0.0))
    np.testing.assert_allclose(expo.log_prob(x).numpy(), -math.log(2) - x.numpy() / 2,
                               rtol=1e-14)
    unif = D.GeneralizedPareto(*_f64(1.0, 3.0, -1.0))
    np.testing.assert_allclose(unif.log_prob(x + 1).numpy(), [-math.log(3)] * 2, rtol=1e-14)
    np.testing.assert_allclose(unif.cdf(x + 1).numpy(), x.numpy() / 3, rtol=1e-14)
    tail = D.GeneralizedPareto(*_f64(0.0, 1.0, 0.5))  # survival (1 + z/2) ** -2
    np.testing.assert_allclose(tail.log_survival_function(x).numpy(),
                               -2 * np.log1p(x.numpy() / 2), rtol=1e-14)


def test_sampling_law_and_pathwise_gradients():
    tw.manual_seed(0)
    d = D.GeneralizedPareto(*_f64(0.5, 2.0, 0.3))
    n = 20_000
    s = np.sort(d.sample((n,)).numpy())
    cdf = 1 - (1 + 0.3 * (s - 0.5) / 2.0) ** (-1 / 0.3)
    ks = max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
    assert ks < math.sqrt(-math.log(1e-6 / 2) / 2) / math.sqrt(n)  # false alarm 1e-6
    params = [tw.tensor(v, dtype=tw.float64, requires_grad=True) for v in (0.5, 2.0, 0.3)]
    tw.manual_seed(1)
    y = D.GeneralizedPareto(*params).rsample((3,))
    y.sum().backward()
    tw.manual_seed(1)
    u = tw.empty(3, dtype=tw.float64).uniform_().numpy()
    scale, c = 2.0, 0.3
    want = [3.0, (np.expm1(-c * np.log1p(-u)) / c).sum(),
            (scale * (-np.log1p(-u) * np.exp(-c * np.log1p(-u)) / c
                      - np.expm1(-c * np.log1p(-u)) / c ** 2)).sum()]
    np.testing.assert_allclose([p.grad.item() for p in params], want, rtol=1e-10)


def test_validation():
    with pytest.raises(ValueError, match="scale"):
        D.GeneralizedPareto(0.0, -1.0, 0.2, validate_args=True)
    with pytest.raises(ValueError, match="support"):
        D.GeneralizedPareto(0.0, 1.0, -0.5, validate_args=True).log_prob(tw.tensor(3.0))
