"""CpuBackend: native arrays are NumPy arrays; randomness is a NumPy Generator."""

from __future__ import annotations

import os
import platform
from typing import Any

import numpy as np

from tensorweave.backend import Backend

from . import kernels


class CpuBackend(Backend):
    """The reference backend: NumPy arrays in host memory, shared with `Tensor.numpy`."""

    name = "cpu"

    def __init__(self) -> None:
        self.generator = np.random.default_rng()

    def device_name(self, index: int) -> str:
        return platform.processor() or platform.machine() or "cpu"

    def device_info(self, index: int) -> dict[str, Any]:
        return {"cores": os.cpu_count(), "numpy": np.__version__}

    def from_numpy(self, array: np.ndarray, index: int | None) -> np.ndarray:
        return array

    def to_numpy(self, native: np.ndarray) -> np.ndarray:
        return native

    def storage_offset(self, native: np.ndarray) -> int:
        root = native
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = native.__array_interface__["data"][0]
        return (start - root.__array_interface__["data"][0]) // native.itemsize

    def manual_seed(self, seed: int) -> None:
        self.generator = np.random.default_rng(seed)

    def get_rng_state(self, index: int | None) -> Any:
        return self.generator.bit_generator.state

    def set_rng_state(self, index: int | None, state: Any) -> None:
        self.generator.bit_generator.state = state

    def kernels(self) -> dict[str, Any]:
        return kernels.table(self)
