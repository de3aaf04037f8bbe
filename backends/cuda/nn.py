"""CuPy kernels for the parameterized activations and embedding of `tensorweave.ops.nn`.
Each expression is a handful of CuPy ufuncs on the whole tensor."""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp


def leaky_relu(x: Any, negative_slope: float) -> Any:
    return cp.where(x > 0, x, x * x.dtype.type(negative_slope))


def elu(x: Any, alpha: float, scale: float, input_scale: float) -> Any:
    t = x.dtype.type
    neg = cp.expm1(cp.minimum(x, t(0)) * t(input_scale)) * t(alpha * scale)
    return cp.where(x > 0, x * t(scale), neg)


def hardtanh(x: Any, min_val: Any, max_val: Any) -> Any:
    t = x.dtype.type
    return cp.minimum(cp.maximum(x, t(min_val)), t(max_val))


def softplus(x: Any, beta: float, threshold: float) -> Any:
    t = x.dtype.type
    bx = x * t(beta)
    return cp.where(bx > threshold, x, cp.logaddexp(t(0), bx) / t(beta))


def log_sigmoid(x: Any) -> Any:
    return -cp.logaddexp(x.dtype.type(0), -x)


def embedding(w: Any, idx: Any, padding_idx: int, scale_grad_by_freq: bool) -> Any:
    return cp.take(w, idx, axis=0)


KERNELS: dict[str, Callable[..., Any]] = {
    "leaky_relu": leaky_relu, "elu": elu, "hardtanh": hardtanh, "softplus": softplus,
    "log_sigmoid": log_sigmoid, "embedding": embedding,
}
