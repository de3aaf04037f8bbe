"""PyTorch's torch-level dropouts: ``dropout``, ``alpha_dropout`` and
``feature_alpha_dropout`` (``train`` required), ``native_dropout`` (output and keep-mask),
the in-place ``dropout_``, ``alpha_dropout_`` and ``feature_alpha_dropout_``, and the
channel-wise ``feature_dropout`` / ``feature_dropout_``.

They are ATen's functions, so a bad probability is ATen's ``RuntimeError`` (``nn.functional``
raises ``ValueError``) and a feature dropout of a 1-d input has ATen's message; the noise
itself is `nn.functional`'s (`tensorweave.manual_seed` reproduces it).
"""

from __future__ import annotations

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


def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.dropout` with ``train`` (required) for ``training``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1], even when not training (ATen's check).
    """
    check_p(p)
    return F.dropout(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.alpha_dropout` with ``train`` (required) for ``training``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1].
    """
    check_p(p)
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.feature_alpha_dropout` with ``train`` (required) for ``training``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1], or (when applied) ``input`` has one dim.
    """
    check_p(p)
    if p != 0 and train and input.numel():
        _check_feature(input)
    return F.feature_alpha_dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.dropout` in place; returns ``input``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1].
    """
    check_p(p)
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.alpha_dropout` in place; returns ``input``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1].
    """
    check_p(p)
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`nn.functional.feature_alpha_dropout` in place; returns ``input``.

    Raises:
        RuntimeError: ``p`` is outside [0, 1], or (when applied) ``input`` has one dim.
    """
    check_p(p)
    if p != 0 and train and input.numel():
        _check_feature(input)
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def _feature(input: Tensor, p: float, train: bool, inplace: bool) -> Tensor:  # noqa: A002
    check_p(p)
    if p != 0 and train and input.numel():
        _check_feature(input)
    return _drop(input, p, train, inplace, "feature_dropout", feature=True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """Zero whole channels (dim 1) of ``input`` with probability ``p``, scaling the rest by
    ``1 / (1 - p)`` (`nn.functional.dropout2d` for any rank of at least 2).

    Raises:
        RuntimeError: ``p`` is outside [0, 1], or (when applied) ``input`` has one dim.
    """
    return _feature(input, p, train, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """`feature_dropout` in place; returns ``input``."""
    return _feature(input, p, train, True)
