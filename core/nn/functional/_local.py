"""Functions over local windows and bags, as ``torch.nn.functional``:
``local_response_norm``, ``lp_pool1d``/``2d``/``3d``, ``max_unpool1d``/``2d``/``3d`` and
``embedding_bag``.

Each is a composition of existing ops (window sums of shifted slices, average pooling,
``scatter``, ``index_select``), so gradients come from those ops on every backend. Index
arguments (unpooling indices, bag offsets) are range-checked on the host, as PyTorch does,
so a bad index raises instead of reading or writing the wrong element.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ... import dtypes as D
from ...ops.creation import tensor, zeros
from ...ops.elementwise import relu, sign, where
from ...ops.indexing import index_select, scatter
from ...ops.movement import cat
from ...ops.pool import avg_pool1d, avg_pool2d, avg_pool3d
from ...ops.reduction import amax, index_bounds
from ...tensor import Tensor
from ._sparse import embedding

__all__ = ["local_response_norm", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "embedding_bag"]


def _tuple(value: Any, n: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


# -- local response normalization ------------------------------------------------------------------


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4,  # noqa: A002
                        beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Each element divided by ``(k + alpha / size * sum of x**2 over its channel window)**beta``,
    the window ``size`` channels wide (centred, zero-padded at the edges), as in AlexNet.

    Args:
        input: ``(N, C, *)`` with at least one spatial dim.
        size: channels in each window.

    Raises:
        ValueError: for an input with fewer than 3 dims (PyTorch's message).
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    n, c = input.shape[0], input.shape[1]
    sq = (input * input).reshape(n, c, -1)
    front, back = size // 2, (size - 1) // 2
    parts = [zeros(n, front, sq.shape[2], dtype=sq.dtype, device=sq.device)] if front else []
    parts.append(sq)
    if back:
        parts.append(zeros(n, back, sq.shape[2], dtype=sq.dtype, device=sq.device))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    # The window sum of channel i is the sum of the `size` shifted views starting at i.
    window = padded[:, 0:c]
    for j in range(1, size):
        window = window + padded[:, j:j + c]
    div = (window * (alpha / size) + k) ** beta
    return input / div.reshape(input.shape)


# -- power-average pooling -------------------------------------------------------------------------


def _lp_finish(out: Tensor, norm_type: float, window: int) -> Tensor:
    """``(window * mean of x**p) ** (1/p)``, with PyTorch's ``sign(out) * relu(|out|)`` (which
    sets the gradient where the mean is exactly 0)."""
    return ((sign(out) * relu(out.abs())) * window) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int,  # noqa: A002
              stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """1-D power-average pooling: ``(sum of x**p over each window) ** (1/p)``.

    ``p = 1`` is sum pooling; large ``p`` approaches max pooling (for positive inputs).

    Args:
        input: ``(N, C, L)`` or ``(C, L)``.
        norm_type: the power ``p``.
        kernel_size: the window length.
        stride: default ``kernel_size``.
        ceil_mode: keep a last, partial window.
    """
    k = _tuple(kernel_size, 1)[0]
    out = avg_pool1d(input ** norm_type, k, k if stride is None else stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, k)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any,  # noqa: A002
              stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """2-D power-average pooling: ``(sum of x**p over each window) ** (1/p)``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        norm_type: the power ``p``.
        kernel_size: an int or ``(kH, kW)``.
        stride: default ``kernel_size``.
        ceil_mode: keep last, partial windows.
    """
    kh, kw = _tuple(kernel_size, 2)
    out = avg_pool2d(input ** norm_type, (kh, kw), (kh, kw) if stride is None else stride, 0,
                     ceil_mode)
    return _lp_finish(out, norm_type, kh * kw)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any,  # noqa: A002
              stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """3-D power-average pooling: ``(sum of x**p over each window) ** (1/p)``.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        norm_type: the power ``p``.
        kernel_size: an int or ``(kD, kH, kW)``.
        stride: default ``kernel_size``.
        ceil_mode: keep last, partial windows.
    """
    kd, kh, kw = _tuple(kernel_size, 3)
    out = avg_pool3d(input ** norm_type, (kd, kh, kw), (kd, kh, kw) if stride is None else stride,
                     0, ceil_mode)
    return _lp_finish(out, norm_type, kd * kh * kw)


# -- max unpooling ---------------------------------------------------------------------------------


def _unpool_size(input: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],  # noqa: A002
                 padding: tuple[int, ...], output_size: Sequence[int] | None) -> list[int]:
    """The spatial size of the unpooled output: the inverse of the pooling's size rule, or
    ``output_size`` (which may include the batch and channel dims) when it is one of the
    sizes that pool to the input's size.
    """
    nd = len(kernel)
    default = [(input.shape[input.ndim - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(nd)]
    if output_size is None:
        return default
    size = list(output_size)
    if len(size) == nd + 2:
        size = size[2:]
    if len(size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{list(output_size)}" (dim {d} must be '
                             f"between {lo} and {hi})")
    return size


def _max_unpool(op: str, nd: int, input: Tensor, indices: Tensor,  # noqa: A002
                kernel_size: Any, stride: Any, padding: Any,
                output_size: Sequence[int] | None) -> Tensor:
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected a {nd + 1}D or {nd + 2}D input (unbatched or "
                           f"batched), but got input of size: {list(input.shape)}")
    if indices.dtype is not D.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype.name} ({op} takes the indices of "
                           f"max_pool{nd}d(..., return_indices=True))")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None or stride == [] else _tuple(stride, nd)
    size = _unpool_size(input, kernel, stride, _tuple(padding, nd), output_size)
    plane = math.prod(size)
    lead = tuple(input.shape[:-nd])
    flat_idx = indices.reshape(*lead, -1)
    if flat_idx.numel():
        lo, hi = index_bounds(flat_idx)
        if lo < 0 or hi >= plane:
            bad = lo if lo < 0 else hi
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, size))})")
    out = zeros(*lead, plane, dtype=input.dtype, device=input.device)
    out = scatter(out, input.ndim - nd, flat_idx, input.reshape(*lead, -1))
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any,  # noqa: A002
                 stride: Any = None, padding: Any = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The partial inverse of `max_pool1d`: each value put back at the position its index
    names (from ``max_pool1d(..., return_indices=True)``), zeros elsewhere.

    Args:
        input, indices: ``(N, C, L)`` or ``(C, L)``, indices int64.
        kernel_size, stride, padding: those of the pooling (stride default ``kernel_size``).
        output_size: the length to restore (pooling maps several lengths to one), with or
            without the leading dims.

    Raises:
        ValueError: for an ``output_size`` that does not pool to the input's length.
        RuntimeError: for indices of another shape or dtype, or out of the output's range.
    """
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any,  # noqa: A002
                 stride: Any = None, padding: Any = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The partial inverse of `max_pool2d`: each value put back at the flat ``H * W``
    position its index names, zeros elsewhere.

    Args:
        input, indices: ``(N, C, H, W)`` or ``(C, H, W)``, indices int64.
        kernel_size, stride, padding: those of the pooling (stride default ``kernel_size``).
        output_size: the ``(H, W)`` to restore, with or without the leading dims.

    Raises:
        ValueError: for an ``output_size`` that does not pool to the input's size.
        RuntimeError: for indices of another shape or dtype, or out of the output's range.
    """
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any,  # noqa: A002
                 stride: Any = None, padding: Any = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The partial inverse of `max_pool3d`: each value put back at the flat ``D * H * W``
    position its index names, zeros elsewhere.

    Args:
        input, indices: ``(N, C, D, H, W)`` or ``(C, D, H, W)``, indices int64.
        kernel_size, stride, padding: those of the pooling (stride default ``kernel_size``).
        output_size: the ``(D, H, W)`` to restore, with or without the leading dims.

    Raises:
        ValueError: for an ``output_size`` that does not pool to the input's size.
        RuntimeError: for indices of another shape or dtype, or out of the output's range.
    """
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)


# -- bags of embeddings ----------------------------------------------------------------------------

_BAG_MODES = ("sum", "mean", "max")


def _bag_bounds(input: Tensor, offsets: Tensor | None,  # noqa: A002
                include_last_offset: bool) -> tuple[Tensor, list[int], list[int]]:
    """The flat indices and each bag's start and end, after PyTorch's checks of the 1-D (with
    ``offsets``) and 2-D (fixed-length bags) forms."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets).__name__}")
        bags, length = input.shape
        starts = [b * length for b in range(bags)]
        return input.reshape(-1), starts, [s + length for s in starts]
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if offsets.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"embedding_bag: expected offsets to be int64 or int32, but got "
                           f"{offsets.dtype.name}")
    bounds = [int(v) for v in offsets.tolist()]
    n = input.shape[0]
    if bounds and bounds[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {bounds[0]}")
    if bounds and bounds[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length ({n}), but got "
                           f"offsets[-1] of {bounds[-1]}")
    if any(b > a for a, b in zip(bounds[1:], bounds)):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing; got {bounds}")
    starts = bounds[:-1] if include_last_offset else bounds
    ends = bounds[1:] if include_last_offset else [*bounds[1:], n][:len(bounds)]
    return input, starts, ends


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,  # noqa: A002
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """The sum, mean or max of the embeddings of each bag of indices, without the
    ``(bags, length, dim)`` intermediate of `embedding` followed by a reduction.

    Args:
        input: int64 indices: ``(B, L)`` for B bags of L each, or 1-D with ``offsets``.
        weight: ``(num_embeddings, embedding_dim)``.
        offsets: with a 1-D input, where each bag starts (``offsets[0]`` is 0).
        max_norm, norm_type, scale_grad_by_freq, sparse: as in `embedding`.
        mode: ``'sum'``, ``'mean'`` or ``'max'``; an empty bag gives zeros.
        per_sample_weights: the input's shape; scales each embedding (``'sum'`` only).
        include_last_offset: ``offsets`` has one more entry, the end of the last bag.
        padding_idx: an index left out of every bag (not counted in a mean).

    Returns:
        ``(B, embedding_dim)``.

    Raises:
        ValueError: for a weight that is not 2-D, a wrong input/offsets form, an unknown
            mode or per-sample weights of the wrong shape (PyTorch's messages).
        NotImplementedError: for per-sample weights with a mode other than ``'sum'``.
        RuntimeError: for offsets that do not start at 0 or run past the input.
    """
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    flat, starts, ends = _bag_bounds(input, offsets, include_last_offset)
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on the "
                                  f"Pytorch GitHub.")
    num, dim = weight.shape
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num} "
                               f"through {num - 1}, but got {padding_idx}")
        padding_idx %= num
    bags = len(starts)
    # The flat positions of each bag padded to the longest; `member` marks the real ones.
    length = max([e - s for s, e in zip(starts, ends)], default=0)
    if bags == 0 or length == 0 or flat.numel() == 0:
        return zeros(bags, dim, dtype=weight.dtype, device=weight.device)
    steps = np.arange(length)
    pos = np.asarray(starts)[:, None] + steps
    member = steps < (np.asarray(ends) - np.asarray(starts))[:, None]
    pos = np.where(member, pos, 0).reshape(-1)
    # Rows are looked up once per input index, so embedding's max_norm and frequency scaling
    # see the real lookups; the bags then pick from them.
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq, sparse)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    pos_t = tensor(pos, dtype=D.int64, device=weight.device)
    bagged = index_select(rows, 0, pos_t).reshape(bags, length, dim)
    keep = tensor(member, device=weight.device)
    if padding_idx is not None:
        keep = keep & (index_select(flat, 0, pos_t).reshape(bags, length) != padding_idx)
    keep = keep.unsqueeze(2)
    if mode == "max":
        best = amax(where(keep, bagged, -math.inf), 1)
        return where(keep.any(1), best, 0.0)
    total = where(keep, bagged, 0.0).sum(1)
    if mode == "sum":
        return total
    return total / keep.sum(1).clamp_min(1).to(weight.dtype)
