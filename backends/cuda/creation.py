"""Creation kernels (full, arange) and the random ones: Philox4x32-10 in ``cu/random.cu``,
drawing from the `tensorweave.backend.Philox` state of the device's default generator or
of a `Generator`. The opencl backend maps the same counters to the same values, so equal
states draw equal numbers on both."""

from __future__ import annotations

import math
from typing import Any, Callable

import cupy as cp
import numpy as np

from tensorweave import dtypes as D

from .cuda_c import kernel, launch
from .reduction import sort

# Bits of a uniform's precision per tensor dtype (float16 and bfloat16 are computed in
# float): each draw is exact in the dtype and below 1, as on cpu and opencl.
_BITS = {np.dtype(np.float16): 11, np.dtype(D.bfloat16.np): 8, np.dtype(np.float32): 24,
         np.dtype(np.float64): 53}


def _device(device: Any) -> Any:
    return cp.cuda.Device(device.index if device.index is not None else cp.cuda.get_device_id())


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    def draw(expression: str, n: int, dtype: Any, generator: Any, *extra: Any) -> Any:
        """``n`` values of kernel ``expression`` in a new array of ``dtype``, at the next
        ``n`` counters of ``generator`` (the current device's default for None)."""
        g = backend.default_generator(cp.cuda.get_device_id()) if generator is None \
            else generator
        k0, k1, base = g.take(n)
        out = cp.empty(n, dtype)
        launch(kernel("random.cu", expression), n, out, np.int64(n), k0, k1, base, *extra)
        return out

    def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> Any:
        with _device(device):
            return cp.full(size, np.full((), fill_value, dtype=dtype.np)[()], dtype=dtype.np)

    def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> Any:
        with _device(device):
            work = np.float64 if dtype.is_floating_point else None
            return cp.arange(start, end, step, dtype=work).astype(dtype.np, copy=False)

    def floats(expression: str, size: tuple[int, ...], dtype: Any, device: Any,
               generator: Any) -> Any:
        """A float draw of ``size``; ``expression`` names the kernel with ``{bits}`` left
        for the dtype's precision."""
        bits = _BITS[np.dtype(dtype.np)]
        with _device(device):
            out = draw(expression.format(bits=bits), math.prod(size),
                       np.float64 if bits == 53 else np.float32, generator)
            return out.reshape(size).astype(dtype.np, copy=False)

    def rand(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        return floats("rand_unit<{bits},false>", size, dtype, device, generator)

    def randn(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        return floats("randn_unit<{bits}>", size, dtype, device, generator)

    def randint(low: int, high: int, size: tuple[int, ...], dtype: Any, device: Any,
                generator: Any) -> Any:
        with _device(device):
            out = draw("randint64", math.prod(size), np.int64, generator, np.int64(low),
                       np.uint64(high - low))
            return out.reshape(size).astype(dtype.np, copy=False)

    def randperm(n: int, dtype: Any, device: Any, generator: Any) -> Any:
        with _device(device):
            # The stable order of random keys, as on opencl.
            keys = draw("randint64", n, np.int64, generator, np.int64(0), np.uint64(1 << 62))
            return sort(keys, 0, False, True)[1].astype(dtype.np, copy=False)

    def multinomial(p: Any, num_samples: int, replacement: bool, generator: Any) -> Any:
        rows, k = (1, p.shape[0]) if p.ndim == 1 else p.shape
        w = p.astype(np.float64).reshape(rows, k)
        if replacement:
            # Per (row, draw) the first category whose running sum exceeds u * total, never
            # a zero-weight category at the top.
            cdf = cp.cumsum(w, axis=1)
            u = draw("rand_unit<53,false>", rows * num_samples, np.float64, generator)
            target = u.reshape(rows, num_samples) * cdf[:, -1:]
            idx = (cdf[:, None, :] <= target[:, :, None]).sum(axis=2)
            last = k - 1 - cp.argmax(w[:, ::-1] > 0, axis=1)
            idx = cp.minimum(idx, last[:, None])
        else:
            # Efraimidis-Spirakis: the largest keys log(u) / w are a weighted sample without
            # replacement; zero weights give -inf and are never among the top num_samples.
            u = draw("rand_unit<53,true>", rows * k, np.float64, generator)
            idx = sort(cp.log(u.reshape(rows, k)) / w, 1, True, True)[1][:, :num_samples]
        return idx.reshape(*p.shape[:-1], num_samples).astype(np.int64)

    return {"full": full, "arange": arange, "rand": rand, "randn": randn, "randint": randint,
            "randperm": randperm, "multinomial": multinomial}
