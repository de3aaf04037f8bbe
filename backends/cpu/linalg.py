"""Linear-algebra NumPy kernels (NumPy's BLAS does the work)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _f16(fn: Callable[..., np.ndarray], *xs: np.ndarray) -> np.ndarray:
    # float16 products accumulate in float32, as PyTorch does (NumPy's float16 paths
    # are slow and round every partial sum).
    if xs and xs[0].dtype == np.float16:
        return np.asarray(fn(*(x.astype(np.float32) for x in xs))).astype(np.float16)
    return np.asarray(fn(*xs))


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _f16(np.matmul, a, b)


def einsum(*xs: np.ndarray, equation: str) -> np.ndarray:
    # The contraction order matters once there are three operands or more.
    return _f16(lambda *ys: np.einsum(equation, *ys, optimize=len(ys) > 2), *xs)


KERNELS: dict[str, Callable[..., Any]] = {"matmul": matmul, "einsum": einsum}
