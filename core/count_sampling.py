"""``torch.poisson`` and ``torch.binomial``: counts drawn elementwise from tensors of rates
(and of trial counts and probabilities), with an optional `Generator`.

The samplers are the distributions' (`tensorweave.distributions.discrete`), written with
tensor ops, so they run on every backend. As in PyTorch, ``poisson``'s result is attached
to the graph of ``input`` with a zero gradient (a count does not vary smoothly with its
rate), and ``binomial``'s has no derivative. Where PyTorch returns garbage for a rate,
count or probability out of range (an infinite rate, a negative count), these raise.
"""

from __future__ import annotations

from typing import Any

from .autograd.grad_mode import no_grad
from .distributions.discrete import binomial_sample, poisson_sample
from .ops.elementwise import isfinite
from .ops.joining import broadcast_tensors
from .tensor import Tensor

__all__ = ["poisson", "binomial"]


def _check_floating(op: str, name: str, t: Any) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if not t.dtype.is_floating_point:
        raise ValueError(f"{op} only supports floating-point dtypes for {name}, got: "
                         f"{t.dtype.name}")


def poisson(input: Tensor, generator: Any = None) -> Tensor:  # noqa: A002
    """A Poisson draw for each element of ``input`` (the rates), in ``input``'s dtype.

    Raises:
        ValueError: ``input`` is not floating point.
        RuntimeError: a rate is negative, NaN or infinite.
    """
    _check_floating("poisson", "input", input)
    with no_grad():
        if not bool(((input >= 0) & isfinite(input)).all()):
            raise RuntimeError("invalid Poisson rate, expected rate to be non-negative and "
                               "finite")
        out = poisson_sample(input, generator)
    # Zero gradient, as PyTorch's PoissonBackward
    return out + (input - input.detach()) * 0 if input.requires_grad else out


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """A Binomial(``count``, ``prob``) draw for each element of the broadcast pair, in
    their (common) dtype. Costs memory in proportion to ``max(count)`` per element.

    Raises:
        ValueError: ``count`` or ``prob`` is not floating point.
        RuntimeError: their dtypes differ, a count is negative, not whole or not finite, or
            a probability is outside [0, 1].
    """
    _check_floating("binomial", "count", count)
    _check_floating("binomial", "prob", prob)
    if count.dtype is not prob.dtype:
        raise RuntimeError(f"binomial: Found dtype {prob.dtype.name} but expected "
                           f"{count.dtype.name} (count and prob must have one dtype)")
    with no_grad():
        count, prob = broadcast_tensors(count.detach(), prob.detach())
        if not bool((isfinite(count) & (count >= 0) & (count == count.floor())).all()):
            raise RuntimeError("binomial: expected every count to be a finite non-negative "
                               "whole number")
        if not bool(((prob >= 0) & (prob <= 1)).all()):
            raise RuntimeError("binomial: expected every prob to be in [0, 1]")
        return binomial_sample(count, prob, generator)
