"""One OpenCL device in use: context, in-order queue, memory pool and program cache.

Programs are generated per dtype (one program holds every kernel of a family for that
dtype) and built once per process; PoCL and pyopencl also keep built binaries on disk, so a
second process skips most compile time. The queue is never waited on except where a value
must reach the host (`to_numpy`, a count that sizes an output, an error check).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tensorweave.ops._rules import contiguous_strides

from . import cltypes
from .array import ClArray

__all__ = ["Runtime", "LOCAL", "MAXD", "Geometry", "source"]

LOCAL = 64  # work-group size of 1-D launches: one size, so PoCL specializes each kernel once
CHUNK = 256  # positions per work-item of the elementwise walk (cl/common.cl CHUNK)
CHUNK_LOCAL = (8,)  # work-group size of chunked launches
MAXD = 8    # dims a kernel addresses directly (after merging); more are looped in Python
NOPS = 4    # operands a geometry describes (an output and up to three inputs)
_CL_DIR = Path(__file__).resolve().parent / "cl"
# -cl-kernel-arg-info lets `Runtime.kernel` read each kernel's scalar argument types.
_BUILD_OPTIONS = ["-cl-mad-enable", "-cl-kernel-arg-info"]
# OpenCL C scalar argument types -> the NumPy type pyopencl packs them as.
_SCALAR_ARGS = {"char": np.int8, "uchar": np.uint8, "short": np.int16, "ushort": np.uint16,
                "int": np.int32, "uint": np.uint32, "long": np.int64, "ulong": np.uint64,
                "float": np.float32, "double": np.float64}


# Read once at import: a process builds every program from one version of the sources.
_SOURCES = {p.name: p.read_text() for p in _CL_DIR.glob("*.cl")}


def source(name: str) -> str:
    """The text of the packaged kernel file ``cl/<name>``."""
    return _SOURCES[name]


class DtypeError(TypeError):
    """A dtype the device cannot hold (float64 without cl_khr_fp64)."""


class Runtime:
    """Context, queue, allocator and compiled programs of one device."""

    def __init__(self, cl: Any, device: Any, index: int) -> None:
        self.cl = cl
        self.index = index
        self.label = f"opencl:{index}"
        self.device = device
        self.ctx = cl.Context([device])
        self.queue = cl.CommandQueue(self.ctx)
        import pyopencl.tools as cl_tools

        self.pool = cl_tools.MemoryPool(cl_tools.ImmediateAllocator(self.queue))
        self.peak = 0
        self.fp64 = "cl_khr_fp64" in device.extensions
        self._programs: dict[Any, Any] = {}
        self._kernels: dict[tuple[Any, str], Any] = {}
        self._geometries: dict[bytes, Any] = {}
        self.walks: dict[Any, list[tuple[tuple[int], Any]]] = {}  # see elementwise.walks
        self.plans: dict[Any, tuple[Any, ...]] = {}  # see elementwise._plan
        self.scalars: dict[Any, ClArray] = {}  # cached 0-d arrays of Python numbers

    # -- memory ---------------------------------------------------------------------------
    def check_dtype(self, dtype: np.dtype) -> None:
        if dtype == np.float64 and not self.fp64:
            raise DtypeError(
                f"float64 is not supported on {self.label} ({self.device.name}): the device "
                "does not report the cl_khr_fp64 extension. Use float32, or another device.")

    def alloc(self, nbytes: int) -> Any:
        buf = self.pool.allocate(max(int(nbytes), 8))
        active = self.pool.active_bytes
        if active > self.peak:
            self.peak = active
        return buf

    def empty(self, shape: tuple[int, ...], dtype: np.dtype) -> ClArray:
        dtype = np.dtype(dtype)
        self.check_dtype(dtype)
        n = math.prod(shape)
        return ClArray(self, self.alloc(n * dtype.itemsize), 0, tuple(shape),
                       contiguous_strides(tuple(shape)), dtype)

    def from_host(self, arr: np.ndarray) -> ClArray:
        self.check_dtype(arr.dtype)
        if not arr.flags.c_contiguous:
            arr = np.array(arr, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        out = self.empty(arr.shape, arr.dtype)
        if arr.size:
            # A queued host write waits for all earlier work on PoCL; copying into a fresh
            # buffer at its creation does not, and the device-side copy into the pooled
            # buffer is just another queued command.
            mf = self.cl.mem_flags
            staging = self.cl.Buffer(self.ctx, mf.READ_ONLY | mf.COPY_HOST_PTR,
                                     hostbuf=arr.reshape(-1))
            self.cl.enqueue_copy(self.queue, out.buffer, staging, byte_count=arr.nbytes)
        return out

    def constant(self, arr: np.ndarray) -> ClArray:
        """A small read-only device copy of ``arr`` made at buffer creation: unlike a queued
        write, which PoCL runs only after everything queued before it, this never waits.
        For the cached scalar operands; they stay outside the pool and its statistics."""
        self.check_dtype(arr.dtype)
        mf = self.cl.mem_flags
        buf = self.cl.Buffer(self.ctx, mf.READ_ONLY | mf.COPY_HOST_PTR,
                             hostbuf=np.ascontiguousarray(arr).reshape(-1))
        return ClArray(self, buf, 0, arr.shape, contiguous_strides(arr.shape), arr.dtype)

    def to_host(self, x: ClArray) -> np.ndarray:
        """The values of a contiguous ``x`` (waits for the queue)."""
        out = np.empty(x.shape, x.dtype)
        if out.size:
            self.cl.enqueue_copy(self.queue, out, x.buffer,
                                 src_offset=x.offset * x.dtype.itemsize, is_blocking=True)
        return out

    # -- programs ---------------------------------------------------------------------------
    def kernel(self, key: Any, name: str, build: Callable[[], str]) -> Any:
        """Kernel ``name`` of the program cached under ``key`` (``build()`` gives its source)."""
        k = self._kernels.get((key, name))
        if k is not None:
            return k
        prog = self._programs.get(key)
        if prog is None:
            src = build()
            try:
                prog = self.cl.Program(self.ctx, src).build(options=_BUILD_OPTIONS)
            except self.cl.Error as e:  # a bug in a generated kernel: say which one
                raise RuntimeError(f"opencl: building program {key!r} for {self.label} "
                                   f"failed: {e}") from None
            self._programs[key] = prog
        k = self.cl.Kernel(prog, name)
        self._type_scalar_args(k)
        self._kernels[(key, name)] = k
        return k

    def _type_scalar_args(self, k: Any) -> None:
        """Declare ``k``'s scalar argument types to pyopencl, which then packs them all in one
        call: untyped, each NumPy scalar costs a separate ``clSetKernelArg`` round of about
        7 us on PoCL (a 13-argument GEMM launch took 90 us). Where the driver gives no
        argument info the kernel stays untyped: slower, but the same results."""
        cl = self.cl
        types: list[Any] = []
        try:
            for i in range(k.num_args):
                if k.get_arg_info(i, cl.kernel_arg_info.ADDRESS_QUALIFIER) != \
                        cl.kernel_arg_address_qualifier.PRIVATE:
                    types.append(None)  # a buffer or local memory
                    continue
                name = k.get_arg_info(i, cl.kernel_arg_info.TYPE_NAME).strip()
                if name.endswith("*") or name not in _SCALAR_ARGS:
                    types.append(None)
                    continue
                types.append(_SCALAR_ARGS[name])
        except cl.Error:
            return
        if any(t is not None for t in types):
            k.set_scalar_arg_dtypes(types)

    def family(self, file: str, tag: str, name: str) -> Any:
        """Kernel ``<name>_<tag>`` of ``cl/<file>`` built for dtype ``tag``."""
        if tag == "f64":
            self.check_dtype(np.dtype(np.float64))
        return self.kernel((file, tag), f"{name}_{tag}", lambda: "\n".join(
            [source("common.cl"), cltypes.header(tag), source(file)]))

    def geometry(self, packed: np.ndarray) -> Any:
        """A device copy of a packed walk, cached by value: kernels take walks as pointers,
        since setting a struct argument costs PoCL far more than a buffer argument, and the
        same shapes come back op after op."""
        key = packed.tobytes()
        buf = self._geometries.get(key)
        if buf is None:
            if len(self._geometries) > 8192:
                self._geometries.clear()  # enqueued kernels keep their buffers alive
            mf = self.cl.mem_flags
            buf = self._geometries[key] = self.cl.Buffer(
                self.ctx, mf.READ_ONLY | mf.COPY_HOST_PTR, hostbuf=packed)
        return buf

    def launch(self, kernel: Any, n: int, *args: Any) -> None:
        """Run ``kernel`` over ``n`` work-items (rounded up to whole work-groups)."""
        if n <= 0:
            return
        g = -(-n // LOCAL) * LOCAL
        kernel(self.queue, (g,), (LOCAL,), *args)

    @staticmethod
    def chunk_size(n: int) -> tuple[int]:
        """The global size of a chunked walk (``cl/common.cl``) over ``n`` positions."""
        items = -(-n // CHUNK)
        return (-(-items // CHUNK_LOCAL[0]) * CHUNK_LOCAL[0],)

    def launch_groups(self, kernel: Any, groups: int, *args: Any) -> None:
        """Run ``kernel`` with one work-group of LOCAL items per ``groups``."""
        if groups > 0:
            kernel(self.queue, (groups * LOCAL,), (LOCAL,), *args)

    def finish(self) -> None:
        self.queue.finish()


class Geometry:
    """The strided walk of an elementwise kernel: shared sizes and per-operand strides.

    Adjacent dims that every operand steps through contiguously merge, so most walks end
    up 1-D. The kernel-side struct (``geom`` in ``cl/common.cl``) is all longs: ``nd``,
    ``n``, ``shape[MAXD]``, ``off[NOPS]``, ``st[NOPS][MAXD]``; kernels get it as a pointer
    (`Runtime.geometry`).
    """

    @staticmethod
    def merge(shape: tuple[int, ...], strides: list[tuple[int, ...]]) -> tuple[
            list[int], list[list[int]]]:
        dims = [i for i, n in enumerate(shape) if n != 1]
        sh = [shape[i] for i in dims]
        st = [[s[i] for i in dims] for s in strides]
        i = len(sh) - 2
        while i >= 0:
            if all(s[i] == s[i + 1] * sh[i + 1] for s in st):
                sh[i] *= sh[i + 1]
                for s in st:
                    s[i] = s[i + 1]
                    del s[i + 1]
                del sh[i + 1]
            i -= 1
        return sh, st

    @staticmethod
    def pack(shape: list[int], strides: list[list[int]], offsets: list[int]) -> Any:
        g = np.zeros(2 + MAXD + NOPS + NOPS * MAXD, np.int64)
        nd = len(shape)
        g[0] = nd
        g[1] = math.prod(shape)
        g[2:2 + nd] = shape
        g[2 + MAXD:2 + MAXD + len(offsets)] = offsets
        base = 2 + MAXD + NOPS
        for k, s in enumerate(strides):
            g[base + k * MAXD:base + k * MAXD + nd] = s
        return g

    @classmethod
    def walks(cls, shape: tuple[int, ...], strides: list[tuple[int, ...]],
              offsets: list[int]) -> list[tuple[int, Any]]:
        """``[(n, packed geometry)]``: one walk, or several when more than MAXD dims remain
        after merging (the leading dims are then looped here)."""
        sh, st = cls.merge(shape, strides)
        if not sh:  # one element: a walk of one dim, so kernels always have a last dim
            sh, st = [1], [[0] for _ in st]
        if len(sh) <= MAXD:
            return [(math.prod(sh), cls.pack(sh, st, offsets))]
        lead = len(sh) - MAXD
        out = []
        for idx in np.ndindex(*sh[:lead]):
            offs = [o + sum(i * s[d] for d, i in enumerate(idx)) for o, s in zip(offsets, st)]
            out.append((math.prod(sh[lead:]),
                        cls.pack(sh[lead:], [s[lead:] for s in st], offs)))
        return out
