"""Pooling: max pooling as an op with its indices; average and adaptive pooling composed of ops.

* ``max_pool2d_with_indices`` returns PyTorch's flat ``(H * W)`` indices and sends the
  gradient to them only (the first maximum of a window; NaN wins, the last one as in
  PyTorch's cpu kernel). Its decomposition takes windows with `im2col` over the input
  padded with the lowest value, and `argmax`; its vjp is ``max_pool2d_with_indices_backward``,
  which adds each gradient at its index (a `scatter_add`). A backend may register fast
  kernels for both.
* Average pooling is windows (`im2col`) summed and divided by PyTorch's divisor, so its
  gradient comes from `col2im`; adaptive average pooling is two small `matmul` s with
  constant averaging matrices (PyTorch's windows ``[floor(i*n/o), ceil((i+1)*n/o))``).
* Adaptive max pooling is max pooling where the windows tile the input, else an `argmax`
  over gathered windows followed by a differentiable `gather`.

1-d pooling runs as 2-d pooling over a height-1 image. 3-d pooling is functions (not ops)
over the 2-d ones: the 2-d pooling of every depth plane, then a reduction over each depth
window (for max pooling, only to find the indices, at which the values are gathered);
adaptive pooling adds a third averaging `matmul` or a 3-d window table.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, defop
from .conv import Pair, constant_pad_nd, depth_windows, im2col, ntuple
from .creation import tensor, zeros
from .elementwise import isnan, where
from .indexing import flip, gather, index_select, scatter_add
from .linalg import matmul
from .reduction import any, argmax, mean, sum

__all__ = ["max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d"]


# -- geometry -----------------------------------------------------------------------------------


def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    """PyTorch's pooled size: floor (or ceil) of the window count, where with ``ceil_mode``
    the last window must still start inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _first_valid(n_out: int, stride: int, padding: int, dilation: int) -> np.ndarray:
    """Per window along a dim: the first position inside the input (where PyTorch's max
    pooling starts, so a window of nothing but the lowest value reports it)."""
    start = np.arange(n_out) * stride - padding
    return start + np.where(start < 0, (-start + dilation - 1) // dilation, 0) * dilation


def first_valid_index(size: Sequence[int], out: Sequence[int], stride: Pair, padding: Pair,
                      dilation: Pair) -> np.ndarray:
    """``(oh, ow)`` flat ``(H * W)`` index of each window's first element inside the input."""
    rows = _first_valid(out[0], stride[0], padding[0], dilation[0])
    cols = _first_valid(out[1], stride[1], padding[1], dilation[1])
    return rows[:, None] * size[1] + cols[None, :]


def lowest(dtype: D.dtype) -> Any:
    """What max pooling pads with: -inf for floats, the smallest integer otherwise."""
    return -float("inf") if dtype.is_floating_point else int(np.iinfo(dtype.np).min)


# -- max pooling ------------------------------------------------------------------------------


def _argmax_nan_last(win: Tensor, dim: int) -> Tensor:
    """First maximum along ``dim``, but the last NaN where there is one (PyTorch's cpu
    max pooling updates on ``val > max || isnan(val)``)."""
    a = argmax.bind(win, dim=dim, keepdim=False)
    if not win.dtype.is_floating_point:
        return a
    nan = isnan(win)
    last = win.shape[dim] - 1 - argmax.bind(flip(nan, (dim,)), dim=dim, keepdim=False)
    return where(any(nan, dim), last, a)


def _max_pool_decomp(x: Tensor, kernel_size: Pair, stride: Pair, padding: Pair,
                     dilation: Pair, ceil_mode: bool) -> tuple[Tensor, Tensor]:
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    oh = pool_output_size(h, kh, sh, ph, dh, ceil_mode)
    ow = pool_output_size(w, kw, sw, pw, dw, ceil_mode)
    need_h, need_w = (oh - 1) * sh + dh * (kh - 1) + 1, (ow - 1) * sw + dw * (kw - 1) + 1
    low = lowest(x.dtype)
    xp = constant_pad_nd.bind(x.reshape(n * c, 1, h, w),
                              pad=(pw, need_w - w - pw, ph, need_h - h - ph), value=low)
    win = im2col.bind(xp, kernel_size=kernel_size, dilation=dilation, padding=(0, 0),
                      stride=stride)  # (n*c, kh*kw, oh*ow)
    a = _argmax_nan_last(win, 1)
    values = gather.bind(win, a.unsqueeze(1), dim=1).squeeze(1)
    # window-local offset -> flat input index
    origin = ((np.arange(oh) * sh - ph)[:, None] * w + (np.arange(ow) * sw - pw)[None, :])
    idx = (a // kw) * (dh * w) + (a % kw) * dw + tensor(origin.reshape(oh * ow), device=x.device)
    if ph or pw:  # a window holding only the lowest value reports its first real element
        first = tensor(first_valid_index((h, w), (oh, ow), stride, padding, dilation)
                       .reshape(oh * ow), device=x.device)
        idx = where(values == low, first, idx)
    return values.view(n, c, oh, ow), idx.view(n, c, oh, ow)


def _max_pool_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], x: Any, kernel_size: Pair,
                  stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool) -> tuple[Any]:
    if g[0] is None:
        return (None,)
    return (max_pool2d_with_indices_backward.bind(
        g[0], out[1], input_size=tuple(x.shape[2:]), kernel_size=kernel_size, stride=stride,
        padding=padding, dilation=dilation),)


def _max_pool_ref(x: np.ndarray, kernel_size: Any, stride: Any = None, padding: Any = 0,
                  dilation: Any = 1, ceil_mode: bool = False) -> list[np.ndarray]:
    """PyTorch's cpu loop: per window, scan the in-bounds elements row by row, keeping the
    first maximum (NaN always replaces)."""
    def pair(v: Any) -> Pair:
        return (v, v) if isinstance(v, int) else tuple(v)  # type: ignore[return-value]

    k = pair(kernel_size)
    s = k if stride is None else pair(stride)
    p, d = pair(padding), pair(dilation)
    h, w = x.shape[-2:]
    oh = pool_output_size(h, k[0], s[0], p[0], d[0], ceil_mode)
    ow = pool_output_size(w, k[1], s[1], p[1], d[1], ceil_mode)
    vals = np.zeros((*x.shape[:-2], oh, ow))
    idxs = np.zeros((*x.shape[:-2], oh, ow), np.int64)
    for i in range(oh):
        for j in range(ow):
            rows = [r for r in range(i * s[0] - p[0], i * s[0] - p[0] + d[0] * k[0], d[0])
                    if 0 <= r < h]
            cols = [c for c in range(j * s[1] - p[1], j * s[1] - p[1] + d[1] * k[1], d[1])
                    if 0 <= c < w]
            best = np.full(x.shape[:-2], -np.inf)
            arg = np.full(x.shape[:-2], rows[0] * w + cols[0])
            for r in rows:
                for c in cols:
                    v = x[..., r, c]
                    take = (v > best) | np.isnan(v)
                    best, arg = np.where(take, v, best), np.where(take, r * w + c, arg)
            vals[..., i, j], idxs[..., i, j] = best, arg
    return [vals, idxs]


def _max_pool_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def make(*shape: int) -> np.ndarray:
        # distinct values: central differences need a unique maximum per window
        return (rng.permutation(int(np.prod(shape))).reshape(shape) / 8 - 2).astype(dt.np)

    yield S.SampleInput((S.Arg(make(2, 2, 6, 6)), 2), name="k2")
    yield S.SampleInput((S.Arg(make(1, 2, 7, 6)), (3, 2)),
                        {"stride": (2, 1), "padding": (1, 1), "dilation": (1, 2)},
                        name="stride-padding-dilation")
    yield S.SampleInput((S.Arg(make(1, 1, 5, 7)), 3),
                        {"stride": 2, "padding": 1, "ceil_mode": True}, name="ceil_mode")
    yield S.SampleInput((S.Arg(make(2, 5, 4), noncontig=True), 2), {"stride": 1},
                        name="unbatched-noncontiguous-overlapping")
    yield S.SampleInput((S.Arg(make(0, 2, 4, 4)), 2), name="empty-batch")


_COUNT = {2: "two", 3: "three"}


def _pool_args(op: str, nd: int, kernel_size: Any, stride: Any, padding: Any,
               dilation: Any = 1, must: str = "must either be") -> tuple[tuple[int, ...], ...]:
    """Kernel, stride (default: the kernel), padding and dilation ``nd``-tuples of a 2-d or
    3-d pooling, with PyTorch's messages (its avg_pool3d's say ``must be`` where the others
    say ``must either be``)."""
    def arg(name: str, value: Any, what: str) -> tuple[int, ...]:
        def error() -> Exception:
            return RuntimeError(f"{op}: {name} {what} {_COUNT[nd]} ints")
        return ntuple(value, nd, error)

    k = arg("kernel_size", kernel_size, f"{must} a single int, or a tuple of")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        arg("stride", stride, f"{must} omitted, a single int, or a tuple of")
    p = arg("padding", padding, f"{must} a single int, or a tuple of")
    d = arg("dilation", dilation, "must be either a single int, or a tuple of")
    return k, s, p, d


def _check_pool(x: Tensor, k: Sequence[int], s: Sequence[int], p: Sequence[int],
                d: Sequence[int], ceil_mode: bool) -> tuple[int, ...]:
    """PyTorch's pool2d/pool3d_shape_check on batched ``x``; returns the output size."""
    dims = ("T", "H", "W")[-len(k):]

    def got(prefix: str, values: Sequence[int]) -> str:
        return " ".join(f"{prefix}{n}: {v}" for n, v in zip(dims, values))

    if min(s) == 0:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got {got('k', k)}")
    if min(s) < 0:
        raise RuntimeError(f"stride should be greater than zero, but got {got('d', s)}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got "
                           f"{got('dilation', d)}")
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    c, size = x.shape[1], x.shape[2:]
    out = tuple(pool_output_size(*g, ceil_mode) for g in zip(size, k, s, p, d))
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c, *size)))}). Calculated "
                           f"output size: ({'x'.join(map(str, (c, *out)))}). Output size is "
                           "too small")
    return out


def _batched2d(input: Tensor) -> Tensor:  # noqa: A002
    """3-D or 4-D pooling input as 4-D; PyTorch's error otherwise (batch may be empty)."""
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if 0 in input.shape[-3:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")
    return input if input.ndim == 4 else input.unsqueeze(0)


def _unbatch(out: Tensor, input: Tensor, ndim: int) -> Tensor:  # noqa: A002
    return out if input.ndim == ndim else out.squeeze(0)


@defop(COMPOSITE, decomp=_max_pool_decomp, vjp=_max_pool_vjp, n_outputs=2, save_inputs=False,
       save_out=True, method=False, function=False, meta=lambda x, **p: (x.dtype, D.int64),
       dtypes=D.FLOATING, gradgrad=True, ref=_max_pool_ref, samples=_max_pool_samples)
def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """2-D max pooling with the flat ``H * W`` index of each maximum.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size, stride (default ``kernel_size``), padding, dilation: ints or pairs;
            padding (with -inf) is at most half the dilated kernel.
        ceil_mode: round the window count up (a last window may hang over the end).

    Returns:
        ``(values, indices)``; the gradient flows to ``indices`` only.

    Raises:
        RuntimeError: PyTorch's errors for bad kernels, strides, paddings or shapes.
    """
    x = _batched2d(input)
    k, s, p, d = _pool_args("max_pool2d", 2, kernel_size, stride, padding, dilation)
    _check_pool(x, k, s, p, d, bool(ceil_mode))
    vals, idx = max_pool2d_with_indices.bind(x, kernel_size=k, stride=s, padding=p, dilation=d,
                                             ceil_mode=bool(ceil_mode))
    return _unbatch(vals, input, 4), _unbatch(idx, input, 4)


def _max_pool_backward_decomp(g: Tensor, idx: Tensor, input_size: Pair, kernel_size: Pair,
                              stride: Pair, padding: Pair, dilation: Pair) -> Tensor:
    n, c, oh, ow = g.shape
    h, w = input_size
    flat = zeros(n, c, h * w, dtype=g.dtype, device=g.device)
    return scatter_add.bind(flat, idx.reshape(n, c, oh * ow), g.reshape(n, c, oh * ow),
                            dim=2).view(n, c, h, w)


def _max_pool_backward_vjp(gg: Tensor, out: Any, g: Any, idx: Tensor, input_size: Pair,
                           **geometry: Any) -> tuple[Any, None]:
    n, c, oh, ow = g.shape
    picked = gather.bind(gg.reshape(n, c, input_size[0] * input_size[1]),
                         idx.reshape(n, c, oh * ow), dim=2)
    return picked.view(n, c, oh, ow), None


def _max_pool_backward_ref(g: np.ndarray, idx: np.ndarray, input_size: Sequence[int],
                           **geometry: Any) -> np.ndarray:
    n, c = g.shape[:2]
    out = np.zeros((n * c, input_size[0] * input_size[1]))
    rows = np.repeat(np.arange(n * c), g.shape[2] * g.shape[3])
    np.add.at(out, (rows, idx.reshape(-1)), g.reshape(-1))
    return out.reshape(n, c, *input_size)


def _max_pool_backward_samples(dt: D.dtype, rng: np.random.Generator
                               ) -> Iterator[S.SampleInput]:
    def idx(shape: tuple[int, ...], k: int, s: int, w: int) -> S.Arg:
        """A random position inside each (k x k, stride s) window of a width-w image."""
        i, j = np.indices(shape[2:])
        rows = i * s + rng.integers(0, k, size=shape)
        return S.Arg(rows * w + j * s + rng.integers(0, k, size=shape), differentiable=False)

    geometry = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0), "dilation": (1, 1)}
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3, 2, 2), dt)), idx((2, 3, 2, 2), 2, 2, 4),
                         (4, 4)), geometry, name="separate-windows")
    overlap = {**geometry, "stride": (1, 1)}
    yield S.SampleInput((S.Arg(S.make(rng, (1, 2, 3, 3), dt), noncontig=True),
                         idx((1, 2, 3, 3), 2, 1, 4), (4, 4)), overlap,
                        name="overlapping-noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2, 2, 2), dt)), idx((0, 2, 2, 2), 2, 2, 4),
                         (4, 4)), geometry, name="empty-batch")


@defop(COMPOSITE, decomp=_max_pool_backward_decomp, vjp=_max_pool_backward_vjp, method=False,
       function=False, meta=lambda g, idx, **p: g.dtype, dtypes=D.FLOATING, gradgrad=True,
       ref=_max_pool_backward_ref, samples=_max_pool_backward_samples)
def max_pool2d_with_indices_backward(grad_output: Tensor, indices: Tensor,
                                     input_size: Sequence[int], kernel_size: Sequence[int],
                                     stride: Sequence[int], padding: Sequence[int],
                                     dilation: Sequence[int]) -> Tensor:
    """The gradient of `max_pool2d_with_indices`: ``grad_output`` added at ``indices`` of a
    zero ``(N, C, *input_size)`` image (the window geometry lets a kernel see that windows
    do not overlap, so no two gradients meet).

    Raises:
        RuntimeError: if ``indices`` does not have ``grad_output``'s 4-D shape.
    """
    if grad_output.ndim != 4 or tuple(indices.shape) != tuple(grad_output.shape):
        raise RuntimeError(f"max_pool2d_with_indices_backward: expected 4-D grad_output and "
                           f"indices of one shape; got {list(grad_output.shape)} and "
                           f"{list(indices.shape)}")

    def pair(v: Sequence[int]) -> Pair:
        return (int(v[0]), int(v[1]))

    return max_pool2d_with_indices_backward.bind(
        grad_output, indices, input_size=pair(input_size), kernel_size=pair(kernel_size),
        stride=pair(stride), padding=pair(padding), dilation=pair(dilation))


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """2-D max pooling, like `torch.max_pool2d` (see `max_pool2d_with_indices`)."""
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]


def _max_pool1d_arg(name: str, value: Any) -> int:
    def error() -> Exception:
        return RuntimeError(f"max_pool1d() {name} must be an int, list of ints or tuple of "
                            f"ints of size 1 but got size {len(value)}")
    return ntuple(value, 1, error)[0]


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """1-D max pooling of ``(N, C, L)`` or ``(C, L)`` input with the index of each maximum,
    like `torch.max_pool1d_with_indices`.

    Raises:
        RuntimeError: PyTorch's errors for bad kernels, strides, paddings or shapes.
    """
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    k = _max_pool1d_arg("kernel_size", kernel_size)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _max_pool1d_arg("stride", stride)
    p, d = _max_pool1d_arg("padding", padding), _max_pool1d_arg("dilation", dilation)
    for name, v, ok, what in (("kernel_size", k, k > 0, "must be greater than zero"),
                              ("stride", s, s > 0, "must be greater than zero"),
                              ("padding", p, p >= 0, "must be non-negative"),
                              ("dilation", d, d > 0, "must be greater than zero")):
        if not ok:
            raise RuntimeError(f"max_pool1d() {name} {what}, but got {v}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    n_out = pool_output_size(input.shape[-1], k, s, p, d, bool(ceil_mode))
    if n_out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {n_out}")
    x = (input if input.ndim == 3 else input.unsqueeze(0)).unsqueeze(2)
    vals, idx = max_pool2d_with_indices.bind(x, kernel_size=(1, k), stride=(1, s),
                                             padding=(0, p), dilation=(1, d),
                                             ceil_mode=bool(ceil_mode))
    return _unbatch(vals.squeeze(2), input, 3), _unbatch(idx.squeeze(2), input, 3)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """1-D max pooling, like `torch.max_pool1d` (see `max_pool1d_with_indices`)."""
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]


# -- average pooling ----------------------------------------------------------------------------


def _avg_divisor(size: int, n_out: int, kernel: int, stride: int, padding: int,
                 count_include_pad: bool) -> np.ndarray:
    """Per window along one dim: PyTorch's count (padding counted or not; never the part
    of a ceil_mode window hanging past the padding)."""
    start = np.arange(n_out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.maximum(np.minimum(end, size) - np.maximum(start, 0), 1)


def _window_sums2d(x: Tensor, k: Sequence[int], s: Sequence[int], p: Sequence[int],
                   ceil_mode: bool) -> Tensor:
    """``(N, C, oH, oW)`` sums of the zero-padded windows of checked 4-D ``x`` (`im2col`)."""
    n, c, h, w = x.shape
    oh = pool_output_size(h, k[0], s[0], p[0], 1, ceil_mode)
    ow = pool_output_size(w, k[1], s[1], p[1], 1, ceil_mode)
    need_h, need_w = (oh - 1) * s[0] + k[0], (ow - 1) * s[1] + k[1]
    xp = constant_pad_nd.bind(x.reshape(n * c, 1, h, w),
                              pad=(p[1], need_w - w - p[1], p[0], need_h - h - p[0]), value=0.0)
    win = im2col.bind(xp, kernel_size=tuple(k), dilation=(1, 1), padding=(0, 0),
                      stride=tuple(s))
    return sum(win, 1).view(n, c, oh, ow)


def _average(total: Tensor, size: Sequence[int], k: Sequence[int], s: Sequence[int],
             p: Sequence[int], count_include_pad: bool, divisor_override: int | None) -> Tensor:
    """Window sums ``(..., *out)`` of an input of spatial ``size`` over PyTorch's divisor:
    ``divisor_override``, else the product of the per-dim counts."""
    if divisor_override is not None:
        return total / divisor_override
    div = np.ones(())
    for g in zip(size, total.shape[-len(size):], k, s, p):
        div = np.multiply.outer(div, _avg_divisor(*g, count_include_pad))
    return total / tensor(div, dtype=total.dtype, device=total.device)


def _check_float(op: str, x: Tensor) -> None:
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{x.dtype.name}\'')


def avg_pool2d_impl(x: Tensor, k: Pair, s: Pair, p: Pair, ceil_mode: bool,
                    count_include_pad: bool, divisor_override: int | None) -> Tensor:
    """Average pooling of checked 4-D ``x``: window sums (`im2col`) over the divisor."""
    _check_float("avg_pool2d", x)
    return _average(_window_sums2d(x, k, s, p, ceil_mode), x.shape[2:], k, s, p,
                    count_include_pad, divisor_override)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling (`torch.nn.functional.avg_pool2d`).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``, floating point.
        kernel_size, stride (default ``kernel_size``), padding: ints or pairs; zero
            padding of at most half the kernel.
        ceil_mode: round the window count up.
        count_include_pad: divide by the window size including padding (but never the
            part of a ceil_mode window past it); else by the input elements in the window.
        divisor_override: divide every window sum by this instead.

    Raises:
        RuntimeError: PyTorch's errors for bad arguments or shapes, or a zero divisor.
        NotImplementedError: for integer input.
    """
    x = _batched2d(input)
    k, s, p, _ = _pool_args("avg_pool2d", 2, kernel_size, stride, padding)
    _check_pool(x, k, s, p, (1, 1), bool(ceil_mode))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = avg_pool2d_impl(x, k, s, p, bool(ceil_mode), bool(count_include_pad),
                          divisor_override)
    return _unbatch(out, input, 4)


def _one_int(op: str, name: str, value: Any) -> int:
    def error() -> Exception:
        n = len(value) if isinstance(value, (tuple, list)) else value
        return RuntimeError(f"{op}() argument '{name}' should contain one int (got {n})")
    return ntuple(value, 1, error)[0]


def _check_1d(op: str, input: Tensor) -> None:  # noqa: A002
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {op})")


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling of ``(N, C, L)`` or ``(C, L)`` input, like `torch.avg_pool1d`
    (see `avg_pool2d`).
    """
    _check_1d("avg_pool1d", input)
    k = _one_int("avg_pool1d", "kernel_size", kernel_size)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _one_int("avg_pool1d", "stride", stride)
    p = _one_int("avg_pool1d", "padding", padding)
    x = _batched2d(input.unsqueeze(-2))
    _check_pool(x, (1, k), (1, s), (0, p), (1, 1), bool(ceil_mode))
    out = avg_pool2d_impl(x, (1, k), (1, s), (0, p), bool(ceil_mode), bool(count_include_pad),
                          None)
    return _unbatch(out, input.unsqueeze(-2), 4).squeeze(-2)


# -- adaptive pooling ---------------------------------------------------------------------------


def _adaptive_windows(size: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows ``[floor(i*size/o), ceil((i+1)*size/o))``: (starts, ends)."""
    i = np.arange(n_out)
    return (i * size) // n_out, -((-(i + 1) * size) // n_out)


def _averaging_matrix(size: int, n_out: int, like: Tensor) -> Tensor:
    """``(n_out, size)``: row ``i`` averages the adaptive window ``i``."""
    start, end = _adaptive_windows(size, n_out)
    m = np.zeros((n_out, size))
    for i, (a, b) in enumerate(zip(start, end)):
        m[i, a:b] = 1.0 / (b - a)
    return tensor(m, dtype=like.dtype, device=like.device)


def _adaptive_size(op: str, output_size: Any, input: Tensor, nd: int) -> tuple[int, ...]:  # noqa: A002
    """``output_size`` as ``nd`` ints (None keeps the input's size), checked as PyTorch does."""
    if nd == 1:
        sizes: tuple[Any, ...] = (_one_int(op, "output_size", output_size),)
    elif isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            raise RuntimeError(f"{op}: output_size must be {nd}")
        sizes = tuple(output_size)
    else:
        sizes = (output_size,) * nd
    out = tuple(input.shape[-nd + i] if v is None else int(v) for i, v in enumerate(sizes))
    if min(out) < 0:
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(map(str, out))}}}")
    return out


def _adaptive_input(op: str, input: Tensor, nd: int) -> None:  # noqa: A002
    if nd == 1:
        _check_1d(op, input)
    elif input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average over PyTorch's adaptive windows so the last two dims become ``output_size``
    (`torch.nn.functional.adaptive_avg_pool2d`); ``None`` keeps a dim's size.
    """
    _adaptive_input("adaptive_avg_pool2d", input, 2)
    oh, ow = _adaptive_size("adaptive_avg_pool2d", output_size, input, 2)
    if (oh, ow) == (1, 1):
        return mean(input, (-2, -1), True)
    h, w = input.shape[-2:]
    return matmul(matmul(_averaging_matrix(h, oh, input), input),
                  _averaging_matrix(w, ow, input).mT)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average over adaptive windows so the last dim becomes ``output_size``, like
    `torch.adaptive_avg_pool1d`.
    """
    _adaptive_input("adaptive_avg_pool1d", input, 1)
    (o,) = _adaptive_size("adaptive_avg_pool1d", output_size, input, 1)
    return matmul(input, _averaging_matrix(input.shape[-1], o, input).mT)


def _window_table(size: int, n_out: int) -> np.ndarray:
    """``(n_out, longest window)`` input positions of each adaptive window; shorter windows
    repeat their last position (a repeat never changes the first maximum or its index)."""
    start, end = _adaptive_windows(size, n_out)
    longest = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(longest)[None, :], end[:, None] - 1)


def adaptive_max_pool_impl(x: Tensor, out: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """Adaptive max pooling of non-empty ``(N, C, *spatial)`` ``x`` (2-d or 3-d) to spatial
    size ``out``: values and flat indices into each ``prod(spatial)`` plane."""
    n, c, size = x.shape[0], x.shape[1], tuple(x.shape[2:])
    if all(o and i % o == 0 for i, o in zip(size, out)):  # the windows tile the input
        k = tuple(i // o for i, o in zip(size, out))
        if len(k) == 3:
            return max_pool3d_impl(x, k, k, (0, 0, 0), (1, 1, 1), False)
        return max_pool2d_with_indices.bind(x, kernel_size=k, stride=k, padding=(0, 0),
                                            dilation=(1, 1), ceil_mode=False)
    flat = x.reshape(n * c, int(np.prod(size)))
    n_out = int(np.prod(out))
    if n_out == 0:
        idx = zeros(n * c, 0, dtype=D.int64, device=x.device)
    else:
        # pos[o_1.., o_nd, l_1.., l_nd]: the flat position of entry l of window o, scanned in
        # PyTorch's (depth,) row, column order
        nd, pos = len(size), np.zeros((), np.int64)
        for d, (i, o) in enumerate(zip(size, out)):
            table = _window_table(i, o) * int(np.prod(size[d + 1:]))
            shape = [1] * (2 * nd)
            shape[d], shape[nd + d] = table.shape
            pos = pos + table.reshape(shape)
        pos = pos.reshape(n_out, -1)
        with no_grad():
            win = index_select(flat, 1, tensor(pos.reshape(-1), device=x.device))
            a = _argmax_nan_last(win.view(n * c, n_out, pos.shape[1]), 2)
            table = tensor(pos, device=x.device).expand(n * c, n_out, pos.shape[1])
            idx = gather.bind(table, a.unsqueeze(2), dim=2).squeeze(2)
    values = gather.bind(flat, idx, dim=1)
    return values.view(n, c, *out), idx.view(n, c, *out)


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Maximum over PyTorch's adaptive windows so the last two dims become ``output_size``
    (`torch.nn.functional.adaptive_max_pool2d`), with the flat indices when asked.
    """
    _adaptive_input("adaptive_max_pool2d", input, 2)
    oh, ow = _adaptive_size("adaptive_max_pool2d", output_size, input, 2)
    x = input if input.ndim == 4 else input.unsqueeze(0)
    vals, idx = adaptive_max_pool_impl(x, (oh, ow))
    vals, idx = _unbatch(vals, input, 4), _unbatch(idx, input, 4)
    return (vals, idx) if return_indices else vals


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Maximum over adaptive windows of the last dim, with the indices, like
    `torch.adaptive_max_pool1d` (a ``(values, indices)`` tuple).
    """
    _adaptive_input("adaptive_max_pool1d", input, 1)
    (o,) = _adaptive_size("adaptive_max_pool1d", output_size, input, 1)
    x = (input if input.ndim == 3 else input.unsqueeze(0)).unsqueeze(2)
    vals, idx = adaptive_max_pool_impl(x, (1, o))
    return _unbatch(vals.squeeze(2), input, 3), _unbatch(idx.squeeze(2), input, 3)



# -- 3-d pooling, on the 2-d ops ----------------------------------------------------------------


def _batched3d(op: str, input: Tensor) -> Tensor:  # noqa: A002
    """4-D or 5-D pooling input as 5-D; PyTorch's errors otherwise (batch may be empty)."""
    if input.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if 0 in input.shape[-4:]:
        raise RuntimeError(f"{op}(): Expected input's non-batch dimensions to have positive "
                           f"length, but input has a shape of {list(input.shape)} and non-batch "
                           f"dimension 0 has length zero!")
    return input if input.ndim == 5 else input.unsqueeze(0)


def max_pool3d_impl(x: Tensor, k: Sequence[int], s: Sequence[int], p: Sequence[int],
                    d: Sequence[int], ceil_mode: bool) -> tuple[Tensor, Tensor]:
    """Max pooling of checked 5-D ``x``, with flat ``D * H * W`` indices.

    The indices come first, without gradient: 2-d max pooling of every depth plane, then
    over each depth window the first plane holding the maximum (the last holding a NaN),
    which is PyTorch's depth-row-column scan. The values are then gathered from ``x`` at
    the indices, so the gradient is one `scatter_add` (as PyTorch's backward).
    """
    n, c, depth, h, w = x.shape
    od = pool_output_size(depth, k[0], s[0], p[0], d[0], ceil_mode)
    low = lowest(x.dtype)
    with no_grad():
        vals, hw = max_pool2d_with_indices.bind(
            x.reshape(n, c * depth, h, w), kernel_size=tuple(k[1:]), stride=tuple(s[1:]),
            padding=tuple(p[1:]), dilation=tuple(d[1:]), ceil_mode=ceil_mode)
        oh, ow = vals.shape[2:]
        span = d[0] * (k[0] - 1) + 1
        pad = (0, 0, 0, 0, p[0], (od - 1) * s[0] + span - depth - p[0])
        # (n, c, od, oh, ow, kD): the depth windows of the planes' maxima and indices
        vals = constant_pad_nd.bind(vals.view(n, c, depth, oh, ow), pad=pad, value=low)
        vals = vals.unfold(2, span, s[0])[..., ::d[0]]
        hw = constant_pad_nd.bind(hw.view(n, c, depth, oh, ow), pad=pad, value=0)
        hw = hw.unfold(2, span, s[0])[..., ::d[0]]
        a = _argmax_nan_last(vals, 5).unsqueeze(5)
        start = tensor((np.arange(od) * s[0] - p[0]).reshape(od, 1, 1), device=x.device)
        idx = (a.squeeze(5) * d[0] + start) * (h * w) + gather.bind(hw, a, dim=5).squeeze(5)
        if p[0]:  # a window of nothing but the lowest value reports its first real element
            first = (_first_valid(od, s[0], p[0], d[0])[:, None, None] * (h * w)
                     + first_valid_index((h, w), (oh, ow), s[1:], p[1:], d[1:])[None])
            best = gather.bind(vals, a, dim=5).squeeze(5)
            idx = where(best == low, tensor(first, device=x.device), idx)
    values = gather.bind(x.reshape(n, c, depth * h * w), idx.reshape(n, c, od * oh * ow), dim=2)
    return values.view(n, c, od, oh, ow), idx


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """3-D max pooling with the flat ``D * H * W`` index of each maximum, like
    `torch.nn.functional.max_pool3d_with_indices` (see `max_pool3d_impl`).

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        kernel_size, stride (default ``kernel_size``), padding, dilation: ints or triples;
            padding (with -inf) is at most half the dilated kernel.
        ceil_mode: round the window count up.

    Returns:
        ``(values, indices)``; the gradient flows to ``indices`` only.

    Raises:
        RuntimeError: PyTorch's errors for bad kernels, strides, paddings or shapes.
    """
    x = _batched3d("max_pool3d", input)
    k, s, p, d = _pool_args("max_pool3d", 3, kernel_size, stride, padding, dilation)
    _check_pool(x, k, s, p, d, bool(ceil_mode))
    vals, idx = max_pool3d_impl(x, k, s, p, d, bool(ceil_mode))
    return _unbatch(vals, input, 5), _unbatch(idx, input, 5)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """3-D max pooling, like `torch.max_pool3d` (see `max_pool3d_with_indices`)."""
    return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """3-D average pooling (`torch.nn.functional.avg_pool3d`): the window sums of every
    depth plane (as in `avg_pool2d`), summed over each depth window (`im2col` along the
    depth), over PyTorch's divisor. Arguments as in `avg_pool2d`, with ints or triples.

    Raises:
        RuntimeError: PyTorch's errors for bad arguments or shapes, or a zero divisor.
        NotImplementedError: for integer input.
    """
    x = _batched3d("avg_pool3d", input)
    k, s, p, _ = _pool_args("avg_pool3d", 3, kernel_size, stride, padding, must="must be")
    n, c, depth, h, w = x.shape
    if depth < k[0] or h < k[1] or w < k[2]:
        raise RuntimeError(f"input image (T: {depth} H: {h} W: {w}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    od = _check_pool(x, k, s, p, (1, 1, 1), bool(ceil_mode))[0]
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_float("avg_pool3d", x)
    planes = _window_sums2d(x.reshape(n, c * depth, h, w), k[1:], s[1:], p[1:], bool(ceil_mode))
    oh, ow = planes.shape[2:]
    planes = constant_pad_nd.bind(planes.view(n, c, depth, oh, ow),
                                  pad=(0, 0, 0, 0, p[0], (od - 1) * s[0] + k[0] - depth - p[0]),
                                  value=0.0)
    total = sum(depth_windows(planes, k[0], s[0], 0, 1), 2)
    out = _average(total, x.shape[2:], k, s, p, bool(count_include_pad), divisor_override)
    return _unbatch(out, input, 5)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average over PyTorch's adaptive windows so the last three dims become
    ``output_size`` (`torch.nn.functional.adaptive_avg_pool3d`); ``None`` keeps a dim's
    size. One small `matmul` with a constant averaging matrix per dim.
    """
    _adaptive_input("adaptive_avg_pool3d", input, 3)
    od, oh, ow = _adaptive_size("adaptive_avg_pool3d", output_size, input, 3)
    if (od, oh, ow) == (1, 1, 1):
        return mean(input, (-3, -2, -1), True)
    depth, h, w = input.shape[-3:]
    planes = matmul(matmul(_averaging_matrix(h, oh, input), input),
                    _averaging_matrix(w, ow, input).mT)
    lead = tuple(input.shape[:-3])
    out = matmul(_averaging_matrix(depth, od, input), planes.reshape(*lead, depth, oh * ow))
    return out.view(*lead, od, oh, ow)


def adaptive_max_pool3d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Maximum over PyTorch's adaptive windows so the last three dims become
    ``output_size`` (`torch.nn.functional.adaptive_max_pool3d`), with the flat ``D * H * W``
    indices when asked.
    """
    _adaptive_input("adaptive_max_pool3d", input, 3)
    out = _adaptive_size("adaptive_max_pool3d", output_size, input, 3)
    x = input if input.ndim == 5 else input.unsqueeze(0)
    vals, idx = adaptive_max_pool_impl(x, out)
    vals, idx = _unbatch(vals, input, 5), _unbatch(idx, input, 5)
    return (vals, idx) if return_indices else vals
