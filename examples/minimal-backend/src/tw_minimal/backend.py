"""`MinimalBackend`: the device type ``minimal``, everything the backend contract asks for
and nothing more (see `tensorweave.backend.Backend`)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tensorweave import Backend

from . import kernels
from .array import MinArray


class MinimalBackend(Backend):
    """``minimal:0``: host memory behind `MinArray` natives, kernels for the primitives only.

    Every composite op (softmax, conv2d, layer_norm, the optimizers' arithmetic...) runs
    through its decomposition here, which is what the conformance suite then checks.
    """

    name = "minimal"
    n_devices = 1  # enough to prove the contract; the code is written for any number

    def __init__(self) -> None:
        # Like PyTorch's default generators: a nondeterministic seed, remembered.
        self.manual_seed(int.from_bytes(os.urandom(8), "little"))

    def device_count(self) -> int:
        return self.n_devices

    def device_name(self, index: int) -> str:
        return f"Minimal NumPy device {index}"

    def device_info(self, index: int) -> dict[str, Any]:
        return {"numpy": np.__version__}

    # -- memory and transfer ----------------------------------------------------------------
    def from_numpy(self, array: np.ndarray, index: int | None) -> MinArray:
        # Always a copy: device memory never aliases the caller's host array.
        return MinArray.adopt(np.array(array, order="C"), self._index(index))

    def to_numpy(self, native: MinArray) -> np.ndarray:
        return np.array(native.host(), order="C")

    def strides(self, native: MinArray) -> tuple[int, ...]:
        return native.stride

    def storage_offset(self, native: MinArray) -> int:
        return native.offset

    # -- randomness: one NumPy generator per device ------------------------------------------
    def manual_seed(self, seed: int) -> None:
        self.generators = [np.random.default_rng(seed) for _ in range(self.n_devices)]
        self._seed = seed

    def initial_seed(self, index: int | None) -> int:
        return self._seed

    def get_rng_state(self, index: int | None) -> Any:
        return self.generator_state(self.generators[self._index(index)])

    def set_rng_state(self, index: int | None, state: Any) -> None:
        self.set_generator_state(self.generators[self._index(index)], state)

    def new_generator(self, index: int | None, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def generator_state(self, native: np.random.Generator) -> Any:
        return native.bit_generator.state

    def set_generator_state(self, native: np.random.Generator, state: Any) -> None:
        native.bit_generator.state = state

    def kernels(self) -> dict[str, Any]:
        return kernels.table(self)

    def _index(self, index: int | None) -> int:
        return self.current_device() if index is None else index
