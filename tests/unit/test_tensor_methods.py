"""PyTorch's Tensor methods that are aliases, in-place forms, scatter-style writes or
real-dtype answers of the complex API: each against PyTorch on the same float64 inputs,
values and gradients, plus the errors PyTorch raises."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(3)


def r(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def unit(*shape: int) -> np.ndarray:
    return R.uniform(0.1, 0.9, shape)


def mask(*shape: int) -> np.ndarray:
    return R.random(shape) < 0.5


# (id, f(framework, *inputs), inputs[, compare's options]). In-place forms run on ``x * 1``
# (a non-leaf) so the gradient flows back through the in-place write to the leaf.
CASES = [
    ("alias-methods", lambda fw, a, b: (a.multiply(b), a.subtract(b), a.negative(), a.absolute(),
                                        a.greater(b), a.less_equal(b), a.not_equal(b),
                                        a.arctan2(b), a.sgn(), a.fix()),
     [r(2, 3), r(2, 3)]),
    ("inverse-trig-methods", lambda fw, x: (x.arcsin(), x.arccos(), x.arctan(), x.arcsinh(),
                                            x.arctanh()), [unit(4)]),
    ("alias-inplace", lambda fw, a, b: ((a * 1).multiply_(b), (a * 1).subtract_(b, alpha=2),
                                        (a * 1).true_divide_(b), (a * 1).divide_(b),
                                        (a * 1).absolute_(), (a * 1).negative_(),
                                        (a * 1).arctan2_(b), (a * 1).fix_()),
     [r(2, 3), r(2, 3) + 3]),
    ("view-inplace", lambda fw, x: ((x * 1).t_(), (x * 1).unsqueeze_(1), (x * 1).transpose_(0, 1),
                                    (x * 1).swapaxes_(0, 1), (x * 1).swapdims_(1, 0),
                                    (x * 1).unsqueeze_(0).squeeze_(), (x * 1)[:1].squeeze_(0)),
     [r(2, 3)]),
    ("view-inplace-then-write", lambda fw, x: (x * 1).unsqueeze_(0).mul_(2).exp(), [r(2, 3)]),
    ("function-inplace", lambda fw, x: ((x * 1).cumsum_(1), (x * 1).cumprod_(0), (x * 1).tril_(),
                                        (x * 1).triu_(1), (x * 1).renorm_(2, 0, 1.0)),
     [r(3, 3)]),
    # non-negative exponents: PyTorch's ldexp_ backward takes 2 ** n in integers (0 for n < 0)
    ("logit-ldexp-inplace", lambda fw, x, n: ((x * 1).logit_(), (x * 1).ldexp_(n)),
     [unit(5), R.integers(0, 3, 5)]),
    ("mvlgamma-inplace", lambda fw, x: (x * 1).mvlgamma_(2), [unit(4) + 1.0]),
    ("blas-inplace", lambda fw, m, a, b, v, ba, bb: (
        (m * 1).addmm_(a, b, beta=0.5, alpha=2), (m[0] * 1).addmv_(a, v), (m * 1).addr_(m[0], m[1]),
        (m * 1).addbmm_(ba, bb), (m.expand(2, 3, 3) * 1).baddbmm_(ba, bb, alpha=-1)),
     [r(3, 3), r(3, 4), r(4, 3), r(4), r(2, 3, 5), r(2, 5, 3)]),
    ("addr-ger", lambda fw, m, a, b: (fw.addr(m, a, b, beta=2, alpha=0.5), fw.ger(a, b),
                                      a.ger(b), m.addr(a, b)),
     [r(3, 4), r(3), r(4)]),
    ("float-power-inplace", lambda fw, x: (x * 1).float_power_(3), [r(4)]),
    ("slice-scatter", lambda fw, x, s: (fw.slice_scatter(x, s, 1, 1, 5, 2),
                                        x.slice_scatter(s, dim=1, start=0, end=4, step=2)),
     [r(2, 5), r(2, 2)]),
    ("select-scatter", lambda fw, x, s: (fw.select_scatter(x, s, 0, -1), x.select_scatter(s, 0, 1)),
     [r(3, 4), r(4)]),
    ("diagonal-scatter", lambda fw, x, s, s1: (fw.diagonal_scatter(x, s),
                                               x.diagonal_scatter(s1, 1, 0, 1)),
     [r(4, 4), r(4), r(3)]),
    ("diagonal-scatter-3d", lambda fw, x, s: fw.diagonal_scatter(x, s, -1, 2, 0),
     [r(3, 2, 4), r(2, 3)]),
    ("masked-scatter", lambda fw, x, m, s: (x.masked_scatter(m, s), fw.masked_scatter(x[0], m, s),
                                            (x * 1).masked_scatter_(m[0], s)),
     [r(3, 4), mask(3, 4), r(20)]),
    ("put", lambda fw, x, s: (x.put(fw.tensor([-1, 0, 5]), s),
                              x.put(fw.tensor([2, 2, 0]), s, accumulate=True),
                              (x * 1).put_(fw.tensor([1, 3, 4]), s)),
     [r(2, 3), r(3)]),
    ("fill-diagonal", lambda fw, x: ((x * 1).fill_diagonal_(2.5), (x[:2] * 1).fill_diagonal_(-1),
                                     (x * 1).fill_diagonal_(0, True)),
     [r(7, 3)]),
    ("fill-diagonal-cube", lambda fw, x: (x * 1).fill_diagonal_(9.0), [r(3, 3, 3)]),
    ("nonzero-static", lambda fw, m: (fw.nonzero_static(m, size=2), m.nonzero_static(size=20),
                                      fw.nonzero_static(m, size=20, fill_value=7)), [mask(3, 4)]),
    ("splits", lambda fw, x: (*fw.split_with_sizes(x, [1, 3], 1), *x.split_with_sizes((2, 2), -1),
                              *fw.unsafe_split(x, 3), *x.unsafe_chunk(2, 1)), [r(5, 4)]),
    ("narrow-copy-reshape-as", lambda fw, x, y: (fw.narrow_copy(x, 1, 1, 2), x.narrow_copy(0, 0, 1),
                                                 x.reshape_as(y), x.t().reshape_as(y)),
     [r(2, 3), r(3, 2)]),
    ("activation-methods", lambda fw, x, w: (x.hardshrink(0.3), x.prelu(w)), [r(2, 3, 4), r(3)]),
    ("argwhere-method", lambda fw, m: m.argwhere(), [mask(3, 3)]),
    ("conj-family", lambda fw, x: (x.conj(), fw.conj(x), x.conj_physical(), fw.resolve_conj(x),
                                   x.resolve_neg(), fw.real(x), x.real, x.H, x.mH, x.adjoint(),
                                   fw.adjoint(x)), [r(2, 3)]),
    ("gcd-lcm", lambda fw, a, b: (fw.gcd(a, b), a.lcm(b), a.gcd_(b)),
     [R.integers(-60, 60, (3, 5)), R.integers(-60, 60, 5)]),
]


def idx(high: int, *shape: int) -> np.ndarray:
    return R.integers(0, high, shape)


REDUCE_CASES = [  # src of index's shape: PyTorch's backward refuses a larger src
    (f"scatter-reduce-{how}-{self_}", lambda fw, x, i, s, i2, s2, i3, s3, how=how, self_=self_: (
        x.scatter_reduce(0, i, s, how, include_self=self_),
        fw.scatter_reduce(x, -1, i2, s2, how, include_self=self_),
        (x * 1).scatter_reduce_(1, i3, s3, how, include_self=self_)),
     [r(4, 3), idx(4, 5, 3), r(5, 3), idx(3, 2, 2), r(2, 2), idx(3, 4, 5), r(4, 5)])
    for how in ("sum", "prod", "mean", "amax", "amin") for self_ in (True, False)
] + [
    (f"index-reduce-{how}-{self_}", lambda fw, x, i, s, how=how, self_=self_: (
        x.index_reduce(1, i, s, how, include_self=self_),
        (x * 1).index_reduce_(1, i, s, how, include_self=self_)),
     [r(2, 4, 3), idx(4, 6), r(2, 6, 3)])
    for how in ("prod", "mean", "amax", "amin") for self_ in (True, False)
]


@pytest.mark.parametrize("case", CASES + REDUCE_CASES, ids=[c[0] for c in CASES + REDUCE_CASES])
def test_matches_pytorch(case):
    _, fn, inputs, *options = case
    compare(functools.partial(fn, tw), functools.partial(fn, torch), *inputs,
            **(options[0] if options else {}))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_gcd_and_lcm_at_the_dtype_limits(dtype):
    info = np.iinfo(dtype)
    a = np.array([0, 0, 12, info.max, info.min, 7, info.min], dtype=dtype)
    b = np.array([0, 5, 18, info.max - 1, info.min, 0, 6], dtype=dtype)
    compare(tw.gcd, torch.gcd, a, b, grad=False)  # abs(min) wraps to min in both
    small = np.array([0, 4, 6, 10, 3], dtype=dtype), np.array([5, 6, 4, 0, 3], dtype=dtype)
    compare(tw.lcm, torch.lcm, *small, grad=False)


def test_gcd_refuses_floats():
    with pytest.raises(TypeError, match="gcd: only integer"):
        tw.gcd(tw.ones(2), tw.ones(2))


@pytest.mark.parametrize("how", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_of_integers_and_edge_shapes(how):
    ints = (np.array([10, 3, -7, 1]), np.array([0, 0, 2, 2, 2]), np.array([1, 2, -3, 4, 4]))
    for self_ in (True, False):  # an integer mean rounds down
        compare(lambda x, i, s: x.scatter_reduce(0, i, s, how, include_self=self_),
                lambda x, i, s: x.scatter_reduce(0, i, s, how, include_self=self_), *ints)
    compare(lambda x, i, s: x.scatter_reduce(1, i, s, how),  # only src[:2, :2] is read
            lambda x, i, s: x.scatter_reduce(1, i, s, how),
            r(3, 3), idx(3, 2, 2), r(3, 4), grad=False)
    compare(lambda x, i, s: x.scatter_reduce(0, i, s, how),  # an empty index writes nothing
            lambda x, i, s: x.scatter_reduce(0, i, s, how),
            r(3, 2), np.zeros((0, 2), dtype=np.int64), r(0, 2))
    compare(lambda x, i, s: x.scatter_reduce(0, i, s, how),
            lambda x, i, s: x.scatter_reduce(0, i, s, how),
            np.array(2.0), np.array(0), np.array(3.0))


def test_scatter_reduce_extremes_propagate_nan():
    x, i = np.array([10.0, 3.0, -7.0]), np.array([0, 2, 2])
    s = np.array([np.nan, 4.0, 5.0])
    compare(lambda x, i, s: (x.scatter_reduce(0, i, s, "amax"), x.scatter_reduce(0, i, s, "amin")),
            lambda x, i, s: (x.scatter_reduce(0, i, s, "amax"), x.scatter_reduce(0, i, s, "amin")),
            x, i, s, grad=False)


def test_in_place_views_keep_the_storage_and_the_version():
    x = tw.arange(6.0).reshape(2, 3)
    before = x._version
    assert x.unsqueeze_(0) is x and x.shape == (1, 2, 3) and x._version == before
    x.squeeze_().t_()
    assert x.shape == (3, 2) and x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    x[0, 0] = 9.0  # still the same storage
    base = tw.zeros(2, 3)
    row = base[1]
    row.unsqueeze_(0)
    row.fill_(1.0)  # a view stays a view of its base
    assert row.shape == (1, 3) and base.tolist() == [[0.0] * 3, [1.0] * 3]


def test_in_place_forms_refuse_a_leaf_that_requires_grad():
    x = tw.ones(2, 3, requires_grad=True)
    for call in (lambda: x.unsqueeze_(0), lambda: x.t_(), lambda: x.cumsum_(0),
                 lambda: x.fill_diagonal_(0)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            call()
    with tw.no_grad():
        x.unsqueeze_(0)
    assert x.shape == (1, 2, 3)


def test_properties_answer_like_pytorch():
    x, t = tw.zeros(2, 3, dtype=tw.float64), torch.zeros(2, 3, dtype=torch.float64)
    assert (x.nbytes, x[:, 0].nbytes, x.itemsize, x.ndimension()) == (
        t.nbytes, t[:, 0].nbytes, t.itemsize, t.ndimension())
    for flag in ("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_nested",
                 "is_mkldnn"):
        assert getattr(x, flag) is getattr(t, flag) is False
    assert x.is_conj() is x.is_neg() is tw.is_conj(x) is tw.is_neg(x) is False
    assert x.conj() is x and x.real is x
    assert (tw.ones(2, requires_grad=True) * 2).output_nr == 0


@pytest.mark.parametrize("call, error, message", [
    (lambda fw: fw.zeros(3).imag, RuntimeError, "imag is not implemented"),
    (lambda fw: fw.imag(fw.zeros(3)), RuntimeError, "imag is not implemented"),
    (lambda fw: fw.zeros(2, 3, 4).H, RuntimeError, "only supported on matrices"),
    (lambda fw: fw.zeros(3).mH, RuntimeError, "matrices or batches of matrices"),
    (lambda fw: fw.zeros(3).float_power_(2), RuntimeError, "has dtype Float but"),
    (lambda fw: fw.ones(1, 3).addmm_(fw.ones(2, 2), fw.ones(2, 3)), RuntimeError, "size|shape"),
    (lambda fw: fw.slice_scatter(fw.zeros(4, 5), fw.ones(2, 4), 0, 0, 2), RuntimeError,
     r"src size = \[2, 4\], slice size = \[2, 5\]"),
    (lambda fw: fw.select_scatter(fw.zeros(4, 5), fw.ones(4), 0, 0), RuntimeError,
     r"src size = \[4\], slice size = \[5\]"),
    (lambda fw: fw.diagonal_scatter(fw.zeros(4, 5), fw.ones(3)), RuntimeError,
     "equal to the slice"),
    (lambda fw: fw.zeros(4).masked_scatter(fw.ones(4) > 0, fw.ones(3)), RuntimeError,
     "Number of elements of source < number of ones in mask"),
    (lambda fw: fw.zeros(4).masked_scatter(fw.ones(4), fw.ones(4)), RuntimeError,
     "only supports boolean masks"),
    (lambda fw: fw.zeros(2, 3, 4).fill_diagonal_(1), RuntimeError, "equal length"),
    (lambda fw: fw.zeros(3).fill_diagonal_(1), RuntimeError, "dimensions must larger than 1"),
    (lambda fw: fw.zeros(4).put(fw.tensor([4]), fw.ones(1)), IndexError, "out of"),
    (lambda fw: fw.zeros(4).put(fw.tensor([1, 2]), fw.ones(3)), IndexError,
     "same number of elements"),
    (lambda fw: fw.split_with_sizes(fw.zeros(5), [2, 2]), RuntimeError, "sum exactly to 5"),
    (lambda fw: fw.zeros(3).scatter_reduce(0, fw.tensor([0]), fw.ones(1), "max2"), RuntimeError,
     "must be either sum, prod, mean, amax or amin, got max2"),
    (lambda fw: fw.zeros(3).scatter_reduce(0, fw.tensor([3]), fw.ones(1), "sum"), RuntimeError,
     "out of bounds|index 3"),
    (lambda fw: fw.zeros(3).scatter_reduce(0, fw.tensor([0]), fw.ones(1, dtype=fw.float64),
                                           "sum"), RuntimeError, "self.dtype to be equal"),
    (lambda fw: fw.zeros(3).index_reduce(0, fw.tensor([0]), fw.ones(1), "sum"), RuntimeError,
     "Expected reduce to be one of prod, mean, amax or amin but got sum"),
])
def test_errors_match_pytorch(call, error, message):
    with pytest.raises(error, match=message):
        call(torch)
    with pytest.raises(error, match=message):
        call(tw)


def test_the_writes_run_on_every_device(device):
    """The composites above use only backend ops: on each device they give cpu's float64
    values and gradients."""
    x, i, s = r(4, 3), idx(4, 5, 3), r(5, 3)
    m, flat = mask(4, 3), np.array([-1, 0, 5])

    def run(dev: str) -> list[np.ndarray]:
        xt = tw.tensor(x, device=dev, requires_grad=True)
        st = tw.tensor(s, device=dev, requires_grad=True)
        it = tw.tensor(i, device=dev)
        outs = [xt.scatter_reduce(0, it, st, how, include_self=False)
                for how in ("sum", "prod", "mean", "amax", "amin")]
        outs += [xt.index_reduce(0, it[:, 0], st, "amax"),
                 xt.masked_scatter(tw.tensor(m, device=dev), st),
                 xt.put(tw.tensor(flat, device=dev), st[0]),
                 (xt * 1).fill_diagonal_(2.0), xt.diagonal_scatter(st[0]),
                 (xt * 1).t_().unsqueeze_(0)]
        tw.autograd.backward(outs, [o.detach() * 0 + 1 for o in outs])
        got = [o.detach().cpu().numpy() for o in outs]
        ints = tw.tensor(i, device=dev)
        got.append(tw.gcd(ints * 6, ints + 4).cpu().numpy())
        return got + [xt.grad.cpu().numpy(), st.grad.cpu().numpy()]

    for got, want in zip(run(device), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
