"""The cuda backend's CUDA C (backends/cuda/cu/*.cu) without a GPU.

- It compiles with NVRTC for every instantiation the backend uses: NVRTC needs only CuPy's
  bindings and the library (``pip install cupy-cuda12x nvidia-cuda-nvrtc-cu12``); where
  they are missing (CI) that test skips with the reason.
- Its kernels compute what they should: compiled as C++ by the host compiler against
  tests/unit/cuda_on_host.hpp (cupy_on_numpy.RawModule: a block's threads are host threads
  meeting at a barrier), they run on NumPy arrays with the real block sizes and are checked
  against float64 NumPy, for Adam against the cpu backend's update float for float, and
  for Philox against the published known-answer vectors.
  Skips where there is no C++ compiler.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path

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


@pytest.mark.parametrize("name", sorted(cu.NAMES))
def test_the_kernels_compile_with_nvrtc_for_every_instantiation(name):
    nvrtc = _nvrtc()
    prog = nvrtc.createProgram(cu.source(name), name, [], [])
    for expression in cu.NAMES[name]:
        nvrtc.addNameExpression(prog, expression)
    try:
        # With the options CuPy's RawModule adds (CuPy 14) for an H100/H200 (sm_90).
        nvrtc.compileProgram(prog, ["-arch=compute_90", "-ftz=true",
                                    "--device-as-default-execution-space", *cu.OPTIONS])
    except nvrtc.NVRTCError:
        pytest.fail(nvrtc.getProgramLog(prog))
    assert all(nvrtc.getLoweredName(prog, e).startswith("_Z") for e in cu.NAMES[name])


@pytest.fixture(scope="module")
def host():
    """A kernel of fused.cu or random.cu built for the host (see cupy_on_numpy.RawModule)."""
    if cupy_on_numpy.host_compiler() is None:
        pytest.skip("no C++ compiler (g++ or clang++) to build the CUDA C for the host")
    modules = {name: cupy_on_numpy.RawModule(code=cu.source(name), name_expressions=names)
               for name, names in cu.NAMES.items()}
    return lambda expression: next(m.get_function(expression) for m in modules.values()
                                   if expression in m.names)


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


def test_philox_matches_the_published_known_answers(host):
    # Random123's known answer for philox4x32-10: counter (0, 0, 0, 0) under key (0, 0)
    # gives words 6627e8d5 e169c58d bc57ac4c 9b00dbd8. Our counter's words 2 and 3 are the
    # constants 0x243F6A88, 0x85A308D3, so the check runs the kernel with those set to zero
    # and reads words 0 and 1 back from randint64 over the whole 64-bit range.

    body = cu.source("random.cu")
    zeroed = re.sub(r"c2 = 0x243F6A88u,\s*c3 = 0x85A308D3u", "c2 = 0u, c3 = 0u", body)
    assert zeroed != body
    module = cupy_on_numpy.RawModule(code=zeroed, name_expressions=["randint64"])
    out = np.empty(1, np.int64)
    module.get_function("randint64")((1,), (1,), (out, np.int64(1), np.uint32(0),
                                                   np.uint32(0), np.uint64(0), np.int64(0),
                                                   np.uint64((1 << 64) - 1)), threads=1)
    assert int(out[0]) & ((1 << 64) - 1) == 0x6627E8D5E169C58D


def test_random_kernels_draw_in_range_with_the_right_moments(host):
    n = 20000
    k0, k1 = np.uint32(1234), np.uint32(5678)
    for bits, dtype in ((11, np.float32), (24, np.float32), (53, np.float64)):
        u = np.empty(n, dtype)
        host(f"rand_unit<{bits},false>")((4,), (32,), (u, np.int64(n), k0, k1, np.uint64(7)),
                                          threads=32)
        assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
        assert np.all(u * 2.0 ** bits == np.floor(u * 2.0 ** bits))  # exact multiples
        z = np.empty(n, dtype)
        host(f"randn_unit<{bits}>")((4,), (32,), (z, np.int64(n), k0, k1, np.uint64(7)),
                                     threads=32)
        assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    r = np.empty(n, np.int64)
    host("randint64")((4,), (32,), (r, np.int64(n), k0, k1, np.uint64(0), np.int64(-3),
                                    np.uint64(7)), threads=32)
    assert set(np.unique(r)) == set(range(-3, 4))


_ROOTS = {"cp": "cupy", "cupy": "cupy", "cupyx": "cupyx", "special": "cupyx.scipy.special"}


@functools.lru_cache(maxsize=None)
def _trees() -> tuple[ast.AST, ...]:
    """The parsed modules of backends/cuda."""
    return tuple(ast.parse(p.read_text())
                 for p in sorted(Path(cu.__file__).parent.parent.glob("*.py")))


def _cupy_uses() -> list[tuple[str, ast.AST]]:
    """Every ``cp.``/``cupy.``, ``cupyx.`` and ``special.`` name the cuda backend's modules
    use, as a dotted path from ``cupy`` / ``cupyx`` / ``cupyx.scipy.special``, with its node."""
    found = []
    for tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            parts, base = [], node
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in _ROOTS:
                found.append((".".join([_ROOTS[base.id], *reversed(parts)]), node))
    return found


def _resolve(name: str):
    module = next(m for m in ("cupyx.scipy.special", "cupyx", "cupy")
                  if name == m or name.startswith(m + "."))
    obj = importlib.import_module(module)
    for part in name[len(module) + 1:].split(".") if name != module else []:
        obj = getattr(obj, part)
    return obj


def test_every_cupy_name_the_backend_uses_exists_in_cupy():
    # The NumPy stand-in answers any name NumPy has; this checks that CuPy has them.
    pytest.importorskip("cupy", reason="CuPy is not installed here")
    missing = []
    for name in sorted({n for n, _ in _cupy_uses()}):
        try:
            _resolve(name)
        except AttributeError:
            missing.append(name)
    assert _cupy_uses() and missing == []


def test_every_cupy_call_fits_its_signature():
    # Calls with Python signatures (CuPy's ufuncs have none) bind their positional count and
    # keyword names: a NumPy-only keyword would pass the stand-in and fail on CuPy.
    import inspect

    pytest.importorskip("cupy", reason="CuPy is not installed here")
    calls = {id(node.func): node for tree in _trees() for node in ast.walk(tree)
             if isinstance(node, ast.Call)}
    wrong, checked = [], 0
    for name, node in _cupy_uses():
        call = calls.get(id(node))
        if call is None or any(isinstance(a, ast.Starred) for a in call.args) or \
                any(k.arg is None for k in call.keywords):
            continue
        try:
            sig = inspect.signature(_resolve(name))
        except (TypeError, ValueError):
            continue
        try:
            sig.bind(*range(len(call.args)), **{k.arg: None for k in call.keywords})
            checked += 1
        except TypeError as e:
            wrong.append(f"{name} (line {call.lineno}): {e}")
    assert checked > 20 and wrong == []
