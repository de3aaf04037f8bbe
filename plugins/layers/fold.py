"""Sliding-block layers, as in ``torch.nn``: `Unfold` (im2col) and its adjoint `Fold`
(col2im), fixed ``F.unfold`` / ``F.fold`` calls."""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

__all__ = ["Unfold", "Fold"]


class Unfold(Module):
    """Extracts the sliding ``kernel_size`` blocks of a batched image as columns (im2col),
    so a convolution becomes a matrix product.

    Args:
        kernel_size: the block size, an int or ``(kh, kw)``.
        dilation: the spacing of a block's elements.
        padding: zeros added on both sides of each spatial dim.
        stride: the step between blocks.

    Shape:
        input (N, C, H, W) or (C, H, W); output (N, C * kh * kw, L) or (C * kh * kw, L), with
        L the number of blocks.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Unfold(kernel_size=2)(tw.zeros(1, 3, 4, 5)).shape
        tensorweave.Size([1, 12, 12])
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 2, 4, 5))
        return [ModuleSample(args=(2,), inputs=(x,), name="k2"),
                ModuleSample(args=((2, 3),), kwargs={"dilation": (1, 2), "padding": 1,
                                                     "stride": (2, 1)},
                             inputs=(x,), name="geometry"),
                ModuleSample(args=(3,), inputs=(x[0],), name="unbatched")]


class Fold(Module):
    """Sums columns of sliding blocks back into an image (col2im), overlaps adding up: the
    adjoint of `Unfold` with the same geometry.

    Args:
        output_size: the image's spatial size, an int or ``(H, W)``.
        kernel_size: the block size, an int or ``(kh, kw)``.
        dilation: the spacing of a block's elements.
        padding: the zero padding that `Unfold` added (dropped from the output).
        stride: the step between blocks.

    Shape:
        input (N, C * kh * kw, L) or (C * kh * kw, L); output (N, C, H, W) or (C, H, W).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Fold(output_size=(4, 5), kernel_size=2)(tw.zeros(1, 12, 12)).shape
        tensorweave.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        # (4, 5) images in 2x2 blocks at stride 1: 12 overlapping blocks of 2 * 4 values.
        cols = rng.standard_normal((2, 8, 12))
        # kernel (2, 3), dilation (1, 2), padding 1, stride (2, 1) on (4, 5): 3 x 3 blocks.
        sparse = rng.standard_normal((2, 12, 9))
        return [ModuleSample(args=((4, 5), 2), inputs=(cols,), name="k2"),
                ModuleSample(args=((4, 5), (2, 3)), kwargs={"dilation": (1, 2), "padding": 1,
                                                            "stride": (2, 1)},
                             inputs=(sparse,), name="geometry"),
                ModuleSample(args=((4, 5), 2), inputs=(cols[0],), name="unbatched")]
