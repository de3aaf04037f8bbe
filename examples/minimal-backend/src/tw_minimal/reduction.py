"""Reduction, scan and sort primitives on NumPy.

Core has normalized the parameters: ``dim`` is a tuple of non-negative dims for sum, prod
and amax (``()`` for a 0-d input), one dim or None for argmax, one dim for the scans and
sort; ``dtype`` is the result dtype. float16 accumulates in float32, as PyTorch does
(NumPy would round every partial sum to float16).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .array import on_host


def _acc(dtype: Any) -> Any:
    return np.float32 if dtype.np == np.float16 else dtype.np


def sum(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:  # noqa: A001
    return np.sum(x, axis=dim, keepdims=keepdim, dtype=_acc(dtype)).astype(dtype.np)


def prod(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
    return np.prod(x, axis=dim, keepdims=keepdim, dtype=_acc(dtype)).astype(dtype.np)


def amax(x: np.ndarray, dim: tuple[int, ...], keepdim: bool) -> np.ndarray:
    return np.amax(x, axis=dim, keepdims=keepdim)  # nan propagates, as in PyTorch


def argmax(x: np.ndarray, dim: int | None, keepdim: bool) -> np.ndarray:
    if dim is None:  # an index into the flattened tensor
        return np.asarray(np.argmax(x), np.int64).reshape((1,) * x.ndim if keepdim else ())
    if x.ndim == 0:
        return np.zeros((), np.int64)
    return np.argmax(x, axis=dim, keepdims=keepdim).astype(np.int64)


def _scan(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: np.ndarray, dim: int, dtype: Any) -> np.ndarray:
        if x.ndim == 0:  # NumPy's scans would flatten a 0-d input to 1-D
            return x.astype(dtype.np)
        return fn(x, axis=dim, dtype=_acc(dtype)).astype(dtype.np)
    return kernel


def sort(x: np.ndarray, dim: int, descending: bool,
         stable: bool) -> tuple[np.ndarray, np.ndarray]:
    """Always stable; NaN sorts as the largest value (NumPy's order, and PyTorch's)."""
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    if descending:
        # Ascending order of the reversed dim, reversed again, keeps equal elements in their
        # original order (a plain reversal of an ascending sort would swap them).
        n = x.shape[dim]
        idx = np.flip(n - 1 - np.argsort(np.flip(x, dim), axis=dim, kind="stable"), dim)
    else:
        idx = np.argsort(x, axis=dim, kind="stable")
    return np.take_along_axis(x, idx, dim), idx.astype(np.int64)


KERNELS: dict[str, Callable[..., Any]] = {
    name: on_host(fn) for name, fn in {
        "sum": sum, "prod": prod, "amax": amax, "argmax": argmax,
        "cumsum": _scan(np.cumsum), "cumprod": _scan(np.cumprod), "sort": sort,
    }.items()}
