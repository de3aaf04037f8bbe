"""Convolution, padding, folding and pooling functions (`torch.nn.functional`'s names).

The work happens in the ops of `tensorweave.ops.conv` and `tensorweave.ops.pool` (fast
cpu kernels, explicit vjps); these are the functional signatures over them, such as the
``return_indices`` switch of the max poolings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import pool as _pool
from ...ops.conv import (
    col2im,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    im2col,
    pad,
)
from ...ops.creation import tensor
from ...ops.indexing import gather
from ...ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
)
from ...random import rand
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "pad", "unfold", "fold", "max_pool1d", "max_pool2d", "max_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices",
           "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices"]


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """Extract sliding local blocks: ``(N, C, H, W)`` -> ``(N, C * kh * kw, L)`` (im2col).

    Raises:
        RuntimeError: PyTorch's errors for a bad input rank or geometry.
    """
    return im2col(input, kernel_size, dilation, padding, stride)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Combine sliding local blocks into an image, summing overlaps (col2im): the adjoint of
    `unfold`; ``(N, C * kh * kw, L)`` -> ``(N, C, *output_size)``.

    Raises:
        RuntimeError: PyTorch's errors for a bad input rank, geometry or block count.
    """
    return col2im(input, output_size, kernel_size, dilation, padding, stride)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """2-D max pooling; with ``return_indices`` also the flat ``H * W`` index of each maximum
    (see `tensorweave.ops.pool.max_pool2d_with_indices`)."""
    out = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """3-D max pooling; with ``return_indices`` also the flat ``D * H * W`` index of each
    maximum (see `tensorweave.ops.pool.max_pool3d_with_indices`)."""
    out = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


# -- fractional max pooling ------------------------------------------------------------------------

_FRACTIONAL_DIMS = {2: ("height", "width"), 3: ("time", "height", "width")}
# Which of a plane's samples places each dim's windows: PyTorch's 2-d kernel reads the width's
# first, its 3-d kernel the time's, height's and width's in order.
_FRACTIONAL_SAMPLE = {2: (1, 0), 3: (0, 1, 2)}


def _fractional_tuple(op: str, what: str, value: Any, nd: int) -> tuple[int, ...]:
    out = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(out) != nd:
        ints = "Ints" if nd == 2 else "three Ints"
        raise RuntimeError(f"{op}: {what} must either be a single Int or tuple of {ints}")
    return tuple(int(v) for v in out)


def _fractional_intervals(u: np.ndarray, size: int, out: int, pool: int) -> np.ndarray:
    """The window starts of one dim for every plane, PyTorch's ``generate_intervals``: with
    ``alpha = (size - pool) / (out - 1)``, start ``i`` is ``int((i + u) alpha) - int(u alpha)``
    and the last window ends at the border. The arithmetic is in ``u``'s dtype (the input's),
    as in PyTorch, so the windows are PyTorch's bit for bit.
    """
    starts = np.empty((*u.shape, out), dtype=np.int64)
    if out > 1:
        ft = u.dtype.type
        alpha = ft(size - pool) / ft(out - 1)
        i = np.arange(out - 1).astype(u.dtype)
        starts[..., :-1] = (((i + u[..., None]) * alpha).astype(np.int64)
                            - (u * alpha).astype(np.int64)[..., None])
    if out > 0:
        starts[..., -1] = size - pool
    return starts


def _fractional_check_samples(samples: Tensor, input: Tensor, n: int, nd: int) -> None:  # noqa: A002
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    if samples.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != input.shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got "
                           f"{samples.shape[2]}.")
    if samples.dtype is not input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")


def _fractional_max_pool(nd: int, input: Tensor, kernel_size: Any,  # noqa: A002
                         output_size: Any, output_ratio: Any,
                         samples: Tensor | None) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of fractional max pooling over the last ``nd`` dims.

    The windows come from `_fractional_intervals` on the host (from ``nd`` samples per
    plane, drawn from tensorweave's generator when not given); the input is gathered at
    every window element, and each window's first maximum picked with ``argmax`` and
    gathered again, so the gradient reaches that one element, as in PyTorch.
    """
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    spatial = tuple(input.shape[-nd:])
    if output_size is None:
        if isinstance(output_ratio, (tuple, list)) and len(output_ratio) > nd:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = (tuple(output_ratio) if isinstance(output_ratio, (tuple, list))
                 else (output_ratio,) * nd)
        output_size = [int(s * r) for s, r in zip(spatial, ratio)]
    pool = _fractional_tuple(op, "kernel_size", kernel_size, nd)
    out = _fractional_tuple(op, "output_size", output_size, nd)
    if min(pool) <= 0:
        raise ValueError(f"{op}: kernel_size must be greater than 0, but got {kernel_size}")
    where = op if nd == 2 else f"{op}_out"
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{where}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(input.shape)} with dimension {i} "
                               "being empty.")
    # PyTorch's 3-d check is strict and runs time, width, height; the 2-d one is not.
    order = range(nd) if nd == 2 else (0, 2, 1)
    for d in order:
        fits = out[d] + pool[d] - 1 <= spatial[d] if nd == 2 else out[d] + pool[d] - 1 < spatial[d]
        if not fits:
            name = _FRACTIONAL_DIMS[nd][d]
            raise RuntimeError(f"{where}(): pool {name} {pool[d]} too large relative to input "
                               f"{name} {spatial[d]}")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    n, c = x.shape[0], x.shape[1]
    if samples is None:
        samples = rand(n, c, nd, dtype=input.dtype, device=input.device)
    else:
        _fractional_check_samples(samples, input, n, nd)
    u = samples.detach().cpu().numpy()[:n]
    if u.dtype.kind != "f" or u.dtype.itemsize < 4:  # half precision: windows from float32
        u = u.astype(np.float32)
    # The flat in-plane index of every window element: (N, C, *out, *pool).
    flat = np.zeros((n, c) + (1,) * (2 * nd), dtype=np.int64)
    stride = 1
    for d in reversed(range(nd)):
        starts = _fractional_intervals(u[..., _FRACTIONAL_SAMPLE[nd][d]], spatial[d], out[d],
                                       pool[d])
        pos = starts[..., None] + np.arange(pool[d])                  # (N, C, out_d, pool_d)
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + d], shape[2 + nd + d] = out[d], pool[d]
        flat = flat + pos.reshape(shape) * stride
        stride *= spatial[d]
    per_plane, per_window = int(np.prod(out)), int(np.prod(pool))
    flat = np.broadcast_to(flat, (n, c, *out, *pool)).reshape(n, c, per_plane, per_window)
    windows = tensor(np.ascontiguousarray(flat), device=input.device)
    planes = x.reshape(n, c, int(np.prod(spatial)))
    gathered = gather(planes, 2, windows.reshape(n, c, per_plane * per_window))
    pick = gathered.detach().reshape(n, c, per_plane, per_window).argmax(3, keepdim=True)
    indices = gather(windows, 3, pick).reshape(n, c, per_plane)
    values = gather(planes, 2, indices).reshape(n, c, *out)
    indices = indices.reshape(n, c, *out)
    if input.ndim == nd + 1:
        return values.squeeze(0), indices.squeeze(0)
    return values, indices


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any,  # noqa: A002
                                       output_size: Any = None, output_ratio: Any = None,
                                       return_indices: bool = False,
                                       _random_samples: Tensor | None = None
                                       ) -> tuple[Tensor, Tensor]:
    """2-D fractional max pooling (Graham, 2014): ``(values, indices)``; see
    `fractional_max_pool2d`."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """2-D fractional max pooling (Graham, 2014): the max over ``kH x kW`` windows whose
    starts advance by a pseudo-random step, so the output has any size ``(oH, oW)``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: the window, an int or ``(kH, kW)``.
        output_size: ``(oH, oW)`` (or an int for both).
        output_ratio: the output size as a fraction of the input's, instead.
        return_indices: also return the flat ``H * W`` index of each maximum.
        _random_samples: ``(N, C, 2)`` numbers in [0, 1) of the input's dtype that place the
            windows (index 0 the widths, 1 the heights, as in PyTorch, whose windows they
            then reproduce exactly); drawn uniformly from tensorweave's generator when None.

    Raises:
        ValueError: without an output size or ratio, or for a non-positive kernel size.
        RuntimeError: PyTorch's errors for a bad input rank, an empty plane, a window too
            large for the output size, and samples of a wrong shape or dtype.
    """
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any,  # noqa: A002
                                       output_size: Any = None, output_ratio: Any = None,
                                       return_indices: bool = False,
                                       _random_samples: Tensor | None = None
                                       ) -> tuple[Tensor, Tensor]:
    """3-D fractional max pooling: ``(values, indices)``; see `fractional_max_pool3d`."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """3-D fractional max pooling over ``kT x kH x kW`` windows; as `fractional_max_pool2d`,
    with inputs ``(N, C, T, H, W)`` or ``(C, T, H, W)``, flat ``T * H * W`` indices and
    ``(N, C, 3)`` samples (time, height, width)."""
    out = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """1-D max pooling; with ``return_indices`` also the index of each maximum."""
    out = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def adaptive_max_pool1d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """1-D adaptive max pooling; with ``return_indices`` also the index of each maximum."""
    out = _pool.adaptive_max_pool1d(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> tuple[Tensor, Tensor]:
    """1-D adaptive max pooling: ``(values, indices)``."""
    return _pool.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> tuple[Tensor, Tensor]:
    """2-D adaptive max pooling: ``(values, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> tuple[Tensor, Tensor]:
    """3-D adaptive max pooling: ``(values, indices)``."""
    return adaptive_max_pool3d(input, output_size, True)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:  # noqa: A002
    """A 1-d convolution of ``(time, batch, in_channels)`` input with a ``(kernel_width,
    in_channels, out_channels)`` weight and an ``(out_channels,)`` bias, ``pad`` zeros at
    both ends of time (a negative ``pad`` trims): ``(time + 2 pad - kernel_width + 1, batch,
    out_channels)``.

    Raises:
        TypeError: ``bias`` is not a tensor.
        RuntimeError: ATen's rank and channel checks.
    """
    if not isinstance(bias, Tensor):
        raise TypeError(f"conv_tbc(): argument 'bias' (position 3) must be Tensor, not "
                        f"{type(bias).__name__}")
    if input.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    x = input.permute(1, 2, 0)
    if pad < 0:
        x = x.narrow(2, -pad, x.shape[2] + 2 * pad)
    out = conv1d(x, weight.permute(2, 1, 0), bias, 1, max(pad, 0))
    return out.permute(2, 0, 1)
