"""The kernel table: one kernel per primitive op, and none for composites.

Calling convention (core's, for every backend): a kernel receives `MinArray` operands (or
Python numbers, for elementwise ops) already promoted to the computation dtype, plus the
op's normalized parameters as keywords, and returns a `MinArray` (a tuple of them for
multi-output ops). Most kernels are written on NumPy arrays and adapted by `on_host`.
"""

from __future__ import annotations

from typing import Any, Callable

from . import creation, elementwise, linalg, movement, random, reduction


def table(backend: Any) -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for family in (elementwise.KERNELS, reduction.KERNELS, movement.KERNELS, linalg.KERNELS,
                   creation.KERNELS, random.kernels(backend)):
        out.update(family)
    return out
