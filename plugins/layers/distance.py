"""Distance layers, as in ``torch.nn``: `CosineSimilarity` and `PairwiseDistance`.

Both hold their options and delegate to `tensorweave.nn.functional`; like PyTorch's they
print with no arguments (``CosineSimilarity()``).
"""

from __future__ import annotations

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim``
    (`tensorweave.nn.functional.cosine_similarity`).

    Args:
        dim: the dim of the vectors.
        eps: each norm is clamped to at least ``eps``, so zero vectors give 0.

    Shape:
        x1 (*1, D, *2), x2 broadcastable to it; output (*1, *2).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.CosineSimilarity()(tw.tensor([[1.0, 0.0]]), tw.tensor([[0.0, 2.0]]))
        tensor([0.])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(inputs=(x((3, 4)), x((3, 4))), name="default"),
                ModuleSample(kwargs={"dim": -1}, inputs=(x((2, 3, 4)), x((3, 4))),
                             name="broadcast-dim-1"),
                # Norms above eps: below it the gradient is PyTorch's (through the
                # unclamped norm), which central differences of the clamped value differ from.
                ModuleSample(args=(0, 1e-3), inputs=(x((3, 2)), x((3, 2))), name="dim0-eps")]


class PairwiseDistance(Module):
    """The p-norm of ``x1 - x2 + eps`` over the last dim
    (`tensorweave.nn.functional.pairwise_distance`).

    Args:
        p: the norm's exponent.
        eps: added to the differences (keeps the gradient defined for equal vectors).
        keepdim: keep the last dim with size 1.

    Shape:
        x1 (N, D) or (D), x2 broadcastable to it; output (N) or () (or (N, 1), (1)
        with ``keepdim``).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.PairwiseDistance(eps=0.0)(tw.tensor([[3.0, 0.0]]), tw.tensor([[0.0, 4.0]]))
        tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(inputs=(x((3, 4)), x((3, 4))), name="default"),
                ModuleSample(kwargs={"p": 1.0, "keepdim": True}, inputs=(x((3, 4)), x(4)),
                             name="p1-broadcast-keepdim"),
                ModuleSample(args=(3.0, 1e-2), inputs=(x(4), x(4)), name="p3-unbatched")]
