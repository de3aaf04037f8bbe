"""View, write, copy and indexing primitives.

``as_strided`` and ``assign`` work on `MinArray` geometry directly: a view is a new
geometry over the same storage, and an assignment writes through one. Every view op of
core (view, expand, permute, slicing...) is a composite over ``as_strided``, so these two
kernels give this backend all of PyTorch's aliasing semantics. The other kernels here
compute on host views and return arrays with storage of their own.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .array import MinArray, on_host


def as_strided(x: MinArray, size: tuple[int, ...], stride: tuple[int, ...],
               storage_offset: int) -> MinArray:
    last = storage_offset + sum((n - 1) * st for n, st in zip(size, stride))
    if 0 not in size and not 0 <= storage_offset <= last < x.storage.size:
        raise RuntimeError(f"size {list(size)}, stride {list(stride)} and storage "
                           f"offset {storage_offset} reach outside a storage of "
                           f"{x.storage.size} elements")
    return MinArray(x.storage, size, stride, storage_offset, x.device)


def assign(dst: MinArray, src: MinArray) -> MinArray:
    # As in PyTorch, an expanded destination (a stride of 0) is refused; any other
    # self-overlapping geometry is written element by element, the last write winning.
    if any(st == 0 and n > 1 for n, st in zip(dst.shape, dst.stride)):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location (an expanded tensor). "
                           "Please clone() the tensor before performing the operation.")
    np.copyto(dst.host(), src.host())  # NumPy buffers the copy when src overlaps dst
    return dst


def clone(x: np.ndarray) -> np.ndarray:
    return x.copy()


def copy(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    return np.broadcast_to(src, dst.shape).astype(dst.dtype)


def cat(*xs: np.ndarray, dim: int) -> np.ndarray:
    return np.concatenate(xs, axis=dim)


def _coords(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """Gather/scatter addressing: ``index``'s entries along ``dim``, each element's own
    position along the other dims (which may be shorter than the input's)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def gather(x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    return x[_coords(index, dim)]


def scatter(x: np.ndarray, index: np.ndarray, src: np.ndarray, dim: int) -> np.ndarray:
    out = x.copy()
    out[_coords(index, dim)] = src
    return out


def scatter_add(x: np.ndarray, index: np.ndarray, src: np.ndarray, dim: int) -> np.ndarray:
    out = x.copy()
    np.add.at(out, _coords(index, dim), src)  # repeated positions accumulate
    return out


def nonzero(x: np.ndarray) -> np.ndarray:
    return np.argwhere(x).astype(np.int64)


KERNELS: dict[str, Callable[..., Any]] = {
    "as_strided": as_strided, "assign": assign,
    **{name: on_host(fn) for name, fn in {
        "clone": clone, "copy": copy, "cat": cat, "gather": gather, "scatter": scatter,
        "scatter_add": scatter_add, "nonzero": nonzero}.items()}}
