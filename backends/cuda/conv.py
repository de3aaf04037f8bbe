"""Convolution CuPy kernels: im2col plus cuBLAS GEMMs.

The windows of the padded input are a strided view ``(N, C, kh, kw, oh, ow)``; one copy
makes them GEMM columns, and batched GEMMs (``cupy.matmul`` over images and groups) give
the output in NCHW order. The weight gradient contracts the same columns with the output
gradient (one ``tensordot`` per group); the transposed convolution is a GEMM followed by
col2im, which adds the ``kh * kw`` shifted column blocks into the output (``kh * kw`` strided
adds, each one kernel over the whole batch). Images go in chunks whose columns take at
most ``_CHUNK_BYTES``, so a large batch does not need its whole im2col matrix at once.
Max pooling keeps core's decomposition (argmax over the same window view).
"""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp
from cupy.lib.stride_tricks import as_strided

from tensorweave.ops.conv import add_columns, blocks2d, image_chunks

Pair = tuple[int, int]

_CHUNK_BYTES = 256 << 20


def _padded(x: Any, ph: int, pw: int) -> Any:
    if ph == 0 and pw == 0:
        return x
    return cp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _columns(x: Any, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> Any:
    """im2col: the contiguous ``(N, C, kh, kw, oh, ow)`` windows of ``x``."""
    xp = cp.ascontiguousarray(_padded(x, *padding))
    oh, ow = blocks2d(x.shape[2:], kernel, stride, padding, dilation)
    sn, sc, sy, sx = xp.strides
    win = as_strided(xp, (*xp.shape[:2], *kernel, oh, ow),
                     (sn, sc, dilation[0] * sy, dilation[1] * sx, stride[0] * sy,
                      stride[1] * sx))
    return cp.ascontiguousarray(win)


def im2col(x: Any, kernel_size: Pair, dilation: Pair, padding: Pair, stride: Pair) -> Any:
    cols = _columns(x, kernel_size, stride, padding, dilation)
    n, c, kh, kw, oh, ow = cols.shape
    return cols.reshape(n, c * kh * kw, oh * ow)


def col2im(cols: Any, output_size: Pair, kernel_size: Pair, dilation: Pair, padding: Pair,
           stride: Pair) -> Any:
    (h, w), (kh, kw), (ph, pw) = output_size, kernel_size, padding
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    oh, ow = blocks2d(output_size, kernel_size, stride, padding, dilation)
    buf = cp.zeros((n, c, h + 2 * ph, w + 2 * pw), cols.dtype)
    add_columns(buf, cols.reshape(n, c, kh, kw, oh, ow), stride, dilation)
    return cp.ascontiguousarray(buf[:, :, ph:ph + h, pw:pw + w]) if ph or pw else buf


def conv2d(x: Any, w: Any, *b: Any, stride: Pair, padding: Pair, dilation: Pair,
           groups: int) -> Any:
    n, (co, cig, kh, kw) = x.shape[0], w.shape
    oh, ow = blocks2d(x.shape[2:], (kh, kw), stride, padding, dilation)
    k = cig * kh * kw
    out = cp.empty((n, co, oh, ow), x.dtype)
    wm = w.reshape(groups, co // groups, k)
    for part in image_chunks(n, k * groups * oh * ow * x.itemsize, _CHUNK_BYTES):
        cols = _columns(x[part], (kh, kw), stride, padding, dilation)
        res = cp.matmul(wm, cols.reshape(-1, groups, k, oh * ow))
        out[part] = res.reshape(-1, co, oh, ow)
    if b:
        out += b[0].reshape(co, 1, 1)
    return out


def conv2d_weight(x: Any, g: Any, kernel_size: Pair, stride: Pair, padding: Pair,
                  dilation: Pair, groups: int) -> Any:
    ci, (n, co, oh, ow) = x.shape[1], g.shape
    k = ci // groups * kernel_size[0] * kernel_size[1]
    gw = cp.zeros((groups, co // groups, k), x.dtype)
    for part in image_chunks(n, k * groups * oh * ow * x.itemsize, _CHUNK_BYTES):
        cols = _columns(x[part], kernel_size, stride, padding, dilation)
        cols = cols.reshape(-1, groups, k, oh * ow)
        gs = g[part].reshape(-1, groups, co // groups, oh * ow)
        for grp in range(groups):
            gw[grp] += cp.tensordot(gs[:, grp], cols[:, grp], axes=([0, 2], [0, 2]))
    return gw.reshape(co, ci // groups, *kernel_size)


def conv_transpose2d(x: Any, w: Any, *b: Any, stride: Pair, padding: Pair,
                     output_padding: Pair, groups: int, dilation: Pair) -> Any:
    """A GEMM gives every input position's ``kh * kw`` output contributions; col2im adds
    them up."""
    (n, ci, h, wd), (cog, kh, kw) = x.shape, w.shape[1:]
    co = cog * groups
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    full_h, full_w = (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1
    ho, wo = full_h - 2 * ph + output_padding[0], full_w - 2 * pw + output_padding[1]
    buf = cp.zeros((n, co, max(full_h, ph + ho), max(full_w, pw + wo)), x.dtype)
    wt = w.reshape(groups, ci // groups, cog * kh * kw).transpose(0, 2, 1)
    for part in image_chunks(n, co * kh * kw * h * wd * x.itemsize, _CHUNK_BYTES):
        xm = x[part].reshape(-1, groups, ci // groups, h * wd)
        cols = cp.matmul(wt, xm).reshape(-1, co, kh, kw, h, wd)
        add_columns(buf[part], cols, stride, dilation)
    out = cp.ascontiguousarray(buf[:, :, ph:ph + ho, pw:pw + wo])
    if b:
        out += b[0].reshape(co, 1, 1)
    return out


def _f32(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` computing float16 in float32, as the other dtypes' cuBLAS paths accumulate."""
    def kernel(*xs: Any, **params: Any) -> Any:
        if xs[0].dtype != cp.float16:
            return fn(*xs, **params)
        return fn(*(v.astype(cp.float32) for v in xs), **params).astype(cp.float16)
    kernel.__name__ = fn.__name__
    return kernel


KERNELS: dict[str, Callable[..., Any]] = {
    "im2col": im2col, "col2im": _f32(col2im), "conv2d": _f32(conv2d),
    "conv2d_weight": _f32(conv2d_weight), "conv_transpose2d": _f32(conv_transpose2d)}
