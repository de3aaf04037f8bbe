"""CudaBackend: NVIDIA GPUs through CuPy -- discovery, transfers, memory pool, RNG state.

CuPy is imported on first use (`availability`), never when tensorweave is imported. Kernels
run on CuPy's current stream of the current device, so work is queued and the host waits
only where a value must reach it (`to_numpy`, `synchronize`, `Tensor.item`). Memory comes
from CuPy's default memory pool; ``memory_allocated`` is the pool's used bytes and the peak
is tracked by the allocator hook below. Generators are `tensorweave.backend.Philox` states
(`CounterGenerators`), as on opencl. bfloat16 is CuPy's own where CuPy holds ml_dtypes'
bfloat16 (CuPy 14 on): core computes it in float32 and rounds, as on cpu, but for the GEMMs,
which cuBLAS runs on bfloat16 itself (`backend.bfloat16_kernel`).

The kernels were written without a GPU: they pass the conformance suite with NumPy standing
in for CuPy and their CUDA C compiled for the host (tests/unit/test_cuda_on_numpy.py), and
the CUDA C compiles with NVRTC, but they have not run on a GPU yet. Until a GPU run passes
the suite (``.ci/cuda-check``) the backend reports itself unavailable on a machine with a
GPU unless ``TENSORWEAVE_CUDA_UNVERIFIED=1`` is set.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tensorweave.backend import Backend, CounterGenerators

__all__ = ["CudaBackend", "OPT_IN"]

# CuPy ships one wheel per CUDA major version.
INSTALL_HINT = ('pip install -e ".[cuda]" (CuPy for CUDA 12: cupy-cuda12x; for CUDA 13: '
                "pip install cupy-cuda13x)")
OPT_IN = "TENSORWEAVE_CUDA_UNVERIFIED"


class CudaBackend(CounterGenerators, Backend):
    """Device type ``cuda``: ``cuda:N`` is CuPy's device N (CUDA's device order)."""

    name = "cuda"
    install_hint = INSTALL_HINT
    dlpack_device_type = 2  # kDLCUDA

    def __init__(self) -> None:
        self._checked: tuple[bool, str] | None = None
        self._count = 0
        self._peak = 0
        self._bfloat16: bool | None = None
        self._init_generators()

    # -- discovery -------------------------------------------------------------------------
    def availability(self) -> tuple[bool, str]:
        if self._checked is None:
            self._checked = self._check()
        return self._checked

    def _check(self) -> tuple[bool, str]:
        try:
            import cupy
        except ImportError as e:
            return False, f"CuPy is not installed ({e}); install it with {INSTALL_HINT}"
        except Exception as e:  # noqa: BLE001 - a broken CuPy/CUDA install must not stop a load
            return False, (f"CuPy fails to import ({type(e).__name__}: {e}); reinstall it "
                           f"with {INSTALL_HINT}")
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # noqa: BLE001 - CuPy raises its own CUDARuntimeError types
            return False, f"CuPy {cupy.__version__} finds no usable NVIDIA GPU or driver ({e})"
        if count == 0:
            return False, f"CuPy {cupy.__version__} finds no NVIDIA GPU"
        if os.environ.get(OPT_IN) != "1":
            names = ", ".join(self._name(cupy, i) for i in range(count))
            return False, (f"found {count} GPU(s) ({names}), but the CuPy kernels of this "
                           "version have not yet passed the conformance suite on a GPU; set "
                           f"{OPT_IN}=1 to use them anyway, or run on 'cpu' or 'opencl'")
        self._count = count
        cupy.cuda.set_allocator(self._allocator(cupy))
        return True, ""

    def _allocator(self, cupy: Any) -> Any:
        """CuPy's default pool, with the peak of its used bytes recorded on each allocation
        (CuPy keeps no peak; ``max_memory_allocated`` needs one)."""
        pool = cupy.get_default_memory_pool()

        def malloc(size: int) -> Any:
            mem = pool.malloc(size)
            used = pool.used_bytes()
            if used > self._peak:
                self._peak = used
            return mem
        return malloc

    @staticmethod
    def _name(cupy: Any, index: int) -> str:
        name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    def dtypes(self, index: int) -> tuple[Any, ...]:
        """Every real dtype; bfloat16 too where CuPy holds it (`_holds_bfloat16`)."""
        from tensorweave import dtypes as D

        if self._bfloat16 is None:
            self._bfloat16 = self.availability()[0] and self._holds_bfloat16()
        return tuple(d for d in D.ALL_AND_COMPLEX
                     if not d.is_complex and (d is not D.bfloat16 or self._bfloat16))

    @staticmethod
    def _holds_bfloat16() -> bool:
        """Whether CuPy makes an array of ml_dtypes' bfloat16: CuPy 14 on does, with NumPy
        2.1.2 or later; older ones refuse the dtype."""
        from tensorweave import dtypes as D

        if not D.HAS_BFLOAT16:
            return False
        import cupy

        try:
            return cupy.asarray(np.zeros(1, D.bfloat16.np)).dtype == D.bfloat16.np
        except Exception:  # noqa: BLE001 - CuPy's refusal is a ValueError or a TypeError
            return False

    def device_count(self) -> int:
        return self._count if self.availability()[0] else 0

    def device_name(self, index: int) -> str:
        import cupy

        return self._name(cupy, index)

    def device_info(self, index: int) -> dict[str, Any]:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(index)
        return {"compute_capability": f"{props['major']}.{props['minor']}",
                "multiprocessors": props["multiProcessorCount"],
                "global_memory_bytes": props["totalGlobalMem"], "cupy": cupy.__version__,
                "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion()}

    def set_current_device(self, index: int) -> None:
        import cupy

        super().set_current_device(index)
        cupy.cuda.Device(index).use()

    # -- memory and transfer ---------------------------------------------------------------
    def from_numpy(self, array: np.ndarray, index: int | None) -> Any:
        import cupy

        if not array.flags.c_contiguous:  # device storage is row-major, as views assume
            array = np.array(array, order="C")  # (ascontiguousarray makes 0-d arrays 1-d)
        with cupy.cuda.Device(self.current_device() if index is None else index):
            return cupy.asarray(array)

    def to_numpy(self, native: Any) -> np.ndarray:
        import cupy

        return cupy.asnumpy(native)

    def storage_offset(self, native: Any) -> int:
        from . import movement

        return movement.storage_offset(native)

    def from_dlpack(self, ext: Any, index: int) -> Any:
        import cupy

        with cupy.cuda.Device(index):
            return cupy.from_dlpack(ext)

    def synchronize(self, index: int | None) -> None:
        import cupy

        for i in range(self._count) if index is None else [index]:
            cupy.cuda.Device(i).synchronize()

    def empty_cache(self) -> None:
        import cupy

        cupy.get_default_memory_pool().free_all_blocks()

    def memory_stats(self, index: int | None) -> dict[str, int]:
        """CuPy's default pool, which serves every device: with one GPU, that device's."""
        import cupy

        pool = cupy.get_default_memory_pool()
        return {"allocated_bytes": int(pool.used_bytes()), "peak_allocated_bytes": self._peak,
                "reserved_bytes": int(pool.total_bytes())}

    # -- kernels ---------------------------------------------------------------------------
    def kernels(self) -> dict[str, Any]:
        """The CuPy kernel table; empty where cuda is unavailable (the kernel modules
        import CuPy, which must not happen on machines without it)."""
        if not self.availability()[0]:
            return {}
        from .kernels import table

        return table(self)
