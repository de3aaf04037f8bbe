"""Convolution and padding ops: ``constant_pad_nd``, ``im2col``/``col2im``, ``conv2d``,
``conv_transpose2d`` and ``conv2d_weight`` (plus the 1-d and 3-d forms and `pad` built on
them).

All are composites, so a backend with only the primitives runs them:

* ``im2col`` (``F.unfold``) is a zero pad plus an `as_strided` window view, copied;
  ``col2im`` (``F.fold``) is its adjoint -- overlapping windows ADD -- written as one
  `scatter_add`. Each is the other's vjp.
* ``conv2d`` is ``im2col`` plus a (grouped) `matmul`; ``conv_transpose2d`` is a `matmul`
  plus ``col2im``; ``conv2d_weight`` (the weight gradient) is ``im2col`` plus a `matmul`.
  The three are bilinear and each one's vjp is written with the other two, so gradients of
  any order stay on these ops (and on a backend's fast kernels for them).

1-d convolutions run as 2-d ones over a height-1 image; 3-d ones are functions (not ops)
over the 2-d ops: ``conv3d`` is one ``conv2d`` whose channels are the input's depth windows,
``conv_transpose3d`` one ``conv_transpose2d`` per depth plane summed into the output depths
by ``col2im``, so their gradients are those ops' too. Only the public functions check
arguments; ``bind`` takes normalized tuples: ``stride``, ``padding``, ``dilation`` as
``(height, width)`` pairs.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, Tol, defop
from .creation import full, tensor, zeros
from .indexing import index_select, narrow, scatter_add
from .linalg import matmul
from .movement import as_strided, cat, clone, contiguous, reshape
from .reduction import sum

__all__ = ["constant_pad_nd", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d"]

Pair = tuple[int, int]


# -- argument normalization -------------------------------------------------------------------


def ntuple(value: Any, n: int, error: Callable[[], Exception]) -> tuple[int, ...]:
    """``value`` as ``n`` ints: an int is repeated (PyTorch's ``_pair``), a sequence of
    ``n`` ints is kept; anything else raises ``error()``.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if (isinstance(value, (tuple, list)) and len(value) == n and
            all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        return tuple(int(v) for v in value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and n > 1:
        return ntuple(value[0], n, error)
    raise error()


def conv_arg(op: str, name: str, value: Any, n: int) -> tuple[int, ...]:
    """A stride/padding/dilation/output_padding argument of a convolution (PyTorch's text)."""
    def error() -> Exception:
        if isinstance(value, (tuple, list)) and not all(isinstance(v, int) for v in value):
            return TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found "
                             f"{value!r}")
        if not isinstance(value, (int, tuple, list)):
            return TypeError(f"{op}(): argument '{name}' must be tuple of ints, not "
                             f"{type(value).__name__}")
        got = list(value) if isinstance(value, (tuple, list)) else value
        return RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                            f"values to match the convolution dimensions, but got {name}={got}")
    return ntuple(value, n, error)


def blocks(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """How many windows fit along a dim: ``(size + 2p - d(k-1) - 1) // s + 1`` (may be < 1)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def blocks2d(size: Sequence[int], kernel: Sequence[int], stride: Pair, padding: Pair,
             dilation: Pair) -> Pair:
    """`blocks` along both dims of a spatial ``(H, W)`` size: the ``(oh, ow)`` windows."""
    return (blocks(size[0], kernel[0], stride[0], padding[0], dilation[0]),
            blocks(size[1], kernel[1], stride[1], padding[1], dilation[1]))


# -- helpers for backends' im2col kernels (any array type with NumPy's slicing) ---------------


def image_chunks(n: int, per_image: int, budget: int) -> Iterator[slice]:
    """Slices of ``n`` images taking about ``budget`` bytes each, at ``per_image`` bytes
    an image (at least one image a slice)."""
    step = max(1, budget // max(per_image, 1))
    return (slice(i, min(i + step, n)) for i in range(0, n, step))


def add_columns(buf: Any, cols: Any, stride: Pair, dilation: Pair) -> None:
    """col2im: add ``(A, B, kh, kw, oh, ow)`` window columns into the ``(A, B, H, W)`` array
    ``buf`` in place, one strided add per window offset."""
    kh, kw, oh, ow = cols.shape[2:]
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(kh):
        for j in range(kw):
            buf[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, :, i, j]


def _fmt(sizes: Sequence[int]) -> str:
    return " x ".join(map(str, sizes))


# -- constant padding -------------------------------------------------------------------------


def _pad_decomp(x: Tensor, pad: tuple[int, ...], value: Any) -> Tensor:
    out, fresh = x, False
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = out.shape[d]
        if lo < 0 or hi < 0:
            out = narrow(out, d, max(-lo, 0), n - max(-lo, 0) - max(-hi, 0))
        parts = []
        for amount in (lo, hi):
            shape = list(out.shape)
            shape[d] = amount
            parts.append(full(shape, value, dtype=x.dtype, device=x.device)
                         if amount > 0 else None)
        if parts[0] is not None or parts[1] is not None:
            out = cat([p for p in (parts[0], out, parts[1]) if p is not None], d)
            fresh = True
    return out if fresh else clone.bind(out)  # never a view of the input


def _pad_ref(x: np.ndarray, pad: Sequence[int], value: Any = 0) -> np.ndarray:
    n = len(pad) // 2
    widths = [(0, 0)] * (x.ndim - n) + [(max(pad[2 * i], 0), max(pad[2 * i + 1], 0))
                                        for i in reversed(range(n))]
    crop = [slice(None)] * (x.ndim - n) + [
        slice(max(-pad[2 * i], 0), x.shape[x.ndim - 1 - i] - max(-pad[2 * i + 1], 0))
        for i in reversed(range(n))]
    return np.pad(x[tuple(crop)], widths, constant_values=value)


def _pad_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (2, 3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x), (1, 2)), name="last-dim")
    yield S.SampleInput((S.Arg(x), (1, 0, 2, 1), 1.5), name="two-dims-value")
    yield S.SampleInput((S.Arg(x), (-1, 2, 0, -2)), name="negative-crops")
    yield S.SampleInput((S.Arg(x), (1, 1, 1, 1, 1, 1, 1, 1)), name="every-dim")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True), (2, 1)),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), (1, 1, 0, 2)), name="empty")
    yield S.SampleInput((S.Arg(x), (-2, -3)), name="crop-to-empty")


@defop(COMPOSITE, decomp=_pad_decomp, save_inputs=False, method=False, dtypes=D.ALL_AND_COMPLEX,
       meta=lambda x, **p: x.dtype, gradgrad=True, ref=_pad_ref, samples=_pad_samples,
       vjp=lambda g, out, x, pad, value: (
           constant_pad_nd.bind(g, pad=tuple(-p for p in pad), value=0),))
def constant_pad_nd(input: Tensor, pad: Sequence[int], value: Any = 0) -> Tensor:  # noqa: A002
    """Pad the last ``len(pad) // 2`` dims with ``value``; negative amounts crop.

    ``pad`` lists (before, after) amounts starting from the LAST dim, as in `F.pad`:
    ``(left, right, top, bottom, ...)``.

    Raises:
        RuntimeError: for an odd-length ``pad``, more pairs than dims, or a crop that
            leaves a negative size.

    Example:
        >>> import tensorweave as tw
        >>> tw.constant_pad_nd(tw.tensor([[1, 2]]), (1, -1), 9)
        tensor([[9, 1]])
    """
    pad = _pad_arg(input, pad)
    for i in range(len(pad) // 2):
        d = input.ndim - 1 - i
        if input.shape[d] + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError(
                f"constant_pad_nd: The input size {input.shape[d]}, plus negative padding "
                f"{pad[2 * i]} and {pad[2 * i + 1]} resulted in a negative output size, which "
                f"is invalid. Check dimension {d} of your input.")
    if isinstance(value, Tensor):
        value = value.item()
    value = (bool(value) if input.dtype is D.bool else
             complex(value) if input.dtype.is_complex else
             float(value) if input.dtype.is_floating_point else int(value))
    return constant_pad_nd.bind(input, pad=pad, value=value)


def _pad_arg(input: Tensor, pad: Any) -> tuple[int, ...]:  # noqa: A002
    if isinstance(pad, Tensor) or not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, not "
                        f"{type(pad).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.ndim}")
    return pad


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    """`torch.nn.functional.pad`: pad (or, with negative amounts, crop) the last dims.

    ``pad`` holds (before, after) pairs starting from the last dim. ``'constant'`` fills with
    ``value`` (0 by default) on any number of dims; ``'reflect'`` (mirror without repeating
    the edge), ``'replicate'`` (repeat the edge) and ``'circular'`` (wrap around) pad the
    last 1, 2 or 3 dims of a (batched) input, as in PyTorch, by indexing the input, so their
    gradients add up where source elements repeat.

    Raises:
        RuntimeError: for a bad ``pad`` length, a reflect pad not smaller than the dim, a
            circular pad that wraps more than once, or ``value`` with a non-constant mode.
        NotImplementedError: for an unknown mode or an unsupported number of padded dims.
    """
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    pads = _pad_arg(input, pad)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    n = len(pads) // 2
    if n not in (1, 2, 3) or input.ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for {input.ndim}D "
                                  "input tensor.")
    batch_free = input.shape[1:] if input.ndim == n + 2 else input.shape
    if mode != "circular" and 0 in batch_free:
        raise RuntimeError(
            f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(input.shape)}")
    for i in range(n):
        d = input.ndim - 1 - i
        size, lo, hi = input.shape[d], pads[2 * i], pads[2 * i + 1]
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{list(input.shape)}")
    out = input
    for i in range(n):
        d = input.ndim - 1 - i
        src = _pad_source(mode, input.shape[d], pads[2 * i], pads[2 * i + 1])
        out = index_select(out, d, tensor(src, device=input.device))
    return out


def _pad_source(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """For each position of a dim padded by (lo, hi), the input position it copies."""
    j = np.arange(-lo, n + hi)
    if mode == "reflect":
        j = np.abs(j)
        return np.where(j >= n, 2 * (n - 1) - j, j)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    # circular: crop first, then wrap around what is left (PyTorch's order)
    start, kept = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
    return (np.arange(n + lo + hi) - max(lo, 0)) % max(kept, 1) + start


# -- im2col / col2im --------------------------------------------------------------------------


def _geometry(kernel_size: Pair, dilation: Pair, padding: Pair,
              stride: Pair) -> Iterator[tuple[int, int, int, int]]:
    return iter(zip(kernel_size, dilation, padding, stride))


def _im2col_decomp(x: Tensor, kernel_size: Pair, dilation: Pair, padding: Pair,
                   stride: Pair) -> Tensor:
    n, c, h, w = x.shape
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    oh, ow = blocks2d((h, w), kernel_size, stride, padding, dilation)
    if ph or pw:
        x = constant_pad_nd.bind(x, pad=(pw, pw, ph, ph), value=0)
    x = contiguous(x)
    sn, sc, sy, sx = x.stride()
    win = as_strided.bind(x, size=(n, c, kh, kw, oh, ow),
                          stride=(sn, sc, dh * sy, dw * sx, sh * sy, sw * sx),
                          storage_offset=x.storage_offset())
    return reshape(win, n, c * kh * kw, oh * ow)


def _col2im_decomp(cols: Tensor, output_size: Pair, kernel_size: Pair, dilation: Pair,
                   padding: Pair, stride: Pair) -> Tensor:
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (output_size, kernel_size, dilation,
                                                      padding, stride)
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    hp, wp = h + 2 * ph, w + 2 * pw
    oh, ow = blocks2d(output_size, kernel_size, stride, padding, dilation)
    # The flat position in one padded (c, hp, wp) image of every (c, i, j, y, x) column entry.
    rows = (np.arange(kh)[:, None] * dh + np.arange(oh)[None, :] * sh)  # (kh, oh)
    colp = (np.arange(kw)[:, None] * dw + np.arange(ow)[None, :] * sw)  # (kw, ow)
    pos = (np.arange(c)[:, None, None, None, None] * hp * wp
           + rows[None, :, None, :, None] * wp + colp[None, None, :, None, :])
    index = tensor(pos.reshape(1, pos.size), device=cols.device).expand(n, pos.size)
    flat = zeros(n, c * hp * wp, dtype=cols.dtype, device=cols.device)
    src = reshape(cols, n, c * kh * kw * oh * ow)
    out = scatter_add.bind(flat, index, src, dim=1).view(n, c, hp, wp)
    if ph or pw:
        out = constant_pad_nd.bind(out, pad=(-pw, -pw, -ph, -ph), value=0)
    return out


def _windows_ref(size: Sequence[int], kernel_size: Pair, dilation: Pair, padding: Pair,
                 stride: Pair) -> Iterator[tuple[int, int, Any]]:
    """For each kernel offset (i, j) of windows over a ``size`` image: the index of the
    (..., oh, ow) block of the zero-padded image it reads (the references' own loop,
    independent of the decompositions and kernels)."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    oh = blocks(size[0], kh, sh, ph, dh)
    ow = blocks(size[1], kw, sw, pw, dw)
    for i in range(kh):
        for j in range(kw):
            yield i, j, (..., slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                         slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _pair_ref(v: Any) -> Pair:
    return (v, v) if isinstance(v, int) else tuple(v)  # type: ignore[return-value]


def _im2col_ref(x: np.ndarray, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                stride: Any = 1) -> np.ndarray:
    k, d, p, s = map(_pair_ref, (kernel_size, dilation, padding, stride))
    xp = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])])
    parts = {(i, j): xp[key] for i, j, key in _windows_ref(x.shape[-2:], k, d, p, s)}
    out = np.stack([parts[i, j] for i in range(k[0]) for j in range(k[1])], axis=-3)
    return out.reshape(*x.shape[:-3], x.shape[-3] * k[0] * k[1], np.prod(out.shape[-2:]))


def _col2im_ref(cols: np.ndarray, output_size: Any, kernel_size: Any, dilation: Any = 1,
                padding: Any = 0, stride: Any = 1) -> np.ndarray:
    o, k, d, p, s = map(_pair_ref, (output_size, kernel_size, dilation, padding, stride))
    c = cols.shape[-2] // (k[0] * k[1])
    out = np.zeros((*cols.shape[:-2], c, o[0] + 2 * p[0], o[1] + 2 * p[1]), cols.dtype)
    shape = (*cols.shape[:-2], c, k[0], k[1], blocks(o[0], k[0], s[0], p[0], d[0]),
             blocks(o[1], k[1], s[1], p[1], d[1]))
    win = cols.reshape(shape)
    for i, j, key in _windows_ref(o, k, d, p, s):
        out[key] += win[..., i, j, :, :]
    return out[..., p[0]:p[0] + o[0], p[1]:p[1] + o[1]]


def _im2col_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (2, 3, 5, 6), dt)
    yield S.SampleInput((S.Arg(x), 2), name="k2")
    yield S.SampleInput((S.Arg(x), (3, 2)), {"dilation": (1, 2), "padding": (1, 2),
                                             "stride": (2, 1)}, name="mixed")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4, 5), dt)), 3), {"padding": 1, "stride": 2},
                        name="unbatched")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 2, 4, 3), dt), noncontig=True), 2),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2, 4, 4), dt)), 2), name="empty-batch")


def _col2im_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield S.SampleInput((S.Arg(S.make(rng, (2, 12, 20), dt)), (5, 6), 2), name="k2")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 12, 24), dt)), (5, 6), (3, 2)),
                        {"dilation": (1, 2), "padding": (1, 2), "stride": (2, 1)}, name="mixed")
    yield S.SampleInput((S.Arg(S.make(rng, (8, 6), dt)), (4, 5), 2), {"stride": (1, 2)},
                        name="unbatched")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 8, 6), dt), noncontig=True), (3, 4), 2),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 4, 4), dt)), (3, 3), 2), name="empty-batch")


def _unfold_args(op: str, kernel_size: Any, dilation: Any, padding: Any,
                 stride: Any) -> tuple[Pair, Pair, Pair, Pair]:
    """F.unfold / F.fold's four geometry arguments as pairs, with PyTorch's checks."""
    def arg(name: str, v: Any) -> Pair:
        def error() -> Exception:
            n = len(v) if isinstance(v, (tuple, list)) else v
            return RuntimeError(f"It is expected {name} equals to 2, but got size {n}")
        return ntuple(v, 2, error)  # type: ignore[return-value]

    k, d, p, s = (arg("kernel_size", kernel_size), arg("dilation", dilation),
                  arg("padding", padding), arg("stride", stride))
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                           f"stride_width: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")
    if min(p) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    return k, d, p, s


def _check_blocks(prefix: str, size: Sequence[int], k: Pair, d: Pair, p: Pair,
                  s: Pair) -> Pair:
    nb = blocks2d(size, k, s, p, d)
    if min(nb) < 1:
        raise RuntimeError(f"{prefix}, kernel_size={k}, dilation={d}, padding={p}, "
                           f"calculated shape of the array of sliding blocks as {nb}, but its "
                           "components must be at least one.")
    return nb


@defop(COMPOSITE, decomp=_im2col_decomp, save_inputs=False, method=False, function=False,
       meta=lambda x, **p: x.dtype, dtypes=D.FLOATING_AND_COMPLEX, gradgrad=True, ref=_im2col_ref,
       samples=_im2col_samples,
       vjp=lambda g, out, x, kernel_size, dilation, padding, stride: (col2im.bind(
           g, output_size=tuple(x.shape[2:]), kernel_size=kernel_size, dilation=dilation,
           padding=padding, stride=stride),))
def im2col(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """The sliding windows of a (batched) image as columns: `F.unfold` (im2col).

    ``(N, C, H, W)`` gives ``(N, C * kh * kw, L)`` where column ``l`` holds the window at
    block ``l`` (row-major over the ``(oh, ow)`` block grid) of the zero-padded input.
    """
    if input.ndim not in (3, 4) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _unfold_args("unfold", kernel_size, dilation, padding, stride)
    _check_blocks(f"Given input with spatial size {tuple(input.shape[-2:])}", input.shape[-2:],
                  k, d, p, s)
    x = input if input.ndim == 4 else input.unsqueeze(0)
    out = im2col.bind(x, kernel_size=k, dilation=d, padding=p, stride=s)
    return out if input.ndim == 4 else out.squeeze(0)


@defop(COMPOSITE, decomp=_col2im_decomp, save_inputs=False, method=False, function=False,
       meta=lambda x, **p: x.dtype, dtypes=D.FLOATING_AND_COMPLEX, gradgrad=True, ref=_col2im_ref,
       samples=_col2im_samples,
       vjp=lambda g, out, x, output_size, kernel_size, dilation, padding, stride: (im2col.bind(
           g, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride),))
def col2im(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
           padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum sliding-window columns back into an image: `F.fold` (col2im), the adjoint of
    `im2col`; where windows overlap their values ADD.

    ``(N, C * kh * kw, L)`` gives ``(N, C, *output_size)``.
    """
    if input.ndim not in (2, 3) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")

    def size_error() -> Exception:
        return RuntimeError(f"It is expected output_size equals to 2, but got size "
                            f"{len(output_size) if isinstance(output_size, Sequence) else 1}")

    o = ntuple(output_size, 2, size_error)
    k, d, p, s = _unfold_args("fold", kernel_size, dilation, padding, stride)
    c = input.shape[-2]
    if c % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension {input.ndim - 2} to be divisible "
                           f"by the product of kernel_size, but got input.size({input.ndim - 2})"
                           f"={c} and kernel_size={k}.")
    nb = _check_blocks(f"Given output_size={o}", o, k, d, p, s)
    if input.shape[-1] != nb[0] * nb[1]:
        raise RuntimeError(
            f"Given output_size={o}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
            f"expected size of input's dimension {input.ndim - 1} to match the calculated number "
            f"of sliding blocks {nb[0]} * {nb[1]} = {nb[0] * nb[1]}, but got "
            f"input.size({input.ndim - 1})={input.shape[-1]}.")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    out = col2im.bind(x, output_size=o, kernel_size=k, dilation=d, padding=p, stride=s)
    return out if input.ndim == 3 else out.squeeze(0)


# -- convolution ------------------------------------------------------------------------------


def _conv2d_decomp(x: Tensor, w: Tensor, *b: Tensor, stride: Pair, padding: Pair,
                   dilation: Pair, groups: int) -> Tensor:
    n, (co, cig, kh, kw) = x.shape[0], w.shape
    oh, ow = blocks2d(x.shape[2:], (kh, kw), stride, padding, dilation)
    cols = im2col.bind(x, kernel_size=(kh, kw), dilation=dilation, padding=padding,
                       stride=stride)
    cols = cols.view(n, groups, cig * kh * kw, oh * ow)
    out = matmul.bind(reshape(w, groups, co // groups, cig * kh * kw), cols)
    out = out.reshape(n, co, oh, ow)
    return out + b[0].view(co, 1, 1) if b else out


def _conv_transpose2d_decomp(x: Tensor, w: Tensor, *b: Tensor, stride: Pair, padding: Pair,
                             output_padding: Pair, groups: int, dilation: Pair) -> Tensor:
    (n, ci, h, wd), (kh, kw), cog = x.shape, w.shape[2:], w.shape[1]
    xs = reshape(x, n, groups, ci // groups, h * wd)
    wt = reshape(w, groups, ci // groups, cog * kh * kw).transpose(1, 2)
    cols = matmul.bind(wt, xs).reshape(n, groups * cog * kh * kw, h * wd)
    full_size = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1,
                 (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1)
    out = col2im.bind(cols, output_size=full_size, kernel_size=(kh, kw), dilation=dilation,
                      padding=(0, 0), stride=stride)
    (ph, pw), (oph, opw) = padding, output_padding
    out = constant_pad_nd.bind(out, pad=(-pw, opw - pw, -ph, oph - ph), value=0)
    return out + b[0].view(-1, 1, 1) if b else out


def _conv2d_weight_decomp(x: Tensor, g: Tensor, kernel_size: Pair, stride: Pair,
                          padding: Pair, dilation: Pair, groups: int) -> Tensor:
    n, ci, co, length = x.shape[0], x.shape[1], g.shape[1], g.shape[2] * g.shape[3]
    k = ci // groups * kernel_size[0] * kernel_size[1]
    cols = im2col.bind(x, kernel_size=kernel_size, dilation=dilation, padding=padding,
                       stride=stride).view(n, groups, k, length)
    gs = reshape(g, n, groups, co // groups, length)
    gw = sum(matmul.bind(gs, cols.transpose(2, 3)), 0)
    return gw.reshape(co, ci // groups, *kernel_size)


def _output_padding(size: Sequence[int], g_size: Sequence[int], kernel_size: Sequence[int],
                    stride: Pair, padding: Pair, dilation: Pair) -> Pair:
    """The output_padding that makes a transposed convolution of ``g_size`` give ``size``
    (the rows and columns a strided convolution of ``size`` left out)."""
    return tuple(n - ((m - 1) * s - 2 * p + d * (k - 1) + 1) for n, m, k, s, p, d in  # type: ignore
                 zip(size, g_size, kernel_size, stride, padding, dilation))


def _wants(t: Tensor) -> bool:
    """Whether a gradient of saved input ``t`` can be used (skip the work when not)."""
    return t.requires_grad


def _conv2d_vjp(g: Tensor, out: Any, x: Tensor, w: Tensor, *b: Tensor, stride: Pair,
                padding: Pair, dilation: Pair, groups: int) -> tuple[Any, ...]:
    gx = gw = None
    if _wants(x):
        op = _output_padding(x.shape[2:], g.shape[2:], w.shape[2:], stride, padding, dilation)
        gx = conv_transpose2d.bind(g, w, stride=stride, padding=padding, output_padding=op,
                                   groups=groups, dilation=dilation)
    if _wants(w):
        gw = conv2d_weight.bind(x, g, kernel_size=tuple(w.shape[2:]), stride=stride,
                                padding=padding, dilation=dilation, groups=groups)
    return (gx, gw, *[sum(g, (0, 2, 3)) for _ in b])


def _conv_transpose2d_vjp(g: Tensor, out: Any, x: Tensor, w: Tensor, *b: Tensor, stride: Pair,
                          padding: Pair, output_padding: Pair, groups: int,
                          dilation: Pair) -> tuple[Any, ...]:
    # With output_padding >= stride (allowed when dilation > stride) the forward's extra rows
    # hold more windows than x has positions: crop gx to x, pad x to the window count for gw.
    kernel = tuple(w.shape[2:])
    nb = tuple(blocks(n, k, s, p, d) for n, k, s, p, d in
               zip(g.shape[2:], kernel, stride, padding, dilation))
    extra = (nb[0] - x.shape[2], nb[1] - x.shape[3])
    gx = gw = None
    if _wants(x):
        gx = conv2d.bind(g, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
        if extra != (0, 0):
            gx = constant_pad_nd.bind(gx, pad=(0, -extra[1], 0, -extra[0]), value=0)
    if _wants(w):
        xe = x if extra == (0, 0) else constant_pad_nd.bind(x, pad=(0, extra[1], 0, extra[0]),
                                                            value=0)
        gw = conv2d_weight.bind(g, xe, kernel_size=kernel, stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    return (gx, gw, *[sum(g, (0, 2, 3)) for _ in b])


def _conv2d_weight_vjp(gg: Tensor, out: Any, x: Tensor, g: Tensor, kernel_size: Pair,
                       stride: Pair, padding: Pair, dilation: Pair,
                       groups: int) -> tuple[Any, Any]:
    gx = gg_out = None
    if _wants(x):
        op = _output_padding(x.shape[2:], g.shape[2:], kernel_size, stride, padding, dilation)
        gx = conv_transpose2d.bind(g, gg, stride=stride, padding=padding, output_padding=op,
                                   groups=groups, dilation=dilation)
    if _wants(g):
        gg_out = conv2d.bind(x, gg, stride=stride, padding=padding, dilation=dilation,
                             groups=groups)
    return gx, gg_out


# NumPy float64 references: one einsum per kernel offset and group, written from the
# definition (independent of the decompositions and of the cpu kernels).


def _same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, int]]:
    """PyTorch's padding='same': d*(k-1) in total, the odd one extra at the end."""
    return [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)]


def _conv_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: Any = 1,
              padding: Any = 0, dilation: Any = 1, groups: int = 1) -> np.ndarray:
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    s, d = _pair_ref(stride), _pair_ref(dilation)
    if padding == "same":
        pads = _same_padding(w.shape[2:], d)
    else:
        p = (0, 0) if padding == "valid" else _pair_ref(padding)
        pads = [(p[0], p[0]), (p[1], p[1])]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    cog, cig = w.shape[0] // groups, w.shape[1]
    parts = []
    for gi in range(groups):
        xg, wg = xp[:, gi * cig:(gi + 1) * cig], w[gi * cog:(gi + 1) * cog]
        acc = 0.0
        for i, j, key in _windows_ref(xg.shape[2:], w.shape[2:], d, (0, 0), s):
            acc = acc + np.einsum("nchw,oc->nohw", xg[key], wg[:, :, i, j])
        parts.append(acc)
    out = np.concatenate(parts, axis=1)
    if b is not None:
        out = out + b[:, None, None]
    return out[0] if unbatched else out


def _conv_transpose_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
                        stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                        groups: int = 1, dilation: Any = 1) -> np.ndarray:
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    s, p, op, d = map(_pair_ref, (stride, padding, output_padding, dilation))
    (n, ci, h, wd), (kh, kw), cog = x.shape, w.shape[2:], w.shape[1]
    hf, wf = (h - 1) * s[0] + d[0] * (kh - 1) + 1, (wd - 1) * s[1] + d[1] * (kw - 1) + 1
    ho, wo = hf - 2 * p[0] + op[0], wf - 2 * p[1] + op[1]
    full_out = np.zeros((n, cog * groups, max(hf, p[0] + ho), max(wf, p[1] + wo)),
                        np.result_type(x, w))
    cig = ci // groups
    for gi in range(groups):
        xg, wg = x[:, gi * cig:(gi + 1) * cig], w[gi * cig:(gi + 1) * cig]
        for i in range(kh):
            for j in range(kw):
                full_out[:, gi * cog:(gi + 1) * cog,
                         i * d[0]:i * d[0] + s[0] * (h - 1) + 1:s[0],
                         j * d[1]:j * d[1] + s[1] * (wd - 1) + 1:s[1]] += np.einsum(
                    "nchw,co->nohw", xg, wg[:, :, i, j])
    out = full_out[:, :, p[0]:p[0] + ho, p[1]:p[1] + wo]
    if b is not None:
        out = out + b[:, None, None]
    return out[0] if unbatched else out


def _conv2d_weight_ref(x: np.ndarray, weight_size: Sequence[int], g: np.ndarray,
                       stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                       groups: int = 1) -> np.ndarray:
    s, p, d = _pair_ref(stride), _pair_ref(padding), _pair_ref(dilation)
    co, cig, kh, kw = weight_size
    cog = co // groups
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    gw = np.zeros(tuple(weight_size), np.result_type(x, g))
    for gi in range(groups):
        xg, gg = xp[:, gi * cig:(gi + 1) * cig], g[:, gi * cog:(gi + 1) * cog]
        for i, j, key in _windows_ref(xg.shape[2:], (kh, kw), d, (0, 0), s):
            gw[gi * cog:(gi + 1) * cog, :, i, j] = np.einsum("nchw,nohw->oc", xg[key], gg)
    return gw


def _conv_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def make(*shape: int) -> np.ndarray:
        return S.make(rng, shape, dt, -1.0, 1.0)

    yield S.SampleInput((S.Arg(make(2, 3, 5, 5)), S.Arg(make(4, 3, 3, 3)),
                         S.Arg(make(4))), name="bias")
    yield S.SampleInput((S.Arg(make(1, 2, 6, 5)), S.Arg(make(3, 2, 2, 3))),
                        {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
                        name="stride-padding-dilation")
    yield S.SampleInput((S.Arg(make(2, 4, 4, 4)), S.Arg(make(6, 2, 3, 3)), S.Arg(make(6))),
                        {"padding": 1, "groups": 2}, name="groups")
    yield S.SampleInput((S.Arg(make(1, 2, 5, 4)), S.Arg(make(2, 2, 2, 3))),
                        {"padding": "same", "dilation": (2, 1)}, name="same-even-kernel")
    yield S.SampleInput((S.Arg(make(3, 4, 5), noncontig=True), S.Arg(make(2, 3, 2, 2))),
                        {"stride": 2}, name="unbatched-noncontiguous")
    yield S.SampleInput((S.Arg(make(0, 2, 4, 4)), S.Arg(make(3, 2, 3, 3)), S.Arg(make(3))),
                        name="empty-batch")


def _conv_transpose_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def make(*shape: int) -> np.ndarray:
        return S.make(rng, shape, dt, -1.0, 1.0)

    yield S.SampleInput((S.Arg(make(2, 3, 3, 3)), S.Arg(make(3, 2, 3, 3)), S.Arg(make(2))),
                        name="bias")
    yield S.SampleInput((S.Arg(make(1, 2, 3, 4)), S.Arg(make(2, 3, 3, 2))),
                        {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2)},
                        name="stride-padding-output_padding")
    yield S.SampleInput((S.Arg(make(2, 4, 3, 3)), S.Arg(make(4, 1, 2, 2)), S.Arg(make(2))),
                        {"stride": 2, "groups": 2, "dilation": 2, "padding": 1},
                        name="groups-dilation")
    yield S.SampleInput((S.Arg(make(1, 2, 3, 3)), S.Arg(make(2, 2, 2, 2))),
                        {"stride": 1, "dilation": 3, "output_padding": 2},
                        name="output_padding-above-stride")
    yield S.SampleInput((S.Arg(make(2, 3, 4), noncontig=True), S.Arg(make(2, 3, 2, 2))),
                        {"stride": 2}, name="unbatched-noncontiguous")
    yield S.SampleInput((S.Arg(make(0, 2, 3, 3)), S.Arg(make(2, 3, 2, 2))), name="empty-batch")


def _conv2d_weight_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def make(*shape: int) -> np.ndarray:
        return S.make(rng, shape, dt, -1.0, 1.0)

    yield S.SampleInput((S.Arg(make(2, 3, 5, 5)), (4, 3, 3, 3), S.Arg(make(2, 4, 3, 3))),
                        name="plain")
    yield S.SampleInput((S.Arg(make(1, 4, 6, 5)), (6, 2, 2, 3), S.Arg(make(1, 6, 4, 1))),
                        {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2},
                        name="stride-padding-dilation-groups")
    yield S.SampleInput((S.Arg(make(2, 2, 4, 4), noncontig=True), (2, 2, 2, 2),
                         S.Arg(make(2, 2, 2, 2), noncontig=True)), {"stride": 2},
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(make(0, 2, 4, 4)), (3, 2, 3, 3), S.Arg(make(0, 3, 2, 2))),
                        name="empty-batch")


def _conv_meta(x: Tensor, *rest: Any, **params: Any) -> D.dtype:
    return x.dtype


# float16 sums of a few products (and, in the decompositions, col2im's float16 additions).
_F16_TOL = {D.float16: Tol(atol=2e-2, rtol=2e-2)}


def _check_conv(op: str, x: Tensor, w: Tensor, b: Tensor | None, stride: tuple[int, ...],
                padding: tuple[int, ...], dilation: tuple[int, ...], groups: int,
                output_padding: tuple[int, ...] | None, nd: int) -> None:
    """PyTorch's argument and shape checks of a (transposed, when ``output_padding`` is
    given) convolution, on the batched 2-d form of an ``nd``-d one, with its error texts."""
    transposed = output_padding is not None
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if transposed and min(output_padding) < 0:  # type: ignore[type-var]
        raise RuntimeError("negative output_padding is not supported")
    ws, xs = list(w.shape), list(x.shape)
    if w.shape[0] < 1:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least 1 at "
                           f"dimension 0, but got weight of size {ws} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if transposed and x.shape[1] != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected input{xs} to have "
                           f"{w.shape[0]} channels, but got {x.shape[1]} channels instead")
    if not transposed and x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input{xs} to "
                           f"have {w.shape[1] * groups} channels, but got {x.shape[1]} channels "
                           "instead")
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if b is not None and (b.ndim != 1 or b.shape[0] != out_channels):
        raise RuntimeError(f"Given {'transposed=1, ' if transposed else ''}weight of size {ws}, "
                           f"expected bias to be 1-dimensional with {out_channels} elements, but "
                           f"got bias of size {list(b.shape)} instead")
    kernel, spatial = w.shape[2:], x.shape[2:]
    if transposed:
        op_ = output_padding
        if any(o >= s and o >= d for o, s, d in zip(op_, stride, dilation)):  # type: ignore
            names = ("depth", "height", "width")[-len(kernel):]
            got = " ".join(f"output_padding_{n}: {o}" for n, o in zip(names, op_))  # type: ignore
            got += "".join(f" stride_{n}: {s}" for n, s in zip(names, stride))
            got += "".join(f" dilation_{n}: {d}" for n, d in zip(names, dilation))
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                               f"but got {got}")
        out = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
               zip(spatial, stride, padding, dilation, kernel, op_)]  # type: ignore
        if min(out) < 1:
            raise RuntimeError(f"Given input size per channel: ({_fmt(spatial[-nd:])}). "
                               f"Calculated output size per channel: ({_fmt(out[-nd:])}). "
                               "Output size is too small")
    else:
        padded = [n + 2 * p for n, p in zip(spatial, padding)]
        dilated = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        if any(n < k for n, k in zip(padded, dilated)):
            raise RuntimeError(f"Calculated padded input size per channel: "
                               f"({_fmt(padded[-nd:])}). Kernel size: ({_fmt(dilated[-nd:])}). "
                               "Kernel size can't be greater than actual input size")
    if x.dtype is not w.dtype:
        raise RuntimeError(f"Input type ({x.type()}) and weight type ({w.type()}) should be the "
                           "same. Convert one with .to(dtype).")
    if b is not None and b.dtype is not x.dtype:
        raise RuntimeError(f"Input type ({x.type()}) and bias type ({b.type()}) should be the "
                           "same. Convert one with .to(dtype).")


# -- 3-d convolution, on the 2-d ops ----------------------------------------------------------


def depth_windows(x: Tensor, kernel: int, stride: int, padding: int, dilation: int) -> Tensor:
    """The depth windows of ``(N, C, D, H, W)`` ``x``, zero-padded by ``padding`` at both
    ends, as ``(N, C, kernel, D_out, H, W)``: `im2col` of the ``(D, H * W)`` image with a
    ``(kernel, 1)`` kernel, so each window element is a whole ``H x W`` plane (and the
    gradient is one `col2im`)."""
    n, c, d, h, w = x.shape
    cols = im2col.bind(x.reshape(n, c, d, h * w), kernel_size=(kernel, 1),
                       dilation=(dilation, 1), padding=(padding, 0), stride=(stride, 1))
    return cols.view(n, c, kernel, blocks(d, kernel, stride, padding, dilation), h, w)


def _conv3d(x: Tensor, w: Tensor, bias: Tensor | None, stride: tuple[int, ...],
            padding: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> Tensor:
    """conv3d of checked 5-D ``x`` as one `conv2d` over all output depths at once: the
    ``kD`` planes of each depth window become channels (``C * kD``, each group's together)
    and the weight's ``(C / groups, kD)`` dims one channel dim to match (a view)."""
    n, c, _, h, wd = x.shape
    co, cig, kd = w.shape[:3]
    cols = depth_windows(x, kd, stride[0], padding[0], dilation[0])  # (n, c, kd, do, h, wd)
    do = cols.shape[3]
    planes = cols.permute(0, 3, 1, 2, 4, 5).reshape(n * do, c * kd, h, wd)
    out = conv2d.bind(planes, w.reshape(co, cig * kd, *w.shape[3:]),
                      *(() if bias is None else (bias,)), stride=stride[1:],
                      padding=padding[1:], dilation=dilation[1:], groups=groups)
    return contiguous(out.view(n, do, co, *out.shape[2:]).permute(0, 2, 1, 3, 4))


def _conv_transpose3d(x: Tensor, w: Tensor, bias: Tensor | None, stride: tuple[int, ...],
                      padding: tuple[int, ...], output_padding: tuple[int, ...], groups: int,
                      dilation: tuple[int, ...]) -> Tensor:
    """conv_transpose3d of checked 5-D ``x``: one `conv_transpose2d` of every input depth
    plane gives each plane's contribution to the ``kD`` output depths it reaches (the
    weight's ``(C_out / groups, kD)`` dims as one, a view); `col2im` along the depth adds
    them up at ``d * stride + k * dilation``, then the depth padding is cropped."""
    n, ci, d, h, wd = x.shape
    cog, kd = w.shape[1:3]
    co = cog * groups
    planes = x.permute(0, 2, 1, 3, 4).reshape(n * d, ci, h, wd)
    y = conv_transpose2d.bind(planes, w.reshape(ci, cog * kd, *w.shape[3:]), stride=stride[1:],
                              padding=padding[1:], output_padding=output_padding[1:],
                              groups=groups, dilation=dilation[1:])
    ho, wo = y.shape[2:]
    cols = y.view(n, d, co, kd, ho * wo).permute(0, 2, 3, 1, 4).reshape(n, co * kd, d * ho * wo)
    full = (d - 1) * stride[0] + dilation[0] * (kd - 1) + 1
    out = col2im.bind(cols, output_size=(full, ho * wo), kernel_size=(kd, 1),
                      dilation=(dilation[0], 1), padding=(0, 0), stride=(stride[0], 1))
    out = out.view(n, co, full, ho, wo)
    p, op = padding[0], output_padding[0]
    if p or op:
        out = constant_pad_nd.bind(out, pad=(0, 0, 0, 0, -p, op - p), value=0)
    return out if bias is None else out + bias.view(co, 1, 1, 1)


def _convolution(op: str, nd: int, input: Tensor, weight: Tensor,  # noqa: A002
                 bias: Tensor | None, stride: Any, padding: Any, dilation: Any, groups: int,
                 output_padding: Any = None, stacklevel: int = 3) -> Tensor:
    """The public conv{nd}d / conv_transpose{nd}d: normalize, check, run the 2-d op (or, for
    ``nd == 3``, the composite of it) (``stacklevel`` points padding='same''s warning at the
    caller of the public function)."""
    transposed = output_padding is not None
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{op}, but got input of size: {list(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 2}-D weight (channels, channels / groups, "
                           f"*kernel), but got weight of size {list(weight.shape)}")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    stride, dilation = conv_arg(op, "stride", stride, nd), conv_arg(op, "dilation", dilation, nd)
    if isinstance(padding, str) and not transposed:
        padding, x = _string_padding(padding, x, weight.shape[2:], stride, dilation,
                                     stacklevel + 1)
    else:
        padding = conv_arg(op, "padding", padding, nd)
    op_pad = conv_arg(op, "output_padding", output_padding, nd) if transposed else None
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    if nd == 1:  # a 1-d convolution is a 2-d one over a height-1 image
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        stride, padding, dilation = (1, *stride), (0, *padding), (1, *dilation)
        op_pad = None if op_pad is None else (0, *op_pad)
    _check_conv(op, x, weight, bias, stride, padding, dilation, groups, op_pad, nd)
    b = () if bias is None else (bias,)
    if nd == 3:
        out = (_conv_transpose3d(x, weight, bias, stride, padding, op_pad, groups, dilation)
               if transposed else _conv3d(x, weight, bias, stride, padding, dilation, groups))
    elif transposed:
        out = conv_transpose2d.bind(x, weight, *b, stride=stride, padding=padding,
                                    output_padding=op_pad, groups=groups, dilation=dilation)
    else:
        out = conv2d.bind(x, weight, *b, stride=stride, padding=padding, dilation=dilation,
                          groups=groups)
    if nd == 1:
        out = out.squeeze(2)
    return out if input.ndim == nd + 2 else out.squeeze(0)


def _string_padding(padding: str, x: Tensor, kernel: Sequence[int], stride: tuple[int, ...],
                    dilation: tuple[int, ...], stacklevel: int) -> tuple[tuple[int, ...], Tensor]:
    """``'valid'`` (none) or ``'same'`` (output size = input size; for an even dilated kernel
    PyTorch pads the extra row/column at the end, on the input)."""
    if padding == "valid":
        return (0,) * len(kernel), x
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = _same_padding(kernel, dilation)
    extra = [hi - lo for lo, hi in pads]
    if any(extra):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created", UserWarning,
                      stacklevel=stacklevel)
        x = constant_pad_nd(x, [a for e in reversed(extra) for a in (0, e)])
    return tuple(lo for lo, _ in pads), x


@defop(COMPOSITE, decomp=_conv2d_decomp, vjp=_conv2d_vjp, method=False, meta=_conv_meta,
       dtypes=D.FLOATING_AND_COMPLEX, gradgrad=True, ref=_conv_ref, samples=_conv_samples,
       tol=_F16_TOL)
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of ``(N, C, H, W)`` input with
    ``(out_channels, C / groups, kH, kW)`` weight, like `torch.conv2d`.

    Args:
        input: ``(N, C, H, W)``, or ``(C, H, W)`` unbatched.
        weight: ``(out_channels, C / groups, kH, kW)``.
        bias: optional ``(out_channels,)``.
        stride, dilation: an int or a pair.
        padding: an int, a pair, ``'valid'`` (none) or ``'same'`` (output size = input
            size; stride 1 only; an even dilated kernel pads one more at the end).
        groups: split input and output channels into this many independent convolutions.

    Returns:
        ``(N, out_channels, oH, oW)`` with ``o = (n + 2p - d(k-1) - 1) // s + 1``.

    Raises:
        RuntimeError: PyTorch's errors for bad shapes, channels, groups, strides or dtypes.

    Example:
        >>> import tensorweave as tw
        >>> tw.conv2d(tw.ones(1, 1, 3, 3), tw.ones(1, 1, 2, 2)).tolist()
        [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    # one frame more than conv1d's: users reach this function through OpDef.__call__
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups,
                        stacklevel=4)


@defop(COMPOSITE, decomp=_conv_transpose2d_decomp, vjp=_conv_transpose2d_vjp, method=False,
       meta=_conv_meta, dtypes=D.FLOATING_AND_COMPLEX, gradgrad=True, ref=_conv_transpose_ref,
       samples=_conv_transpose_samples, tol=_F16_TOL)
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution ("deconvolution"): the adjoint of `conv2d` in its input,
    like `torch.conv_transpose2d`.

    Args:
        input: ``(N, C, H, W)``, or ``(C, H, W)`` unbatched.
        weight: ``(C, out_channels / groups, kH, kW)``.
        bias: optional ``(out_channels,)``.
        stride, padding, dilation: those of the convolution this one transposes.
        output_padding: extra rows/columns at the end (smaller than stride or dilation) to
            pick among the input sizes a strided convolution maps to one size.
        groups: independent channel groups.

    Returns:
        ``(N, out_channels, oH, oW)`` with ``o = (n - 1)s - 2p + d(k-1) + output_padding + 1``.

    Raises:
        RuntimeError: PyTorch's errors for bad shapes, channels, groups or output_padding.
    """
    return _convolution("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)


@defop(COMPOSITE, decomp=_conv2d_weight_decomp, vjp=_conv2d_weight_vjp, method=False,
       function=False, meta=_conv_meta, dtypes=D.FLOATING_AND_COMPLEX, gradgrad=True,
       ref=_conv2d_weight_ref, samples=_conv2d_weight_samples, tol=_F16_TOL)
def conv2d_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,  # noqa: A002
                  stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                  groups: int = 1) -> Tensor:
    """The gradient of `conv2d` with respect to its weight (`torch.nn.grad.conv2d_weight`):
    ``im2col(input)`` contracted with ``grad_output`` over batch and positions.

    Raises:
        RuntimeError: if ``grad_output`` does not have the convolution's output shape.
    """
    def arg(name: str, v: Any) -> Pair:
        return conv_arg("conv2d_weight", name, v, 2)  # type: ignore[return-value]

    s, p, d = arg("stride", stride), arg("padding", padding), arg("dilation", dilation)
    co, cig, kh, kw = (int(n) for n in weight_size)
    want = (input.shape[0], co, *blocks2d(input.shape[2:], (kh, kw), s, p, d))
    if tuple(grad_output.shape) != want or input.shape[1] != cig * groups:
        raise RuntimeError(f"conv2d_weight: expected input with {cig * groups} channels and "
                           f"grad_output of size {list(want)}; got input {list(input.shape)} "
                           f"and grad_output {list(grad_output.shape)}")
    return conv2d_weight.bind(input, grad_output, kernel_size=(kh, kw), stride=s, padding=p,
                              dilation=d, groups=groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of ``(N, C, L)`` input with ``(out_channels, C / groups, k)`` weight,
    like `torch.conv1d` (arguments as in `conv2d`, with ints or 1-tuples); it runs as a 2-D
    convolution over a height-1 image.
    """
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of ``(N, C, L)`` input with ``(C, out_channels / groups, k)``
    weight, like `torch.conv_transpose1d` (see `conv_transpose2d`).
    """
    return _convolution("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution of ``(N, C, D, H, W)`` input with ``(out_channels, C / groups, kD, kH,
    kW)`` weight, like `torch.conv3d` (arguments as in `conv2d`, with ints or triples).

    It runs as one `conv2d` over the input's depth windows (see `_conv3d`), so it and its
    gradients work on every backend and use a backend's fast 2-d kernels.

    Args:
        input: ``(N, C, D, H, W)``, or ``(C, D, H, W)`` unbatched.
        weight: ``(out_channels, C / groups, kD, kH, kW)``.
        bias: optional ``(out_channels,)``.
        stride, dilation: an int or a triple.
        padding: an int, a triple, ``'valid'`` or ``'same'`` (stride 1 only).
        groups: independent channel groups.

    Returns:
        ``(N, out_channels, oD, oH, oW)`` with ``o = (n + 2p - d(k-1) - 1) // s + 1``.

    Raises:
        RuntimeError: PyTorch's errors for bad shapes, channels, groups, strides or dtypes.

    Example:
        >>> import tensorweave as tw
        >>> tw.conv3d(tw.ones(1, 1, 2, 3, 3), tw.ones(1, 1, 2, 2, 2)).tolist()
        [[[[[8.0, 8.0], [8.0, 8.0]]]]]
    """
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution of ``(N, C, D, H, W)`` input with ``(C, out_channels /
    groups, kD, kH, kW)`` weight, like `torch.conv_transpose3d` (see `conv_transpose2d`).

    It runs as one `conv_transpose2d` of the input's depth planes whose results `col2im`
    adds at their output depths (see `_conv_transpose3d`), on every backend.

    Returns:
        ``(N, out_channels, oD, oH, oW)`` with
        ``o = (n - 1)s - 2p + d(k-1) + output_padding + 1``.

    Raises:
        RuntimeError: PyTorch's errors for bad shapes, channels, groups or output_padding.
    """
    return _convolution("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)
