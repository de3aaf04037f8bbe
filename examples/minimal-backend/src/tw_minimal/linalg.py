"""Matrix product and Einstein summation on NumPy (its BLAS does the work).

float16 operands are multiplied in float32 and rounded once at the end, as PyTorch
accumulates them (NumPy's float16 products round every partial sum).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .array import on_host


def _widened(fn: Callable[..., np.ndarray], xs: tuple[np.ndarray, ...]) -> np.ndarray:
    if xs[0].dtype != np.float16:
        return fn(*xs)
    return fn(*(x.astype(np.float32) for x in xs)).astype(np.float16)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _widened(np.matmul, (a, b))


def einsum(*xs: np.ndarray, equation: str) -> np.ndarray:
    # Past two operands the contraction order decides the cost; NumPy's default is one
    # nested loop over every letter at once.
    return _widened(lambda *ys: np.einsum(equation, *ys, optimize=len(ys) > 2), xs)


KERNELS: dict[str, Callable[..., Any]] = {"matmul": on_host(matmul), "einsum": on_host(einsum)}
