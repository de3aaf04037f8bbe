"""gather, scatter, scatter_add and nonzero (`cl/index.cl`)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .runtime import MAXD

__all__ = ["KERNELS"]


def _xgeom(dim: int, n: int, x: ClArray, index: ClArray | None = None,
           src: ClArray | None = None) -> Any:
    nd = x.ndim
    if nd > MAXD:
        raise ValueError(f"opencl indexing kernels take at most {MAXD} dims; got {nd}")
    g = np.zeros(3 + 5 * MAXD + 3, np.int64)
    g[:3] = (nd, dim, n)
    fields = [x.shape, x.elem_strides, index.shape if index is not None else (),
              index.elem_strides if index is not None else (),
              src.elem_strides if src is not None else ()]
    for k, v in enumerate(fields):
        g[3 + k * MAXD:3 + k * MAXD + len(v)] = v
    g[3 + 5 * MAXD:] = (x.offset, index.offset if index is not None else 0,
                        src.offset if src is not None else 0)
    return g


def gather(x: ClArray, index: ClArray, dim: int) -> ClArray:
    rt = x.rt
    out = rt.empty(index.shape, x.dtype)
    if out.size == 0:
        return out
    k = rt.family("index.cl", T.tag(x.dtype), "gather")
    # The walk runs over the index's shape: pass its strides and sizes in the index slots.
    g = _xgeom(dim, out.size, x, index)
    rt.launch(k, out.size, out.buffer, x.buffer, index.buffer, rt.geometry(g))
    return out


def _scatter(name: str) -> Callable[..., ClArray]:
    def kernel(x: ClArray, index: ClArray, src: ClArray, dim: int) -> ClArray:
        rt = x.rt
        out = rt.empty(x.shape, x.dtype)
        if out.size == 0:
            return out
        k = rt.family("index.cl", T.tag(x.dtype), name)
        rt.launch(k, out.size, out.buffer, x.buffer, index.buffer, src.buffer,
                  rt.geometry(_xgeom(dim, out.size, x, index, src)))
        return out
    kernel.__name__ = name
    return kernel


def nonzero(x: ClArray) -> ClArray:
    """Coordinates of the nonzero elements; reads their count back (it sizes the result)."""
    rt = x.rt
    nd = x.ndim
    if x.size == 0:
        return rt.empty((0, nd), np.dtype(np.int64))
    coords = rt.empty((x.size, nd), np.dtype(np.int64))
    count = rt.empty((1,), np.dtype(np.int64))
    k = rt.family("index.cl", T.tag(x.dtype), "nonzero")
    rt.launch(k, 1, coords.buffer, count.buffer, x.buffer, rt.geometry(_xgeom(0, x.size, x)))
    found = int(rt.to_host(count)[0])
    return coords.view((found, nd), (nd, 1))


KERNELS: dict[str, Callable[..., Any]] = {
    "gather": gather, "scatter": _scatter("scatter"), "scatter_add": _scatter("scatter_add"),
    "nonzero": nonzero}
