"""adam_update in one launch per parameter (`cl/optim.cl`) instead of its decomposition's
dozen elementwise kernels and their copies back into the parameter and moments."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .array import ClArray
from .elementwise import walks
from .runtime import CHUNK_LOCAL


def adam_update(p: ClArray, g: ClArray, m: ClArray, v: ClArray, *, beta1: float, beta2: float,
                eps: float, step_size: float,
                bias_correction2_sqrt: float) -> tuple[ClArray, ClArray, ClArray]:
    rt = p.rt
    if p.size:
        k = rt.family("optim.cl", T.tag(p.dtype), "adam_update")
        # The weights pass in the compute type, as the decomposition's Python numbers do.
        c = np.float64 if p.dtype == np.float64 else np.float32
        small = np.int32(abs(1 - beta1) < 0.5)
        for size, geo in walks(rt, p, [g, m, v]):
            k(rt.queue, size, CHUNK_LOCAL, p.buffer, g.buffer, m.buffer, v.buffer, geo,
              c(beta1), c(beta2), c(eps), c(-step_size),
              c(bias_correction2_sqrt), small)
    return p, m, v


KERNELS: dict[str, Callable[..., Any]] = {"adam_update": adam_update}
