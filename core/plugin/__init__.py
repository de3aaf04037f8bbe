"""The plugin system: hookspecs (the contract) and the manager (loading, conflicts)."""

import pluggy

hookimpl = pluggy.HookimplMarker("tensorweave")
"""Marker for plugin functions implementing a ``tensorweave_*`` hook."""

hookspec = pluggy.HookspecMarker("tensorweave")

__all__ = ["hookimpl", "hookspec"]
