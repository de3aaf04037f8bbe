"""tensorweave's built-in losses: a plugin, registered through the same entry point
group (``tensorweave``) and hook as a third party's losses.
"""

from __future__ import annotations

from tensorweave.plugin import hookimpl

from . import linear_cross_entropy, loss


@hookimpl
def tensorweave_losses() -> dict[str, type]:
    """The built-in losses, by class name (each becomes ``tensorweave.nn.<name>``)."""
    return {name: getattr(m, name) for m in (loss, linear_cross_entropy) for name in m.__all__}
