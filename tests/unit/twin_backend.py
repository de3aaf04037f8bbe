"""A test backend ``twin``: the cpu backend's kernels behind a device of its own.

Conformance and cross-check tests need a second device whose kernels they can break one
at a time (``monkeypatch.setitem(op.kernels, "twin", broken)``) while cpu stays the
reference. Its natives are private NumPy copies, so nothing is shared with cpu tensors.
Register it in process with ``load(extra=[("twin", twin_backend)])``.
"""

from __future__ import annotations

import numpy as np

from tensorweave import hookimpl
from tensorweave.backends.cpu import CpuBackend

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
