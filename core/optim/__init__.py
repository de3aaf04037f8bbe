"""`tensorweave.optim`: the Optimizer base, `lr_scheduler` and `swa_utils`.

Optimizers are plugins (``plugins/optim`` and any third-party package):
``tw.optim.Adam`` is looked up in the registry, exactly as a third party's
``tw.optim.TheirOptimizer`` is.
"""

from __future__ import annotations

from typing import Any

from ..plugin.manager import get_registry
from . import lr_scheduler, swa_utils
from .optimizer import Optimizer

__all__ = ["Optimizer", "lr_scheduler", "swa_utils"]


def __getattr__(name: str) -> Any:
    """Registered optimizers are reachable as ``tensorweave.optim.<name>``."""
    cls = get_registry().optimizers.get(name)
    if cls is None:
        raise AttributeError(f"module 'tensorweave.optim' has no attribute {name!r}: no "
                             "installed plugin registers an optimizer of that name "
                             "(`tensorweave plugins` lists what is registered)")
    return cls


def __dir__() -> list[str]:
    return sorted({*globals(), *get_registry().optimizers})
