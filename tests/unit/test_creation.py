"""Creation ops: values and dtypes as PyTorch gives them, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw


def _np(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("fill,dtype", [(1.5, tw.float32), (1, tw.int64), (True, tw.bool),
                                        (np.float64(2.0), tw.float32)])
def test_full_infers_dtype_from_fill_value(fill, dtype, device):
    t = tw.full((2,), fill, device=device)
    assert t.dtype is dtype
    np.testing.assert_array_equal(_np(t), np.full((2,), fill, dtype=dtype.np))


def test_full_follows_default_dtype():
    tw.set_default_dtype(tw.float64)
    try:
        assert tw.full((2,), 1.5).dtype is tw.float64
        assert tw.full((2,), 1).dtype is tw.int64
    finally:
        tw.set_default_dtype(tw.float32)


@pytest.mark.parametrize("fn,value", [(tw.zeros, 0), (tw.ones, 1), (tw.empty, 0)])
def test_factories_accept_size_in_every_form(fn, value, device):
    for t in (fn(2, 3, device=device), fn((2, 3), device=device), fn([2, 3], device=device),
              fn(size=(2, 3), device=device)):
        assert t.shape == (2, 3) and t.dtype is tw.float32
        np.testing.assert_array_equal(_np(t), np.full((2, 3), value, np.float32))
    assert fn(size=(), dtype=tw.int32).shape == ()


def test_factory_size_errors():
    with pytest.raises(TypeError, match=r"zeros: got sizes both as arguments \(2,\) and as "
                                        r"size=\(3,\); pass one"):
        tw.zeros(2, size=(3,))
    with pytest.raises(RuntimeError, match=r"ones: Trying to create tensor with negative "
                                           r"dimension -1: \[2, -1\]"):
        tw.ones(2, -1)
    with pytest.raises(TypeError, match="zeros: sizes must be ints"):
        tw.zeros(2.5)


def test_linspace_values_match_pytorch(device):
    np.testing.assert_array_equal(_np(tw.linspace(-10, 10, steps=5, device=device)),
                                  [-10.0, -5.0, 0.0, 5.0, 10.0])
    np.testing.assert_allclose(_np(tw.linspace(3, 10, steps=5, device=device)),
                               [3.0, 4.75, 6.5, 8.25, 10.0])
    t = tw.linspace(0, 1, 7, device=device)
    assert t.dtype is tw.float32  # the default dtype even for int endpoints
    # Both endpoints are exact (the second half counts down from end).
    assert _np(t)[0] == 0.0 and _np(t)[-1] == 1.0
    np.testing.assert_allclose(_np(t), np.linspace(0, 1, 7), rtol=1e-6)
    np.testing.assert_array_equal(_np(tw.linspace(0, 10, 5, dtype=tw.int64)), [0, 2, 5, 7, 10])
    np.testing.assert_array_equal(_np(tw.linspace(2, 5, 1)), [2.0])
    assert tw.linspace(2, 5, 0).shape == (0,)
    np.testing.assert_array_equal(_np(tw.linspace(tw.tensor(1.0), tw.tensor(2.0), 3)),
                                  [1.0, 1.5, 2.0])


def test_linspace_errors():
    with pytest.raises(RuntimeError, match="linspace: number of steps must be non-negative; "
                                           "got -1"):
        tw.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="linspace: steps must be an int; got float"):
        tw.linspace(0, 1, 2.0)
    with pytest.raises(RuntimeError, match="linspace: start must be a number or a "
                                           "0-dimensional tensor"):
        tw.linspace(tw.ones(2), 1, 3)


def test_logspace_values_match_pytorch(device):
    np.testing.assert_allclose(_np(tw.logspace(-10, 10, steps=5, device=device)),
                               [1.0e-10, 1.0e-05, 1.0, 1.0e05, 1.0e10], rtol=1e-6)
    np.testing.assert_allclose(_np(tw.logspace(0.1, 1.0, steps=5, device=device)),
                               [1.2589, 2.1135, 3.5481, 5.9566, 10.0], rtol=1e-4)
    np.testing.assert_allclose(_np(tw.logspace(0, 1, 3, base=2, device=device)),
                               [1.0, 2 ** 0.5, 2.0], rtol=1e-6)
    t = tw.logspace(0, 2, 3, dtype=tw.int64)
    assert t.dtype is tw.int64
    np.testing.assert_array_equal(_np(t), [1, 10, 100])


def test_eye(device):
    np.testing.assert_array_equal(_np(tw.eye(3, device=device)), np.eye(3, dtype=np.float32))
    t = tw.eye(2, 3, dtype=tw.int32, device=device)
    assert t.dtype is tw.int32
    np.testing.assert_array_equal(_np(t), [[1, 0, 0], [0, 1, 0]])
    assert tw.eye(0).shape == (0, 0)
    assert tw.eye(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="eye: n must be greater or equal to 0, got -1"):
        tw.eye(-1)
    with pytest.raises(RuntimeError, match="eye: m must be greater or equal to 0, got -2"):
        tw.eye(2, -2)


@pytest.mark.parametrize("k", [-1, 0, 1, 5])
def test_tril_triu_values(k, device):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = tw.tensor(x, device=device)
    np.testing.assert_array_equal(_np(tw.tril(t, k)), np.tril(x, k))
    np.testing.assert_array_equal(_np(t.triu(k)), np.triu(x, k))
    np.testing.assert_array_equal(_np(t.tril(diagonal=k)), np.tril(x, k))


def test_tril_triu_keep_dtype():
    b = tw.ones(3, 3, dtype=tw.bool)
    assert tw.tril(b).dtype is tw.bool
    np.testing.assert_array_equal(_np(tw.triu(b)), np.triu(np.ones((3, 3), bool)))


def test_tril_triu_gradients(device):
    x = tw.ones(3, 3, device=device, requires_grad=True)
    w = tw.arange(9.0, device=device).reshape(3, 3)
    ((tw.tril(x) * w).sum() + (tw.triu(x, 1) * w * 10).sum()).backward()
    wn = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(_np(x.grad), np.tril(wn) + np.triu(wn, 1) * 10)
    assert tw.tril(x).grad_fn.name() == "TrilBackward0"


def test_tril_triu_errors():
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions; "
                                           r"got a 1-D tensor of shape \[3\]"):
        tw.tril(tw.ones(3))
    with pytest.raises(TypeError, match="triu: diagonal must be an int; got float"):
        tw.triu(tw.ones(2, 2), 0.5)


def test_arange_and_tensor_helpers():
    t = tw.arange(6).reshape(2, 3)
    assert t.numel() == 6 and t.nelement() == 6
    assert t.element_size() == 8 and tw.ones(2, dtype=tw.float16).element_size() == 2
    assert t.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert tw.tensor(7).item() == 7
    with pytest.raises(RuntimeError, match="a Tensor with 6 elements cannot be converted to "
                                           "Scalar"):
        t.item()
