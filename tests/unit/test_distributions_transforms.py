"""`tensorweave.distributions.transforms`, `constraint_registry` and
`TransformedDistribution` against torch 2.13 in float64: forward, inverse,
log_abs_det_jacobian and their gradients, shapes, caching, the registries' choices, and
a transformed distribution's log_prob/cdf/icdf/shapes and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402
import torch.distributions.constraints as TC  # noqa: E402
from _distribution_params import param_makers  # noqa: E402

import tensorweave as tw  # noqa: E402
import tensorweave.distributions as D  # noqa: E402
from tensorweave.distributions import constraints as C  # noqa: E402

_rng, _pos, _real, _prob, _simplex, _spd = param_makers(5)


def _close(a, b, rtol=1e-10, atol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _tw(x, grad=False):
    return tw.tensor(x, dtype=tw.float64, requires_grad=grad)


def _th(x, grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def _corr_cholesky(*batch, n=3):
    a = _spd(*batch, n=n)
    d = np.sqrt(np.diagonal(a, axis1=-2, axis2=-1))
    return np.linalg.cholesky(a / d[..., :, None] / d[..., None, :])


_EXP = _real(3)
_CDF_SCALE = _pos(3)
_LOC, _SCALE = _real(2, 3), _pos(3) * np.sign(_real(3))

# name: (builder(lib, tensor), x in the domain (numpy), y in the codomain or None for
# t(x)); the builder takes the library's module and tensor constructor.
CASES = {
    "exp": (lambda M, t: M.ExpTransform(), lambda: _real(2, 3), None),
    "power": (lambda M, t: M.PowerTransform(t(_EXP)), lambda: _pos(2, 3), None),
    "sigmoid": (lambda M, t: M.SigmoidTransform(), lambda: _real(2, 3) * 3, None),
    "tanh": (lambda M, t: M.TanhTransform(), lambda: _real(2, 3) * 2, None),
    "softplus": (lambda M, t: M.SoftplusTransform(), lambda: _real(2, 3) * 3, None),
    "abs": (lambda M, t: M.AbsTransform(), lambda: _real(2, 3), None),
    "affine_number": (lambda M, t: M.AffineTransform(1.5, -2.0), lambda: _real(2, 3), None),
    "affine_tensor_event": (lambda M, t: M.AffineTransform(t(_LOC), t(_SCALE), event_dim=1),
                            lambda: _real(4, 2, 3), None),
    "softmax": (lambda M, t: M.SoftmaxTransform(), lambda: _real(2, 4), None),
    "stick_breaking": (lambda M, t: M.StickBreakingTransform(), lambda: _real(2, 3),
                       lambda: _simplex(5, 4)),
    "lower_cholesky": (lambda M, t: M.LowerCholeskyTransform(), lambda: _real(2, 3, 3),
                       None),
    "positive_definite": (lambda M, t: M.PositiveDefiniteTransform(), lambda: _real(2, 3, 3),
                          lambda: _spd(2)),
    "corr_cholesky": (lambda M, t: M.CorrCholeskyTransform(), lambda: _real(2, 6),
                      lambda: _corr_cholesky(2, n=4)),
    "reshape": (lambda M, t: M.ReshapeTransform((2, 3), (3, 2)), lambda: _real(4, 2, 3),
                None),
    "independent": (lambda M, t: M.IndependentTransform(M.SigmoidTransform(), 2),
                    lambda: _real(4, 2, 3), None),
    "compose": (lambda M, t: M.ComposeTransform([M.ExpTransform(),
                                                 M.AffineTransform(t(_LOC), t(_SCALE)),
                                                 M.StickBreakingTransform()]),
                lambda: _real(5, 2, 3), None),
    "identity": (lambda M, t: M.identity_transform, lambda: _real(2, 3), None),
    "inverse": (lambda M, t: M.SigmoidTransform().inv, lambda: _prob(2, 3), None),
    "cat": (lambda M, t: M.CatTransform([M.ExpTransform(), M.AffineTransform(1.0, 3.0)],
                                        dim=-1, lengths=[1, 2]), lambda: _real(4, 3), None),
    "cat_event": (lambda M, t: M.CatTransform(  # the joined dim is in the event: add up
        [M.IndependentTransform(M.SigmoidTransform(), 1),
         M.IndependentTransform(M.ExpTransform(), 1)], dim=-1, lengths=[2, 3]),
        lambda: _real(4, 5), None),
    "stack": (lambda M, t: M.StackTransform([M.ExpTransform(), M.TanhTransform()], dim=1),
              lambda: _real(4, 2, 3), None),
    "cdf": (lambda M, t: M.CumulativeDistributionTransform(M.Normal(t(_LOC), t(_CDF_SCALE))),
            lambda: _real(4, 2, 3), None),
}
_NO_LADJ = {"abs", "softmax", "lower_cholesky", "positive_definite"}  # torch defines none
_INJECTIVE = {"exp", "power", "sigmoid", "tanh", "softplus", "affine_number",
              "affine_tensor_event", "stick_breaking", "corr_cholesky",
              "reshape", "independent", "identity", "inverse", "cat", "cat_event", "stack", "cdf",
              "compose"}


@pytest.mark.parametrize("name", list(CASES))
def test_transform_matches_torch(name):
    build, xf, yf = CASES[name]
    ours, ref = build(D, _tw), build(TD, _th)
    x = xf()
    xo, xr = _tw(x, True), _th(x, True)
    yo, yr = ours(xo), ref(xr)
    _close(yo, yr)
    assert ours.bijective == ref.bijective
    assert repr(ours.domain) == repr(ref.domain) and repr(ours.codomain) == repr(ref.codomain)
    assert ours.domain.event_dim == ref.domain.event_dim
    assert ours.codomain.event_dim == ref.codomain.event_dim
    shape = tuple(xr.shape)
    assert tuple(ours.forward_shape(tw.Size(shape))) == tuple(ref.forward_shape(
        torch.Size(shape)))
    assert tuple(ours.inverse_shape(yo.shape)) == tuple(ref.inverse_shape(yr.shape))
    if name in _INJECTIVE:
        _close(ours.inv(yo), xr, rtol=1e-9, atol=1e-10)  # round trip, no cache
    y = yf() if yf else yr.detach().numpy()
    _close(ours.inv(_tw(y)), ref.inv(_th(y)), rtol=1e-9)
    try:
        sign = ref.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _ = ours.sign
    else:
        _close(ours.sign, sign)
    if name in _NO_LADJ:
        return
    lo, lr = ours.log_abs_det_jacobian(xo, yo), ref.log_abs_det_jacobian(xr, yr)
    assert tuple(lo.shape) == tuple(lr.shape)
    _close(lo, lr, rtol=1e-9)
    # the inverse's log-det is the negated forward one, at the swapped pair
    _close(ours.inv.log_abs_det_jacobian(yo, xo), -lr, rtol=1e-9)
    w = _real(*yr.shape)
    (lr.sum() + (yr * _th(w)).sum()).backward()
    (lo.sum() + (yo * _tw(w)).sum()).backward()
    _close(xo.grad, xr.grad, rtol=1e-8, atol=1e-10)


def test_log_abs_det_jacobian_matches_numerical_jacobian():
    """For the coupled bijections, log|det J| of the flattened map equals the slogdet of
    a central-difference Jacobian."""
    x = _real(3)
    t = D.StickBreakingTransform()
    h = 1e-6
    jac = np.stack([(t(_tw(x + h * e)).numpy() - t(_tw(x - h * e)).numpy()) / (2 * h)
                    for e in np.eye(3)], -1)[:3]  # drop the dependent last coordinate
    _close(t.log_abs_det_jacobian(_tw(x), t(_tw(x))), np.linalg.slogdet(jac)[1], rtol=1e-7)


def test_stable_numerics_at_the_extremes():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    for ours, ref in [(D.TanhTransform(), TD.TanhTransform()),
                      (D.SigmoidTransform(), TD.SigmoidTransform())]:
        yo, yr = ours(_tw(x)), ref(_th(x))
        _close(yo, yr)
        lo = ours.log_abs_det_jacobian(_tw(x), yo)
        assert np.isfinite(lo.numpy()).all()
        _close(lo, ref.log_abs_det_jacobian(_th(x), yr))
    # the sigmoid clamps to [tiny, 1 - eps], so its inverse stays finite
    inv = D.SigmoidTransform().inv(D.SigmoidTransform()(_tw(x)))
    assert np.isfinite(inv.numpy()).all()
    _close(inv, TD.SigmoidTransform().inv(TD.SigmoidTransform()(_th(x))))


def test_cache_and_inverse_identity():
    t = D.TanhTransform(cache_size=1)
    x = _tw([20.0, 0.5])
    y = t(x)
    assert t(x) is y and t.inv(y) is x  # atanh(1.0) would be inf
    assert not np.isfinite(D.TanhTransform().inv(y).numpy()[0])
    assert t.inv.inv is t and t.inv == D.TanhTransform().inv
    assert D.ExpTransform().with_cache(1)._cache_size == 1
    c = D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.0, 2.0)], cache_size=1)
    assert all(p._cache_size == 1 for p in c.parts)
    assert c.inv.inv is c and c.inv.parts[0] == D.AffineTransform(0.0, 2.0).inv
    x = _tw([0.1, 0.2])
    assert c.inv(c(x)) is x
    a = D.AffineTransform(_tw([1.0, 2.0]), 3.0)
    assert a == D.AffineTransform(_tw([1.0, 2.0]), 3.0) and a != D.AffineTransform(1.0, 3.0)
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        D.ExpTransform(cache_size=2)
    for name in ("power", "affine_tensor_event", "reshape", "independent", "cat", "stack",
                 "cdf", "inverse"):
        build, xf, _ = CASES[name]
        t = build(D, _tw)
        cached = t.with_cache(1)
        assert cached._cache_size == 1 and type(cached) is type(t) and t.with_cache(0) is t
        x = _tw(xf())
        y = cached(x)
        assert cached.inv(y) is x, name
        _close(y, t(x))

    class Custom(D.Transform):
        def __init__(self, k):
            super().__init__()

    with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
        Custom(1).with_cache(1)


def test_shape_and_argument_errors():
    with pytest.raises(ValueError, match="in_shape, out_shape have different numbers"):
        D.ReshapeTransform((2, 3), (5,))
    r = D.ReshapeTransform((2, 3), (6,))
    with pytest.raises(ValueError, match=r"Shape mismatch: expected .* but got"):
        r.forward_shape(tw.Size((4, 3, 2)))
    with pytest.raises(ValueError, match="Too few dimensions on input"):
        D.StickBreakingTransform().forward_shape(tw.Size(()))
    with pytest.raises(ValueError, match="Please use either .domain.event_dim"):
        _ = D.CorrCholeskyTransform().event_dim
    with pytest.raises(ValueError, match="Input is not a flattened lower-diagonal number"):
        D.CorrCholeskyTransform().forward_shape(tw.Size((4,)))
    cat = D.CatTransform([D.ExpTransform(), D.ExpTransform()], dim=0, lengths=[1, 2])
    with pytest.raises(AssertionError, match=r"x.size\(0\) = 2 must equal length 3"):
        cat(_tw([1.0, 2.0]))
    with pytest.raises(AssertionError, match="dim 0 out of range for tensor"):
        cat(_tw(2.0))
    st = D.StackTransform([D.ExpTransform()], dim=0)
    with pytest.raises(AssertionError, match=r"y.size\(0\) = 2 must equal len\(transforms\)"):
        st.inv(_tw([1.0, 2.0]))
    with pytest.raises(AssertionError, match="All elements of tseq must be Transform"):
        D.CatTransform([1])
    with pytest.raises(ValueError, match="Too few dimensions on input"):
        D.IndependentTransform(D.ExpTransform(), 2)(_tw([1.0]))


# constraint -> (ours, torch)
_CONSTRAINTS = {
    "real": (C.real, TC.real), "positive": (C.positive, TC.positive),
    "nonnegative": (C.nonnegative, TC.nonnegative),
    "greater_than": (C.greater_than(1.5), TC.greater_than(1.5)),
    "greater_than_eq": (C.greater_than_eq(-1.0), TC.greater_than_eq(-1.0)),
    "less_than": (C.less_than(2.0), TC.less_than(2.0)),
    "unit_interval": (C.unit_interval, TC.unit_interval),
    "interval": (C.interval(-1.0, 3.0), TC.interval(-1.0, 3.0)),
    "half_open": (C.half_open_interval(0.0, 2.0), TC.half_open_interval(0.0, 2.0)),
    "real_vector": (C.real_vector, TC.real_vector),
    "independent": (C.independent(C.positive, 1), TC.independent(TC.positive, 1)),
    "simplex": (C.simplex, TC.simplex),
    "lower_cholesky": (C.lower_cholesky, TC.lower_cholesky),
    "positive_definite": (C.positive_definite, TC.positive_definite),
    "positive_semidefinite": (C.positive_semidefinite, TC.positive_semidefinite),
    "corr_cholesky": (C.corr_cholesky, TC.corr_cholesky),
    "cat": (C.cat([C.positive, C.real], -1, [2, 1]), TC.cat([TC.positive, TC.real], -1, [2, 1])),
    "stack": (C.stack([C.unit_interval, C.positive], -1),
              TC.stack([TC.unit_interval, TC.positive], -1)),
}
_BIJECT_MISSING = {"lower_cholesky", "positive_definite", "positive_semidefinite"}


def _input_for(name, event_dim):
    if name in ("lower_cholesky", "positive_definite", "positive_semidefinite"):
        return _real(2, 3, 3)
    if name == "corr_cholesky":
        return _real(2, 3)
    if name == "stack":
        return _real(3, 2)
    return _real(2, 3) if event_dim < 2 else _real(2, 3, 3)


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", list(_CONSTRAINTS))
def test_constraint_registry_matches_torch(registry, name):
    ours_c, ref_c = _CONSTRAINTS[name]
    ours_r, ref_r = getattr(D, registry), getattr(TD, registry)
    if registry == "biject_to" and name in _BIJECT_MISSING:
        with pytest.raises(NotImplementedError, match="Cannot transform _"):
            ours_r(ours_c)
        with pytest.raises(NotImplementedError):
            ref_r(ref_c)
        return
    ours, ref = ours_r(ours_c), ref_r(ref_c)
    assert repr(ours).replace(" ", "") == repr(ref).replace(" ", "")
    assert ours.bijective == ref.bijective
    x = _input_for(name, ref.domain.event_dim)
    yo, yr = ours(_tw(x)), ref(_th(x))
    _close(yo, yr)
    assert bool(ours_c.check(yo).all())
    assert bool(ref_c.check(yr).all())  # the check agrees in both libraries
    _close(ours_c.check(yo), ref_c.check(yr))


def test_constraint_registry_errors_and_registration():
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(C.boolean)
    with pytest.raises(TypeError, match="Expected constraint to be either a Constraint"):
        D.transform_to.register(3, lambda c: None)
    reg = D.constraint_registry.ConstraintRegistry()

    @reg.register(C.greater_than)
    def _factory(c):
        return D.AffineTransform(c.lower_bound, 1.0)

    t = reg(C.greater_than(2.0))
    _close(t(_tw([0.5])), [2.5])
    reg.register(C.simplex, lambda c: D.SoftmaxTransform())
    assert isinstance(reg(C.simplex), D.SoftmaxTransform)


def test_new_constraints_match_torch():
    corr = _corr_cholesky(3)
    bad = corr.copy()
    bad[1, 1, 1] += 0.01
    _close(C.corr_cholesky.check(_tw(np.stack([corr[0], bad[1]]))),
           TC.corr_cholesky.check(_th(np.stack([corr[0], bad[1]]))))
    psd = np.array([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]])
    _close(C.positive_semidefinite.check(_tw(psd)), TC.positive_semidefinite.check(_th(psd)))
    v = np.array([[1.0, -1.0, 3.0], [-1.0, 1.0, 0.5]])
    for ours, ref in [(C.cat([C.positive, C.real], 1, [1, 2]),
                       TC.cat([TC.positive, TC.real], 1, [1, 2])),
                      (C.stack([C.positive, C.unit_interval], 0),
                       TC.stack([TC.positive, TC.unit_interval], 0))]:
        _close(ours.check(_tw(v)), ref.check(_th(v)))
        assert ours.event_dim == ref.event_dim and ours.is_discrete == ref.is_discrete
    for dim in (-1, -2):  # a negative stacking dim inside the event adds an event dim
        assert C.stack([C.simplex], dim).event_dim == TC.stack([TC.simplex], dim).event_dim


_TD_SCALE, _TD_LOC6 = _pos(3), _real(6)


def _pair_td(kind, lib):
    M, t = (D, _tw) if lib == "tw" else (TD, _th)
    if kind == "logistic":
        return M.TransformedDistribution(M.Uniform(t(np.zeros(3)), t(np.ones(3))),
                                         [M.SigmoidTransform().inv,
                                          M.AffineTransform(t(_LOC), t(np.abs(_SCALE)))])
    if kind == "decreasing":
        return M.TransformedDistribution(M.Normal(t(_LOC), t(_TD_SCALE)),
                                         [M.ExpTransform(), M.AffineTransform(0.0, -2.0)])
    if kind == "simplex":
        return M.TransformedDistribution(M.Normal(t(_LOC), t(_TD_SCALE)),
                                         M.StickBreakingTransform())
    if kind == "broadcast":  # the transform's parameters widen the base's batch
        return M.TransformedDistribution(M.Normal(t(0.5), t(2.0)),
                                         M.AffineTransform(t(_LOC), t(np.abs(_SCALE))))
    return M.TransformedDistribution(  # an event-coupled base with a reshape
        M.MultivariateNormal(t(_TD_LOC6), scale_tril=t(np.eye(6) * 0.7)),
        [M.ReshapeTransform((6,), (2, 3)), M.IndependentTransform(M.ExpTransform(), 2)])


_TD_VALUES = {"logistic": lambda: _real(4, 2, 3), "decreasing": lambda: -_pos(4, 2, 3),
              "simplex": lambda: _simplex(4, 2, 4), "broadcast": lambda: _real(4, 2, 3),
              "reshape": lambda: _pos(4, 2, 3)}


@pytest.mark.parametrize("kind", list(_TD_VALUES))
def test_transformed_distribution_matches_torch(kind):
    ours, ref = _pair_td(kind, "tw"), _pair_td(kind, "torch")
    assert tuple(ours.batch_shape) == tuple(ref.batch_shape)
    assert tuple(ours.event_shape) == tuple(ref.event_shape)
    assert tuple(ours.base_dist.batch_shape) == tuple(ref.base_dist.batch_shape)
    assert repr(ours.support) == repr(ref.support) and ours.has_rsample == ref.has_rsample
    v = _TD_VALUES[kind]()
    _close(ours.log_prob(_tw(v)), ref.log_prob(_th(v)), rtol=1e-9)
    if kind in ("logistic", "decreasing", "broadcast"):
        _close(ours.cdf(_tw(v)), ref.cdf(_th(v)), rtol=1e-9)
        u = _prob(4, 2, 3)
        _close(ours.icdf(_tw(u)), ref.icdf(_th(u)), rtol=1e-9)
    s = ours.sample((5,))
    assert tuple(s.shape) == (5,) + tuple(ref.batch_shape) + tuple(ref.event_shape)
    assert bool(ours.support.check(s).all())
    big, refbig = ours.expand((3,) + tuple(ours.batch_shape)), ref.expand(
        (3,) + tuple(ref.batch_shape))
    assert tuple(big.batch_shape) == tuple(refbig.batch_shape)
    _close(big.log_prob(_tw(v[0])), refbig.log_prob(_th(v[0])), rtol=1e-9)


def test_transformed_rsample_is_the_transformed_base_draw():
    loc = _tw(_real(3), True)
    d = D.TransformedDistribution(D.Normal(loc, _tw(_pos(3))),
                                  [D.TanhTransform(), D.AffineTransform(1.0, 2.0)])
    tw.manual_seed(3)
    y = d.rsample((4,))
    tw.manual_seed(3)
    x = d.base_dist.rsample((4,))
    _close(y, 1.0 + 2.0 * x.tanh())
    y.sum().backward()
    _close(loc.grad, (2.0 * (1 - x.tanh() ** 2)).sum(0).detach())


def test_transformed_distribution_errors():
    with pytest.raises(ValueError, match="transforms must be a Transform or list, but was"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), (D.ExpTransform(),))
    with pytest.raises(ValueError, match="transforms must be a Transform or a list of"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform(), 3])
    with pytest.raises(ValueError, match="base_distribution needs to have shape with size at "
                                         "least 1, but got"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), D.StickBreakingTransform())
    d = D.TransformedDistribution(D.Normal(_tw([0.0]), _tw([1.0])), D.ExpTransform())
    msg = (r"Expected value argument \(Tensor of shape \(1,\)\) to be within the support "
           r"\(GreaterThan\(lower_bound=0.0\)\) of the distribution")
    with pytest.raises(ValueError, match=msg):
        d.log_prob(_tw([-1.0]))
