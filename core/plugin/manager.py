"""Loading plugins once and flattening what they register into plain dicts.

pluggy runs here, at load time only. `get_registry()` loads on first use:
it registers core's own ops (a built-in plugin, pytest-style), every entry
point in the group ``tensorweave`` except those blocked by
``TENSORWEAVE_DISABLE_PLUGINS``, calls each hook once per plugin, checks for
conflicts (naming both distributions), and attaches kernels to op
definitions so a call is a dict lookup.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import pluggy

from . import hookspecs

__all__ = ["PluginError", "Registry", "PluginInfo", "get_registry", "load", "DISABLE_ENV"]

DISABLE_ENV = "TENSORWEAVE_DISABLE_PLUGINS"
_KINDS = ("backends", "ops", "kernels", "layers", "losses", "optimizers", "lr_schedulers")


class PluginError(RuntimeError):
    """A plugin conflicts with another, registers something invalid, or cannot load."""


@dataclass
class PluginInfo:
    """One loaded plugin: its name, distribution, and what it registered."""

    name: str
    distribution: str
    version: str
    registered: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Registry:
    """Everything the plugins registered, as plain dicts."""

    backends: dict[str, Any] = field(default_factory=dict)
    ops: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, type] = field(default_factory=dict)
    losses: dict[str, type] = field(default_factory=dict)
    optimizers: dict[str, type] = field(default_factory=dict)
    lr_schedulers: dict[str, type] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    # (kind, name) -> "plugin (distribution version)", for conflict messages.
    owners: dict[tuple[str, str], str] = field(default_factory=dict)


_REGISTRY: list[Registry | None] = [None]


def get_registry() -> Registry:
    """The loaded registry; plugins are loaded on the first call."""
    reg = _REGISTRY[0]
    if reg is None:
        reg = load()
    return reg


def load(extra: list[tuple[str, Any]] = (), entry_points: bool = True,  # type: ignore[assignment]
         blocked: list[str] | None = None) -> Registry:
    """(Re)load every plugin and make the result the active registry.

    Args:
        extra: ``(name, plugin object)`` pairs to register besides the entry points
            (tests use this for fake backends).
        entry_points: load the ``tensorweave`` entry points (False only in unit tests).
        blocked: plugin names not to load; default from ``TENSORWEAVE_DISABLE_PLUGINS``
            (comma-separated).
    """
    from .. import ops as core_ops

    if blocked is None:
        blocked = [b.strip() for b in os.environ.get(DISABLE_ENV, "").split(",") if b.strip()]
    pm = pluggy.PluginManager("tensorweave")
    pm.add_hookspecs(hookspecs)
    for b in blocked:
        pm.set_blocked(b)
    pm.register(core_ops, name="core")
    for name, plugin in extra:
        pm.register(plugin, name=name)
    if entry_points:
        _require_installed()
        try:
            pm.load_setuptools_entrypoints("tensorweave")
        except Exception as e:  # noqa: BLE001 - a broken plugin must say which one it is
            raise PluginError(f"a tensorweave plugin failed to import: {e!r}. Disable it with "
                              f"{DISABLE_ENV}=<name> to run without it.") from e
    pm.check_pending()
    reg = _build(pm, blocked)
    _install(reg)
    _REGISTRY[0] = reg
    return reg


def _require_installed() -> None:
    try:
        importlib.metadata.distribution("tensorweave")
    except importlib.metadata.PackageNotFoundError:
        raise PluginError(
            "tensorweave is not installed, so its plugins (the cpu backend included) cannot be "
            "found: run `pip install -e .` in the repository (or `pip install tensorweave`)."
        ) from None


def _build(pm: pluggy.PluginManager, blocked: list[str]) -> Registry:
    reg = Registry(blocked=list(blocked))
    dists = {id(p): (d.project_name, d.version) for p, d in pm.list_plugin_distinfo()}
    infos: dict[str, PluginInfo] = {}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist, ver = dists.get(id(plugin), ("tensorweave", _own_version()))
        infos[name] = PluginInfo(name, dist, ver)
    reg.plugins = list(infos.values())

    def results(kind: str) -> list[tuple[PluginInfo, Any]]:
        hook = getattr(pm.hook, f"tensorweave_{kind}")
        out = []
        for impl in reversed(hook.get_hookimpls()):  # registration order
            res = impl.function()
            if res is not None:
                out.append((infos[pm.get_name(impl.plugin)], res))
        return out

    for info, ops in results("ops"):
        for op in ops:
            _claim(reg, "ops", op.name, info)
            reg.ops[op.name] = op
    for kind in ("layers", "losses", "optimizers", "lr_schedulers"):
        table = getattr(reg, kind)
        for info, entries in results(kind):
            for n, obj in entries.items():
                _claim(reg, kind, n, info)
                table[n] = obj
    kernels: dict[tuple[str, str], tuple[Callable[..., Any], str]] = {}
    for info, classes in results("backends"):
        for cls in classes:
            be = cls()
            _claim(reg, "backends", be.name, info)
            reg.backends[be.name] = be
            for op_name, fn in be.kernels().items():
                _check_op(reg, info, be.name, op_name)
                kernels[(be.name, op_name)] = (fn, info.name)
                info.registered.setdefault("kernels", []).append(f"{be.name}:{op_name}")
    for info, entries in results("kernels"):
        for entry in entries:
            dev, op_name, fn = entry[:3]
            override = len(entry) > 3 and entry[3] == "override"
            _check_op(reg, info, dev, op_name)
            prev = kernels.get((dev, op_name))
            if prev is not None and not override:
                raise PluginError(
                    f"kernel conflict: plugin {_who(info)} and plugin {prev[1]!r} both register "
                    f"a {dev!r} kernel for op {op_name!r}; pass 'override' as the fourth element "
                    "of the tuple to replace it on purpose.")
            kernels[(dev, op_name)] = (fn, info.name)
            info.registered.setdefault("kernels", []).append(f"{dev}:{op_name}")
    for op in reg.ops.values():
        op.kernels.clear()
    for (dev, op_name), (fn, _) in kernels.items():
        reg.ops[op_name].kernels[dev] = fn
    return reg


def _who(info: PluginInfo) -> str:
    return f"{info.name!r} (distribution {info.distribution} {info.version})"


def _claim(reg: Registry, kind: str, name: str, info: PluginInfo) -> None:
    key = (kind, name)
    if key in reg.owners:
        raise PluginError(f"{kind[:-1]} name conflict: {name!r} is registered by plugin "
                          f"{reg.owners[key]} and by plugin {_who(info)}. Uninstall one, or "
                          f"disable one with {DISABLE_ENV}=<plugin name>.")
    reg.owners[key] = _who(info)
    info.registered.setdefault(kind, []).append(name)


def _check_op(reg: Registry, info: PluginInfo, dev: str, op_name: str) -> None:
    if op_name not in reg.ops:
        raise PluginError(f"plugin {_who(info)} registers a {dev!r} kernel for op {op_name!r}, "
                          "but no plugin defines that op. Check the spelling, or define the op "
                          "with the tensorweave_ops hook.")


def _own_version() -> str:
    try:
        return importlib.metadata.version("tensorweave")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _install(reg: Registry) -> None:
    """Make registered ops reachable as Tensor methods and reset per-load caches."""
    from ..device import _CACHE
    from ..tensor import Tensor

    _CACHE.clear()
    for op in reg.ops.values():
        if op.method and not _defined_by_core(Tensor, op.name):
            setattr(Tensor, op.name, op)


def _defined_by_core(cls: type, name: str) -> bool:
    attr = cls.__dict__.get(name)
    return attr is not None and not hasattr(attr, "kernels")
