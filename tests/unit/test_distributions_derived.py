"""The distributions built on transforms (Gumbel, Weibull, Pareto, HalfNormal, HalfCauchy,
LogisticNormal, InverseGamma, Kumaraswamy, the relaxed Bernoulli/categorical families) against torch
2.13 in float64: log_prob, cdf/icdf, moments, entropy, shapes and gradients; their KL
divergences; the pathwise gradients of ``rsample`` (central differences at a fixed seed);
their sampling laws (Kolmogorov-Smirnov against the cdf); and PyTorch's errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
from _distribution_params import build, param_makers  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402

_rng, _pos, _real, _prob, _simplex, _spd = param_makers(3)
_TEMP = np.array(0.7)


def _close(a, b, rtol=1e-10, atol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _tw(x):
    return tw.tensor(x, dtype=tw.float64)


def _th(x):
    return torch.tensor(x, dtype=torch.float64)


# name: params (tensors with gradients), non-differentiated tensor kwargs, value maker
# (shape) in the support, whether cdf/icdf are defined, moments torch defines
CASES = {
    "Gumbel": (dict(loc=_real(2, 3), scale=_pos(3)), {}, _real, True,
               ("mean", "variance", "stddev", "mode")),
    "Weibull": (dict(scale=_pos(2, 3), concentration=_pos(3) + 0.5), {}, _pos, True,
                ("mean", "variance", "stddev", "mode")),
    "Pareto": (dict(scale=_pos(2, 3), alpha=_pos(3) * 2), {}, lambda *s: _pos(*s) + 3.0, True,
               ("mean", "variance", "stddev", "mode")),
    "HalfNormal": (dict(scale=_pos(2, 3)), {}, _pos, True, ("mean", "variance", "mode")),
    "HalfCauchy": (dict(scale=_pos(2, 3)), {}, _pos, True, ("mean", "variance", "mode")),
    # no cdf: our Gamma (the base) has none
    "InverseGamma": (dict(concentration=_pos(2, 3) + 1.5, rate=_pos(3)), {}, _pos, False,
                     ("mean", "variance", "stddev", "mode")),
    "InverseGamma_heavy": (dict(concentration=np.array([0.5, 1.5, 2.5]), rate=_pos(3)), {},
                           _pos, False, ("mean", "variance", "mode")),
    "Kumaraswamy": (dict(concentration1=_pos(2, 3), concentration0=_pos(3)), {}, _prob, False,
                    ("mean", "variance")),
    "LogisticNormal": (dict(loc=_real(2, 3), scale=_pos(3)), {},
                       lambda *s: _simplex(*s[:-1], 4), False, ()),
    "RelaxedBernoulli": (dict(probs=_prob(2, 3)), dict(temperature=_TEMP), _prob, False, ()),
    "RelaxedBernoulli_logits": (dict(logits=_real(3)), dict(temperature=_TEMP), _prob, False,
                                ()),
    "LogitRelaxedBernoulli": (dict(logits=_real(2, 3)), dict(temperature=_TEMP), _real, False,
                              ()),
    "RelaxedOneHotCategorical": (dict(probs=_simplex(2, 4)), dict(temperature=_TEMP),
                                 lambda *s: _simplex(*s[:-1], 4), False, ()),
    "ExpRelaxedCategorical": (dict(logits=_real(2, 4)), dict(temperature=_TEMP),
                              lambda *s: np.log(_simplex(*s[:-1], 4)), False, ()),
}
_NO_ENTROPY = {"LogisticNormal", "RelaxedBernoulli", "RelaxedBernoulli_logits",
               "LogitRelaxedBernoulli", "RelaxedOneHotCategorical", "ExpRelaxedCategorical"}
# torch's trigamma is accurate to ~5e-10 only
_DIGAMMA = {"Kumaraswamy", "InverseGamma", "InverseGamma_heavy"}


def _make(name, lib, params=None):
    p, extra = CASES[name][:2]
    p = p if params is None else params
    mod = TD if lib == "torch" else D
    if lib == "torch":
        ts = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}
        ex = {k: _th(v) for k, v in extra.items()}
    else:
        ts = {k: tw.tensor(v, dtype=tw.float64, requires_grad=True) for k, v in p.items()}
        ex = {k: _tw(v) for k, v in extra.items()}
    return _cls(mod, name.split("_")[0])(**ex, **ts), ts


def _cls(mod, name):
    """The class, from the module torch keeps it in where it is not exported."""
    if name in ("LogitRelaxedBernoulli", "ExpRelaxedCategorical"):
        if mod is TD:
            import torch.distributions.relaxed_bernoulli as rb
            import torch.distributions.relaxed_categorical as rc

            return getattr(rb if name == "LogitRelaxedBernoulli" else rc, name)
        return getattr(D.relaxed, name)
    return getattr(mod, name)


def _value_shape(ref):
    return tuple(ref.batch_shape) + tuple(ref.event_shape)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    _, _, value_fn, has_cdf, moments = CASES[name]
    ours, tp = _make(name, "tw")
    ref, rp = _make(name, "torch")
    assert tuple(ours.batch_shape) == tuple(ref.batch_shape)
    assert tuple(ours.event_shape) == tuple(ref.event_shape)
    assert ours.has_rsample == ref.has_rsample
    assert type(ours.support).__name__ == type(ref.support).__name__
    value = value_fn(4, *_value_shape(ref))
    lo, lr = ours.log_prob(_tw(value)), ref.log_prob(_th(value))
    _close(lo, lr, rtol=1e-9)
    for attr in moments:
        _close(getattr(ours, attr), getattr(ref, attr))
    loss_o, loss_r = lo.sum(), lr.sum()
    if name not in _NO_ENTROPY:
        _close(ours.entropy(), ref.entropy())
        loss_o, loss_r = loss_o + ours.entropy().sum(), loss_r + ref.entropy().sum()
    if has_cdf:
        _close(ours.cdf(_tw(value)), ref.cdf(_th(value)))
        u = _rng.uniform(0.05, 0.95, (4,) + _value_shape(ref))
        _close(ours.icdf(_tw(u)), ref.icdf(_th(u)), rtol=1e-9)
    loss_o.backward()
    loss_r.backward()
    for k in tp:
        _close(tp[k].grad, rp[k].grad, rtol=1e-9, atol=1e-8 if name in _DIGAMMA else 1e-12)
    sample = ours.sample((2, 5))
    assert tuple(sample.shape) == (2, 5) + _value_shape(ref)
    assert bool(ours.support.check(sample).all())
    big, refbig = ours.expand((6,) + tuple(ours.batch_shape)), ref.expand(
        (6,) + tuple(ref.batch_shape))
    assert type(big) is type(ours) and tuple(big.batch_shape) == tuple(refbig.batch_shape)
    _close(big.log_prob(_tw(value[:1])), refbig.log_prob(_th(value[:1])), rtol=1e-9)


def test_kumaraswamy_mode():
    """The mode ((a - 1) / (a b - 1)) ** (1 / a), NaN unless a, b >= 1 (torch 2.13 gives
    NaN everywhere: it takes log1p(-b))."""
    a, b = np.array([2.0, 3.5, 0.5, 2.0]), np.array([3.0, 1.5, 2.0, 0.7])
    expected = np.full(4, np.nan)
    expected[:2] = ((a[:2] - 1) / (a[:2] * b[:2] - 1)) ** (1 / a[:2])
    _close(D.Kumaraswamy(_tw(a), _tw(b)).mode, expected)
    x = np.linspace(1e-4, 1 - 1e-4, 20001)  # the density's argmax on a grid
    pdf = a[0] * b[0] * x ** (a[0] - 1) * (1 - x ** a[0]) ** (b[0] - 1)
    assert abs(x[pdf.argmax()] - expected[0]) < 1e-4


def test_scalar_parameters_and_logistic_normal_shapes():
    g = D.Gumbel(0.5, 2.0)
    assert tuple(g.batch_shape) == () and g.loc.dtype == tw.float32
    assert tuple(g.sample((3,)).shape) == (3,)
    ln, ref = D.LogisticNormal(_tw([0.0, 1.0]), _tw([1.0, 0.5])), TD.LogisticNormal(
        _th([0.0, 1.0]), _th([1.0, 0.5]))
    assert tuple(ln.event_shape) == (3,) and tuple(ln.batch_shape) == ()
    v = _simplex(5, 3)
    _close(ln.log_prob(_tw(v)), ref.log_prob(_th(v)))
    _close(ln.loc, [0.0, 1.0])
    scalar = D.LogisticNormal(_tw(0.3), _tw(1.2))  # a scalar base gains a batch dim of 1
    assert tuple(scalar.event_shape) == (2,)
    rb = D.RelaxedBernoulli(_tw(0.5), probs=0.3)
    assert tuple(rb.batch_shape) == () and abs(rb.logits.item() - math.log(0.3 / 0.7)) < 1e-7


_PD = np.array([0.3, 1.0, 2.5])  # broadcast against per-row parameters below

# p: (class, params), q: (class, params); all shapes broadcast to (2, 3)
KL_PAIRS = {
    "Gumbel-Gumbel": (("Gumbel", dict(loc=_real(2, 3), scale=_pos(2, 3))),
                      ("Gumbel", dict(loc=_real(3), scale=_pos(3)))),
    "HalfNormal-HalfNormal": (("HalfNormal", dict(scale=_pos(2, 3))),
                              ("HalfNormal", dict(scale=_pos(3)))),
    "Pareto-Pareto": (("Pareto", dict(scale=_rng.uniform(0.5, 2.0, (2, 3)), alpha=_pos(2, 3))),
                      ("Pareto", dict(scale=np.array([1.0, 0.4, 3.0]), alpha=_pos(3)))),
    "Exponential-Gumbel": (("Exponential", dict(rate=_pos(2, 3))),
                           ("Gumbel", dict(loc=_real(3), scale=_pos(3)))),
    "Gamma-Gumbel": (("Gamma", dict(concentration=_pos(2, 3), rate=_pos(3))),
                     ("Gumbel", dict(loc=_real(3), scale=_pos(2, 3)))),
    "Gumbel-Normal": (("Gumbel", dict(loc=_real(2, 3), scale=_pos(3))),
                      ("Normal", dict(loc=_real(3), scale=_pos(2, 3)))),
    "Normal-Gumbel": (("Normal", dict(loc=_real(2, 3), scale=_pos(3))),
                      ("Gumbel", dict(loc=_real(3), scale=_pos(2, 3)))),
    "Uniform-Gumbel": (("Uniform", dict(low=_real(2, 3) - 2, high=_pos(2, 3))),
                       ("Gumbel", dict(loc=_real(3), scale=_pos(3)))),
    "Pareto-Exponential": (("Pareto", dict(scale=_pos(2, 3), alpha=_PD + 0.2)),
                           ("Exponential", dict(rate=_pos(3)))),
    "Pareto-Gamma": (("Pareto", dict(scale=_pos(2, 3), alpha=_PD + 0.2)),
                     ("Gamma", dict(concentration=_pos(3), rate=_pos(2, 3)))),
    "Pareto-Normal": (("Pareto", dict(scale=_pos(2, 3), alpha=_PD + 1.0)),
                      ("Normal", dict(loc=_real(3), scale=_pos(2, 3)))),
    "Uniform-Pareto": (("Uniform", dict(low=_rng.uniform(0.2, 1.0, (2, 3)),
                                        high=_rng.uniform(1.5, 3.0, (2, 3)))),
                       ("Pareto", dict(scale=np.array([0.1, 0.5, 2.0]), alpha=_pos(3)))),
    "Gumbel-Beta": (("Gumbel", dict(loc=_real(2, 3), scale=_pos(2, 3))),
                    ("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)))),
    "Gumbel-Uniform": (("Gumbel", dict(loc=_real(2, 3), scale=_pos(2, 3))),
                       ("Uniform", dict(low=_real(2, 3) - 2, high=_pos(2, 3)))),
    "Normal-Pareto": (("Normal", dict(loc=_real(2, 3), scale=_pos(2, 3))),
                      ("Pareto", dict(scale=_pos(2, 3), alpha=_pos(2, 3)))),
    "Pareto-Uniform": (("Pareto", dict(scale=_pos(2, 3), alpha=_pos(2, 3))),
                       ("Uniform", dict(low=_real(2, 3) - 2, high=_pos(2, 3)))),
}


@pytest.mark.parametrize("pair", list(KL_PAIRS))
def test_kl_matches_torch(pair):
    p_spec, q_spec = KL_PAIRS[pair]
    (po, pt), (qo, qt) = build(p_spec, "tw"), build(q_spec, "tw")
    (pr, prt), (qr, qrt) = build(p_spec, "torch"), build(q_spec, "torch")
    ko, kr = D.kl_divergence(po, qo), TD.kl_divergence(pr, qr)
    _close(ko, kr, rtol=1e-9)
    finite_r = torch.isfinite(kr)
    if not bool(finite_r.any()):
        return
    (kr[finite_r]).sum().backward()
    mask = tw.tensor(finite_r.numpy())
    with np.errstate(invalid="ignore"):  # 0 * inf at alpha == 2, NaN in torch's too
        tw.where(mask, ko, 0.0).sum().backward()
    for ours, ref in list(zip(pt.values(), prt.values())) + list(zip(qt.values(),
                                                                      qrt.values())):
        _close(ours.grad, ref.grad, rtol=1e-8, atol=1e-8)


def test_kl_infinite_and_unimplemented_pairs():
    p, q = D.Pareto(_tw([1.0, 2.0]), _tw([2.0, 2.0])), D.Pareto(_tw([1.5, 1.5]), _tw([1.0, 1.0]))
    k = D.kl_divergence(p, q).numpy()
    assert np.isinf(k[0]) and np.isfinite(k[1])
    # TransformedDistributions whose transforms differ (their parameters are other tensors)
    for lib in (D, TD):
        t = _tw if lib is D else _th
        with pytest.raises(NotImplementedError):
            lib.kl_divergence(lib.HalfNormal(t([1.0])), lib.HalfCauchy(t([1.0])))
        with pytest.raises(NotImplementedError):
            lib.kl_divergence(lib.Weibull(t([1.0]), t([2.0])), lib.Weibull(t([1.5]), t([2.0])))
    a = D.TransformedDistribution(D.Normal(_tw([0.0]), _tw([1.0])), D.ExpTransform())
    b = D.TransformedDistribution(D.Normal(_tw([1.0]), _tw([2.0])), D.ExpTransform())
    ra = TD.TransformedDistribution(TD.Normal(_th([0.0]), _th([1.0])), TD.ExpTransform())
    rb = TD.TransformedDistribution(TD.Normal(_th([1.0]), _th([2.0])), TD.ExpTransform())
    _close(D.kl_divergence(a, b), TD.kl_divergence(ra, rb))


def _numerical_rsample_grad(name, params, key, h=1e-6, seed=17, shape=(3,)):
    """d(sum of draws . w)/d(params[key]) by central differences, each draw at one seed."""
    w = np.linspace(0.5, 1.5, int(np.prod(shape + _value_shape(_make(name, "torch")[0]))))

    def f(p):
        tw.manual_seed(seed)
        d, _ = _make(name, "tw", p)
        x = d.rsample(shape).detach().numpy().ravel()
        return (x * w).sum()

    grad = np.zeros_like(params[key])
    for idx in np.ndindex(params[key].shape):
        plus = {k: v.copy() for k, v in params.items()}
        minus = {k: v.copy() for k, v in params.items()}
        plus[key][idx] += h
        minus[key][idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad, w


_RSAMPLE = ["Gumbel", "Weibull", "Pareto", "HalfNormal", "HalfCauchy", "Kumaraswamy",
            "LogisticNormal", "RelaxedBernoulli", "LogitRelaxedBernoulli",
            "RelaxedOneHotCategorical", "ExpRelaxedCategorical"]


@pytest.mark.parametrize("name", _RSAMPLE)
def test_rsample_pathwise_gradients(name):
    params = {k: np.asarray(v, dtype=np.float64) for k, v in CASES[name][0].items()}
    for key in params:
        num, w = _numerical_rsample_grad(name, params, key)
        tw.manual_seed(17)
        d, leaves = _make(name, "tw", params)
        x = d.rsample((3,))
        (x.reshape(-1) * _tw(w)).sum().backward()
        _close(leaves[key].grad, num, rtol=1e-5, atol=1e-7)


def test_inverse_gamma_rsample_is_the_reciprocal_gamma_draw():
    """Gamma draws are implicitly reparameterized (not a smooth function of the seed's
    noise), so the check is against the same base draw through 1 / x."""
    params = [np.array([0.7, 3.0]), np.array([2.0, 0.5])]
    grads = []
    for through_base in (False, True):
        leaves = [tw.tensor(p, dtype=tw.float64, requires_grad=True) for p in params]
        d = D.InverseGamma(*leaves)
        tw.manual_seed(8)
        y = d.base_dist.rsample((50,)).reciprocal() if through_base else d.rsample((50,))
        y.sum().backward()
        grads.append([leaf.grad.numpy() for leaf in leaves])
    for a, b in zip(*grads):
        _close(a, b)


N = 20_000
# the KS statistic's false-alarm probability is below 2 exp(-2 N d^2) = 1e-9 at d below
_KS_BOUND = math.sqrt(math.log(2 / 1e-9) / (2 * N))


@pytest.mark.parametrize("name", ["Gumbel", "Weibull", "Pareto", "HalfNormal", "HalfCauchy",
                                  "Kumaraswamy", "InverseGamma", "RelaxedBernoulli"])
def test_sampling_law_ks(name):
    params = {"Gumbel": [0.5, 2.0], "Weibull": [1.5, 0.7], "Pareto": [1.2, 2.5],
              "HalfNormal": [2.0], "HalfCauchy": [0.5], "Kumaraswamy": [0.6, 2.5],
              "InverseGamma": [2.5, 1.5], "RelaxedBernoulli": [0.5, 0.3]}[name]
    tw.manual_seed(2024)
    d = getattr(D, name)(*[_tw(v) for v in params])
    x = np.sort(d.sample((N,)).numpy())
    if name == "RelaxedBernoulli":  # its cdf: that of the logistic logit(x) * temperature
        t, p = params
        z = np.log(x) - np.log1p(-x)
        cdf = 1 / (1 + np.exp(-(z * t - math.log(p / (1 - p)))))
    else:
        ref = getattr(TD, name)(*[_th(v) for v in params])
        cdf = ref.cdf(torch.tensor(x)).numpy()
    emp = np.arange(1, N + 1) / N
    ks = max((emp - cdf).max(), (cdf - emp + 1 / N).max())
    assert ks < _KS_BOUND


def test_relaxed_categorical_sample_is_gumbel_softmax():
    """Low temperature: the argmax of a draw is categorical with the given probabilities
    (exactly, for any temperature: argmax of logits + Gumbel noise)."""
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    tw.manual_seed(9)
    x = D.RelaxedOneHotCategorical(_tw(0.5), probs=_tw(probs)).sample((N,)).numpy()
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-12)
    freq = np.bincount(x.argmax(-1), minlength=4) / N
    np.testing.assert_array_less(np.abs(freq - probs), 6 * np.sqrt(probs * (1 - probs) / N))


def _same_error(ours, ref):
    with pytest.raises(ValueError) as info:
        ref()
    msg = str(info.value).split("\n")[0].replace("torch.", "tensorweave.")
    with pytest.raises(ValueError, match=re.escape(msg)):
        ours()


def test_validation_errors_match_torch():
    _same_error(lambda: D.Gumbel(_tw([0.0, 1.0]), _tw([1.0, -1.0])),
                lambda: TD.Gumbel(_th([0.0, 1.0]), _th([1.0, -1.0])))
    _same_error(lambda: D.Weibull(_tw([1.0]), _tw([0.0])),
                lambda: TD.Weibull(_th([1.0]), _th([0.0])))
    _same_error(lambda: D.HalfNormal(_tw([-1.0])), lambda: TD.HalfNormal(_th([-1.0])))
    _same_error(lambda: D.Kumaraswamy(_tw([1.0]), _tw([-2.0])),
                lambda: TD.Kumaraswamy(_th([1.0]), _th([-2.0])))
    _same_error(lambda: D.Pareto(_tw([1.0]), _tw([2.0])).log_prob(_tw([0.5])),
                lambda: TD.Pareto(_th([1.0]), _th([2.0])).log_prob(_th([0.5])))
    _same_error(lambda: D.HalfCauchy(_tw([1.0])).log_prob(_tw([-0.5])),
                lambda: TD.HalfCauchy(_th([1.0])).log_prob(_th([-0.5])))
    _same_error(lambda: D.LogisticNormal(_tw([0.0]), _tw([1.0])).log_prob(_tw([0.7, 0.7])),
                lambda: TD.LogisticNormal(_th([0.0]), _th([1.0])).log_prob(_th([0.7, 0.7])))
    _same_error(lambda: D.RelaxedBernoulli(_tw(1.0), probs=_tw([1.5])),
                lambda: TD.RelaxedBernoulli(_th(1.0), probs=_th([1.5])))
    _same_error(lambda: D.RelaxedOneHotCategorical(_tw(1.0), probs=_tw([0.5, -0.5, 1.0])),
                lambda: TD.RelaxedOneHotCategorical(_th(1.0), probs=_th([0.5, -0.5, 1.0])))
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but "
                                         "not both."):
        D.relaxed.LogitRelaxedBernoulli(_tw(1.0))
