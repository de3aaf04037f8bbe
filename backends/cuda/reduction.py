"""Reduction, scan and sort CuPy kernels (CuPy's CUB-backed reductions and Thrust sort).

float16 accumulates in float32, as PyTorch does. Softmax and log_softmax have fused kernels
in `fused.py`; this module holds what CuPy's own routines do well.
"""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp
import numpy as np


def _acc(dtype: np.dtype) -> Any:
    return np.float32 if dtype == np.float16 else dtype


def _reduce(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> Any:
        r = fn(x, axis=dim, keepdims=keepdim, dtype=_acc(dtype.np))
        return r.astype(dtype.np, copy=False)
    return kernel


def amax(x: Any, dim: tuple[int, ...], keepdim: bool) -> Any:
    return cp.amax(x, axis=dim, keepdims=keepdim)


def argmax(x: Any, dim: int | None, keepdim: bool) -> Any:
    if dim is None:
        return cp.argmax(x).astype(np.int64).reshape((1,) * x.ndim if keepdim else ())
    if x.ndim == 0:
        return cp.zeros((), np.int64)
    return cp.argmax(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


def _select(fn: Callable[..., Any], argfn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any, dim: int, keepdim: bool) -> tuple[Any, Any]:
        if x.ndim == 0:
            return x.copy(), cp.zeros((), np.int64)
        return (fn(x, axis=dim, keepdims=keepdim),
                argfn(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))
    return kernel


def _logical(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any, dim: tuple[int, ...], keepdim: bool) -> Any:
        r = fn(x, axis=dim, keepdims=keepdim)
        return r.astype(np.uint8) if x.dtype == np.uint8 else r
    return kernel


def _scan(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any, dim: int, dtype: Any) -> Any:
        if x.ndim == 0:  # scans flatten 0-d input to 1-d
            return x.astype(dtype.np)
        return fn(x, axis=dim, dtype=_acc(dtype.np)).astype(dtype.np, copy=False)
    return kernel


def sort(x: Any, dim: int, descending: bool, stable: bool) -> tuple[Any, Any]:
    """CuPy's argsort is stable (Thrust's stable sort) and puts NaN last, as NumPy's."""
    if x.ndim == 0:
        return x.copy(), cp.zeros((), np.int64)
    if descending:
        # Stable descending: sort the reversed array ascending, then reverse back; equal
        # elements keep their original order, and NaN (last ascending) comes first.
        rev = cp.argsort(cp.flip(x, dim), axis=dim)
        idx = cp.ascontiguousarray(cp.flip(x.shape[dim] - 1 - rev, dim))
    else:
        idx = cp.argsort(x, axis=dim)
    return cp.take_along_axis(x, idx, dim), idx.astype(np.int64, copy=False)


KERNELS: dict[str, Callable[..., Any]] = {
    "sum": _reduce(cp.sum), "prod": _reduce(cp.prod), "amax": amax, "argmax": argmax,
    "max": _select(cp.max, cp.argmax), "min": _select(cp.min, cp.argmin),
    "all": _logical(cp.all), "any": _logical(cp.any),
    "cumsum": _scan(cp.cumsum), "cumprod": _scan(cp.cumprod), "sort": sort,
}
