"""Behaviour specific to the opencl backend: discovery, strided storage without copies,
program caching, memory statistics, Philox reproducibility and dtype errors.

Tests that need a working OpenCL device skip with the backend's own reason without one;
the availability tests run everywhere.
"""

from __future__ import annotations

import builtins
import sys

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.backends.opencl import OpenCLBackend
from tensorweave.plugin.manager import get_registry


def _backend() -> OpenCLBackend:
    be = get_registry().backends.get("opencl")
    if be is None:
        pytest.skip("the opencl plugin is not installed (entry point missing)")
    ok, reason = be.availability()
    if not ok:
        pytest.skip(f"opencl unavailable: {reason}")
    return be


def test_missing_pyopencl_is_a_reason_with_the_install_hint(monkeypatch):
    """Without pyopencl the backend is unavailable and says which extra installs it."""
    real_import = builtins.__import__

    def no_pyopencl(name, *args, **kwargs):
        if name == "pyopencl" or name.startswith("pyopencl."):
            raise ImportError("No module named 'pyopencl'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "pyopencl", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pyopencl)
    ok, reason = OpenCLBackend().availability()
    assert not ok
    assert "pyopencl" in reason and 'pip install -e ".[opencl]"' in reason


def test_importing_the_plugin_does_not_import_pyopencl():
    """The plugin module loads (entry points are read at import) with no OpenCL installed."""
    import subprocess

    code = ("import sys, tensorweave.backends.opencl as m; "
            "print('pyopencl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_device_info_names_platform_memory_and_float_support():
    be = _backend()
    info = be.device_info(0)
    for key in ("platform", "device", "compute_units", "global_memory_bytes", "fp16", "fp64"):
        assert key in info
    assert info["compute_units"] >= 1 and info["global_memory_bytes"] > 0
    assert be.device_count() >= 1
    assert tw.device("opencl:0") == tw.zeros(1, device="opencl").device


def test_views_share_the_buffer_and_writes_through_them_show():
    """Slices, transposes and expands are windows on one buffer; in-place ops write it."""
    _backend()
    x = tw.arange(12, dtype=tw.float32, device="opencl:0").reshape(3, 4)
    t, s, e = x.T, x[1:, ::2], x[0].expand(5, 4)
    for v in (t, s, e):
        assert v._data.buffer is x._data.buffer
    assert s.storage_offset() == 4 and s.stride() == (4, 2)
    s.mul_(10)
    want = np.arange(12, dtype=np.float32).reshape(3, 4)
    want[1:, ::2] *= 10
    np.testing.assert_array_equal(x.cpu().numpy(), want)
    np.testing.assert_array_equal(t.cpu().numpy(), want.T)


def test_overlapping_copy_through_views_matches_cpu():
    """x[1:] = x[:-1] reads the source before writing, as NumPy and PyTorch do."""
    _backend()
    for dev in ("cpu", "opencl:0"):
        x = tw.arange(6, device=dev)
        x[1:] = x[:-1]
        np.testing.assert_array_equal(x.cpu().numpy(), [0, 0, 1, 2, 3, 4])


def test_programs_are_built_once_per_process():
    be = _backend()
    rt = be.runtime(0)
    a = tw.ones(3, device="opencl:0")
    _ = a + a
    n = len(rt._programs)
    for _ in range(3):
        _ = a * a + a - 2
    assert len(rt._programs) == n


def test_memory_stats_track_allocations_and_peak():
    be = _backend()
    before = tw.zeros(1, device="opencl:0")._backend().memory_stats(0)
    big = tw.zeros(1 << 20, device="opencl:0")
    stats = be.memory_stats(0)
    assert stats["allocated_bytes"] >= before["allocated_bytes"] + 4 * (1 << 20)
    assert stats["peak_allocated_bytes"] >= stats["allocated_bytes"]
    del big


def test_manual_seed_reproduces_every_random_op():
    _backend()
    draws = []
    for _ in range(2):
        tw.manual_seed(7)
        draws.append([tw.rand(100, device="opencl:0").cpu().numpy(),
                      tw.randn(100, device="opencl:0").cpu().numpy(),
                      tw.randint(0, 9, (50,), device="opencl:0").cpu().numpy(),
                      tw.randperm(30, device="opencl:0").cpu().numpy()])
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(draws[0][0][:50], draws[0][0][50:])


def test_generator_state_round_trips():
    _backend()
    g = tw.Generator("opencl:0").manual_seed(3)
    tw.rand(10, generator=g, device="opencl:0")
    state = g.get_state()
    a = tw.rand(10, generator=g, device="opencl:0").cpu().numpy()
    g.set_state(state)
    b = tw.rand(10, generator=g, device="opencl:0").cpu().numpy()
    np.testing.assert_array_equal(a, b)


def test_float64_without_fp64_names_the_device_and_extension():
    be = _backend()
    rt = be.runtime(0)
    saved = rt.fp64
    rt.fp64 = False
    try:
        with pytest.raises(TypeError, match="cl_khr_fp64") as e:
            tw.zeros(2, dtype=tw.float64, device="opencl:0")
        assert "opencl:0" in str(e.value)
    finally:
        rt.fp64 = saved


def test_integer_division_by_zero_raises_like_cpu():
    _backend()
    a = tw.tensor([1, 2], device="opencl:0")
    with pytest.raises(RuntimeError, match="division by zero"):
        a // tw.tensor([1, 0], device="opencl:0")


@pytest.mark.parametrize("dtype", [tw.float16, tw.float32, tw.float64, tw.int32])
def test_matmul_vector_and_tiled_paths_match_numpy(dtype):
    """Row-major right operands with 16k or 8k columns take a vector kernel, others the tiled;
    both handle ragged rows, batch broadcasting and strided left operands."""
    _backend()
    rng = np.random.default_rng(0)
    cases = [((13, 24), (24, 16)), ((2, 5, 7), (7, 8)), ((3, 1, 9, 4), (2, 4, 32)),
             ((6, 5), (5, 9)), ((1, 3), (3, 8)), ((4, 2, 3), (4, 3, 24))]
    for sa, sb in cases:
        a = rng.integers(-3, 4, sa).astype(dtype.np)
        b = rng.integers(-3, 4, sb).astype(dtype.np)
        want = np.matmul(a.astype(np.float64), b.astype(np.float64))
        got = tw.tensor(a, device="opencl:0") @ tw.tensor(b, device="opencl:0")
        np.testing.assert_allclose(got.cpu().numpy().astype(np.float64), want, rtol=1e-3)
        bt = tw.tensor(np.ascontiguousarray(b.swapaxes(-1, -2)), device="opencl:0")
        got_t = tw.tensor(a, device="opencl:0") @ bt.transpose(-1, -2)
        np.testing.assert_allclose(got_t.cpu().numpy().astype(np.float64), want, rtol=1e-3)
