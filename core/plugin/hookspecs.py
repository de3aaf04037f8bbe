"""Every hook a tensorweave plugin can implement.

A plugin is a module (or object) named by an entry point in the group
``tensorweave``; it implements any of these hooks with
``@tensorweave.hookimpl``. All hooks are called once, when the registry is
first needed (the first device lookup or tensor creation), never per op:
the results are flattened into plain dicts.

Built-in backends, layers, losses and optimizers implement these hooks too,
through the same entry points as third-party packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from . import hookspec

if TYPE_CHECKING:
    from ..backend import Backend
    from ..ops._opdef import OpDef


@hookspec
def tensorweave_backends() -> list[type[Backend]]:
    """Return backend classes (subclasses of `tensorweave.Backend`), one per device type.

    Called once at load. Implemented by backend plugins (``tensorweave.backends.cpu``).
    Two plugins returning a backend with the same ``name`` is an error that names both.
    """


@hookspec
def tensorweave_ops() -> list[OpDef]:
    """Return new op definitions (made with `tensorweave.ops.defop`).

    Called once at load; core's own ops come through this hook too. Each op becomes
    ``tensorweave.<name>`` and, unless ``method=False``, ``Tensor.<name>``. An op name
    defined twice is an error naming both plugins.
    """


@hookspec
def tensorweave_kernels() -> list[tuple[str, str, Callable[..., Any]]]:
    """Return extra kernels for existing ops: ``[(device type, op name, kernel), ...]``.

    For plugins that accelerate an op on a backend they do not own (a fused conv for
    cpu, say). A kernel for an op that no plugin defines is a load-time error; a
    kernel for a (device, op) pair that already has one is an error naming both
    plugins, unless the tuple has a fourth element ``"override"``.
    """


@hookspec
def tensorweave_layers() -> dict[str, type]:
    """Return ``{name: Module subclass}``; each becomes ``tensorweave.nn.<name>``."""


@hookspec
def tensorweave_losses() -> dict[str, type]:
    """Return ``{name: Module subclass}``; each becomes ``tensorweave.nn.<name>``."""


@hookspec
def tensorweave_optimizers() -> dict[str, type]:
    """Return ``{name: Optimizer subclass}``; each becomes ``tensorweave.optim.<name>``."""


@hookspec
def tensorweave_lr_schedulers() -> dict[str, type]:
    """Return ``{name: LRScheduler subclass}``; each becomes
    ``tensorweave.optim.lr_scheduler.<name>``.
    """
