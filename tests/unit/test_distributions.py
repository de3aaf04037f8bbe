"""`tensorweave.distributions` against `torch.distributions` in float64: log_prob, cdf,
icdf, entropy, moments, shapes (parameter broadcasting, sample_shape, expand) and the
gradients of log_prob + entropy with respect to every parameter."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
from _distribution_params import param_makers  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402

RTOL = 1e-10
_rng, _pos, _real, _prob, _simplex, _spd = param_makers(0)


def _tril(*batch, n=3):
    a = np.tril(_rng.normal(size=batch + (n, n)), -1)
    return a + np.eye(n) * _rng.uniform(0.5, 2.0, batch + (n, 1))


# name, params (tensors get gradients), extra non-tensor kwargs, value(batch_shape) in the
# support, whether cdf/icdf are defined. Parameters of different shapes broadcast.
CASES = {
    "Normal": (dict(loc=_real(2, 3), scale=_pos(3)), {}, _real, True),
    "LogNormal": (dict(loc=_real(3), scale=_pos(2, 1)), {}, _pos, True),
    "Uniform": (dict(low=_real(2, 3) - 2, high=_pos(3) + 1), {},
                lambda *s: _rng.uniform(-0.9, 1.4, s), True),
    "Exponential": (dict(rate=_pos(2, 3)), {}, _pos, True),
    "Laplace": (dict(loc=_real(3), scale=_pos(2, 3)), {}, _real, True),
    "Cauchy": (dict(loc=_real(2, 3), scale=_pos(1)), {}, _real, True),
    "Bernoulli": (dict(probs=_prob(2, 3)), {}, lambda *s: _rng.integers(0, 2, s) * 1.0, False),
    "Bernoulli_logits": (dict(logits=_real(4)), {}, lambda *s: _rng.integers(0, 2, s) * 1.0,
                         False),
    "Geometric": (dict(probs=_prob(2, 3)), {}, lambda *s: _rng.integers(0, 6, s) * 1.0, False),
    "Poisson": (dict(rate=_pos(2, 3)), {}, lambda *s: _rng.integers(0, 6, s) * 1.0, False),
    "Binomial": (dict(probs=_prob(2, 3)), dict(total_count=7),
                 lambda *s: _rng.integers(0, 8, s) * 1.0, False),
    "Binomial_logits": (dict(logits=_real(3)), dict(total_count=5),
                        lambda *s: _rng.integers(0, 6, s) * 1.0, False),
    "Categorical": (dict(probs=_simplex(2, 4)), {}, lambda *s: _rng.integers(0, 4, s) * 1.0,
                    False),
    "Categorical_logits": (dict(logits=_real(3, 5)), {},
                           lambda *s: _rng.integers(0, 5, s) * 1.0, False),
    "Gamma": (dict(concentration=_pos(2, 3), rate=_pos(3)), {}, _pos, False),
    "Chi2": (dict(df=_pos(2, 3) + 1), {}, _pos, False),
    "Beta": (dict(concentration1=_pos(2, 3), concentration0=_pos(3)), {}, _prob, False),
    "StudentT": (dict(df=_pos(2, 3) + 2, loc=_real(3), scale=_pos(3)), {}, _real, False),
}

_DIGAMMA_ENTROPY = {"Gamma", "Chi2", "Beta", "StudentT"}
_VALUE_SHAPE = {"Categorical": (2,), "Categorical_logits": (3,)}


def _make(name, params, extra, lib):
    cls_name = name.split("_")[0]
    mod = TD if lib == "torch" else D
    if lib == "torch":
        ts = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in params.items()}
    else:
        ts = {k: tw.tensor(v, dtype=tw.float64, requires_grad=True) for k, v in params.items()}
    return getattr(mod, cls_name)(**ts, **extra), ts


def _close(a, b, rtol=RTOL, atol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    np.testing.assert_allclose(a, b.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _tw(x):
    return tw.tensor(x, dtype=tw.float64)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    params, extra, value_fn, has_cdf = CASES[name]
    ours, _ = _make(name, params, extra, "tw")
    ref, _ = _make(name, params, extra, "torch")
    assert tuple(ours.batch_shape) == tuple(ref.batch_shape)
    assert tuple(ours.event_shape) == tuple(ref.event_shape)
    assert ours.has_rsample == ref.has_rsample
    shape = _VALUE_SHAPE.get(name, tuple(ref.batch_shape))
    value = value_fn(4, *shape)  # a leading sample dim broadcasts against batch_shape
    _close(ours.log_prob(_tw(value)), ref.log_prob(torch.tensor(value)))
    for attr in ("mean", "variance", "stddev", "mode"):
        _close(getattr(ours, attr), getattr(ref, attr))
    if name != "Poisson":  # neither library has a Poisson entropy
        _close(ours.entropy(), ref.entropy())
    if has_cdf:
        _close(ours.cdf(_tw(value)), ref.cdf(torch.tensor(value)))
        u = _rng.uniform(0.05, 0.95, (4,) + shape)
        _close(ours.icdf(_tw(u)), ref.icdf(torch.tensor(u)), rtol=1e-9)
    sample = ours.sample((2, 5))
    assert tuple(sample.shape) == (2, 5) + tuple(ref.batch_shape) + tuple(ref.event_shape)
    assert bool(ours.support.check(sample).all())
    big = ours.expand((6,) + tuple(ours.batch_shape))
    refbig = ref.expand((6,) + tuple(ref.batch_shape))
    assert tuple(big.batch_shape) == tuple(refbig.batch_shape)
    _close(big.log_prob(_tw(value[:1])), refbig.log_prob(torch.tensor(value[:1])))


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_match_torch(name):
    params, extra, value_fn, _ = CASES[name]
    ours, tp = _make(name, params, extra, "tw")
    ref, rp = _make(name, params, extra, "torch")
    value = value_fn(3, *_VALUE_SHAPE.get(name, tuple(ref.batch_shape)))
    loss_t = ref.log_prob(torch.tensor(value)).sum()
    loss_o = ours.log_prob(_tw(value)).sum()
    if name != "Poisson":
        loss_t = loss_t + ref.entropy().sum()
        loss_o = loss_o + ours.entropy().sum()
    loss_t.backward()
    loss_o.backward()
    # torch's trigamma (the derivative of digamma) is accurate to ~5e-10 only, ours to
    # ~1e-16; where entropy has digamma terms that cancel, allow that much absolute error
    atol = 1e-8 if name in _DIGAMMA_ENTROPY else 1e-12
    for k in params:
        _close(tp[k].grad, rp[k].grad, rtol=1e-9, atol=atol)


def test_binomial_entropy_and_enumerate_support():
    probs = _prob(2, 3)
    ours = D.Binomial(6, _tw(probs))
    ref = TD.Binomial(6, torch.tensor(probs))
    _close(ours.entropy(), ref.entropy())
    _close(ours.enumerate_support(), ref.enumerate_support())
    assert tuple(ours.enumerate_support(False).shape) == (7, 1, 1)
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
        D.Binomial(_tw([3.0, 4.0]), _tw([0.5, 0.5])).entropy()


def test_enumerate_support_matches_torch():
    probs = _simplex(2, 3)
    for ours, ref in [(D.Categorical(_tw(probs)), TD.Categorical(torch.tensor(probs))),
                      (D.OneHotCategorical(_tw(probs)),
                       TD.OneHotCategorical(torch.tensor(probs))),
                      (D.Bernoulli(_tw(probs[0])), TD.Bernoulli(torch.tensor(probs[0])))]:
        for expand in (True, False):
            np.testing.assert_array_equal(ours.enumerate_support(expand).numpy(),
                                          ref.enumerate_support(expand).numpy())


def test_one_hot_categorical_matches_torch():
    logits = _real(2, 4)
    ours = D.OneHotCategorical(logits=_tw(logits))
    ref = TD.OneHotCategorical(logits=torch.tensor(logits))
    assert tuple(ours.event_shape) == (4,) and tuple(ours.batch_shape) == (2,)
    value = np.eye(4)[_rng.integers(0, 4, (5, 2))]
    _close(ours.log_prob(_tw(value)), ref.log_prob(torch.tensor(value)))
    for attr in ("mean", "variance", "mode"):
        _close(getattr(ours, attr), getattr(ref, attr))
    _close(ours.entropy(), ref.entropy())
    s = ours.sample((3,))
    assert tuple(s.shape) == (3, 2, 4)
    np.testing.assert_array_equal(s.sum(-1).numpy(), np.ones((3, 2)))


def test_dirichlet_matches_torch():
    conc = _pos(2, 4)
    ours, ref = D.Dirichlet(_tw(conc)), TD.Dirichlet(torch.tensor(conc))
    value = _simplex(5, 2, 4)
    _close(ours.log_prob(_tw(value)), ref.log_prob(torch.tensor(value)))
    for attr in ("mean", "variance", "mode"):
        _close(getattr(ours, attr), getattr(ref, attr))
    _close(ours.entropy(), ref.entropy())
    small = np.array([[0.3, 0.5, 0.2], [2.0, 3.0, 1.5]])
    _close(D.Dirichlet(_tw(small)).mode, TD.Dirichlet(torch.tensor(small)).mode)
    s = ours.sample((3,))
    assert tuple(s.shape) == (3, 2, 4)
    np.testing.assert_allclose(s.sum(-1).numpy(), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_matches_torch(kind):
    loc = _real(2, 1, 3)  # broadcasts with a matrix batch of (4,)
    mat = _tril(4) if kind == "scale_tril" else _spd(4)
    tl = tw.tensor(loc, dtype=tw.float64, requires_grad=True)
    tm = tw.tensor(mat, dtype=tw.float64, requires_grad=True)
    rl = torch.tensor(loc, requires_grad=True)
    rm = torch.tensor(mat, requires_grad=True)
    ours = D.MultivariateNormal(tl, **{kind: tm})
    ref = TD.MultivariateNormal(rl, **{kind: rm})
    assert tuple(ours.batch_shape) == (2, 4) and tuple(ours.event_shape) == (3,)
    value = _real(5, 1, 4, 3)
    lp_o, lp_r = ours.log_prob(_tw(value)), ref.log_prob(torch.tensor(value))
    _close(lp_o, lp_r, rtol=1e-9)
    for attr in ("mean", "variance", "scale_tril", "covariance_matrix", "precision_matrix"):
        _close(getattr(ours, attr), getattr(ref, attr), rtol=1e-9)
    _close(ours.entropy(), ref.entropy())
    (lp_o.sum() + ours.entropy().sum()).backward()
    (lp_r.sum() + ref.entropy().sum()).backward()
    _close(tl.grad, rl.grad, rtol=1e-8)
    _close(tm.grad, rm.grad, rtol=1e-8, atol=1e-10)
    assert tuple(ours.rsample((7,)).shape) == (7, 2, 4, 3)
    big = ours.expand((3, 2, 4))
    _close(big.log_prob(_tw(value[0, 0])), ref.expand((3, 2, 4)).log_prob(
        torch.tensor(value[0, 0])), rtol=1e-9)


def test_independent_matches_torch():
    loc, scale = _real(2, 3), _pos(2, 3)
    ours = D.Independent(D.Normal(_tw(loc), _tw(scale)), 1)
    ref = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    assert tuple(ours.batch_shape) == (2,) and tuple(ours.event_shape) == (3,)
    value = _real(4, 2, 3)
    _close(ours.log_prob(_tw(value)), ref.log_prob(torch.tensor(value)))
    _close(ours.entropy(), ref.entropy())
    assert ours.has_rsample and not ours.has_enumerate_support
    assert repr(ours.support) == repr(ref.support) == "IndependentConstraint(Real(), 1)"
    big = ours.expand((5, 2))
    assert tuple(big.batch_shape) == (5, 2) and tuple(big.event_shape) == (3,)
    _close(big.log_prob(_tw(value[0])), ref.expand((5, 2)).log_prob(torch.tensor(value[0])))
    with pytest.raises(ValueError, match="Expected reinterpreted_batch_ndims <= "):
        D.Independent(D.Normal(_tw(loc), _tw(scale)), 3)


def test_scalar_parameters_and_default_dtype():
    n = D.Normal(0.0, 1.0)
    assert tuple(n.batch_shape) == () and n.loc.dtype == tw.float32
    assert tuple(n.sample((3,)).shape) == (3,)
    b = D.Bernoulli(0.3)
    assert tuple(b.batch_shape) == () and tuple(b.sample().shape) == ()
    g = D.Beta(2.0, 3.0)
    assert tuple(g.batch_shape) == ()
    np.testing.assert_allclose(g.mean.item(), 0.4, rtol=1e-6)
    # numbers take the dtype of the tensor parameter
    assert D.Normal(_tw([0.0, 1.0]), 2.0).scale.dtype == tw.float64
