"""The cuda kernel table, assembled from the per-family modules.

Kernels follow core's calling convention (see ``backends/cpu/kernels.py``): CuPy arrays or
Python numbers in, CuPy arrays out; creation and random kernels also get the device and the
generator. Importing this module imports CuPy (`CudaBackend.kernels` only does when cuda
is available).
"""

from __future__ import annotations

from typing import Any, Callable

from . import conv, creation, elementwise, fused, linalg, movement, nn, reduction


def table(backend: Any) -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for family in (elementwise.KERNELS, movement.KERNELS, reduction.KERNELS, linalg.KERNELS,
                   conv.KERNELS, nn.KERNELS, fused.KERNELS, creation.kernels(backend)):
        out.update(family)
    return out
