"""Fused CUDA kernels (`cu/fused.cu`) for the hot composites: softmax and log_softmax
(which cross-entropy uses), layer_norm, and Adam's update; batch_norm in a few CuPy
reductions.

Each replaces a decomposition of several CuPy kernels by one launch. They take float32 and
float64 on rows made contiguous (softmax computes float16 in float32); what they do not
take -- float16 layer norm and Adam, a strided Adam parameter -- runs the CuPy expressions
of the same formulas; bfloat16 Adam runs the float32 kernel and rounds once.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import cupy as cp
import numpy as np

from tensorweave import dtypes as D

from .cu import TYPES
from .cuda_c import BLOCK, kernel, launch

_TYPES = {np.dtype(k): v for k, v in TYPES.items()}
_BFLOAT16 = np.dtype(D.bfloat16.np)


def _kernel(expression: str) -> Any:
    return kernel("fused.cu", expression)


def _rows(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A row-wise kernel along ``dim`` of any tensor: float16 via float32, ``dim`` moved last
    and made contiguous, 0-d and empty inputs handled."""
    def along(x: Any, dim: int) -> Any:
        if x.size == 0:
            return x.copy()
        if x.ndim == 0:
            return along(x.reshape(1), 0).reshape(())
        if x.dtype == np.float16:
            return along(x.astype(np.float32), dim).astype(np.float16)
        last = cp.ascontiguousarray(cp.moveaxis(x, dim, -1))
        out = cp.empty_like(last)
        fn(last, out)
        return cp.ascontiguousarray(cp.moveaxis(out, -1, dim))
    return along


def _softmax(log: bool) -> Callable[..., Any]:
    def rows(x: Any, out: Any) -> None:
        n = x.shape[-1]
        k = _kernel(f"softmax_rows<{_TYPES[x.dtype]},{'true' if log else 'false'}>")
        k((x.size // n,), (BLOCK,), (x, out, np.int64(n)))
    return _rows(rows)


def layer_norm(x: Any, w: Any, b: Any, dim: tuple[int, ...], eps: float) -> Any:
    """The row kernel over trailing ``dim``; a weight and bias of the normalized shape are
    applied in it, others (group and instance norm's, which broadcast) after it."""
    n = math.prod(x.shape[i] for i in dim)
    trailing = dim == tuple(range(x.ndim - len(dim), x.ndim))
    if n == 0 or not trailing or x.dtype not in _TYPES:
        return _normalize(x, w, b, dim, eps)[0]
    shape = x.shape[x.ndim - len(dim):]
    inside = [t is not None and t.shape == shape for t in (w, b)]
    xc = cp.ascontiguousarray(x)
    y = cp.empty_like(xc)
    wc, bc = (cp.ascontiguousarray(t).astype(x.dtype, copy=False) if fits else xc
              for t, fits in zip((w, b), inside))
    _kernel(f"layer_norm_rows<{_TYPES[x.dtype]}>")(
        (x.size // n,), (BLOCK,), (xc, wc, bc, y, np.int64(n), np.float64(eps),
                                    np.int32(inside[0]), np.int32(inside[1])))
    if w is not None and not inside[0]:
        y *= w
    if b is not None and not inside[1]:
        y += b
    return y


def _normalize(x: Any, w: Any, b: Any, dim: tuple[int, ...],
               eps: float) -> tuple[Any, Any, Any]:
    """Normalization over ``dim`` with CuPy reductions, float16 in float32: the output, the
    mean, and the mean of squared deviations (kept dims)."""
    a = x.astype(np.float32) if x.dtype == np.float16 else x
    if math.prod(x.shape[i] for i in dim) == 0:  # statistics of nothing are nan
        stat = cp.full([1 if i in dim else n for i, n in enumerate(x.shape)], np.nan, a.dtype)
        return x.copy(), stat, stat.copy()
    m = cp.mean(a, axis=dim, keepdims=True)
    y = a - m
    var = cp.mean(cp.square(y), axis=dim, keepdims=True)
    y /= cp.sqrt(var + eps)
    if w is not None:
        y *= w
    if b is not None:
        y += b
    return y.astype(x.dtype, copy=False), m, var


def batch_norm(x: Any, w: Any, b: Any, dim: tuple[int, ...],
               eps: float) -> tuple[Any, Any, Any]:
    y, m, var = _normalize(x, w, b, dim, eps)
    return (y, m.squeeze(dim).astype(x.dtype, copy=False),
            var.squeeze(dim).astype(x.dtype, copy=False))


def adam_update(p: Any, g: Any, m: Any, v: Any, *, beta1: float, beta2: float, eps: float,
                step_size: float, bias_correction2_sqrt: float) -> tuple[Any, Any, Any]:
    if p.dtype == _BFLOAT16:  # in float32, each tensor rounded once when written back
        p32, m32, v32 = (t.astype(np.float32) for t in (p, m, v))
        adam_update(p32, g.astype(np.float32), m32, v32, beta1=beta1, beta2=beta2, eps=eps,
                    step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt)
        p[...], m[...], v[...] = p32, m32, v32
        return p, m, v
    if p.dtype in _TYPES and all(t.flags.c_contiguous and t.dtype == p.dtype
                                 for t in (p, g, m, v)):
        launch(_kernel(f"adam_update<{_TYPES[p.dtype]}>"), p.size, p, g, m, v, np.int64(p.size),
               np.float64(beta1), np.float64(beta2), np.float64(eps), np.float64(step_size),
               np.float64(bias_correction2_sqrt))
        return p, m, v
    w = 1 - beta1
    t = g - m
    m[...] = m + t * w if abs(w) < 0.5 else g - t * (1.0 - w)
    v[...] = v * beta2 + g * (1 - beta2) * g
    p += m * -step_size / (cp.sqrt(v) / bias_correction2_sqrt + eps)
    return p, m, v


KERNELS: dict[str, Callable[..., Any]] = {
    "softmax": _softmax(False), "log_softmax": _softmax(True), "layer_norm": layer_norm,
    "batch_norm": batch_norm, "adam_update": adam_update,
}
