"""The cuda backend's CUDA C (backends/cuda/cu/fused.cu) without a GPU.

- It compiles with NVRTC for every dtype the backend instantiates: NVRTC needs only CuPy's
  bindings and the library (``pip install cupy-cuda12x nvidia-cuda-nvrtc-cu12``); where
  they are missing (CI) that test skips with the reason.
- Its kernels compute what they should: compiled as C++ by the host compiler against
  tests/unit/cuda_on_host.hpp (cupy_on_numpy.RawModule: a block's threads are host threads
  meeting at a barrier), they run on NumPy arrays with the real block sizes and are checked
  against float64 NumPy and, for Adam, against the cpu backend's update float for float.
  Skips where there is no C++ compiler.
"""

from __future__ import annotations

import cupy_on_numpy
import numpy as np
import pytest

from tensorweave.backends.cpu.optim import adam_update as cpu_adam_update
from tensorweave.backends.cuda import cu

CTYPES = {np.float32: "float", np.float64: "double"}


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception as e:  # noqa: BLE001 - ImportError, or the library failing to load
        pytest.skip(f"CuPy's NVRTC is not usable here ({type(e).__name__}: {e})")
    return nvrtc


def test_the_fused_kernels_compile_with_nvrtc_for_every_dtype():
    nvrtc = _nvrtc()
    prog = nvrtc.createProgram(cu.source(), "fused.cu", [], [])
    for name in cu.FUSED:
        nvrtc.addNameExpression(prog, name)
    try:
        nvrtc.compileProgram(prog, ["-arch=compute_80", *cu.OPTIONS])
    except nvrtc.NVRTCError:
        pytest.fail(nvrtc.getProgramLog(prog))
    assert all(nvrtc.getLoweredName(prog, name).startswith("_Z") for name in cu.FUSED)


@pytest.fixture(scope="module")
def host():
    """fused.cu's kernels built for the host (see cupy_on_numpy.RawModule)."""
    if cupy_on_numpy.host_compiler() is None:
        pytest.skip("no C++ compiler (g++ or clang++) to build the CUDA C for the host")
    module = cupy_on_numpy.RawModule(code=cu.source(), name_expressions=cu.FUSED)
    return module.get_function


def _softmax_ref(x: np.ndarray, log: bool) -> np.ndarray:
    a = x.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = a - a.max(axis=-1, keepdims=True)
        return s - np.log(np.exp(s).sum(-1, keepdims=True)) if log else \
            np.exp(s) / np.exp(s).sum(-1, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("block", [256, 4])  # 4: more columns than threads (strided loops)
def test_softmax_rows(host, dtype, log, block):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((5, 37)) * 8).astype(dtype)
    x[1, 3] = np.nan  # NaN spreads over its row
    x[2, :] = -np.inf  # a row of -inf is NaN, as in NumPy and PyTorch
    x[3, 7] = np.inf
    out = np.empty_like(x)
    kernel = host(f"softmax_rows<{CTYPES[dtype]},{'true' if log else 'false'}>")
    kernel((5,), (block,), (x, out, np.int64(37)), threads=block)
    want = _softmax_ref(x, log)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)
    assert np.isnan(out[1]).all() and np.isnan(out[2]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_rows(host, dtype, affine):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((4, 300)) * 3 + 5).astype(dtype)
    w, b = (rng.standard_normal(300).astype(dtype) for _ in range(2))
    y = np.empty_like(x)
    host(f"layer_norm_rows<{CTYPES[dtype]}>")(
        (4,), (64,), (x, w, b, y, np.int64(300), np.float64(1e-5), np.int32(affine),
                      np.int32(affine)), threads=64)
    a = x.astype(np.float64)
    want = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5)
    if affine:
        want = want * w + b
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta1", [0.9, 0.3])  # both sides of lerp's two formulas
def test_adam_update_matches_the_cpu_backend_float_for_float(host, dtype, beta1):
    rng = np.random.default_rng(2)
    n = 1000
    p, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = rng.random(n).astype(dtype)
    params = dict(beta1=beta1, beta2=0.999, eps=1e-8, step_size=0.01,
                  bias_correction2_sqrt=0.3)
    want = cpu_adam_update(p.copy(), g, m.copy(), v.copy(), **params)
    # 3 blocks of 32 threads: each thread strides over the grid several times.
    host(f"adam_update<{CTYPES[dtype]}>")(
        (3,), (32,), (p, g, m, v, np.int64(n),
                      *(np.float64(params[k]) for k in ("beta1", "beta2", "eps", "step_size",
                                                        "bias_correction2_sqrt"))),
        threads=32)
    for got, ref in zip((p, m, v), want):
        np.testing.assert_array_equal(got, ref)
