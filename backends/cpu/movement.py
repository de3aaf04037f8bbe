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


KERNELS: dict[str, Callable[..., Any]] = {
    "as_strided": as_strided, "view": view, "expand": expand, "permute": permute,
    "clone": clone, "copy": copy, "assign": assign}
