"""Op definitions: the only place an op is defined (see `_opdef`).

This module is also the built-in plugin that registers core's ops through the
``tensorweave_ops`` hook, the same road third-party ops take.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import random  # the random ops live in tensorweave.random, beside Generator
from ..plugin import hookimpl
from . import (
    bessel,
    complex_numbers,
    conv,
    creation,
    decompositions,
    eig,
    elementwise,
    fft,
    gamma_incomplete,
    indexing,
    inplace,
    joining,
    linalg,
    movement,
    nn,
    optim,
    polynomials,
    pool,
    reduction,
    scans,
    scattering,
    searching,
    special,
    statistics,
    windows,
    zeta,
)
from ._opdef import COMPOSITE, PRIMITIVE, Kind, OpDef, Tol, defop
from ._rules import Promotion

__all__ = ["defop", "OpDef", "Kind", "PRIMITIVE", "COMPOSITE", "Tol", "Promotion", "CORE_OPS",
           "FUNCTIONS"]

MODULES = (elementwise, reduction, movement, linalg, creation, inplace, nn, random, indexing,
           conv, pool, optim, joining, searching, scans, scattering,
           statistics, decompositions, special, gamma_incomplete, bessel,
           zeta, polynomials, windows, complex_numbers, fft, eig)

CORE_OPS: list[OpDef] = list({v.name: v for m in MODULES for v in vars(m).values()
                              if isinstance(v, OpDef)}.values())
# The public functions of the op modules (`tensorweave.<name>`), ops and helpers alike.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: getattr(m, name) for m in MODULES for name in m.__all__
    if callable(getattr(m, name)) and getattr(getattr(m, name), "function", True)}


@hookimpl
def tensorweave_ops() -> list[OpDef]:
    """Core's ops (the primitives and the built-in composites)."""
    return CORE_OPS


def install_methods() -> None:
    """Attach operators and op methods to Tensor (called once by ``tensorweave/__init__``)."""
    from .. import _tensor_ops

    _tensor_ops.install({op.name: op for op in CORE_OPS}, FUNCTIONS)
