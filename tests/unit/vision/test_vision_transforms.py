"""Transforms: values against hand-computed results, NumPy and torch.nn.functional (the
oracle for resize), and randomness drawn from tensorweave's RNG.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.vision import transforms as T
from tensorweave.vision.transforms import functional as F


def _img(h, w, c=None, seed=0):
    shape = (h, w) if c is None else (h, w, c)
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_to_tensor_hwc_uint8_to_chw_float():
    """HWC uint8 becomes CHW float32 in [0, 1]; HW becomes 1xHxW."""
    img = _img(4, 5, 3)
    t = T.ToTensor()(img)
    assert t.shape == (3, 4, 5) and t.dtype is tw.float32
    np.testing.assert_allclose(t.numpy(), img.transpose(2, 0, 1).astype(np.float32) / 255,
                               rtol=0, atol=0)
    g = T.ToTensor()(np.array([[0, 255], [51, 102]], np.uint8))
    assert g.shape == (1, 2, 2)
    np.testing.assert_array_equal(g.numpy(), np.float32([[[0, 255], [51, 102]]]) / 255)


def test_to_tensor_keeps_float_arrays_and_rejects_others():
    """Non-uint8 arrays keep their values and dtype; bad input gets torchvision's messages."""
    t = T.ToTensor()(np.full((2, 2), 3.5, np.float64))
    assert t.dtype is tw.float64 and t.tolist() == [[[3.5, 3.5], [3.5, 3.5]]]
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions"):
        T.ToTensor()(np.zeros(3, np.uint8))


def test_normalize_matches_numpy():
    """Per-channel (x - mean) / std, broadcast over H and W, and in place when asked."""
    x = np.random.default_rng(1).random((2, 3, 4), dtype=np.float32)
    mean, std = [0.5, 0.25], [0.5, 2.0]
    out = T.Normalize(mean, std)(tw.tensor(x))
    ref = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None,
                                                                                       None]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
    t = tw.tensor(x)
    assert T.Normalize(mean, std, inplace=True)(t) is t
    np.testing.assert_allclose(t.numpy(), ref, rtol=1e-6)


def test_normalize_errors():
    """Integer tensors, too few dims and a zero std are rejected with torchvision's texts."""
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize([0], [1])(tw.zeros(1, 2, 2, dtype=tw.uint8))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size "
                                         r"\(\.\.\., C, H, W\)"):
        T.Normalize([0], [1])(tw.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0], [0])(tw.zeros(1, 2, 2))


def test_compose_and_lambda():
    """Compose applies in order; Lambda wraps a function and checks it is callable."""
    t = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2), T.Normalize([1.0], [1.0])])
    assert t(np.array([[0, 255]], np.uint8)).tolist() == [[[-1.0, 1.0]]]
    assert repr(t).startswith("Compose(\n    ToTensor()\n    Lambda()")
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


@pytest.mark.parametrize("size,antialias", [((28, 28), True), ((28, 28), False), ((5, 3), True),
                                            ((5, 3), False), ((12, 4), True), ((3, 9), False)])
def test_resize_bilinear_matches_torch_interpolate(size, antialias):
    """Bilinear resize (up 8x8 -> 28x28, down, mixed) equals F.interpolate(align_corners=False)."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).random((2, 8, 8), dtype=np.float32)
    ours = F.resize(tw.tensor(x), size, antialias=antialias).numpy()
    ref = torch.nn.functional.interpolate(torch.tensor(x)[None], size=size, mode="bilinear",
                                          align_corners=False, antialias=antialias)[0].numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_resize_nearest_matches_torch():
    """Nearest picks floor(i * in / out), as F.interpolate(mode='nearest')."""
    torch = pytest.importorskip("torch")
    x = np.arange(35, dtype=np.float32).reshape(1, 5, 7)
    ours = T.Resize((8, 3), interpolation="nearest")(tw.tensor(x)).numpy()
    ref = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(8, 3),
                                          mode="nearest")[0].numpy()
    np.testing.assert_array_equal(ours, ref)


def test_resize_upscale_hand_computed_and_arrays():
    """2x2 -> 4x4 bilinear by hand; an HxW uint8 array stays uint8 and matches the tensor path."""
    x = np.array([[0.0, 4.0], [8.0, 12.0]], np.float32)
    out = F.resize(tw.tensor(x)[None], (4, 4))[0].numpy()
    # Output pixel centers at 0.25, 0.75, 1.25, 1.75 in input pixels: weights 1, .75/.25, ...
    row = np.array([0.0, 1.0, 3.0, 4.0])
    np.testing.assert_allclose(out, row[None, :] + 2 * row[:, None], rtol=1e-6)
    img = _img(8, 8, seed=3)
    arr = T.Resize(28)(img)
    assert arr.shape == (28, 28) and arr.dtype == np.uint8
    via_tensor = F.resize(tw.tensor(img.astype(np.float32))[None], (28, 28))[0].numpy()
    np.testing.assert_array_equal(arr, np.clip(np.round(via_tensor), 0, 255))
    assert T.Resize(4)(_img(8, 16, 3)).shape == (4, 8, 3)  # int size: the shorter edge
    with pytest.raises(ValueError, match=r"output size must be positive; got \(0, 3\)"):
        F.resize(img, (0, 3))


def test_resize_uint8_tensor_rounds_back():
    """A uint8 tensor is resized in float and rounded back to uint8."""
    t = tw.tensor(np.array([[[0, 100], [100, 200]]], np.uint8))
    out = F.resize(t, (3, 3))
    # Output centers 1/3, 1, 5/3 against input centers 0.5, 1.5: clamped, halfway, clamped.
    assert out.dtype is tw.uint8 and out.tolist() == [[[0, 50, 100], [50, 100, 150],
                                                       [100, 150, 200]]]


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_matches_numpy_for_arrays_and_tensors(mode):
    """Padding (left, top, right, bottom) equals np.pad, on arrays and on tensors."""
    img = _img(3, 4, seed=4)
    ref = np.pad(img, [(2, 0), (1, 3)], mode=mode, **({"constant_values": 9}
                                                      if mode == "constant" else {}))
    np.testing.assert_array_equal(F.pad(img, [1, 2, 3, 0], fill=9, padding_mode=mode), ref)
    t = F.pad(tw.tensor(img)[None], [1, 2, 3, 0], fill=9, padding_mode=mode)
    np.testing.assert_array_equal(t.numpy()[0], ref)


def test_random_crop_with_padding_is_a_window_of_the_padded_image():
    """RandomCrop(4, padding=2) returns a 4x4 window of the zero-padded image, from tw's RNG."""
    img = _img(6, 6, 3, seed=5)
    padded = np.pad(img, [(2, 2), (2, 2), (0, 0)])
    tw.manual_seed(0)
    crop = T.RandomCrop(4, padding=2)(img)
    windows = {(i, j) for i in range(7) for j in range(7)
               if np.array_equal(padded[i:i + 4, j:j + 4], crop)}
    assert crop.shape == (4, 4, 3) and windows
    tw.manual_seed(0)
    i, j, h, w = T.RandomCrop.get_params(padded, (4, 4))
    assert (i, j) in windows and (h, w) == (4, 4)
    tw.manual_seed(0)
    again = T.RandomCrop(4, padding=2)(img)
    np.testing.assert_array_equal(crop, again)
    t = tw.tensor(img.transpose(2, 0, 1).copy())
    tw.manual_seed(0)
    np.testing.assert_array_equal(T.RandomCrop(4, padding=2)(t).numpy().transpose(1, 2, 0), crop)


def test_random_crop_too_large_and_pad_if_needed():
    """A crop larger than the image is an error unless pad_if_needed pads it."""
    with pytest.raises(ValueError, match=r"Required crop size \(5, 5\) is larger than input "
                                         r"image size \(3, 3\)"):
        T.RandomCrop(5)(_img(3, 3))
    assert T.RandomCrop(5, pad_if_needed=True)(_img(3, 3)).shape == (5, 5)


def test_random_horizontal_flip_draws_from_tw_rng():
    """p=1 always flips, p=0 never; p=0.5 flips about half the time, fixed by the seed."""
    img = _img(2, 3, seed=6)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(img), img[:, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0)(img), img)
    t = tw.tensor(img)
    assert T.RandomHorizontalFlip(1.0)(t).tolist() == img[:, ::-1].tolist()
    flip = T.RandomHorizontalFlip()
    tw.manual_seed(1)
    a = [np.array_equal(flip(img), img) for _ in range(200)]
    tw.manual_seed(1)
    assert a == [np.array_equal(flip(img), img) for _ in range(200)]
    assert 60 < sum(a) < 140
