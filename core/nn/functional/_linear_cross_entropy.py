"""``linear_cross_entropy``: PyTorch 2.13's fused ``cross_entropy(linear(input, w), target)``.

Without ``options`` the logits are materialized: the result and its gradients are those of
``linear`` followed by ``cross_entropy``. With `LinearCrossEntropyOptions` (and PyTorch's
conditions: class-index targets, no label smoothing, no K-dimensional weight) the batch is
split into chunks whose losses are computed under `utils.checkpoint.checkpoint`, so each
chunk's logits are recomputed in backward instead of stored: peak memory holds one chunk's
logits, never the full ``(N, C)``. Other configurations warn and take the reference path,
as PyTorch's do.
"""

from __future__ import annotations

import warnings
from typing import Any

from ... import dtypes as D
from ...ops.elementwise import where
from ...ops.movement import cat
from ...tensor import Tensor
from ...utils.checkpoint import checkpoint
from ..linear_cross_entropy_options import LinearCrossEntropyOptions
from ._linear import linear
from ._loss import cross_entropy

__all__ = ["linear_cross_entropy"]


def _check(input: Tensor, linear_weight: Tensor,  # noqa: A002
           linear_bias: Tensor | None) -> None:
    """PyTorch's shape checks, with its messages."""
    if input.ndim < 1 or input.ndim > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError("expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.ndim}")
    if input.shape[-1] != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    expected = tuple(linear_weight.shape[:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != expected:
        raise RuntimeError(f"expected linear_bias shape {expected}, got "
                           f"{tuple(linear_bias.shape)}")
    if linear_weight.ndim > 2 and input.ndim == 1:
        raise RuntimeError("K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, "
                           f"(N, {input.shape[-1]}), got unbatched input with shape "
                           f"{tuple(input.shape)}")


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,  # noqa: A002
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: Any = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    Args:
        input: ``(in_features)`` or ``(N, in_features)``.
        linear_weight: ``(C, in_features)``, or ``(C, d1, ..., dK, in_features)`` for a
            K-dimensional loss (logits ``(N, C, d1, ..., dK)``; needs batched input).
        target: class indices or class probabilities, as for ``cross_entropy``.
        linear_bias: ``linear_weight.shape[:-1]``.
        weight, reduction, label_smoothing: as for ``cross_entropy``.
        ignore_index: ``None`` means -100 for class indices; unlike ``cross_entropy`` it
            must stay ``None`` when ``target`` holds probabilities (PyTorch's rule).
        options: a `LinearCrossEntropyOptions` to chunk the batch (see the module's note).
    """
    _check(input, linear_weight, linear_bias)
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    logits_shape = (*input.shape[:-1], num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if options is not None:
        if not isinstance(options, LinearCrossEntropyOptions):
            raise TypeError(f"linear_cross_entropy: options must be a "
                            f"LinearCrossEntropyOptions (or None), not {type(options).__name__}")
        if (not out_features and reduction in ("mean", "sum", "none") and label_smoothing == 0.0
                and target.dtype is D.int64):
            return _chunked(input, linear_weight, target, linear_bias, weight, reduction,
                            -100 if ignore_index is None else ignore_index, options)
        warnings.warn(f"linear_cross_entropy: ``options`` ignored; chunked path needs "
                      f"reduction in {{'mean','sum','none'}}, label_smoothing == 0, "
                      f"target.dtype == int64, out_features == (). Got reduction={reduction!r}, "
                      f"label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
                      f"out_features={out_features}.", stacklevel=2)
    # K-dimensional weights are one linear map onto C * d1 * ... * dK outputs.
    flat_weight = linear_weight.reshape(-1, linear_weight.shape[-1])
    flat_bias = None if linear_bias is None else linear_bias.reshape(-1)
    logits = linear(input, flat_weight, flat_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         reduction=reduction, label_smoothing=label_smoothing)


def _chunked(input: Tensor, linear_weight: Tensor, target: Tensor,  # noqa: A002
             linear_bias: Tensor | None, weight: Tensor | None, reduction: str,
             ignore_index: int, options: Any) -> Tensor:
    """The chunked path: per-row losses of each chunk under checkpoint, then the reduction
    (the mean divides by the total weight of the counted targets, as ``cross_entropy``)."""
    unbatched = input.ndim == 1
    x, t = (input.unsqueeze(0), target.unsqueeze(0)) if unbatched else (input, target)
    n = x.shape[0]
    size = options.chunk_size(n, x.shape[1], linear_weight.shape[0])

    def chunk_loss(xs: Tensor, ts: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
        return cross_entropy(linear(xs, w, b), ts, weight=weight, ignore_index=ignore_index,
                             reduction="none")

    losses = cat([checkpoint(chunk_loss, x[i:i + size], t[i:i + size], linear_weight,
                             linear_bias, use_reentrant=False) for i in range(0, n, size)])
    if reduction == "none":
        return losses[0] if unbatched else losses
    total = losses.sum()
    if reduction == "sum":
        return total
    counted = t != ignore_index
    if weight is None:
        return total / counted.sum().to(total.dtype)
    return total / where(counted, weight[where(counted, t, 0)], 0.0).sum()
