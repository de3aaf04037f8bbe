"""nn.functional normalization against PyTorch: batch_norm (training, evaluation, running
statistics after several calls), layer_norm, group_norm, instance_norm, rms_norm and
normalize; gradients, numerical gradients to second order, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F
from tensorweave.ops import nn as ops_nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def rand(*shape, scale=1.0, loc=0.0):
    return RNG.normal(loc, scale, size=shape)


def leaf(a):
    return tw.tensor(a, dtype=tw.float64, requires_grad=True)


# -- batch_norm -----------------------------------------------------------------------------------

BN_SHAPES = [(8, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 2, 2)]


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_matches_pytorch_with_gradients(shape, affine):
    x = rand(*shape, scale=2.0, loc=1.0)
    params = [rand(3), rand(3)] if affine else []

    def run(F, fw, x, *wb):
        rm, rv = fw.zeros(3, dtype=fw.float64), fw.ones(3, dtype=fw.float64)
        return F.batch_norm(x, rm, rv, *wb, training=True, momentum=0.2, eps=1e-3)

    compare(lambda *a: run(F, tw, *a), lambda *a: run(TF, torch, *a), x, *params)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_running_statistics_follow_pytorch_over_several_calls(dtype):
    """Biased variance normalizes, the unbiased one enters running_var; both averages move
    by ``momentum`` each call, updated in place."""
    tol = {"float32": 1e-6, "float64": 1e-13}[dtype]
    ours = [tw.zeros(4, dtype=getattr(tw, dtype)), tw.ones(4, dtype=getattr(tw, dtype))]
    theirs = [torch.zeros(4, dtype=getattr(torch, dtype)), torch.ones(4, dtype=getattr(torch,
                                                                                       dtype))]
    rm_obj = ours[0]
    for step in range(4):
        x = rand(6, 4, 3, scale=1.0 + step, loc=step - 1.0).astype(dtype)
        out = F.batch_norm(tw.tensor(x), *ours, training=True, momentum=0.3)
        ref = TF.batch_norm(torch.tensor(x), *theirs, training=True, momentum=0.3)
        np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=10 * tol, rtol=10 * tol)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), atol=tol, rtol=tol)
    assert ours[0] is rm_obj and rm_obj._version == 8  # in place: two writes per call
    assert not ours[0].requires_grad


def test_batch_norm_running_statistics_are_not_part_of_the_graph():
    x = leaf(rand(5, 3))
    rm, rv = tw.zeros(3, dtype=tw.float64), tw.ones(3, dtype=tw.float64)
    F.batch_norm(x, rm, rv, training=True).sum().backward()
    assert rm.grad_fn is None and rv.grad_fn is None


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_evaluation_uses_running_statistics_like_pytorch(shape):
    x = rand(*shape)
    rm, rv, w, b = rand(3), RNG.uniform(0.5, 2.0, 3), rand(3), rand(3)
    compare(lambda x, w, b: F.batch_norm(x, tw.tensor(rm), tw.tensor(rv), w, b),
            lambda x, w, b: TF.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b),
            x, w, b)
    compare(lambda x: F.batch_norm(x, tw.tensor(rm), tw.tensor(rv)),
            lambda x: TF.batch_norm(x, torch.tensor(rm), torch.tensor(rv)), x)


def test_batch_norm_without_running_statistics_normalizes_with_the_batch():
    x = rand(6, 2, 3)
    compare(lambda x: F.batch_norm(x, None, None, training=True),
            lambda x: TF.batch_norm(x, None, None, training=True), x)


def test_batch_norm_op_returns_differentiable_statistics():
    """All three outputs of the op have exact derivatives, to second order."""
    def f(x, w, b):
        out, mean, var = ops_nn.batch_norm(x, w, b, 1e-3)
        return (out * out).sum() + (mean * mean).sum() * 3 + (var * var).sum() * 2

    args = (leaf(rand(4, 3, 2)), leaf(rand(3)), leaf(rand(3)))
    assert tw.autograd.gradcheck(f, args)
    assert tw.autograd.gradgradcheck(f, args)
    out, mean, var = ops_nn.batch_norm(tw.tensor(args[0].detach().numpy()))
    x = args[0].detach().numpy()
    np.testing.assert_allclose(mean.numpy(), x.mean((0, 2)), rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), x.var((0, 2)), rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients_match_finite_differences_to_second_order(training):
    rm, rv = tw.tensor(rand(3)), tw.tensor(RNG.uniform(0.5, 2.0, 3))

    def f(x, w, b):
        return F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training)

    args = (leaf(rand(4, 3, 2)), leaf(rand(3)), leaf(rand(3)))
    assert tw.autograd.gradcheck(f, args)
    assert tw.autograd.gradgradcheck(f, args)


def test_batch_norm_of_an_empty_batch_leaves_the_running_statistics():
    rm, rv = tw.zeros(3), tw.ones(3)
    assert F.batch_norm(tw.ones(0, 3), rm, rv, training=True).shape == (0, 3)
    assert rm.tolist() == [0.0] * 3 and rv.tolist() == [1.0] * 3


def test_batch_norm_errors_match_pytorch():
    x = tw.ones(4, 3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input size tensorweave.Size\(\[1, 3\]\)"):
        F.batch_norm(tw.ones(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(x, None, None)
    with pytest.raises(RuntimeError, match="running_var must be defined in evaluation mode"):
        F.batch_norm(x, tw.zeros(3), None)
    with pytest.raises(ValueError, match="running_mean and running_var must either both be "
                                         "None or neither be None"):
        F.batch_norm(x, tw.zeros(3), None, training=True)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(x, tw.zeros(4), tw.ones(4), training=True)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements not 4"):
        F.batch_norm(x, tw.zeros(3), tw.ones(3), tw.ones(4), training=True)
    with pytest.raises(RuntimeError, match="bias should contain 3 elements not 4"):
        F.batch_norm(x, tw.zeros(3), tw.ones(3), None, tw.ones(4))
    with pytest.raises(ValueError, match="batch_norm eps must be positive during training, but "
                                         "got 0.0"):
        F.batch_norm(x, None, None, training=True, eps=0.0)


# -- layer_norm -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,normalized", [((4, 5), (5,)), ((2, 3, 4), (4,)),
                                              ((2, 3, 4), (3, 4)), ((0, 4), (4,))])
@pytest.mark.parametrize("affine", ["wb", "w", ""])
def test_layer_norm_matches_pytorch_with_gradients(shape, normalized, affine):
    x = rand(*shape, scale=3.0, loc=-2.0)
    w = rand(*normalized) if "w" in affine else None
    b = rand(*normalized) if "b" in affine else None
    args = [a for a in (w, b) if a is not None]

    def run(F, x, *wb):
        it = iter(wb)
        return F.layer_norm(x, normalized, next(it) if w is not None else None,
                            next(it) if b is not None else None, eps=1e-4)

    compare(lambda *a: run(F, *a), lambda *a: run(TF, *a), x, *args)


def test_layer_norm_gradients_match_finite_differences_to_second_order():
    def f(x, w, b):
        return F.layer_norm(x, (2, 3), w, b)

    args = (leaf(rand(2, 2, 3)), leaf(rand(2, 3)), leaf(rand(2, 3)))
    assert tw.autograd.gradcheck(f, args)
    assert tw.autograd.gradgradcheck(f, args)


def test_layer_norm_float32_statistics_do_not_cancel_for_a_large_mean():
    """Mean then squared deviations (two passes): E[x^2] - E[x]^2 would lose every digit."""
    x = rand(4, 64, scale=1.0, loc=1e4)
    got = F.layer_norm(tw.tensor(x, dtype=tw.float32), (64,)).numpy()
    xf = x.astype(np.float32).astype(np.float64)
    want = (xf - xf.mean(-1, keepdims=True)) / np.sqrt(xf.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(got, want, atol=2e-3)


def test_layer_norm_errors_match_pytorch():
    x = tw.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size\[2, 3\]"):
        F.layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match=r"Expected weight to be of same shape as "
                                           r"normalized_shape, but got weight of shape \[4\] and "
                                           r"normalized_shape = \[3\]"):
        F.layer_norm(x, (3,), tw.ones(4))
    with pytest.raises(RuntimeError, match=r"Expected bias to be of same shape"):
        F.layer_norm(x, (3,), None, tw.ones(4))
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        F.layer_norm(x, 3)
    with pytest.raises(RuntimeError, match="Expected normalized_shape to be at least "
                                           "1-dimensional"):
        F.layer_norm(x, [])


# -- group_norm, instance_norm, rms_norm, normalize -----------------------------------------------

@pytest.mark.parametrize("shape,groups", [((2, 6, 4), 3), ((2, 6, 3, 2), 2), ((3, 4), 2),
                                          ((2, 6, 5), 6), ((2, 6, 5), 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_matches_pytorch_with_gradients(shape, groups, affine):
    x = rand(*shape, scale=2.0, loc=0.5)
    params = [rand(shape[1]), rand(shape[1])] if affine else []
    compare(lambda x, *wb: F.group_norm(x, groups, *wb, eps=1e-4),
            lambda x, *wb: TF.group_norm(x, groups, *wb, eps=1e-4), x, *params)


def test_group_norm_gradients_match_finite_differences_to_second_order():
    def f(x, w, b):
        return F.group_norm(x, 2, w, b)

    args = (leaf(rand(2, 4, 3)), leaf(rand(4)), leaf(rand(4)))
    assert tw.autograd.gradcheck(f, args)
    assert tw.autograd.gradgradcheck(f, args)


def test_group_norm_errors_match_pytorch():
    with pytest.raises(RuntimeError, match=r"Expected number of channels in input to be "
                                           r"divisible by num_groups, but got input of shape "
                                           r"\[2, 6, 4\] and num_groups=4"):
        F.group_norm(tw.ones(2, 6, 4), 4)
    with pytest.raises(RuntimeError, match="Expected at least 2 dimensions for input tensor but "
                                           "received 1"):
        F.group_norm(tw.ones(6), 3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, "
                                         r"got input size \[1, 3\]"):
        F.group_norm(tw.ones(1, 3), 3)
    with pytest.raises(RuntimeError, match=r"Expected weight to be a vector of size equal to the "
                                           r"number of channels in input, but got weight of "
                                           r"shape \[5\] and input of shape \[2, 6, 4\]"):
        F.group_norm(tw.ones(2, 6, 4), 3, tw.ones(5))


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 2, 3)])
@pytest.mark.parametrize("affine", [True, False])
def test_instance_norm_matches_pytorch_with_gradients(shape, affine):
    x = rand(*shape, scale=2.0, loc=1.0)
    params = [rand(3), rand(3)] if affine else []
    compare(lambda x, *wb: F.instance_norm(x, None, None, *wb),
            lambda x, *wb: TF.instance_norm(x, None, None, *wb), x, *params)


def test_instance_norm_tracks_and_uses_running_statistics_like_pytorch():
    ours = [tw.zeros(3, dtype=tw.float64), tw.ones(3, dtype=tw.float64)]
    theirs = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    for step in range(3):
        x = rand(4, 3, 6, loc=step)
        out = F.instance_norm(tw.tensor(x), *ours, momentum=0.25)
        ref = TF.instance_norm(torch.tensor(x), *theirs, momentum=0.25)
        np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-12)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    x = rand(2, 3, 4)
    np.testing.assert_allclose(
        F.instance_norm(tw.tensor(x), *ours, use_input_stats=False).numpy(),
        TF.instance_norm(torch.tensor(x), *theirs, use_input_stats=False).numpy(), rtol=1e-12)


def test_instance_norm_errors_match_pytorch():
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        F.instance_norm(tw.ones(2, 3))
    with pytest.raises(RuntimeError, match="Expected running_mean and running_var to be defined "
                                           "when use_input_stats is false"):
        F.instance_norm(tw.ones(2, 3, 4), use_input_stats=False)


@pytest.mark.parametrize("normalized,weight,eps", [((4,), True, None), ((3, 4), False, 1e-3),
                                                   ((4,), False, None)])
def test_rms_norm_matches_pytorch_with_gradients(normalized, weight, eps):
    x = rand(2, 3, 4)
    params = [rand(*normalized)] if weight else []
    compare(lambda x, *w: F.rms_norm(x, normalized, *w, eps=eps),
            lambda x, *w: TF.rms_norm(x, normalized, *w, eps=eps), x, *params)
    compare(lambda x, *w: F.rms_norm(x, normalized, *w, eps=eps),
            lambda x, *w: TF.rms_norm(x, normalized, *w, eps=eps),
            x.astype(np.float32), *(p.astype(np.float32) for p in params), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (2.0, (0, 1))])
def test_normalize_matches_pytorch_with_gradients(p, dim):
    x = rand(3, 4)
    x[1] = 0.0  # a zero vector stays zero (the norm is clamped to eps)
    compare(lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), x)


def test_normalize_out_argument():
    out = tw.empty(2, 2)
    res = F.normalize(tw.tensor([[3.0, 4.0], [0.0, 2.0]]), out=out)
    assert res is out
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)


def test_normalization_ops_without_cpu_kernels_agree(monkeypatch):
    """The decompositions (what a backend without fused kernels runs) give the same values
    and gradients as the fused cpu kernels."""
    x = rand(4, 3, 5)
    w, b = rand(3), rand(3)

    def run():
        xs = leaf(x)
        ws, bs = leaf(w), leaf(b)
        out = F.batch_norm(xs, None, None, ws, bs, training=True) + F.group_norm(xs, 3, ws, bs)
        out = F.layer_norm(out, (5,))
        out.backward(tw.tensor(np.cos(x)))
        return [out.detach().numpy(), xs.grad.numpy(), ws.grad.numpy(), bs.grad.numpy()]

    fused = run()
    monkeypatch.delitem(ops_nn.layer_norm.kernels, "cpu")
    monkeypatch.delitem(ops_nn.batch_norm.kernels, "cpu")
    for a, b in zip(run(), fused):
        np.testing.assert_allclose(a, b, atol=1e-12)
