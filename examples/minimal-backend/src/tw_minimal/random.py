"""Random primitives, drawn from NumPy generators.

Each kernel draws from the ``generator`` it is given (the native of a `tensorweave.Generator`)
or, when that is None, from the default generator of the device it runs on, looked up at
call time because `MinimalBackend.manual_seed` replaces the defaults.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .array import MinArray, on_host


def kernels(backend: Any) -> dict[str, Callable[..., Any]]:
    """The random kernels of ``backend`` (a `MinimalBackend`, which holds the defaults)."""

    def source(generator: Any, device: int) -> np.random.Generator:
        return backend.generators[device] if generator is None else generator

    def rand(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> np.ndarray:
        g = source(generator, device.index)
        if dtype.np == np.float16:
            # Multiples of 2**-11 are exact in float16; a float32 draw could round up to 1.
            return (g.integers(0, 2048, size) / 2048).astype(np.float16)
        return g.random(size, dtype=dtype.np)

    def randn(size: tuple[int, ...], dtype: Any, device: Any, generator: Any) -> np.ndarray:
        g = source(generator, device.index)
        return g.standard_normal(size, dtype=np.float64 if dtype.np == np.float64
                                 else np.float32).astype(dtype.np)

    def randint(low: int, high: int, size: tuple[int, ...], dtype: Any, device: Any,
                generator: Any) -> np.ndarray:
        return source(generator, device.index).integers(low, high, size).astype(dtype.np)

    def randperm(n: int, dtype: Any, device: Any, generator: Any) -> np.ndarray:
        return source(generator, device.index).permutation(n).astype(dtype.np)

    def multinomial(p: MinArray, num_samples: int, replacement: bool,
                    generator: Any) -> MinArray:
        g = source(generator, p.device)
        w = p.host().astype(np.float64).reshape(-1, p.shape[-1])
        if replacement:
            # Inverse transform sampling: the first category whose running sum exceeds u.
            cdf = np.cumsum(w, axis=1)
            u = g.random((w.shape[0], num_samples)) * cdf[:, -1:]
            idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
            # u can round up to the total: that draw belongs to the last positive category.
            last = w.shape[1] - 1 - np.argmax(w[:, ::-1] > 0, axis=1)
            idx = np.minimum(idx, last[:, None])
        else:
            # Exponential races: category i finishes at E_i / w_i; the first num_samples to
            # finish are a draw without replacement (weight 0 never finishes).
            with np.errstate(divide="ignore"):
                finish = g.exponential(size=w.shape) / w
            idx = np.argsort(finish, axis=1, kind="stable")[:, :num_samples]
        return MinArray.adopt(idx.reshape(*p.shape[:-1], num_samples).astype(np.int64),
                              p.device)

    return {"multinomial": multinomial, **{name: on_host(fn) for name, fn in {
        "rand": rand, "randn": randn, "randint": randint, "randperm": randperm}.items()}}
