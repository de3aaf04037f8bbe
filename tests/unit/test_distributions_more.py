"""Multinomial, NegativeBinomial, MixtureSameFamily, LowRankMultivariateNormal,
FisherSnedecor, ContinuousBernoulli, VonMises, LKJCholesky and Wishart against
`torch.distributions` in float64: log_prob, cdf/icdf, entropy, moments, gradients, KL
divergences and PyTorch's errors; sampling laws by moments (6 standard errors),
chi-square and Kolmogorov-Smirnov tests, each with a false-failure chance of about 1e-9."""

from __future__ import annotations

import itertools
import math
import re
import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
from _distribution_params import param_makers  # noqa: E402
from _raised import errors  # noqa: E402

import tensorweave as tw  # noqa: E402
from tensorweave.distributions import (  # noqa: E402
    Categorical,
    Independent,
    MultivariateNormal,
    Normal,
    constraints,
    kl_divergence,
)
from tensorweave.distributions.continuous_bernoulli import ContinuousBernoulli  # noqa: E402
from tensorweave.distributions.fishersnedecor import FisherSnedecor  # noqa: E402
from tensorweave.distributions.lkj_cholesky import LKJCholesky  # noqa: E402
from tensorweave.distributions.lowrank_multivariate_normal import (  # noqa: E402
    LowRankMultivariateNormal,
)
from tensorweave.distributions.mixture_same_family import MixtureSameFamily  # noqa: E402
from tensorweave.distributions.multinomial import Multinomial  # noqa: E402
from tensorweave.distributions.negative_binomial import NegativeBinomial  # noqa: E402
from tensorweave.distributions.von_mises import VonMises  # noqa: E402
from tensorweave.distributions.wishart import Wishart  # noqa: E402

_rng, _pos, _real, _prob, _simplex, _spd = param_makers(3)
Z = 6.0  # standard errors: a two-sided normal tail of 2e-9
KS_ALPHA = 1e-9


def _t(x, grad=False):
    return tw.tensor(x, dtype=tw.float64, requires_grad=grad)


def _r(x, grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def _close(a, b, rtol=1e-10, atol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _same_error(ours, ref):
    """The same exception type as torch's, with torch's first line (``torch.`` named
    ``tensorweave.``)."""
    ref_type, ref_msg = errors(ref)
    our_type, our_msg = errors(ours)
    assert issubclass(our_type, ref_type), (our_type, ref_type)
    assert our_msg.split("\n")[0] == ref_msg.split("\n")[0].replace("torch.", "tensorweave.")


def _grads_match(ours_leaves, ref_leaves, ours_loss, ref_loss, rtol=1e-9, atol=1e-11):
    ours_loss.backward()
    ref_loss.backward()
    for a, b in zip(ours_leaves, ref_leaves):
        _close(a.grad, b.grad, rtol=rtol, atol=atol)


def _check_moments(x, mean, var):
    """Sample mean and variance within Z standard errors (the variance's from the
    sample's own fourth central moment)."""
    x = x.numpy().reshape(x.shape[0], -1)
    n = x.shape[0]
    mean, var = np.broadcast_to(mean, x.shape[1:]), np.broadcast_to(var, x.shape[1:])
    m, v = x.mean(0), x.var(0, ddof=1)
    m4 = ((x - m) ** 4).mean(0)
    np.testing.assert_array_less(np.abs(m - mean), Z * np.sqrt(var / n) + 1e-12)
    np.testing.assert_array_less(np.abs(v - var), Z * np.sqrt(np.maximum(m4 - v ** 2, 0) / n)
                                 + Z * var / n + 1e-12)


def _chi2_ok(observed, expected):
    """Pearson's statistic below the chi-square quantile of tail ~1e-9 (Wilson-Hilferty
    approximation, z = 6) with ``len - 1`` degrees of freedom."""
    k = len(observed) - 1
    stat = ((observed - expected) ** 2 / expected).sum()
    bound = k * (1 - 2 / (9 * k) + Z * math.sqrt(2 / (9 * k))) ** 3
    assert stat < bound, (stat, bound)


def _ks_ok(x, cdf):
    """The Kolmogorov-Smirnov distance of draws ``x`` from ``cdf`` below the asymptotic
    bound of tail ``KS_ALPHA`` (``P(sqrt(n) D > t) <= 2 exp(-2 t^2)``)."""
    x = np.sort(np.asarray(x))
    n = len(x)
    f = cdf(x)
    d = max((np.arange(1, n + 1) / n - f).max(), (f - np.arange(n) / n).max())
    assert d < math.sqrt(math.log(2 / KS_ALPHA) / 2 / n), d


# --- Multinomial --------------------------------------------------------------------

def _all_counts(n, k):
    """Every count vector of ``k`` categories summing to ``n``."""
    return np.array([c for c in itertools.product(range(n + 1), repeat=k) if sum(c) == n],
                    dtype=float)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_multinomial_matches_torch(param):
    p = _simplex(2, 3) if param == "probs" else _real(2, 3)
    leaf_o, leaf_r = _t(p, True), _r(p, True)
    ours, ref = Multinomial(4, **{param: leaf_o}), TD.Multinomial(4, **{param: leaf_r})
    assert tuple(ours.batch_shape) == (2,) and tuple(ours.event_shape) == (3,)
    value = _all_counts(4, 3)[:, None]  # (15, 1, 3) against batch (2,)
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    np.testing.assert_allclose(lp_o.exp().detach().numpy().sum(0), 1.0, rtol=1e-12)
    for attr in ("mean", "variance", "probs", "logits"):
        _close(getattr(ours, attr), getattr(ref, attr))
    # torch's entropy takes lgamma(n + 1) in float32; the exact sum over the support
    exact = -(lp_o.exp() * lp_o).sum(0)
    _close(ours.entropy(), exact)
    _close(ours.entropy(), ref.entropy(), rtol=1e-7)
    _grads_match([leaf_o], [leaf_r], (lp_o.sum() + exact.sum()), lp_r.sum() - (
        lp_r.exp() * lp_r).sum())
    # log_prob takes n from the value; an impossible category with a zero count is fine
    lo = np.array([0.0, -np.inf, 1.0])
    v = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0]])
    _close(Multinomial(5, logits=_t(lo)).log_prob(_t(v)), TD.Multinomial(
        5, logits=_r(lo)).log_prob(_r(v)))
    big = ours.expand((5, 2))
    assert tuple(big.batch_shape) == (5, 2)
    _close(big.log_prob(_t(value[0])), ref.expand((5, 2)).log_prob(_r(value[0])))
    _close(big.entropy(), exact.expand((5, 2)))


def test_multinomial_sampling_law():
    tw.manual_seed(21)
    probs = np.array([0.2, 0.5, 0.3])
    d = Multinomial(3, _t(probs))
    x = d.sample((40_000,))
    assert tuple(x.shape) == (40_000, 3) and x.dtype == tw.float64
    assert bool(d.support.check(x).all()) and bool((x.sum(-1) == 3).all())
    support = _all_counts(3, 3)
    observed = (x.numpy()[:, None, :] == support[None]).all(-1).sum(0)
    expected = d.log_prob(_t(support)).exp().numpy() * 40_000
    _chi2_ok(observed, expected)
    assert tuple(Multinomial(5, _t(_simplex(2, 4))).sample((6,)).shape) == (6, 2, 4)


def test_multinomial_errors_match_torch():
    _same_error(lambda: Multinomial(3, _t([0.5, -0.5, 1.0])),
                lambda: TD.Multinomial(3, _r([0.5, -0.5, 1.0])))
    _same_error(lambda: Multinomial(3, _t([0.5, 0.5])).log_prob(_t([-1.0, 2.0])),
                lambda: TD.Multinomial(3, _r([0.5, 0.5])).log_prob(_r([-1.0, 2.0])))
    _same_error(lambda: Multinomial(3.0, _t([0.5, 0.5])),
                lambda: TD.Multinomial(3.0, _r([0.5, 0.5])))
    assert repr(Multinomial(3, _t([0.5, 0.5]))) == "Multinomial()"
    assert repr(constraints.multinomial(3)) == repr(TD.constraints.multinomial(3))


# --- NegativeBinomial ---------------------------------------------------------------

# total_count 0 makes lgamma(0) = inf terms that torch's formula (and ours) mask away
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_negative_binomial_matches_torch(param):
    count = np.concatenate([_pos(2, 3), [[0.0, 1.0, 4.0]]])  # total_count 0 included
    p = _prob(3) if param == "probs" else _real(3)
    to, po = _t(count, True), _t(p, True)
    tr, pr = _r(count, True), _r(p, True)
    ours, ref = NegativeBinomial(to, **{param: po}), TD.NegativeBinomial(tr, **{param: pr})
    assert tuple(ours.batch_shape) == (3, 3)
    value = _rng.integers(0, 7, (4, 3, 3)) * 1.0
    value[0, 2, 0] = 0.0  # total_count + value == 0: probability 1
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    for attr in ("mean", "mode", "variance", "probs", "logits"):
        _close(getattr(ours, attr), getattr(ref, attr))
    _grads_match([po], [pr], lp_o.sum(), lp_r.sum())
    # the count's gradient (digamma terms) where total_count + value > 0
    ok = (count + value > 0).all(0)
    lp_o = NegativeBinomial(to[ok], **{param: po.expand((3, 3))[ok]}).log_prob(
        _t(value[:, ok]))
    lp_r = TD.NegativeBinomial(tr[ok], **{param: pr.expand((3, 3))[ok]}).log_prob(
        _r(value[:, ok]))
    to.grad = None
    tr.grad = None
    _grads_match([to], [tr], lp_o.sum(), lp_r.sum())
    big = ours.expand((2, 3, 3))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 3, 3)).log_prob(_r(value[0])))


def test_negative_binomial_sample_moments():
    tw.manual_seed(8)
    d = NegativeBinomial(_t([0.5, 3.0, 20.0]), _t([0.3, 0.6, 0.9]))
    x = d.sample((40_000,))
    assert tuple(x.shape) == (40_000, 3)
    assert bool(d.support.check(x).all())
    _check_moments(x, d.mean.numpy(), d.variance.numpy())


def test_negative_binomial_errors_match_torch():
    _same_error(lambda: NegativeBinomial(_t([-1.0]), _t([0.5])),
                lambda: TD.NegativeBinomial(_r([-1.0]), _r([0.5])))
    _same_error(lambda: NegativeBinomial(_t([1.0]), _t([1.0])),
                lambda: TD.NegativeBinomial(_r([1.0]), _r([1.0])))
    _same_error(lambda: NegativeBinomial(_t([1.0]), _t([0.5])).log_prob(_t([0.5])),
                lambda: TD.NegativeBinomial(_r([1.0]), _r([0.5])).log_prob(_r([0.5])))
    _same_error(lambda: NegativeBinomial(_t([1.0])), lambda: TD.NegativeBinomial(_r([1.0])))


# --- MixtureSameFamily --------------------------------------------------------------

_MIX = dict(w=_simplex(2, 3), loc=_real(2, 3), scale=_pos(2, 3), w2=_simplex(3),
            loc2=_real(2, 3, 2), scale2=_pos(2, 3, 2),
            tril=np.tril(_real(2, 3, 2, 2), -1) + 2 * np.eye(2))
_MIX_VALUES = {"normal": _real(4, 2) * 2, "mvn": _real(4, 2, 2) * 2}
_MIX_VALUES["independent"] = _MIX_VALUES["mvn"]


_TW_MIX = types.SimpleNamespace(MixtureSameFamily=MixtureSameFamily, Categorical=Categorical,
                                Normal=Normal, MultivariateNormal=MultivariateNormal,
                                Independent=Independent)


def _mixture(kind, lib):
    """``(mixture, its parameter leaves)``: univariate Normal components (mixture batch
    (2,), components (2, 3)), or bivariate MultivariateNormal / Independent(Normal)
    components with one mixture (batch ()) shared by a batch of 2."""
    mod, T = (_TW_MIX, _t) if lib == "tw" else (TD, _r)
    if kind == "normal":
        leaves = [T(_MIX[k], True) for k in ("w", "loc", "scale")]
        w, loc, scale = leaves
        return mod.MixtureSameFamily(mod.Categorical(w), mod.Normal(loc, scale)), leaves
    if kind == "mvn":
        leaves = [T(_MIX[k], True) for k in ("w2", "loc2", "tril")]
        w, loc, tril = leaves
        return mod.MixtureSameFamily(mod.Categorical(w), mod.MultivariateNormal(
            loc, scale_tril=tril)), leaves
    leaves = [T(_MIX[k], True) for k in ("w2", "loc2", "scale2")]
    w, loc, scale = leaves
    return mod.MixtureSameFamily(mod.Categorical(logits=w), mod.Independent(
        mod.Normal(loc, scale), 1)), leaves


@pytest.mark.parametrize("kind", ["normal", "mvn", "independent"])
def test_mixture_same_family_matches_torch(kind):
    (ours, o_leaves), (ref, r_leaves) = _mixture(kind, "tw"), _mixture(kind, "torch")
    assert tuple(ours.batch_shape) == tuple(ref.batch_shape)
    assert tuple(ours.event_shape) == tuple(ref.event_shape)
    value = _MIX_VALUES[kind]
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    for attr in ("mean", "variance"):
        _close(getattr(ours, attr), getattr(ref, attr))
    if kind == "normal":
        _close(ours.cdf(_t(value)), ref.cdf(_r(value)))
    _grads_match(o_leaves, r_leaves, lp_o.sum() + ours.mean.sum() + ours.variance.sum(),
                 lp_r.sum() + ref.mean.sum() + ref.variance.sum())
    assert repr(ours.support) == repr(ref.support)
    x = ours.sample((4,))
    assert tuple(x.shape) == (4,) + tuple(ref.batch_shape) + tuple(ref.event_shape)
    big = ours.expand((5, 2))
    assert tuple(big.batch_shape) == (5, 2)
    _close(big.log_prob(_t(value[0])), ref.expand((5, 2)).log_prob(_r(value[0])))


def test_mixture_same_family_sampling_law():
    tw.manual_seed(4)
    w, loc, scale = np.array([0.2, 0.5, 0.3]), np.array([-3.0, 0.0, 4.0]), np.array(
        [0.5, 1.0, 2.0])
    d = MixtureSameFamily(Categorical(_t(w)), Normal(_t(loc), _t(scale)))
    x = d.sample((20_000,))
    assert tuple(x.shape) == (20_000,)
    _ks_ok(x.numpy(), lambda v: d.cdf(_t(v)).numpy())
    # vector events: each draw is one component's whole vector
    comp = Independent(Normal(_t([[0.0, 0.0], [10.0, 10.0]]), _t([[0.1, 0.1], [0.1, 0.1]])), 1)
    xv = MixtureSameFamily(Categorical(_t([0.5, 0.5])), comp).sample((1000,)).numpy()
    assert (np.abs(xv[:, 0] - xv[:, 1]) < 2).all()
    frac = (xv[:, 0] > 5).mean()
    assert abs(frac - 0.5) < Z * math.sqrt(0.25 / 1000)


def test_mixture_same_family_errors_match_torch():
    _same_error(lambda: MixtureSameFamily(Normal(_t([0.0]), _t([1.0])),
                                          Normal(_t([0.0]), _t([1.0]))),
                lambda: TD.MixtureSameFamily(TD.Normal(_r([0.0]), _r([1.0])),
                                             TD.Normal(_r([0.0]), _r([1.0]))))
    _same_error(lambda: MixtureSameFamily(Categorical(_t([0.5, 0.5])), 3),
                lambda: TD.MixtureSameFamily(TD.Categorical(_r([0.5, 0.5])), 3))
    _same_error(lambda: MixtureSameFamily(Categorical(_t([1 / 3] * 3)),
                                          Normal(_t([0.0, 1.0]), _t([1.0, 1.0]))),
                lambda: TD.MixtureSameFamily(TD.Categorical(_r([1 / 3] * 3)),
                                             TD.Normal(_r([0.0, 1.0]), _r([1.0, 1.0]))))
    _same_error(lambda: MixtureSameFamily(Categorical(_t([[0.5, 0.5]] * 3)),
                                          Normal(_t([[0.0, 1.0]] * 2), _t([[1.0, 1.0]] * 2))),
                lambda: TD.MixtureSameFamily(TD.Categorical(_r([[0.5, 0.5]] * 3)),
                                             TD.Normal(_r([[0.0, 1.0]] * 2),
                                                       _r([[1.0, 1.0]] * 2))))
    d = MixtureSameFamily(Categorical(_t([0.5, 0.5])), Normal(_t([0.0, 1.0]), _t([1.0, 1.0])))
    ref = TD.MixtureSameFamily(TD.Categorical(_r([0.5, 0.5])),
                               TD.Normal(_r([0.0, 1.0]), _r([1.0, 1.0])))
    assert repr(d) == repr(ref).replace("torch.", "tensorweave.")
    c = constraints.MixtureSameFamilyConstraint(constraints.positive)
    v = np.array([[1.0, -1.0], [0.0, 2.0]])
    ref = TD.constraints.MixtureSameFamilyConstraint(TD.constraints.positive)
    np.testing.assert_array_equal(c.check(_t(v)).numpy(), ref.check(_r(v)).numpy())


# --- LowRankMultivariateNormal ------------------------------------------------------

_LR = dict(loc=_real(2, 1, 4), W=_real(3, 4, 2), D=_pos(4))  # batch (2, 3)


def _lowrank(lib, loc=_LR["loc"], W=_LR["W"], D=_LR["D"]):
    T, cls = (_t, LowRankMultivariateNormal) if lib == "tw" else (
        _r, TD.LowRankMultivariateNormal)
    leaves = [T(loc, True), T(W, True), T(D, True)]
    return cls(*leaves), leaves


def test_lowrank_mvn_matches_torch():
    (ours, o_leaves), (ref, r_leaves) = _lowrank("tw"), _lowrank("torch")
    assert tuple(ours.batch_shape) == (2, 3) and tuple(ours.event_shape) == (4,)
    value = _real(5, 1, 3, 4)
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    _close(ours.entropy(), ref.entropy())
    for attr in ("mean", "mode", "variance", "scale_tril", "covariance_matrix",
                 "precision_matrix"):
        _close(getattr(ours, attr), getattr(ref, attr), rtol=1e-9)
    # the same law as the MultivariateNormal of the full covariance
    full = MultivariateNormal(ours.loc, covariance_matrix=ours.covariance_matrix)
    _close(lp_o, full.log_prob(_t(value)), rtol=1e-9)
    _grads_match(o_leaves, r_leaves, lp_o.sum() + ours.entropy().sum(),
                 lp_r.sum() + ref.entropy().sum(), rtol=1e-8)
    big = ours.expand((4, 2, 3))
    _close(big.log_prob(_t(value[0])), ref.expand((4, 2, 3)).log_prob(_r(value[0])))
    assert ours.has_rsample and tuple(ours.rsample((7,)).shape) == (7, 2, 3, 4)


def test_lowrank_mvn_rsample_is_the_affine_map_of_its_noise():
    """rsample draws eps_W (..., m) then eps_D (..., n) and returns
    ``loc + W eps_W + sqrt(D) eps_D``: replaying the seed gives the noise, so the draws
    and their gradients are checked exactly."""
    d, (loc, W, D) = _lowrank("tw")
    tw.manual_seed(13)
    x = d.rsample((50,))
    tw.manual_seed(13)
    eps_w = tw.empty((50, 2, 3, 2), dtype=tw.float64).normal_().numpy()
    eps_d = tw.empty((50, 2, 3, 4), dtype=tw.float64).normal_().numpy()
    expect = (_LR["loc"] + np.einsum("bij,sabj->sabi", _LR["W"], eps_w)
              + np.sqrt(_LR["D"]) * eps_d)
    _close(x, expect, rtol=1e-12)
    x.sum().backward()
    _close(loc.grad, np.full((2, 1, 4), 150.0))
    _close(W.grad, np.broadcast_to(eps_w.sum((0, 1))[:, None, :], (3, 4, 2)), rtol=1e-12)
    _close(D.grad, (eps_d / (2 * np.sqrt(_LR["D"]))).sum((0, 1, 2)), rtol=1e-12)


def test_lowrank_mvn_sample_moments():
    tw.manual_seed(2)
    W, D = np.array([[1.0], [0.5], [-1.0]]), np.array([0.5, 1.0, 2.0])
    d = LowRankMultivariateNormal(_t([1.0, -1.0, 0.0]), _t(W), _t(D))
    x = d.sample((100_000,))
    _check_moments(x, [1.0, -1.0, 0.0], d.variance.numpy())
    xn = x.numpy()
    prod = (xn[:, 0] - 1.0) * (xn[:, 2] - 0.0)  # E = cov[0, 2] = -1
    assert abs(prod.mean() + 1.0) < Z * prod.std() / math.sqrt(len(prod))


def test_lowrank_kl_divergences_match_torch():
    p, _ = _lowrank("tw")
    pr, _ = _lowrank("torch")
    q_args = dict(loc=_real(3, 4), W=_real(4, 1), D=_pos(2, 1, 4))
    q, _ = _lowrank("tw", **q_args)
    qr, _ = _lowrank("torch", **q_args)
    _close(kl_divergence(p, q), TD.kl_divergence(pr, qr), rtol=1e-9)
    spd, loc = _spd(3, n=4), _real(3, 4)
    m = MultivariateNormal(_t(loc), covariance_matrix=_t(spd))
    mr = TD.MultivariateNormal(_r(loc), covariance_matrix=_r(spd))
    _close(kl_divergence(m, p), TD.kl_divergence(mr, pr), rtol=1e-9)
    _close(kl_divergence(p, m), TD.kl_divergence(pr, mr), rtol=1e-9)
    # all three agree with the MultivariateNormal KL on the full covariances
    full = MultivariateNormal(p.loc, covariance_matrix=p.covariance_matrix)
    full_q = MultivariateNormal(q.loc, covariance_matrix=q.covariance_matrix)
    _close(kl_divergence(p, q), kl_divergence(full, full_q), rtol=1e-9)
    _close(kl_divergence(m, p), kl_divergence(m, full), rtol=1e-9)
    _close(kl_divergence(p, m), kl_divergence(full, m), rtol=1e-9)
    # a cov_diag batch wider than cov_factor's (torch fails to expand it)
    wide = LowRankMultivariateNormal(_t(_real(2, 4)), _t(_real(4, 2)), _t(_pos(2, 4)))
    full_w = MultivariateNormal(wide.loc, covariance_matrix=wide.covariance_matrix)
    m0 = MultivariateNormal(_t(loc[0]), covariance_matrix=_t(spd[0]))
    _close(kl_divergence(wide, m0), kl_divergence(full_w, m0), rtol=1e-9)
    small = LowRankMultivariateNormal(_t(np.zeros(3)), _t(np.ones((3, 1))), _t(np.ones(3)))
    for a, b in [(p, small), (m, small), (small, m)]:
        with pytest.raises(ValueError, match="different event shapes"):
            kl_divergence(a, b)


def test_lowrank_mvn_errors_match_torch():
    L, Lr = LowRankMultivariateNormal, TD.LowRankMultivariateNormal
    cases = [([0.0, 0.0], [[1.0], [1.0], [1.0]], [1.0, 1.0]),
             ([0.0, 0.0], [1.0, 1.0], [1.0, 1.0]),
             ([0.0, 0.0], [[1.0], [1.0]], [1.0, 1.0, 1.0]),
             ([[0.0, 0.0]] * 3, [[[1.0], [1.0]]] * 2, [1.0, 1.0]),
             (0.0, [[1.0]], [1.0])]
    for loc, W, D in cases:
        _same_error(lambda: L(_t(loc), _t(W), _t(D)), lambda: Lr(_r(loc), _r(W), _r(D)))
    # torch factors the capacitance before validating (a LinAlgError); the check comes first
    with pytest.raises(ValueError, match=re.escape(
            "Expected parameter cov_diag (Tensor of shape (2,)) of distribution "
            "LowRankMultivariateNormal(loc: tensorweave.Size([2]), cov_factor: "
            "tensorweave.Size([2, 1]), cov_diag: tensorweave.Size([2])) to satisfy the "
            "constraint IndependentConstraint(GreaterThan(lower_bound=0.0), 1)")):
        L(_t([0.0, 0.0]), _t([[1.0], [1.0]]), _t([1.0, -0.5]))


# --- FisherSnedecor -----------------------------------------------------------------

def test_fisher_snedecor_matches_torch():
    d1, d2 = np.array([1.0, 2.0, 3.0, 6.5]), np.array([[1.5], [2.0], [4.0], [9.0]])
    o1, o2, r1, r2 = _t(d1, True), _t(d2, True), _r(d1, True), _r(d2, True)
    ours, ref = FisherSnedecor(o1, o2), TD.FisherSnedecor(r1, r2)
    assert tuple(ours.batch_shape) == (4, 4)
    value = _pos(3, 4, 4)
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    for attr in ("mean", "mode", "variance"):  # nan where undefined, as torch
        _close(getattr(ours, attr), getattr(ref, attr))
    ok = d2[:, 0] > 4
    loss_o = lp_o.sum() + ours.variance[ok].sum() + ours.mean[ok].sum()
    loss_r = lp_r.sum() + ref.variance[_r(ok).bool()].sum() + ref.mean[_r(ok).bool()].sum()
    _grads_match([o1, o2], [r1, r2], loss_o, loss_r)
    big = ours.expand((2, 4, 4))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 4, 4)).log_prob(_r(value[0])))
    assert FisherSnedecor(2.0, 3.0).batch_shape == tw.Size([])
    _same_error(lambda: FisherSnedecor(_t([1.0]), _t([1.0])).log_prob(_t([-1.0])),
                lambda: TD.FisherSnedecor(_r([1.0]), _r([1.0])).log_prob(_r([-1.0])))
    # torch's message names the Gamma it builds; ours names the argument
    with pytest.raises(ValueError, match=re.escape("Expected parameter df2 (Tensor of shape (1,))"
                                                   " of distribution FisherSnedecor(")):
        FisherSnedecor(_t([1.0]), _t([0.0]))


def test_fisher_snedecor_sampling_and_reparameterization():
    tw.manual_seed(6)
    n = 100_000
    d1, d2 = np.array([3.0, 10.0]), np.array([20.0, 30.0])
    leaves = [_t(np.broadcast_to(v, (n, 2)).copy(), True) for v in (d1, d2)]
    x = FisherSnedecor(*leaves).rsample()
    g1, g2 = (g.numpy() for g in tw.autograd.grad(x.sum(), leaves))
    exact = FisherSnedecor(_t(d1), _t(d2))
    _check_moments(x.detach(), exact.mean.numpy(), exact.variance.numpy())
    # per-draw pathwise gradients average to d/d(df) of the mean d2 / (d2 - 2)
    for g, expect in ((g1, np.zeros(2)), (g2, -2 / (d2 - 2) ** 2)):
        np.testing.assert_array_less(np.abs(g.mean(0) - expect), Z * g.std(0) / math.sqrt(n))


# --- ContinuousBernoulli ------------------------------------------------------------

_CB_PROBS = np.array([0.02, 0.3, 0.4995, 0.5, 0.5008, 0.75, 0.98])  # three in the lims


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_continuous_bernoulli_matches_torch(param):
    p = _CB_PROBS if param == "probs" else np.log(_CB_PROBS / (1 - _CB_PROBS))
    po, pr = _t(p, True), _r(p, True)
    ours, ref = ContinuousBernoulli(**{param: po}), TD.ContinuousBernoulli(**{param: pr})
    value = np.concatenate([_rng.uniform(0, 1, (3, 7)), np.zeros((1, 7)), np.ones((1, 7))])
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    _close(ours.cdf(_t(value)), ref.cdf(_r(value)))
    u = _rng.uniform(0, 1, (3, 7))
    _close(ours.icdf(_t(u)), ref.icdf(_r(u)))
    for attr in ("mean", "variance", "stddev", "probs", "logits"):
        _close(getattr(ours, attr), getattr(ref, attr))
    _close(ours.entropy(), ref.entropy())
    _grads_match([po], [pr], lp_o.sum() + ours.entropy().sum() + ours.mean.sum()
                 + ours.variance.sum() + ours.icdf(_t(u)).sum(),
                 lp_r.sum() + ref.entropy().sum() + ref.mean.sum() + ref.variance.sum()
                 + ref.icdf(_r(u)).sum())
    big = ours.expand((2, 7))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 7)).log_prob(_r(value[0])))
    wide = ContinuousBernoulli(**{param: _t(p)}, lims=(0.2, 0.8))
    _close(wide.mean, TD.ContinuousBernoulli(**{param: _r(p)}, lims=(0.2, 0.8)).mean)


def test_continuous_bernoulli_kl_matches_torch():
    p, q = _prob(2, 3), _prob(3)
    ours = kl_divergence(ContinuousBernoulli(_t(p)), ContinuousBernoulli(_t(q)))
    _close(ours, TD.kl_divergence(TD.ContinuousBernoulli(_r(p)), TD.ContinuousBernoulli(_r(q))))


def test_continuous_bernoulli_sampling_and_rsample():
    tw.manual_seed(9)
    for p in (0.1, 0.5, 0.8):
        d = ContinuousBernoulli(_t(p))
        x = d.sample((20_000,))
        assert tuple(x.shape) == (20_000,) and bool(d.support.check(x).all())
        _ks_ok(x.numpy(), lambda v: d.cdf(_t(v)).numpy())
    # rsample is icdf of a uniform: its gradient is that of icdf at u = cdf(x)
    probs = _t([0.2, 0.7], True)
    x = ContinuousBernoulli(probs).rsample((5,))
    x.sum().backward()
    pr = _r([0.2, 0.7], True)
    u = ContinuousBernoulli(_t([0.2, 0.7])).cdf(x.detach()).numpy()
    TD.ContinuousBernoulli(pr).icdf(_r(u)).sum().backward()
    _close(probs.grad, pr.grad, rtol=1e-8)


def test_continuous_bernoulli_errors_match_torch():
    _same_error(lambda: ContinuousBernoulli(_t([1.5]), validate_args=True),
                lambda: TD.ContinuousBernoulli(_r([1.5]), validate_args=True))
    _same_error(lambda: ContinuousBernoulli(_t([0.5])).log_prob(_t([1.5])),
                lambda: TD.ContinuousBernoulli(_r([0.5])).log_prob(_r([1.5])))
    _same_error(lambda: ContinuousBernoulli(), lambda: TD.ContinuousBernoulli())
    # without an explicit validate_args torch checks only the clamped probs: no error
    _close(ContinuousBernoulli(_t([1.5])).probs, TD.ContinuousBernoulli(_r([1.5])).probs)


# --- VonMises -----------------------------------------------------------------------

def test_von_mises_matches_torch():
    loc = np.array([0.5, -2.0, 3.0])
    conc = np.array([[1e-6], [0.5], [3.0], [3.75], [10.0], [150.0]])
    lo, co, lr, cr = _t(loc, True), _t(conc, True), _r(loc, True), _r(conc, True)
    ours, ref = VonMises(lo, co), TD.VonMises(lr, cr)
    assert tuple(ours.batch_shape) == (6, 3) and not ours.has_rsample
    value = _rng.uniform(-math.pi, math.pi, (2, 6, 3))
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    for attr in ("mean", "mode", "variance"):
        _close(getattr(ours, attr), getattr(ref, attr))
    _grads_match([lo, co], [lr, cr], lp_o.sum() + ours.variance.sum(),
                 lp_r.sum() + ref.variance.sum())
    big = ours.expand((2, 6, 3))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 6, 3)).log_prob(_r(value[0])))
    # the polynomial normalizer: within 2e-7 of the density's integral being 1
    grid = np.linspace(-math.pi, math.pi, 20_001)
    dens = VonMises(_t(0.0), _t(conc[:, 0])).log_prob(_t(grid[:, None])).exp().numpy()
    np.testing.assert_allclose(np.trapezoid(dens, grid, axis=0), 1.0, rtol=2e-6)
    _same_error(lambda: VonMises(_t([0.0]), _t([-1.0])),
                lambda: TD.VonMises(_r([0.0]), _r([-1.0])))


def test_von_mises_sampling_law():
    tw.manual_seed(17)
    grid = np.linspace(-math.pi, math.pi, 40_001)
    for loc, conc in ((1.0, 1e-6), (2.5, 0.7), (-1.0, 4.0), (0.3, 60.0)):
        d = VonMises(_t(loc), _t(conc))
        x = d.sample((20_000,))
        assert tuple(x.shape) == (20_000,) and x.dtype == tw.float64
        xn = x.numpy()
        assert (xn >= -math.pi).all() and (xn < math.pi).all()
        dens = np.exp(d.log_prob(_t(grid)).numpy())
        cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
        _ks_ok(xn, lambda v: np.interp(v, grid, cum / cum[-1]))
    x32 = VonMises(tw.tensor([0.0, 1.0]), tw.tensor([2.0, 5.0])).sample((3,))
    assert x32.dtype == tw.float32 and tuple(x32.shape) == (3, 2)


# --- LKJCholesky --------------------------------------------------------------------

def test_lkj_cholesky_matches_torch():
    conc = np.array([0.5, 1.0, 3.0])
    co, cr = _t(conc, True), _r(conc, True)
    ours, ref = LKJCholesky(4, co), TD.LKJCholesky(4, cr)
    assert tuple(ours.batch_shape) == (3,) and tuple(ours.event_shape) == (4, 4)
    torch.manual_seed(0)
    value = ref.sample((5,)).numpy()
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    _grads_match([co], [cr], lp_o.sum(), lp_r.sum())
    assert repr(ours.support) == repr(ref.support) == "CorrCholesky()"
    bad = value.copy()
    bad[..., 1, 0] *= 1.1  # the row no longer has unit norm
    np.testing.assert_array_equal(constraints.corr_cholesky.check(_t(bad)).numpy(),
                                  TD.constraints.corr_cholesky.check(_r(bad)).numpy())
    big = ours.expand((2, 3))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 3)).log_prob(_r(value[0])))
    s = LKJCholesky(3, 2.0).sample((4,))
    assert tuple(s.shape) == (4, 3, 3) and s.dtype == tw.float32
    _same_error(lambda: LKJCholesky(1), lambda: TD.LKJCholesky(1))
    _same_error(lambda: LKJCholesky(3, _t([-1.0])), lambda: TD.LKJCholesky(3, _r([-1.0])))
    _same_error(lambda: LKJCholesky(2, _t([1.0])).log_prob(_t(np.eye(2) * 2)),
                lambda: TD.LKJCholesky(2, _r([1.0])).log_prob(_r(np.eye(2) * 2)))


def test_lkj_cholesky_sampling_law():
    """Every off-diagonal correlation of ``L L^T`` has the same marginal law: ``(r + 1) / 2
    ~ Beta(b, b)`` with ``b = concentration - 1 + dim / 2`` (LKJ 2009, section 3.2); KS
    tests against its numerically integrated CDF, for rows 1 to 3."""
    tw.manual_seed(10)
    dim, conc = 4, 1.5
    d = LKJCholesky(dim, _t(conc))
    x = d.sample((10_000,))
    assert bool(d.support.check(x).all())
    corr = (x @ x.transpose(-2, -1)).numpy()
    b = conc - 1 + dim / 2
    grid = np.linspace(-1, 1, 20_001)
    dens = (1 - grid ** 2) ** (b - 1)
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
    for i, j in ((1, 0), (2, 1), (3, 0)):
        _ks_ok(corr[:, i, j], lambda v: np.interp(v, grid, cum / cum[-1]))


# --- Wishart ------------------------------------------------------------------------

_W = dict(df=np.array([[3.5], [5.0], [9.0]]), spd=_spd(2, n=3))  # batch (3, 2)


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(kind):
    mat = np.linalg.cholesky(_W["spd"]) if kind == "scale_tril" else _W["spd"]
    do, mo, dr, mr = _t(_W["df"], True), _t(mat, True), _r(_W["df"], True), _r(mat, True)
    ours, ref = Wishart(do, **{kind: mo}), TD.Wishart(dr, **{kind: mr})
    assert tuple(ours.batch_shape) == (3, 2) and tuple(ours.event_shape) == (3, 3)
    value = _spd(4, 3, 2, n=3) / 3
    lp_o, lp_r = ours.log_prob(_t(value)), ref.log_prob(_r(value))
    _close(lp_o, lp_r)
    _close(ours.entropy(), ref.entropy())
    for attr in ("mean", "mode", "variance", "scale_tril", "covariance_matrix",
                 "precision_matrix"):
        _close(getattr(ours, attr), getattr(ref, attr), rtol=1e-9)
    # torch's trigamma (in the entropy's df gradient) is accurate to ~5e-10
    _grads_match([do, mo], [dr, mr], lp_o.sum() + ours.entropy().sum(),
                 lp_r.sum() + ref.entropy().sum(), rtol=1e-8, atol=1e-8)
    big = ours.expand((2, 3, 2))
    _close(big.log_prob(_t(value[0])), ref.expand((2, 3, 2)).log_prob(_r(value[0])))
    _close(big.entropy(), ref.expand((2, 3, 2)).entropy())
    assert tuple(big.rsample((2,)).shape) == (2, 2, 3, 2, 3, 3)
    scalar = Wishart(4.0, **{kind: _t(mat[0])})
    _close(scalar.log_prob(_t(value[0, 0, 0])),
           TD.Wishart(4.0, **{kind: _r(mat[0])}).log_prob(_r(value[0, 0, 0])))


def test_wishart_sampling_and_reparameterization():
    """Moments of Bartlett draws (E W = df V, Var W_ij = df (V_ij^2 + V_ii V_jj)) and the
    means of the per-draw pathwise gradients: d/d(df) E[W_01] = V_01 and
    d/dV_11 E[W_11] = df (the Cholesky factor's gradient is symmetric, so only the
    diagonal of a symmetric-input gradient is fixed by the law)."""
    tw.manual_seed(12)
    n = 40_000
    V = np.array([[2.0, 0.6], [0.6, 1.0]])
    df = _t(np.full((n,), 4.5), True)
    cov = _t(np.broadcast_to(V, (n, 2, 2)).copy(), True)
    d = Wishart(df, covariance_matrix=cov)
    x = d.rsample()
    assert tuple(x.shape) == (n, 2, 2) and bool(d.support.check(x.detach()).all())
    var = 4.5 * (V ** 2 + np.outer(np.diag(V), np.diag(V)))
    _check_moments(x.detach(), (4.5 * V).ravel(), var.ravel())
    (g_df,) = tw.autograd.grad(x[:, 0, 1].sum(), [df], retain_graph=True)
    (g_cov,) = tw.autograd.grad(x[:, 1, 1].sum(), [cov])
    for g, expect in ((g_df.numpy(), V[0, 1]), (g_cov.numpy()[:, 1, 1], 4.5),
                      (g_cov.numpy()[:, 0, 0], 0.0)):
        assert abs(g.mean() - expect) < Z * g.std() / math.sqrt(n) + 1e-12


def test_wishart_redraws_singular_samples(monkeypatch):
    d = Wishart(_t([3.0, 4.0]), covariance_matrix=_t(np.eye(2)))
    bartlett = Wishart._bartlett_sampling
    calls = []

    def first_singular(self, sample_shape):
        calls.append(sample_shape)
        out = bartlett(self, sample_shape)
        return out * 0 if len(calls) == 1 else out

    monkeypatch.setattr(Wishart, "_bartlett_sampling", first_singular)
    with pytest.warns(UserWarning, match="Singular sample detected"):
        x = d.rsample((3,))
    assert len(calls) == 2 and bool(d.support.check(x).all())


def test_wishart_errors_match_torch():
    eye = np.eye(2)
    _same_error(lambda: Wishart(3.0), lambda: TD.Wishart(3.0))
    _same_error(lambda: Wishart(3.0, _t(eye), scale_tril=_t(eye)),
                lambda: TD.Wishart(3.0, _r(eye), scale_tril=_r(eye)))
    _same_error(lambda: Wishart(3.0, _t([1.0])), lambda: TD.Wishart(3.0, _r([1.0])))
    _same_error(lambda: Wishart(0.5, _t(eye)), lambda: TD.Wishart(0.5, _r(eye)))
    not_pd = [[1.0, 2.0], [2.0, 1.0]]
    _same_error(lambda: Wishart(_t([3.0]), _t(not_pd)),
                lambda: TD.Wishart(_r([3.0]), _r(not_pd)))
    _same_error(lambda: Wishart(_t([3.0]), _t(eye)).log_prob(_t(-eye)),
                lambda: TD.Wishart(_r([3.0]), _r(eye)).log_prob(_r(-eye)))
    with pytest.warns(UserWarning, match="Low df values detected"):
        Wishart(1.5, _t(eye))


def test_one_hot_categorical_straight_through_rsample():
    """PyTorch's straight-through estimator: a one-hot sample whose gradient is the
    identity to the normalized ``probs`` (so through the normalization to ``probs``)."""
    import tensorweave.distributions as D

    probs = tw.tensor([0.2, 0.5, 0.3], dtype=tw.float64, requires_grad=True)
    d = D.OneHotCategoricalStraightThrough(probs)
    assert d.has_rsample and isinstance(d, D.OneHotCategorical)
    tw.manual_seed(0)
    x = d.rsample((4,))
    assert x.detach().sum(-1).tolist() == [1.0] * 4 and set(x.detach().flatten().tolist()) <= {0, 1}
    (x * tw.tensor([1.0, 2.0, 3.0], dtype=tw.float64)).sum().backward()
    p = np.array([0.2, 0.5, 0.3])
    w = 4 * np.array([1.0, 2.0, 3.0])  # d/d(normalized p), then through p / sum(p)
    np.testing.assert_allclose(probs.grad.numpy(), w - (w * p).sum(), atol=1e-12)
