"""The dispatcher's per-call path: promotion memo, composite paths, error wrapping."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave import dispatch
from tensorweave.ops import COMPOSITE, defop
from tensorweave.ops._rules import Promotion


@pytest.fixture
def default_float64():
    tw.set_default_dtype(tw.float64)
    yield
    tw.set_default_dtype(tw.float32)


def test_promotion_memo_follows_default_dtype_changes(default_float64):
    """Integer division gives the *current* default float, even after a cached call."""
    x = tw.tensor([1, 2])
    tw.set_default_dtype(tw.float32)
    assert (x / x).dtype is tw.float32
    tw.set_default_dtype(tw.float64)
    r = x / x
    assert r.dtype is tw.float64
    np.testing.assert_array_equal(r.numpy(), [1.0, 1.0])


def test_int_tensor_plus_python_float_is_default_float():
    """PyTorch's wrapped-number rule: int32 tensor + 2.5 -> float32, not float64."""
    r = tw.tensor([1, 2], dtype=tw.int32) + 2.5
    assert r.dtype is tw.float32
    np.testing.assert_allclose(r.numpy(), [3.5, 4.5])


def test_dim_tensor_outranks_0d_tensor_of_same_category():
    """int32 [2] + int64 0-d -> int32; float32 [2] + float64 0-d -> float32."""
    assert (tw.tensor([1, 2], dtype=tw.int32) + tw.tensor(5)).dtype is tw.int32
    assert (tw.tensor([1.0]) + tw.tensor(2.0, dtype=tw.float64)).dtype is tw.float32


def test_mixed_dtype_grad_is_cast_back_to_input_dtype():
    """A float32 leaf combined with float64 gets a float32 gradient."""
    x = tw.tensor([1.0, 2.0], requires_grad=True)
    y = tw.tensor([3.0, 4.0], dtype=tw.float64)
    (x * y).sum().backward()
    assert x.grad.dtype is tw.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def _softplus_decomp(x):
    return tw.log(1.0 + tw.exp(x))


calls = {"vjp": 0}


def _softplus_vjp(g, out, x):
    calls["vjp"] += 1
    return (g * tw.sigmoid(x),)


softplus_test = defop(COMPOSITE, name="softplus_test", decomp=_softplus_decomp,
                      vjp=_softplus_vjp, promotion=Promotion.INT_TO_FLOAT)(
    lambda x: softplus_test.bind(x))


def test_composite_with_vjp_records_its_own_derivative():
    """Without a kernel, a composite with an explicit vjp runs its decomposition untracked
    and uses the vjp for the gradient."""
    x = tw.tensor([0.0, 1.0], requires_grad=True)
    y = softplus_test(x)
    assert y.grad_fn is not None and y.grad_fn.name() == "SoftplusTestBackward0"
    y.sum().backward()
    assert calls["vjp"] == 1
    np.testing.assert_allclose(x.grad.numpy(), 1 / (1 + np.exp(-np.array([0.0, 1.0]))),
                               rtol=1e-6)


def test_kernel_errors_name_the_op_and_operands():
    """A backend exception is re-raised with the op, shapes, dtypes and devices."""
    with pytest.raises((RuntimeError, ValueError)) as e:
        dispatch.apply(tw.ops.movement.view, (tw.ones(2, 3).t(),), {"size": (6,)})
    msg = str(e.value)
    assert "view" in msg and "shape=[3, 2]" in msg and "float32" in msg


def test_numpy_scalars_promote_like_python_numbers():
    """np.float64(2) * float32 tensor stays float32, as with a Python float."""
    r = tw.ones(2) * np.float64(2.0)
    assert r.dtype is tw.float32
    np.testing.assert_array_equal(r.numpy(), [2.0, 2.0])
