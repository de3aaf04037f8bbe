"""The opencl kernel table, assembled from the per-family modules.

Kernels follow core's calling convention (see ``backends/cpu/kernels.py``): native arrays
(`ClArray`) or Python numbers in, native arrays out; creation and random kernels also get
the device and the generator.
"""

from __future__ import annotations

from typing import Any, Callable

from . import creation, elementwise, indexing, linalg, movement, nn, optim, reduction, scan


def table(backend: Any) -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for family in (elementwise.KERNELS, movement.KERNELS, reduction.KERNELS, scan.KERNELS,
                   indexing.KERNELS, linalg.KERNELS, nn.KERNELS, optim.KERNELS,
                   creation.kernels(backend)):
        out.update(family)
    return out
