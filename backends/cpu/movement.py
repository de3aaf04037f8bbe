"""View, copy and indexing kernels on NumPy arrays (views stay NumPy views)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def as_strided(x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
               storage_offset: int) -> np.ndarray:
    root = x
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = x.itemsize
    if not root.flags.c_contiguous:
        # A dense array in another layout (an elementwise result of transposed inputs keeps
        # their layout, as PyTorch's does): its memory, in memory order, is the storage.
        root = root.ravel(order="K")
        if not np.shares_memory(root, x):
            raise ValueError("as_strided: the storage is not one dense block of memory")
    if 0 in size:  # an empty view may start past the end (x[3:, 4:]); NumPy refuses that
        storage_offset = min(storage_offset, root.size)
    return np.ndarray(size, x.dtype, buffer=root, offset=storage_offset * item,
                      strides=tuple(s * item for s in stride))


def view(x: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    return np.reshape(x, size, copy=False)


def expand(x: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(x, size)


def permute(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    return np.transpose(x, dims)


def clone(x: np.ndarray) -> np.ndarray:
    return np.array(x, copy=True, order="C")


def copy(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    return np.array(np.broadcast_to(src, dst.shape), dtype=dst.dtype, copy=True)


def assign(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location (an expanded tensor). "
                           "Please clone() the tensor before performing the operation.")
    np.copyto(dst, src)
    return dst


def _mesh(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The NumPy index that reads ``index``'s entries along ``dim`` and its own position
    elsewhere (gather/scatter's addressing, for indices smaller than the input too)."""
    idx = list(np.ix_(*[np.arange(n) for n in index.shape]))
    idx[dim] = index
    return tuple(idx)


def gather(x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    return x[_mesh(index, dim)]


def scatter(x: np.ndarray, index: np.ndarray, src: np.ndarray, dim: int) -> np.ndarray:
    out = x.copy()
    out[_mesh(index, dim)] = src
    return out


def scatter_add(x: np.ndarray, index: np.ndarray, src: np.ndarray, dim: int) -> np.ndarray:
    out = x.copy()
    np.add.at(out, _mesh(index, dim), src)
    return out


def _key(ndim: int, idx: tuple[np.ndarray, ...], dims: tuple[int, ...]) -> tuple[Any, ...]:
    key: list[Any] = [slice(None)] * ndim
    for d, i in zip(dims, idx):
        key[d] = i
    return tuple(key)


def index(x: np.ndarray, *idx: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    # NumPy places the broadcast index dims exactly as PyTorch does once ints are selected.
    return np.array(x[_key(x.ndim, idx, dims)], copy=True)


def index_put(x: np.ndarray, values: np.ndarray, *idx: np.ndarray, dims: tuple[int, ...],
              accumulate: bool) -> np.ndarray:
    out = x.copy()
    key = _key(x.ndim, idx, dims)
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def cat(*xs: np.ndarray, dim: int) -> np.ndarray:
    return np.concatenate(xs, axis=dim)


def nonzero(x: np.ndarray) -> np.ndarray:
    return np.argwhere(x).astype(np.int64, copy=False)


def index_select(x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    return np.take(x, index, axis=dim)


def flip(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    return np.flip(x, dims).copy()


def roll(x: np.ndarray, shifts: tuple[int, ...], dims: tuple[int, ...]) -> np.ndarray:
    return np.roll(x, shifts if dims else shifts[0], dims or None)


def repeat(x: np.ndarray, repeats: tuple[int, ...]) -> np.ndarray:
    return np.tile(x, repeats)  # always a new array


def view_as_real(x: np.ndarray) -> np.ndarray:
    # A new unit last axis, reinterpreted as two parts: NumPy keeps it a view of x.
    return x[..., None].view(x.real.dtype)


def view_as_complex(x: np.ndarray) -> np.ndarray:
    # Core has checked the last axis: two contiguous parts, even strides and offset.
    return x.view(np.result_type(x.dtype, np.complex64))[..., 0]


KERNELS: dict[str, Callable[..., Any]] = {
    "as_strided": as_strided, "view": view, "expand": expand, "permute": permute,
    "clone": clone, "copy": copy, "assign": assign, "gather": gather, "scatter": scatter,
    "scatter_add": scatter_add, "index": index, "index_put": index_put, "cat": cat,
    "nonzero": nonzero, "index_select": index_select, "flip": flip, "roll": roll,
    "repeat": repeat, "view_as_real": view_as_real, "view_as_complex": view_as_complex}
