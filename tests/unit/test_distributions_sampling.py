"""`tensorweave.distributions` sampling and validation: moments of 100k draws against the
exact ones (bounds at 6 standard errors, each with a false-failure chance of about 2e-9),
pathwise gradients of ``rsample``, and PyTorch's validation errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402

N = 100_000
Z = 6.0


def _t(x):
    return tw.tensor(x, dtype=tw.float64)


def _check_moments(samples, mean, var):
    """Sample mean and variance within Z standard errors; the standard error of the
    variance uses the sample's own fourth central moment."""
    x = samples.numpy().reshape(samples.shape[0], -1)
    mean, var = np.broadcast_to(mean, x.shape[1:]), np.broadcast_to(var, x.shape[1:])
    m, v = x.mean(0), x.var(0, ddof=1)
    m4 = ((x - m) ** 4).mean(0)
    # the 1/N terms cover the second-order error where the first vanishes (a constant, or
    # Bernoulli(1/2) whose sample variance has no first-order fluctuation)
    np.testing.assert_array_less(np.abs(m - mean), Z * np.sqrt(var / N) + 1e-12)
    np.testing.assert_array_less(np.abs(v - var),
                                 Z * np.sqrt(np.maximum(m4 - v ** 2, 0) / N) + Z * var / N + 1e-12)


MOMENTS = {
    "Normal": lambda: D.Normal(_t([-1.0, 2.0]), _t([0.5, 3.0])),
    "LogNormal": lambda: D.LogNormal(_t([0.0, 0.5]), _t([0.25, 0.5])),
    "Uniform": lambda: D.Uniform(_t([-1.0, 2.0]), _t([0.5, 7.0])),
    "Exponential": lambda: D.Exponential(_t([0.5, 4.0])),
    "Laplace": lambda: D.Laplace(_t([1.0, -2.0]), _t([0.3, 2.0])),
    "Bernoulli": lambda: D.Bernoulli(_t([0.1, 0.5, 0.97])),
    "Geometric": lambda: D.Geometric(_t([0.2, 0.7])),
    "Poisson": lambda: D.Poisson(_t([0.0, 0.3, 4.0, 9.9, 10.0, 57.0, 1500.0])),
    "Binomial": lambda: D.Binomial(_t([3.0, 20.0]), _t([0.3, 0.8])),
    "Categorical": lambda: D.Categorical(_t([0.1, 0.2, 0.3, 0.4])),
    "Gamma": lambda: D.Gamma(_t([0.3, 1.0, 4.5, 80.0]), _t([2.0, 1.0, 0.5, 3.0])),
    "Chi2": lambda: D.Chi2(_t([1.0, 7.0])),
    "Beta": lambda: D.Beta(_t([0.5, 2.0, 9.0]), _t([0.5, 5.0, 1.5])),
    "StudentT": lambda: D.StudentT(_t([5.0, 30.0]), _t([1.0, -1.0]), _t([2.0, 0.5])),
    "MultivariateNormal": lambda: D.MultivariateNormal(
        _t([1.0, -1.0]), covariance_matrix=_t([[2.0, 0.8], [0.8, 1.0]])),
    "Dirichlet": lambda: D.Dirichlet(_t([0.5, 2.0, 4.0])),
}


@pytest.mark.parametrize("name", list(MOMENTS))
def test_sample_moments(name):
    tw.manual_seed(1234)
    d = MOMENTS[name]()
    x = d.sample((N,))
    assert tuple(x.shape) == (N,) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert bool(d.support.check(x).all())
    if name == "Categorical":  # moments of the indices, from the probabilities
        p, k = d.probs.numpy(), np.arange(4.0)
        mean = (p * k).sum()
        _check_moments(x.to(tw.float64), mean, (p * (k - mean) ** 2).sum())
    else:
        _check_moments(x, d.mean.numpy(), d.variance.numpy())


def test_multivariate_normal_sample_covariance():
    tw.manual_seed(7)
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    x = D.MultivariateNormal(_t([0.0, 0.0]), covariance_matrix=_t(cov)).sample((N,)).numpy()
    prod = x[:, 0] * x[:, 1]  # E[x0 x1] = cov01; its standard error from the sample
    assert abs(prod.mean() - cov[0, 1]) < Z * prod.std() / math.sqrt(N)


def test_cauchy_quantiles():
    tw.manual_seed(3)
    d = D.Cauchy(_t([1.0]), _t([2.0]))
    x = d.sample((N,))
    for q in (0.1, 0.5, 0.9):
        frac = (x <= d.icdf(_t([q]))).to(tw.float64).mean().item()
        assert abs(frac - q) < Z * math.sqrt(q * (1 - q) / N)


def test_sampling_is_reproducible_with_manual_seed():
    d = D.Gamma(_t([0.5, 3.0]), _t([1.0, 1.0]))
    tw.manual_seed(11)
    a = d.sample((5,)).numpy()
    tw.manual_seed(11)
    np.testing.assert_array_equal(a, d.sample((5,)).numpy())


def _leaves(*values):
    return [tw.tensor(v, dtype=tw.float64, requires_grad=True) for v in values]


def test_rsample_pathwise_gradients():
    """d(sum of draws)/d(parameter) equals the sum of dx/dparameter, which each family
    gives in closed form from the draw itself: independent of the seed."""
    n = 1000
    loc, scale = _leaves([0.5, -1.0], [2.0, 0.5])
    x = D.Normal(loc, scale).rsample((n,))
    x.sum().backward()
    xd = x.detach().numpy()
    np.testing.assert_allclose(loc.grad.numpy(), [n, n])
    np.testing.assert_allclose(scale.grad.numpy(), ((xd - loc.detach().numpy())
                                                    / scale.detach().numpy()).sum(0), rtol=1e-12)
    for cls in (D.Laplace, D.Cauchy):
        loc, scale = _leaves([0.5, -1.0], [2.0, 0.5])
        x = cls(loc, scale).rsample((n,))
        x.sum().backward()
        xd = x.detach().numpy()
        np.testing.assert_allclose(loc.grad.numpy(), [n, n])
        np.testing.assert_allclose(scale.grad.numpy(), ((xd - [0.5, -1.0]) / [2.0, 0.5]).sum(0),
                                   rtol=1e-10)
    loc, scale = _leaves([0.5, -1.0], [0.3, 0.5])
    x = D.LogNormal(loc, scale).rsample((n,))
    x.sum().backward()
    xd = x.detach().numpy()
    np.testing.assert_allclose(loc.grad.numpy(), xd.sum(0), rtol=1e-12)
    np.testing.assert_allclose(scale.grad.numpy(),
                               (xd * (np.log(xd) - [0.5, -1.0]) / [0.3, 0.5]).sum(0), rtol=1e-10)
    (rate,) = _leaves([0.5, 4.0])
    x = D.Exponential(rate).rsample((n,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), (-x.detach().numpy() / [0.5, 4.0]).sum(0),
                               rtol=1e-12)
    low, high = _leaves([-1.0, 2.0], [0.5, 7.0])
    x = D.Uniform(low, high).rsample((n,))
    x.sum().backward()
    u = (x.detach().numpy() - [-1.0, 2.0]) / [1.5, 5.0]
    np.testing.assert_allclose(low.grad.numpy(), (1 - u).sum(0), rtol=1e-10)
    np.testing.assert_allclose(high.grad.numpy(), u.sum(0), rtol=1e-10)


def test_multivariate_normal_rsample_gradients():
    n = 500
    L = np.array([[1.5, 0.0], [0.4, 0.7]])
    loc, tril = _leaves([1.0, -1.0], L)
    x = D.MultivariateNormal(loc, scale_tril=tril).rsample((n,))
    x.sum().backward()
    eps = np.linalg.solve(L, (x.detach().numpy() - [1.0, -1.0]).T).T  # x = loc + L eps
    np.testing.assert_allclose(loc.grad.numpy(), [n, n])
    np.testing.assert_allclose(tril.grad.numpy(), np.tile(eps.sum(0), (2, 1)), rtol=1e-9)


def test_has_rsample_matches_torch():
    pairs = [(D.Gamma(_t([1.0]), _t([1.0])), TD.Gamma(_r([1.0]), _r([1.0]))),
             (D.Beta(_t([1.0]), _t([1.0])), TD.Beta(_r([1.0]), _r([1.0]))),
             (D.Dirichlet(_t([1.0, 2.0])), TD.Dirichlet(_r([1.0, 2.0]))),
             (D.Chi2(_t([2.0])), TD.Chi2(_r([2.0]))),
             (D.StudentT(_t([3.0])), TD.StudentT(_r([3.0]))),
             (D.Bernoulli(_t([0.5])), TD.Bernoulli(_r([0.5]))),
             (D.Poisson(_t([1.0])), TD.Poisson(_r([1.0]))),
             (D.Independent(D.Normal(_t([0.0]), _t([1.0])), 1),
              TD.Independent(TD.Normal(_r([0.0]), _r([1.0])), 1))]
    for ours, ref in pairs:
        assert ours.has_rsample == ref.has_rsample, type(ours).__name__
        if not ours.has_rsample:
            with pytest.raises(NotImplementedError):
                ours.rsample()


def test_standard_gamma_grad_matches_inverse_cdf_derivative():
    """dx/da at a fixed CDF level u is d/da of the inverse CDF: central differences of
    SciPy's gammaincinv, accurate to ~1e-9."""
    special = pytest.importorskip("scipy.special")
    from tensorweave.distributions.gamma import _standard_gamma_grad

    a = np.array([0.05, 0.3, 1.0, 4.5, 80.0, 1500.0])[:, None]
    u = np.array([1e-4, 0.01, 0.3, 0.5, 0.9, 0.999])[None, :]
    x = special.gammaincinv(a, u)
    h = 1e-5 * a
    ref = (special.gammaincinv(a + h, u) - special.gammaincinv(a - h, u)) / (2 * h)
    ours = _standard_gamma_grad(_t(np.broadcast_to(a, x.shape).copy()), _t(x)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-300)


def _per_draw_grads(make, params):
    """One draw per row of parameters repeated N times: the gradient of the draws' sum
    with respect to those leaves holds each draw's own pathwise gradient."""
    leaves = [tw.tensor(np.broadcast_to(p, (N,) + np.shape(p)).copy(), dtype=tw.float64,
                        requires_grad=True) for p in params]
    x = make(*leaves).rsample()
    grads = tw.autograd.grad(x.sum(), leaves)
    return x.detach(), [g.numpy() for g in grads]


def _assert_mean(g, expected):
    np.testing.assert_array_less(np.abs(g.mean(0) - expected), Z * g.std(0) / math.sqrt(N))


def test_implicit_reparameterization_is_unbiased():
    """The mean of the pathwise gradients of 100k draws is d/dparam of the exact mean."""
    tw.manual_seed(5)
    conc, rate = np.array([0.4, 3.0]), np.array([2.0, 0.5])
    x, (g_conc, g_rate) = _per_draw_grads(D.Gamma, [conc, rate])
    _check_moments(x, conc / rate, conc / rate ** 2)
    _assert_mean(g_conc, 1 / rate)  # E[x] = conc / rate
    _assert_mean(g_rate, -conc / rate ** 2)
    _, (g_df,) = _per_draw_grads(D.Chi2, [np.array([0.7, 5.0])])
    _assert_mean(g_df, [1.0, 1.0])  # E[x] = df
    c1, c0 = np.array([0.7, 3.0]), np.array([2.5, 1.5])
    _, (g1, g0) = _per_draw_grads(D.Beta, [c1, c0])
    _assert_mean(g1, c0 / (c1 + c0) ** 2)  # E[x] = c1 / (c1 + c0)
    _assert_mean(g0, -c1 / (c1 + c0) ** 2)
    alpha = np.array([0.5, 2.0, 4.0])
    x, (g_alpha,) = _per_draw_grads(lambda a: D.Dirichlet(a), [alpha])
    # only x_0's gradient is summed here: E[x_0] = alpha_0 / A
    _, (g_alpha0,) = _per_draw_grads(lambda a: _First(D.Dirichlet(a)), [alpha])
    total = alpha.sum()
    _assert_mean(g_alpha0, np.array([total - alpha[0], -alpha[0], -alpha[0]]) / total ** 2)
    np.testing.assert_allclose(g_alpha.mean(0), 0, atol=1e-12)  # the draws sum to 1


class _First:
    """A distribution's draws reduced to their first coordinate (for a per-draw gradient
    of one Dirichlet coordinate)."""

    def __init__(self, dist):
        self.dist = dist

    def rsample(self):
        return self.dist.rsample()[..., 0]


def _torch_message(fn):
    with pytest.raises(ValueError) as info:
        fn()
    return str(info.value).split("\n")[0].replace("torch.", "tensorweave.")


def _r(x):
    return torch.tensor(x, dtype=torch.float64)


def _same_error(ours, ref):
    """Our ValueError's first line is torch's (its tensor printout follows a newline)."""
    msg = _torch_message(ref)
    with pytest.raises(ValueError, match=re.escape(msg)):
        ours()


def test_argument_validation_errors_match_torch():
    bad = np.array([1.0, -1.0])
    _same_error(lambda: D.Normal(_t([0.0, 0.0]), _t(bad)),
                lambda: TD.Normal(_r([0.0, 0.0]), _r(bad)))
    _same_error(lambda: D.Bernoulli(probs=_t([0.5, 1.5])),
                lambda: TD.Bernoulli(probs=_r([0.5, 1.5])))
    _same_error(lambda: D.Categorical(probs=_t([0.5, -0.5, 1.0])),
                lambda: TD.Categorical(probs=_r([0.5, -0.5, 1.0])))
    _same_error(lambda: D.Gamma(_t([1.0, 0.0]), _t([1.0, 1.0])),
                lambda: TD.Gamma(_r([1.0, 0.0]), _r([1.0, 1.0])))
    _same_error(lambda: D.Dirichlet(_t([[1.0, -2.0]])),
                lambda: TD.Dirichlet(_r([[1.0, -2.0]])))
    _same_error(lambda: D.Binomial(_t([2.5]), _t([0.5])),
                lambda: TD.Binomial(_r([2.5]), _r([0.5])))
    not_pd = np.array([[1.0, 2.0], [2.0, 1.0]])
    _same_error(lambda: D.MultivariateNormal(_t([0.0, 0.0]), covariance_matrix=_t(not_pd)),
                lambda: TD.MultivariateNormal(_r([0.0, 0.0]),
                                              covariance_matrix=_r(not_pd)))
    _same_error(lambda: D.Uniform(_t([1.0]), _t([0.0])),
                lambda: TD.Uniform(_r([1.0]), _r([0.0])))
    _same_error(lambda: D.Bernoulli(), lambda: TD.Bernoulli())
    _same_error(lambda: D.Categorical(probs=_t(0.5)),
                lambda: TD.Categorical(probs=_r(0.5)))
    _same_error(lambda: D.MultivariateNormal(_t([0.0]), _t([1.0]), scale_tril=_t([[1.0]])),
                lambda: TD.MultivariateNormal(_r([0.0]), _r([1.0]),
                                              scale_tril=_r([[1.0]])))
    assert D.Normal(_t([0.0]), _t([-1.0]), validate_args=False).scale.item() == -1.0


def test_value_validation_errors_match_torch():
    _same_error(lambda: D.Exponential(_t([1.0, 2.0])).log_prob(_t([1.0, -1.0])),
                lambda: TD.Exponential(_r([1.0, 2.0])).log_prob(
                    _r([1.0, -1.0])))
    _same_error(lambda: D.Normal(_t([0.0, 1.0]), _t([1.0, 1.0])).log_prob(_t([0.0, 1.0, 2.0])),
                lambda: TD.Normal(_r([0.0, 0.0]), _r([1.0, 1.0])).log_prob(_r([0.0, 0.0, 0.0])))
    _same_error(lambda: D.Normal(_t([0.0]), _t([1.0])).log_prob(0.5),
                lambda: TD.Normal(_r([0.0]), _r([1.0])).log_prob(0.5))
    _same_error(lambda: D.Bernoulli(_t([0.5])).log_prob(_t([0.5])),
                lambda: TD.Bernoulli(_r([0.5])).log_prob(_r([0.5])))
    _same_error(lambda: D.Categorical(_t([0.5, 0.5])).log_prob(_t([2.0])),
                lambda: TD.Categorical(_r([0.5, 0.5])).log_prob(_r([2.0])))
    _same_error(lambda: D.Uniform(_t([0.0]), _t([1.0])).log_prob(_t([1.5])),
                lambda: TD.Uniform(_r([0.0]), _r([1.0])).log_prob(
                    _r([1.5])))
    mvn = D.MultivariateNormal(_t([0.0, 0.0]), scale_tril=_t(np.eye(2)))
    ref = TD.MultivariateNormal(_r([0.0, 0.0]), scale_tril=_r(np.eye(2)))
    _same_error(lambda: mvn.log_prob(_t([1.0, 2.0, 3.0])),
                lambda: ref.log_prob(_r([1.0, 2.0, 3.0])))
    # validate_args=False: no support check, torch's -inf/nan-free formulas apply
    lp = D.Exponential(_t([1.0]), validate_args=False).log_prob(_t([-1.0]))
    np.testing.assert_allclose(lp.numpy(), [1.0])


def test_set_default_validate_args():
    try:
        D.Distribution.set_default_validate_args(False)
        assert D.Normal(_t([0.0]), _t([-1.0])).scale.item() == -1.0
        with pytest.raises(ValueError, match="Expected parameter scale"):
            D.Normal(_t([0.0]), _t([-1.0]), validate_args=True)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="Expected parameter scale"):
        D.Normal(_t([0.0]), _t([-1.0]))
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args(3)


def test_reprs_and_constraints_match_torch():
    ours, ref = D.Normal(_t([0.0, 1.0]), _t([1.0, 2.0])), TD.Normal(torch.zeros(2), torch.ones(2))
    assert repr(ours) == repr(ref).replace("torch.Size", "tensorweave.Size")
    for c in ("real", "positive", "nonnegative", "unit_interval", "simplex", "boolean",
              "nonnegative_integer", "positive_integer", "lower_cholesky", "positive_definite",
              "real_vector", "one_hot"):
        assert repr(getattr(D.constraints, c)) == repr(getattr(TD.constraints, c))
    assert repr(D.constraints.integer_interval(0, 3)) == repr(TD.constraints.integer_interval(0, 3))
    assert repr(D.constraints.interval(-1.0, 2.0)) == repr(TD.constraints.interval(-1.0, 2.0))
    assert repr(D.constraints.greater_than(2.0)) == repr(TD.constraints.greater_than(2.0))
    checks = {"positive": [-1.0, 0.0, 2.0], "unit_interval": [-0.1, 0.0, 1.0],
              "nonnegative_integer": [-1.0, 0.0, 2.5], "boolean": [0.0, 1.0, 0.5],
              "real": [math.nan, 1.0, -math.inf]}
    for c, v in checks.items():
        np.testing.assert_array_equal(getattr(D.constraints, c).check(_t(v)).numpy(),
                                      getattr(TD.constraints, c).check(torch.tensor(v)).numpy())
    m = np.array([[[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.3], [0.5, 2.0]], [[-1.0, 0.0], [0.5, 2.0]]])
    np.testing.assert_array_equal(D.constraints.lower_cholesky.check(_t(m)).numpy(),
                                  TD.constraints.lower_cholesky.check(torch.tensor(m)).numpy())
    s = np.array([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])
    np.testing.assert_array_equal(D.constraints.simplex.check(_t(s)).numpy(),
                                  TD.constraints.simplex.check(torch.tensor(s)).numpy())
    assert D.constraints.is_dependent(D.Uniform.support)
    assert repr(D.Uniform(_t([0.0]), _t([2.0])).support).startswith("Interval(lower_bound=")
