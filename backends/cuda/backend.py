"""CudaBackend: discovery of NVIDIA GPUs through CuPy, and why cuda cannot run here.

The CuPy kernels are not part of this version: they must be written and verified on a GPU
(no session building this one had one), and a backend whose every op would fail is worse
than one that says it is unavailable. So with CuPy and a GPU present the backend still
reports itself unavailable, naming the devices it found and what to use instead.
"""

from __future__ import annotations

from typing import Any

from tensorweave.backend import Backend

# CuPy ships one wheel per CUDA major version.
INSTALL_HINT = ('pip install -e ".[cuda]" (CuPy for CUDA 12: cupy-cuda12x; for CUDA 13: '
                "pip install cupy-cuda13x)")


class CudaBackend(Backend):
    """Device type ``cuda``; see the module docstring for what it can do in this version."""

    name = "cuda"
    install_hint = INSTALL_HINT

    def __init__(self) -> None:
        self._checked: tuple[bool, str] | None = None

    def availability(self) -> tuple[bool, str]:
        if self._checked is None:
            self._checked = self._check()
        return self._checked

    @staticmethod
    def _check() -> tuple[bool, str]:
        try:
            import cupy
        except ImportError as e:
            return False, f"CuPy is not installed ({e}); install it with {INSTALL_HINT}"
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # noqa: BLE001 - CuPy raises its own CUDARuntimeError types
            return False, f"CuPy {cupy.__version__} finds no usable NVIDIA GPU or driver ({e})"
        if count == 0:
            return False, f"CuPy {cupy.__version__} finds no NVIDIA GPU"
        names = ", ".join(cupy.cuda.runtime.getDeviceProperties(i)["name"].decode()
                          for i in range(count))
        return False, (f"found {count} GPU(s) ({names}), but this version of tensorweave has "
                       "no CuPy kernels yet; run on 'cpu' or 'opencl' instead")

    def device_count(self) -> int:
        return 0

    def kernels(self) -> dict[str, Any]:
        return {}
