"""The ``reduction`` argument of the losses, as ``torch.nn._reduction``.

Shared by `tensorweave.nn.functional` and the loss modules (which, like PyTorch's,
still accept the deprecated ``size_average``/``reduce`` pair and map it here).
"""

from __future__ import annotations

import warnings

__all__ = ["get_enum", "legacy_get_string", "legacy_get_enum", "canonical"]

_ENUM = {"none": 0, "mean": 1, "sum": 2}


def get_enum(reduction: str) -> int:
    """PyTorch's integer code of ``reduction``: 0 none, 1 mean, 2 sum.

    Raises:
        ValueError: for any other string (``'elementwise_mean'`` warns and means ``'mean'``).
    """
    if reduction in _ENUM:
        return _ENUM[reduction]
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return 1
    raise ValueError(f"{reduction} is not a valid value for reduction")


def canonical(reduction: str) -> str:
    """``reduction`` checked and spelled ``'none'``, ``'mean'`` or ``'sum'`` (a dict lookup on
    the common path: losses call this on every forward).
    """
    if reduction in _ENUM:
        return reduction
    return ("none", "mean", "sum")[get_enum(reduction)]


def legacy_get_string(size_average: bool | None, reduce: bool | None,
                      emit_warning: bool = True) -> str:
    """The ``reduction`` that the deprecated ``size_average``/``reduce`` pair stands for
    (None counts as True), with PyTorch's deprecation warning.
    """
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def legacy_get_enum(size_average: bool | None, reduce: bool | None,
                    emit_warning: bool = True) -> int:
    """`get_enum` of `legacy_get_string`."""
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
