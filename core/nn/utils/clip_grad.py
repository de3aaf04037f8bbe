"""Gradient clipping: `clip_grad_norm_`, `clip_grad_value_` and their parts, as in
`torch.nn.utils.clip_grad`.

The total norm is the norm of the per-tensor norms (so it equals the norm of all the
gradients concatenated) and stays a tensor on the device of the first gradient: clipping
never copies a value to the host, as in PyTorch. PyTorch's ``foreach`` argument is accepted
for compatibility; there is one implementation, written with ordinary ops, for every
backend.
"""

from __future__ import annotations

import types
import warnings
from typing import Any, Iterable, Union

from ... import dtypes as D
from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from ...ops.elementwise import clamp
from ...ops.movement import stack
from ...ops.reduction import norm
from ...tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
           "get_total_norm"]

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _as_list(tensors: TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


@no_grad()
def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of ``tensors`` as if they were concatenated into one vector.

    Args:
        tensors: a tensor or an iterable of tensors (usually gradients).
        norm_type: the order of the norm; ``inf`` for the largest absolute value.
        error_if_nonfinite: raise when the norm is nan or inf.
        foreach: accepted for PyTorch compatibility.

    Returns:
        A 0-d tensor on the first tensor's device (``tensor(0.)`` for no tensors).

    Raises:
        RuntimeError: when ``error_if_nonfinite`` and the norm is not finite.
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    first_device = tensors[0].device
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = D.promote_types(dtype, t.dtype)
    norms = [norm(t, norm_type).to(first_device, dtype) for t in tensors]
    total_norm = norm(stack(norms), norm_type)
    if error_if_nonfinite and not bool(total_norm.isfinite()):  # type: ignore[attr-defined]
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total_norm


@no_grad()
def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients of ``parameters`` in place by ``min(1, max_norm / (total_norm +
    1e-6))``, given their precomputed ``total_norm`` (see `get_total_norm`).
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    coef = clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
    by_device: dict[Any, Tensor] = {}
    for g in grads:
        c = by_device.get(g.device)
        if c is None:
            c = by_device[g.device] = coef.to(g.device)
        g.mul_(c)  # type: ignore[attr-defined]


@no_grad()
def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped.
        max_norm: the largest total norm allowed.
        norm_type: the order of the norm; ``inf`` for the largest absolute value.
        error_if_nonfinite: raise when the total norm is nan or inf.
        foreach: accepted for PyTorch compatibility.

    Returns:
        The total norm of the gradients before clipping, a 0-d tensor.

    Raises:
        RuntimeError: when ``error_if_nonfinite`` and the norm is not finite.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of `clip_grad_norm_`."""
    warnings.warn("`tensorweave.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`tensorweave.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)  # type: ignore[attr-defined]
