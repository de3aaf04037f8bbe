"""A stand-in for CuPy made of NumPy, so the cuda backend's kernels run where there is no GPU.

CuPy mirrors NumPy's API, and the cuda backend uses it only where the two agree, so with
these modules in ``sys.modules`` as ``cupy``/``cupyx`` the backend's Python kernels run on
the host and the conformance suite checks their logic (shapes, strides, dtypes, edge cases,
generator state). Where this differs from a GPU run:

- the CUDA C kernels (``cu/*.cu``) are compiled as C++ for the host (`RawModule`;
  cuda_on_host.hpp supplies the CUDA parts, and ``-ffp-contract=off`` matches NVRTC's
  ``--fmad=false``) and run with at most `HOST_THREADS` threads a block, which kernels
  written with strided loops do not notice; test_cuda_sources.py compiles them with NVRTC
  where CuPy is installed;
- `as_strided`/`storage_offset` address CuPy's allocations (``x.data.mem``); here
  `strided_view`/`offset_in_base` do the same with NumPy's ``base``;
- any NumPy name answers for CuPy here; test_cuda_sources.py checks the names and call
  signatures against CuPy itself.

`install` returns the modules to put in ``sys.modules``; `adapt` wraps a kernel so that
NumPy's habit of returning scalars from 0-d arithmetic (CuPy returns 0-d arrays) does not
leak out.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import math
import shutil
import subprocess
import tempfile
import types
from pathlib import Path
from typing import Any, Callable

import numpy as np
from numpy.lib import stride_tricks


class _Device:
    def __init__(self, index: int | None = None) -> None:
        self.id = 0 if index is None else index

    def __enter__(self) -> _Device:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def use(self) -> None:
        pass

    def synchronize(self) -> None:
        pass


class _Pool:
    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_all_blocks(self) -> None:
        pass


HOST_THREADS = 2
_HEADER = Path(__file__).with_name("cuda_on_host.hpp")
_ARG_TYPES = {np.dtype(np.int32): ctypes.c_int, np.dtype(np.int64): ctypes.c_longlong,
              np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double,
              np.dtype(np.uint32): ctypes.c_uint, np.dtype(np.uint64): ctypes.c_ulonglong}


def host_compiler() -> str | None:
    return shutil.which("g++") or shutil.which("clang++")


class RawModule:
    """cupy.RawModule for the host: ``code`` and an extern "C" entry point per name in
    ``name_expressions`` compiled by the host C++ compiler (cached by content)."""

    def __init__(self, code: str, options: tuple[str, ...] = (),
                 name_expressions: list[str] | tuple[str, ...] = ()) -> None:
        cxx = host_compiler()
        if cxx is None:
            raise RuntimeError("no C++ compiler (g++ or clang++) to run CUDA C on the host")
        self.names = list(name_expressions)
        entries = "".join(
            f'extern "C" void tw_entry_{i}(unsigned g, unsigned b, void **a) '
            f"{{ tw_host_call(&{name}, g, b, a); }}\n" for i, name in enumerate(self.names))
        source = f'#include "{_HEADER}"\n{code}\n{entries}'
        key = hashlib.sha256((source + _HEADER.read_text()).encode()).hexdigest()[:16]
        lib = Path(tempfile.gettempdir()) / f"tensorweave-cuda-host-{key}.so"
        if not lib.exists():
            with tempfile.TemporaryDirectory() as tmp:
                src, out = Path(tmp) / "kernels.cpp", Path(tmp) / "kernels.so"
                src.write_text(source)
                cmd = [cxx, "-std=c++20", "-O1", "-pthread", "-shared", "-fPIC",
                       "-ffp-contract=off", str(src), "-o", str(out)]
                done = subprocess.run(cmd, capture_output=True, text=True)
                if done.returncode:
                    raise RuntimeError(f"host build of the CUDA C failed:\n{done.stderr}")
                shutil.move(out, lib)  # whole or not at all, for the next process
        self._lib = ctypes.CDLL(str(lib))

    def get_function(self, name: str) -> _HostKernel:
        return _HostKernel(getattr(self._lib, f"tw_entry_{self.names.index(name)}"))


class _HostKernel:
    """A kernel called as CuPy's are: ``kernel(grid, block, args)``."""

    def __init__(self, entry: Any) -> None:
        self._entry = entry

    def __call__(self, grid: tuple[int, ...], block: tuple[int, ...], args: tuple[Any, ...],
                 threads: int = HOST_THREADS) -> None:
        assert len(grid) == len(block) == 1, "1-D launches only"
        values = [ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                  else _ARG_TYPES[np.asarray(a).dtype](a) for a in args]
        argv = (ctypes.c_void_p * len(values))(
            *[ctypes.cast(ctypes.pointer(v), ctypes.c_void_p) for v in values])
        self._entry(ctypes.c_uint(grid[0]), ctypes.c_uint(min(block[0], threads)), argv)


def _erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(math.erf, 1, 1)(x), np.float64).astype(x.dtype)


def _scatter_add(a: np.ndarray, slices: Any, value: Any) -> None:
    np.add.at(a, slices, value)


def install() -> dict[str, types.ModuleType]:
    cupy = types.ModuleType("cupy")
    cupy.__getattr__ = lambda name: getattr(np, name)  # type: ignore[attr-defined]
    cupy.__version__ = "numpy-stand-in"
    cupy.ndarray = np.ndarray
    cupy.asnumpy = lambda x: np.array(x, copy=True)
    cupy.asarray = lambda x: np.array(x, copy=True)  # a transfer: never shares host memory
    cupy.from_dlpack = np.from_dlpack
    cupy.RawModule = RawModule
    # CuPy's argsort is Thrust's stable sort; NumPy's default is not stable.
    cupy.argsort = lambda a, axis=-1, kind=None: np.argsort(a, axis, kind="stable")
    cupy.get_default_memory_pool = lambda: _Pool()
    props = {"name": b"NumPy stand-in", "major": 9, "minor": 0, "multiProcessorCount": 1,
             "totalGlobalMem": 0}
    cupy.cuda = types.SimpleNamespace(
        Device=_Device, get_device_id=lambda: 0, set_allocator=lambda fn: None,
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 1,
                                      getDeviceProperties=lambda i: props,
                                      runtimeGetVersion=lambda: 0))
    lib = types.ModuleType("cupy.lib")
    lib.stride_tricks = stride_tricks
    cupy.lib = lib
    cupyx = types.ModuleType("cupyx")
    cupyx.scatter_add = _scatter_add
    scipy = types.ModuleType("cupyx.scipy")
    special = types.ModuleType("cupyx.scipy.special")
    special.erf = _erf
    scipy.special = special
    cupyx.scipy = scipy
    return {"cupy": cupy, "cupy.lib": lib, "cupy.lib.stride_tricks": stride_tricks,
            "cupyx": cupyx, "cupyx.scipy": scipy, "cupyx.scipy.special": special}


def _base(x: np.ndarray) -> np.ndarray:
    while isinstance(x.base, np.ndarray):
        x = x.base
    return x


def offset_in_base(x: np.ndarray) -> int:
    """`movement.storage_offset` on NumPy arrays."""
    start = x.__array_interface__["data"][0]
    return (start - _base(x).__array_interface__["data"][0]) // x.itemsize


def strided_view(x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
                 storage_offset: int) -> np.ndarray:
    """`movement.as_strided` on NumPy arrays."""
    root = _base(x)
    if 0 in size:
        storage_offset = min(storage_offset, root.size)
    return np.ndarray(size, x.dtype, buffer=root, offset=storage_offset * x.itemsize,
                      strides=tuple(s * x.itemsize for s in stride))


def adapt(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` with NumPy scalars in its results made 0-d arrays, as CuPy returns."""
    def fix(r: Any) -> Any:
        if isinstance(r, tuple):
            return tuple(fix(v) for v in r)
        return np.asarray(r) if isinstance(r, np.generic) else r

    @functools.wraps(kernel)  # (keeps `backend.bfloat16_kernel`'s mark)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):  # CUDA does not warn on log(0) or 0/0
            return fix(kernel(*args, **kwargs))
    return wrapped
