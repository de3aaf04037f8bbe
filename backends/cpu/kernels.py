"""The cpu kernel table, assembled from the per-family modules.

Calling convention (core's, for every backend): a kernel receives NumPy
arrays -- or Python scalars for elementwise ops -- already promoted to the
computation dtype by the dispatcher, plus the op's normalized parameters as
keywords, and returns a NumPy array (a tuple for multi-output ops).
"""

from __future__ import annotations

from typing import Any, Callable

from . import (
    conv,
    creation,
    decompositions,
    elementwise,
    fft,
    linalg,
    movement,
    nn,
    norm,
    optim,
    reduction,
)


def table(backend: Any) -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for family in (elementwise.KERNELS, movement.KERNELS, reduction.KERNELS, linalg.KERNELS,
                   conv.KERNELS, nn.KERNELS, norm.KERNELS, optim.KERNELS, decompositions.KERNELS,
                   fft.KERNELS, creation.kernels(backend)):
        out.update(family)
    return out
