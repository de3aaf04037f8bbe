"""Fast kernels for hot composites: softmax and log_softmax in one launch (`cl/softmax.cl`)
instead of their decompositions' max, subtract, exp, sum, divide chain, and max pooling's
gradient and col2im (`cl/pool.cl`; col2im is convolution's input gradient), whose
decompositions are scatter_adds that scan a whole index line for every output element."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .movement import clone
from .scan import line_walk

__all__ = ["KERNELS"]


def _along(take_log: bool) -> Callable[..., ClArray]:
    def kernel(x: ClArray, dim: int) -> ClArray:
        if x.size == 0:
            return clone(x)
        if x.ndim == 0:
            return kernel(x.view((1,), (1,)), 0).view((), ())
        rt = x.rt
        out = rt.empty(x.shape, x.dtype)
        n, g = line_walk(x.shape, dim, [out, x])
        k = rt.family("softmax.cl", T.tag(x.dtype), "softmax")
        rt.launch(k, n, out.buffer, x.buffer, rt.geometry(g), np.int64(x.shape[dim]),
                  np.int64(x.elem_strides[dim]), np.int64(out.elem_strides[dim]),
                  np.int32(take_log))
        return out
    kernel.__name__ = "log_softmax" if take_log else "softmax"
    return kernel


def max_pool2d_with_indices_backward(grad: ClArray, index: ClArray, input_size: tuple[int, int],
                                     kernel_size: tuple[int, int], stride: tuple[int, int],
                                     padding: tuple[int, int],
                                     dilation: tuple[int, int]) -> ClArray:
    n, c, oh, ow = grad.shape
    h, w = input_size
    rt = grad.rt
    out = rt.empty((n, c, h, w), grad.dtype)
    grad = grad if grad.is_contiguous() else clone(grad)
    index = index if index.is_contiguous() else clone(index)
    k = rt.family("pool.cl", T.tag(grad.dtype), "max_pool2d_backward")
    i64 = np.int64
    rt.launch(k, out.size, out.buffer, grad.buffer, index.buffer, i64(out.size), i64(h), i64(w),
              i64(oh), i64(ow), *(i64(v) for v in (*kernel_size, *stride, *padding, *dilation)),
              i64(grad.offset), i64(index.offset))
    return out


def col2im(cols: ClArray, output_size: tuple[int, int], kernel_size: tuple[int, int],
           dilation: tuple[int, int], padding: tuple[int, int],
           stride: tuple[int, int]) -> ClArray:
    (h, w), (kh, kw) = output_size, kernel_size
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    rt = cols.rt
    out = rt.empty((n, c, h, w), cols.dtype)
    k = rt.family("pool.cl", T.tag(cols.dtype), "col2im")
    i64 = np.int64
    rt.launch(k, out.size, out.buffer, cols.buffer, i64(out.size), i64(c), i64(h), i64(w),
              i64(oh), i64(ow), *(i64(v) for v in (*kernel_size, *stride, *padding, *dilation)),
              i64(cols.offset), *(i64(s) for s in cols.elem_strides))
    return out


KERNELS: dict[str, Callable[..., Any]] = {
    "softmax": _along(False), "log_softmax": _along(True),
    "max_pool2d_with_indices_backward": max_pool2d_with_indices_backward, "col2im": col2im}
