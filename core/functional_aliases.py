"""PyTorch's ``torch.<name>`` spellings of `tensorweave.nn.functional` functions.

PyTorch exposes many functional ops at the top level too (``torch.layer_norm``,
``torch.batch_norm``...), some with the signature of the underlying ATen op rather than the
``nn.functional`` one: ``train`` instead of ``training``, the normalization arguments in
another order, ``reduction`` as ATen's integer enum. Code written against those spellings runs
here through these thin adapters; the functions themselves live in nn.functional.
"""

from __future__ import annotations

from typing import Any, Sequence

from .nn import functional as F

# Same signature at both levels: the nn.functional function itself.
from .nn.functional import (  # re-exported as they are
    bilinear,
    celu,
    celu_,
    channel_shuffle,
    cosine_similarity,
    hardshrink,
    pairwise_distance,
    pdist,
    pixel_shuffle,
    pixel_unshuffle,
    prelu,
    relu_,
    rms_norm,
    rrelu,
    rrelu_,
    selu,
    selu_,
    threshold,
    threshold_,
)
from .tensor import Tensor

__all__ = ["celu", "celu_", "channel_shuffle", "cosine_similarity", "hardshrink",
           "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "relu_",
           "rrelu", "rrelu_", "selu", "selu_", "threshold", "threshold_", "bilinear", "rms_norm",
           "layer_norm", "group_norm",
           "batch_norm", "instance_norm", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
           "poisson_nll_loss", "triplet_margin_loss", "ctc_loss"]

# ATen's reduction enum (at::Reduction), which the top-level loss functions take. Left out,
# PyTorch 2.13's top-level losses return the unreduced loss (its Python binding reads ATen's
# ``reduction=Mean`` default as 0): so do these, which is why their default is 0.
_REDUCTION = {0: "none", 1: "mean", 2: "sum"}


def _reduction(op: str, value: Any) -> str:
    if isinstance(value, str):  # nn.functional's spelling is accepted too
        return value
    if value not in _REDUCTION:
        raise ValueError(f"{op}: reduction must be 0 (none), 1 (mean) or 2 (sum); got {value!r}")
    return _REDUCTION[value]


def layer_norm(input: Tensor, normalized_shape: Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """`nn.functional.layer_norm` (``cudnn_enable`` is accepted and has no effect)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """`nn.functional.group_norm` (``cudnn_enabled`` is accepted and has no effect)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = True) -> Tensor:
    """`nn.functional.batch_norm` with ATen's argument order (weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = True) -> Tensor:
    """`nn.functional.instance_norm` with ATen's argument order (weight and bias first)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: Any = 0) -> Tensor:
    """`nn.functional.binary_cross_entropy_with_logits`; ``reduction`` is ATen's enum."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction("binary_cross_entropy_with_logits",
                                                    reduction), pos_weight=pos_weight)


def kl_div(input: Tensor, target: Tensor, reduction: Any = 0, *,  # noqa: A002
           log_target: bool = False) -> Tensor:
    """`nn.functional.kl_div`; ``reduction`` is ATen's enum, so ``mean`` is the element mean
    (not ``batchmean``), without nn.functional's warning about it."""
    how = _reduction("kl_div", reduction)
    loss = F.kl_div(input, target, reduction="none" if how == "mean" else how,
                    log_target=log_target)
    return loss.mean() if how == "mean" else loss


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: Any = 0) -> Tensor:
    """`nn.functional.cosine_embedding_loss`; ``reduction`` is ATen's enum."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         reduction: Any = 0) -> Tensor:
    """`nn.functional.hinge_embedding_loss`; ``reduction`` is ATen's enum."""
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction("hinge_embedding_loss", reduction))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: Any = 0) -> Tensor:
    """`nn.functional.margin_ranking_loss`; ``reduction`` is ATen's enum."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool,  # noqa: A002
                     eps: float, reduction: Any) -> Tensor:
    """`nn.functional.poisson_nll_loss` with every argument required, as ATen's."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        reduction: Any = 0) -> Tensor:
    """`nn.functional.triplet_margin_loss`; ``reduction`` is ATen's enum."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction))


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: Any = 0, zero_infinity: bool = False) -> Tensor:
    """`nn.functional.ctc_loss`; ``reduction`` is ATen's enum."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      reduction=_reduction("ctc_loss", reduction), zero_infinity=zero_infinity)
