"""Linear-algebra NumPy kernels (NumPy's BLAS does the work)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.matmul(a, b))


KERNELS: dict[str, Callable[..., Any]] = {"matmul": matmul}
