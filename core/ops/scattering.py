"""Writes into a copy: ``slice_scatter``, ``select_scatter``, ``diagonal_scatter``,
``masked_scatter``, ``put``, ``scatter_reduce`` and ``index_reduce``, plus the in-place
``fill_diagonal_``, ``masked_scatter_``, ``put_``, ``scatter_reduce_`` and ``index_reduce_``.

Each is written over existing ops, so it needs no kernel of its own and autograd follows. The
region writes clone the input and write one region through the in-place machinery
(`inplace.commit` through ``copy_`` or ``x[i] = v``): the input's gradient is zero there, the
source's is the gradient there. The reductions sort the sources by target and reduce each run
of equal targets with a segmented scan (see `scatter_reduce`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..tensor import Tensor
from ._opdef import method
from ._rules import broadcast_shapes, normalize_dim
from .creation import arange, ones, tensor, zeros
from .elementwise import floor_divide, maximum, minimum, mul, ne, where
from .indexing import _along, _scatter_args, _slice_item, _view_of, index_put, scatter_add, select
from .inplace import inplace_method
from .movement import _cat, diagonal
from .reduction import argsort

__all__ = ["slice_scatter", "select_scatter", "diagonal_scatter", "masked_scatter", "put",
           "scatter_reduce", "index_reduce"]


def _write(out: Tensor, region: Tensor, src: Tensor) -> Tensor:
    """Copy ``src`` (exactly the region's shape, as PyTorch requires) into ``region``, a view
    of the fresh tensor ``out``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"expected src to be a Tensor, but got {type(src).__name__}")
    if src.shape != region.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(region.shape)}")
    region.copy_(src)  # type: ignore[attr-defined]
    return out


@method
def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,  # noqa: A002
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (along ``dim``) set to
    ``src``."""
    out = input.clone()
    d = normalize_dim("slice_scatter", dim, out.ndim)
    return _write(out, _view_of(out, d, _slice_item(slice(start, end, step), out.shape[d])), src)


@method
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``input.select(dim, index)`` set to ``src``."""
    out = input.clone()
    return _write(out, select(out, dim, index), src)


@method
def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,  # noqa: A002
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` set to ``src``."""
    out = input.clone()
    return _write(out, diagonal(out, offset, dim1, dim2), src)


@method
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` (broadcast with ``mask``) whose elements where ``mask`` is True
    take ``source``'s first elements, in row-major order.

    Raises:
        RuntimeError: for a non-bool mask, or a source with fewer elements than the mask has
            True values.
    """
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool:
        got = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {got}")
    shape = broadcast_shapes("masked_scatter", tuple(input.shape), tuple(mask.shape))
    out = input.expand(*shape).clone()
    mask = mask.to(out.device).expand(*shape)
    n = int(mask.sum().item())
    if source.numel() < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[mask] = source.reshape(-1)[:n].to(out.dtype)
    return out


@method
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False  # noqa: A002
        ) -> Tensor:
    """A copy of ``input`` with ``source`` written at the flat (row-major) positions
    ``index`` (negative ones count from the end); ``accumulate=True`` adds instead.

    Raises:
        IndexError: if ``index`` and ``source`` differ in size, or an index is out of range.
    """
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() "
                         f"= {index.numel()}")
    flat = input.reshape(-1)
    return index_put(flat, (index.reshape(-1),), source.reshape(-1), accumulate).view(input.shape)


_SCANNED = {"prod": mul, "amax": maximum, "amin": minimum}
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _segment_scan(values: Tensor, segments: Tensor, combine: Any) -> Tensor:
    """Inclusive scan of ``combine`` within runs of equal ``segments`` (sorted, 1-D): after
    rounds with shifts 1, 2, 4..., each element holds the reduction of its run up to itself.
    A run of equal ids between ``k - s`` and ``k`` is implied by their ids being equal."""
    n, shift = values.shape[0], 1
    while shift < n:
        same = segments[shift:] == segments[:-shift]
        tail = where(same, combine(values[shift:], values[:-shift]), values[shift:])
        values = _cat(values[:shift], tail, dim=0)
        shift *= 2
    return values


@method
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """A copy of ``input`` where each ``src`` element is reduced into the position
    ``index`` names along ``dim`` (as `scatter_add` places it), with ``reduce`` one of
    ``"sum" "prod" "mean" "amax" "amin"``; ``include_self`` counts ``input``'s own value
    at each position written to. Positions no index names keep ``input``'s value. An integer
    ``"mean"`` rounds down, as PyTorch's.

    ``sum``/``mean`` run on `scatter_add`; the others sort the sources by target
    (``O(n log n)``) and reduce each target's run in ``log2 n`` elementwise rounds, so every
    backend runs them with its existing kernels and the gradient is autograd's.

    Raises:
        RuntimeError: for an unknown ``reduce``, or the index/dtype/shape errors of
            `scatter_add`.
    """
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not "
                        f"{type(src).__name__}")
    (x, index, src), d, _ = _scatter_args("scatter_reduce", input, dim, index, src, None)
    # Each source element's target as a flat (row-major) position in x.
    target = index * x.stride(d) if x.ndim else index
    for k in range(x.ndim):
        if k != d:
            target = target + _along(arange(index.shape[k], device=x.device) * x.stride(k),
                                     x.ndim, k, tuple(index.shape))
    flat, target, values = x.reshape(-1), target.reshape(-1), src.reshape(-1)
    hits = scatter_add(zeros(flat.shape[0], dtype=D.int64, device=x.device), 0, target,
                       ones(target.shape[0], dtype=D.int64, device=x.device))
    written = ne(hits, 0)
    if reduce in ("sum", "mean"):
        total = scatter_add(flat if include_self else flat * 0, 0, target, values)
        if reduce == "mean":
            count = hits + 1 if include_self else where(written, hits, 1)
            total = floor_divide(total, count.to(x.dtype)) if not x.dtype.is_floating_point \
                else total / count
        out = where(written, total, flat)
    else:
        order = argsort(target, stable=True)
        segments, combine = target[order], _SCANNED[reduce]
        scanned = _segment_scan(values[order], segments, combine)
        last = _cat(segments[1:] != segments[:-1], ones(1, dtype=D.bool, device=x.device), dim=0) \
            if segments.shape[0] else segments != segments
        where_to, reduced = segments[last], scanned[last]  # one entry per written position
        if include_self:
            reduced = combine(flat[where_to], reduced)
        out = index_put(flat, (where_to,), reduced)
    return out.view(input.shape)


@method
def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Tensor:
    """A copy of ``input`` where each slice ``source.select(dim, i)`` is reduced into the
    slice ``index[i]`` along ``dim``, with ``reduce`` one of ``"prod" "mean" "amax"
    "amin"`` (see `scatter_reduce`, which this runs with ``index`` laid along ``dim``).

    Raises:
        RuntimeError: for an unknown ``reduce``, a non-1-D index or one whose length is not
            ``source``'s size along ``dim``.
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = normalize_dim("index_reduce", dim, max(input.ndim, 1))
    if index.ndim > 1 or index.numel() != (source.shape[d] if source.ndim else 1):
        raise RuntimeError(f"index_reduce(): Index should have dimension 1 or 0 and as many "
                           f"entries as source has along dim {d} (got index of shape "
                           f"{list(index.shape)} and source of shape {list(source.shape)})")
    if source.ndim != input.ndim or any(
            source.shape[k] != input.shape[k] for k in range(input.ndim) if k != d):
        raise RuntimeError(f"index_reduce(): Source/destination tensor must have the same shape "
                           f"apart from dimension {d}; got source {list(source.shape)} and self "
                           f"{list(input.shape)}")
    spread = _along(index.reshape(-1), input.ndim, d, tuple(source.shape)) if input.ndim \
        else index.reshape(())
    return scatter_reduce(input, d, spread, source, reduce, include_self=include_self)


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Set the main diagonal of ``self`` to ``fill_value``, in place. A tall matrix's
    diagonal restarts ``wrap``-ing after every ``cols + 1`` rows, as NumPy's and PyTorch's.

    Raises:
        RuntimeError: for fewer than 2 dimensions, or unequal sizes past 2 dimensions.
    """
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = self.shape[0], self.shape[1]
    if self.ndim == 2 and wrap and rows > cols:
        flat = np.arange(0, rows * cols, cols + 1)
        key = tuple(tensor(i, device=self.device) for i in np.unravel_index(flat, (rows, cols)))
    else:
        i = tensor(np.arange(min(self.shape)), device=self.device)
        key = (i,) * self.ndim
    self[key] = fill_value
    return self


# Tensor methods only, as in PyTorch.
Tensor.fill_diagonal_ = fill_diagonal_  # type: ignore[attr-defined]
Tensor.masked_scatter_ = inplace_method(masked_scatter, name="masked_scatter_")  # type: ignore[attr-defined]
Tensor.put_ = inplace_method(put, name="put_", reads_self=False)  # type: ignore[attr-defined]
Tensor.scatter_reduce_ = inplace_method(scatter_reduce, name="scatter_reduce_")  # type: ignore[attr-defined]
Tensor.index_reduce_ = inplace_method(index_reduce, name="index_reduce_")  # type: ignore[attr-defined]
