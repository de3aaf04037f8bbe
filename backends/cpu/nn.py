"""Fused NumPy kernels for the nn ops of `tensorweave.ops.nn` other than normalization:
linear, the parameterized activations and embedding.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .linalg import _f16


def linear(x: np.ndarray, w: np.ndarray, b: Any = None) -> np.ndarray:
    # w.T is a view: BLAS reads the transposed operand without a copy.
    out = _f16(np.matmul, x, w.T)
    if b is None:
        return out
    if out.ndim >= b.ndim and out.dtype == b.dtype:
        np.add(out, b, out=out)  # the product is ours: add the bias in place
        return out
    return np.asarray(out + b)


def leaky_relu(x: np.ndarray, negative_slope: float) -> np.ndarray:
    return np.asarray(np.where(x > 0, x, x * negative_slope))


def elu(x: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
    return np.asarray(np.where(x > 0, x * scale, neg))


def hardtanh(x: np.ndarray, min_val: Any, max_val: Any) -> np.ndarray:
    return np.asarray(np.minimum(np.maximum(x, min_val), max_val))


def softplus(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    bx = x * beta
    with np.errstate(over="ignore"):
        soft = np.logaddexp(bx.dtype.type(0), bx) / beta
    return np.asarray(np.where(bx > threshold, x, soft))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(-np.logaddexp(x.dtype.type(0), -x))


def embedding(w: np.ndarray, idx: np.ndarray, padding_idx: int,
              scale_grad_by_freq: bool) -> np.ndarray:
    return np.take(w, idx, axis=0)


KERNELS: dict[str, Callable[..., Any]] = {
    "linear": linear, "leaky_relu": leaky_relu, "elu": elu, "hardtanh": hardtanh,
    "softplus": softplus, "log_sigmoid": log_sigmoid, "embedding": embedding,
}
