"""The loss modules of ``torch.nn``: each holds its options (and class weights as buffers)
and delegates to `tensorweave.nn.functional`.

Like PyTorch's, they take the deprecated ``size_average``/``reduce`` pair where PyTorch
still does, and print with no arguments (``CrossEntropyLoss()``). Each declares
``conformance_samples`` covering its options, so the registry-driven tests check it
against numerical gradients, other devices and PyTorch. Sample constructor arguments that
are arrays (``weight``, ``pos_weight``) are class weights: the tests pass them as tensors of
the dtype under test.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from tensorweave import Tensor, nn
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, _reduction
from tensorweave.nn import functional as F

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
           "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MarginRankingLoss",
           "HingeEmbeddingLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "NLLLoss2d",
           "CTCLoss"]

_REDUCTIONS = ("none", "mean", "sum")


class _Loss(Module):
    """Base of the losses: holds ``reduction`` (from the deprecated pair when given)."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _reduction.legacy_get_string(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class ``weight``, registered as a buffer (so it follows
    ``.to()``/``.double()`` and is saved in the state dict when given).
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


def _by_reduction(inputs: tuple[Any, ...], **kwargs: Any) -> list[ModuleSample]:
    """One sample per reduction, the other constructor arguments fixed."""
    return [ModuleSample(kwargs={**kwargs, "reduction": r}, inputs=inputs, name=r)
            for r in _REDUCTIONS]


def _pair(rng: np.random.Generator, *shape: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal(shape), rng.standard_normal(shape)


# -- regression ------------------------------------------------------------------------------------


class L1Loss(_Loss):
    """The mean (or sum) absolute error ``|input - target|``.

    Args:
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (*), target (*) of the same shape; output () or (*) for ``'none'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _by_reduction(_pair(rng, 3, 4))


class MSELoss(_Loss):
    """The mean (or sum) squared error ``(input - target)**2``.

    Args: as `L1Loss`.

    Shape:
        input (*), target (*) of the same shape; output () or (*) for ``'none'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [*_by_reduction(_pair(rng, 3, 4)),
                ModuleSample(inputs=_pair(rng, 2, 3, 2), name="3-d")]


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above (continuous at ``beta``).

    Args:
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        beta: the threshold (>= 0; 0 gives `L1Loss`).
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = _pair(rng, 3, 4)
        x = x * 2  # errors on both sides of beta
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"beta": 0.5}, inputs=(x, t), name="beta=0.5"),
                ModuleSample(kwargs={"beta": 0.0}, inputs=(x, t), name="beta=0")]


class HuberLoss(_Loss):
    """Squared error below ``delta``, ``delta``-scaled absolute error above.

    Args:
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        delta: the threshold (> 0).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = _pair(rng, 3, 4)
        x = x * 2
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"delta": 0.7}, inputs=(x, t), name="delta=0.7")]


# -- classification --------------------------------------------------------------------------------


def _classes(rng: np.random.Generator, n: int, *shape: int) -> np.ndarray:
    return rng.integers(0, n, size=shape).astype(np.int64)


class NLLLoss(_WeightedLoss):
    """The negative log likelihood of class indices, given log-probabilities.

    Args:
        weight: a weight per class, ``(C)``.
        size_average, reduce: deprecated (see ``reduction``).
        ignore_index: a target value that counts neither in the loss nor in the mean.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (C), (N, C) or (N, C, d1, ..., dK); target (), (N) or (N, d1, ..., dK) of
        int64 class indices; output () or the target's shape for ``'none'``.
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((4, 3))
        t = np.array([0, 2, -100, 1])
        w = rng.uniform(0.5, 2.0, 3)
        return [*_by_reduction((x, _classes(rng, 3, 4))),
                ModuleSample(kwargs={"weight": w}, inputs=(x, t), name="weight-ignore"),
                ModuleSample(kwargs={"weight": w, "ignore_index": 1, "reduction": "sum"},
                             inputs=(x, _classes(rng, 3, 4)), name="ignore_index=1"),
                ModuleSample(inputs=(rng.standard_normal((2, 3, 2, 2)),
                                     _classes(rng, 3, 2, 2, 2)), name="k-dim"),
                ModuleSample(inputs=(rng.standard_normal(3), np.array(2)), name="unbatched")]


class NLLLoss2d(NLLLoss):
    """`NLLLoss` under its old name for images (PyTorch keeps it, deprecated): the same
    arguments and behaviour, for inputs of any rank; building one warns as PyTorch does.
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.",
                      FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(kwargs={"weight": rng.uniform(0.5, 2.0, 3), "ignore_index": 1,
                                     "reduction": "sum"},
                             inputs=(rng.standard_normal((2, 3, 2, 2)), _classes(rng, 3, 2, 2, 2)),
                             name="k-dim-weight-ignore_index")]


class CrossEntropyLoss(_WeightedLoss):
    """The cross entropy between logits and class indices or class probabilities: the
    `NLLLoss` of ``log_softmax(input)``, computed stably for logits of any magnitude.

    Args:
        weight: a weight per class, ``(C)``.
        size_average, reduce: deprecated (see ``reduction``).
        ignore_index: a class index that counts neither in the loss nor in the mean.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        label_smoothing: in [0, 1]: mixes the targets with the uniform distribution.

    Shape:
        input (C), (N, C) or (N, C, d1, ..., dK); target: int64 class indices of shape (),
        (N) or (N, d1, ..., dK), or class probabilities of the input's shape; output () or
        (), (N), (N, d1, ..., dK) for ``'none'``.

    Example:
        >>> import tensorweave as tw
        >>> loss = tw.nn.CrossEntropyLoss()
        >>> loss(tw.tensor([[2.0, 0.0]]), tw.tensor([0])) < 0.2
        tensor(True)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((4, 3))
        w = rng.uniform(0.5, 2.0, 3)
        ignored = np.array([0, -100, 2, 1])
        probs = rng.dirichlet(np.ones(3), size=4)
        return [
            *_by_reduction((x, _classes(rng, 3, 4))),
            ModuleSample(kwargs={"weight": w}, inputs=(x, ignored), name="weight-ignore"),
            ModuleSample(kwargs={"label_smoothing": 0.2}, inputs=(x, _classes(rng, 3, 4)),
                         name="label_smoothing"),
            ModuleSample(kwargs={"weight": w, "label_smoothing": 0.3, "reduction": "sum"},
                         inputs=(x, ignored), name="weight-ignore-smoothing-sum"),
            ModuleSample(kwargs={"ignore_index": 1, "label_smoothing": 0.1},
                         inputs=(x, np.array([1, 0, 1, 2])), name="ignore_index=1-smoothing"),
            ModuleSample(inputs=(x, probs), name="probabilities"),
            ModuleSample(kwargs={"weight": w, "label_smoothing": 0.25, "reduction": "none"},
                         inputs=(x, probs), name="probabilities-weight-smoothing"),
            ModuleSample(kwargs={"weight": w},
                         inputs=(rng.standard_normal((2, 3, 2, 2)), _classes(rng, 3, 2, 2, 2)),
                         name="k-dim"),
            ModuleSample(inputs=(rng.standard_normal(3), np.array(1)), name="unbatched"),
            ModuleSample(inputs=(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]),
                                 np.array([1, 2])), name="large-logits"),
        ]


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities; each log is clamped at -100 as in PyTorch.

    Args:
        weight: a rescaling weight that broadcasts to the input's shape.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (*) in [0, 1], target (*) of the same shape; output () or (*) for ``'none'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        # Away from 0 and 1, where the finite differences of the log would be inaccurate.
        x, t = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0.1, 0.9, (3, 4))
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"weight": rng.uniform(0.5, 2.0, 4)}, inputs=(x, t),
                             name="weight")]


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits.

    Args:
        weight: a rescaling weight that broadcasts to the input's shape.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        pos_weight: the weight of positive examples, broadcast against the target (``(C)``
            for an ``(N, C)`` target).

    Shape:
        input (*), target (*) of the same shape; output () or (*) for ``'none'``.
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = rng.standard_normal((3, 4)) * 3, rng.uniform(0, 1, (3, 4))
        w, pw = rng.uniform(0.5, 2.0, 4), rng.uniform(0.5, 3.0, 4)
        large = np.array([[-1000.0, 1000.0], [30.0, -30.0]])
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"weight": w}, inputs=(x, t), name="weight"),
                ModuleSample(kwargs={"pos_weight": pw, "reduction": "sum"}, inputs=(x, t),
                             name="pos_weight"),
                ModuleSample(kwargs={"weight": w, "pos_weight": pw, "reduction": "none"},
                             inputs=(x, t), name="weight-pos_weight"),
                ModuleSample(kwargs={"pos_weight": np.array([2.0, 0.5])},
                             inputs=(large, np.array([[1.0, 0.0], [0.3, 0.7]])),
                             name="large-logits")]


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence of ``target`` from the log-probabilities ``input``.

    Args:
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'`` (``'batchmean'`` is
            the KL divergence; ``'mean'`` divides by the element count and warns).
        log_target: ``target`` holds log-probabilities.
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        logp = np.log(rng.dirichlet(np.ones(4), size=3))
        q = rng.dirichlet(np.ones(4), size=3)
        return [ModuleSample(kwargs={"reduction": r}, inputs=(logp, q), name=r)
                for r in ("none", "batchmean", "sum")] + [
                ModuleSample(kwargs={"reduction": "batchmean", "log_target": True},
                             inputs=(logp, np.log(q)), name="log_target")]


class PoissonNLLLoss(_Loss):
    """The negative log likelihood of a Poisson-distributed ``target``.

    Args:
        log_input: the input is the log of the rate (else the rate itself).
        full: add the Stirling approximation of ``log(target!)``.
        size_average, reduce: deprecated (see ``reduction``).
        eps: keeps the log finite at a zero rate when ``log_input`` is False.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """

    def __init__(self, log_input: bool = True, full: bool = False,
                 size_average: bool | None = None, eps: float = 1e-8,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = rng.standard_normal((3, 4)), rng.uniform(0.0, 4.0, (3, 4))
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"full": True}, inputs=(x, t), name="full"),
                ModuleSample(kwargs={"log_input": False}, inputs=(np.exp(x), t),
                             name="rate")]


class GaussianNLLLoss(_Loss):
    """The negative log likelihood of ``target`` under ``N(input, var)``.

    Args:
        full: include the constant ``log(2 pi) / 2``.
        eps: the variance is clamped at ``eps`` (for the value only).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor,  # noqa: A002
                var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = _pair(rng, 3, 4)
        return [*_by_reduction((x, t, rng.uniform(0.5, 2.0, (3, 4)))),
                ModuleSample(kwargs={"full": True}, inputs=(x, t, rng.uniform(0.5, 2.0, 3)),
                             name="full-homoscedastic")]


# -- margins ---------------------------------------------------------------------------------------


def _signs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Labels of 1 or -1, as int64 (PyTorch has no gradient for most of these targets)."""
    return np.where(rng.standard_normal(shape) > 0, 1, -1).astype(np.int64)


class SoftMarginLoss(_Loss):
    """The logistic loss ``log(1 + exp(-target * input))`` for targets of 1 or -1.

    Args:
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.soft_margin_loss(input, target, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _by_reduction((rng.standard_normal((3, 4)), _signs(rng, 3, 4)))


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label binary cross entropy of ``sigmoid(input)``, averaged over the classes.

    Args:
        weight: a weight per class, ``(C)``.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (N, C) or (C), target of the same shape (0 or 1); output () or (N).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x, t = rng.standard_normal((3, 4)), (rng.standard_normal((3, 4)) > 0).astype(float)
        return [*_by_reduction((x, t)),
                ModuleSample(kwargs={"weight": rng.uniform(0.5, 2.0, 4)}, inputs=(x, t),
                             name="weight")]


class MarginRankingLoss(_Loss):
    """``max(0, -target * (input1 - input2) + margin)`` for targets of 1 or -1.

    Args:
        margin: the margin.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        a, b = _pair(rng, 6)
        return [*_by_reduction((a, b, _signs(rng, 6))),
                ModuleSample(kwargs={"margin": 0.3}, inputs=(a, b, _signs(rng, 6)),
                             name="margin")]


class HingeEmbeddingLoss(_Loss):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1.

    Args:
        margin: the margin.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """

    def __init__(self, margin: float = 1.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(0.0, 2.0, (3, 4))
        return [*_by_reduction((x, _signs(rng, 3, 4))),
                ModuleSample(kwargs={"margin": 1.5}, inputs=(x, _signs(rng, 3, 4)),
                             name="margin")]


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(input1, input2)`` where ``target`` is 1, ``max(0, cos - margin)`` where -1.

    Args:
        margin: in [-1, 1].
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input1, input2 (N, D) or (D); target (N) or (); output () or (N).
    """

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        a, b = _pair(rng, 4, 3)
        return [*_by_reduction((a, b, _signs(rng, 4))),
                ModuleSample(kwargs={"margin": 0.2}, inputs=(a, b, _signs(rng, 4)),
                             name="margin"),
                ModuleSample(inputs=(a[0], b[0], np.array(-1)), name="unbatched")]


class TripletMarginLoss(_Loss):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``, ``d`` the p-norm
    distance of `PairwiseDistance` (with ``eps`` added to the differences).

    Args:
        margin: the margin.
        p: the norm's exponent.
        eps: added to the differences, as in `tensorweave.nn.functional.pairwise_distance`.
        swap: use the smaller of d(anchor, negative) and d(positive, negative).
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        anchor, positive, negative (N, D) or (D); output () or (N) with ``'none'``.
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        a, pos = _pair(rng, 4, 3)
        neg = rng.standard_normal((4, 3))
        return [*_by_reduction((a, pos, neg)),
                ModuleSample(kwargs={"margin": 2.0, "p": 1.0, "swap": True},
                             inputs=(a, pos, neg), name="p1-swap"),
                ModuleSample(inputs=(a[0], pos[0], neg[0]), kwargs={"margin": 3.0},
                             name="unbatched")]


class TripletMarginWithDistanceLoss(_Loss):
    """`TripletMarginLoss` with any distance: ``max(0, margin + d(anchor, positive) -
    d(anchor, negative))``.

    Args:
        distance_function: two tensors to their distances, one per sample (default a
            `PairwiseDistance`, the 2-norm, held as a submodule as in PyTorch).
        margin: the margin (> 0).
        swap: use the smaller of d(anchor, negative) and d(positive, negative).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        anchor, positive, negative (N, *) or what ``distance_function`` takes; output () or
        (N) with ``'none'``.

    Raises:
        ValueError: for ``margin <= 0``.
    """

    def __init__(self, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                 margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = (distance_function if distance_function is not None
                                  else nn.PairwiseDistance())
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        a, pos = _pair(rng, 4, 3)
        neg = rng.standard_normal((4, 3))
        return [*_by_reduction((a, pos, neg)),
                ModuleSample(kwargs={"margin": 2.5, "swap": True}, inputs=(a, pos, neg),
                             name="swap"),
                ModuleSample(kwargs={"distance_function": _l1_distance, "margin": 3.0},
                             inputs=(a, pos, neg), name="l1-distance")]


def _l1_distance(x: Any, y: Any) -> Any:
    """The L1 distance over the last dim, in Tensor methods (so PyTorch's tensors take it too,
    for the comparison with torch.nn)."""
    return (x - y).abs().sum(-1)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss ``sum_{j != y} w[y] max(0, margin - x[y] + x[j])**p / C``.

    Args:
        p: 1 or 2.
        margin: the margin.
        weight: a weight per class, ``(C)``.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (N, C) or (C); target (N) or () of int64 classes; output () or (N).

    Raises:
        ValueError: for ``p`` other than 1 or 2, or a weight that is not 1-d.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.ndim}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((4, 3))
        return [*_by_reduction((x, _classes(rng, 3, 4))),
                ModuleSample(kwargs={"p": 2, "margin": 0.5, "weight": rng.uniform(0.5, 2.0, 3)},
                             inputs=(x, _classes(rng, 3, 4)), name="p2-weight"),
                ModuleSample(inputs=(x[0], np.array(1)), name="unbatched")]


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss ``sum_{j in y, k not in y} max(0, 1 - (x[j] - x[k])) / C``;
    each target row lists a sample's labels, ended by -1 (or the row's end).

    Args:
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        input (N, C) or (C); target of the same shape, int64; output () or (N).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((3, 4))
        t = np.array([[3, 0, -1, 1], [1, 2, 2, 0], [-1, 0, 1, 2]])
        return [*_by_reduction((x, t)),
                ModuleSample(inputs=(x[0], np.array([2, -1, 0, 0])), name="unbatched")]


class CTCLoss(_Loss):
    """The Connectionist Temporal Classification loss between unsegmented sequences and
    their targets: ``-log`` of the summed probability of every alignment (see
    `tensorweave.nn.functional.ctc_loss`).

    Args:
        blank: the blank class.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` divides each sample's loss
            by its target length before averaging.
        zero_infinity: replace infinite losses (inputs too short for their targets) and their
            gradients by 0.

    Shape:
        log_probs (T, N, C) or (T, C); targets (N, S) padded or (sum(target_lengths))
        concatenated, or (S) unbatched; input_lengths and target_lengths (N) or ();
        output () or (N) for ``'none'``.
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Tensor,
                target_lengths: Tensor) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        """Log-probabilities as ``log_softmax`` gives them; ``torch_grad=False``: PyTorch's
        gradient w.r.t. ``log_probs`` is the one w.r.t. the logits of a ``log_softmax`` (see
        `tensorweave.nn.functional.ctc_loss`), so ours is checked against central
        differences here and against PyTorch's through a ``log_softmax`` in
        tests/unit/test_ctc_loss.py."""
        def log_probs(*shape: int) -> np.ndarray:
            z = rng.standard_normal(shape)
            return z - np.log(np.exp(z).sum(-1, keepdims=True))

        lengths = np.array([5, 3])
        return [
            ModuleSample(inputs=(log_probs(5, 2, 4), np.array([[1, 2, 2], [3, 1, 0]]), lengths,
                                 np.array([3, 2])), name="padded", torch_grad=False),
            # Concatenated targets; the second needs 4 frames for "1 1" and has 3.
            ModuleSample(kwargs={"blank": 3, "reduction": "none", "zero_infinity": True},
                         inputs=(log_probs(5, 2, 4), np.array([0, 2, 1, 1]), lengths,
                                 np.array([2, 2])), name="concatenated-zero_infinity",
                         torch_grad=False),
            ModuleSample(kwargs={"reduction": "sum"},
                         inputs=(log_probs(4, 3), np.array([2, 1]), np.array(4), np.array(2)),
                         name="unbatched", torch_grad=False),
        ]
