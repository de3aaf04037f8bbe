"""PyTorch's ``segment_reduce``: reduce consecutive runs ("segments") of ``data`` along
``axis``, the runs given by their ``lengths`` or by their ``offsets``.

Written as one `scatter_reduce` into a tensor of starting values (one slot per segment and a
last slot that collects whatever lies outside every segment, dropped at the end), so it runs
and differentiates on every backend; each position's segment is found with `searchsorted`
over the segment ends. The results are ATen's: an empty segment holds ``initial`` (or the
reduction's identity, NaN for the mean), and ``initial`` takes part in every segment.
"""

from __future__ import annotations

from typing import Any

from . import dtypes as D
from .ops.creation import arange, full
from .ops.elementwise import logical_or, where
from .ops.inplace import _TORCH_NAME
from .ops.movement import cat
from .ops.reduction import cumsum
from .ops.scattering import scatter_reduce
from .ops.searching import searchsorted
from .tensor import Tensor

__all__ = ["segment_reduce"]

# reduce name -> (scatter_reduce's name, the identity an empty segment holds without initial)
_REDUCTIONS = {"sum": ("sum", 0.0), "mean": ("sum", float("nan")), "max": ("amax", -float("inf")),
               "min": ("amin", float("inf")), "prod": ("prod", 1.0)}


def _not_implemented(kernel: str, t: Tensor) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{_TORCH_NAME.get(t.dtype.name, t.dtype.name)}'")


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None,
                   indices: Tensor | None = None, offsets: Tensor | None = None,
                   axis: int = 0, unsafe: bool = False, initial: Any = None) -> Tensor:
    """Reduce each segment of ``data`` along ``axis`` with ``reduce`` (``"sum"``, ``"mean"``,
    ``"max"``, ``"min"`` or ``"prod"``).

    Args:
        data: a floating-point tensor.
        lengths: the segment lengths, ``data.shape[:axis] + (segments,)`` (int64/int32).
        offsets: instead, the segment boundaries, ``data.shape[:axis] + (segments + 1,)``;
            used when both are given, as in ATen.
        axis: the dim to segment; it must be the last dim of ``lengths``/``offsets``.
        unsafe: skip the checks that the lengths are non-negative and cover ``data``.
        initial: the starting value of every segment (what an empty one holds).

    Returns:
        ``data`` with ``axis`` replaced by the segments.

    Raises:
        IndexError: ``axis`` is out of range.
        RuntimeError: ``indices`` given, neither ``lengths`` nor ``offsets``, an unknown
            ``reduce``, ``axis`` not the last dim of the segments, negative lengths or lengths
            that do not sum to ``data.size(axis)`` (unless ``unsafe``), decreasing offsets.
        NotImplementedError: non-integer segments or non-floating ``data``.
    """
    n = max(data.ndim, 1)
    if not -n <= axis < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {axis})")
    axis %= n
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    which, segs = ("offsets", offsets) if offsets is not None else ("lengths", lengths)
    if axis != segs.ndim - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of {which} "
                           f"but got {axis}.")
    if which == "lengths" and not unsafe:
        if bool((segs < 0).any()):
            raise RuntimeError("lengths contains negative value!")
        if not bool((segs.sum(-1) == data.shape[axis]).all()):
            raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to "
                               "sum to data.size(lengths.dim()-1) when !unsafe.")
    if segs.dtype not in (D.int64, D.int32):
        raise _not_implemented(f"_segment_reduce_{which}_cpu_kernel1", segs)
    if not data.dtype.is_floating_point:
        raise _not_implemented("_segment_reduce_cpu", data)
    segs = segs.to(D.int64)
    if which == "lengths":
        zero = full((*segs.shape[:-1], 1), 0, dtype=D.int64, device=data.device)
        bounds = cat([zero, cumsum(segs, -1)], -1)
    else:
        bounds = segs
    counts = bounds[..., 1:] - bounds[..., :-1]
    if bool((counts < 0).any()):
        raise RuntimeError("Expected segment_length >= 0 to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")
    return _reduce(data, reduce, bounds, counts, axis, initial)


def _reduce(data: Tensor, reduce: str, bounds: Tensor, counts: Tensor, axis: int,
            initial: Any) -> Tensor:
    """The reduction itself: ``bounds`` (*batch, S + 1) are the segment boundaries."""
    lead, s = tuple(bounds.shape[:-1]), bounds.shape[-1] - 1
    size = data.shape[axis]
    pos = arange(size, device=data.device).expand(*lead, size).contiguous()
    seg = searchsorted(bounds[..., 1:].contiguous(), pos, right=True)
    seg = where(logical_or(pos < bounds[..., :1], seg >= s), s, seg)  # outside: the last slot
    rest = data.ndim - axis - 1
    index = seg.view(*seg.shape, *(1,) * rest).expand(*data.shape)
    op, identity = _REDUCTIONS[reduce]
    mean = reduce == "mean"
    fill = initial if initial is not None else 0.0 if mean else identity
    out = full((*lead, s + 1, *data.shape[axis + 1:]), fill, dtype=data.dtype,
               device=data.device)
    out = scatter_reduce(out, axis, index, data, op).narrow(axis, 0, s)
    if not mean:
        return out
    n = counts.view(*counts.shape, *(1,) * rest).to(data.dtype)
    empty = full((), identity if initial is None else initial, dtype=data.dtype,
                 device=data.device)
    return where(n == 0, empty, out / n)
