"""Creation and random NumPy kernels; random ones draw from the backend's generator."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> np.ndarray:
    return np.full(size, fill_value, dtype=dtype.np)


def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> np.ndarray:
    return np.arange(start, end, step, dtype=np.float64 if dtype.is_floating_point else None) \
        .astype(dtype.np)


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    """Creation kernels; random kernels close over ``backend.generator``."""
    return {"full": full, "arange": arange}
