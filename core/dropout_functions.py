"""PyTorch's torch-level dropouts: ``dropout``, ``alpha_dropout`` and
``feature_alpha_dropout`` (``train`` required), ``native_dropout`` (output and keep-mask),
the in-place ``dropout_``, ``alpha_dropout_`` and ``feature_alpha_dropout_``, and the
channel-wise ``feature_dropout`` / ``feature_dropout_``.

They are ATen's functions, so a bad probability is ATen's ``RuntimeError`` (``nn.functional``
raises ``ValueError``) and a feature dropout of a 1-d input has ATen's message; the noise
itself is `nn.functional`'s (`tensorweave.manual_seed` reproduces it).
"""

from __future__ import annotations

from typing import Callable

from . import dtypes as D
from .autograd.grad_mode import no_grad
from .nn import functional as F
from .nn.functional._dropout import _drop
from .ops.creation import ones_like
from .ops.elementwise import lt
from .random import rand
from .tensor import Tensor

__all__ = ["native_dropout", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
           "feature_dropout", "feature_dropout_", "feature_alpha_dropout",
           "feature_alpha_dropout_"]


def check_p(p: float) -> None:
    """ATen's dropout probability check.

    Raises:
        RuntimeError: ``p`` is outside [0, 1].
    """
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _check_feature(input: Tensor) -> None:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``(output, mask)``: each element kept with probability ``1 - p`` (``mask`` True) and
    scaled by ``1 / (1 - p)``; with ``train`` False (None means True) a copy of ``input``
    and an all-True mask. The gradient flows through the kept elements, scaled.

    Raises:
        RuntimeError: in training, ``p`` outside [0, 1] (ATen's Bernoulli message, which names
            the keep probability ``1 - p``).
    """
    if train is False:
        return input.clone(), ones_like(input, dtype=D.bool)
    keep_p = 1 - p
    if keep_p < 0 or keep_p > 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={keep_p}")
    draw = D.float64 if input.dtype is D.float64 else D.float32
    with no_grad():
        mask = lt(rand(tuple(input.shape), dtype=draw, device=input.device), keep_p)
    scale = 0.0 if keep_p == 0 else 1.0 / keep_p
    return input * mask.to(input.dtype) * scale, mask


def _aten_dropout(name: str, drop: Callable[..., Tensor], inplace: bool,
                  feature: bool) -> Callable[..., Tensor]:
    """The torch-level ``name(input, p, train)``: ATen's checks, then ``drop`` (an
    `nn.functional` dropout, or the channel-wise one) in place or not."""
    def run(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
        check_p(p)
        if feature and p != 0 and train and input.numel():
            _check_feature(input)
        return drop(input, p, train, inplace=True) if inplace else drop(input, p, train)

    what = "in place, returning ``input``" if inplace else "with ``train`` (required)"
    run.__name__ = run.__qualname__ = name
    run.__doc__ = (f"``{name.rstrip('_')}`` {what}.\n\n    Raises:\n        RuntimeError: "
                   "``p`` is outside [0, 1]" + (", or (when applied) ``input`` has one dim."
                                                if feature else "."))
    return run


def _channels(input: Tensor, p: float, train: bool, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels (dim 1) of ``input`` with probability ``p``, scaling the rest by
    ``1 / (1 - p)`` (`nn.functional.dropout2d` for any rank of at least 2)."""
    return _drop(input, p, train, inplace, "feature_dropout", feature=True)


dropout = _aten_dropout("dropout", F.dropout, False, False)
dropout_ = _aten_dropout("dropout_", F.dropout, True, False)
alpha_dropout = _aten_dropout("alpha_dropout", F.alpha_dropout, False, False)
alpha_dropout_ = _aten_dropout("alpha_dropout_", F.alpha_dropout, True, False)
feature_alpha_dropout = _aten_dropout("feature_alpha_dropout", F.feature_alpha_dropout, False,
                                      True)
feature_alpha_dropout_ = _aten_dropout("feature_alpha_dropout_", F.feature_alpha_dropout,
                                       True, True)
feature_dropout = _aten_dropout("feature_dropout", _channels, False, True)
feature_dropout_ = _aten_dropout("feature_dropout_", _channels, True, True)
