"""Reduction and scan NumPy kernels."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def sum(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:  # noqa: A001
    return np.asarray(np.sum(x, axis=dim, keepdims=keepdim, dtype=dtype.np))


KERNELS: dict[str, Callable[..., Any]] = {"sum": sum}
