"""The backend contract: what a device type must provide to run tensorweave.

A backend is a class returned by the ``tensorweave_backends`` hook. Core talks
to it only through this interface and through its kernel table; it never
imports a backend by name. Native arrays are whatever the backend chooses
(NumPy arrays for cpu, CuPy arrays for cuda), but they must expose ``shape``,
``ndim``, ``dtype`` (a NumPy dtype) and ``strides`` (in bytes, or override
`Backend.strides`).
"""

from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np

from .ops._rules import contiguous_strides

__all__ = ["Backend", "Kernel", "CounterGenerators", "Philox", "bfloat16_kernel"]

Kernel = Callable[..., Any]


def bfloat16_kernel(fn: Kernel) -> Kernel:
    """Mark kernel ``fn`` as one that takes bfloat16 arrays itself: a GEMM that accumulates
    in float32 and rounds once, as cuBLAS's does. The dispatcher then passes it the bfloat16
    operands instead of running the op in float32 and rounding its result
    (`dispatch._in_float32`), which would cast both operands and forgo the device's
    bfloat16 units. The mark is an attribute of the function, so it goes with it: a
    plugin's kernel that replaces a marked one gets float32 unless it is marked too."""
    fn.takes_bfloat16 = True  # type: ignore[attr-defined]
    return fn


class Backend:
    """Base class of every backend. Subclasses override what their device needs.

    Attributes:
        name: the device type (``"cpu"``, ``"opencl"``): the part before ``:``.
        install_hint: what to ``pip install`` when the backend's packages are missing.
    """

    name: str = ""
    install_hint: str = ""
    dlpack_device_type: int | None = None
    """The DLPack device type of this backend's memory (1 host, 2 CUDA) when its natives
    speak DLPack (``__dlpack__``/``__dlpack_device__``) and `from_dlpack` is implemented;
    None when tensors cannot be exchanged that way."""
    known_failures: dict[str, str] = {}
    """Conformance checks this backend is known to fail: shell-style patterns over
    ``"<op or check>:<dtype>"`` (``"sort:float16"``, ``"matmul:*"``), each with the reason.
    ``tensorweave conformance`` reports matches as skips with the reason, and a listed
    check that passes as a failure, so the list stays true. Keep it in the backend's own
    folder, never as a condition in a test."""

    # -- discovery -----------------------------------------------------------------------
    def availability(self) -> tuple[bool, str]:
        """Return ``(True, "")`` or ``(False, reason)``; the reason says how to fix it."""
        return True, ""

    def device_count(self) -> int:
        """How many devices of this type exist (0 when unavailable)."""
        return 1

    def device_name(self, index: int) -> str:
        """A human-readable name for ``tensorweave devices``."""
        return self.name

    def device_info(self, index: int) -> dict[str, Any]:
        """Extra facts for ``tensorweave devices`` (memory, compute units, fp64 support...)."""
        return {}

    def dtypes(self, index: int) -> tuple[Any, ...]:
        """The dtypes device ``index`` supports: `dtypes.ALL` by default. A backend lists the
        opt-in ones it holds (complex64/complex128, bfloat16); an OpenCL device without fp64
        leaves out float64. The conformance suite skips the others with a reason."""
        from .dtypes import ALL

        return ALL

    def needs_kernel(self, op: Any) -> bool:
        """Whether this backend must provide a kernel for primitive ``op``: every primitive,
        except one whose dtypes are all complex when the backend lists none (view_as_real,
        the FFTs: nothing could reach them)."""
        if not op.dtypes or not all(d.is_complex for d in op.dtypes):
            return True
        ok, _ = self.availability()
        return bool(ok and self.device_count()
                    and any(d.is_complex for d in self.dtypes(0)))

    def check_dtype(self, what: str, dtype: Any, device: Any) -> None:
        """Refuse an opt-in ``dtype`` (complex, bfloat16) that device ``device`` does not list
        in `dtypes`: every way a tensor reaches a device (from the host, a factory, an op)
        checks this.

        Raises:
            TypeError: naming ``what`` (an op or a transfer), the dtype and the device.
        """
        if not dtype.opt_in or dtype in self.dtypes(device.index or 0):
            return
        if dtype.is_complex:
            raise TypeError(f"{what}: {dtype!r} is not supported on {device}: the {self.name!r} "
                            "backend does not list complex dtypes. Compute with complex tensors "
                            "on cpu.")
        from .dtypes import require_bfloat16

        require_bfloat16(what)
        raise TypeError(f"{what}: {dtype!r} is not supported on {device}: the {self.name!r} "
                        "backend does not list it. Use float16 or float32 there, or compute "
                        "with bfloat16 tensors on cpu.")

    def current_device(self) -> int:
        """The index used for ``"<type>"`` with no index."""
        return getattr(self, "_current_device", 0)

    def set_current_device(self, index: int) -> None:
        """Change `current_device` (``tw.cuda.set_device``)."""
        self._current_device = index

    # -- memory and transfer -------------------------------------------------------------
    def from_numpy(self, array: np.ndarray, index: int | None) -> Any:
        """Copy a host array to device ``index``; may share memory on host backends."""
        raise NotImplementedError(f"backend {self.name!r} does not implement from_numpy")

    def to_numpy(self, native: Any) -> np.ndarray:
        """Copy a native array to the host (waits for pending work on it)."""
        raise NotImplementedError(f"backend {self.name!r} does not implement to_numpy")

    def strides(self, native: Any) -> tuple[int, ...]:
        """Strides in elements, as `Tensor.stride()` reports them. NumPy gives a new empty
        array all-zero strides; those read as the contiguous ones, PyTorch's for a fresh
        empty tensor (an empty array made with explicit strides keeps them)."""
        strides = tuple(s // native.dtype.itemsize for s in native.strides)
        if 0 in native.shape and not any(strides):
            return contiguous_strides(native.shape)
        return strides

    def storage_offset(self, native: Any) -> int:
        """Offset in elements of ``native``'s first element within its storage."""
        return 0

    def from_dlpack(self, ext: Any, index: int) -> Any:
        """A native array sharing the memory of the DLPack producer ``ext`` on device
        ``index`` (only called when `dlpack_device_type` matches ``ext``'s)."""
        raise NotImplementedError(f"backend {self.name!r} does not implement from_dlpack")

    def synchronize(self, index: int | None) -> None:
        """Wait until all queued work on the device is done."""

    def empty_cache(self) -> None:
        """Release the allocator's cached, unused memory (nothing to do by default)."""

    def memory_stats(self, index: int | None) -> dict[str, int]:
        """Allocator statistics: at least ``allocated_bytes`` and ``peak_allocated_bytes``."""
        return {}

    # -- randomness ------------------------------------------------------------------------
    def manual_seed(self, seed: int) -> None:
        """Reseed the generators of every device of this type."""

    def initial_seed(self, index: int | None) -> int:
        """The seed the default generator was last seeded with (`tensorweave.initial_seed`)."""
        raise NotImplementedError(self._no_generators("initial_seed"))

    def new_generator(self, index: int | None, seed: int) -> Any:
        """A native generator for device ``index``, independent of the default one, seeded
        with ``seed`` (`tensorweave.Generator`); random kernels get it as ``generator``."""
        raise NotImplementedError(self._no_generators("new_generator"))

    def generator_state(self, native: Any) -> Any:
        """An opaque, JSON-serializable state of a native generator from `new_generator`."""
        raise NotImplementedError(self._no_generators("generator_state"))

    def set_generator_state(self, native: Any, state: Any) -> None:
        raise NotImplementedError(self._no_generators("set_generator_state"))

    def _no_generators(self, method: str) -> str:
        return (f"the {self.name!r} backend does not implement {method}(), so it cannot create "
                "or inspect separate random generators")

    def get_rng_state(self, index: int | None) -> Any:
        """An opaque, JSON-serializable state of the device's default generator."""
        raise NotImplementedError(f"backend {self.name!r} does not implement get_rng_state")

    def set_rng_state(self, index: int | None, state: Any) -> None:
        raise NotImplementedError(f"backend {self.name!r} does not implement set_rng_state")

    # -- kernels -----------------------------------------------------------------------------
    def kernels(self) -> dict[str, Kernel]:
        """``{op name: kernel}``: every primitive, plus any composites it accelerates.

        A kernel takes native arrays and the op's normalized parameters and returns
        a native array (or a tuple for multi-output ops). Creation kernels also get
        ``device_index``.
        """
        return {}


class Philox:
    """A counter-based generator's state: the key (seed) and how many counters are used.

    Kernels draw from Philox4x32-10 at counters ``offset .. offset + n - 1`` and advance
    ``offset`` by ``n``, so equal states give equal draws on every device (the opencl and
    cuda backends map the bits to values the same way).
    """

    __slots__ = ("seed", "offset")

    def __init__(self, seed: int, offset: int = 0) -> None:
        self.seed = int(seed) % (1 << 64)
        self.offset = int(offset)

    def take(self, n: int) -> tuple[np.uint32, np.uint32, np.uint64]:
        """The key words and first counter for ``n`` draws; advances the state."""
        off = self.offset
        self.offset += max(int(n), 1)
        return (np.uint32(self.seed & 0xFFFFFFFF), np.uint32(self.seed >> 32),
                np.uint64(off % (1 << 64)))

    def state(self) -> dict[str, int]:
        return {"seed": self.seed, "offset": self.offset}

    def restore(self, state: Any) -> None:
        seed, offset = int(state["seed"]), int(state["offset"])
        self.seed, self.offset = seed % (1 << 64), offset


class CounterGenerators:
    """`Backend`'s generator methods for counter-based generators (Philox and the like).

    A native generator is a small host object made by ``generator_type(seed)`` with
    ``state()`` (JSON-serializable) and ``restore(state)``: the kernels advance it, the
    device holds no generator state. Each device gets its default generator on first use,
    seeded with the backend's seed; ``manual_seed`` reseeds them all. Mix in before
    `Backend` and call `_init_generators` from ``__init__``.
    """

    generator_type: Callable[[int], Any] = Philox

    def _init_generators(self) -> None:
        # Like PyTorch's default generators: a nondeterministic seed, remembered.
        self._seed = int.from_bytes(os.urandom(8), "little")
        self._defaults: dict[int, Any] = {}

    def default_generator(self, index: int | None) -> Any:
        """Device ``index``'s default generator (the current device's for None)."""
        i = self.current_device() if index is None else index  # type: ignore[attr-defined]
        g = self._defaults.get(i)
        if g is None:
            g = self._defaults[i] = self.generator_type(self._seed)
        return g

    def manual_seed(self, seed: int) -> None:
        self._seed = int(seed) % (1 << 64)
        self._defaults.clear()

    def initial_seed(self, index: int | None) -> int:
        return self._seed

    def get_rng_state(self, index: int | None) -> Any:
        return self.default_generator(index).state()

    def set_rng_state(self, index: int | None, state: Any) -> None:
        self.default_generator(index).restore(state)

    def new_generator(self, index: int | None, seed: int) -> Any:
        return self.generator_type(seed)

    def generator_state(self, native: Any) -> Any:
        return native.state()

    def set_generator_state(self, native: Any, state: Any) -> None:
        native.restore(state)
