"""nn.functional linear, bilinear, embedding and one_hot against PyTorch: values, gradients,
numerical gradients, PyTorch's errors, and the cost of linear in dispatches."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F
from tensorweave import _tensor_ops, dispatch

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape)


def leaf(a):
    return tw.tensor(a, dtype=tw.float64, requires_grad=True)


@pytest.fixture
def dispatched(monkeypatch):
    """The names of the ops dispatched while the test runs, in order."""
    names: list[str] = []
    real = dispatch.apply

    def counting(op, inputs, params):
        names.append(op.name)
        return real(op, inputs, params)

    monkeypatch.setattr(dispatch, "apply", counting)
    monkeypatch.setattr(_tensor_ops, "apply", counting)
    return names


# -- linear ---------------------------------------------------------------------------------------

LINEAR_SHAPES = [((3, 4), (5, 4), (5,)), ((3, 4), (5, 4), None), ((2, 3, 4), (5, 4), (5,)),
                 ((4,), (5, 4), (5,)), ((3, 4), (4,), None), ((4,), (4,), None),
                 ((0, 4), (5, 4), (5,)), ((3, 4), (5, 4), (1,))]


@pytest.mark.parametrize("xs,ws,bs", LINEAR_SHAPES)
def test_linear_matches_pytorch_with_gradients(xs, ws, bs):
    args = [rand(*xs), rand(*ws)] + ([] if bs is None else [rand(*bs)])
    compare(F.linear, TF.linear, *args)


@pytest.mark.parametrize("xs,ws,bs", LINEAR_SHAPES[:6])
def test_linear_gradients_match_finite_differences_to_second_order(xs, ws, bs):
    args = [leaf(rand(*xs)), leaf(rand(*ws))] + ([] if bs is None else [leaf(rand(*bs))])
    assert tw.autograd.gradcheck(F.linear, args)
    assert tw.autograd.gradgradcheck(F.linear, args)


def test_linear_float32_and_float16_match_pytorch():
    x, w, b = rand(8, 16), rand(4, 16), rand(4)
    compare(F.linear, TF.linear, x.astype(np.float32), w.astype(np.float32),
            b.astype(np.float32), atol=1e-5, rtol=1e-5)
    got = F.linear(*(tw.tensor(a, dtype=tw.float16) for a in (x, w, b)))
    assert got.dtype is tw.float16
    np.testing.assert_allclose(got.numpy(), x @ w.T + b, atol=0.05, rtol=0.01)


def test_linear_is_one_dispatch_forward_and_skips_the_unneeded_input_gradient(dispatched):
    x = tw.randn(64, 32)  # a network's input: no gradient wanted
    w, b = tw.randn(16, 32, requires_grad=True), tw.randn(16, requires_grad=True)
    dispatched.clear()
    out = F.linear(x, w, b)
    assert dispatched == ["linear"]
    dispatched.clear()
    out.backward(tw.ones(64, 16))
    # grad_w = g.T @ x (a transposed view, one product) and grad_b = g.sum(0); no g @ w.
    assert collections.Counter(dispatched) == {"matmul": 1, "permute": 1, "sum": 1,
                                               "full": 1}
    np.testing.assert_allclose(b.grad.numpy(), np.full(16, 64.0))
    np.testing.assert_allclose(w.grad.numpy(), np.ones((16, 64)) @ x.numpy(), rtol=1e-5)


def test_linear_without_the_cpu_kernel_gives_the_same_values_and_gradients(monkeypatch):
    from tensorweave.ops import nn

    args = [rand(2, 3, 4), rand(5, 4), rand(5)]
    with_kernel = compare(F.linear, TF.linear, *args).detach().numpy()
    monkeypatch.delitem(nn.linear.kernels, "cpu")
    np.testing.assert_allclose(compare(F.linear, TF.linear, *args).detach().numpy(),
                               with_kernel, rtol=1e-12)


def test_linear_errors_name_the_shapes_and_dtypes():
    with pytest.raises(RuntimeError, match=r"linear: mat1 and mat2 shapes cannot be multiplied "
                                           r"\(3x4 and 3x5\)"):
        F.linear(tw.ones(3, 4), tw.ones(5, 3))
    with pytest.raises(RuntimeError, match="both arguments to linear need to be at least 1D, but "
                                           "they are 0D and 2D"):
        F.linear(tw.tensor(1.0), tw.ones(4, 1))
    with pytest.raises(RuntimeError, match="same dtype, but got: float32 != float64"):
        F.linear(tw.ones(3, 4), tw.ones(5, 4, dtype=tw.float64))
    with pytest.raises(RuntimeError, match=r"bias of shape \[4\] does not broadcast to the "
                                           r"output shape \[3, 5\]"):
        F.linear(tw.ones(3, 4), tw.ones(5, 4), tw.ones(4))
    with pytest.raises(RuntimeError, match="weight must be"):
        F.linear(tw.ones(3, 4), tw.ones(2, 5, 4))
    with pytest.raises(TypeError, match="argument 'input' must be Tensor, not list"):
        F.linear([[1.0]], tw.ones(1, 1))


# -- bilinear -------------------------------------------------------------------------------------

@pytest.mark.parametrize("s1,s2,bias", [((3, 4), (3, 5), True), ((2, 3, 4), (2, 3, 5), False),
                                        ((4,), (5,), True), ((0, 4), (0, 5), True)])
def test_bilinear_matches_pytorch_with_gradients(s1, s2, bias):
    args = [rand(*s1), rand(*s2), rand(6, 4, 5)] + ([rand(6)] if bias else [])
    compare(F.bilinear, TF.bilinear, *args)


def test_bilinear_errors_match_pytorch():
    w = tw.ones(6, 4, 5)
    cases = [((tw.ones(3, 4), tw.ones(3, 4), w), "input2 size does not match weight size: got 4 "
                                                 "but expected 5"),
             ((tw.ones(3, 3), tw.ones(3, 5), w), "input1 size does not match weight size: got 3 "
                                                 "but expected 4"),
             ((tw.ones(3, 4), tw.ones(2, 5), w), "input batch dimensions do not match at dim 0: "
                                                 "got 3 and 2"),
             ((tw.ones(3, 4), tw.ones(3, 5, 1), w), "input dimensions do not match: got 2 and 3"),
             ((tw.ones(3, 4), tw.ones(3, 5), w, tw.ones(5)), "bias size does not match weight "
                                                             "size: got 5 but expected 6")]
    for args, msg in cases:
        with pytest.raises(RuntimeError, match=f"bilinear\\(\\): {msg}"):
            F.bilinear(*args)


# -- embedding ------------------------------------------------------------------------------------

IDX = np.array([[0, 2, 4, 2], [1, 1, 3, 0]])


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 1, "scale_grad_by_freq": True}])
def test_embedding_matches_pytorch_with_gradients(kwargs):
    compare(lambda i, w: F.embedding(i, w, **kwargs), lambda i, w: TF.embedding(i, w, **kwargs),
            IDX, rand(5, 3))


def test_embedding_padding_row_gets_no_gradient_but_is_still_looked_up():
    w = leaf(rand(5, 3))
    out = F.embedding(tw.tensor(IDX), w, padding_idx=2)
    np.testing.assert_array_equal(out.detach().numpy()[0, 1], w.detach().numpy()[2])
    (out * out).sum().backward()
    assert not np.any(w.grad.numpy()[2])
    assert np.all(w.grad.numpy()[[0, 1, 3, 4]] != 0)


def test_embedding_gradients_match_finite_differences_to_second_order():
    idx = tw.tensor(IDX)
    assert tw.autograd.gradcheck(lambda w: F.embedding(idx, w), (leaf(rand(5, 3)),))
    assert tw.autograd.gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (leaf(rand(5, 3)),))


def test_embedding_max_norm_renormalizes_looked_up_rows_in_place_like_pytorch():
    w = rand(6, 3) * 2
    ours, theirs = tw.tensor(w), torch.tensor(w)
    idx = np.array([[0, 2], [2, 5]])
    out = F.embedding(tw.tensor(idx), ours, max_norm=1.0, norm_type=1.5)
    ref = TF.embedding(torch.tensor(idx), theirs, max_norm=1.0, norm_type=1.5)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)  # rows 0, 2, 5 only
    np.testing.assert_array_equal(ours.numpy()[[1, 3, 4]], w[[1, 3, 4]])


def test_embedding_accepts_int32_indices_and_float32_weights():
    compare(F.embedding, TF.embedding, IDX.astype(np.int32), rand(5, 4).astype(np.float32),
            atol=1e-6)


def test_embedding_errors_match_pytorch():
    w = tw.ones(4, 3)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(tw.tensor([1, 5]), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(tw.tensor([1, -1]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(tw.tensor([1]), w, padding_idx=4)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(tw.tensor([1]), w, padding_idx=-5)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar "
                                           "types: Long, Int; but got float32"):
        F.embedding(tw.tensor([1.0]), w)
    with pytest.raises(RuntimeError, match="'weight' must be 2-D"):
        F.embedding(tw.tensor([1]), tw.ones(4))


# -- one_hot --------------------------------------------------------------------------------------

@pytest.mark.parametrize("values,num_classes", [([3, 0, 1], -1), ([[1, 2], [0, 0]], 4),
                                                (2, 3), ([], 3)])
def test_one_hot_matches_pytorch(values, num_classes):
    got = F.one_hot(tw.tensor(values, dtype=tw.int64), num_classes)
    want = TF.one_hot(torch.tensor(values, dtype=torch.int64), num_classes)
    assert got.dtype is tw.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_one_hot_errors_match_pytorch():
    cases = [(tw.tensor([-1, 2]), -1, "Class values must be non-negative."),
             (tw.tensor([1, 2]), 2, "Class values must be smaller than num_classes."),
             (tw.tensor([1, 2]), 0, "Class values must be smaller than num_classes."),
             (tw.tensor([], dtype=tw.int64), -1, "Can not infer total number of classes from "
                                                 "empty tensor."),
             (tw.tensor([1.0, 2.0]), -1, "one_hot is only applicable to index tensor of type "
                                         "LongTensor."),
             (tw.tensor([1, 2], dtype=tw.int32), -1, "one_hot is only applicable to index tensor "
                                                     "of type LongTensor.")]
    for t, n, msg in cases:
        with pytest.raises(RuntimeError, match=msg.replace(".", r"\.")):
            F.one_hot(t, n)
