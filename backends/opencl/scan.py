"""Kernels that walk whole lines along one dim (`cl/scan.cl`, `cl/sort.cl`): cumsum,
cumprod and a stable sort, one work-item per line."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .elementwise import cast_to
from .runtime import MAXD, Geometry

__all__ = ["KERNELS", "line_walk"]


def line_walk(shape: tuple[int, ...], dim: int, arrays: list[ClArray]) -> Any:
    """The packed walk over every dim but ``dim`` (one work-item per line)."""
    rest = tuple(n for d, n in enumerate(shape) if d != dim)
    strides = [tuple(s for d, s in enumerate(a.elem_strides) if d != dim) for a in arrays]
    sh, st = Geometry.merge(rest, strides)
    if len(sh) > MAXD:
        raise ValueError(f"opencl line kernels address at most {MAXD} non-mergeable dims; got "
                         f"shape {shape}")
    return int(np.prod(sh)), Geometry.pack(sh, st, [a.offset for a in arrays])


def _scan(name: str) -> Callable[..., ClArray]:
    def kernel(x: ClArray, dim: int, dtype: Any) -> ClArray:
        if x.dtype != dtype.np or x.ndim == 0:
            x = cast_to(x, dtype.np)
            if x.ndim == 0:
                return x
        out = x.rt.empty(x.shape, x.dtype)
        if out.size == 0:
            return out
        n, g = line_walk(x.shape, dim, [out, x])
        k = x.rt.family("scan.cl", T.tag(x.dtype), name)
        x.rt.launch(k, n, out.buffer, x.buffer, x.rt.geometry(g), np.int64(x.shape[dim]),
                    np.int64(x.elem_strides[dim]), np.int64(out.elem_strides[dim]))
        return out
    kernel.__name__ = name
    return kernel


def sort(x: ClArray, dim: int, descending: bool, stable: bool) -> tuple[ClArray, ClArray]:
    rt = x.rt
    if x.ndim == 0:
        return cast_to(x, x.dtype), rt.from_host(np.zeros((), np.int64))
    vals = rt.empty(x.shape, x.dtype)
    idx = rt.empty(x.shape, np.dtype(np.int64))
    if x.size == 0:
        return vals, idx
    length = x.shape[dim]
    n, g = line_walk(x.shape, dim, [vals, idx, x])
    scratch = rt.alloc(2 * length * n * 8)
    k = rt.family("sort.cl", T.tag(x.dtype), "sort")
    rt.launch(k, n, vals.buffer, idx.buffer, scratch, x.buffer, rt.geometry(g),
              np.int64(length),
              np.int64(x.elem_strides[dim]), np.int64(vals.elem_strides[dim]),
              np.int32(bool(descending)))
    return vals, idx


KERNELS: dict[str, Callable[..., Any]] = {
    "cumsum": _scan("cumsum"), "cumprod": _scan("cumprod"), "sort": sort}
