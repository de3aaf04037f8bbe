"""A test backend ``twin``: the cpu backend's kernels behind a device of its own.

Conformance and cross-check tests need a second device whose kernels they can break one
at a time (`break_kernel`) while cpu stays the reference. Its natives are private NumPy
copies, so nothing is shared with cpu tensors. The ``twin`` fixture (tests/unit/conftest.py)
registers it in process with ``load(extra=[("twin", twin_backend)])``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tensorweave import hookimpl
from tensorweave.backends.cpu import CpuBackend
from tensorweave.plugin.manager import get_registry

NAME = "twin"


class TwinBackend(CpuBackend):
    name = NAME

    def from_numpy(self, array: np.ndarray, index: int | None) -> np.ndarray:
        return np.array(array, copy=True)

    def to_numpy(self, native: np.ndarray) -> np.ndarray:
        return np.array(native, copy=True)


@hookimpl
def tensorweave_backends() -> list[type]:
    return [TwinBackend]


def break_kernel(monkeypatch: Any, op: str, make: Callable[[Callable[..., Any]], Any]) -> None:
    """Replace twin's kernel of ``op`` by ``make(original kernel)`` for one test."""
    kernels = get_registry().ops[op].kernels
    monkeypatch.setitem(kernels, NAME, make(kernels[NAME]))


def scaled(factor: float) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A `break_kernel` maker: the original kernel's result times ``factor``."""
    return lambda kernel: lambda *a, **kw: kernel(*a, **kw) * factor
