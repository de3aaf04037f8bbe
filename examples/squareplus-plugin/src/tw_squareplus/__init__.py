"""An example third-party tensorweave plugin.

tensorweave finds this module through the entry point ``squareplus`` in the
``tensorweave`` group (see pyproject.toml) and calls the hooks below once, at
load time. Nothing else is needed: ``tw.squareplus``, ``tw.nn.Squareplus``,
``tw.nn.LogCoshLoss`` and ``tw.optim.Lion`` then exist.
"""

from __future__ import annotations

from typing import Any, Callable

import tensorweave as tw

from .lion import Lion
from .modules import LogCoshLoss, Squareplus
from .ops import squareplus, squareplus_cpu

__all__ = ["squareplus", "Squareplus", "LogCoshLoss", "Lion"]


@tw.hookimpl
def tensorweave_ops() -> list[Any]:
    return [squareplus]


@tw.hookimpl
def tensorweave_kernels() -> list[tuple[str, str, Callable[..., Any]]]:
    # squareplus is a composite, so every backend runs it from its decomposition; this
    # kernel is only a faster path on cpu.
    return [("cpu", "squareplus", squareplus_cpu)]


@tw.hookimpl
def tensorweave_layers() -> dict[str, type]:
    return {"Squareplus": Squareplus}


@tw.hookimpl
def tensorweave_losses() -> dict[str, type]:
    return {"LogCoshLoss": LogCoshLoss}


@tw.hookimpl
def tensorweave_optimizers() -> dict[str, type]:
    return {"Lion": Lion}
