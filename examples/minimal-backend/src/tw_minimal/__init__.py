"""tensorweave-minimal-backend: a third-party backend that implements only the primitive ops.

tensorweave finds this module through the entry point ``minimal`` in the ``tensorweave``
group (see pyproject.toml) and calls the hook below once, at load time; the device type
``minimal`` (one device, ``minimal:0``) then exists. Its natives are `MinArray` objects,
not NumPy arrays, and every composite op runs through its decomposition: a check that
core's composites and autograd are written against the backend contract alone.
"""

from __future__ import annotations

from tensorweave import Backend, hookimpl

from .array import MinArray
from .backend import MinimalBackend

__all__ = ["MinimalBackend", "MinArray"]


@hookimpl
def tensorweave_backends() -> list[type[Backend]]:
    return [MinimalBackend]
