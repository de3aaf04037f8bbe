"""Creation kernels (full, arange) and the random ones, which draw from the Philox state of
the device's default generator or of a `Generator` (`tensorweave.backend.Philox`,
`cl/rng.cl`)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .elementwise import cast_to, scalar_array

__all__ = ["kernels"]


def _arange_len(start: Any, end: Any, step: Any) -> int:
    if all(isinstance(v, (int, np.integer)) for v in (start, end, step)):
        return max(0, -(-(int(end) - int(start)) // int(step)))
    return max(0, math.ceil((end - start) / step))


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> Any:
        rt = backend.runtime(device.index)
        value = np.full((), fill_value, dtype=dtype.np)  # NumPy's conversion, as on cpu
        return cast_to(scalar_array(rt, value, dtype.np), dtype.np, tuple(size))

    def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> Any:
        rt = backend.runtime(device.index)
        n = _arange_len(start, end, step)
        out = rt.empty((n,), dtype.np)
        t = T.tag(dtype.np)
        ints = all(isinstance(v, (int, np.integer)) for v in (start, step))
        if ints and not dtype.is_floating_point:
            k = rt.family("creation.cl", t, "arange_int")
            rt.launch(k, n, out.buffer, np.int64(n), np.int64(start), np.int64(step))
        else:
            real = np.float64 if rt.fp64 else np.float32
            k = rt.family("creation.cl", t, "arange_real")
            rt.launch(k, n, out.buffer, np.int64(n), real(start), real(step))
        return out

    out: dict[str, Callable[..., Any]] = {"full": full, "arange": arange}
    from .random import kernels as random_kernels

    out.update(random_kernels(backend))
    return out
