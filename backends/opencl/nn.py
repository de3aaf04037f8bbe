"""Fast kernels for hot composites: softmax and log_softmax in one launch (`cl/softmax.cl`)
instead of their decompositions' max, subtract, exp, sum, divide chain."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .movement import clone
from .scan import line_walk

__all__ = ["KERNELS"]


def _along(take_log: bool) -> Callable[..., ClArray]:
    def kernel(x: ClArray, dim: int) -> ClArray:
        if x.size == 0:
            return clone(x)
        if x.ndim == 0:
            return kernel(x.view((1,), (1,)), 0).view((), ())
        rt = x.rt
        out = rt.empty(x.shape, x.dtype)
        n, g = line_walk(x.shape, dim, [out, x])
        k = rt.family("softmax.cl", T.tag(x.dtype), "softmax")
        rt.launch(k, n, out.buffer, x.buffer, rt.geometry(g), np.int64(x.shape[dim]),
                  np.int64(x.elem_strides[dim]), np.int64(out.elem_strides[dim]),
                  np.int32(take_log))
        return out
    kernel.__name__ = "log_softmax" if take_log else "softmax"
    return kernel


KERNELS: dict[str, Callable[..., Any]] = {"softmax": _along(False), "log_softmax": _along(True)}
