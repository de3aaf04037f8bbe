"""Image functions behind the transforms, as `torchvision.transforms.functional`.

An image is either a NumPy array, ``H x W`` or ``H x W x C`` (what the datasets return, in
place of torchvision's PIL images; the result keeps the array's dtype), or a tensor
``(..., H, W)`` (computed with tensorweave ops on the tensor's device).

`resize` is separable: each output row (column) is a fixed weighted sum of input rows
(columns), so it is two matrix products with weight matrices built once per call. The
weights are PyTorch's: nearest takes ``floor(i * in / out)``; bilinear uses the triangle
filter around each output pixel's center, in input pixels, ``(i + 0.5) * in / out``,
renormalized where it overhangs the border (which is what clamping the source coordinate
does), and, with ``antialias`` when shrinking, a triangle widened by the scale factor
(PIL's and ``F.interpolate(..., antialias=True)``'s rule).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import dtypes as D
from ...nn import functional as NF
from ...ops.creation import as_tensor, tensor
from ...tensor import Tensor

__all__ = ["InterpolationMode", "to_tensor", "normalize", "resize", "pad", "crop", "hflip",
           "get_image_size"]


class InterpolationMode(enum.Enum):
    """How `resize` computes new pixels."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _check_image(op: str, img: Any) -> None:
    ok = (img.ndim in (2, 3) if isinstance(img, np.ndarray)
          else isinstance(img, Tensor) and img.ndim >= 2)
    if not ok:
        got = (f"a {img.ndim}-D {type(img).__name__}" if isinstance(img, (np.ndarray, Tensor))
               else type(img).__name__)
        raise TypeError(f"{op}: img should be a NumPy array (H x W or H x W x C) or a tensor "
                        f"(..., H, W); got {got}")


def get_image_size(img: Any) -> tuple[int, int]:
    """``(height, width)`` of an array (dims 0, 1) or a tensor (the last two dims)."""
    _check_image("get_image_size", img)
    h, w = img.shape[:2] if isinstance(img, np.ndarray) else img.shape[-2:]
    return int(h), int(w)


def to_tensor(pic: Any) -> Tensor:
    """An ``H x W x C`` (or ``H x W``) array, or a PIL image, as a ``C x H x W`` tensor;
    uint8 values are scaled to floats in [0, 1], other dtypes are kept as they are.

    Raises:
        TypeError: for anything but an array or a PIL image.
        ValueError: for an array that is not 2-D or 3-D.
    """
    if not isinstance(pic, np.ndarray) and hasattr(pic, "getbands"):  # a PIL image
        pic = np.asarray(pic)
    if not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    chw = np.ascontiguousarray((pic[:, :, None] if pic.ndim == 2 else pic).transpose(2, 0, 1))
    t = as_tensor(chw)
    return t.to(D.get_default_dtype()) / 255 if chw.dtype == np.uint8 else t


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """``(tensor - mean[c]) / std[c]`` for each channel ``c`` of a ``(..., C, H, W)``
    float tensor.

    Raises:
        TypeError: for a non-tensor or a non-float tensor.
        ValueError: for fewer than 3 dims or a zero std.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    m = as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    s = as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if bool((s == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                         "to division by zero.")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    return tensor.sub_(m).div_(s) if inplace else (tensor - m) / s


def _output_size(size: int | Sequence[int], h: int, w: int) -> tuple[int, int]:
    """torchvision's rule: ``(h, w)`` as given, or one int for the shorter edge."""
    if isinstance(size, int) or len(size) == 1:
        short = size if isinstance(size, int) else size[0]
        if w <= h:
            return int(short * h / w), short
        return short, int(short * w / h)
    return int(size[0]), int(size[1])


def _weights(n_in: int, n_out: int, mode: InterpolationMode, antialias: bool) -> np.ndarray:
    """The ``n_out x n_in`` matrix taking one axis from ``n_in`` to ``n_out`` pixels."""
    scale = n_in / n_out
    out = np.arange(n_out)
    if mode is InterpolationMode.NEAREST:
        w = np.zeros((n_out, n_in))
        w[out, np.minimum(np.floor(out * scale).astype(np.int64), n_in - 1)] = 1.0
        return w
    support = scale if antialias and scale > 1 else 1.0
    centers = (out + 0.5) * scale
    dist = (np.arange(n_in)[None, :] + 0.5 - centers[:, None]) / support
    w = np.clip(1.0 - np.abs(dist), 0.0, None)
    return w / w.sum(axis=1, keepdims=True)


def _round_to(x: Any, dt: np.dtype[Any]) -> Any:
    """Float results rounded back into an integer dtype's range (other dtypes: as they are)."""
    if not np.issubdtype(dt, np.integer):
        return x
    info = np.iinfo(dt)
    if isinstance(x, Tensor):
        return x.round().clamp(int(info.min), int(info.max))
    return np.clip(np.round(x), info.min, info.max)


def resize(img: Any, size: int | Sequence[int],
           interpolation: InterpolationMode | str = InterpolationMode.BILINEAR,
           antialias: bool = True) -> Any:
    """Resize an image's ``H x W`` to ``size`` (see the module docstring for the weights).

    Args:
        img: an array ``H x W[ x C]`` or a tensor ``(..., H, W)``.
        size: ``(h, w)``, or one int: the shorter edge's new length, keeping the aspect
            ratio.
        interpolation: ``"bilinear"`` or ``"nearest"`` (or an `InterpolationMode`).
        antialias: widen the bilinear filter when shrinking (no effect when enlarging).

    Returns:
        The resized image, of ``img``'s kind and dtype (integers are rounded).

    Raises:
        ValueError: for an output size below 1 or an unknown interpolation.

    Example:
        >>> import numpy as np
        >>> resize(np.array([[0, 100], [100, 200]], np.uint8), (3, 3))
        array([[  0,  50, 100],
               [ 50, 100, 150],
               [100, 150, 200]], dtype=uint8)
    """
    h, w = get_image_size(img)
    oh, ow = _output_size(size, h, w)
    if oh < 1 or ow < 1:
        raise ValueError(f"resize: the output size must be positive; got {(oh, ow)} from "
                         f"size={size} for a {h} x {w} image")
    mode = InterpolationMode(interpolation)
    wh, ww = _weights(h, oh, mode, antialias), _weights(w, ow, mode, antialias)
    if isinstance(img, np.ndarray):
        out = np.einsum("bw,aw...->ab...", ww, np.einsum("ah,hw...->aw...", wh, img))
        return _round_to(out, img.dtype).astype(img.dtype)
    ft = img.dtype if img.is_floating_point() else D.float32
    wh_t = tensor(wh, dtype=ft, device=img.device)
    ww_t = tensor(ww.T, dtype=ft, device=img.device)
    return _round_to(wh_t @ img.to(ft) @ ww_t, np.dtype(img.dtype.np)).to(img.dtype)


def _padding_ltrb(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """torchvision's forms: all sides, (left/right, top/bottom) or (left, top, right,
    bottom).
    """
    p = [padding] if isinstance(padding, int) else list(padding)
    if len(p) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(p)} "
                         "element tuple")
    if len(p) == 1:
        return p[0], p[0], p[0], p[0]
    if len(p) == 2:
        return p[0], p[1], p[0], p[1]
    return p[0], p[1], p[2], p[3]


_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def pad(img: Any, padding: int | Sequence[int], fill: float = 0,
        padding_mode: str = "constant") -> Any:
    """Pad an image's borders.

    Args:
        img: an array ``H x W[ x C]`` or a tensor ``(..., H, W)``.
        padding: one int for every side, ``(left/right, top/bottom)`` or
            ``(left, top, right, bottom)``.
        fill: the value of new pixels with ``padding_mode="constant"``.
        padding_mode: ``"constant"``, ``"edge"`` (repeat the border pixel), ``"reflect"``
            (mirror without repeating it) or ``"symmetric"`` (mirror repeating it), NumPy's
            names, as torchvision's.

    Raises:
        ValueError: for an unknown mode or a bad ``padding``.
    """
    if padding_mode not in _PAD_MODES:
        raise ValueError(f"pad: padding_mode should be one of {_PAD_MODES}; got "
                         f"{padding_mode!r}")
    left, top, right, bottom = _padding_ltrb(padding)
    _check_image("pad", img)
    if isinstance(img, np.ndarray):
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (img.ndim - 2)
        extra = {"constant_values": fill} if padding_mode == "constant" else {}
        return np.pad(img, widths, mode=padding_mode, **extra)  # type: ignore[call-overload]
    if padding_mode == "constant":
        return NF.pad(img, (left, right, top, bottom), value=fill)
    # The other modes pick source pixels: NumPy pads the index ranges the same way.
    h, w = get_image_size(img)
    rows = np.pad(np.arange(h), (top, bottom), mode=padding_mode)  # type: ignore[call-overload]
    cols = np.pad(np.arange(w), (left, right), mode=padding_mode)  # type: ignore[call-overload]
    return img.index_select(-2, tensor(rows, device=img.device)).index_select(
        -1, tensor(cols, device=img.device))


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height x width`` window of an image whose top-left corner is ``(top, left)``."""
    _check_image("crop", img)
    if isinstance(img, np.ndarray):
        return img[top:top + height, left:left + width]
    return img[..., top:top + height, left:left + width]


def hflip(img: Any) -> Any:
    """An image mirrored left to right."""
    _check_image("hflip", img)
    return img[:, ::-1].copy() if isinstance(img, np.ndarray) else img.flip(-1)
