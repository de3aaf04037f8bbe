"""`LinearCrossEntropyLoss`: a classifier head and its cross entropy in one module, as
PyTorch 2.13's ``nn.LinearCrossEntropyLoss`` (`nn.functional.linear_cross_entropy` with the
module's own ``Linear``; ``options`` chunks the batch so the logits are never all held)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tensorweave import Tensor, nn
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import functional as F

from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """``cross_entropy(linear(input), target)`` with the linear map inside the module.

    Args:
        in_features: size of each input sample.
        num_classes: C.
        out_features: ``(d1, ..., dK)`` for a K-dimensional loss (logits ``(N, C, d...)``).
        bias: give the linear map a bias.
        device, dtype: of the linear map's parameters.
        reduction, weight, ignore_index, label_smoothing: as for `CrossEntropyLoss`
            (``ignore_index=None``: -100 for class indices).
        options: a `LinearCrossEntropyOptions` to chunk the batch.

    The weight is stored flat, ``(C * prod(out_features), in_features)``, as PyTorch's.

    Raises:
        RuntimeError: a class weight not of shape ``(C,)``, or label smoothing outside
            [0, 1] (PyTorch's messages).
    """

    def __init__(self, in_features: int, num_classes: int, *, out_features: tuple[int, ...] = (),
                 bias: bool = False, device: Any = None, dtype: Any = None,
                 reduction: str = "mean", weight: Tensor | None = None,
                 ignore_index: int | None = None, label_smoothing: float = 0.0,
                 options: Any = None) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got "
                               f"{tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got "
                               f"{label_smoothing}")
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = nn.Linear(in_features, math.prod(out_features, start=num_classes),
                                bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        shape = (self.num_classes, *self.out_features)
        bias = self.linear.bias
        return F.linear_cross_entropy(
            input, self.linear.weight.reshape(*shape, self.linear.in_features), target,
            linear_bias=None if bias is None else bias.reshape(shape), weight=self.weight,
            reduction=self.reduction, ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self) -> str:
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((5, 3))
        classes = np.array([0, 3, 1, 2, 3])
        return [
            ModuleSample(args=(3, 4), kwargs={"bias": True}, inputs=(x, classes), name="bias"),
            ModuleSample(args=(3, 4), kwargs={"weight": rng.uniform(0.5, 2.0, 4),
                                              "ignore_index": 1, "reduction": "sum"},
                         inputs=(x, classes), name="weight-ignore-sum"),
            ModuleSample(args=(3, 2), kwargs={"out_features": (2,), "label_smoothing": 0.1},
                         inputs=(x, rng.integers(0, 2, (5, 2))), name="k-dim-smoothing"),
        ]
