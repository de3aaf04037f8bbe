"""`tensorweave.distributions.kl_divergence` against torch's (values and float64 gradients,
with broadcasting and the infinite cases) and `register_kl`'s dispatch rules."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
from _distribution_params import param_makers  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402
from tensorweave.distributions import kl as kl_module  # noqa: E402

_rng, _pos, _real, _prob, _simplex, _spd = param_makers(1)


# class name, p's params, q's params (shapes broadcast between p and q), gradient rtol
PAIRS = {
    "Normal": (dict(loc=_real(2, 3), scale=_pos(2, 3)), dict(loc=_real(3), scale=_pos(3))),
    # same shapes: torch's Bernoulli KL masks with q's shape and cannot broadcast
    "Bernoulli": (dict(probs=_prob(2, 3)), dict(probs=_prob(2, 3))),
    "Bernoulli_logits": (dict(logits=_real(4)), dict(logits=_real(4))),
    "Categorical": (dict(probs=_simplex(2, 4)), dict(probs=_simplex(4))),
    "Categorical_logits": (dict(logits=_real(3, 5)), dict(logits=_real(3, 5))),
    "OneHotCategorical": (dict(probs=_simplex(2, 4)), dict(probs=_simplex(2, 4))),
    "Uniform": (dict(low=_rng.uniform(-1, 0, (2, 3)), high=_rng.uniform(1, 2, (2, 3))),
                dict(low=_rng.uniform(-3, -1, (3,)), high=_rng.uniform(2, 3, (3,)))),
    "Exponential": (dict(rate=_pos(2, 3)), dict(rate=_pos(3))),
    "Laplace": (dict(loc=_real(2, 3), scale=_pos(2, 3)), dict(loc=_real(3), scale=_pos(3))),
    "Poisson": (dict(rate=_pos(2, 3)), dict(rate=_pos(2, 3))),
    "Geometric": (dict(probs=_prob(2, 3)), dict(probs=_prob(3))),
    "Gamma": (dict(concentration=_pos(2, 3), rate=_pos(3)),
              dict(concentration=_pos(3), rate=_pos(2, 3))),
    "Beta": (dict(concentration1=_pos(2, 3), concentration0=_pos(3)),
             dict(concentration1=_pos(3), concentration0=_pos(2, 3))),
    "Dirichlet": (dict(concentration=_pos(2, 4)), dict(concentration=_pos(4))),
    "MultivariateNormal": (dict(loc=_real(2, 3), covariance_matrix=_spd(2)),
                           dict(loc=_real(3), scale_tril=np.linalg.cholesky(_spd()))),
    "MultivariateNormal_precision": (dict(loc=_real(3), precision_matrix=_spd(2)),
                                     dict(loc=_real(2, 3), covariance_matrix=_spd())),
}
# torch's trigamma (in the gradients of digamma) is accurate to ~5e-10 only
_ATOL = {"Gamma": 1e-8, "Beta": 1e-8, "Dirichlet": 1e-8}


def _build(name, params, lib):
    cls = name.split("_")[0]
    if lib == "torch":
        ts = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        return getattr(TD, cls)(**ts), ts
    ts = {k: tw.tensor(v, dtype=tw.float64, requires_grad=True) for k, v in params.items()}
    return getattr(D, cls)(**ts), ts


def _tw(x):
    return tw.tensor(x, dtype=tw.float64)


def _close(a, b, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_matches_torch(name):
    pp, qp = PAIRS[name]
    (op, opt), (oq, oqt) = _build(name, pp, "tw"), _build(name, qp, "tw")
    (rp, rpt), (rq, rqt) = _build(name, pp, "torch"), _build(name, qp, "torch")
    ours, ref = D.kl_divergence(op, oq), TD.kl_divergence(rp, rq)
    assert tuple(ours.shape) == tuple(ref.shape)
    _close(ours, ref, rtol=1e-9)
    ours.sum().backward()
    ref.sum().backward()
    for k in pp:
        _close(opt[k].grad, rpt[k].grad, rtol=1e-8, atol=_ATOL.get(name.split("_")[0], 1e-11))
    for k in qp:
        _close(oqt[k].grad, rqt[k].grad, rtol=1e-8, atol=_ATOL.get(name.split("_")[0], 1e-11))


def test_kl_independent_and_lognormal():
    loc, scale, loc2, scale2 = _real(2, 3), _pos(2, 3), _real(3), _pos(2, 3)

    def both(mod, wrap):
        return (wrap(mod.Normal(*[wrap(x) for x in (loc, scale)])),
                wrap(mod.Normal(*[wrap(x) for x in (loc2, scale2)])))

    def tw_ind(x):
        return D.Independent(x, 1) if isinstance(x, D.Distribution) else tw.tensor(x)

    def th_ind(x):
        return TD.Independent(x, 1) if isinstance(x, TD.Distribution) else torch.tensor(x)

    _close(D.kl_divergence(*both(D, tw_ind)), TD.kl_divergence(*both(TD, th_ind)))
    ours = D.kl_divergence(D.LogNormal(tw.tensor(loc), tw.tensor(scale)),
                           D.LogNormal(tw.tensor(loc2), tw.tensor(scale2)))
    ref = TD.kl_divergence(TD.LogNormal(torch.tensor(loc), torch.tensor(scale)),
                           TD.LogNormal(torch.tensor(loc2), torch.tensor(scale2)))
    _close(ours, ref)
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Independent(D.Normal(tw.tensor(loc), tw.tensor(scale)), 1),
                        D.Independent(D.Normal(tw.tensor(loc), tw.tensor(scale)), 2))


def test_kl_infinite_and_degenerate_cases():
    def pair(cls, p, q, key):
        def make(mod, to, v):
            return getattr(mod, cls)(**{key: to(v)})

        ours = D.kl_divergence(make(D, _tw, p), make(D, _tw, q))
        ref = TD.kl_divergence(make(TD, torch.tensor, p), make(TD, torch.tensor, q))
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-10)
        return ours.numpy()

    out = pair("Bernoulli", np.array([0.0, 1.0, 0.5, 0.3]), np.array([0.3, 0.0, 1.0, 0.3]),
               "probs")
    assert out[1] == math.inf and out[2] == math.inf and out[3] == 0
    out = pair("Categorical", np.array([[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]),
               np.array([[0.2, 0.3, 0.5], [0.5, 0.0, 0.5]]), "probs")
    assert out[1] == math.inf and np.isfinite(out[0])
    ours = D.kl_divergence(D.Uniform(tw.tensor([0.0, -2.0]), tw.tensor([1.0, 1.0])),
                           D.Uniform(tw.tensor([-1.0, -1.0]), tw.tensor([2.0, 2.0])))
    np.testing.assert_allclose(ours.numpy(), [math.log(3.0), math.inf])


def test_kl_not_implemented_message():
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p "
                                                  "type Laplace and q type Cauchy"):
        D.kl_divergence(D.Laplace(0.0, 1.0), D.Cauchy(0.0, 1.0))
    # two exponential families without a registered pair: PyTorch's Bregman refusal
    with pytest.raises(NotImplementedError, match="between different exponential families"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Poisson(1.0))
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)


def test_register_kl_most_specific_match_and_ambiguity():
    class MyNormal(D.Normal):
        pass

    class MyOther(D.Normal):
        pass

    def mine(p, q):
        return tw.tensor(42.0)

    def other(p, q):
        return tw.tensor(7.0)

    added = [(MyNormal, D.Normal), (D.Normal, MyOther), (MyNormal, MyOther)]
    try:
        D.register_kl(MyNormal, D.Normal)(mine)
        p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
        assert D.kl_divergence(p, q).item() == 42.0  # (MyNormal, Normal) beats (Normal, Normal)
        assert D.kl_divergence(q, p).item() == pytest.approx(
            TD.kl_divergence(TD.Normal(1.0, 2.0), TD.Normal(0.0, 1.0)).item())
        D.register_kl(D.Normal, MyOther)(other)
        with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence\\(MyNormal, MyOther\\)"):
            D.kl_divergence(MyNormal(0.0, 1.0), MyOther(0.0, 1.0))
        D.register_kl(MyNormal, MyOther)(other)  # the tie-breaker
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert D.kl_divergence(MyNormal(0.0, 1.0), MyOther(0.0, 1.0)).item() == 7.0
    finally:
        for key in added:
            kl_module._KL_REGISTRY.pop(key, None)
        kl_module._KL_MEMOIZE.clear()
