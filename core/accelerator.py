"""``tw.accelerator``: PyTorch's device-generic accelerator API over tensorweave's backends.

PyTorch's accelerator is the one non-cpu device type it was built for. tensorweave's are its
non-cpu backends, so the current accelerator is the first available one: ``cuda`` when a GPU
and CuPy are there, then the others in registration order (``opencl``, third-party
backends). Every function here forwards to that type's device module (`DeviceModule`), and
raises PyTorch's error when there is none.
"""

from __future__ import annotations

from typing import Any

from .device import device as make_device
from .device_module import DeviceModule, module_for

__all__ = ["current_accelerator", "is_available", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "device_index",
           "synchronize", "empty_cache", "memory_allocated", "max_memory_allocated",
           "memory_stats"]


def current_accelerator(check_available: bool = False) -> make_device | None:
    """The device (type only) of the current accelerator, or None when no non-cpu backend
    is available (``check_available`` is accepted for PyTorch's signature: only available
    backends count here)."""
    from .plugin.manager import get_registry

    types = [t for t in get_registry().backends if t != "cpu"]
    for t in sorted(types, key=lambda t: t != "cuda"):
        if module_for(t).is_available():
            return make_device(t)
    return None


def _module() -> DeviceModule:
    acc = current_accelerator()
    if acc is None:
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return module_for(acc.type)


def is_available() -> bool:
    """Whether there is an accelerator (see the module docstring)."""
    return current_accelerator() is not None


def device_count() -> int:
    """How many devices the current accelerator has (0 without one)."""
    acc = current_accelerator()
    return 0 if acc is None else module_for(acc.type).device_count()


def current_device_index() -> int:
    """The index ``"<accelerator>"`` without an index means."""
    return _module().current_device()


def set_device_index(device: Any, /) -> None:
    """Make ``device`` (an index or a device of the accelerator's type) the current one."""
    _module().set_device(device)


current_device_idx, set_device_idx = current_device_index, set_device_index  # older names


class device_index:  # noqa: N801 - torch.accelerator.device_index
    """A context that makes device ``device`` current and restores the previous one on exit
    (None changes nothing)."""

    def __init__(self, device: int | None, /) -> None:
        self.idx = device
        self.prev_idx = -1

    def __enter__(self) -> None:
        if self.idx is not None:
            self.prev_idx = current_device_index()
            set_device_index(self.idx)

    def __exit__(self, *exc: object) -> None:
        if self.idx is not None:
            set_device_index(self.prev_idx)


def synchronize(device: Any = None, /) -> None:
    """Wait until the kernels queued on the accelerator's device have finished."""
    _module().synchronize(device)


def empty_cache() -> None:
    """Return the accelerator allocator's cached, unused blocks."""
    _module().empty_cache()


def memory_allocated(device_index: Any = None, /) -> int:
    return _module().memory_allocated(device_index)


def max_memory_allocated(device_index: Any = None, /) -> int:
    return _module().max_memory_allocated(device_index)


def memory_stats(device_index: Any = None, /) -> dict[str, int]:
    return _module().memory_stats(device_index)
