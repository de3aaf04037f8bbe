"""Dropout layers, as in ``torch.nn``: active in training mode, the identity after
``.eval()``. Masks come from tensorweave's generator, so `tensorweave.manual_seed`
reproduces them.
"""

from __future__ import annotations

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    """The options every dropout layer shares.

    Args:
        p: probability of an element (or channel) to be zeroed.
        inplace: overwrite the input.

    Raises:
        ValueError: if ``p`` is outside [0, 1] (PyTorch's message).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


def _samples(rng: np.random.Generator, *shapes: tuple[int, ...]) -> list[ModuleSample]:
    """For each input shape: a random training-mode sample (p=0.5, and p=0.2 on the first
    shape) and the deterministic evaluation-mode one.
    """
    out = [ModuleSample(kwargs={"p": 0.2}, inputs=(rng.standard_normal(shapes[0]),),
                        name="p=0.2", random=True)]
    for shape in shapes:
        x = rng.standard_normal(shape)
        label = "x".join(map(str, shape))
        out += [ModuleSample(inputs=(x,), name=f"train-{label}", random=True),
                ModuleSample(inputs=(x,), name=f"eval-{label}", train=False)]
    return out


class Dropout(_DropoutNd):
    """Zeroes each element with probability ``p`` in training and scales the others by
    ``1 / (1 - p)``, so the expected output is the input.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (4, 5), (2, 3, 2))


class Dropout1d(_DropoutNd):
    """Zeroes whole channels (1-d feature maps) with probability ``p`` in training, and
    scales the others by ``1 / (1 - p)``.

    Shape:
        input (N, C, L) or (C, L), output the same.
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout1d(input, self.p, self.training, self.inplace)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (2, 4, 3), (4, 3))


class Dropout2d(_DropoutNd):
    """Zeroes whole channels (2-d feature maps) with probability ``p`` in training, and
    scales the others by ``1 / (1 - p)``.

    Shape:
        input (N, C, H, W), output the same (a 3-D input is read as (N, C, L), with
        PyTorch's warning).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (2, 4, 2, 2))


class Dropout3d(_DropoutNd):
    """Zeroes whole channels (3-d feature maps) with probability ``p`` in training, and
    scales the others by ``1 / (1 - p)``.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W), output the same.
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout3d(input, self.p, self.training, self.inplace)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (2, 3, 2, 1, 2), (3, 2, 1, 2))


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped elements take SELU's negative saturation and an
    affine map keeps the input's mean and variance.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.alpha_dropout(input, self.p, self.training)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (4, 5))


class FeatureAlphaDropout(_DropoutNd):
    """`AlphaDropout` of whole channels (dim 1).

    Shape:
        input (N, C, *) or (C, *), output the same.
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.feature_alpha_dropout(input, self.p, self.training)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, (2, 3, 2))
