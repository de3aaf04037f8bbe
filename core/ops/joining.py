"""Joining and splitting along named axes, as PyTorch spells them: ``hstack``, ``vstack``,
``tensor_split``, ``meshgrid``... Helpers over `cat`, views and `expand`, so every backend
runs them and their gradients come from those ops.
"""

from __future__ import annotations

import itertools
from typing import Any, Sequence

import numpy as np

from .. import dtypes as D
from ..tensor import Size, Tensor
from ._opdef import method
from ._rules import broadcast_shapes as _broadcast
from ._rules import normalize_dim
from .creation import tensor
from .indexing import index_select, narrow
from .movement import _cat_args, cat, expand, reshape, stack, unsqueeze

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
           "column_stack", "tensor_split", "hsplit", "vsplit", "dsplit", "broadcast_tensors",
           "meshgrid", "broadcast_shapes", "cartesian_prod", "combinations"]


def _atleast(nd: int, tensors: tuple[Any, ...]) -> Any:
    def lift(t: Tensor) -> Tensor:
        if t.ndim >= nd:
            return t
        if nd == 3 and t.ndim == 2:
            return unsqueeze(t, -1)  # PyTorch's (and NumPy's) rule: a matrix gains a last dim
        if nd == 3 and t.ndim == 1:
            return reshape(t, 1, t.shape[0], 1)
        return reshape(t, *((1,) * (nd - max(t.ndim, 1)) + (tuple(t.shape) or (1,))))

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(lift(t) for t in tensors[0])
    out = tuple(lift(t) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least one dim (a 0-d tensor becomes shape (1,))."""
    return _atleast(1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least two dims (leading ones added)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor viewed with at least three dims ((n,) -> (1, n, 1), (m, n) -> (m, n, 1))."""
    return _atleast(3, tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate column-wise: along dim 1, or dim 0 for 1-D tensors."""
    ts = atleast_1d(tuple(_cat_args("hstack", tensors)))
    return cat(list(ts), 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate row-wise (dim 0), 1-D tensors becoming rows."""
    return cat(list(atleast_2d(tuple(_cat_args("vstack", tensors)))), 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate depth-wise (dim 2), after `atleast_3d`."""
    return cat(list(atleast_3d(tuple(_cat_args("dstack", tensors)))), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Stack 0-d and 1-D tensors as columns, and concatenate matrices along dim 1."""
    ts = [reshape(t, t.numel(), 1) if t.ndim <= 1 else t
          for t in _cat_args("column_stack", tensors)]
    return cat(ts, 1)


@method
def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Views of ``input`` cut along ``dim``: into ``n`` nearly equal parts (the first
    ``size % n`` one longer), or at the given indices, as `torch.tensor_split`.

    Raises:
        RuntimeError: for a 0-d input or a non-positive number of sections.
    """
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = normalize_dim("tensor_split", dim, input.ndim)
    n = input.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.tolist()
    if isinstance(spec, (int, np.integer)):
        k = int(spec)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds = [i * q + min(i, r) for i in range(k + 1)]
    else:
        bounds = [0, *[int(i) for i in spec], n]
    bounds = [min(max(b if b >= 0 else b + n, 0), n) for b in bounds]
    return tuple(narrow(input, d, lo, max(hi - lo, 0)) for lo, hi in zip(bounds, bounds[1:]))


def _split_along(op: str, dim: int, min_ndim: int, input: Tensor,  # noqa: A002
                 spec: Any) -> tuple[Tensor, ...]:
    if input.ndim < min_ndim:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_ndim} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(spec, (int, np.integer)) and input.shape[dim] % int(spec):
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the size "
                           f"of the dimension {input.shape[dim]} is not divisible by the "
                           f"split_size {int(spec)}!")
    return tensor_split(input, spec, dim)


@method
def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 1 (dim 0 for 1-D); sections must divide the size evenly."""
    return _split_along("hsplit", 0 if input.ndim == 1 else 1, 1, input, indices_or_sections)


@method
def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 0 of a tensor with at least two dims."""
    return _split_along("vsplit", 0, 2, input, indices_or_sections)


@method
def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 2 of a tensor with at least three dims."""
    return _split_along("dsplit", 2, 3, input, indices_or_sections)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _broadcast("broadcast_tensors", *[tuple(t.shape) for t in tensors])
    return tuple(expand(t, *shape) for t in tensors)


def meshgrid(*tensors: Tensor, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D (or 0-d) tensors: ``indexing="ij"`` gives shape
    (len(t0), len(t1), ...); ``"xy"`` swaps the first two, as NumPy's default.

    Raises:
        ValueError: for another ``indexing``.
        RuntimeError: for tensors with more than one dim, or of different dtypes or devices.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    ts = list(_cat_args("meshgrid", list(tensors)))
    for i, t in enumerate(ts):
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got tensor number {i} of shape {list(t.shape)}")
        if t.dtype is not ts[0].dtype or t.device != ts[0].device:
            raise RuntimeError("torch.meshgrid: expects all tensors to have the same dtype and "
                               f"device; got {ts[0].dtype}/{ts[0].device} and "
                               f"{t.dtype}/{t.device} (tensor number {i})")
    shape = tuple(t.numel() for t in ts)
    grids = [expand(reshape(t, *[-1 if j == i else 1 for j in range(len(ts))]), *shape)
             for i, t in enumerate(ts)]
    if indexing == "xy" and len(ts) >= 2:  # Cartesian: the first two axes swap places
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (ints count as 1-D shapes).

    Raises:
        RuntimeError: for shapes that do not broadcast.
    """
    return Size(_broadcast("broadcast_shapes", *[(s,) if isinstance(s, int) else tuple(s)
                                                 for s in shapes]))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows (a single tensor is
    returned as it is)."""
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """The length-``r`` combinations of the 1-D ``input``'s elements, as rows in
    lexicographic order of positions (Python's `itertools.combinations`).

    Raises:
        RuntimeError: for an input that is not 1-D or a negative ``r``.
    """
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = list(pick(range(input.shape[0]), r))
    if not rows or r == 0:
        return input.new_zeros((0,) if r == 0 else (0, r))
    idx = tensor(rows, dtype=D.int64, device=input.device)
    return index_select(input, 0, idx.reshape(-1)).reshape(len(rows), r)
