"""Vision functions (`torch.nn.functional`'s grouping): resampling with `interpolate` and
the channel/space rearrangements `pixel_shuffle`, `pixel_unshuffle` and `channel_shuffle`.

All are compositions of movement and indexing ops, so gradients come from those ops' vjps
on every backend. `interpolate` resamples one spatial dim at a time: the source positions
and weights depend only on the sizes, so they are computed on the host (in the arithmetic
PyTorch's kernels use, so the chosen neighbours match theirs exactly) and applied with
`index_select` plus, for the linear modes, a weighted sum of the two neighbours.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ...ops.creation import tensor
from ...ops.indexing import index_select
from ...ops.movement import permute, reshape
from ...ops.pool import adaptive_avg_pool1d, adaptive_avg_pool2d
from ...tensor import Tensor

__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]

# The linear modes and the number of spatial dims each one resamples.
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_SUPPORTED = ("nearest", "nearest-exact", "area", *_LINEAR_MODES)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """Rearrange ``(*, C * r * r, H, W)`` into ``(*, C, H * r, W * r)`` (sub-pixel
    convolution's upsampling step), ``r = upscale_factor``.

    Raises:
        RuntimeError: for fewer than 3 dims, a non-positive factor or a channel count not
            divisible by ``r * r`` (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.functional.pixel_shuffle(tw.zeros(1, 8, 2, 3), 2).shape
        tensorweave.Size([1, 2, 4, 6])
    """
    r = upscale_factor
    _check_rank_and_factor(input, r, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    b = len(batch)
    x = reshape(input, (*batch, c // (r * r), r, r, h, w))
    x = permute(x, (*range(b), b, b + 3, b + 1, b + 4, b + 2))
    return reshape(x, (*batch, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """The inverse of `pixel_shuffle`: ``(*, C, H * r, W * r)`` -> ``(*, C * r * r, H, W)``,
    ``r = downscale_factor``.

    Raises:
        RuntimeError: for fewer than 3 dims, a non-positive factor or a height or width not
            divisible by ``r`` (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.functional.pixel_unshuffle(tw.zeros(1, 2, 4, 6), 2).shape
        tensorweave.Size([1, 8, 2, 3])
    """
    r = downscale_factor
    _check_rank_and_factor(input, r, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = input.shape
    for name, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({dim})={size} is not "
                               f"divisible by {r}")
    b = len(batch)
    x = reshape(input, (*batch, c, h // r, r, w // r, r))
    x = permute(x, (*range(b), b, b + 2, b + 4, b + 1, b + 3))
    return reshape(x, (*batch, c * r * r, h // r, w // r))


def _check_rank_and_factor(input: Tensor, factor: int, name: str,  # noqa: A002
                           factor_name: str) -> None:
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {factor_name}, but got {factor}")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """Interleave the channels of ``groups`` groups (ShuffleNet): ``(N, C, *)`` viewed as
    ``(N, groups, C / groups, *)``, the two group dims swapped, and flattened back.

    Raises:
        RuntimeError: for 2 or fewer dims, a non-positive ``groups`` or a channel count not
            divisible by it (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.functional.channel_shuffle(tw.arange(4.0).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    x = reshape(input, (n, groups, c // groups, *rest))
    x = permute(x, (0, 2, 1, *range(3, x.ndim)))
    return reshape(x, tuple(input.shape))


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,  # noqa: A002
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resample the spatial dims of ``(N, C, *spatial)`` to ``size`` or by ``scale_factor``.

    Modes: ``'nearest'`` (source ``floor(i * in / out)``), ``'nearest-exact'`` (pixel
    centres, ``floor((i + 0.5) * in / out)``) and ``'area'`` (adaptive average pooling) on
    3-D and 4-D inputs (nearest modes on 5-D too); ``'linear'`` (3-D), ``'bilinear'`` (4-D)
    and ``'trilinear'`` (5-D) interpolate between the two nearest source samples of each
    dim, treating samples as pixel centres, or as the corners of the grid with
    ``align_corners=True``. With ``scale_factor``, the output size is
    ``floor(in * scale_factor)`` and the source positions use ``1 / scale_factor`` (unless
    ``recompute_scale_factor=True``, which uses ``in / out``), as in PyTorch.

    Args:
        input: the ``(N, C, *spatial)`` tensor (floating point for the linear modes).
        size: the output spatial size, an int or one int per spatial dim.
        scale_factor: a multiplier of the spatial size, a float or one per spatial dim.
        mode: the resampling rule (above).
        align_corners: linear modes only (default False).
        recompute_scale_factor: use ``in / out`` for the source positions (with
            ``scale_factor`` only).
        antialias: not supported (PyTorch's bilinear/bicubic anti-aliasing filter).

    Raises:
        ValueError: PyTorch's errors for ``size`` and ``scale_factor`` both or neither
            given, their length, ``align_corners`` with a nearest mode, and
            ``recompute_scale_factor`` with ``size``.
        TypeError: for a non-integer ``size``.
        RuntimeError: for an empty input or output size, or an input with no channels.
        NotImplementedError: for a mode that does not fit the input's rank, ``'bicubic'``,
            ``'lanczos'``, ``antialias=True``, ``'area'`` on 5-D, or a non-floating input
            to a linear mode.

    Example:
        >>> import tensorweave as tw
        >>> x = tw.tensor([[[0.0, 1.0]]])
        >>> tw.nn.functional.interpolate(x, scale_factor=2, mode="linear")
        tensor([[[0.0000, 0.2500, 0.7500, 1.0000]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    in_sizes = list(input.shape[2:])
    out_sizes, scales = _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor,
                                      mode == "area")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    _check_mode(input, mode, antialias)
    _check_sizes(input, out_sizes)
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, out_sizes if input.ndim == 4 else out_sizes[0])
    out = input
    for axis, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales), start=2):
        if mode in _LINEAR_MODES:
            out = _linear_along(out, axis, n_in, n_out, scale, bool(align_corners))
        else:
            src = _nearest_source(n_in, n_out, scale, mode == "nearest-exact",
                                  copy_equal=input.ndim == 4)
            if not np.array_equal(src, np.arange(n_in)):
                out = index_select(out, axis, tensor(src, device=input.device))
    return out


def _output_sizes(in_sizes: list[int], size: Any, scale_factor: Any,
                  recompute_scale_factor: bool | None,
                  area: bool) -> tuple[list[int], list[float | None]]:
    """PyTorch's argument rules: the output sizes and the scales the kernels are given
    (None where they derive the scale from the sizes)."""
    dim = len(in_sizes)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        if not isinstance(size, (list, tuple)):
            return [size] * dim, [None] * dim
        if len(size) != dim:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {in_sizes} and output size of {size}. Please "
                f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                f"(o1, o2, ...,oK) format.")
        if not all(isinstance(s, (int, np.integer)) for s in size):
            raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] "
                            f"or Tuple[int, int, int], but got size with types "
                            f"{[type(s) for s in size]}")
        return [int(s) for s in size], [None] * dim
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {in_sizes} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                f"and scale_factor in (s1, s2, ...,sK) format.")
        factors = [float(s) for s in scale_factor]
    else:
        factors = [float(scale_factor)] * dim
    out_sizes = [math.floor(n * s) for n, s in zip(in_sizes, factors)]
    if recompute_scale_factor or area:
        return out_sizes, [None] * dim
    return out_sizes, list(factors)


def _check_mode(input: Tensor, mode: str, antialias: bool) -> None:  # noqa: A002
    """PyTorch's rank errors, then what tensorweave does not implement."""
    nd = input.ndim
    if mode in _LINEAR_MODES and nd in (3, 4, 5) and nd != _LINEAR_MODES[mode] + 2:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs "
                                  f"{_LINEAR_MODES[mode] + 2}D input")
    known = mode in ("nearest", "nearest-exact", "area", "bicubic", "lanczos") or (
        mode in _LINEAR_MODES)
    if nd not in (3, 4, 5) or not known or (mode in ("bicubic", "lanczos") and nd != 4):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the "
            f"modes: {_ALL_MODES} (got {mode})")
    if mode not in _SUPPORTED or antialias or (mode == "area" and nd == 5):
        what = "antialias=True" if antialias else f"mode {mode!r} on a {nd}D input"
        raise NotImplementedError(
            f"interpolate: tensorweave does not implement {what}; it supports 'nearest', "
            f"'nearest-exact', 'linear', 'bilinear', 'trilinear' and 'area' (3D and 4D) "
            f"without antialias")
    if mode in _LINEAR_MODES and not input.dtype.is_floating_point:
        raise NotImplementedError(f"interpolate: mode {mode!r} needs a floating-point input; "
                                  f"got {input.dtype}. Convert it with .float()")


def _check_sizes(input: Tensor, out_sizes: Sequence[int]) -> None:  # noqa: A002
    in_sizes = input.shape[2:]
    if min(in_sizes) <= 0 or min(out_sizes) <= 0:
        names = "DHW"[3 - len(in_sizes):]
        show = ", ".join
        ins = show(f"{k}: {v}" for k, v in zip(names, in_sizes))
        outs = show(f"{k}: {v}" for k, v in zip(names, out_sizes))
        joint = " and" if len(in_sizes) == 1 else ""  # PyTorch's 1-d message says "and"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({ins}){joint} output ({outs})")
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor "
                           f"with sizes {list(input.shape)}")


def _kernel_scale(n_in: int, n_out: int, scale: float | None, dtype: Any) -> Any:
    """Output-to-input step of PyTorch's kernels: ``1 / scale_factor`` when one was given,
    else ``in / out``, in the kernels' arithmetic ``dtype``."""
    if scale is not None and scale > 0:
        return dtype(1.0 / scale)
    return dtype(n_in) / dtype(n_out)


def _nearest_source(n_in: int, n_out: int, scale: float | None, exact: bool,
                    copy_equal: bool) -> np.ndarray:
    """The input position each output position of one dim copies. PyTorch computes these in
    float32 (so large sizes round the same way here); its 2-d 'nearest' kernel copies a dim
    whose size is unchanged even when a scale factor (like 1.3 on 3) says otherwise, which
    ``copy_equal`` reproduces."""
    j = np.arange(n_out)
    if copy_equal and not exact and n_out == n_in:
        return j
    s = _kernel_scale(n_in, n_out, scale, np.float32)
    pos = ((j + 0.5) * np.float64(s)).astype(np.float32) if exact else j.astype(np.float32) * s
    return np.minimum(np.floor(pos).astype(np.int64), n_in - 1)


def _linear_along(x: Tensor, axis: int, n_in: int, n_out: int, scale: float | None,
                  align_corners: bool) -> Tensor:
    """Linear interpolation along ``axis``: ``x[i0] * w0 + x[i1] * w1``, PyTorch's formula
    (rather than a lerp) so the float32 results round alike."""
    if n_out == n_in:  # PyTorch copies equal sizes whatever the scale factor says
        return x
    dt = np.float64 if x.dtype.np == np.float64 else np.float32  # PyTorch's opmath type
    j = np.arange(n_out).astype(dt)
    if align_corners:
        step = dt(n_in - 1) / dt(n_out - 1) if n_out > 1 else dt(0)
        src = step * j
    else:
        src = np.maximum(_kernel_scale(n_in, n_out, scale, dt) * (j + dt(0.5)) - dt(0.5), 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    w1 = np.clip(src - i0, 0, 1).astype(dt)
    i1 = i0 + (i0 < n_in - 1)
    shape = (n_out,) + (1,) * (x.ndim - 1 - axis)
    weights = [tensor(w.reshape(shape), dtype=x.dtype, device=x.device) for w in (1 - w1, w1)]
    near = [index_select(x, axis, tensor(i, device=x.device)) for i in (i0, i1)]
    return near[0] * weights[0] + near[1] * weights[1]
