"""Views and copies: as_strided is a new window on the same buffer; clone, copy, assign and
cat are elementwise copies (`cast_<src>_<dst>` kernels) with strided outputs."""

from __future__ import annotations

from typing import Any, Callable

from .array import ClArray
from .elementwise import cast_to, scalar_array

__all__ = ["KERNELS"]


def as_strided(x: ClArray, size: tuple[int, ...], stride: tuple[int, ...],
               storage_offset: int) -> ClArray:
    return x.view(tuple(size), tuple(stride), storage_offset)


def clone(x: ClArray) -> ClArray:
    return cast_to(x, x.dtype)


def copy(dst: ClArray, src: Any) -> ClArray:
    if not isinstance(src, ClArray):
        src = scalar_array(dst.rt, src, dst.dtype)
    return cast_to(src, dst.dtype, dst.shape)


def _overlaps_itself(x: ClArray) -> bool:
    return any(s == 0 and n > 1 for n, s in zip(x.shape, x.elem_strides))


def assign(dst: ClArray, src: ClArray) -> ClArray:
    if _overlaps_itself(dst):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location (an expanded tensor). "
                           "Please clone() the tensor before performing the operation.")
    if src.buffer is dst.buffer:  # the source may overlap the written region: read it first
        src = clone(src)
    cast_to(src, dst.dtype, out=dst)
    return dst


def cat(*xs: ClArray, dim: int) -> ClArray:
    first = xs[0]
    shape = list(first.shape)
    shape[dim] = sum(x.shape[dim] for x in xs)
    out = first.rt.empty(tuple(shape), first.dtype)
    start = 0
    for x in xs:
        n = x.shape[dim]
        if n and x.size:
            part = out.view(x.shape, out.elem_strides, out.offset + start * out.elem_strides[dim])
            cast_to(x, out.dtype, out=part)
        start += n
    return out


KERNELS: dict[str, Callable[..., Any]] = {
    "as_strided": as_strided, "clone": clone, "copy": copy, "assign": assign, "cat": cat}
