"""PyTorch's convenience functions (``torch.hstack``, ``torch.addmm``, ``torch.unique``...):
each one against PyTorch on the same float64 inputs, values and gradients, plus the errors
that name what is wrong."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(0)


def r(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def pos(*shape: int) -> np.ndarray:
    return R.uniform(0.5, 2.0, shape)


def ints(*shape: int, high: int = 5) -> np.ndarray:
    return R.integers(0, high, shape)


# (id, f(framework, *inputs), inputs[, compare's options]): f runs once with tensorweave and
# once with torch.
CASES = [
    ("div-trunc", lambda fw, a, b: fw.div(a, b, rounding_mode="trunc"), [r(3, 4), pos(4)]),
    ("div-floor-int", lambda fw, a, b: fw.div(a, b, rounding_mode="floor"),
     [np.array([5, -5, 7, -7]), np.array([2, 2, -2, -3])]),
    ("div-trunc-int", lambda fw, a, b: fw.div(a, b, rounding_mode="trunc"),
     [np.array([5, -5, 7, -7]), np.array([2, 2, -2, -3])]),
    ("true_divide", lambda fw, a, b: fw.true_divide(a, b), [r(3), pos(3)]),
    ("aliases", lambda fw, a, b: (fw.multiply(a, b), fw.subtract(a, b), fw.negative(a),
                                  fw.absolute(a), fw.greater(a, b), fw.less_equal(a, b)),
     [r(2, 3), r(2, 3)]),
    ("addcmul", lambda fw, x, a, b: fw.addcmul(x, a, b, value=0.5), [r(3, 1), r(3, 4), r(4)]),
    ("addcdiv", lambda fw, x, a, b: x.addcdiv(a, b, value=-2), [r(3, 4), r(3, 4), pos(3, 4)]),
    ("sinh-cosh", lambda fw, x: (fw.sinh(x), fw.cosh(x)), [r(5) * 3]),
    ("asinh", lambda fw, x: fw.asinh(x), [np.array([-1e-8, 0.0, 1e-3, -40.0, 2.5])]),
    ("acosh", lambda fw, x: fw.acosh(x), [np.array([1.0 + 1e-6, 1.5, 30.0, 1e10])]),
    ("atanh", lambda fw, x: fw.arctanh(x), [np.array([-0.99, 1e-9, 0.5])]),
    ("exp2", lambda fw, x: fw.exp2(x), [r(4)]),
    ("deg-rad", lambda fw, x: (fw.deg2rad(x), fw.rad2deg(x)), [r(4) * 90]),
    ("logaddexp", lambda fw, a, b: fw.logaddexp(a, b),
     [np.array([1.0, 800.0, -800.0, 3.0]), np.array([2.0, 800.0, -801.0, -500.0])]),
    ("logaddexp2", lambda fw, a, b: fw.logaddexp2(a, b), [r(3, 4), r(4)]),
    ("hypot", lambda fw, a, b: fw.hypot(a, b),
     [np.array([3.0, 1e200, -2.0]), np.array([4.0, 1e200, 0.5])]),
    ("xlogy", lambda fw, a, b: fw.xlogy(a, b), [r(3, 4), pos(4)]),
    ("copysign", lambda fw, a, b: (fw.copysign(a, b), fw.copysign(a, -1.0)),
     [r(6), np.array([-0.0, 0.0, -2.0, 3.0, -np.inf, np.inf])]),
    ("signbit-sgn", lambda fw, x: (fw.signbit(x), fw.sgn(x), fw.sign(x)),
     [np.array([-0.0, 0.0, -2.0, 3.0, -np.inf, np.nan])]),
    ("signbit-int", lambda fw, x: x.signbit(), [np.array([-1, 0, 2])]),
    ("fmax-fmin", lambda fw, a, b: (fw.fmax(a, b), fw.fmin(a, b)),
     [np.array([np.nan, 1.0, np.nan, -2.0, 4.0]), np.array([3.0, np.nan, np.nan, 5.0, 4.0])]),
    ("fmax-int", lambda fw, a, b: fw.fmax(a, b), [ints(4), ints(4)]),
    ("heaviside", lambda fw, x, v: fw.heaviside(x, v), [np.array([-1.5, 0.0, 2.0]),
                                                        np.array([0.25])], {"grad": False}),
    ("sinc", lambda fw, x: fw.sinc(x), [np.array([0.0, 0.5, -1.25, 3.0])]),
    ("float_power", lambda fw, a, b: (fw.float_power(a, b), fw.float_power(a, 2)),
     [pos(3), r(3)]),
    ("float_power-int", lambda fw, a: (fw.float_power(a, 3), fw.float_power(2, a)), [ints(3)]),
    ("logit", lambda fw, p: (fw.logit(p), p.logit(eps=0.2)), [np.array([0.1, 0.5, 0.85])]),
    ("rsub", lambda fw, a, b: (fw.rsub(a, b, alpha=2), fw.rsub(a, 5)), [r(3), r(3)]),
    ("isposinf-isneginf-isreal", lambda fw, x: (fw.isposinf(x), fw.isneginf(x), fw.isreal(x)),
     [np.array([np.inf, -np.inf, np.nan, 1.0])]),
    ("ldexp", lambda fw, x, e: fw.ldexp(x, e), [r(3), np.array([0.0, 3.0, -2.0])]),
    ("isin", lambda fw, e, t: (fw.isin(e, t), fw.isin(e, t, invert=True), fw.isin(e, 2)),
     [np.array([[1, 2], [3, 4]]), np.array([2, 5, 4])]),
    ("isclose", lambda fw, a, b: fw.isclose(a, b, rtol=1e-3, atol=0.0),
     [np.array([1.0, np.nan, np.inf, -np.inf, 1.0]),
      np.array([1.0005, np.nan, np.inf, np.inf, 1.1])]),
    ("isclose-nan", lambda fw, a, b: fw.isclose(a, b, equal_nan=True),
     [np.array([np.nan, 1.0]), np.array([np.nan, 2.0])]),
    ("isclose-int", lambda fw, a, b: fw.isclose(a, b, atol=1), [ints(5), ints(5)]),
    ("count_nonzero", lambda fw, x: (fw.count_nonzero(x), x.count_nonzero(dim=(0, 2))),
     [ints(2, 3, 4, high=2)]),
    ("nansum-nanmean", lambda fw, x: (fw.nansum(x, 1), fw.nanmean(x), x.nanmean(0, True)),
     [np.array([[1.0, np.nan, 3.0], [np.nan, 4.0, 2.0]])]),
    ("var_mean", lambda fw, x: fw.var_mean(x, 1, correction=0), [r(3, 5)]),
    ("std_mean", lambda fw, x: fw.std_mean(x, dim=(0, 1), keepdim=True), [r(3, 4, 2)]),
    ("view_as", lambda fw, x, y: x.view_as(y), [r(2, 6), r(3, 4)]),
    ("movedim", lambda fw, x: (fw.movedim(x, 0, -1), x.moveaxis((0, 1), (2, 0))), [r(2, 3, 4)]),
    ("tile", lambda fw, x: (fw.tile(x, (2,)), x.tile((2, 1, 3))), [r(2, 3)]),
    ("diagonal", lambda fw, x: (fw.diagonal(x), x.diagonal(1), x.diagonal(-1, 2, 0)),
     [r(3, 4, 3)]),
    ("diagonal-out-of-range", lambda fw, x: x.diagonal(5), [r(3, 4)]),
    ("atleast", lambda fw, a, b, c: (fw.atleast_1d(a), fw.atleast_2d(b), *fw.atleast_3d(a, b, c),
                                     *fw.atleast_2d([a, c])),
     [np.array(2.0), r(3), r(2, 3)]),
    ("hstack-vstack-dstack", lambda fw, a, b: (fw.hstack([a, b]), fw.vstack((a, b)),
                                               fw.dstack([a, b]), fw.row_stack([a, b])),
     [r(2, 3), r(2, 3)]),
    ("hstack-1d", lambda fw, a, b: fw.hstack([a, b]), [r(2), r(3)]),
    ("column_stack", lambda fw, a, b, c: fw.column_stack([a, b, c]),
     [r(3), r(3, 2), r(3)]),
    ("tensor_split", lambda fw, x: (*fw.tensor_split(x, 3, 1), *x.tensor_split([1, -1, 9])),
     [r(5, 7)]),
    ("hsplit-vsplit-dsplit", lambda fw, x: (*fw.hsplit(x, 2), *fw.vsplit(x, [1]),
                                            *fw.dsplit(x, 3)), [r(2, 4, 3)]),
    ("broadcast_tensors", lambda fw, a, b: fw.broadcast_tensors(a, b), [r(3, 1), r(4)]),
    ("meshgrid-ij", lambda fw, a, b, c: fw.meshgrid(a, b, c, indexing="ij"), [r(2), r(3), r(4)]),
    ("meshgrid-xy", lambda fw, a, b: fw.meshgrid([a, b], indexing="xy"), [r(2), r(3)]),
    ("addmm", lambda fw, x, a, b: fw.addmm(x, a, b, beta=0.5, alpha=2), [r(4), r(3, 2), r(2, 4)]),
    ("addmm-beta0-ignores-nan", lambda fw, x, a, b: fw.addmm(x, a, b, beta=0),
     [np.full((3, 4), np.nan), r(3, 2), r(2, 4)]),
    ("mv-addmv", lambda fw, x, m, v: (fw.mv(m, v), fw.addmv(x, m, v, alpha=3)),
     [r(3), r(3, 2), r(2)]),
    ("baddbmm-addbmm", lambda fw, x, a, b, y: (fw.baddbmm(x, a, b, beta=2), fw.addbmm(y, a, b)),
     [r(1, 3, 4), r(2, 3, 5), r(2, 5, 4), r(3, 4)]),
    ("inner", lambda fw, a, b: fw.inner(a, b), [r(2, 3), r(4, 3)]),
    ("vdot", lambda fw, a, b: fw.vdot(a, b), [r(4), r(4)]),
    ("tensordot", lambda fw, a, b: (fw.tensordot(a, b), fw.tensordot(a, b.permute(2, 0, 1),
                                                                       dims=([1, 2], [1, 2]))),
     [r(2, 3, 4), r(3, 4, 5)]),
    ("kron", lambda fw, a, b: (fw.kron(a, b), fw.kron(b, a)), [r(2, 3), r(3)]),
    ("cross", lambda fw, a, b: (fw.cross(a, b, dim=1), fw.cross(a.transpose(0, 1), b.T, dim=0)),
     [r(4, 3), r(1, 3)]),
    ("diag", lambda fw, v, m: (fw.diag(v), fw.diag(v, 2), fw.diag(v, -1), fw.diag(m, 1),
                               fw.diag(m, -2)), [r(3), r(3, 4)]),
    ("trace", lambda fw, m, i: (fw.trace(m), fw.trace(i)), [r(3, 4), ints(3, 2)]),
    ("cdist", lambda fw, a, b: (fw.cdist(a, b), fw.cdist(a, b, p=1), fw.cdist(a, b, 3.0)),
     [r(2, 4, 3), r(2, 5, 3)]),
    ("take", lambda fw, x, i: fw.take(x, i), [r(2, 3), np.array([[0, 5], [-1, 2]])]),
    ("argwhere", lambda fw, x: fw.argwhere(x), [ints(3, 4, high=2)]),
    ("repeat_interleave", lambda fw, x, c: (fw.repeat_interleave(x, 2), x.repeat_interleave(c, 0),
                                            fw.repeat_interleave(c)),
     [r(2, 3), np.array([1, 3])]),
    ("rot90", lambda fw, x: (fw.rot90(x), x.rot90(2), x.rot90(-1, [2, 0]), x.rot90(4)),
     [r(2, 3, 4)]),
    ("index_add", lambda fw, x, s, i: fw.index_add(x, 1, i, s, alpha=2),
     [r(3, 4), r(3, 3), np.array([0, 3, 0])]),
    ("index_copy", lambda fw, x, s, i: x.index_copy(0, i, s), [r(4, 2), r(2, 2), np.array([3, 1])]),
    ("index_fill", lambda fw, x, i: x.index_fill(1, i, -1.5), [r(3, 4), np.array([0, 2])]),
    ("cummax-cummin", lambda fw, x: (*fw.cummax(x, 1), *x.cummin(dim=-1), *fw.cummax(x, 0)),
     [np.array([[1.0, 3.0, 2.0, 3.0, 0.0, 5.0, 5.0], [4.0, -1.0, -1.0, 2.0, 7.0, 0.5, 8.0]])]),
    ("cummax-nan", lambda fw, x: (*fw.cummax(x, 0), *fw.cummin(x, 0)),
     [np.array([1.0, np.nan, 2.0, np.nan, -1.0])], {"grad": False}),
    ("cummax-int-0d", lambda fw, x, z: (*fw.cummax(x, 0), *fw.cummin(z, 0)),
     [np.array([2, 1, 2, 5, 3]), np.array(4)]),
    ("logcumsumexp", lambda fw, x, y: (fw.logcumsumexp(x, 0), y.logcumsumexp(1)),
     [np.array([-1000.0, 0.0, 1.0, -np.inf, 700.0]), r(2, 9)]),
    ("diff", lambda fw, x, p: (fw.diff(x), x.diff(2, 0), fw.diff(x, prepend=p, dim=0)),
     [r(3, 4), r(1, 4)]),
    ("diff-bool", lambda fw, x: fw.diff(x), [np.array([True, True, False, True])]),
    ("trapezoid", lambda fw, y, x: (fw.trapezoid(y), fw.trapz(y, dx=0.5),
                                    fw.trapezoid(y, x[0], dim=1), fw.cumulative_trapezoid(y, x)),
     [r(3, 4), np.sort(r(3, 4), axis=1)]),
    ("ravel-unfold", lambda fw, x: (x.t().ravel(), x.unfold(1, 2, 1), x.unfold(0, 2, 1).sum(),
                                    x.unfold(1, 3, 2)), [r(3, 5)]),
    ("unfold-0d", lambda fw, x: x.unfold(0, 1, 1), [np.array(3.0)]),
    ("fliplr-flipud", lambda fw, x: (fw.fliplr(x), x.flipud()), [r(2, 3)]),
    ("take_along_dim", lambda fw, x, i: (fw.take_along_dim(x, i, 1), fw.take_along_dim(x, i)),
     [r(2, 4), np.array([[2, 0], [1, 3]])]),
    ("take_along_dim-broadcast", lambda fw, x, i: fw.take_along_dim(x, i, dim=0),
     [r(3, 1, 4), np.array([[[2]], [[0]]])]),
    ("unravel_index", lambda fw, i: fw.unravel_index(i, (2, 3, 4)), [np.array([0, 5, 23, -1])]),
    ("diag_embed-diagflat", lambda fw, x: (fw.diag_embed(x), fw.diag_embed(x, 1),
                                           fw.diag_embed(x, -1, 0, 2), fw.diagflat(x)),
     [r(2, 3)]),
    ("block_diag", lambda fw, a, b, c: fw.block_diag(a, b, c), [r(2, 2), r(3), np.array(7.0)]),
    ("dist-renorm", lambda fw, a, b: (fw.dist(a, b), fw.dist(a, b, 1), fw.renorm(a, 2, 0, 1.5),
                                      a.renorm(1, 1, 2.0)), [r(3, 4), r(4)]),
    # PyTorch's own vander backward fails (it writes into a saved tensor): values only.
    ("vander", lambda fw, x: (fw.vander(x), fw.vander(x, 2, increasing=True)), [r(3)],
     {"grad": False}),
    ("vander-int", lambda fw, x: fw.vander(x, 4), [np.array([1, 2, 3])]),
    ("cartesian_prod", lambda fw, a, b, c: (fw.cartesian_prod(a, b, c), fw.cartesian_prod(a)),
     [r(2), r(3), r(2)]),
    ("combinations", lambda fw, x: (fw.combinations(x), fw.combinations(x, 3),
                                    fw.combinations(x, 2, with_replacement=True)), [r(4)]),
    ("combinations-empty", lambda fw, x: (fw.combinations(x, 0), fw.combinations(x, 5)),
     [ints(4)]),
    ("tril-triu_indices", lambda fw: (fw.tril_indices(3, 3), fw.triu_indices(3, 4, 1),
                                      fw.tril_indices(4, 2, -1)), []),
    ("unique", lambda fw, x: fw.unique(x, return_inverse=True, return_counts=True),
     [np.array([[3, 1, 3], [2, 1, 1]])]),
    ("unique_consecutive", lambda fw, x: fw.unique_consecutive(x, return_inverse=True,
                                                               return_counts=True),
     [np.array([1, 1, 2, 2, 3, 1, 1, 2])]),
    ("searchsorted", lambda fw, s, v: (fw.searchsorted(s, v), fw.searchsorted(s, v, right=True),
                                       fw.searchsorted(s, v, side="right", out_int32=True)),
     [np.array([1.0, 3.0, 5.0, 7.0]), np.array([[3.0, 6.0], [0.0, 9.0]])]),
    ("searchsorted-nd", lambda fw, s, v: fw.searchsorted(s, v),
     [np.sort(r(2, 5), axis=1), r(2, 3)]),
    ("bucketize", lambda fw, v, b: (fw.bucketize(v, b), fw.bucketize(v, b, right=True)),
     [np.array([3, 6, 1, 9]), np.array([1, 3, 5, 7])]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(case):
    _, fn, inputs, *options = case
    kwargs = options[0] if options else {}
    compare(functools.partial(fn, tw), functools.partial(fn, torch), *inputs, **kwargs)


def test_unique_of_floats():
    x = np.array([0.5, -1.0, 0.5, 2.0, -np.inf])
    compare(lambda t: t.unique(return_counts=True), lambda t: t.unique(return_counts=True), x,
            grad=False)


def test_nanmean_of_only_nan_is_nan():
    # Values only: PyTorch's gradient there is nan (0/0 count), tensorweave's is 0.
    x = np.array([[np.nan, 1.0], [np.nan, 3.0]])
    compare(lambda t: t.nanmean(0), lambda t: t.nanmean(0), x, grad=False)


def test_shape_and_value_predicates():
    assert tw.broadcast_shapes((2, 1), (3,)) == (2, 3) == torch.broadcast_shapes((2, 1), (3,))
    assert tw.broadcast_shapes(2, (3, 1)) == (3, 2) and isinstance(tw.broadcast_shapes(1), tw.Size)
    assert tw.tensor([0.5]).is_nonzero() and not tw.is_nonzero(tw.tensor(0))
    assert tw.is_same_size(tw.ones(2), tw.zeros(2)) and not tw.ones(2).is_same_size(tw.ones(1))
    assert tw.is_signed(tw.ones(1)) and not tw.ones(1, dtype=tw.uint8).is_signed()
    assert not tw.ones(1).is_complex()


def test_equal_and_allclose_answer_python_bools():
    a, b = tw.tensor([1.0, 2.0]), tw.tensor([1.0, 2.000001])
    assert tw.equal(a, a.clone()) is True and a.equal(b) is False
    assert tw.equal(a, tw.tensor([1, 2])) is True  # values compare after promotion, as torch
    assert tw.equal(a, tw.tensor([1.0])) is False  # shapes differ: no broadcasting
    assert tw.allclose(a, b) is True and a.allclose(b, rtol=0, atol=1e-12) is False
    assert tw.allclose(tw.tensor([1.0]), a.new_ones(3)) is True  # allclose broadcasts
    nan = tw.tensor([math.nan])
    assert not tw.allclose(nan, nan) and tw.allclose(nan, nan, equal_nan=True)


def test_predicates_and_dtype_limits():
    x = tw.zeros(2, 3, dtype=tw.float16)
    assert tw.is_tensor(x) and not tw.is_tensor(np.zeros(2))
    assert tw.numel(x) == 6 and tw.is_floating_point(x) and not tw.is_complex(x)
    for name in ("float16", "float32", "float64"):
        f, ft = tw.finfo(getattr(tw, name)), torch.finfo(getattr(torch, name))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(f, attr) == getattr(ft, attr), (name, attr)
    assert tw.finfo().eps == torch.finfo().eps
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        i, it = tw.iinfo(getattr(tw, name)), torch.iinfo(getattr(torch, name))
        assert (i.bits, i.min, i.max) == (it.bits, it.min, it.max)
    with pytest.raises(TypeError, match="iinfo"):
        tw.finfo(tw.int64)
    with pytest.raises(TypeError, match="finfo"):
        tw.iinfo(tw.float32)


def test_inplace_variants_write_into_self():
    x = tw.zeros(3, 2)
    x.index_add_(0, tw.tensor([0, 0, 2]), tw.ones(3, 2))
    assert x.tolist() == [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]
    x.index_fill_(1, tw.tensor([1]), 7.0)
    assert x[:, 1].tolist() == [7.0, 7.0, 7.0]
    x.index_copy_(0, tw.tensor([1]), tw.full((1, 2), 5.0))
    assert x[1].tolist() == [5.0, 5.0]
    y = tw.tensor([1.0, 2.0])
    y.addcmul_(tw.tensor([2.0, 2.0]), tw.tensor([3.0, 0.5]), value=2)
    assert y.tolist() == [13.0, 4.0]
    y.addcdiv_(tw.tensor([1.0, 1.0]), tw.tensor([2.0, 4.0]))
    assert y.tolist() == [13.5, 4.25]
    z = tw.tensor([7, -7])
    z.div_(2, rounding_mode="floor")
    assert z.tolist() == [3, -4] and z.dtype is tw.int64


def test_diagonal_is_a_view_and_its_gradient_reaches_the_input():
    x = tw.zeros(3, 3, requires_grad=True)
    d = x.diagonal(1)
    assert d.shape == (2,) and d._data is not None
    d.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    base = tw.arange(9.0).reshape(3, 3)
    base.diagonal().fill_(-1.0)
    assert base.diagonal().tolist() == [-1.0, -1.0, -1.0]


@pytest.mark.parametrize("call, error, match", [
    (lambda: tw.div(tw.ones(2), 2, rounding_mode="round"), ValueError, "rounding_mode"),
    (lambda: tw.addcdiv(tw.ones(2), tw.tensor([1, 2]), tw.tensor([2, 2])), RuntimeError,
     "integer division"),
    (lambda: tw.isclose(tw.ones(2), tw.ones(2, dtype=tw.int64)), RuntimeError, "did not match"),
    (lambda: tw.isclose(tw.ones(2), tw.ones(2), rtol=-1), RuntimeError, "rtol must be"),
    (lambda: tw.nanmean(tw.tensor([1, 2])), RuntimeError, "floating point"),
    (lambda: tw.movedim(tw.ones(2, 3), (0, 1), 0), RuntimeError, "same number of dims"),
    (lambda: tw.diagonal(tw.ones(2, 3), 0, 1, -1), RuntimeError, "cannot be identical"),
    (lambda: tw.tensor_split(tw.ones(4), 0), RuntimeError, "larger than 0"),
    (lambda: tw.hsplit(tw.ones(2, 5), 2), RuntimeError, "not divisible"),
    (lambda: tw.vsplit(tw.ones(4), 2), RuntimeError, "at least 2 dimension"),
    (lambda: tw.meshgrid(tw.ones(2, 2)), RuntimeError, "0D or 1D"),
    (lambda: tw.meshgrid(tw.ones(2), indexing="ji"), ValueError, "indexing must be"),
    (lambda: tw.addmm(tw.ones(3), tw.ones(2, 3), tw.ones(2, 3)), RuntimeError, "cannot be mult"),
    (lambda: tw.addmm(tw.ones(5), tw.ones(2, 3), tw.ones(3, 4)), RuntimeError, "broadcast"),
    (lambda: tw.mv(tw.ones(2, 3), tw.ones(2)), RuntimeError, "size mismatch"),
    (lambda: tw.tensordot(tw.ones(2, 3), tw.ones(2, 3), dims=([1], [1, 0])), RuntimeError,
     "same length"),
    (lambda: tw.tensordot(tw.ones(2, 3), tw.ones(2, 3), dims=1), RuntimeError, "need to match"),
    (lambda: tw.cross(tw.ones(4, 2), tw.ones(4, 2)), RuntimeError, "size 3"),
    (lambda: tw.cross(tw.ones(3, 2), tw.ones(3, 2), dim=1), RuntimeError, "length 3"),
    (lambda: tw.diag(tw.ones(2, 2, 2)), RuntimeError, "1D or 2D"),
    (lambda: tw.trace(tw.ones(3)), RuntimeError, "expected a matrix"),
    (lambda: tw.cdist(tw.ones(3, 2), tw.ones(3, 4)), RuntimeError, "same number of columns"),
    (lambda: tw.take(tw.ones(3), tw.tensor([0.0])), TypeError, "integer tensor"),
    (lambda: tw.take(tw.ones(3), tw.tensor([3])), IndexError, "out of bounds"),
    (lambda: tw.repeat_interleave(tw.ones(3), tw.tensor([1, 2]), 0), RuntimeError, "same size"),
    (lambda: tw.repeat_interleave(tw.ones(2), -1), RuntimeError, "negative"),
    (lambda: tw.rot90(tw.ones(2, 2), 1, [0, 0]), RuntimeError, "different"),
    (lambda: tw.unique(tw.ones(2, 2), dim=0), NotImplementedError, "without dim"),
    (lambda: tw.searchsorted(tw.ones(2, 3), tw.ones(3, 1)), RuntimeError, "must match"),
    (lambda: tw.searchsorted(tw.ones(3), tw.ones(1), right=True, side="left"), RuntimeError,
     "opposites"),
    (lambda: tw.bucketize(tw.ones(2), tw.ones(2, 2)), RuntimeError, "1 dimension"),
    (lambda: tw.heaviside(tw.ones(2), tw.ones(1, dtype=tw.int64)), RuntimeError,
     "different dtypes"),
    (lambda: tw.positive(tw.ones(2, dtype=tw.bool)), TypeError, "bool"),
    (lambda: tw.logcumsumexp(tw.tensor([1, 2]), 0), RuntimeError, "floating point"),
    (lambda: tw.diff(tw.tensor(1.0)), RuntimeError, "one-dimensional"),
    (lambda: tw.ones(3).unfold(0, 4, 1), RuntimeError, "maximum size"),
    (lambda: tw.ones(3).unfold(0, 2, 0), RuntimeError, "step"),
    (lambda: tw.fliplr(tw.ones(3)), RuntimeError, ">= 2-d"),
    (lambda: tw.take_along_dim(tw.ones(2, 2), tw.tensor([0]), 1), RuntimeError,
     "same number of dimensions"),
    (lambda: tw.unravel_index(tw.tensor([6]), (2, 3)), RuntimeError, "in range"),
    (lambda: tw.unravel_index(tw.tensor([1.0]), (2, 3)), TypeError, "integer"),
    (lambda: tw.block_diag(tw.ones(2, 2, 2)), RuntimeError, "2 or fewer"),
    (lambda: tw.renorm(tw.ones(2, 2), 0, 0, 1.0), RuntimeError, "non-positive"),
    (lambda: tw.vander(tw.ones(2, 2)), RuntimeError, "one-dimensional"),
    (lambda: tw.combinations(tw.ones(2, 2)), RuntimeError, "1D vector"),
    (lambda: tw.broadcast_shapes((2,), (3,)), RuntimeError, "broadcast"),
    (lambda: tw.is_nonzero(tw.ones(2)), RuntimeError, "more than one value"),
])
def test_bad_input_names_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()
