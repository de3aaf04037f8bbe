"""Reduction kernels (`cl/reduce.cl`): sum, prod, amax and argmax over any dims.

The kept dims pick the output element and the reduced dims walk its inputs; each set is
merged like an elementwise walk, so reducing a contiguous trailing block is a 1-D loop.
Short reductions run one work-item per output; long ones a work-group per output.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .elementwise import cast_to
from .runtime import MAXD, Geometry

__all__ = ["KERNELS", "reduce", "reduce_all_flag"]

_WG_MIN = 64  # reductions longer than this get a work-group per output


def _rgeom(x: ClArray, dims: tuple[int, ...]) -> tuple[Any, int, int]:
    kept = [d for d in range(x.ndim) if d not in dims]
    ksh, (kst,) = Geometry.merge(tuple(x.shape[d] for d in kept),
                                 [tuple(x.elem_strides[d] for d in kept)])
    rsh, (rst,) = Geometry.merge(tuple(x.shape[d] for d in dims),
                                 [tuple(x.elem_strides[d] for d in dims)])
    if len(ksh) > MAXD or len(rsh) > MAXD:
        raise ValueError(f"opencl reductions address at most {MAXD} non-mergeable dims; got "
                         f"a tensor of shape {x.shape}")
    n_out, n_red = math.prod(ksh), math.prod(rsh)
    g = np.zeros(5 + 4 * MAXD, np.int64)
    g[:5] = (len(ksh), len(rsh), n_out, n_red, x.offset)
    for k, v in enumerate((ksh, kst, rsh, rst)):
        g[5 + k * MAXD:5 + k * MAXD + len(v)] = v
    return g, n_out, n_red


def _out_shape(x: ClArray, dims: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if d in dims else n for d, n in enumerate(x.shape))
    return tuple(n for d, n in enumerate(x.shape) if d not in dims)


def reduce(name: str, x: ClArray, dims: tuple[int, ...], keepdim: bool,
           out_dtype: np.dtype | None = None) -> ClArray:
    """Run reduction kernel ``name`` (sum, prod, amax, argmax) of ``x`` over ``dims``."""
    rt = x.rt
    dims = tuple(sorted(d % max(x.ndim, 1) for d in dims)) if x.ndim else ()
    shape = _out_shape(x, dims, keepdim)
    out = rt.empty(shape, x.dtype if out_dtype is None else out_dtype)
    if out.size == 0:
        return out
    g, n_out, n_red = _rgeom(x, dims)
    if n_red == 0 and name in ("amax", "argmax"):
        raise ValueError(f"{name}: cannot reduce over a zero-size dimension (the reduction "
                         "has no identity); got a tensor of shape "
                         f"{x.shape} reduced over dims {dims}")
    wide = n_red > _WG_MIN and n_out < 1 << 14
    k = rt.family("reduce.cl", T.tag(x.dtype), f"{name}_{'wg' if wide else 'seq'}")
    if wide:
        rt.launch_groups(k, n_out, out.buffer, x.buffer, rt.geometry(g))
    else:
        rt.launch(k, n_out, out.buffer, x.buffer, rt.geometry(g))
    return out


def reduce_all_flag(x: ClArray) -> bool:
    """Whether any element of bool array ``x`` is set (reads one value back: a sync)."""
    if x.size == 0:
        return False
    r = reduce("amax", x, tuple(range(x.ndim)), False)
    return bool(r.rt.to_host(r))


def _accumulating(name: str) -> Callable[..., ClArray]:
    def kernel(x: ClArray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> ClArray:
        if x.dtype != dtype.np:
            x = cast_to(x, dtype.np)
        return reduce(name, x, dim, keepdim)
    kernel.__name__ = name
    return kernel


def amax(x: ClArray, dim: tuple[int, ...], keepdim: bool) -> ClArray:
    return reduce("amax", x, dim, keepdim)


def argmax(x: ClArray, dim: int | None, keepdim: bool) -> ClArray:
    if x.ndim == 0:
        return reduce("argmax", x, (), False, np.dtype(np.int64))
    if dim is None:
        out = reduce("argmax", x, tuple(range(x.ndim)), False, np.dtype(np.int64))
        if keepdim:
            out = out.view((1,) * x.ndim, (1,) * x.ndim)
        return out
    return reduce("argmax", x, (dim,), keepdim, np.dtype(np.int64))


KERNELS: dict[str, Callable[..., Any]] = {
    "sum": _accumulating("sum"), "prod": _accumulating("prod"), "amax": amax,
    "argmax": argmax}
