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
from ..tensor import Size, Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop, method
from ._rules import ShapeError, normalize_dim

__all__ = ["as_strided", "view", "reshape", "expand", "permute", "transpose", "contiguous",
           "clone", "to_device", "sum_to_size", "unsqueeze", "squeeze", "flatten", "expand_as",
           "broadcast_to", "copy", "t", "swapaxes", "swapdims"]


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


@defop(PRIMITIVE, view=True, method=True, save_inputs=True, dtypes=D.ALL,
       vjp=lambda g, out, x, size, stride, storage_offset: (
           _as_strided_backward(g, x, size, stride, storage_offset),),
       ref=lambda x, size, stride, storage_offset=0: np.lib.stride_tricks.as_strided(
           x.reshape(-1)[storage_offset:], size, [s * x.itemsize for s in stride]).copy(),
       samples=lambda dt, rng: [S.SampleInput((S.Arg(S.make(rng, (4, 5), dt)),),
                                              {"size": (3, 2), "stride": (5, 2),
                                               "storage_offset": 1}, name="window")])
def as_strided(input: Tensor, size: Sequence[int], stride: Sequence[int],  # noqa: A002
               storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with the given sizes, strides (in elements) and offset.

    Raises:
        RuntimeError: if the view reaches outside the storage.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided: mismatch in length of strides and shape: {size} vs "
                           f"{stride}")
    off = input.storage_offset() if storage_offset is None else int(storage_offset)
    return as_strided.bind(input, size=size, stride=stride, storage_offset=off)


def _as_strided_backward(g: Tensor, x: Any, size: Any, stride: Any, off: int) -> Tensor:
    """Sum ``g`` into the storage positions the view read, then view them as ``x``."""
    raise NotImplementedError(
        "as_strided: the backward of a raw as_strided call is not implemented yet; the view "
        "ops built on it (view, expand, permute, slicing) have their own derivatives")


# -- device transfer --------------------------------------------------------------------------


def _to_device_decomp(x: Tensor, device: Any) -> Tensor:
    from ..device import resolve

    src = resolve(x._device)[1]
    dst = resolve(device)[1]
    host = src.to_numpy(x._data)
    return Tensor._wrap(dst.from_numpy(np.ascontiguousarray(host), device.index), device,
                        x._dtype)


@defop(COMPOSITE, decomp=_to_device_decomp, save_inputs=True, method=False, function=False,
       vjp=lambda g, out, x, device: (g.to(x.device),), dtypes=D.ALL)
def to_device(x: Tensor, device: Any) -> Tensor:
    """Copy ``x`` to ``device`` (what `Tensor.to(device)` runs); differentiable."""
    return to_device.bind(x, device=device)


# -- copies ---------------------------------------------------------------------------------------


@defop(PRIMITIVE, save_inputs=False, vjp=lambda g, out, x: (g,), ref=lambda x: x.copy(),
       dtypes=D.ALL, samples=lambda dt, rng: S.unary(dt, rng))
def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:  # noqa: A002
    """A copy of ``input`` with its own (contiguous) storage; differentiable."""
    return clone.bind(input)


@method
def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:  # noqa: A002
    """``input`` itself if it is contiguous, else a contiguous copy."""
    return input if input.is_contiguous() else clone.bind(input)


@defop(PRIMITIVE, method=False, function=False, save_inputs=False, broadcasts=True,
       vjp=lambda g, out, dst, src: (None, g), dtypes=D.ALL,
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
    if neg:
        if known == 0 or numel % known:
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
        return _contiguous_strides(new_shape)
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


def _contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    out = []
    acc = 1
    for s in reversed(shape):
        out.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(out))


def _view_decomp(x: Tensor, size: tuple[int, ...]) -> Tensor:
    st = view_strides(x.shape, x.stride(), size)
    if st is None:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): input shape {list(x.shape)}, "
            f"stride {list(x.stride())}, requested {list(size)}. Use .reshape(...) instead.")
    return as_strided.bind(x, size=size, stride=st, storage_offset=x.storage_offset())


@defop(COMPOSITE, decomp=_view_decomp, view=True, save_inputs=False, dtypes=D.ALL,
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


@defop(COMPOSITE, decomp=_expand_decomp, view=True, save_inputs=False, dtypes=D.ALL,
       vjp=lambda g, out, x, size: (sum_to_size(g, x.shape),),
       ref=lambda x, size: np.broadcast_to(x, size).copy(),
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


@defop(COMPOSITE, decomp=_permute_decomp, view=True, save_inputs=False, dtypes=D.ALL,
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
