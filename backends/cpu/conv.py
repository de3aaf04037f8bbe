"""Convolution, padding and pooling NumPy kernels.

Windows are strided views of the padded input (no copy); a convolution copies them into
im2col columns and runs BLAS GEMMs on them: one per image for large images (the output
comes out in NCHW order), else one over a chunk of images (columns ``(C * kh * kw,
images * oh * ow)``). The weight gradient contracts the same columns with the output
gradient; the transposed convolution (also the input gradient) is a GEMM followed by
col2im, which adds the ``kh * kw`` shifted column blocks into the output. Images go in
chunks whose columns fit in cache. Max pooling scans the ``kh * kw`` window offsets with
whole-array maximum/compare operations (NumPy reductions over a short trailing axis are an
order of magnitude slower). float16 computes in float32.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tensorweave.ops.conv import add_columns, blocks2d, image_chunks
from tensorweave.ops.pool import first_valid_index, pool_output_size

from .linalg import _f16

Pair = tuple[int, int]


def _padded(x: np.ndarray, rows: Pair, cols: Pair, value: Any = 0) -> np.ndarray:
    """``x`` with (before, after) rows and columns of ``value`` around its last two dims;
    negative amounts crop."""
    if rows == (0, 0) and cols == (0, 0):
        return x
    h, w = x.shape[-2:]
    x = x[..., max(-rows[0], 0):h - max(-rows[1], 0), max(-cols[0], 0):w - max(-cols[1], 0)]
    shape = (*x.shape[:-2], x.shape[-2] + max(rows[0], 0) + max(rows[1], 0),
             x.shape[-1] + max(cols[0], 0) + max(cols[1], 0))
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[..., max(rows[0], 0):max(rows[0], 0) + x.shape[-2],
        max(cols[0], 0):max(cols[0], 0) + x.shape[-1]] = x
    return out


def _windows(xp: np.ndarray, kernel: Pair, dilation: Pair, stride: Pair,
             out: Pair) -> np.ndarray:
    """The read-only ``(N, C, kh, kw, oh, ow)`` window view of padded ``(N, C, H, W)``."""
    sn, sc, sy, sx = xp.strides
    return as_strided(xp, (*xp.shape[:2], *kernel, *out),
                      (sn, sc, dilation[0] * sy, dilation[1] * sx, stride[0] * sy,
                       stride[1] * sx), writeable=False)


def _columns(x: np.ndarray, kernel: Sequence[int], stride: Pair, padding: Pair,
             dilation: Pair, groups: int) -> np.ndarray:
    """im2col for one GEMM over all of ``x``'s images: ``(groups, C/groups * kh * kw,
    N * oh * ow)``."""
    (n, c), (kh, kw) = x.shape[:2], kernel
    oh, ow = blocks2d(x.shape[2:], kernel, stride, padding, dilation)
    xp = _padded(x, (padding[0],) * 2, (padding[1],) * 2)
    win = _windows(xp, (kh, kw), dilation, stride, (oh, ow)).transpose(1, 2, 3, 0, 4, 5)
    return np.ascontiguousarray(win).reshape(groups, c // groups * kh * kw, n * oh * ow)


# The images of a batch go through the GEMMs in chunks whose columns stay in cache: the
# GEMM then reads (or, for col2im, its output is read) at cache speed, several times faster
# than through memory right after the BLAS threads ran (measured: the transposed
# convolution of the CIFAR CNN's second layer takes 9.6 ms instead of 23).
_CHUNK_BYTES = 4 << 20


def _nchw(out: np.ndarray, bias: Sequence[np.ndarray]) -> np.ndarray:
    """A contiguous copy of an ``(N, C, H, W)`` view, with the bias added on the way."""
    res = np.empty(out.shape, out.dtype)
    if bias:
        np.add(out, bias[0].reshape(-1, 1, 1), out=res)
    else:
        np.copyto(res, out)
    return res


def _f32(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """The kernel ``fn`` computing float16 inputs in float32 (NumPy's float16 GEMMs are slow
    and round every partial sum)."""
    def kernel(*xs: np.ndarray, **params: Any) -> np.ndarray:
        return _f16(lambda *ys: fn(*ys, **params), *xs)
    kernel.__name__ = fn.__name__
    return kernel


# -- ops -----------------------------------------------------------------------------------------


def constant_pad_nd(x: np.ndarray, pad: tuple[int, ...], value: Any) -> np.ndarray:
    n = len(pad) // 2
    src, dst, shape = [slice(None)] * x.ndim, [slice(None)] * x.ndim, list(x.shape)
    for i in range(n):
        d, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        kept = x.shape[d] - max(-lo, 0) - max(-hi, 0)
        shape[d] = x.shape[d] + lo + hi
        src[d] = slice(max(-lo, 0), max(-lo, 0) + kept)
        dst[d] = slice(max(lo, 0), max(lo, 0) + kept)
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


def im2col(x: np.ndarray, kernel_size: Pair, dilation: Pair, padding: Pair,
           stride: Pair) -> np.ndarray:
    n, c = x.shape[:2]
    oh, ow = blocks2d(x.shape[2:], kernel_size, stride, padding, dilation)
    xp = _padded(x, (padding[0],) * 2, (padding[1],) * 2)
    win = _windows(xp, kernel_size, dilation, stride, (oh, ow))
    return np.ascontiguousarray(win).reshape(n, c * kernel_size[0] * kernel_size[1], oh * ow)


@_f32
def col2im(cols: np.ndarray, output_size: Pair, kernel_size: Pair, dilation: Pair,
           padding: Pair, stride: Pair) -> np.ndarray:
    (h, w), (kh, kw), (ph, pw) = output_size, kernel_size, padding
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    oh, ow = blocks2d(output_size, kernel_size, stride, padding, dilation)
    buf = np.zeros((n, c, h + 2 * ph, w + 2 * pw), cols.dtype)
    add_columns(buf, cols.reshape(n, c, kh, kw, oh, ow), stride, dilation)
    return np.ascontiguousarray(buf[:, :, ph:ph + h, pw:pw + w]) if ph or pw else buf


# From this many positions per image on, one GEMM per image is as fast as one over all the
# images of a chunk and needs no transposing copy (OpenBLAS, measured on the CIFAR CNN's
# layers: 32x32 images run 2.5x faster per image, 16x16 ones 15% slower).
_PER_IMAGE_POSITIONS = 512


@_f32
def conv2d(x: np.ndarray, w: np.ndarray, *b: np.ndarray, stride: Pair, padding: Pair,
           dilation: Pair, groups: int) -> np.ndarray:
    n, (co, cig, kh, kw) = x.shape[0], w.shape
    oh, ow = blocks2d(x.shape[2:], (kh, kw), stride, padding, dilation)
    k = cig * kh * kw
    out = np.empty((n, co, oh, ow), x.dtype)
    wm = w.reshape(groups, co // groups, k)
    for part in image_chunks(n, k * groups * oh * ow * x.itemsize, _CHUNK_BYTES):
        if oh * ow >= _PER_IMAGE_POSITIONS:
            cols = im2col(x[part], (kh, kw), dilation, padding, stride)
            np.matmul(wm, cols.reshape(-1, groups, k, oh * ow),
                      out=out[part].reshape(-1, groups, co // groups, oh * ow))
            if b:
                out[part] += b[0].reshape(co, 1, 1)
            continue
        cols = _columns(x[part], (kh, kw), stride, padding, dilation, groups)
        res = np.matmul(wm, cols).reshape(co, -1, oh, ow).transpose(1, 0, 2, 3)
        if b:
            np.add(res, b[0].reshape(co, 1, 1), out=out[part])
        else:
            out[part] = res
    return out


@_f32
def conv2d_weight(x: np.ndarray, g: np.ndarray, kernel_size: Pair, stride: Pair,
                  padding: Pair, dilation: Pair, groups: int) -> np.ndarray:
    ci, (n, co, oh, ow) = x.shape[1], g.shape
    k = ci // groups * kernel_size[0] * kernel_size[1]
    gw = np.zeros((groups, k, co // groups), x.dtype)  # (G, K, co/G): BLAS prefers this order
    for part in image_chunks(n, k * groups * oh * ow * x.itemsize, _CHUNK_BYTES):
        if oh * ow >= _PER_IMAGE_POSITIONS:
            cols = im2col(x[part], kernel_size, dilation, padding, stride)
            gs = g[part].reshape(-1, groups, co // groups, oh * ow)
            gw += np.matmul(cols.reshape(-1, groups, k, oh * ow), gs.transpose(0, 1, 3, 2)).sum(0)
            continue
        cols = _columns(x[part], kernel_size, stride, padding, dilation, groups)
        gm = np.ascontiguousarray(g[part].transpose(1, 0, 2, 3)).reshape(groups, co // groups,
                                                                          cols.shape[2])
        gw += np.matmul(cols, gm.transpose(0, 2, 1))
    return np.ascontiguousarray(gw.transpose(0, 2, 1)).reshape(co, ci // groups, *kernel_size)


@_f32
def conv_transpose2d(x: np.ndarray, w: np.ndarray, *b: np.ndarray, stride: Pair,
                     padding: Pair, output_padding: Pair, groups: int,
                     dilation: Pair) -> np.ndarray:
    """A GEMM gives every input position's ``kh * kw`` output contributions; col2im adds
    them up, in an ``(out_channels, N)`` layout that reads the GEMM output in order."""
    (n, ci, h, wd), (cog, kh, kw) = x.shape, w.shape[1:]
    co = cog * groups
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    full_h, full_w = (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1
    ho, wo = full_h - 2 * ph + output_padding[0], full_w - 2 * pw + output_padding[1]
    buf = np.zeros((co, n, max(full_h, ph + ho), max(full_w, pw + wo)), x.dtype)
    wt = w.reshape(groups, ci // groups, cog * kh * kw).transpose(0, 2, 1)
    for part in image_chunks(n, co * kh * kw * h * wd * x.itemsize, _CHUNK_BYTES):
        xm = np.ascontiguousarray(x[part].transpose(1, 0, 2, 3)).reshape(groups, ci // groups,
                                                                          -1)
        cols = np.matmul(wt, xm).reshape(co, kh, kw, -1, h, wd).transpose(0, 3, 1, 2, 4, 5)
        add_columns(buf[:, part], cols, stride, dilation)
    return _nchw(buf[:, :, ph:ph + ho, pw:pw + wo].transpose(1, 0, 2, 3), b)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def max_pool2d_with_indices(x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair,
                            dilation: Pair, ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
    """A running maximum over the window offsets; the offset of the first maximum (NaN: of
    the last NaN, as PyTorch's cpu kernel) becomes a flat ``H * W`` index at the end."""
    h, w = x.shape[2:]
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    oh = pool_output_size(h, kh, sh, ph, dh, ceil_mode)
    ow = pool_output_size(w, kw, sw, pw, dw, ceil_mode)
    low = _lowest(x.dtype)
    xp = _padded(x, (ph, (oh - 1) * sh + dh * (kh - 1) + 1 - h - ph),
                 (pw, (ow - 1) * sw + dw * (kw - 1) + 1 - w - pw), low)
    win = _windows(xp, kernel_size, dilation, stride, (oh, ow))
    k = kh * kw
    best = win[:, :, 0, 0].copy()
    arg = np.zeros(best.shape, np.uint8 if k < 256 else np.int32)
    for t in range(1, k):
        v = win[:, :, t // kw, t % kw]
        # offsets only grow, so "take t where v is larger" is a maximum with t * mask
        np.maximum(arg, np.multiply(np.greater(v, best), t, dtype=arg.dtype), out=arg)
        np.maximum(best, v, out=best)  # NaN propagates, as in PyTorch
    if x.dtype.kind == "f" and k > 1:
        nan = np.isnan(best)
        if nan.any():
            last = np.zeros_like(arg)
            for t in range(k):
                np.maximum(last, np.multiply(np.isnan(win[:, :, t // kw, t % kw]), t,
                                             dtype=arg.dtype), out=last)
            arg = np.where(nan, last, arg)
    offsets = ((np.arange(k) // kw) * dh * w + (np.arange(k) % kw) * dw).astype(np.int64)
    origin = (np.arange(oh) * sh - ph)[:, None] * w + (np.arange(ow) * sw - pw)[None, :]
    idx = np.take(offsets, arg.astype(np.intp))  # 3x faster than with uint8 indices
    idx += origin
    if ph or pw:  # a window of nothing but the lowest value reports its first real element
        only_low = best == low
        if only_low.any():
            first = first_valid_index((h, w), (oh, ow), stride, padding, dilation)
            idx = np.where(only_low, first, idx)
    return best, idx


def max_pool2d_with_indices_backward(g: np.ndarray, idx: np.ndarray, input_size: Pair,
                                     kernel_size: Pair, stride: Pair, padding: Pair,
                                     dilation: Pair) -> np.ndarray:
    n, c, oh, ow = g.shape
    plane = input_size[0] * input_size[1]
    flat = (idx.reshape(n * c, oh * ow) + (np.arange(n * c) * plane)[:, None]).ravel()
    separate = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel_size, stride, dilation))
    if separate:  # windows do not overlap: every index is hit at most once
        out = np.zeros(n * c * plane, g.dtype)
        out[flat] = g.ravel()
    else:
        out = np.bincount(flat, weights=g.ravel(), minlength=n * c * plane).astype(g.dtype)
    return out.reshape(n, c, *input_size)


KERNELS: dict[str, Callable[..., Any]] = {
    "constant_pad_nd": constant_pad_nd, "im2col": im2col, "col2im": col2im, "conv2d": conv2d,
    "conv2d_weight": conv2d_weight, "conv_transpose2d": conv_transpose2d,
    "max_pool2d_with_indices": max_pool2d_with_indices,
    "max_pool2d_with_indices_backward": max_pool2d_with_indices_backward,
}
