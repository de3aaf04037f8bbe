"""Reductions, scans, sorting and softmax: PyTorch's results, dtypes, errors and gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw

INF = math.inf


def leaf(values, dtype=tw.float64):
    return tw.tensor(values, dtype=dtype, requires_grad=True)


def grad_of(fn, values):
    x = leaf(values)
    fn(x).backward()
    return x.grad.tolist()


# -- result dtypes --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tw.bool, tw.uint8, tw.int8, tw.int32, tw.int64])
def test_sum_prod_cumsum_of_integers_and_bool_give_int64(dtype):
    x = tw.tensor([[1, 0], [1, 1]], dtype=dtype)
    assert tw.sum(x).dtype is tw.int64
    assert tw.sum(x).item() == 3
    assert tw.prod(x, 1).dtype is tw.int64
    assert tw.prod(x, 1).tolist() == [0, 1]
    assert tw.cumsum(x, 0).dtype is tw.int64
    assert tw.cumprod(x, 1).dtype is tw.int64


def test_sum_of_float_keeps_dtype_and_dtype_argument_wins():
    assert tw.sum(tw.ones(2, dtype=tw.float16)).dtype is tw.float16
    assert tw.sum(tw.tensor([1, 2], dtype=tw.int32), dtype=tw.float64).dtype is tw.float64
    assert tw.cumsum(tw.tensor([1.0, 2.0]), 0, dtype=tw.float64).tolist() == [1.0, 3.0]


def test_float16_sum_accumulates_in_float32():
    # 4096 + 1 + 1 + ... in float16 would stick at 4096 (its spacing there is 4).
    x = tw.tensor([4096.0] + [1.0] * 64, dtype=tw.float16)
    assert x.sum().item() == 4160.0


def test_mean_of_integers_raises_like_pytorch():
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*Long|int64"):
        tw.mean(tw.tensor([1, 2]))
    assert tw.mean(tw.tensor([1, 2]), dtype=tw.float32).item() == 1.5


def test_var_std_norm_softmax_of_integers_raise():
    x = tw.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        tw.var(x)
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        x.std()
    with pytest.raises(RuntimeError, match="norm: Expected a floating point"):
        tw.norm(x)
    with pytest.raises(RuntimeError, match="softmax: expected a floating-point input; got int64"):
        tw.softmax(x, 0)
    assert tw.softmax(x, 0, dtype=tw.float64).dtype is tw.float64


def test_arg_reductions_give_int64_and_logical_reductions_bool():
    x = tw.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert tw.argmax(x).dtype is tw.int64
    assert tw.argmin(x, 1).dtype is tw.int64
    assert tw.all(x).dtype is tw.bool
    assert tw.any(x, 0).dtype is tw.bool
    # PyTorch's legacy rule: uint8 inputs keep uint8.
    assert tw.all(tw.tensor([1, 2], dtype=tw.uint8)).dtype is tw.uint8


def test_logsumexp_of_integers_gives_default_float():
    r = tw.logsumexp(tw.tensor([0, 0]), 0)
    assert r.dtype is tw.float32
    assert r.item() == pytest.approx(math.log(2))


# -- values, dims, keepdim ------------------------------------------------------------------------

def test_dims_negative_tuple_and_keepdim():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = tw.tensor(a)
    np.testing.assert_array_equal(x.sum((0, -1)).numpy(), a.sum((0, 2)))
    assert x.sum(-2, keepdim=True).shape == (2, 1, 4)
    assert x.sum(dim=[]).item() == a.sum()  # an empty dim list means all dims, as in PyTorch
    np.testing.assert_array_equal(x.amax((1, 2)).numpy(), a.max((1, 2)))
    np.testing.assert_array_equal(tw.amin(x, -1, keepdim=True).numpy(), a.min(-1, keepdims=True))
    np.testing.assert_allclose(x.mean((0, 1)).numpy(), a.mean((0, 1)))
    np.testing.assert_allclose(x.var(1).numpy(), a.var(1, ddof=1))
    np.testing.assert_allclose(x.std((0, 2), keepdim=True).numpy(),
                               a.std((0, 2), ddof=1, keepdims=True))
    np.testing.assert_allclose(x.prod(-1).numpy(), a.prod(-1))


def test_reductions_of_0d_tensors():
    x = tw.tensor(3.0)
    assert x.sum().item() == 3.0
    assert x.sum(0).shape == ()
    assert x.amax(-1).item() == 3.0
    assert x.argmax().item() == 0
    assert tw.max(x, 0).indices.item() == 0
    assert x.cumsum(0).item() == 3.0
    assert tw.sort(x).values.item() == 3.0
    assert tw.softmax(x, 0).item() == 1.0
    assert tw.log_softmax(x, 0).item() == 0.0


def test_empty_inputs_behave_like_pytorch():
    e = tw.zeros(0, 3)
    assert e.sum().item() == 0.0
    assert e.prod().item() == 1.0
    assert math.isnan(e.mean().item())
    assert e.all().item() is True
    assert e.any().item() is False
    assert e.sum(0).tolist() == [0.0, 0.0, 0.0]
    assert e.amax(1).shape == (0,)
    assert tw.logsumexp(tw.zeros(2, 0), 1).tolist() == [-INF, -INF]
    assert e.cumsum(0).shape == (0, 3)


def test_max_like_reductions_of_an_empty_dim_raise():
    e = tw.zeros(0, 3)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero"):
        e.amax(0)
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero"):
        e.max(0)
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified"):
        e.max()
    with pytest.raises(RuntimeError, match=r"argmax\(\): Expected reduction dim to be specified"):
        e.argmax()


def test_bad_dims_raise_index_error_naming_the_op_and_range():
    x = tw.ones(2, 3)
    with pytest.raises(IndexError, match=r"sum: Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        x.sum(2)
    with pytest.raises(IndexError, match=r"argmax: Dimension out of range.*got -3"):
        x.argmax(-3)
    with pytest.raises(IndexError, match="softmax: Dimension out of range"):
        tw.softmax(x, 5)
    with pytest.raises(IndexError, match="sort: Dimension out of range"):
        x.sort(2)
    with pytest.raises(RuntimeError, match="sum: dim .* appears multiple times"):
        x.sum((1, -1))


def test_max_min_named_tuples_and_other_forms():
    x = tw.tensor([[1, 5, 5], [7, 2, 7]])
    r = tw.max(x, 1)
    assert isinstance(r, tuple) and type(r).__name__ == "max"
    assert r.values.tolist() == [5, 7] and r.indices.tolist() == [1, 0]  # first occurrence
    values, indices = x.min(dim=0, keepdim=True)
    assert values.tolist() == [[1, 2, 5]] and indices.tolist() == [[0, 1, 0]]
    assert repr(r).startswith("max(values=tensor([5, 7]), indices=tensor([1, 0]))")
    assert tw.max(x).item() == 7 and tw.min(x).item() == 1
    assert tw.max(x, tw.tensor([2, 2, 6])).tolist() == [[2, 5, 6], [7, 2, 7]]
    assert tw.min(x, tw.tensor([2, 2, 6])).tolist() == [[1, 2, 5], [2, 2, 6]]


def test_min_like_ops_of_integers_do_not_overflow():
    x = tw.tensor([-128, 127, 0], dtype=tw.int8)
    assert x.amin().item() == -128 and x.argmin().item() == 0
    u = tw.tensor([0, 255, 3], dtype=tw.uint8)
    assert u.amin().item() == 0 and tw.min(u, 0).indices.item() == 0
    b = tw.tensor([True, False])
    assert b.amin().item() is False and b.argmin().item() == 1


def test_argmax_flattens_without_dim_and_keeps_dims_with_keepdim():
    x = tw.tensor([[1, 5], [7, 2]])
    assert x.argmax().item() == 2
    assert x.argmax(keepdim=True).tolist() == [[2]]
    assert x.argmax(1).tolist() == [1, 0]
    assert x.argmin(0, keepdim=True).tolist() == [[0, 1]]


def test_nan_propagates_through_max_like_ops():
    x = tw.tensor([1.0, float("nan"), 3.0])
    assert math.isnan(x.amax().item())
    assert x.argmax().item() == 1
    assert math.isnan(tw.min(x, 0).values.item())


def test_var_std_corrections():
    a = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 9.0]])
    x = tw.tensor(a)
    np.testing.assert_allclose(tw.var(x).item(), a.var(ddof=1))
    np.testing.assert_allclose(tw.var(x, unbiased=False).item(), a.var())
    np.testing.assert_allclose(tw.var(x, False).item(), a.var())  # var(input, unbiased)
    np.testing.assert_allclose(tw.var(x, 1, True, True).numpy(), a.var(1, ddof=1, keepdims=True))
    np.testing.assert_allclose(tw.std(x, 0, correction=0).numpy(), a.std(0))
    np.testing.assert_allclose(tw.var(x, correction=2).item(), a.var(ddof=2))
    assert math.isnan(tw.var(tw.tensor([1.0])).item())  # N - correction == 0
    with pytest.raises(RuntimeError, match="cannot specify both unbiased and correction"):
        tw.var(x, unbiased=True, correction=1)


def test_norm_orders():
    a = np.array([[3.0, -4.0], [1.0, 0.0]])
    x = tw.tensor(a)
    assert tw.norm(x).item() == pytest.approx(np.sqrt(26.0))
    assert tw.norm(x, "fro", dim=(0, 1)).item() == pytest.approx(np.sqrt(26.0))
    assert x.norm(1).item() == 8.0
    assert x.norm(INF).item() == 4.0
    assert x.norm(-INF, 1).tolist() == [3.0, 0.0]
    assert x.norm(0, 1).tolist() == [2.0, 1.0]
    np.testing.assert_allclose(x.norm(3, 1, keepdim=True).numpy(),
                               (np.abs(a) ** 3).sum(1, keepdims=True) ** (1 / 3))
    with pytest.raises(RuntimeError, match="nuc"):
        x.norm("nuc")


def test_all_any_over_dims():
    x = tw.tensor([[1, 0, 2], [3, 4, 5]])
    assert x.all(1).tolist() == [False, True]
    assert x.any(0).tolist() == [True, True, True]
    assert x.all((0, 1)).item() is False
    assert tw.any(tw.zeros(2, 2), 1, keepdim=True).tolist() == [[False], [False]]


def test_cumsum_cumprod_values():
    x = tw.tensor([[1, 2, 3], [4, 5, 6]])
    assert x.cumsum(1).tolist() == [[1, 3, 6], [4, 9, 15]]
    assert x.cumsum(-2).tolist() == [[1, 2, 3], [5, 7, 9]]
    assert x.cumprod(1).tolist() == [[1, 2, 6], [4, 20, 120]]


# -- sorting --------------------------------------------------------------------------------------

def test_sort_is_stable_in_both_directions():
    x = tw.tensor([2, 1, 2, 1, 3])
    v, i = tw.sort(x)
    assert v.tolist() == [1, 1, 2, 2, 3] and i.tolist() == [1, 3, 0, 2, 4]
    r = x.sort(descending=True, stable=True)
    assert type(r).__name__ == "sort"
    assert r.values.tolist() == [3, 2, 2, 1, 1] and r.indices.tolist() == [4, 0, 2, 1, 3]
    assert x.argsort(descending=True).tolist() == [4, 0, 2, 1, 3]


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = tw.tensor([1.0, float("nan"), 0.0])
    assert x.sort().indices.tolist() == [2, 0, 1]
    assert x.sort(descending=True).indices.tolist() == [1, 0, 2]


def test_sort_along_dim0():
    x = tw.tensor([[3, 1], [1, 2], [2, 0]])
    v, i = x.sort(0)
    assert v.tolist() == [[1, 0], [2, 1], [3, 2]] and i.tolist() == [[1, 2], [2, 0], [0, 1]]


def test_topk():
    x = tw.tensor([[1.0, 5.0, 3.0, 4.0], [9.0, 0.0, 2.0, 8.0]])
    r = tw.topk(x, 2)
    assert type(r).__name__ == "topk"
    assert r.values.tolist() == [[5.0, 4.0], [9.0, 8.0]] and r.indices.tolist() == [[1, 3], [0, 3]]
    v, i = x.topk(1, dim=0, largest=False)
    assert v.tolist() == [[1.0, 0.0, 2.0, 4.0]] and i.tolist() == [[0, 1, 1, 0]]
    assert x.topk(0).values.shape == (2, 0)
    with pytest.raises(RuntimeError, match="topk: selected index k out of range; got k=5"):
        x.topk(5)


# -- stability ------------------------------------------------------------------------------------

def test_logsumexp_is_stable_for_large_inputs():
    x = tw.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]], dtype=tw.float64)
    np.testing.assert_allclose(tw.logsumexp(x, 1).numpy(), [1000 + math.log(2),
                                                           -1000 + math.log(2)])
    assert tw.logsumexp(tw.tensor([-INF, -INF]), 0).item() == -INF
    assert tw.logsumexp(tw.tensor([INF, 1.0]), 0).item() == INF


def test_softmax_and_log_softmax_are_stable_for_large_inputs():
    x = tw.tensor([[1000.0, 1000.0, 999.0]], dtype=tw.float64)
    e = np.exp([1.0, 1.0, 0.0])
    np.testing.assert_allclose(tw.softmax(x, 1).numpy(), [e / e.sum()])
    np.testing.assert_allclose(x.log_softmax(-1).numpy(), [np.log(e / e.sum())])
    x32 = tw.tensor([1000.0, 0.0])
    assert tw.softmax(x32, 0).tolist() == [1.0, 0.0]
    assert tw.log_softmax(x32, 0).tolist() == [0.0, -1000.0]


def test_softmax_decomposition_matches_the_cpu_kernel():
    from tensorweave.ops import nn

    x = tw.tensor(np.random.default_rng(0).normal(size=(3, 4)) * 50)
    np.testing.assert_allclose(nn._softmax_decomp(x, 1).numpy(), tw.softmax(x, 1).numpy())
    np.testing.assert_allclose(nn._log_softmax_decomp(x, 0).numpy(),
                               tw.log_softmax(x, 0).numpy())


def test_softmax_without_dim_warns_and_picks_pytorchs_legacy_dim():
    x = tw.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        r = tw.softmax(x)
    np.testing.assert_allclose(r.numpy(), tw.softmax(x, 1).numpy())


# -- gradients ------------------------------------------------------------------------------------

def test_amax_amin_and_full_max_share_the_gradient_among_ties():
    assert grad_of(lambda x: x.amax(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert grad_of(lambda x: x.max(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert grad_of(lambda x: x.amin(1).sum(), [[2.0, 2.0, 2.0, 2.0]]) == [[0.25] * 4]


def test_max_min_along_a_dim_send_the_gradient_to_the_index():
    assert grad_of(lambda x: x.max(1).values.sum(), [[1.0, 3.0, 3.0]]) == [[0.0, 1.0, 0.0]]
    assert grad_of(lambda x: (x.min(0, keepdim=True).values * 2).sum(),
                   [[1.0, 0.0], [1.0, 5.0]]) == [[2.0, 2.0], [0.0, 0.0]]


def test_prod_and_cumprod_gradients_are_exact_with_zeros():
    assert grad_of(lambda x: x.prod(), [2.0, 0.0, 3.0, 4.0]) == [0.0, 24.0, 0.0, 0.0]
    assert grad_of(lambda x: x.prod(), [2.0, 0.0, 3.0, 0.0]) == [0.0, 0.0, 0.0, 0.0]
    assert grad_of(lambda x: x.prod(1).sum(), [[2.0, 0.0], [3.0, 4.0]]) == [[0.0, 2.0],
                                                                            [4.0, 3.0]]
    # d/dx_i sum_j prod_{k<=j} x_k
    assert grad_of(lambda x: x.cumprod(0).sum(), [2.0, 0.0, 3.0, 4.0]) == [1.0, 32.0, 0.0, 0.0]


def test_std_and_norm_take_the_zero_subgradient_at_zero():
    assert grad_of(lambda x: x.std(), [2.0, 2.0]) == [0.0, 0.0]
    assert grad_of(lambda x: x.norm(), [0.0, 0.0]) == [0.0, 0.0]
    assert grad_of(lambda x: x.norm(), [3.0, 4.0]) == pytest.approx([0.6, 0.8])


def test_sort_and_topk_gradients_follow_the_indices():
    w = tw.tensor([10.0, 20.0, 30.0], dtype=tw.float64)
    assert grad_of(lambda x: (x.sort().values * w).sum(), [3.0, 1.0, 2.0]) == [30.0, 10.0, 20.0]
    w2 = tw.tensor([10.0, 20.0], dtype=tw.float64)
    assert grad_of(lambda x: (x.topk(2).values * w2).sum(), [3.0, 1.0, 2.0]) == [10.0, 0.0, 20.0]


def test_cumsum_gradient_is_a_reversed_cumsum():
    assert grad_of(lambda x: (x.cumsum(0) * tw.tensor([1.0, 2.0, 3.0], dtype=tw.float64)).sum(),
                   [5.0, 6.0, 7.0]) == [6.0, 5.0, 3.0]


def test_softmax_gradient_matches_the_analytic_jacobian():
    a = np.array([0.3, -1.2, 2.0])
    s = np.exp(a) / np.exp(a).sum()
    w = np.array([1.0, 2.0, 3.0])
    x = leaf(a)
    (tw.softmax(x, 0) * tw.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), s * (w - (w * s).sum()))


@pytest.mark.parametrize("fn", [
    lambda x: x.prod(1),
    lambda x: x.prod(),
    lambda x: x.cumprod(1),
    lambda x: x.cumsum(0),
    lambda x: x.amax(1),
    lambda x: x.max(1).values,
    lambda x: tw.sort(x, 1).values,
    lambda x: tw.topk(x, 2).values,
    lambda x: x.var(1),
    lambda x: x.std(0),
    lambda x: tw.logsumexp(x, 1),
    lambda x: x.norm(dim=1),
    lambda x: x.norm(3, dim=0),
    lambda x: tw.softmax(x, 1),
    lambda x: tw.log_softmax(x, 0),
], ids=["prod", "prod-all", "cumprod", "cumsum", "amax", "max", "sort", "topk", "var", "std",
        "logsumexp", "norm", "norm3", "softmax", "log_softmax"])
def test_second_derivatives(fn):
    x = leaf(np.random.default_rng(3).uniform(0.5, 2.0, size=(2, 3)))
    assert tw.autograd.gradgradcheck(fn, (x,))


def test_second_derivative_of_prod_with_zeros():
    x = leaf([[2.0, 0.0, 3.0], [1.5, 0.5, 0.0]])
    assert tw.autograd.gradgradcheck(lambda t: t.prod(1), (x,))
    assert tw.autograd.gradgradcheck(lambda t: t.cumprod(1), (x,))
