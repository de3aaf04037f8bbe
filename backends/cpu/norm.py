"""Fused NumPy kernels for the normalization ops (layer_norm, batch_norm).

One pass of NumPy calls each instead of the decomposition's dozen dispatches. Statistics
are computed the decomposition's way (the mean, then the mean of squared deviations), in
float32 for float16 inputs, as PyTorch accumulates.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .reduction import _acc


def _normalize(x: np.ndarray, w: Any, b: Any, dim: tuple[int, ...],
               eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = _acc(x)
    if math.prod(x.shape[i] for i in dim) == 0:  # statistics of nothing are nan
        stat = np.full([1 if i in dim else n for i, n in enumerate(x.shape)], np.nan, a.dtype)
        return x.copy(), stat, stat.copy()
    m = np.mean(a, axis=dim, keepdims=True)
    y = a - m
    v = np.mean(np.square(y), axis=dim, keepdims=True)
    y /= np.sqrt(v + eps)
    if w is not None:
        y *= w
    if b is not None:
        y += b
    return y.astype(x.dtype, copy=False), m, v


def layer_norm(x: np.ndarray, w: Any, b: Any, dim: tuple[int, ...], eps: float) -> np.ndarray:
    return _normalize(x, w, b, dim, eps)[0]


def batch_norm(x: np.ndarray, w: Any, b: Any, dim: tuple[int, ...],
               eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y, m, v = _normalize(x, w, b, dim, eps)
    return (y, m.squeeze(dim).astype(x.dtype, copy=False),
            v.squeeze(dim).astype(x.dtype, copy=False))


KERNELS: dict[str, Callable[..., Any]] = {"layer_norm": layer_norm, "batch_norm": batch_norm}
