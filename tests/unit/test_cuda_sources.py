"""The cuda backend's CUDA C compiles: NVRTC needs no GPU, only CuPy's NVRTC bindings and
the NVRTC library (``pip install cupy-cuda12x nvidia-cuda-nvrtc-cu12``); where they are
missing (CI) the test skips with that reason. Running the kernels needs a GPU."""

from __future__ import annotations

import pytest


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception as e:  # noqa: BLE001 - ImportError, or the library failing to load
        pytest.skip(f"CuPy's NVRTC is not usable here ({type(e).__name__}: {e})")
    return nvrtc


def test_the_fused_kernels_compile_for_every_dtype():
    nvrtc = _nvrtc()
    from tensorweave.backends.cuda import fused

    prog = nvrtc.createProgram(fused.source(), "fused.cu", [], [])
    for name in fused.NAMES:
        nvrtc.addNameExpression(prog, name)
    try:
        nvrtc.compileProgram(prog, ["-arch=compute_80", *fused.OPTIONS])
    except nvrtc.NVRTCError:
        pytest.fail(nvrtc.getProgramLog(prog))
    assert all(nvrtc.getLoweredName(prog, name).startswith("_Z") for name in fused.NAMES)
