"""Creation primitives: ``full`` and ``arange`` (the random ones are in `random.py`)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .array import on_host


def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> np.ndarray:
    return np.full(size, fill_value, dtype=dtype.np)


def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> np.ndarray:
    """``start + i * step`` for ``i < ceil((end - start) / step)``, computed in int64 for
    integer arguments and in float64 otherwise, then cast to ``dtype``."""
    exact = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    n = -((start - end) // step) if exact else math.ceil((end - start) / step)
    i = np.arange(max(n, 0), dtype=np.int64 if exact else np.float64)
    return (start + i * step).astype(dtype.np)


KERNELS: dict[str, Callable[..., Any]] = {"full": on_host(full), "arange": on_host(arange)}
