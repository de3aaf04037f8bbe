"""tensorweave's built-in losses: a plugin, registered through the same entry point
group (``tensorweave``) and hook as a third party's losses.
"""

from __future__ import annotations

from tensorweave.plugin import hookimpl

from . import loss


@hookimpl
def tensorweave_losses() -> dict[str, type]:
    """The built-in losses, by class name (each becomes ``tensorweave.nn.<name>``)."""
    return {name: getattr(loss, name) for name in loss.__all__}
