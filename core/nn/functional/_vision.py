"""Vision functions (`torch.nn.functional`'s grouping): resampling with `interpolate` (and
its deprecated aliases `upsample*`), sampling at arbitrary points with `grid_sample` and
`affine_grid`, and the channel/space rearrangements `pixel_shuffle`, `pixel_unshuffle` and
`channel_shuffle`.

All are compositions of movement and indexing ops, so gradients come from those ops' vjps
on every backend. `interpolate` resamples one spatial dim at a time: the source positions
and weights depend only on the sizes, so they are computed on the host (in the arithmetic
PyTorch's kernels use, so the chosen neighbours match theirs exactly) and applied with
`index_select` plus, for the linear modes, a weighted sum of the two neighbours.
`grid_sample`'s positions are data (and differentiable), so they are computed with tensor
ops: each neighbour's integer position indexes the flattened spatial dims through `gather`,
and its weight comes from the fractional parts, so both the input and the grid get
PyTorch's gradients.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import warnings
from typing import Any, Sequence

import numpy as np

from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from ...ops.elementwise import eq, floor, fmod, ge, gt, le, lt, where
from ...ops.elementwise import round as _round
from ...ops.indexing import gather, index_select, select
from ...ops.linalg import matmul
from ...ops.movement import permute, reshape
from ...ops.pool import adaptive_avg_pool1d, adaptive_avg_pool2d
from ...tensor import Tensor

__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "native_channel_shuffle", "upsample",
           "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]

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


native_channel_shuffle = channel_shuffle  # ATen's name for the same function


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


# -- deprecated aliases of interpolate ---------------------------------------------------------

def _deprecated(name: str) -> None:
    """PyTorch's warning (a UserWarning, so that it shows by default), pointing at the
    caller of ``name``."""
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  f"instead.", stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None,  # noqa: A002
             mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """Deprecated: `interpolate` with the same arguments (it warns, as PyTorch's does).

    Example:
        >>> import warnings
        >>> import tensorweave as tw
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     tw.nn.functional.upsample(tw.tensor([[[1.0, 2.0]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None,  # noqa: A002
                     scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')`` (it warns)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None,  # noqa: A002
                      scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear',
    align_corners=True)`` (it warns); note the corner alignment, unlike `interpolate`'s
    default."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- grid_sample and affine_grid ----------------------------------------------------------------

_GRID_MODES = ("bilinear", "nearest", "bicubic")
_GRID_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) cubic convolution constant


def _align_default(align_corners: bool | None) -> bool:
    """PyTorch's warning for an unset ``align_corners``, which then means False."""
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=3)
        return False
    return bool(align_corners)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",  # noqa: A002
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` at the points of ``grid``, given in coordinates normalized to
    ``[-1, 1]`` over the input's spatial extent.

    ``grid[n, h, w] = (x, y)`` picks the point of ``input[n, :]`` at column ``x`` and row
    ``y`` (``(x, y, z)`` in the 5-D case: width, height, depth). ``-1`` and ``1`` are the
    outer edges of the corner pixels, or their centres with ``align_corners=True``.
    ``'bilinear'`` (trilinear on 5-D) weighs the 2 (or 8) nearest pixels, ``'nearest'``
    takes the closest (halves round to even), and ``'bicubic'`` (4-D only) convolves 4 x 4
    pixels with PyTorch's cubic kernel (``A = -0.75``). Points outside read zeros
    (``'zeros'``), the nearest edge pixel (``'border'``), or the image mirrored at its
    edges (``'reflection'``). Gradients flow to both ``input`` and ``grid`` (the grid's is
    zero with ``'nearest'``, as in PyTorch).

    Args:
        input: ``(N, C, H, W)`` or ``(N, C, D, H, W)``, floating point.
        grid: ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``, of ``input``'s
            dtype.
        mode: ``'bilinear'`` | ``'nearest'`` | ``'bicubic'``.
        padding_mode: ``'zeros'`` | ``'border'`` | ``'reflection'``.
        align_corners: see above; None means False, with PyTorch's warning.

    Returns:
        ``(N, C, H_out, W_out)`` or ``(N, C, D_out, H_out, W_out)``.

    Raises:
        ValueError: for an unknown ``mode`` or ``padding_mode`` (PyTorch's messages).
        RuntimeError: PyTorch's errors for mismatched ranks, batch sizes or last grid dim,
            an empty spatial dim, ``'bicubic'`` on 5-D, different devices or dtypes.
        NotImplementedError: for a non-floating-point input.

    Example:
        >>> import tensorweave as tw
        >>> x = tw.arange(4.0).reshape(1, 1, 2, 2)
        >>> grid = tw.tensor([[[[0.0, 0.0], [-1.0, -1.0]]]])
        >>> tw.nn.functional.grid_sample(x, grid, align_corners=True)
        tensor([[[[1.5000, 0.0000]]]])

    See also:
        `affine_grid`, which makes the grid of an affine transformation.
    """
    if mode not in _GRID_MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _GRID_PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _align_default(align_corners)
    _check_grid_sampler(input, grid, mode)
    n, c, *in_sizes = input.shape
    out_sizes = tuple(grid.shape[1:-1])
    points = math.prod(out_sizes)
    sizes = in_sizes[::-1]  # grid's x, y (, z) index the last spatial dim first
    coords = [reshape(select(grid, -1, k), (n, points)) for k in range(len(sizes))]
    if mode == "bicubic":
        taps = [_cubic_taps(x, size, padding_mode, align) for x, size in zip(coords, sizes)]
    else:
        locs = [_pad_coordinate(_unnormalize(x, size, align), size, padding_mode, align)
                for x, size in zip(coords, sizes)]
        taps = [_nearest_taps(loc) if mode == "nearest" else _linear_taps(loc) for loc in locs]
    flat = reshape(input, (n, c, math.prod(in_sizes)))
    terms = []
    # z outermost and x innermost: the order in which PyTorch sums the neighbours.
    for combo in itertools.product(*taps[::-1]):
        positions, weights = zip(*combo[::-1])
        terms.append(_tap(flat, positions, sizes, math.prod(weights[1:], start=weights[0])))
    return reshape(sum(terms[1:], start=terms[0]), (n, c, *out_sizes))


def _check_grid_sampler(input: Tensor, grid: Tensor, mode: str) -> None:  # noqa: A002
    """PyTorch's checks, in its order (the common ones, then the rank's)."""
    def sizes(t: Tensor) -> list[int]:
        return list(t.shape)

    if input.device != grid.device:
        raise RuntimeError(f"grid_sampler(): expected input and grid to be on same device, but "
                           f"input is on {input.device} and grid is on {grid.device}")
    rank = 4 if input.ndim == 4 else 5
    rank_error = RuntimeError(
        f"grid_sampler(): expected {rank}D input and grid with same number of dimensions, but "
        f"got input with sizes {sizes(input)} and grid with sizes {sizes(grid)}")
    if input.ndim == 0 or grid.ndim == 0:
        raise rank_error
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {sizes(input)} and grid with sizes "
                           f"{sizes(grid)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {sizes(grid)}")
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {sizes(input)} with dimension "
                               f"{i} being empty")
    if input.ndim != rank or grid.ndim != rank:
        raise rank_error
    if rank == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"grid_sample: expected a floating-point input; got "
                                  f"{input.dtype}. Convert it (and grid) with .float()")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"grid_sampler(): expected scalar type {input.dtype.name} but found "
                           f"{grid.dtype.name}; convert grid with .to(input.dtype)")


def _unnormalize(x: Tensor, size: int, align: bool) -> Tensor:
    """``[-1, 1]`` to pixel units: the corner pixels' centres (``align``) or outer edges map
    to -1 and 1 (PyTorch's vectorized formula, so float32 rounds alike)."""
    if align:
        return (x + 1) * ((size - 1) / 2)
    return (x + 1) * (size / 2) - 0.5


def _clip(x: Tensor, size: int) -> Tensor:
    """Clamp to ``[0, size - 1]``; unlike `clamp`, the bounds themselves get no gradient
    (PyTorch's grid sampler counts them as outside), and NaN goes to 0 (PyTorch reads a
    NaN grid value as -1 under these padding modes)."""
    return where(gt(x, 0), where(lt(x, size - 1), x, float(size - 1)), 0.0)


def _reflect(x: Tensor, low: float, twice_span: float) -> Tensor:
    """Mirror ``x`` at ``low`` and ``low + twice_span / 2`` until it lies between them:
    ``|x - low|`` folded into ``[0, twice_span)``, then folded once more past the middle.
    The sign flips are written with `where` so the gradient's sign is PyTorch's (+1 at
    ``x == low``)."""
    d = x - low
    a = where(lt(d, 0), -d, d)
    extra = fmod(a, twice_span)
    back = twice_span - extra
    return where(extra > back, back, extra) + low


def _pad_coordinate(loc: Tensor, size: int, padding_mode: str, align: bool) -> Tensor:
    """Where a pixel-unit coordinate reads under ``padding_mode`` ('zeros' leaves it, so
    that out-of-range neighbours are masked later)."""
    if padding_mode == "zeros":
        return loc
    if padding_mode == "reflection" and (size > 1 or not align):
        # Mirrored at the corner pixels' centres (align) or their outer edges.
        loc = _reflect(loc, 0.0, 2.0 * (size - 1)) if align else _reflect(loc, -0.5, 2.0 * size)
    return _clip(loc, size)


def _linear_taps(loc: Tensor) -> list[tuple[Tensor, Tensor]]:
    """The two neighbours of ``loc`` and their weights ``1 - frac`` and ``frac``."""
    lo = floor(loc)
    w = loc - lo
    return [(lo, 1 - w), (lo + 1, w)]


def _nearest_taps(loc: Tensor) -> list[tuple[Tensor, Tensor]]:
    """The closest pixel with weight 1, written over `round` (whose derivative is zero) so
    that the grid stays in the graph and gets PyTorch's zero gradient rather than none; a
    NaN or infinite position still weighs 1 (it reads 0, outside)."""
    pos = _round(loc)
    zero = pos * 0  # NaN where pos is not finite
    return [(pos, where(eq(zero, 0), zero + 1, 1.0))]


def _cubic_taps(x: Tensor, size: int, padding_mode: str,
                align: bool) -> list[tuple[Tensor, Tensor]]:
    """The 4 neighbours ``floor(loc) - 1 .. floor(loc) + 2`` of the unpadded coordinate,
    each moved by ``padding_mode``, weighted by PyTorch's cubic convolution of ``t = loc -
    floor(loc)``: ``W(t + 1), W(t), W(1 - t), W(2 - t)``."""
    loc = _unnormalize(x, size, align)
    lo = floor(loc)
    t = loc - lo
    a = _CUBIC_A

    def near(s: Tensor) -> Tensor:  # |s| <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s: Tensor) -> Tensor:  # 1 < |s| < 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    weights = [far(t + 1), near(t), near(1 - t), far((1 - t) + 1)]
    return [(_pad_coordinate(lo + (k - 1), size, padding_mode, align), w)
            for k, w in enumerate(weights)]


def _tap(flat: Tensor, positions: Sequence[Tensor], sizes: Sequence[int],
         weight: Tensor) -> Tensor:
    """``weight * flat[n, :, position]`` for the pixel at ``positions`` (x first), reading 0
    where that pixel is outside the input (NaN positions included), as PyTorch: the weight
    is not masked, so a NaN weight still makes a NaN."""
    n, c, _ = flat.shape
    strides = [math.prod(sizes[:d]) for d in range(len(sizes))]  # x varies fastest
    with no_grad():
        oks = [ge(pos, 0) & le(pos, size - 1) for pos, size in zip(positions, sizes)]
        inside = functools.reduce(operator.and_, oks)
        index = sum(where(ok, pos, 0.0).long() * stride
                    for ok, pos, stride in zip(oks, positions, strides))
    values = gather(flat, 2, index.unsqueeze(1).expand(n, c, index.shape[1]))
    return where(inside.unsqueeze(1), values, 0.0) * weight.unsqueeze(1)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps, for `grid_sample`: output point ``p``
    (normalized to ``[-1, 1]``, as ``grid_sample`` reads it) is mapped to ``theta @ [p,
    1]``.

    Args:
        theta: ``(N, 2, 3)`` for 2-D or ``(N, 3, 4)`` for 3-D, floating point.
        size: the output's size, ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: as for `grid_sample` (use the same value there); None means False,
            with PyTorch's warning.

    Returns:
        ``(N, H, W, 2)`` or ``(N, D, H, W, 3)``, of ``theta``'s dtype; differentiable in
        ``theta``.

    Raises:
        ValueError: for a non-floating ``theta``, one whose shape does not fit ``size``, or a
            non-positive size (PyTorch's messages).
        NotImplementedError: for a ``size`` of neither 4 nor 5 elements.
        RuntimeError: if ``theta``'s batch size is not ``size[0]``.

    Example:
        >>> import tensorweave as tw
        >>> identity = tw.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> tw.nn.functional.affine_grid(identity, (1, 1, 1, 2), align_corners=False)
        tensor([[[[-0.5000,  0.0000],
                  [ 0.5000,  0.0000]]]])

    See also:
        `grid_sample`.
    """
    align = _align_default(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    k = len(size) - 2
    if theta.ndim != 3 or tuple(theta.shape[-2:]) != (k, k + 1):
        raise ValueError(f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for "
                         f"size {size}. Got {theta.shape}.")
    dims = [int(s) for s in size]
    if align and min(dims[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    if min(dims) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != dims[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{dims[0]}, {k + 1}] but got: [{theta.shape[0]}, {k + 1}].")
    dt = np.float64 if theta.dtype.np == np.float64 else np.float32  # PyTorch's opmath type
    axes = np.meshgrid(*(_linspace_from_neg_one(s, align, dt) for s in dims[2:]), indexing="ij")
    base = np.stack([a.reshape(-1) for a in axes[::-1]] + [np.ones(axes[0].size, dt)], axis=-1)
    grid = matmul(tensor(base, dtype=theta.dtype, device=theta.device), theta.transpose(1, 2))
    return reshape(grid, (dims[0], *dims[2:], k))


def _linspace_from_neg_one(n: int, align: bool, dt: Any) -> np.ndarray:
    """The ``n`` normalized pixel positions of one dim in PyTorch's arithmetic: its
    ``linspace(-1, 1, n)`` (from both ends towards the middle), scaled by ``(n - 1) / n``
    to the pixel centres unless ``align``; a single pixel sits at 0."""
    if n <= 1:
        return np.zeros(1, dt)
    i = np.arange(n).astype(dt)
    step = dt(2) / dt(n - 1)
    r = np.where(np.arange(n) < n // 2, dt(-1) + step * i, dt(1) - step * (dt(n - 1) - i))
    r = r.astype(dt)
    return r if align else (r * dt(n - 1) / dt(n)).astype(dt)
