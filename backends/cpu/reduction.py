"""Reduction, scan and sort NumPy kernels (plus fast paths for max/min, all/any, softmax)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _acc(x: np.ndarray) -> np.ndarray:
    # float16 accumulates in float32, as PyTorch does; NumPy would accumulate in float16.
    return x.astype(np.float32) if x.dtype == np.float16 else x


def sum(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:  # noqa: A001
    acc = np.float32 if dtype.np == np.float16 else dtype.np
    return np.asarray(np.sum(x, axis=dim, keepdims=keepdim, dtype=acc)).astype(dtype.np,
                                                                             copy=False)


def prod(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
    acc = np.float32 if dtype.np == np.float16 else dtype.np
    return np.asarray(np.prod(x, axis=dim, keepdims=keepdim, dtype=acc)).astype(dtype.np,
                                                                               copy=False)


def amax(x: np.ndarray, dim: tuple[int, ...], keepdim: bool) -> np.ndarray:
    return np.asarray(np.amax(x, axis=dim, keepdims=keepdim))


def argmax(x: np.ndarray, dim: int | None, keepdim: bool) -> np.ndarray:
    if dim is None:
        return np.asarray(np.argmax(x), dtype=np.int64).reshape((1,) * x.ndim if keepdim else ())
    if x.ndim == 0:
        return np.zeros((), np.int64)
    return np.argmax(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


def _select(fn: Callable[..., Any], argfn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: np.ndarray, dim: int, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        return (np.asarray(fn(x, axis=dim, keepdims=keepdim)),
                argfn(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))
    return kernel


def _logical(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: np.ndarray, dim: tuple[int, ...], keepdim: bool) -> np.ndarray:
        r = np.asarray(fn(x, axis=dim, keepdims=keepdim))
        return r.astype(np.uint8) if x.dtype == np.uint8 else r
    return kernel


def _scan(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: np.ndarray, dim: int, dtype: Any) -> np.ndarray:
        if x.ndim == 0:  # NumPy's scans flatten 0-d input to 1-d
            return x.astype(dtype.np)
        acc = np.float32 if dtype.np == np.float16 else dtype.np
        return fn(x, axis=dim, dtype=acc).astype(dtype.np, copy=False)
    return kernel


def sort(x: np.ndarray, dim: int, descending: bool,
         stable: bool) -> tuple[np.ndarray, np.ndarray]:
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    if descending:
        # Stable descending: sort the reversed array ascending, then reverse back; equal
        # elements keep their original order, and NaN (last ascending) comes first.
        rev = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
        idx = np.ascontiguousarray(np.flip(x.shape[dim] - 1 - rev, dim))
    else:
        idx = np.argsort(x, axis=dim, kind="stable")
    return np.take_along_axis(x, idx, dim), idx.astype(np.int64, copy=False)


def _along(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A kernel for a normalization along ``dim`` that also takes 0-d and empty inputs."""
    def kernel(x: np.ndarray, dim: int) -> np.ndarray:
        if x.size == 0:
            return x.copy()
        if x.ndim == 0:
            return fn(x.reshape(1), 0).reshape(())
        return fn(x, dim)
    return kernel


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    a = _acc(x)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(a - np.max(a, axis=dim, keepdims=True))
        return (e / np.sum(e, axis=dim, keepdims=True)).astype(x.dtype, copy=False)


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    a = _acc(x)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        s = a - np.max(a, axis=dim, keepdims=True)
        return (s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))).astype(x.dtype,
                                                                             copy=False)


KERNELS: dict[str, Callable[..., Any]] = {
    "sum": sum, "prod": prod, "amax": amax, "argmax": argmax,
    "max": _select(np.max, np.argmax), "min": _select(np.min, np.argmin),
    "all": _logical(np.all), "any": _logical(np.any),
    "cumsum": _scan(np.cumsum), "cumprod": _scan(np.cumprod), "sort": sort,
    "softmax": _along(_softmax), "log_softmax": _along(_log_softmax),
}
