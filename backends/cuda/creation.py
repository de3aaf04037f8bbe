"""Creation and random CuPy kernels. Random ones draw from cuRAND's Philox4x32-10, keyed
by the next key of a `PhiloxState` (the device default's or a `Generator`'s)."""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp
import numpy as np


def _device(device: Any) -> Any:
    return cp.cuda.Device(device.index if device.index is not None else cp.cuda.get_device_id())


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    def philox(device_index: int | None, generator: Any) -> Any:
        """A cuRAND Philox generator for one draw (creating one costs no kernel launch)."""
        g = backend.default_generator(device_index) if generator is None else generator
        return cp.random.RandomState(g.next_key(),
                                     method=cp.cuda.curand.CURAND_RNG_PSEUDO_PHILOX4_32_10)

    def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> Any:
        with _device(device):
            return cp.full(size, np.full((), fill_value, dtype=dtype.np)[()], dtype=dtype.np)

    def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> Any:
        with _device(device):
            work = np.float64 if dtype.is_floating_point else None
            return cp.arange(start, end, step, dtype=work).astype(dtype.np, copy=False)

    def rand(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        with _device(device):
            rs = philox(device.index, generator)
            if dtype.np == np.float16:
                # 11 random bits: every value is an exact float16 below 1.
                bits = rs.randint(0, 1 << 11, size=size, dtype=np.int32)
                return (bits * np.float32(2.0 ** -11)).astype(np.float16)
            return rs.random_sample(size, dtype=dtype.np)

    def randn(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> Any:
        with _device(device):
            work = np.float64 if dtype.np == np.float64 else np.float32
            out = philox(device.index, generator).standard_normal(size, dtype=work)
            return out.astype(dtype.np, copy=False)

    def randint(low: int, high: int, size: tuple[int, ...], dtype: Any, device: Any,
                generator: Any) -> Any:
        with _device(device):
            out = philox(device.index, generator).randint(low, high, size=size, dtype=np.int64)
            return out.astype(dtype.np, copy=False)

    def randperm(n: int, dtype: Any, device: Any, generator: Any) -> Any:
        with _device(device):
            return philox(device.index, generator).permutation(n).astype(dtype.np)

    def multinomial(p: Any, num_samples: int, replacement: bool, generator: Any) -> Any:
        rs = philox(cp.cuda.get_device_id(), generator)
        w = p.astype(np.float64).reshape(-1, p.shape[-1])
        if replacement:
            cdf = cp.cumsum(w, axis=1)
            u = rs.random_sample((w.shape[0], num_samples)) * cdf[:, -1:]
            # The category of u: how many cumulative weights are at or below it.
            idx = (cdf[:, None, :] <= u[:, :, None]).sum(axis=2)
            # Never a zero-weight category: rounding at the top goes to the last positive one.
            last = w.shape[1] - 1 - cp.argmax(w[:, ::-1] > 0, axis=1)
            idx = cp.minimum(idx, last[:, None])
        else:
            # Efraimidis-Spirakis: the largest keys log(u) / w are a weighted sample without
            # replacement; zero weights get -inf and are never among the top num_samples.
            keys = cp.log(rs.random_sample(w.shape)) / w
            idx = cp.argsort(-keys, axis=1)[:, :num_samples]
        return idx.reshape(*p.shape[:-1], num_samples).astype(np.int64)

    return {"full": full, "arange": arange, "rand": rand, "randn": randn, "randint": randint,
            "randperm": randperm, "multinomial": multinomial}
