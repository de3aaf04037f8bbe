"""Random float64 parameters for the distribution tests, drawn from one seeded generator
per test module so each module's cases are reproducible on their own."""

from __future__ import annotations

from typing import Any

import numpy as np


def param_makers(seed: int) -> tuple[Any, ...]:
    """``(rng, pos, real, prob, simplex, spd)``: the generator, and makers of positive,
    real, (0, 1), simplex (last dim sums to 1) and symmetric positive-definite
    (``n x n``) arrays of a given shape."""
    rng = np.random.default_rng(seed)

    def pos(*shape):
        return rng.uniform(0.5, 3.0, shape)

    def real(*shape):
        return rng.normal(size=shape)

    def prob(*shape):
        return rng.uniform(0.1, 0.9, shape)

    def simplex(*shape):
        p = rng.uniform(0.1, 1.0, shape)
        return p / p.sum(-1, keepdims=True)

    def spd(*batch, n=3):
        a = rng.normal(size=batch + (n, n))
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)

    return rng, pos, real, prob, simplex, spd


def build(spec: tuple[str, dict[str, Any]], lib: str) -> tuple[Any, dict[str, Any]]:
    """``(distribution, its parameters)`` for ``spec = (class name, {name: array})`` in
    tensorweave (``lib="tw"``) or PyTorch (``"torch"``): float64 leaves requiring grad."""
    if lib == "torch":
        import torch
        import torch.distributions as TD

        ts = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in spec[1].items()}
        return getattr(TD, spec[0])(**ts), ts
    import tensorweave as tw
    import tensorweave.distributions as D

    ts = {k: tw.tensor(v, dtype=tw.float64, requires_grad=True) for k, v in spec[1].items()}
    return getattr(D, spec[0])(**ts), ts
