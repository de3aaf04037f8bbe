"""Random kernels (`cl/rng.cl`): rand, randn, randint, randperm and multinomial draw from a
`tensorweave.backend.Philox` state -- the device default's, or a `Generator`'s native one."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import cltypes as T
from .elementwise import cast_to
from .scan import KERNELS as SCAN
from .scan import sort

__all__ = ["kernels"]


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    def state(device: Any, generator: Any) -> Any:
        return backend.default_generator(device.index) if generator is None else generator

    def draw(name: str, size: tuple[int, ...], dtype: Any, device: Any, generator: Any,
             *extra: Any) -> Any:
        rt = backend.runtime(device.index)
        out = rt.empty(tuple(size), dtype.np)
        n = out.size
        k0, k1, base = state(device, generator).take(n)
        if n:
            k = rt.family("rng.cl", T.tag(dtype.np), name)
            rt.launch(k, n, out.buffer, np.int64(n), k0, k1, base, *extra)
        return out

    def rand(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        return draw("rand", size, dtype, device, generator)

    def randn(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        return draw("randn", size, dtype, device, generator)

    def randint(low: int, high: int, size: tuple[int, ...], dtype: Any, device: Any,
                generator: Any) -> Any:
        return draw("randint", size, dtype, device, generator, np.int64(low),
                    np.uint64(high - low))

    def randperm(n: int, dtype: Any, device: Any, generator: Any) -> Any:
        from tensorweave import dtypes as D

        keys = draw("randint", (n,), D.int64, device, generator, np.int64(0),
                    np.uint64(1 << 62))
        _, idx = sort(keys, 0, False, True)
        return idx if dtype.np == np.int64 else cast_to(idx, dtype.np)

    def multinomial(p: Any, num_samples: int, replacement: bool, generator: Any) -> Any:
        rt = p.rt
        work = np.dtype(np.float64 if rt.fp64 else np.float32)
        rows, k = (1, p.shape[0]) if p.ndim == 1 else p.shape
        w = cast_to(p, work).view((rows, k), (k, 1))
        g = backend.default_generator(rt.index) if generator is None else generator
        t = T.tag(work)
        if replacement:
            from tensorweave import dtypes as D

            cdf = SCAN["cumsum"](w, 1, D.from_numpy_dtype(work))
            out = rt.empty((rows, num_samples), np.dtype(np.int64))
            k0, k1, base = g.take(out.size)
            kern = rt.family("rng.cl", t, "wsearch")
            rt.launch(kern, out.size, out.buffer, cdf.buffer, w.buffer, np.int64(rows),
                      np.int64(k), np.int64(num_samples), k0, k1, base)
        else:
            keys = rt.empty((rows, k), work)
            k0, k1, base = g.take(keys.size)
            kern = rt.family("rng.cl", t, "wkeys")
            rt.launch(kern, keys.size, keys.buffer, w.buffer, np.int64(keys.size), k0, k1,
                      base)
            _, idx = sort(keys, 1, True, True)
            out = cast_to(idx.view((rows, num_samples), idx.elem_strides), np.int64)
        shape = (*p.shape[:-1], num_samples)
        return out.view(shape, out.elem_strides[-len(shape):])

    return {"rand": rand, "randn": randn, "randint": randint, "randperm": randperm,
            "multinomial": multinomial}

