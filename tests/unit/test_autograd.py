"""Autograd against PyTorch-known results: backward, grad, hooks, version counters,
custom Functions, gradcheck / gradgradcheck."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.autograd import Function, GradcheckError, gradcheck, gradgradcheck


def leaf(values, dtype=tw.float32, device="cpu"):
    return tw.tensor(values, dtype=dtype, device=device, requires_grad=True)


def np_of(t):
    return t.detach().cpu().numpy()


# -- backward basics ---------------------------------------------------------------------------

def test_square_of_scalar_gives_4(device):
    x = leaf(2.0, device=device)
    (x ** 2).backward()
    assert x.grad.item() == 4.0


def test_sum_of_pow_and_product_grads(device):
    x, y = leaf([2.0, 3.0], device=device), leaf([1.0, 2.0], device=device)
    z = x.pow(2).sum() + (y * x).sum()
    z.backward()
    np.testing.assert_array_equal(np_of(x.grad), [5.0, 8.0])
    np.testing.assert_array_equal(np_of(y.grad), [2.0, 3.0])


def test_grads_accumulate_across_backward_calls():
    x = leaf([2.0, 3.0])
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [8.0, 12.0])


def test_second_backward_without_retain_graph_raises():
    x = leaf([2.0, 3.0])
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        z.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([2.0, 3.0])
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(np_of(x.grad), [8.0, 12.0])


def test_graph_without_saved_tensors_runs_twice_like_pytorch():
    # add and sum save nothing, so PyTorch lets this graph run again.
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    z = (x + y).sum()
    z.backward()
    z.backward()
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0])


def test_backward_on_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        (x * 2).backward()


def test_backward_with_gradient_is_a_vector_jacobian_product():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(tw.tensor([1.0, 0.5, 2.0]))
    np.testing.assert_allclose(np_of(x.grad), [2.0, 2.0, 12.0])


def test_backward_gradient_of_wrong_shape_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of "
                                           r"\[3\] and output\[0\] has a shape of \[2\]"):
        (x * 2).backward(tw.ones(3))


def test_backward_of_tensor_without_history_raises():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and "
                                           "does not have a grad_fn"):
        tw.ones(2).sum().backward()


def test_backward_inputs_limits_accumulation():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x * y).sum().backward(inputs=[x])
    np.testing.assert_array_equal(np_of(x.grad), [3.0, 4.0])
    assert y.grad is None
    with pytest.raises(RuntimeError, match="'inputs' argument to backward\\(\\) cannot be empty"):
        (x * y).sum().backward(inputs=[])


def test_autograd_backward_function_with_several_roots():
    x = leaf([1.0, 2.0])
    tw.autograd.backward([(x * 2).sum(), (x * x).sum()])
    np.testing.assert_array_equal(np_of(x.grad), [4.0, 6.0])


# -- higher order --------------------------------------------------------------------------------

def test_create_graph_second_derivative_of_cube_is_6x():
    x = leaf(2.0, dtype=tw.float64)
    (g,) = tw.autograd.grad(x ** 3, x, create_graph=True)
    assert g.item() == pytest.approx(12.0)
    assert g.requires_grad
    (g2,) = tw.autograd.grad(g, x, create_graph=True)
    assert g2.item() == pytest.approx(12.0)  # 6x
    (g3,) = tw.autograd.grad(g2, x)
    assert g3.item() == pytest.approx(6.0)


def test_backward_create_graph_makes_grad_differentiable():
    x = leaf([1.0, 2.0], dtype=tw.float64)
    (x ** 3).sum().backward(create_graph=True)
    np.testing.assert_allclose(np_of(x.grad), [3.0, 12.0])
    assert x.grad.grad_fn is not None
    (gg,) = tw.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(np_of(gg), [6.0, 12.0])


def test_create_graph_accumulation_is_out_of_place_and_differentiable():
    x = leaf([1.0, 2.0], dtype=tw.float64)
    (x ** 2).sum().backward(create_graph=True)
    first = x.grad
    (x ** 3).sum().backward(create_graph=True)
    np.testing.assert_allclose(np_of(first), [2.0, 4.0])  # not modified in place
    np.testing.assert_allclose(np_of(x.grad), [5.0, 16.0])  # 2x + 3x^2
    (gg,) = tw.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(np_of(gg), [8.0, 14.0])  # 2 + 6x


# -- autograd.grad ------------------------------------------------------------------------------

def test_grad_returns_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    (g,) = tw.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(np_of(g), [2.0, 4.0])
    assert x.grad is None


def test_grad_allow_unused_and_materialize_grads():
    x, y = leaf([1.0, 2.0]), leaf([3.0])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        tw.autograd.grad((x * 2).sum(), [x, y], retain_graph=True)
    out = (x * 2).sum()
    gx, gy = tw.autograd.grad(out, [x, y], retain_graph=True, allow_unused=True)
    np.testing.assert_array_equal(np_of(gx), [2.0, 2.0])
    assert gy is None
    gx, gy = tw.autograd.grad(out, [x, y], retain_graph=True, materialize_grads=True)
    np.testing.assert_array_equal(np_of(gy), [0.0])
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed"):
        tw.autograd.grad(out, [x, y], allow_unused=False, materialize_grads=True)


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 3
    (gy,) = tw.autograd.grad((y * y).sum(), y)
    np.testing.assert_allclose(np_of(gy), [6.0, 12.0])


def test_grad_of_several_outputs_with_grad_outputs():
    x = leaf([1.0, 2.0])
    (g,) = tw.autograd.grad([x * 2, x * x], x, [tw.tensor([1.0, 1.0]), tw.tensor([0.5, 2.0])])
    np.testing.assert_allclose(np_of(g), [2.0 + 1.0, 2.0 + 8.0])


def test_grad_input_that_does_not_require_grad_raises():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require "
                                           "grad"):
        tw.autograd.grad((x * 2).sum(), tw.ones(1))


# -- detach / requires_grad -----------------------------------------------------------------------

def test_detach_shares_storage_and_version_counter():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.add_(1.0)
    np.testing.assert_array_equal(np_of(x), [2.0, 3.0])
    a = x.exp()
    a.detach().mul_(2.0)  # changes a's storage behind autograd's back
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        a.sum().backward()


def test_requires_grad_flags():
    x = leaf([1.0])
    y = x * 2
    y.requires_grad_(True)  # allowed (no-op) on a non-leaf, as in PyTorch
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        tw.tensor([1, 2]).requires_grad_()
    assert x.is_leaf and not y.is_leaf


# -- retain_grad and hooks ------------------------------------------------------------------------

def test_retain_grad_on_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y * 2
    y.retain_grad()
    assert y.retains_grad and not z.retains_grad
    (z * z).sum().backward()
    np.testing.assert_allclose(np_of(y.grad), 2 * 2 * np_of(z))  # d/dy (2y)^2 = 8y
    assert z.grad is None


def test_retain_grad_runs_after_tensor_hooks_like_pytorch():
    x = leaf([1.0, 1.0])
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 10)  # registered later, still seen by retain_grad
    y.sum().backward()
    np.testing.assert_array_equal(np_of(y.grad), [10.0, 10.0])
    np.testing.assert_array_equal(np_of(x.grad), [30.0, 30.0])


def test_retained_grad_is_a_copy():
    x = leaf([1.0, 1.0])
    y = x * 1
    y.retain_grad()
    y.backward(tw.tensor([1.0, 2.0]))
    y.grad.mul_(0.0)
    np.testing.assert_array_equal(np_of(x.grad), [1.0, 2.0])


def test_hook_on_leaf_modifies_grad_and_handle_removes_it():
    x = leaf([1.0, 2.0])
    seen = []
    h1 = x.register_hook(lambda g: seen.append(np_of(g).copy()))
    h2 = x.register_hook(lambda g: g * 2)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(np_of(x.grad), [6.0, 6.0])
    h1.remove()
    h2.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [3.0, 3.0])
    assert len(seen) == 1


def test_hook_on_non_leaf_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    y = x * x
    h = y.register_hook(lambda g: g + 1)
    y.sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [4.0, 8.0])  # (1 + 1) * 2x
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 4.0])


def test_register_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't "
                                           "require gradient"):
        tw.ones(2).register_hook(lambda g: g)


# -- version counters and in-place ---------------------------------------------------------------

def test_inplace_change_of_a_saved_output_raises_pytorch_error():
    x = leaf([1.0, 2.0])
    a = x.exp()
    a.add_(1)
    with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient "
                                           r"computation has been modified by an inplace "
                                           r"operation: .*output 0 of ExpBackward0, is at "
                                           r"version 1; expected version 0 instead"):
        a.sum().backward()


def test_inplace_change_of_a_saved_input_raises():
    x = leaf([1.0, 2.0])
    w = tw.tensor([3.0, 4.0])
    y = x * w
    w.mul_(2)
    with pytest.raises(RuntimeError, match="which is input 1 of MulBackward0"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises_unless_no_grad():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x.add_(1)
    with tw.no_grad():
        x.add_(1)
    np.testing.assert_array_equal(np_of(x), [2.0, 3.0])


def test_inplace_on_non_leaf_is_differentiated():
    x = leaf([1.0, 2.0])
    y = x * x
    y.exp_()  # y = exp(x^2)
    y.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), np.exp([1.0, 4.0]) * [2.0, 4.0], rtol=1e-6)


# -- graph shapes and dtypes ----------------------------------------------------------------------

def test_deep_chain_of_50000_adds_backward_is_iterative_and_fast():
    x = leaf(1.0)
    y = x
    for _ in range(50_000):
        y = y + 1.0
    start = time.perf_counter()
    y.backward()
    assert time.perf_counter() - start < 10.0
    assert x.grad.item() == 1.0
    del y  # freeing the chain must not overflow the stack either


def test_broadcast_gradients_sum_back_to_input_shapes(device):
    a = leaf(np.arange(3.0).reshape(3, 1), device=device)
    b = leaf(np.arange(4.0) + 1.0, device=device)
    w = np.random.default_rng(0).uniform(size=(3, 4))
    ((a + b) * tw.tensor(w, dtype=tw.float32, device=device)).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(np_of(a.grad), w.sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(np_of(b.grad), w.sum(0), rtol=1e-6)


def test_float32_leaf_through_float64_ops_gets_float32_grad():
    x = leaf([1.0, 2.0])
    (x.double() * tw.tensor([3.0, 4.0], dtype=tw.float64)).sum().backward()
    assert x.grad.dtype is tw.float32
    np.testing.assert_array_equal(np_of(x.grad), [3.0, 4.0])


def test_grad_owns_its_memory_after_expand():
    x = leaf([1.0, 2.0, 3.0])
    x.expand(2, 3).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0, 2.0])
    x.grad.mul_(0.0)  # what an optimizer's zero_grad / step does in place
    np.testing.assert_array_equal(np_of(x.grad), [0.0, 0.0, 0.0])
    x.expand(2, 3).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0, 2.0])


def test_leaf_grads_never_alias_each_other_or_the_user_gradient():
    x, y = leaf([1.0, 1.0]), leaf([1.0, 1.0])
    v = tw.tensor([1.0, 2.0])
    (x + y).backward(v)  # add's derivative passes v through to both leaves
    x.grad.mul_(0.0)
    np.testing.assert_array_equal(np_of(y.grad), [1.0, 2.0])
    np.testing.assert_array_equal(np_of(v), [1.0, 2.0])
    z = leaf([5.0])
    z.backward(tw.tensor([1.0]))
    kept = []
    z.register_hook(lambda g: kept.append(g))
    z.grad = None
    (z * 2).backward(tw.tensor([1.0]))
    z.grad.mul_(0.0)
    np.testing.assert_array_equal(np_of(kept[0]), [2.0])


def test_grad_fn_names_follow_pytorch():
    x = leaf([1.0])
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (x + 2).grad_fn.name() == "AddBackward0"


# -- custom Function ------------------------------------------------------------------------------

class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2


class ScaleShift(Function):
    """Non-tensor positional and keyword arguments."""

    @staticmethod
    def forward(ctx, x, y, k, *, shift=0.0):
        ctx.k = k
        ctx.flags = ctx.needs_input_grad
        return x * k + y + shift

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, g, None


class SplitTwo(Function):
    """Two outputs."""

    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        ctx.got = (g1, g2)
        if g2 is None:
            return g1 * 2
        return g1 * 2 + g2 * 3


def test_function_forward_backward_and_node_name():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(np_of(y), [1.0, 8.0])
    np.testing.assert_allclose(np_of(x.grad), [3.0, 12.0])


def test_function_non_tensor_args_and_needs_input_grad():
    x, y = leaf([1.0, 2.0]), tw.tensor([1.0, 1.0])
    out = ScaleShift.apply(x, y, 3.0, shift=1.0)
    np.testing.assert_allclose(np_of(out), [5.0, 8.0])
    assert out.grad_fn.flags == (True, False, False)
    out.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [3.0, 3.0])


def test_function_multiple_outputs_materializes_missing_grads():
    x = leaf([1.0, 2.0])
    a, b = SplitTwo.apply(x)
    assert a.grad_fn is b.grad_fn
    a.sum().backward()
    ctx = a.grad_fn
    np.testing.assert_array_equal(np_of(ctx.got[1]), [0.0, 0.0])  # zeros, not None
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0])
    x.grad = None
    a, b = SplitTwo.apply(x)
    (a.sum() + b.sum()).backward()
    np.testing.assert_array_equal(np_of(x.grad), [5.0, 5.0])


def test_function_set_materialize_grads_false_passes_none():
    class NoMat(SplitTwo):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

    x = leaf([1.0])
    a, _ = NoMat.apply(x)
    a.sum().backward()
    assert a.grad_fn.got[1] is None
    np.testing.assert_array_equal(np_of(x.grad), [2.0])


def test_function_mark_non_differentiable_and_integer_outputs():
    class SortedWithMask(Function):
        @staticmethod
        def forward(ctx, x):
            mask = (x > 0).to(tw.float32)
            ctx.mark_non_differentiable(mask)
            return x * 2, mask, (x > 0).to(tw.int64)

        @staticmethod
        def backward(ctx, g, gmask, gint):
            np.testing.assert_array_equal(np_of(gmask), [0.0, 0.0])
            return g * 2

    x = leaf([-1.0, 1.0])
    y, mask, ints = SortedWithMask.apply(x)
    assert y.requires_grad and not mask.requires_grad and not ints.requires_grad
    (y.sum() + mask.sum()).backward()
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0])


def test_function_saved_tensor_version_check():
    x = leaf([1.0, 2.0])
    w = tw.tensor([1.0, 2.0])
    y = Cube.apply(w * x)  # saves the product
    saved = y.grad_fn.saved_tensors[0]
    saved.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation: .*which is input 0 "
                                           "of CubeBackward"):
        y.sum().backward()


def test_function_saved_tensors_freed_after_backward():
    x = leaf([1.0])
    y = Cube.apply(x)
    y.sum().backward(retain_graph=True)
    assert len(y.grad_fn.saved_tensors) == 1
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_function_save_for_backward_rejects_non_tensors():
    class SaveInt(Cube):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

    with pytest.raises(TypeError, match="save_for_backward can only save variables, but "
                                        "argument 1 is of type int"):
        SaveInt.apply(leaf([1.0]))


def test_function_mark_dirty_rebases_the_modified_input():
    class AddOne_(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1.0)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf([1.0, 2.0])
    y = x * 2
    z = AddOne_.apply(y)
    assert z is y and y.grad_fn.name() == "AddOne_Backward"
    np.testing.assert_array_equal(np_of(y), [3.0, 5.0])
    (z * z).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), 2 * 2 * np_of(y))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in "
                                           "an in-place operation"):
        AddOne_.apply(leaf([1.0]))


def test_function_returning_its_input_keeps_the_input_a_leaf():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = leaf([1.0])
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name() == "IdentityBackward"
    y.sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [5.0])


def test_function_backward_result_checks():
    class TooMany(Cube):
        @staticmethod
        def backward(ctx, g):
            return g, g

    class WrongShape(Cube):
        @staticmethod
        def backward(ctx, g):
            return tw.ones(3)

    class GradForInt(ScaleShift):
        @staticmethod
        def backward(ctx, g):
            return g, g, g

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="function TooManyBackward returned an incorrect "
                                           r"number of gradients \(expected 1, got 2\)"):
        TooMany.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"Function WrongShapeBackward returned an invalid "
                                           r"gradient at index 0 - got \[3\] but expected shape "
                                           r"compatible with \[2\]"):
        WrongShape.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match="returned a gradient different than None at position "
                                           "3, but the corresponding forward input was not a "
                                           "Variable"):
        GradForInt.apply(x, x, 2.0).sum().backward()


def test_function_gradient_is_summed_to_shape_and_cast_to_input_dtype():
    class Broad(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return tw.ones(2, 3, dtype=tw.float64) * g.double()

    x = leaf([1.0, 2.0, 3.0])
    Broad.apply(x).backward()
    assert x.grad.dtype is tw.float32
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 2.0, 2.0])


def test_function_under_no_grad_records_nothing():
    x = leaf([1.0])
    with tw.no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None


def test_function_double_backward_and_hooks():
    x = leaf([2.0], dtype=tw.float64)
    y = Cube.apply(x)
    y.register_hook(lambda g: g * 2)
    (g,) = tw.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(np_of(g), [24.0])  # 2 * 3x^2
    (g2,) = tw.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(np_of(g2), [24.0])  # 2 * 6x


def test_function_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = leaf([3.0])
    Square.apply(x).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), [6.0])


def test_once_differentiable_backward_records_nothing():
    class Once(Cube):
        @staticmethod
        @tw.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = leaf([2.0])
    (g,) = tw.autograd.grad(Once.apply(x).sum(), x, create_graph=True)
    assert g.item() == 12.0 and not g.requires_grad


def test_function_is_not_instantiated():
    with pytest.raises(RuntimeError, match=r"call Cube.apply\(...\) instead"):
        Cube()


# -- gradcheck / gradgradcheck --------------------------------------------------------------------

def test_gradcheck_passes_for_correct_gradients():
    rng = np.random.default_rng(0)
    a = leaf(rng.standard_normal((3, 4)), dtype=tw.float64)
    b = leaf(rng.standard_normal(4), dtype=tw.float64)
    assert gradcheck(lambda x, y, k: ((x * y).exp() * k, x.sum()), (a, b, 2.0))
    assert gradcheck(Cube.apply, (b,))


def test_gradcheck_names_input_and_max_difference():
    class Wrong(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x ** 2

    x = leaf([1.0, 2.0], dtype=tw.float64)
    y = tw.tensor([1.0, 2.0], dtype=tw.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"Jacobian mismatch for output 0 with respect to "
                                             r"input 1: max abs difference 4 \(input element 1, "
                                             r"output element 1: numerical 12, analytical 8"):
        gradcheck(lambda a, b: a + Wrong.apply(b), (x, y))
    assert gradcheck(lambda a: Wrong.apply(a), (x,), raise_exception=False) is False


def test_gradcheck_input_validation():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (tw.ones(2, dtype=tw.float64),))
    with pytest.warns(UserWarning, match="is not a double precision"):
        assert gradcheck(lambda a: a * 2, (leaf([1.0]),), eps=1e-2, atol=1e-3, rtol=1e-3)


def test_gradcheck_catches_a_missing_graph():
    x = leaf([1.0, 2.0], dtype=tw.float64)
    with pytest.raises(GradcheckError, match="analytical 0"):
        gradcheck(lambda a: (a * 2).detach(), (x,))


def test_gradgradcheck_passes_and_catches_wrong_second_derivative():
    x = leaf([0.5, -1.5, 2.0], dtype=tw.float64)
    assert gradgradcheck(lambda a: (a * a * a).sum() * a, (x,))
    assert gradgradcheck(Cube.apply, (x,))

    class FirstOrderOnly(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # right value, but no dependence on x recorded

    assert gradcheck(FirstOrderOnly.apply, (x,))
    with pytest.raises(GradcheckError, match="with respect to input 0"):
        gradgradcheck(FirstOrderOnly.apply, (x,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradgradcheck(FirstOrderOnly.apply, (x,), raise_exception=False) is False


def test_keep_original_lets_an_op_that_saved_its_input_be_written_in_place():
    # What an in-place op does: compute out of place, then overwrite the input with the result.
    from tensorweave.autograd.engine import keep_original
    from tensorweave.ops.inplace import assign

    x = leaf([1.0, 2.0], dtype=tw.float64)
    y = x * x
    out = y.sin()  # saves y
    keep_original(out.grad_fn, y)
    with tw.no_grad():
        assign.bind(y, out)
    y._bump_version()
    (g,) = tw.autograd.grad(out.sum(), x, create_graph=True)
    np.testing.assert_allclose(np_of(g), np.cos([1.0, 4.0]) * [2.0, 4.0])
    (g2,) = tw.autograd.grad(g.sum(), x)
    xs = np.array([1.0, 2.0])
    np.testing.assert_allclose(np_of(g2), 2 * np.cos(xs ** 2) - 4 * xs ** 2 * np.sin(xs ** 2))


def test_post_accumulate_grad_hooks_run_an_optimizer_inside_backward():
    """PyTorch's optimizer-in-backward pattern: each parameter steps as soon as its gradient
    is accumulated; the weights and the hook calls equal PyTorch's."""
    torch = pytest.importorskip("torch")
    w0, x0 = np.random.default_rng(4).standard_normal((2, 3, 3))

    def train(fw):
        w, x = fw.tensor(w0, requires_grad=True), fw.tensor(x0)
        opt, calls = fw.optim.SGD([w], lr=0.1), []

        def step(p):
            calls.append(float(p.grad.sum()))
            opt.step()
            opt.zero_grad()
        handle = w.register_post_accumulate_grad_hook(step)
        for _ in range(3):
            (x @ w).tanh().sum().backward()
        (x @ w).sum().backward(inputs=[w])  # the inputs= path accumulates too
        handle.remove()
        (x @ w).sum().backward()  # removed: no step, the gradient stays
        return w.detach().numpy(), calls, w.grad.numpy()

    for got, want in zip(train(tw), train(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (tw.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)


def test_deprecated_variable_returns_a_tensor_as_pytorch():
    torch = pytest.importorskip("torch")
    from torch.autograd import Variable as TorchVariable

    x = tw.ones(2)
    v = tw.autograd.Variable(x, requires_grad=True)
    tv = TorchVariable(torch.ones(2), requires_grad=True)
    assert type(v) is tw.Tensor and v.requires_grad == tv.requires_grad and v.is_leaf
    assert v.data_ptr() == x.data_ptr() and v is not x
    assert isinstance(tw.zeros(1), tw.autograd.Variable)
    assert not tw.autograd.Variable(x).requires_grad
    assert tuple(tw.autograd.Variable().shape) == tuple(TorchVariable().shape)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        tw.autograd.Variable([1.0])
