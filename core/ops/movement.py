"""Movement ops: views, reshapes, device transfer, copies.

View ops (view, expand, permute, slicing...) are composites over the
`as_strided` primitive: core computes the strides, so a backend with strided
storage gets every view for one kernel. Backends may register faster native
kernels for any of them. Each has its own simple derivative.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..layouts import (
    contiguous_format,
    contiguous_in_order,
    fixed_order,
    laid_out,
    order_for,
    preserve_format,
)
from ..tensor import Size, Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop, method
from ._rules import ShapeError, broadcast_shapes, contiguous_strides, normalize_dim

__all__ = ["as_strided", "as_strided_scatter", "view", "reshape", "expand", "permute",
           "transpose", "contiguous", "clone", "to_device", "sum_to_size", "unsqueeze", "squeeze",
           "flatten", "unflatten", "expand_as", "broadcast_to", "copy", "t", "swapaxes",
           "swapdims", "cat", "concat", "concatenate", "stack", "view_as", "movedim", "moveaxis",
           "tile", "diagonal", "ravel"]


def _shape_arg(op: str, size: Sequence[Any]) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``, as PyTorch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}: sizes must be ints; got {s!r} in {tuple(size)}")
        out.append(int(s))
    return tuple(out)


def _samples_view(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (2, 3, 4), dt)
    yield S.SampleInput((S.Arg(x), (6, 4)), name="merge")
    yield S.SampleInput((S.Arg(x), (4, -1)), name="infer")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), (1,)), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), (3, 0)), name="empty")


# -- the view primitive ---------------------------------------------------------------------------


def _as_strided_ref(x: np.ndarray, size: Any, stride: Any, storage_offset: int = 0) -> Any:
    return np.lib.stride_tricks.as_strided(
        x.reshape(-1)[storage_offset:], size, [s * x.itemsize for s in stride]).copy()


def _as_strided_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (4, 5), dt)
    yield S.SampleInput((S.Arg(x), (3, 2), (5, 2), 1), name="window")
    yield S.SampleInput((S.Arg(x), (2, 3, 2), (2, 1, 1), 0), name="overlapping")
    yield S.SampleInput((S.Arg(S.make(rng, (3,), dt)), (2, 3), (0, 1)), name="stride0")
    yield S.SampleInput((S.Arg(x), (), ()), {"storage_offset": 7}, name="0-d")
    yield S.SampleInput((S.Arg(x), (0, 2), (1, 1)), name="empty")


@defop(PRIMITIVE, view=True, method=True, save_inputs=True, dtypes=D.ALL_AND_COMPLEX, gradgrad=True,
       vjp=lambda g, out, x, size, stride, storage_offset: (
           _as_strided_backward(g, x, size, stride, storage_offset),),
       ref=_as_strided_ref, samples=_as_strided_samples)
def as_strided(input: Tensor, size: Sequence[int], stride: Sequence[int],  # noqa: A002
               storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with the given sizes, strides (in elements) and offset.

    Raises:
        RuntimeError: for negative strides, or a view that reaches outside the storage.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided: mismatch in length of strides and shape: {size} vs "
                           f"{stride}")
    if any(s < 0 for s in stride) or any(n < 0 for n in size):
        raise RuntimeError(f"as_strided: negative sizes and strides are not supported; got "
                           f"size {list(size)}, stride {list(stride)}")
    off = input.storage_offset() if storage_offset is None else int(storage_offset)
    return as_strided.bind(input, size=size, stride=stride, storage_offset=off)


def _positions(size: Sequence[int], stride: Sequence[int], offset: int, device: Any) -> Tensor:
    """The storage position of every element of the geometry (size, stride, offset): an int64
    tensor of shape ``size``, built with arange arithmetic so it runs on every backend.
    """
    from .creation import arange, scalar_tensor

    pos = scalar_tensor(offset, device, D.int64)
    for d, (n, st) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (arange(n, device=device) * st).view(shape)
    return pos.expand(*size)


def _may_overlap(size: Sequence[int], stride: Sequence[int]) -> bool:
    """False only when no two elements of the geometry share a storage position."""
    dims = sorted((st, n) for n, st in zip(size, stride) if n > 1)
    reach = 0  # the largest position offset reachable with the smaller strides
    for st, n in dims:
        if st <= reach:
            return True
        reach += st * (n - 1)
    return False


def _as_strided_backward(g: Tensor, x: Tensor, size: tuple[int, ...], stride: tuple[int, ...],
                         off: int) -> Tensor:
    """Sum ``g`` into the storage positions the view read, then read them back as ``x`` does.

    Where ``x`` itself has several elements on one storage position (an expanded input), the
    gradient of that position is shared equally among them, as in PyTorch.
    """
    from .creation import zeros

    if x.numel() == 0 or g.numel() == 0:
        return zeros(*x.shape, dtype=g.dtype, device=g.device)
    pos_out = _positions(size, stride, off, g.device).reshape(-1)
    pos_x = _positions(x.shape, x.stride(), x.storage_offset(), g.device).reshape(-1)
    lo = min(off, x.storage_offset())
    n = max(off + sum((s - 1) * st for s, st in zip(size, stride)),
            x.storage_offset() + sum((s - 1) * st for s, st in zip(x.shape, x.stride()))) + 1 - lo
    storage = zeros(n, dtype=g.dtype, device=g.device)
    from .indexing import gather, scatter_add

    storage = scatter_add.bind(storage, pos_out - lo, g.reshape(-1), dim=0)
    gx = gather.bind(storage, pos_x - lo, dim=0)
    if _may_overlap(x.shape, x.stride()):
        ones = zeros(pos_x.shape[0], dtype=g.dtype, device=g.device) + 1
        count = scatter_add.bind(zeros(n, dtype=g.dtype, device=g.device), pos_x - lo, ones,
                                 dim=0)
        gx = gx / gather.bind(count, pos_x - lo, dim=0)
    return gx.view(x.shape)


def _relative_strided(t: Tensor, size: tuple[int, ...], stride: tuple[int, ...],
                      off: int) -> Tensor:
    """``t.as_strided(size, stride, off)`` with the geometry taken relative to a contiguous
    layout of ``t`` (whatever ``t``'s own strides and storage offset are).
    """
    t = contiguous(t)
    return as_strided.bind(t, size=size, stride=stride, storage_offset=t.storage_offset() + off)


def _as_strided_scatter_decomp(x: Tensor, src: Tensor, size: tuple[int, ...],
                               stride: tuple[int, ...], storage_offset: int) -> Tensor:
    from .inplace import assign

    out = clone.bind(x)
    assign.bind(_relative_strided(out, size, stride, storage_offset), src)
    return out


def _as_strided_scatter_vjp(g: Tensor, out: Any, x: Any, src: Any, size: tuple[int, ...],
                            stride: tuple[int, ...], storage_offset: int) -> tuple[Tensor, Tensor]:
    from .creation import zeros

    hole = zeros(*size, dtype=g.dtype, device=g.device)
    return (as_strided_scatter.bind(g, hole, size=size, stride=stride,
                                    storage_offset=storage_offset),
            _relative_strided(g, size, stride, storage_offset))


def _as_strided_scatter_ref(x: np.ndarray, src: np.ndarray, size: Any, stride: Any,
                            storage_offset: int = 0) -> np.ndarray:
    out = x.copy().reshape(-1)
    np.lib.stride_tricks.as_strided(out[storage_offset:], size,
                                    [s * out.itemsize for s in stride])[...] = src
    return out.reshape(x.shape)


@defop(COMPOSITE, decomp=_as_strided_scatter_decomp, vjp=_as_strided_scatter_vjp,
       save_inputs=False, dtypes=D.ALL_AND_COMPLEX, gradgrad=True, ref=_as_strided_scatter_ref,
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (4, 5), dt)), S.Arg(S.make(rng, (3, 2), dt)),
                          (3, 2), (5, 2), 1), name="window"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True),
                          S.Arg(S.make(rng, (2,), dt), noncontig=True), (2,), (5,)),
                         name="noncontiguous"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), S.Arg(S.make(rng, (), dt)), (), ()),
                         name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (2, 3), dt)), S.Arg(S.make(rng, (0,), dt)),
                          (0,), (1,)), name="empty")])
def as_strided_scatter(input: Tensor, src: Tensor, size: Sequence[int],  # noqa: A002
                       stride: Sequence[int], storage_offset: int | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` written where ``input.as_strided(size, stride,
    storage_offset)`` would read; differentiable in both.

    The geometry is relative to a contiguous layout of ``input`` (as in PyTorch for a
    contiguous input); the written positions must not overlap.

    Raises:
        RuntimeError: if ``src``'s shape is not ``size`` or the region leaves ``input``.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    off = int(storage_offset or 0)
    if tuple(src.shape) != size or len(stride) != len(size):
        raise RuntimeError(f"as_strided_scatter: expected src of shape {list(size)} (the size "
                           f"argument) with one stride per dim; got src shape {list(src.shape)}, "
                           f"stride {list(stride)}")
    last = off + sum((n - 1) * st for n, st in zip(size, stride))
    if any(st < 0 for st in stride) or (src.numel() and (off < 0 or last >= input.numel())):
        raise RuntimeError(f"as_strided_scatter: the region size {list(size)}, stride "
                           f"{list(stride)}, offset {off} does not fit in an input of "
                           f"{input.numel()} elements")
    return as_strided_scatter.bind(input, src.to(input.dtype), size=size, stride=stride,
                                   storage_offset=off)


# -- device transfer --------------------------------------------------------------------------


def _to_device_decomp(x: Tensor, device: Any) -> Tensor:
    from ..device import resolve

    src = resolve(x._device)[1]
    dst = resolve(device)[1]
    dst.check_dtype("to", x._dtype, device)
    host = src.to_numpy(x._data)
    # np.ascontiguousarray would make a 0-d array 1-D; np.array(order="C") keeps the shape.
    host = host if host.flags.c_contiguous else np.array(host, order="C")
    return Tensor._wrap(dst.from_numpy(host, device.index), device, x._dtype)


@defop(COMPOSITE, decomp=_to_device_decomp, save_inputs=True, method=False, function=False,
       bfloat16_native=True,
       vjp=lambda g, out, x, device: (g.to(x.device),), dtypes=D.ALL_AND_COMPLEX)
def to_device(x: Tensor, device: Any) -> Tensor:
    """Copy ``x`` to ``device`` (what `Tensor.to(device)` runs); differentiable."""
    return to_device.bind(x, device=device)


# -- copies ---------------------------------------------------------------------------------------


@defop(PRIMITIVE, save_inputs=False, vjp=lambda g, out, x: (g,), ref=lambda x: x.copy(),
       dtypes=D.ALL_AND_COMPLEX, samples=lambda dt, rng: S.unary(dt, rng))
def clone(input: Tensor, *, memory_format: Any = preserve_format) -> Tensor:  # noqa: A002
    """A differentiable copy of ``input`` with its own storage, in ``memory_format``.

    By default (``preserve_format``) a dense ``input``'s dims keep their order in memory (a
    transposed matrix's clone is transposed too, as in PyTorch); others get contiguous
    memory."""
    if memory_format is preserve_format and input.is_contiguous():
        return clone.bind(input)
    order = order_for("clone", input, memory_format)
    return laid_out(lambda _: clone.bind(input.permute(order)), tuple(input.shape), order)


@method
def contiguous(input: Tensor, memory_format: Any = contiguous_format) -> Tensor:  # noqa: A002
    """``input`` itself if its memory is contiguous in ``memory_format`` (row-major by
    default; ``channels_last``: NHWC), else a copy that is.

    Raises:
        RuntimeError: ``preserve_format`` for a non-contiguous input, or a format of
            another rank (PyTorch's messages).
    """
    if memory_format is contiguous_format:
        return input if input.is_contiguous() else clone.bind(input)
    order = fixed_order("contiguous", memory_format, input.ndim)
    if order is None:
        if input.is_contiguous():
            return input
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return input if contiguous_in_order(input, order) else clone(input,
                                                                 memory_format=memory_format)


def _copy_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), S.Arg(S.make(rng, (4,), dt))),
                        name="broadcast")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (2, 3), D.int64), noncontig=True)),
                        name="cast-noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), S.Arg(S.make(rng, (), dt))), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2), dt)), S.Arg(S.make(rng, (1, 2), dt))),
                        name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (2,), dt)), True if dt is D.bool else 3),
                        name="scalar")


@defop(PRIMITIVE, method=False, function=False, save_inputs=False, broadcasts=True,
       vjp=lambda g, out, dst, src: (None, g), dtypes=D.ALL_AND_COMPLEX, samples=_copy_samples,
       ref=lambda dst, src: np.broadcast_to(src, dst.shape).astype(dst.dtype))
def copy(dst: Tensor, src: Tensor) -> Tensor:
    """``src`` broadcast to ``dst``'s shape and cast to its dtype: the value `Tensor.copy_`
    writes. Out of place, so `Tensor.copy_` and ``x[i] = v`` share the in-place machinery.
    """
    if not isinstance(src, Tensor):
        from .creation import scalar_tensor

        src = scalar_tensor(src, dst.device, dst.dtype)
    if src._dtype is not dst._dtype:
        src = src.to(dst._dtype)
    if src._device != dst._device:
        src = src.to(dst._device)
    if src.shape != dst.shape and broadcast_shapes("copy_", src.shape, dst.shape) != dst.shape:
        raise ShapeError(f"copy_: the source of shape {list(src.shape)} does not broadcast to the "
                         f"destination shape {list(dst.shape)}")
    return copy.bind(dst, src)


# -- shape views ------------------------------------------------------------------------------


def _infer_size(op: str, shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred; got {list(shape)}")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"{op}: invalid shape dimension in {list(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg and known == 0:
        raise RuntimeError(f"cannot reshape tensor of {numel} elements into shape "
                           f"{list(shape)} because the unspecified dimension size -1 can be "
                           "any value and is ambiguous")
    if neg:
        if numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def view_strides(old_shape: Sequence[int], old_strides: Sequence[int],
                 new_shape: Sequence[int]) -> tuple[int, ...] | None:
    """Strides that let ``new_shape`` view memory laid out as (old_shape, old_strides), or None
    when no view exists (PyTorch's computeStride: only dims merged/split within contiguous runs).
    """
    numel = int(np.prod(old_shape, dtype=np.int64))
    if numel == 0 or not old_shape:
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def _view_strides_or_raise(x: Tensor, size: tuple[int, ...]) -> tuple[int, ...]:
    st = view_strides(x.shape, x.stride(), size)
    if st is None:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): input shape {list(x.shape)}, "
            f"stride {list(x.stride())}, requested {list(size)}. Use .reshape(...) instead.")
    return st


def _view_decomp(x: Tensor, size: tuple[int, ...]) -> Tensor:
    st = _view_strides_or_raise(x, size)
    return as_strided.bind(x, size=size, stride=st, storage_offset=x.storage_offset())


@defop(COMPOSITE, decomp=_view_decomp, view=True, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, x, size: (reshape(g, x.shape),),
       ref=lambda x, size: x.reshape(size), samples=_samples_view)
def view(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """A view with a new shape (one ``-1`` is inferred); shares storage with ``input``.

    Raises:
        RuntimeError: if the shape does not fit, or no view is possible for these strides
            (use `reshape`).
    """
    if len(size) == 1 and isinstance(size[0], D.dtype):
        raise NotImplementedError("view(dtype): reinterpreting bytes is not supported")
    shape = _infer_size("view", _shape_arg("view", size), input.numel())
    _view_strides_or_raise(input, shape)  # before any backend kernel: one message everywhere
    return view.bind(input, size=shape)


@method
def reshape(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """``input`` with a new shape: a view when the strides allow it, else a copy."""
    size = _infer_size("reshape", _shape_arg("reshape", shape), input.numel())
    if size == tuple(input.shape):
        return view.bind(input, size=size)
    if view_strides(input.shape, input.stride(), size) is None:
        input = clone.bind(input)
    return view.bind(input, size=size)


def _expand_decomp(x: Tensor, size: tuple[int, ...]) -> Tensor:
    lead = len(size) - x.ndim
    strides = [0] * lead + list(x.stride())
    for i, (n, old) in enumerate(zip(size[lead:], x.shape)):
        if old == 1 and n != 1:
            strides[lead + i] = 0
    return as_strided.bind(x, size=size, stride=tuple(strides), storage_offset=x.storage_offset())


@defop(COMPOSITE, decomp=_expand_decomp, view=True, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, x, size: (sum_to_size(g, x.shape),),
       ref=lambda x, size: np.broadcast_to(x, [x.shape[i - len(size) + x.ndim] if n == -1 else n
                                               for i, n in enumerate(size)]).copy(),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (3, 1), dt)), (2, 3, 4)), name="grow"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), (3,)), name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (1, 4), dt)), (-1, 4)), name="keep")])
def expand(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """A broadcast view of ``input`` with ``size`` (-1 keeps a dimension); no copy.

    Raises:
        RuntimeError: if a non-singleton dimension would change.
    """
    shape = list(_shape_arg("expand", size))
    if len(shape) < input.ndim:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({input.ndim})")
    lead = len(shape) - input.ndim
    for i, old in enumerate(input.shape):
        n = shape[lead + i]
        if n == -1:
            shape[lead + i] = old
        elif old != 1 and n != old:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({n}) must match the existing size "
                f"({old}) at non-singleton dimension {lead + i}. Target sizes: {list(size)}. "
                f"Tensor sizes: {list(input.shape)}")
    if any(s < 0 for s in shape[:lead]):
        raise RuntimeError(f"expand: -1 is not allowed in a leading, new dimension: {list(size)}")
    return expand.bind(input, size=tuple(shape))


@method
def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:  # noqa: A002
    """``input`` broadcast to ``size`` (a view), like `torch.broadcast_to`."""
    return expand(input, tuple(size))


@method
def expand_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return expand(input, tuple(other.shape))


def _permute_decomp(x: Tensor, dims: tuple[int, ...]) -> Tensor:
    st = x.stride()
    return as_strided.bind(x, size=tuple(x.shape[d] for d in dims),
                           stride=tuple(st[d] for d in dims), storage_offset=x.storage_offset())


@defop(COMPOSITE, decomp=_permute_decomp, view=True, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, x, dims: (permute(g, tuple(int(i) for i in np.argsort(dims))),),
       ref=lambda x, dims: np.transpose(x, dims).copy(),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (2, 3, 4), dt)), (2, 0, 1)), name="3d"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True), (1, 0)),
                         name="noncontiguous")])
def permute(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """A view with the dimensions reordered.

    Raises:
        RuntimeError: if ``dims`` is not a permutation of the dimensions.
    """
    d = _shape_arg("permute", dims)
    nd = tuple(normalize_dim("permute", i, input.ndim) for i in d)
    if len(nd) != input.ndim or sorted(nd) != list(range(input.ndim)):
        raise RuntimeError(f"permute: dims {list(d)} are not a permutation of the "
                           f"{input.ndim} dimensions of a tensor of shape {list(input.shape)}")
    return permute.bind(input, dims=nd)


@method
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """A view with ``dim0`` and ``dim1`` swapped."""
    n = input.ndim
    a, b = normalize_dim("transpose", dim0, n), normalize_dim("transpose", dim1, n)
    if n < 2:
        return input.view(input.shape)
    dims = list(range(n))
    dims[a], dims[b] = dims[b], dims[a]
    return permute.bind(input, dims=tuple(dims))


swapaxes = swapdims = transpose  # PyTorch's aliases, methods too


@method
def t(input: Tensor) -> Tensor:  # noqa: A002
    """Transpose a tensor of at most 2 dimensions."""
    if input.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got {input.ndim}D")
    return transpose(input, 0, -1) if input.ndim == 2 else input


@method
def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """A view with a size-1 dimension inserted at ``dim``."""
    d = normalize_dim("unsqueeze", dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(d, 1)
    return view.bind(input, size=tuple(shape))  # inserting a 1 is always a view


@method
def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """A view without size-1 dimensions (all, or those in ``dim``)."""
    if dim is None:
        dims = {i for i, s in enumerate(input.shape) if s == 1}
    else:
        ds = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {normalize_dim("squeeze", d, input.ndim) for d in ds}
        dims = {d for d in dims if input.ndim and input.shape[d] == 1}
    shape = tuple(s for i, s in enumerate(input.shape) if i not in dims)
    return view.bind(input, size=shape)  # dropping 1s is always a view


@method
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """``input`` with dims ``start_dim..end_dim`` merged (a view when possible)."""
    if input.ndim == 0:
        return reshape(input, 1)
    s = normalize_dim("flatten", start_dim, input.ndim)
    e = normalize_dim("flatten", end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten: start_dim cannot come after end_dim")
    shape = input.shape
    return reshape(input, *shape[:s], -1, *shape[e + 1:])


@method
def sum_to_size(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """Sum ``input`` down to ``size`` (the inverse of broadcasting; used by gradients)."""
    from .reduction import sum as _sum

    shape = _shape_arg("sum_to_size", size)
    if tuple(input.shape) == shape:
        return input
    lead = input.ndim - len(shape)
    if lead < 0:
        raise ShapeError(f"sum_to_size: size {list(shape)} is not expandable to the tensor's "
                         f"size {list(input.shape)}")
    dims = list(range(lead))
    for i, n in enumerate(shape):
        if n == 1 and input.shape[lead + i] != 1:
            dims.append(lead + i)
        elif n != input.shape[lead + i]:
            raise ShapeError(f"sum_to_size: size {list(shape)} is not expandable to the "
                             f"tensor's size {list(input.shape)}")
    out = _sum(input, dim=dims, keepdim=True) if dims else input
    return view.bind(out, size=shape) if lead or out.shape != shape else out


@method
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:  # noqa: A002
    """A view with dimension ``dim`` split into ``sizes`` (one ``-1`` is inferred).

    Raises:
        RuntimeError: if ``sizes`` do not multiply up to the size of ``dim``.
    """
    d = normalize_dim("unflatten", dim, input.ndim)
    if input.ndim == 0:
        raise RuntimeError("unflatten: cannot unflatten a 0-d tensor")
    sizes = _shape_arg("unflatten", (sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d]
    try:
        sizes = _infer_size("unflatten", sizes, n)
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor") from None
    return view(input, *input.shape[:d], *sizes, *input.shape[d + 1:])


# -- repetition and concatenation -------------------------------------------------------------


def _repeat_decomp(x: Tensor, repeats: tuple[int, ...]) -> Tensor:
    # Interleave a broadcast dim before every dim: (r0, s0, r1, s1...) then merge the pairs.
    shape = (1,) * (len(repeats) - x.ndim) + tuple(x.shape)
    paired = reshape(x, *[v for s in shape for v in (1, s)])
    big = expand(paired, *[v for r, s in zip(repeats, shape) for v in (r, s)])
    return reshape(big, *[r * s for r, s in zip(repeats, shape)])


@defop(COMPOSITE, decomp=_repeat_decomp, dtypes=D.ALL_AND_COMPLEX, function=False,
       ref=lambda x, *repeats: np.tile(x, repeats[0] if len(repeats) == 1 and isinstance(
           repeats[0], tuple) else repeats),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (2, 3), dt)), 2, 1), name="2d"),
           S.SampleInput((S.Arg(S.make(rng, (3,), dt), noncontig=True), (2, 1, 2)),
                         name="new-dims"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), 3), name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (0, 2), dt)), 2, 2), name="empty"),
           S.SampleInput((S.Arg(S.make(rng, (2, 2), dt)), 0, 1), name="zero")])
def repeat(input: Tensor, *repeats: Any) -> Tensor:  # noqa: A002
    """``input`` tiled ``repeats[i]`` times along each dimension (leading new dims allowed),
    like `torch.Tensor.repeat` (a method only, as in PyTorch).

    Raises:
        RuntimeError: if fewer repeats than dimensions are given.
    """
    reps = _shape_arg("repeat", repeats)
    if len(reps) < input.ndim:
        raise RuntimeError(f"repeat: Number of dimensions of repeat dims ({len(reps)}) can not "
                           f"be smaller than number of dimensions of tensor ({input.ndim})")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative; got {list(reps)}")
    return repeat.bind(input, repeats=reps)


def _cat_args(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors; got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected a list of Tensors; got {type(t).__name__} at "
                            f"position {i}")
    return list(tensors)


def _cat_vjp(g: Tensor, out: Any, *xs: Any, dim: int) -> tuple[Tensor, ...]:
    from .indexing import narrow

    grads, start = [], 0
    for x in xs:
        grads.append(narrow(g, dim, start, x.shape[dim]))
        start += x.shape[dim]
    return tuple(grads)


def _cat_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt)), S.Arg(S.make(rng, (1, 3), dt))),
                        name="dim0")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (2, 1), dt)), S.Arg(S.make(rng, (2, 2), dt))),
                        {"dim": -1}, name="noncontiguous-dim-1")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 0), dt)), S.Arg(S.make(rng, (2, 2), dt))),
                        {"dim": 1}, name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (3,), dt)),), name="single")


@defop(PRIMITIVE, name="cat", save_inputs=False, method=False, function=False,
       dtypes=D.ALL_AND_COMPLEX,
       vjp=_cat_vjp, samples=_cat_samples, gradgrad=True,
       ref=lambda *xs, dim=0: np.concatenate(xs, axis=dim))
def _cat(*tensors: Tensor, dim: int = 0) -> Tensor:
    """`cat` with the tensors as positional arguments (the op's calling form)."""
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated; unsqueeze it or use stack()")
    # PyTorch's legacy rule: 1-D empty tensors are skipped whatever the others' shapes.
    live = [(i, t) for i, t in enumerate(tensors) if t.ndim != 1 or t.shape[0] != 0]
    live = live or [(0, tensors[0])]
    first = live[0][1]
    d = normalize_dim("cat", dim, first.ndim)
    for i, t in live:
        if t.ndim != first.ndim:
            raise RuntimeError(f"cat(): Tensors must have same number of dimensions: got "
                               f"{first.ndim} and {t.ndim}")
        for k in range(first.ndim):
            if k != d and t.shape[k] != first.shape[k]:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first.shape[k]} but got size {t.shape[k]} for tensor number {i} in the "
                    "list.")
    dt = D.result_type(*tensors)
    return _cat.bind(*[t.to(dt) for _, t in live], dim=d)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate ``tensors`` along ``dim`` (types promote as in PyTorch).

    Example:
        >>> import tensorweave as tw
        >>> tw.cat([tw.tensor([1, 2]), tw.tensor([3])])
        tensor([1, 2, 3])

    Raises:
        RuntimeError: for an empty list, 0-d tensors, or shapes that differ outside ``dim``.
    """
    return _cat(*_cat_args("cat", tensors), dim=dim)


concat = concatenate = cat  # PyTorch's aliases


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally-shaped ``tensors`` along a new dimension ``dim``.

    Raises:
        RuntimeError: for an empty list or tensors of different shapes.
    """
    ts = _cat_args("stack", tensors)
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ts[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    d = normalize_dim("stack", dim, ts[0].ndim + 1)
    return _cat(*[unsqueeze(t, d) for t in ts], dim=d)


# -- PyTorch's convenience reshapes (helpers over the ops above) ----------------------------------

@method
def view_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """``input.view(other.shape)``."""
    return view(input, tuple(other.shape))


def _dim_list(op: str, dims: Any, ndim: int) -> list[int]:
    ds = [dims] if isinstance(dims, int) else list(dims)
    return [normalize_dim(op, d, ndim) for d in ds]


@method
def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """A view with the dims ``source`` (an int or a sequence) moved to ``destination``, the
    other dims keeping their order.

    Raises:
        RuntimeError: for source and destination of different lengths or repeated dims.
    """
    src = _dim_list("movedim", source, input.ndim)
    dst = _dim_list("movedim", destination, input.ndim)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {list(src)} or destination "
                           f"{list(dst)}")
    rest = iter(d for d in range(input.ndim) if d not in src)
    placed = dict(zip(dst, src))
    return permute(input, *[placed[i] if i in placed else next(rest) for i in range(input.ndim)])


moveaxis = movedim


@method
def tile(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """``input`` repeated ``dims[i]`` times along each dim; fewer ``dims`` than dimensions are
    padded with leading ones (unlike `Tensor.repeat`), as `torch.tile`."""
    reps = _shape_arg("tile", (dims,))
    return repeat(input, *((1,) * (input.ndim - len(reps)) + reps))


@method
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """A view of the diagonal of the (``dim1``, ``dim2``) planes, ``offset`` above (positive)
    or below (negative) the main one, appended as the last dim.

    Raises:
        RuntimeError: if ``dim1`` and ``dim2`` are the same dim.
    """
    d1 = normalize_dim("diagonal", dim1, input.ndim)
    d2 = normalize_dim("diagonal", dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    st, sh = input.stride(), input.shape
    start = input.storage_offset()
    if offset >= 0:
        n = max(min(sh[d1], sh[d2] - offset), 0)
        start += offset * st[d2] if n else 0
    else:
        n = max(min(sh[d1] + offset, sh[d2]), 0)
        start += -offset * st[d1] if n else 0
    keep = [d for d in range(input.ndim) if d not in (d1, d2)]
    return as_strided(input, [sh[d] for d in keep] + [n], [st[d] for d in keep] +
                      [st[d1] + st[d2]], start)


@method
def ravel(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` as 1-D (a view where the strides allow, else a copy)."""
    return reshape(input, -1)


def _unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: a view of every window of ``size`` elements, ``step`` apart, along
    ``dimension``, the window becoming a new last dim (a 0-d tensor counts as 1-D).

    Raises:
        RuntimeError: for a window larger than the dim or a non-positive step.
    """
    d = normalize_dim("unfold", dimension, max(self.ndim, 1))
    sh, st = list(self.shape) or [1], list(self.stride()) or [1]
    if size > sh[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {sh[d]} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if self.ndim == 0:  # PyTorch: a 0-d tensor unfolds to shape (size,)
        return as_strided(self, [size], [1], self.storage_offset())
    windows = (sh[d] - size) // step + 1
    return as_strided(self, sh[:d] + [windows] + sh[d + 1:] + [size],
                      st[:d] + [st[d] * step] + st[d + 1:] + [st[d]], self.storage_offset())


def _reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.reshape(other.shape)`` (a view when the strides allow, else a copy)."""
    return reshape(self, tuple(other.shape))


# Methods only: torch.unfold does not exist (nn.functional.unfold is im2col), nor
# torch.reshape_as.
Tensor.unfold = _unfold  # type: ignore[attr-defined]
Tensor.reshape_as = _reshape_as  # type: ignore[attr-defined]
