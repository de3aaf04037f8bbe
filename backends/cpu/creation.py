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
    """Creation kernels; random kernels draw from ``generator`` (a NumPy Generator) or, when
    it is None, from ``backend.generator`` as it is at call time (manual_seed replaces it).
    """

    def rand(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> np.ndarray:
        g = backend.generator if generator is None else generator
        if dtype.itemsize == 2:
            # 11 random bits for float16, 8 for bfloat16: every value is exact and below 1.
            bits = 11 if dtype.np == np.float16 else 8
            return (g.integers(0, 1 << bits, size=size) * 2.0 ** -bits).astype(dtype.np)
        return np.asarray(g.random(size, dtype=dtype.np))

    def randn(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> np.ndarray:
        g = backend.generator if generator is None else generator
        work = np.float64 if dtype.np == np.float64 else np.float32
        return np.asarray(g.standard_normal(size, dtype=work)).astype(dtype.np, copy=False)

    def randint(low: int, high: int, size: tuple[int, ...], dtype: Any, device: Any,
                generator: Any) -> np.ndarray:
        g = backend.generator if generator is None else generator
        work = np.uint64 if high - 1 > np.iinfo(np.int64).max else np.int64
        return np.asarray(g.integers(low, high, size=size, dtype=work)).astype(dtype.np)

    def randperm(n: int, dtype: Any, device: Any, generator: Any) -> np.ndarray:
        g = backend.generator if generator is None else generator
        return g.permutation(n).astype(dtype.np)

    def multinomial(p: np.ndarray, num_samples: int, replacement: bool,
                    generator: Any) -> np.ndarray:
        g = backend.generator if generator is None else generator
        w = p.astype(np.float64).reshape(-1, p.shape[-1])
        if replacement:
            cdf = np.cumsum(w, axis=1)
            u = g.random((w.shape[0], num_samples)) * cdf[:, -1:]
            idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
            # Never a zero-weight category: rounding at the top goes to the last positive one.
            last = w.shape[1] - 1 - np.argmax(w[:, ::-1] > 0, axis=1)
            idx = np.minimum(idx, last[:, None])
        else:
            # Efraimidis-Spirakis: the largest keys log(u) / w are a weighted sample without
            # replacement; zero weights get -inf and are never among the top num_samples.
            with np.errstate(divide="ignore"):
                keys = np.log(g.random(w.shape)) / w
            idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
        return idx.reshape(*p.shape[:-1], num_samples).astype(np.int64)

    return {"full": full, "arange": arange, "rand": rand, "randn": randn, "randint": randint,
            "randperm": randperm, "multinomial": multinomial}
