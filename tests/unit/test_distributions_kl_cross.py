"""The cross-family `kl_divergence` pairs (`tensorweave.distributions.kl_cross`) against
torch's in float64: closed forms with their gradients, pairs finite for some parameters and
infinite for others (support checks, boundaries included), pairs always infinite, and the
registry holding every pair torch's does."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
import torch.distributions.kl as torch_kl  # noqa: E402
from _distribution_params import build, param_makers  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402
from tensorweave.distributions import kl as kl_module  # noqa: E402

_rng, _pos, _real, _prob, _simplex, _spd = param_makers(7)


def _beta(*s):
    return "Beta", dict(concentration1=_pos(*s), concentration0=_pos(*s))


def _cb(*s):
    # 0.5004 lies inside the default lims (0.499, 0.501): the Taylor branch
    probs = np.broadcast_to(np.array([0.2, 0.5004, 0.85]), s).copy()
    return "ContinuousBernoulli", dict(probs=probs)


def _normal(*s):
    return "Normal", dict(loc=_real(*s), scale=_pos(*s))


def _laplace(*s):
    return "Laplace", dict(loc=_real(*s), scale=_pos(*s))


def _exponential(*s):
    return "Exponential", dict(rate=_pos(*s))


def _gamma(*s):
    return "Gamma", dict(concentration=_pos(*s), rate=_pos(*s))


def _uniform(low, high):
    return "Uniform", dict(low=np.array(low, dtype=float), high=np.array(high, dtype=float))


# Closed forms, finite for every parameter: values and gradients. p's parameters are (2, 3)
# and q's (3,), so the results broadcast.
FINITE = {
    "Bernoulli-Poisson": (("Bernoulli", dict(probs=_prob(2, 3))), ("Poisson", dict(rate=_pos(3)))),
    "Beta-ContinuousBernoulli": (_beta(2, 3), _cb(3)),
    "Beta-ContinuousBernoulli_logits": (_beta(2, 3),
                                        ("ContinuousBernoulli", dict(logits=_real(3)))),
    "Beta-Exponential": (_beta(2, 3), _exponential(3)),
    "Beta-Gamma": (_beta(2, 3), _gamma(3)),
    "Beta-Normal": (_beta(2, 3), _normal(3)),
    "Cauchy-Cauchy": (("Cauchy", dict(loc=_real(2, 3), scale=_pos(2, 3))),
                      ("Cauchy", dict(loc=_real(3), scale=_pos(3)))),
    "ContinuousBernoulli-Exponential": (_cb(2, 3), _exponential(3)),
    "ContinuousBernoulli-Normal": (_cb(2, 3), _normal(3)),
    "Exponential-Gamma": (_exponential(2, 3), _gamma(3)),
    "Exponential-Normal": (_exponential(2, 3), _normal(3)),
    "Gamma-Exponential": (_gamma(2, 3), _exponential(3)),
    "Gamma-Normal": (_gamma(2, 3), _normal(3)),
    "Laplace-Normal": (_laplace(2, 3), _normal(3)),
    "Normal-Laplace": (_normal(2, 3), _laplace(3)),
    "Uniform-Normal": (_uniform(_real(2, 3) - 2, _pos(2, 3)), _normal(3)),
    # support checks passed everywhere (torch masks with its result's shape: no broadcasting)
    "Beta-Uniform": (_beta(2, 3), _uniform(-_pos(2, 3), 1 + _pos(2, 3))),
    "ContinuousBernoulli-Uniform": (_cb(2, 3), _uniform(-_pos(2, 3), 1 + _pos(2, 3))),
    "Uniform-Beta": (_uniform(_rng.uniform(0.05, 0.4, (2, 3)), _rng.uniform(0.5, 0.95, (2, 3))),
                     _beta(2, 3)),
    "Uniform-ContinuousBernoulli": (_uniform(_rng.uniform(0.05, 0.4, (2, 3)),
                                             _rng.uniform(0.5, 0.95, (2, 3))), _cb(2, 3)),
    "Uniform-Exponential": (_uniform(_pos(2, 3) - 0.4, _pos(2, 3) + 3), _exponential(2, 3)),
    "Uniform-Gamma": (_uniform(_pos(2, 3) - 0.4, _pos(2, 3) + 3), _gamma(2, 3)),
}

# Finite for some parameters, infinite for others; the shared endpoints are where torch's
# checks differ (strict for Beta || Uniform, not for ContinuousBernoulli || Uniform).
_LOW, _HIGH = [-0.5, 0.0, 0.2, -1.0, 0.0], [1.5, 1.0, 2.0, 0.8, 3.0]
_ULOW, _UHIGH = [0.1, 0.0, -0.2, 0.3, 0.0, 0.6], [0.7, 1.0, 0.5, 1.2, 0.4, 1.0]
MIXED = {
    "Beta-Uniform": (_beta(5), _uniform(_LOW, _HIGH)),
    "ContinuousBernoulli-Uniform": (("ContinuousBernoulli", dict(probs=_prob(5))),
                                    _uniform(_LOW, _HIGH)),
    "Uniform-Beta": (_uniform(_ULOW, _UHIGH), _beta(6)),
    "Uniform-ContinuousBernoulli": (_uniform(_ULOW, _UHIGH),
                                    ("ContinuousBernoulli", dict(probs=_prob(6)))),
    "Uniform-Exponential": (_uniform([-1.0, 0.0, 0.5, -0.1], [1.0, 2.0, 3.0, 0.2]),
                            _exponential(4)),
    "Uniform-Gamma": (_uniform([-1.0, 0.0, 0.5, -0.1], [1.0, 2.0, 3.0, 0.2]), _gamma(4)),
}

# Infinite everywhere: p has mass where q has none
_PARETO = ("Pareto", dict(scale=_pos(3), alpha=_pos(3)))
_OTHER_P = {"Exponential": _exponential(2, 3), "Gamma": _gamma(2, 3),
            "Laplace": _laplace(2, 3), "Normal": _normal(2, 3)}
_Q = {"Beta": _beta(3), "ContinuousBernoulli": _cb(3), "Exponential": _exponential(3),
      "Gamma": _gamma(3), "Uniform": _uniform(_real(3) - 2, _pos(3))}
INFINITE = {
    f"{p}-{q}": (_OTHER_P[p], _Q[q])
    for p, qs in (("Exponential", ("Beta", "ContinuousBernoulli", "Uniform")),
                  ("Gamma", ("Beta", "ContinuousBernoulli", "Uniform")),
                  ("Laplace", tuple(_Q)), ("Normal", tuple(_Q)))
    for q in qs
}
INFINITE.update({
    "ContinuousBernoulli-Pareto": (_cb(2, 3), _PARETO),
    "Gumbel-ContinuousBernoulli": (("Gumbel", dict(loc=_real(2, 3), scale=_pos(2, 3))), _cb(3)),
    "Pareto-ContinuousBernoulli": (("Pareto", dict(scale=_pos(2, 3), alpha=_pos(2, 3))), _cb(3)),
    "Poisson-Bernoulli": (("Poisson", dict(rate=_pos(2, 3))), ("Bernoulli", dict(probs=_prob(3)))),
    "Poisson-Binomial": (("Poisson", dict(rate=_pos(2, 3))),
                         ("Binomial", dict(probs=_prob(3), total_count=np.full(3, 4.0)))),
})

_CROSS_PAIRS = {
    ("Bernoulli", "Poisson"), ("Cauchy", "Cauchy"), ("ContinuousBernoulli", "Pareto"),
    ("Gumbel", "ContinuousBernoulli"), ("Normal", "Laplace"), ("Pareto", "ContinuousBernoulli"),
    ("Poisson", "Bernoulli"), ("Poisson", "Binomial"),
    *((p, q) for p, qs in (
        ("Beta", ("ContinuousBernoulli", "Exponential", "Gamma", "Normal", "Uniform")),
        ("ContinuousBernoulli", ("Exponential", "Normal", "Uniform")),
        ("Exponential", ("Beta", "ContinuousBernoulli", "Gamma", "Normal", "Uniform")),
        ("Gamma", ("Beta", "ContinuousBernoulli", "Exponential", "Normal", "Uniform")),
        ("Laplace", ("Beta", "ContinuousBernoulli", "Exponential", "Gamma", "Normal", "Uniform")),
        ("Normal", ("Beta", "ContinuousBernoulli", "Exponential", "Gamma", "Uniform")),
        ("Uniform", ("Beta", "ContinuousBernoulli", "Exponential", "Gamma", "Normal")),
    ) for q in qs),
}

# torch's trigamma (in the gradients of digamma) is accurate to ~5e-10 only
_DIGAMMA = ("Beta", "Gamma")


def _kl_both(cases, name):
    """(ours, torch's, our parameter tensors, torch's), with any dispatch warning an error
    (the specific pairs must beat the ExponentialFamily fallback without ambiguity)."""
    p_spec, q_spec = cases[name]
    (po, pt), (qo, qt) = build(p_spec, "tw"), build(q_spec, "tw")
    (pr, prt), (qr, qrt) = build(p_spec, "torch"), build(q_spec, "torch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = D.kl_divergence(po, qo)
    ref = TD.kl_divergence(pr, qr)
    assert tuple(ours.shape) == tuple(ref.shape)
    return ours, ref, {**pt, **qt}, {**prt, **qrt}


def _close(a, b, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", list(FINITE))
def test_closed_forms_and_gradients_match_torch(name):
    ours, ref, ot, rt = _kl_both(FINITE, name)
    assert bool(torch.isfinite(ref).all())
    _close(ours, ref)
    ours.sum().backward()
    ref.sum().backward()
    atol = 1e-8 if any(f in name for f in _DIGAMMA) else 1e-11
    for k in ot:
        if rt[k].grad is None:  # Binomial's total_count
            continue
        _close(ot[k].grad, rt[k].grad, rtol=1e-9, atol=atol)


@pytest.mark.parametrize("name", list(MIXED))
def test_support_checks_match_torch(name):
    ours, ref = (k.detach().numpy() for k in _kl_both(MIXED, name)[:2])
    finite = np.isfinite(ref)
    assert finite.any() and not finite.all()
    np.testing.assert_array_equal(np.isinf(ours), ~finite)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_support_check_boundaries():
    # a shared endpoint: finite for Beta || Uniform(0, 1) and Uniform(0, 1) || Beta,
    # infinite (as in torch) for ContinuousBernoulli || Uniform(0, 1) and the reverse
    one, zero = tw.tensor([1.0], dtype=tw.float64), tw.tensor([0.0], dtype=tw.float64)
    half, unit = D.Beta(one * 2, one * 3), D.Uniform(zero, one)
    cb = D.ContinuousBernoulli(one * 0.3)
    assert math.isfinite(D.kl_divergence(half, unit).item())
    assert math.isfinite(D.kl_divergence(unit, half).item())
    assert D.kl_divergence(cb, unit).item() == math.inf
    assert D.kl_divergence(unit, cb).item() == math.inf


@pytest.mark.parametrize("name", list(INFINITE))
def test_infinite_pairs_match_torch(name):
    ours, ref = (k.detach().numpy() for k in _kl_both(INFINITE, name)[:2])
    assert np.isposinf(ref).all()
    np.testing.assert_array_equal(ours, ref)


def test_registry_holds_every_torch_pair():
    def names(registry):
        return {(p.__name__, q.__name__) for p, q in registry}

    assert sorted(names(torch_kl._KL_REGISTRY) - names(kl_module._KL_REGISTRY)) == []
    # the 42 pairs kl_cross registers, each tested above
    tested = {tuple(n.split("_")[0].split("-")) for n in (*FINITE, *MIXED, *INFINITE)}
    assert len(_CROSS_PAIRS) == 42 and _CROSS_PAIRS <= tested
    assert _CROSS_PAIRS <= names(kl_module._KL_REGISTRY)
