"""tensorweave's built-in layers: a plugin, registered through the same entry point
group (``tensorweave``) and hook as a third party's layers.

Each submodule lists its layers in ``__all__``; every one becomes ``tensorweave.nn.<name>``.
"""

from __future__ import annotations

from tensorweave.plugin import hookimpl

from . import (
    activation,
    adaptive,
    attention,
    conv,
    distance,
    dropout,
    embedding_bag,
    flatten,
    fold,
    lazy,
    linear,
    local,
    normalization,
    padding,
    parallel,
    pooling,
    recurrent,
    sparse,
    transformer,
    vision,
)

MODULES = (activation, linear, flatten, conv, pooling, dropout, normalization, sparse,
           recurrent, attention, distance, padding, vision, fold, transformer,
           local, embedding_bag, lazy, adaptive, parallel)


@hookimpl
def tensorweave_layers() -> dict[str, type]:
    """The built-in layers, by class name."""
    return {name: getattr(m, name) for m in MODULES for name in m.__all__}
