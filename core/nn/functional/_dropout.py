"""Dropout and its channel-wise and self-normalizing variants.

The masks come from `tensorweave.rand` on the input's device, so `tensorweave.manual_seed`
(or the device's default generator state) reproduces them. Kept elements are scaled by
``1 / (1 - p)`` so the expected value is unchanged; the gradient flows through the same
mask (the output is ``input * noise`` with ``noise`` a constant).
"""

from __future__ import annotations

import math
import warnings

from ... import dtypes as D
from ...autograd.grad_mode import no_grad
from ...ops.elementwise import lt
from ...ops.inplace import commit
from ...random import rand
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

# The negative saturation of SELU (-scale * alpha), where alpha dropout parks dropped units.
_SELU_SATURATION = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _drop(input: Tensor, p: float, training: bool, inplace: bool, name: str,  # noqa: A002
          feature: bool = False, alpha: bool = False) -> Tensor:
    """PyTorch's ``_dropout_impl``: elementwise (or per channel, ``feature``) Bernoulli
    noise; ``alpha`` keeps SELU's mean and variance instead of zeroing.
    """
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        out = input * 0.0  # nan stays nan, as PyTorch's multiplication by zeros
        return commit(input, out, name + "_") if inplace else out
    shape = tuple(input.shape)
    if feature:
        if input.ndim < 2:
            raise RuntimeError(f"{name}: Feature dropout requires at least 2 dimensions in the "
                               f"input; got shape {list(shape)}")
        shape = shape[:2] + (1,) * (input.ndim - 2)
    draw = D.float64 if input.dtype is D.float64 else D.float32
    with no_grad():
        keep = lt(rand(shape, dtype=draw, device=input.device), 1.0 - p).to(input.dtype)
        if alpha:
            a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
            shift = (keep - 1.0) * (_SELU_SATURATION * a) + _SELU_SATURATION * a * p
            noise = keep * a
        else:
            noise = keep / (1.0 - p)  # divided, not multiplied by 1/(1-p): PyTorch's rounding
    out = input * noise
    if alpha:
        out = out + shift
    return commit(input, out, name + "_") if inplace else out


def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Args:
        input: any floating-point tensor.
        p: the probability of an element to be zeroed (1 gives zeros).
        training: apply dropout; when False ``input`` itself is returned.
        inplace: write the result into ``input``.

    Raises:
        ValueError: if ``p`` is outside [0, 1].
    """
    _check_p(p)
    return _drop(input, p, training, inplace, "dropout")


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value and
    an affine map keeps the mean and variance (note PyTorch's default ``training=False``).

    Raises:
        ValueError: if ``p`` is outside [0, 1].
    """
    _check_p(p)
    return _drop(input, p, training, inplace, "alpha_dropout", alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                          inplace: bool = False) -> Tensor:
    """`alpha_dropout` of whole channels (dim 1).

    Raises:
        ValueError: if ``p`` is outside [0, 1].
        RuntimeError: for inputs with fewer than 2 dims.
    """
    _check_p(p)
    return _drop(input, p, training, inplace, "feature_alpha_dropout", feature=True, alpha=True)


def _unbatched(input: Tensor, p: float, training: bool, inplace: bool,  # noqa: A002
               name: str) -> Tensor:
    """Channel dropout of an input without its batch dim, as PyTorch: add it, drop, remove."""
    if p == 0 or not training or input.numel() == 0:
        return input
    out = _drop(input.unsqueeze(0), p, training, False, name, feature=True).squeeze(0)
    return commit(input, out, name + "_") if inplace else out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs with probability ``p``.

    Raises:
        ValueError: if ``p`` is outside [0, 1].
        RuntimeError: for inputs that are not 2-D or 3-D.
    """
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    if input.ndim == 2:
        return _unbatched(input, p, training, inplace, "dropout1d")
    return _drop(input, p, training, inplace, "dropout1d", feature=True)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` inputs with probability ``p``.

    A 3-D input is read as ``(N, C, L)`` (PyTorch's legacy behaviour, with its warning).

    Raises:
        ValueError: if ``p`` is outside [0, 1].
    """
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _drop(input, p, training, inplace, "dropout2d", feature=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs with
    probability ``p``.

    Raises:
        ValueError: if ``p`` is outside [0, 1].
    """
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if input.ndim != 5:
        return _unbatched(input, p, training, inplace, "dropout3d")
    return _drop(input, p, training, inplace, "dropout3d", feature=True)
