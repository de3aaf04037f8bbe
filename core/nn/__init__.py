"""`tensorweave.nn`: the Module base and containers, `functional`, `init`, `utils`,
`attention` (kernel selection) and `grad` (convolution gradients).

Layers and losses are plugins (``plugins/layers``, ``plugins/losses`` and any
third-party package): ``tw.nn.Linear`` is looked up in the registry, exactly as
a third party's ``tw.nn.TheirLayer`` is.
"""

from __future__ import annotations

from typing import Any

from ..plugin.manager import get_registry
from . import attention, functional, grad, init, utils
from .containers import (
    Container,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from .linear_cross_entropy_options import LinearCrossEntropyOptions
from .module import Module
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["Module", "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Container", "attention", "functional", "grad", "init", "utils",
           "LinearCrossEntropyOptions"]


def __getattr__(name: str) -> Any:
    """Registered layers and losses are reachable as ``tensorweave.nn.<name>``."""
    reg = get_registry()
    cls = reg.layers.get(name) or reg.losses.get(name)
    if cls is None:
        raise AttributeError(f"module 'tensorweave.nn' has no attribute {name!r}: no installed "
                             "plugin registers a layer or loss of that name (`tensorweave "
                             "plugins` lists what is registered)")
    return cls


def __dir__() -> list[str]:
    reg = get_registry()
    return sorted({*globals(), *reg.layers, *reg.losses})
