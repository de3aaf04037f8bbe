"""The cuda backend's kernels, run with NumPy standing in for CuPy (tests/unit/cupy_on_numpy.py).

No GPU is needed: the whole conformance suite runs on ``cuda:0`` with the stand-in, which
checks the Python side of every kernel -- what CuPy calls it makes, with which shapes,
strides and dtypes -- and runs the CUDA C kernels compiled for the host (so it skips where
there is no C++ compiler). Running them on a GPU needs one (``tox -e cuda``,
``.ci/cuda-check``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import cupy_on_numpy
import numpy as np
import pytest

import tensorweave as tw
import tensorweave.backends.cuda as _cuda
from tensorweave.conformance import suite
from tensorweave.conformance.suite import GROUPS, supports
from tensorweave.ops._opdef import PRIMITIVE
from tensorweave.plugin.manager import load

# The backend's modules that import CuPy: all but `backend` and the CuPy-free `cu`.
_KERNEL_MODULES = tuple(m.name for m in pkgutil.iter_modules(_cuda.__path__)
                        if m.name not in ("backend", "cu"))


@pytest.fixture(scope="module")
def cuda():
    """Registry with the cuda backend available on the stand-in, for one module. The kernel
    modules are imported afresh against it (and put back afterwards, should a real CuPy
    have imported them)."""
    if cupy_on_numpy.host_compiler() is None:
        pytest.skip("no C++ compiler (g++ or clang++) to run the CUDA C on the host")
    from tensorweave.backends.cuda import backend

    mp = pytest.MonkeyPatch()
    for name, module in cupy_on_numpy.install().items():
        mp.setitem(sys.modules, name, module)
    for name in _KERNEL_MODULES:
        mp.delitem(sys.modules, f"{_cuda.__name__}.{name}", raising=False)
        mp.delattr(_cuda, name, raising=False)
    movement = importlib.import_module(f"{_cuda.__name__}.movement")
    mp.setenv(backend.OPT_IN, "1")
    mp.setattr(movement, "storage_offset", cupy_on_numpy.offset_in_base)
    mp.setitem(movement.KERNELS, "as_strided", cupy_on_numpy.strided_view)
    reg = load()
    for op in reg.ops.values():
        if "cuda" in op.kernels:
            op.kernels["cuda"] = cupy_on_numpy.adapt(op.kernels["cuda"])
    yield reg
    for name in _KERNEL_MODULES:  # the modules bound to the stand-in
        sys.modules.pop(f"{_cuda.__name__}.{name}", None)
        if hasattr(_cuda, name):
            delattr(_cuda, name)
    mp.undo()
    load()


@pytest.mark.parametrize("group", GROUPS)
def test_the_conformance_suite_passes(cuda, group):
    results = suite.run("cuda:0", groups=[group])
    failed = [f"{r.op}:{r.dtype}:{r.check}: {r.detail} (error {r.error:g})"
              for r in results if not r.passed]
    assert results and not failed, "\n".join(failed[:40])


def test_every_primitive_has_a_cuda_kernel(cuda):
    missing = [op.name for op in cuda.ops.values()
               if op.kind is PRIMITIVE and "cuda" not in op.kernels
               and cuda.backends["cuda"].needs_kernel(op)]
    assert missing == []


def test_tw_cuda_reports_the_device(cuda):
    assert tw.cuda.is_available() and tw.cuda.device_count() == 1
    assert tw.cuda.get_device_name(0) == "NumPy stand-in" and tw.cuda.current_device() == 0
    x = tw.arange(6.0).reshape(2, 3).cuda()
    assert x.device == tw.device("cuda:0")
    np.testing.assert_array_equal((x * 2).cpu().numpy(), np.arange(6.0).reshape(2, 3) * 2)
    assert tw.nn.Linear(3, 2).cuda().weight.device == tw.device("cuda:0")


def test_generator_states_replay_draws(cuda):
    tw.manual_seed(7)
    a = tw.rand(5, device="cuda").cpu().numpy()
    b = tw.rand(5, device="cuda").cpu().numpy()
    assert not np.array_equal(a, b)  # each draw uses the next key
    tw.manual_seed(7)
    np.testing.assert_array_equal(tw.rand(5, device="cuda").cpu().numpy(), a)
    g = tw.Generator(device="cuda").manual_seed(3)
    saved = g.get_state()
    first = tw.randn(4, generator=g, device="cuda").cpu().numpy()
    g.set_state(saved)
    np.testing.assert_array_equal(tw.randn(4, generator=g, device="cuda").cpu().numpy(), first)


def test_bench_adds_the_gpu_workloads_on_cuda(cuda):
    from tensorweave import bench

    fns = {w.name: w.fns for w in bench._workloads("cuda", on_cpu=False)}
    for dt in ("float16", "bfloat16"):
        gemm = fns[f"matmul 4096x4096 {dt} (waits for the result)"]
        assert gemm["tensorweave"] is not None and gemm["cpu"] is None and gemm["numpy"] is None
    assert fns["CNN train step (3x32x32, b1024, Adam)"]["cpu"] is None
    assert "CNN train step (3x32x32, b1024, Adam)" not in \
        {w.name for w in bench._workloads("cpu", on_cpu=True)}
    (row,) = bench.run("cuda", rounds=1, only="add 1-elem float32 (no grad)")
    assert row["tensorweave"] > 0 and row["torch_device"] == "cpu"  # no CUDA PyTorch here


def test_bfloat16_is_listed_where_cupy_holds_it(cuda, monkeypatch):
    pytest.importorskip("ml_dtypes")
    assert supports("cuda", tw.bfloat16)  # the stand-in's arrays are NumPy's: it holds it
    cupy, be = sys.modules["cupy"], type(cuda.backends["cuda"])()
    refuse = lambda a: (_ for _ in ()).throw(ValueError(f"Unsupported dtype {a.dtype}"))  # noqa: E731
    monkeypatch.setattr(cupy, "asarray", refuse)  # as CuPy 13 does
    assert tw.bfloat16 not in be.dtypes(0) and tw.float16 in be.dtypes(0)


def test_bfloat16_matmul_gives_its_operands_to_the_gemm(cuda, monkeypatch):
    """cuBLAS's bfloat16 GEMM gets the bfloat16 arrays (not core's float32 copies) and its
    result is the float32 sums rounded once; under autograd it is PyTorch's MatmulBackward0."""
    pytest.importorskip("ml_dtypes")
    seen = []
    kernel = cuda.ops["matmul"].kernels["cuda"]
    assert kernel.takes_bfloat16

    def spy(a, b):
        seen.append((a.dtype, b.dtype))
        return kernel(a, b)
    spy.takes_bfloat16 = True
    monkeypatch.setitem(cuda.ops["matmul"].kernels, "cuda", spy)
    rng = np.random.default_rng(0)
    na, nb = rng.standard_normal((5, 33)), rng.standard_normal((33, 4))
    a = tw.tensor(na, dtype=tw.bfloat16, device="cuda", requires_grad=True)
    b = tw.tensor(nb, dtype=tw.bfloat16, device="cuda")
    out = a @ b
    bf16 = np.dtype(tw.bfloat16.np)
    assert seen == [(bf16, bf16)] and out.dtype is tw.bfloat16
    assert out.grad_fn.name() == "MatmulBackward0"
    want = (na.astype(bf16).astype(np.float32) @ nb.astype(bf16).astype(np.float32)).astype(bf16)
    np.testing.assert_array_equal(out.detach().cpu().numpy(), want)
    out.sum().backward()
    assert a.grad.dtype is tw.bfloat16  # and the backward's GEMMs took bfloat16 too:
    assert len(seen) > 1 and set(seen) == {(bf16, bf16)}


def test_equal_generator_states_draw_what_opencl_draws(cuda):
    if not tw.opencl.is_available():
        pytest.skip("opencl is unavailable here, so there is nothing to compare with")

    def draws(device):
        g = tw.Generator(device=device).manual_seed(2**40 + 11)
        return [tw.rand(100, generator=g, device=device),
                tw.rand(7, dtype=tw.float16, generator=g, device=device),
                tw.rand(9, dtype=tw.float64, generator=g, device=device),
                tw.randint(-5, 5, (50,), generator=g, device=device),
                tw.randperm(30, generator=g, device=device),
                tw.multinomial(tw.tensor([0.1, 0.0, 0.6, 0.3], device=device), 3,
                               generator=g),
                tw.randn(64, generator=g, device=device),
                tw.randn(8, dtype=tw.float64, generator=g, device=device)]

    ours, theirs = draws("cuda"), draws("opencl")
    if supports("cuda", tw.bfloat16) and supports("opencl", tw.bfloat16):
        bf16 = [tw.rand(40, dtype=tw.bfloat16, generator=tw.Generator(device=d).manual_seed(5),
                        device=d) for d in ("cuda", "opencl")]
        ours.insert(0, bf16[0])
        theirs.insert(0, bf16[1])
    for a, b in zip(ours[:-2], theirs[:-2]):  # the same bits to the same values
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    for a, b in zip(ours[-2:], theirs[-2:]):  # Box-Muller: libm's log and cos differ in ulps
        np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), rtol=1e-5, atol=1e-6)
