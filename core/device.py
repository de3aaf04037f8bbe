"""Device values and the one parser of device strings (``"type[:index]"``).

Everything that turns user input into a device goes through `device(...)` /
`resolve(...)` here, so the errors for an unknown type, a malformed string,
an index out of range or an unavailable backend are written once and always
list what exists.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import Backend

__all__ = ["device", "DeviceError", "set_default_device", "get_default_device", "resolve"]

_PATTERN = re.compile(r"^([a-zA-Z_][a-zA-Z0-9_]*)(?::(\d+))?$")
DEFAULT_DEVICE_ENV = "TENSORWEAVE_DEVICE"


class DeviceError(RuntimeError):
    """A device string or index that names nothing usable; the message lists what exists."""


class device:
    """A device: a backend type and an optional index, like `torch.device`.

    Examples:
        >>> device("opencl:1")
        device(type='opencl', index=1)
        >>> device("cuda", 0)
        device(type='cuda', index=0)
        >>> str(device("cpu"))
        'cpu'
    """

    __slots__ = ("type", "index", "_hash")

    type: str
    index: int | None

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002 - torch's name
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device(): got a device {type} and an index {index}; pass one")
            return type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'opencl:0'; got {type!r}")
        m = _PATTERN.match(type.strip())
        if m is None:
            raise DeviceError(
                f"invalid device string {type!r}: expected 'type' or 'type:index', such as "
                f"'cpu', 'cuda:0' or 'opencl:1'. Registered device types: {_registered_types()}"
            )
        name, idx = m.group(1), m.group(2)
        if idx is not None:
            if index is not None:
                raise ValueError(f"device(): index given twice in {type!r} and index={index}")
            index = int(idx)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise DeviceError(f"device(): index must be a non-negative int; got {index!r}")
        self = object.__new__(cls)
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "_hash", hash((name, index)))
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device is immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (DeviceError, TypeError, ValueError):
                return False
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[Any, ...]:
        return (device, (self.type, self.index))


def _registered_types() -> str:
    from .plugin.manager import get_registry

    try:
        reg = get_registry()
    except Exception:  # noqa: BLE001 - only used to enrich an error message
        return "(plugins could not be loaded)"
    parts = []
    for name, be in reg.backends.items():
        ok, reason = be.availability()
        parts.append(f"{name} ({'available' if ok else 'unavailable: ' + reason})")
    out = ", ".join(parts) or "none"
    if reg.blocked:
        out += f" (plugins disabled by TENSORWEAVE_DISABLE_PLUGINS: {', '.join(reg.blocked)})"
    return out


def resolve(dev: Any = None) -> tuple[device, Backend]:
    """Canonical device for a user's argument plus its backend; the default when None.

    A canonical device has an index for every backend except cpu (``cpu`` has one device,
    as in PyTorch, where ``torch.device('cpu').index`` is None).

    Raises:
        DeviceError: unknown type, unavailable backend, or index out of range.
    """
    if dev is None:
        return _default()
    key = dev
    hit = _CACHE.get(key) if isinstance(key, (str, device)) else None
    if hit is not None:
        return hit
    from .plugin.manager import get_registry

    d = device(dev)
    reg = get_registry()
    be = reg.backends.get(d.type)
    if be is None:
        raise DeviceError(f"unknown device type {d.type!r}. Registered device types: "
                          f"{_registered_types()}")
    ok, reason = be.availability()
    if not ok:
        raise DeviceError(f"device {str(d)!r} is unavailable: {reason}. Registered device "
                          f"types: {_registered_types()}")
    count = be.device_count()
    if d.type == "cpu":
        if d.index not in (None, 0):
            raise DeviceError(f"device index {d.index} is out of range for 'cpu': it has one "
                              "device, 'cpu' (or 'cpu:0')")
        canon = device("cpu")
    else:
        idx = be.current_device() if d.index is None else d.index
        if idx >= count:
            raise DeviceError(
                f"device index {idx} is out of range for {d.type!r}: it has {count} device(s), "
                f"{', '.join(f'{d.type}:{i}' for i in range(count)) or 'none'}")
        canon = device(d.type, idx)
    out = (canon, be)
    if isinstance(key, (str, device)):
        _CACHE[key] = out
    return out


_CACHE: dict[Any, tuple[device, Backend]] = {}
_DEFAULT: list[Any] = [None]


def _default() -> tuple[device, Backend]:
    d = _DEFAULT[0]
    if d is not None:
        return resolve(d)
    env = os.environ.get(DEFAULT_DEVICE_ENV)
    if not env:
        return resolve("cpu")
    try:
        return resolve(env)
    except DeviceError as e:
        raise DeviceError(f"the default device comes from {DEFAULT_DEVICE_ENV}={env!r}, "
                          f"which is not usable: {e}") from None


def set_default_device(dev: Any) -> None:
    """Set the device that factory functions use when none is given.

    The environment variable ``TENSORWEAVE_DEVICE`` sets the initial default (for
    instance to point a whole test run at ``opencl:0``).

    Args:
        dev: a device or device string; None restores the initial default.

    Raises:
        DeviceError: if ``dev`` names no usable device (checked now, not at the next
            factory call).

    Example:
        >>> tw.set_default_device("cpu")
        >>> tw.zeros(2).device
        device(type='cpu')
    """
    if dev is not None:
        resolve(dev)
    _DEFAULT[0] = dev


def get_default_device() -> device:
    """The device that factory functions use when none is given."""
    return _default()[0]
