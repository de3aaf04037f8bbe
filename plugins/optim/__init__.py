"""tensorweave's built-in optimizers and lr schedulers: a plugin, registered through the
same entry point group (``tensorweave``) and hooks as a third party's.
"""

from __future__ import annotations

from tensorweave.plugin import hookimpl

from . import adafactor, lbfgs, muon, optimizers, schedulers


@hookimpl
def tensorweave_optimizers() -> dict[str, type]:
    """The built-in optimizers, by class name (each becomes ``tensorweave.optim.<name>``)."""
    return {name: getattr(module, name)
            for module in (optimizers, lbfgs, adafactor, muon) for name in module.__all__}


@hookimpl
def tensorweave_lr_schedulers() -> dict[str, type]:
    """The built-in schedulers (each becomes ``tensorweave.optim.lr_scheduler.<name>``)."""
    return {name: getattr(schedulers, name) for name in schedulers.__all__}
