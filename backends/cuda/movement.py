"""View, copy and indexing CuPy kernels (views stay CuPy views of one allocation)."""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp
import cupyx
import numpy as np


def storage_offset(x: Any) -> int:
    """Offset in elements of ``x``'s first element within its allocation. CuPy views made
    with strides (``as_strided``) keep no ``base``, but every view keeps its allocation."""
    return (x.data.ptr - x.data.mem.ptr) // x.itemsize


def as_strided(x: Any, size: tuple[int, ...], stride: tuple[int, ...],
               storage_offset: int) -> Any:
    mem = x.data.mem
    item = x.itemsize
    if 0 in size:  # an empty view may start past the end (x[3:, 4:])
        storage_offset = min(storage_offset, mem.size // item)
    return cp.ndarray(size, x.dtype, memptr=cp.cuda.MemoryPointer(mem, storage_offset * item),
                      strides=tuple(s * item for s in stride))


def view(x: Any, size: tuple[int, ...]) -> Any:
    return x.reshape(size)  # core has checked that the strides allow a view


def expand(x: Any, size: tuple[int, ...]) -> Any:
    return cp.broadcast_to(x, size)


def permute(x: Any, dims: tuple[int, ...]) -> Any:
    return cp.transpose(x, dims)


def clone(x: Any) -> Any:
    return cp.array(x, copy=True, order="C")


def copy(dst: Any, src: Any) -> Any:
    out = cp.empty(dst.shape, dst.dtype)
    out[...] = src
    return out


def assign(dst: Any, src: Any) -> Any:
    # CuPy arrays have no writeable flag: an expanded tensor shows as a zero stride.
    if dst.size and any(s == 0 and n > 1 for s, n in zip(dst.strides, dst.shape)):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location (an expanded tensor). "
                           "Please clone() the tensor before performing the operation.")
    dst[...] = src
    return dst


def _mesh(index: Any, dim: int) -> tuple[Any, ...]:
    """The index that reads ``index``'s entries along ``dim`` and its own position elsewhere
    (gather/scatter's addressing, for indices smaller than the input too)."""
    idx = list(cp.ix_(*[cp.arange(n) for n in index.shape]))
    idx[dim] = index
    return tuple(idx)


def gather(x: Any, index: Any, dim: int) -> Any:
    return x[_mesh(index, dim)]


def scatter(x: Any, index: Any, src: Any, dim: int) -> Any:
    out = x.copy()
    out[_mesh(index, dim)] = src
    return out


# The dtypes CUDA's atomicAdd (so cupyx.scatter_add) takes; int64 adds as uint64 (the same
# bits: two's complement addition), the narrow integers and bool in int32, cast back (a
# wrapping sum; for bool, "any").
_ATOMIC = {np.dtype(t) for t in (np.int32, np.uint32, np.uint64, np.float16, np.float32,
                                 np.float64)}


def _accumulate(out: Any, key: Any, values: Any) -> Any:
    """``out`` with ``values`` added at ``key``, repeated positions adding up."""
    if out.dtype in _ATOMIC:
        cupyx.scatter_add(out, key, values)
        return out
    if out.dtype == np.int64:
        vals = cp.ascontiguousarray(cp.asarray(values).astype(np.int64))
        cupyx.scatter_add(out.view(np.uint64), key, vals.view(np.uint64))
        return out
    wide = out.astype(np.int32)
    cupyx.scatter_add(wide, key, cp.asarray(values).astype(np.int32))
    return wide.astype(out.dtype)


def scatter_add(x: Any, index: Any, src: Any, dim: int) -> Any:
    return _accumulate(x.copy(), _mesh(index, dim), src)


def _key(ndim: int, idx: tuple[Any, ...], dims: tuple[int, ...]) -> tuple[Any, ...]:
    key: list[Any] = [slice(None)] * ndim
    for d, i in zip(dims, idx):
        key[d] = i
    return tuple(key)


def index(x: Any, *idx: Any, dims: tuple[int, ...]) -> Any:
    # CuPy places the broadcast index dims exactly as PyTorch does once ints are selected.
    return cp.array(x[_key(x.ndim, idx, dims)], copy=True)


def index_put(x: Any, values: Any, *idx: Any, dims: tuple[int, ...],
              accumulate: bool) -> Any:
    out = x.copy()
    key = _key(x.ndim, idx, dims)
    if accumulate:
        return _accumulate(out, key, values)
    out[key] = values
    return out


def cat(*xs: Any, dim: int) -> Any:
    return cp.concatenate(xs, axis=dim)


def nonzero(x: Any) -> Any:
    if x.ndim == 0:  # NumPy's argwhere gives (1, 0) or (0, 0); CuPy's wants a dim
        return cp.zeros((int(bool(x)), 0), np.int64)
    return cp.argwhere(x).astype(np.int64, copy=False)


def index_select(x: Any, index: Any, dim: int) -> Any:
    return cp.take(x, index, axis=dim)


def flip(x: Any, dims: tuple[int, ...]) -> Any:
    return cp.flip(x, dims).copy()


def roll(x: Any, shifts: tuple[int, ...], dims: tuple[int, ...]) -> Any:
    return cp.roll(x, shifts if dims else shifts[0], dims or None)


def repeat(x: Any, repeats: tuple[int, ...]) -> Any:
    return cp.tile(x, repeats)


KERNELS: dict[str, Callable[..., Any]] = {
    "as_strided": as_strided, "view": view, "expand": expand, "permute": permute,
    "clone": clone, "copy": copy, "assign": assign, "gather": gather, "scatter": scatter,
    "scatter_add": scatter_add, "index": index, "index_put": index_put, "cat": cat,
    "nonzero": nonzero, "index_select": index_select, "flip": flip, "roll": roll,
    "repeat": repeat}
