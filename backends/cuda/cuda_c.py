"""The CUDA C kernels of ``cu/`` compiled by CuPy (NVRTC), once per file and device, and
their one-dimensional launches."""

from __future__ import annotations

import functools
from typing import Any

import cupy as cp

from .cu import NAMES, OPTIONS, source

BLOCK = 256  # threads a block (TW_BLOCK in fused.cu)
_MAX_BLOCKS = 4096  # grid-stride kernels cover any size with at most this many blocks


@functools.lru_cache(maxsize=None)
def _module(name: str, device_id: int) -> Any:
    # CuPy also caches the compiled binary on disk, across processes.
    return cp.RawModule(code=source(name), options=OPTIONS, name_expressions=NAMES[name])


def kernel(name: str, expression: str) -> Any:
    """The kernel ``expression`` (an instantiation listed in `cu.NAMES`) of file ``name``,
    for the current device."""
    return _module(name, cp.cuda.get_device_id()).get_function(expression)


def launch(k: Any, n: int, *args: Any) -> None:
    """Run grid-stride kernel ``k`` over ``n`` elements (nothing for none)."""
    if n:
        k((min(-(-n // BLOCK), _MAX_BLOCKS),), (BLOCK,), args)
