"""Loading plugins once and flattening what they register into plain dicts.

pluggy runs here, at load time only. `get_registry()` loads on first use:
it registers core's own ops (a built-in plugin, pytest-style), then every
entry point in the group ``tensorweave`` (tensorweave's own first) except
those blocked by ``TENSORWEAVE_DISABLE_PLUGINS``, calls each hook once per
plugin, checks for conflicts (naming both plugins and their distributions)
and attaches kernels to op definitions so a call is a dict lookup.
Tests register fake plugins with ``load(extra=[(name, plugin)])`` and restore
the installed set with a plain ``load()``.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pluggy

from . import hookspecs

__all__ = ["PluginError", "Registry", "PluginInfo", "get_registry", "load", "DISABLE_ENV"]

GROUP = "tensorweave"
"""The entry point group (and pluggy project name) of tensorweave plugins."""
DISABLE_ENV = "TENSORWEAVE_DISABLE_PLUGINS"
NO_DIST = "(none)"


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
# True while the first load runs: a plugin that looks the registry up while it is being
# imported (``tw.nn.Linear`` at module level) would otherwise start a second, nested load.
_FIRST_LOAD = [False]


def get_registry() -> Registry:
    """The loaded registry; plugins are loaded on the first call.

    Raises:
        PluginError: if called while the plugins are still loading, i.e. a plugin looks up
            a registered name (``tw.nn.<layer>``, ``tw.optim.<optimizer>``...) when it is
            imported; it must import the defining module directly instead.
    """
    reg = _REGISTRY[0]
    if reg is None:
        if _FIRST_LOAD[0]:
            raise PluginError(
                "a plugin used the registry while plugins were loading (for instance "
                "`tw.nn.<name>` at import time): import the class from its own module instead")
        _FIRST_LOAD[0] = True
        try:
            reg = load()
        finally:
            _FIRST_LOAD[0] = False
    return reg


def load(extra: Sequence[tuple[str, Any]] = (), entry_points: bool = True,
         blocked: Sequence[str] | None = None) -> Registry:
    """(Re)load every plugin and make the result the active registry.

    A load that fails (a conflict, a broken plugin) raises and leaves the previous
    registry active.

    Args:
        extra: ``(name, plugin object)`` pairs to register besides the entry points
            (tests use this for fake backends and plugins).
        entry_points: load the ``tensorweave`` entry points (False only in unit tests).
        blocked: plugin names not to load; default from ``TENSORWEAVE_DISABLE_PLUGINS``
            (comma-separated).

    Returns:
        The new active `Registry`.

    Raises:
        PluginError: a plugin fails to import, implements an unknown hook, registers
            something invalid, or claims a name another plugin claims.

    Example:
        >>> from tensorweave.plugin.manager import load
        >>> reg = load(blocked=["cpu"])    # everything but the cpu backend
        >>> reg = load()                   # back to the installed plugins
    """
    from .. import ops as core_ops

    if blocked is None:
        blocked = [b.strip() for b in os.environ.get(DISABLE_ENV, "").split(",") if b.strip()]
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    for b in blocked:
        pm.set_blocked(b)
    # plugin name -> (distribution, version); plugins from no distribution are absent.
    dists: dict[str, tuple[str, str]] = {"core": ("tensorweave", _own_version())}
    _register(pm, dists, "core", core_ops)
    if entry_points:
        _require_installed()
        _load_entry_points(pm, dists)
    for name, plugin in extra:
        _register(pm, dists, name, plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        raise PluginError(f"plugin {pm.get_name(e.plugin)!r}: {e}. The hooks a plugin can "
                          "implement are listed in tensorweave.plugin.hookspecs.") from None
    reg = _build(pm, blocked, dists)
    _install(reg)
    _REGISTRY[0] = reg
    from ..conformance import crosscheck

    crosscheck.after_load()  # TENSORWEAVE_CROSS_CHECK wraps the kernels just attached
    return reg


def _register(pm: pluggy.PluginManager, dists: dict[str, tuple[str, str]], name: str,
              plugin: Any, dist: tuple[str, str] | None = None) -> None:
    """Register one plugin, turning pluggy's errors into ones that name the plugin."""
    if pm.is_blocked(name):
        return
    if pm.has_plugin(name):
        raise PluginError(
            f"plugin name conflict: two plugins are named {name!r}, from "
            f"{_dist_str(dists.get(name))} and {_dist_str(dist)}. Uninstall one, or "
            f"disable both with {DISABLE_ENV}={name}.")
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as e:
        raise PluginError(f"plugin {name!r} ({_dist_str(dist)}) cannot be registered: {e}") \
            from None
    if dist is not None:
        dists[name] = dist


def _load_entry_points(pm: pluggy.PluginManager, dists: dict[str, tuple[str, str]]) -> None:
    # importlib.metadata lists each distribution once (the first found on sys.path), so a
    # repeated entry point name means two distributions: a conflict, never skipped silently.
    # Built-in plugins load first, then the others by distribution: an order that does not
    # depend on sys.path, for `tensorweave plugins` and for conflict messages.
    def order(ep: importlib.metadata.EntryPoint) -> tuple[bool, str, str]:
        dist = ep.dist.name if ep.dist is not None else ""
        return dist != "tensorweave", dist, ep.name

    for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=order):
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else None
        if pm.is_blocked(ep.name):
            continue
        if pm.has_plugin(ep.name):
            _register(pm, dists, ep.name, None, dist)  # raises the conflict error
        try:
            plugin = ep.load()
        except Exception as e:  # noqa: BLE001 - a broken plugin must say which one it is
            raise PluginError(
                f"plugin {ep.name!r} ({_dist_str(dist)}) failed to import: {e!r}. Fix or "
                f"uninstall it, or run without it: {DISABLE_ENV}={ep.name}") from e
        _register(pm, dists, ep.name, plugin, dist)


def _require_installed() -> None:
    try:
        importlib.metadata.distribution("tensorweave")
    except importlib.metadata.PackageNotFoundError:
        raise PluginError(
            "tensorweave is not installed, so its plugins (the cpu backend included) cannot be "
            "found: run `pip install -e .` in the repository (or `pip install tensorweave`)."
        ) from None


def _build(pm: pluggy.PluginManager, blocked: Sequence[str],
           dists: dict[str, tuple[str, str]]) -> Registry:
    reg = Registry(blocked=list(blocked))
    infos: dict[str, PluginInfo] = {}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist, ver = dists.get(name, (NO_DIST, ""))
        infos[name] = PluginInfo(name, dist, ver)
    reg.plugins = list(infos.values())

    def results(kind: str) -> list[tuple[PluginInfo, Any]]:
        hook = getattr(pm.hook, f"tensorweave_{kind}")
        out = []
        for impl in hook.get_hookimpls():  # in registration order (calls run reversed)
            info = infos[pm.get_name(impl.plugin)]
            try:
                res = impl.function()
            except Exception as e:  # noqa: BLE001 - name the plugin that broke
                raise PluginError(f"plugin {_who(info)}: its tensorweave_{kind} hook raised "
                                  f"{e!r}") from e
            if res is not None:
                out.append((info, res))
        return out

    from ..backend import Backend
    from ..ops._opdef import OpDef

    for info, ops in results("ops"):
        for op in ops:
            if not isinstance(op, OpDef):
                raise PluginError(f"plugin {_who(info)}: tensorweave_ops must return op "
                                  f"definitions made with defop; got {op!r}")
            _claim(reg, "ops", op.name, info)
            reg.ops[op.name] = op
    for kind in ("layers", "losses", "optimizers", "lr_schedulers"):
        table = getattr(reg, kind)
        for info, entries in results(kind):
            for n, obj in entries.items():
                _claim(reg, kind, n, info)
                table[n] = obj
    kernels: dict[tuple[str, str], tuple[Callable[..., Any], PluginInfo]] = {}
    for info, classes in results("backends"):
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, Backend) and cls.name):
                raise PluginError(f"plugin {_who(info)}: tensorweave_backends must return "
                                  "subclasses of tensorweave.Backend with a non-empty name; "
                                  f"got {cls!r}")
            _claim(reg, "backends", cls.name, info)
            be = cls()
            reg.backends[be.name] = be
            for op_name, fn in be.kernels().items():
                _check_op(reg, info, be.name, op_name)
                kernels[(be.name, op_name)] = (fn, info)
                info.registered.setdefault("kernels", []).append(f"{be.name}:{op_name}")
    for info, entries in results("kernels"):
        for entry in entries:
            dev, op_name, fn = entry[:3]
            override = len(entry) > 3 and entry[3] == "override"
            _check_op(reg, info, dev, op_name)
            prev = kernels.get((dev, op_name))
            if prev is not None and not override:
                raise PluginError(
                    f"kernel conflict: plugin {_who(prev[1])} and plugin {_who(info)} both "
                    f"register a {dev!r} kernel for op {op_name!r}. Pass 'override' as the "
                    "fourth element of the tuple to replace it on purpose, or disable one "
                    f"with {DISABLE_ENV}=<plugin name>.")
            kernels[(dev, op_name)] = (fn, info)
            info.registered.setdefault("kernels", []).append(f"{dev}:{op_name}")
    # Only now, with every check passed, touch the op definitions shared with the live
    # registry: a failed load leaves the previous one working.
    for op in reg.ops.values():
        op.kernels.clear()
    for (dev, op_name), (fn, _) in kernels.items():
        reg.ops[op_name].kernels[dev] = fn
    return reg


def _dist_str(dist: tuple[str, str] | None) -> str:
    if dist is None or dist[0] == NO_DIST:
        return "no distribution: registered in code"
    return f"distribution {dist[0]} {dist[1]}"


def _who(info: PluginInfo) -> str:
    return f"{info.name!r} ({_dist_str((info.distribution, info.version))})"


_SINGULAR = {"backends": "backend", "ops": "op", "layers": "layer", "losses": "loss",
             "optimizers": "optimizer", "lr_schedulers": "lr scheduler"}


def _claim(reg: Registry, kind: str, name: str, info: PluginInfo) -> None:
    key = (kind, name)
    if key in reg.owners:
        raise PluginError(f"{_SINGULAR[kind]} name conflict: {name!r} is registered by plugin "
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


# Tensor methods attached for plugin ops; a reload that drops the op removes its method.
_PLUGIN_METHODS: set[str] = set()


def _install(reg: Registry) -> None:
    """Make plugin ops reachable as Tensor methods and reset per-load caches.

    Core's ops are already methods (attached when `tensorweave.ops` is imported); a plugin
    op never replaces an existing Tensor attribute.
    """
    from ..device import _CACHE
    from ..tensor import Tensor

    _CACHE.clear()
    for name in _PLUGIN_METHODS - reg.ops.keys():
        delattr(Tensor, name)
    _PLUGIN_METHODS.intersection_update(reg.ops)
    for op in reg.ops.values():
        if op.method and (op.name in _PLUGIN_METHODS or op.name not in Tensor.__dict__):
            setattr(Tensor, op.name, op)
            _PLUGIN_METHODS.add(op.name)
