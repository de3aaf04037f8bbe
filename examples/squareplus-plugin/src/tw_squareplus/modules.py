"""The plugin's layer and loss: ordinary `tensorweave.nn.Module` subclasses.

Each declares ``conformance_samples``, so tensorweave's registry-driven tests
check it (forward, gradients, other devices) with no test code of its own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave.conformance.modules import ModuleSample

from .ops import squareplus

_LOG2 = math.log(2.0)
_REDUCTIONS = ("none", "mean", "sum")


class Squareplus(tw.nn.Module):
    """Applies `squareplus` element-wise: ``(x + sqrt(x*x + b)) / 2``.

    Args:
        b: the curvature near 0 (``b = 0`` is ReLU). Default: 4.0.

    Shape:
        Input: any shape. Output: the same shape.
    """

    def __init__(self, b: float = 4.0) -> None:
        super().__init__()
        self.b = b

    def forward(self, input: tw.Tensor) -> tw.Tensor:  # noqa: A002
        return squareplus(input, self.b)

    def extra_repr(self) -> str:
        return f"b={self.b}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(inputs=(rng.standard_normal((4, 5)),)),
                ModuleSample(kwargs={"b": 0.25}, inputs=(rng.standard_normal((2, 3, 2)),),
                             name="b=0.25")]


class LogCoshLoss(tw.nn.Module):
    """``log(cosh(input - target))``, reduced: quadratic near 0, linear far away.

    Computed as ``|d| + log1p(exp(-2|d|)) - log 2``, which never overflows (``cosh``
    itself overflows float32 beyond |d| ~ 89).

    Args:
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"LogCoshLoss: reduction must be one of {_REDUCTIONS}; "
                             f"got {reduction!r}")
        self.reduction = reduction

    def forward(self, input: tw.Tensor, target: tw.Tensor) -> tw.Tensor:  # noqa: A002
        if input.shape != target.shape:
            raise ValueError(f"LogCoshLoss: input and target must have the same shape; got "
                             f"{list(input.shape)} and {list(target.shape)}")
        d = (input - target).abs()
        loss = d + tw.log1p(tw.exp(-2.0 * d)) - _LOG2
        if self.reduction == "mean":
            return loss.mean()
        return loss.sum() if self.reduction == "sum" else loss

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[Any]:
        def pair(*shape: int) -> tuple[np.ndarray, np.ndarray]:
            return rng.standard_normal(shape), rng.standard_normal(shape)

        return [ModuleSample(kwargs={"reduction": r}, inputs=pair(3, 4), name=r)
                for r in _REDUCTIONS]
