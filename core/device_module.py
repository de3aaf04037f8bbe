"""``tw.cuda``, ``tw.opencl``: PyTorch's ``torch.cuda`` functions for one device type.

Each namespace is a thin view of the registered backend of its type -- nothing here knows
CUDA or OpenCL -- so a third-party backend gets the same functions through
``DeviceModule("mydev")``. Where the backend is missing or unavailable, ``is_available()``
is False, ``device_count()`` is 0, and every other function raises a `RuntimeError`
carrying the backend's own reason (which says what to install), as PyTorch's do.
``tw.cpu`` is one too (`CpuModule`, with ``torch.cpu``'s answers), and each module holds
its device type's legacy tensor types (``tw.cuda.FloatTensor``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DeviceModule", "CpuModule", "module_for", "get_device_module"]


class DeviceModule:
    """The ``torch.cuda``-style functions of device type ``type_name``."""

    def __init__(self, type_name: str) -> None:
        self.type = type_name

    def __repr__(self) -> str:
        return f"<tensorweave device module {self.type!r}>"

    def __getattr__(self, name: str) -> Any:
        """The legacy tensor types of this device type (``FloatTensor``...)."""
        if name.endswith("Tensor"):
            from .legacy_types import legacy_type

            return legacy_type(self.type, name)
        raise AttributeError(f"module 'tensorweave.{self.type}' has no attribute {name!r}")

    def _backend(self, what: str) -> Any:
        from .plugin.manager import get_registry

        be = get_registry().backends.get(self.type)
        if be is None:
            raise RuntimeError(f"tensorweave.{self.type}.{what}: no {self.type!r} backend is "
                               "registered (`tensorweave devices` lists the backends)")
        ok, reason = be.availability()
        if not ok:
            raise RuntimeError(f"tensorweave.{self.type}.{what}: {self.type} is unavailable: "
                               f"{reason}")
        return be

    def _index(self, what: str, device: Any) -> tuple[Any, int]:
        be = self._backend(what)
        if device is None:
            return be, be.current_device()
        from .device import device as make_device

        d = make_device(f"{self.type}:{device}" if isinstance(device, int) else device)
        if d.type != self.type:
            raise ValueError(f"tensorweave.{self.type}.{what}: expected a {self.type} device; "
                             f"got {d}")
        idx = be.current_device() if d.index is None else d.index
        if not 0 <= idx < be.device_count():
            raise ValueError(f"tensorweave.{self.type}.{what}: device index {idx} is out of "
                             f"range: there are {be.device_count()} {self.type} device(s)")
        return be, idx

    @property
    def amp(self) -> Any:
        """PyTorch's deprecated ``torch.cuda.amp`` spellings for this device type."""
        from .amp.device_amp import DeviceAmp

        return DeviceAmp(self.type)

    def is_available(self) -> bool:
        """Whether the backend is registered, usable and has at least one device."""
        try:
            return self._backend("is_available").device_count() > 0
        except RuntimeError:
            return False

    def device_count(self) -> int:
        """How many devices (0 when the backend is missing or unavailable)."""
        return self._backend("device_count").device_count() if self.is_available() else 0

    def current_device(self) -> int:
        return self._backend("current_device").current_device()

    def set_device(self, device: Any) -> None:
        """Make ``device`` the one ``"<type>"`` (no index) means from now on."""
        from .device import _CACHE

        be, idx = self._index("set_device", device)
        be.set_current_device(idx)
        _CACHE.clear()  # "<type>" without an index resolved to the previous device

    def get_device_name(self, device: Any = None) -> str:
        be, idx = self._index("get_device_name", device)
        return be.device_name(idx)

    def synchronize(self, device: Any = None) -> None:
        """Wait until every queued kernel on the device has finished."""
        be, idx = self._index("synchronize", device)
        be.synchronize(idx)

    def memory_allocated(self, device: Any = None) -> int:
        """Bytes currently held by tensors on the device."""
        be, idx = self._index("memory_allocated", device)
        return int(be.memory_stats(idx).get("allocated_bytes", 0))

    def max_memory_allocated(self, device: Any = None) -> int:
        """The peak of `memory_allocated` since the start."""
        be, idx = self._index("max_memory_allocated", device)
        return int(be.memory_stats(idx).get("peak_allocated_bytes", 0))

    def memory_stats(self, device: Any = None) -> dict[str, int]:
        be, idx = self._index("memory_stats", device)
        return dict(be.memory_stats(idx))

    def empty_cache(self) -> None:
        """Return the allocator's cached, unused blocks to the device."""
        self._backend("empty_cache").empty_cache()

    def manual_seed(self, seed: int) -> None:
        """Seed the default generators of this device type (all its devices)."""
        from .random import _seed_arg

        self._backend("manual_seed").manual_seed(_seed_arg("manual_seed", seed))

    manual_seed_all = manual_seed


class CpuModule(DeviceModule):
    """``tw.cpu``: ``torch.cpu``'s answers (``current_device()`` is ``"cpu"``, and
    ``set_device`` does nothing, as there is one cpu device)."""

    def __init__(self) -> None:
        super().__init__("cpu")

    def current_device(self) -> str:  # type: ignore[override]
        return "cpu"

    def set_device(self, device: Any) -> None:
        """Nothing to do: there is one cpu device."""

    def is_initialized(self) -> bool:
        return True


_MODULES: dict[str, DeviceModule] = {}


def module_for(device_type: str) -> DeviceModule:
    """The one device module of ``device_type`` (``tw.cuda`` is ``module_for("cuda")``)."""
    if device_type not in _MODULES:
        _MODULES[device_type] = CpuModule() if device_type == "cpu" else DeviceModule(device_type)
    return _MODULES[device_type]


def get_device_module(device: Any = None) -> DeviceModule:
    """The module of ``device``'s type (a device, a device string or a type name); without
    one, the current accelerator's, or ``tw.cpu`` when there is none.

    Raises:
        DeviceError: ``device`` is no valid device string.
    """
    from .device import device as make_device

    if device is None:
        from .accelerator import current_accelerator

        acc = current_accelerator()
        return module_for("cpu" if acc is None else acc.type)
    return module_for(make_device(device).type)
