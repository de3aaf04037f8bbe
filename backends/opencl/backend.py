"""OpenCLBackend: device discovery, transfers, synchronization, memory statistics, RNG state.

Device order (``opencl:N``): platforms in the order the OpenCL ICD loader lists them, and
each platform's devices in its own order. A device whose compiler cannot build a trivial
kernel (a PoCL whose LLVM does not know the host CPU, for one) is left out and named in
`device_info`/the availability reason, so ``opencl:N`` always runs kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorweave.backend import Backend, CounterGenerators

from .array import ClArray

__all__ = ["OpenCLBackend"]

_PROBE = "__kernel void probe(__global int *x) { x[get_global_id(0)] += 1; }"


class OpenCLBackend(CounterGenerators, Backend):
    """OpenCL devices through PyOpenCL; kernels are the .cl files in ``cl/``."""

    name = "opencl"
    install_hint = 'pip install -e ".[opencl]"'

    def __init__(self) -> None:
        self._found: tuple[bool, str] | None = None
        self._devices: list[tuple[Any, Any]] = []  # (platform, device) in opencl:N order
        self._skipped: list[str] = []
        self._runtimes: dict[int, Any] = {}
        self._init_generators()

    # -- discovery -------------------------------------------------------------------------
    def availability(self) -> tuple[bool, str]:
        if self._found is None:
            self._found = self._discover()
        return self._found

    def _discover(self) -> tuple[bool, str]:
        try:
            import pyopencl as cl
        except ImportError as e:
            return False, (f"pyopencl is not importable ({e}); install the opencl extra: "
                           f"{self.install_hint}")
        try:
            platforms = cl.get_platforms()
        except cl.Error as e:
            return False, (f"no OpenCL platform found ({e}); install a driver, e.g. PoCL via "
                           f"{self.install_hint}")
        for p in platforms:
            try:
                devices = p.get_devices()
            except cl.Error:
                continue
            for d in devices:
                problem = self._probe(cl, d)
                if problem:
                    self._skipped.append(f"{d.name} on {p.name}: {problem}")
                else:
                    self._devices.append((p, d))
        if not self._devices:
            why = "; ".join(self._skipped) or "the platforms list no devices"
            return False, (f"no usable OpenCL device ({why}). Install a working OpenCL driver "
                           f"(PoCL: {self.install_hint}, or your distribution's "
                           "pocl-opencl-icd)")
        return True, ""

    @staticmethod
    def _probe(cl: Any, device: Any) -> str:
        try:
            ctx = cl.Context([device])
            cl.Program(ctx, _PROBE).build()
        except Exception as e:  # noqa: BLE001 - any failure means the device is unusable
            lines = [ln for ln in str(e).splitlines() if "error" in ln.lower()]
            return (lines[-1] if lines else str(e)).strip()[:200]
        return ""

    def device_count(self) -> int:
        return len(self._devices) if self.availability()[0] else 0

    def device_name(self, index: int) -> str:
        return self._devices[index][1].name.strip()

    def device_info(self, index: int) -> dict[str, Any]:
        p, d = self._devices[index]
        ext = d.extensions.split()
        info = {"platform": p.name.strip(), "platform_version": p.version.strip(),
                "device": d.name.strip(), "compute_units": d.max_compute_units,
                "global_memory_bytes": d.global_mem_size,
                "local_memory_bytes": d.local_mem_size,
                "fp16": "cl_khr_fp16" in ext, "fp64": "cl_khr_fp64" in ext,
                # float16 tensors are stored as half and computed in float (vload_half),
                # which needs no extension.
                "float16_tensors": True, "float64_tensors": "cl_khr_fp64" in ext}
        if self._skipped:
            info["skipped_devices"] = list(self._skipped)
        return info

    def dtypes(self, index: int) -> tuple[Any, ...]:
        """Every real dtype (bfloat16 when ml_dtypes is installed), less float64 on a device
        without cl_khr_fp64."""
        from tensorweave import dtypes as D

        fp64 = "cl_khr_fp64" in self._devices[index][1].extensions.split()
        return tuple(d for d in D.ALL_AND_COMPLEX if not d.is_complex
                     and (d is not D.bfloat16 or D.HAS_BFLOAT16) and (fp64 or d is not D.float64))

    def runtime(self, index: int | None) -> Any:
        i = 0 if index is None else index
        rt = self._runtimes.get(i)
        if rt is None:
            import pyopencl as cl

            from .runtime import Runtime

            rt = self._runtimes[i] = Runtime(cl, self._devices[i][1], i)
        return rt

    # -- memory and transfer -----------------------------------------------------------------
    def from_numpy(self, array: np.ndarray, index: int | None) -> ClArray:
        return self.runtime(index).from_host(array)

    def to_numpy(self, native: ClArray) -> np.ndarray:
        if native.size and not native.is_contiguous():
            from .movement import clone

            native = clone(native)
        return native.rt.to_host(native)

    def strides(self, native: ClArray) -> tuple[int, ...]:
        return native.elem_strides

    def storage_offset(self, native: ClArray) -> int:
        return native.offset

    def synchronize(self, index: int | None) -> None:
        rts = self._runtimes.values() if index is None else [self.runtime(index)]
        for rt in rts:
            rt.finish()

    def memory_stats(self, index: int | None) -> dict[str, int]:
        rt = self.runtime(index)
        return {"allocated_bytes": int(rt.pool.active_bytes),
                "peak_allocated_bytes": int(rt.peak),
                "reserved_bytes": int(rt.pool.managed_bytes)}

    # -- kernels ---------------------------------------------------------------------------------
    def kernels(self) -> dict[str, Any]:
        from .kernels import table

        return table(self)
