"""nn.functional dropout family: the law of the mask (fraction zeroed within a fixed
false-alarm bound), the exact scale, channel-wise masks, reproducibility under
tensorweave.manual_seed, gradients, in-place variants and PyTorch's errors and warnings."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.nn.functional as F

N = 200_000
# Allowed deviation of a sample proportion, in standard errors: a false alarm has
# probability about 6e-10 per check.
Z = 6.0


def assert_fraction(zeroed: np.ndarray, p: float) -> None:
    n = zeroed.size
    err = abs(zeroed.mean() - p)
    assert err <= Z * math.sqrt(p * (1 - p) / n), (zeroed.mean(), p, n)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [tw.float32, tw.float64])
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest_exactly(p, dtype):
    x = tw.ones(N, dtype=dtype)
    out = F.dropout(x, p).numpy()
    assert_fraction(out == 0, p)
    kept = out[out != 0]
    scale = dtype.np.type(1) / dtype.np.type(1 - p)  # PyTorch's noise: 1 divided by (1 - p)
    assert np.all(kept == scale)
    assert out.dtype == dtype.np


def test_dropout_output_is_input_times_mask_and_so_is_the_gradient():
    x = tw.tensor(np.random.default_rng(0).normal(size=(100, 50)), requires_grad=True)
    out = F.dropout(x, 0.3)
    mask = out.detach().numpy() != 0
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() * mask / 0.7,
                               rtol=1e-15)
    out.backward(tw.ones(100, 50, dtype=tw.float64))
    np.testing.assert_allclose(x.grad.numpy(), mask / 0.7, rtol=1e-15)


def test_dropout_is_reproducible_under_manual_seed():
    x = tw.ones(1000)
    tw.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    b = F.dropout(x, 0.5).numpy()
    tw.manual_seed(7)
    c = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_dropout_identities_and_p_one():
    x = tw.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    x4 = x.reshape(1, 4, 5, 1)
    assert F.dropout2d(x4, 0.5, training=False) is x4
    assert not np.any(F.dropout(x, 1.0).numpy())
    g = tw.ones(3, requires_grad=True)
    F.dropout(g, 1.0).sum().backward()
    assert g.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("fn", [F.dropout, F.dropout1d, F.dropout2d, F.dropout3d,
                                F.alpha_dropout, F.feature_alpha_dropout])
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_outside_the_unit_interval_raises_pytorchs_value_error(fn, p):
    with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but "
                                         f"got {p}"):
        fn(tw.ones(2, 3, 4, 5), p)


def test_dropout_inplace_writes_into_the_input():
    x = tw.ones(1000)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and x._version == 1
    assert set(np.unique(x.numpy())) == {0.0, 2.0}


def test_dropout_inplace_backpropagates_through_the_mask():
    w = tw.ones(500, requires_grad=True)
    y = w * 3.0
    F.dropout(y, 0.5, inplace=True).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), (y.detach().numpy() != 0) * 6.0)


def channels_are_all_or_nothing(out: np.ndarray, channel_axes: int, scale: float) -> np.ndarray:
    """The per-channel keep flags, checking each channel is all zero or all ``scale``."""
    flat = out.reshape(*out.shape[:channel_axes], -1)
    dropped, kept = np.all(flat == 0, -1), np.all(flat == scale, -1)
    assert np.all(dropped | kept)
    return kept


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (400, 50, 6)), (F.dropout2d, (400, 50, 2, 3)),
                                      (F.dropout3d, (400, 50, 2, 2, 2))])
def test_feature_dropout_drops_whole_channels(fn, shape):
    out = fn(tw.ones(*shape), 0.25).numpy()
    kept = channels_are_all_or_nothing(out, 2, np.float32(1) / np.float32(0.75))
    assert_fraction(~kept, 0.25)


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (300, 6)), (F.dropout3d, (300, 2, 2, 2))])
def test_feature_dropout_of_unbatched_input_drops_whole_channels(fn, shape):
    out = fn(tw.ones(*shape), 0.5).numpy()
    kept = channels_are_all_or_nothing(out, 1, 2.0)
    assert 0 < kept.sum() < 300
    assert F.dropout1d(tw.ones(*shape[:2]), 0.5, inplace=True).shape == shape[:2]


def test_feature_dropout_warnings_and_errors_match_pytorch():
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d and "
                                         "assuming that channel-wise 1D dropout behavior"):
        F.dropout2d(tw.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input to dropout2d, which "
                                         "is deprecated"):
        F.dropout2d(tw.ones(3, 4))
    with pytest.warns(UserWarning, match="dropout3d: Received a 2-D input to dropout3d"):
        F.dropout3d(tw.ones(3, 4))
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a "
                                           "4D input"):
        F.dropout1d(tw.ones(2, 3, 4, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            F.dropout2d(tw.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 4-D input: no warning
        F.dropout2d(tw.ones(1, 2, 3, 4))


ALPHA = 1.7580993408473766


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_keeps_zero_mean_unit_variance(p):
    x = tw.tensor(np.random.default_rng(1).standard_normal(N))
    out = F.alpha_dropout(x, p, training=True).numpy()
    a = 1.0 / math.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    dropped = np.isclose(out, -ALPHA * a * (1 - p), rtol=0, atol=1e-12)
    assert_fraction(dropped, p)
    kept = ~dropped
    np.testing.assert_allclose(out[kept], x.numpy()[kept] * a + ALPHA * a * p, rtol=1e-12)
    # SELU's fixed point is preserved: mean 0, variance 1 (within 6 standard errors).
    assert abs(out.mean()) < Z / math.sqrt(N) and abs(out.var() - 1) < Z * math.sqrt(2 / N)


def test_alpha_dropout_defaults_to_evaluation_like_pytorch():
    x = tw.randn(10)
    assert F.alpha_dropout(x, 0.5) is x and F.feature_alpha_dropout(x, 0.5) is x


def test_feature_alpha_dropout_drops_whole_channels():
    out = F.feature_alpha_dropout(tw.zeros(300, 40, 5), 0.5, training=True).numpy()
    a = 1.0 / math.sqrt((ALPHA ** 2 * 0.5 + 1) * 0.5)
    flat = out.reshape(300, 40, 5)
    assert np.all(np.ptp(flat, axis=-1) == 0)  # one value per channel
    dropped = np.isclose(flat[..., 0], -ALPHA * a * 0.5)
    assert_fraction(dropped, 0.5)
