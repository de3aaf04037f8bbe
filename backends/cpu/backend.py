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
    dlpack_device_type = 1  # host memory: NumPy arrays speak DLPack themselves

    def __init__(self) -> None:
        # Like PyTorch's default cpu generator: a nondeterministic seed, remembered.
        self.manual_seed(int.from_bytes(os.urandom(8), "little"))

    def device_name(self, index: int) -> str:
        return platform.processor() or platform.machine() or "cpu"

    def device_info(self, index: int) -> dict[str, Any]:
        return {"cores": os.cpu_count(), "numpy": np.__version__}

    def dtypes(self, index: int) -> tuple[Any, ...]:
        """Every dtype: complex64/complex128 (NumPy computes with both) and bfloat16 (held as
        ml_dtypes' NumPy dtype; ops compute it in float32) when ml_dtypes is installed."""
        from tensorweave import dtypes as D

        return D.ALL_AND_COMPLEX if D.HAS_BFLOAT16 else (*D.ALL, *D.COMPLEX)

    def from_numpy(self, array: np.ndarray, index: int | None) -> np.ndarray:
        return array

    def to_numpy(self, native: np.ndarray) -> np.ndarray:
        return native

    def from_dlpack(self, ext: Any, index: int) -> np.ndarray:
        return np.from_dlpack(ext)

    def storage_offset(self, native: np.ndarray) -> int:
        root = native
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = native.__array_interface__["data"][0]
        return (start - root.__array_interface__["data"][0]) // native.itemsize

    def manual_seed(self, seed: int) -> None:
        self.generator = np.random.default_rng(seed)
        self._initial_seed = seed

    def initial_seed(self, index: int | None) -> int:
        return self._initial_seed

    def get_rng_state(self, index: int | None) -> Any:
        return self.generator_state(self.generator)

    def set_rng_state(self, index: int | None, state: Any) -> None:
        self.set_generator_state(self.generator, state)

    def new_generator(self, index: int | None, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def generator_state(self, native: np.random.Generator) -> Any:
        return native.bit_generator.state

    def set_generator_state(self, native: np.random.Generator, state: Any) -> None:
        native.bit_generator.state = state

    def kernels(self) -> dict[str, Any]:
        return kernels.table(self)
