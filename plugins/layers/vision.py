"""Vision layers, as in ``torch.nn``: sub-pixel rearrangements (`PixelShuffle`,
`PixelUnshuffle`), ShuffleNet's `ChannelShuffle`, and resampling (`Upsample` and its
fixed-mode forms `UpsamplingNearest2d`, `UpsamplingBilinear2d`), each a fixed call of the
``F`` function of the same family."""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle", "Upsample",
           "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class PixelShuffle(Module):
    """Rearranges ``(*, C * r * r, H, W)`` into ``(*, C, H * r, W * r)``: the upsampling
    step of a sub-pixel convolution (Shi et al., 2016), ``r = upscale_factor``.

    Args:
        upscale_factor: the factor ``r`` by which height and width grow.

    Shape:
        input (*, C * r * r, H, W), output (*, C, H * r, W * r).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.PixelShuffle(3)(tw.zeros(1, 9, 4, 4)).shape
        tensorweave.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(args=(2,), inputs=(rng.standard_normal((2, 8, 2, 3)),), name="r2"),
                ModuleSample(args=(3,), inputs=(rng.standard_normal((9, 2, 1)),),
                             name="unbatched"),
                ModuleSample(args=(2,), inputs=(rng.standard_normal((2, 1, 4, 1, 2)),),
                             name="extra-batch-dim")]


class PixelUnshuffle(Module):
    """Reverses `PixelShuffle`: ``(*, C, H * r, W * r)`` -> ``(*, C * r * r, H, W)``,
    ``r = downscale_factor``.

    Args:
        downscale_factor: the factor ``r`` by which height and width shrink.

    Shape:
        input (*, C, H * r, W * r), output (*, C * r * r, H, W).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.PixelUnshuffle(3)(tw.zeros(1, 1, 12, 12)).shape
        tensorweave.Size([1, 9, 4, 4])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(args=(2,), inputs=(rng.standard_normal((2, 2, 4, 6)),), name="r2"),
                ModuleSample(args=(3,), inputs=(rng.standard_normal((1, 3, 6)),),
                             name="unbatched")]


class ChannelShuffle(Module):
    """Interleaves the channels of ``groups`` groups, so the next grouped convolution sees
    every group (ShuffleNet, Zhang et al., 2017).

    Args:
        groups: the number of groups; it divides the channel count.

    Shape:
        input (N, C, *), output (N, C, *).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ChannelShuffle(2)(tw.arange(4.0).reshape(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(args=(2,), inputs=(rng.standard_normal((2, 6, 3)),), name="g2"),
                ModuleSample(args=(3,), inputs=(rng.standard_normal((1, 6, 2, 2)),), name="g3")]


class Upsample(Module):
    """Resamples the spatial dims of a batch to ``size`` or by ``scale_factor``
    (``F.interpolate``; see it for the modes).

    Args:
        size: the output spatial size, an int or one int per spatial dim.
        scale_factor: a multiplier of the spatial size, a float or one per spatial dim
            (stored as floats, as in PyTorch).
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'trilinear'`` or ``'area'``.
        align_corners: for the linear modes: sample the grid's corners, not pixel centres.
        recompute_scale_factor: derive the source positions from the sizes, not from
            ``scale_factor``.

    Shape:
        input (N, C, *spatial), output (N, C, *size).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Upsample(scale_factor=2)(tw.tensor([[[1.0, 2.0]]]))
        tensor([[[1., 1., 2., 2.]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x1, x2 = rng.standard_normal((2, 2, 5)), rng.standard_normal((1, 2, 3, 4))
        return [ModuleSample(kwargs={"scale_factor": 2}, inputs=(x2,), name="nearest-x2"),
                ModuleSample(kwargs={"size": 3, "mode": "nearest-exact"}, inputs=(x1,),
                             name="nearest-exact-down"),
                ModuleSample(kwargs={"scale_factor": 1.7, "mode": "linear"}, inputs=(x1,),
                             name="linear-1.7"),
                ModuleSample(kwargs={"size": (5, 3), "mode": "bilinear", "align_corners": True},
                             inputs=(x2,), name="bilinear-corners"),
                ModuleSample(kwargs={"scale_factor": (0.7, 1.5), "mode": "bilinear"},
                             inputs=(x2,), name="bilinear-mixed"),
                ModuleSample(kwargs={"size": 2, "mode": "trilinear"},
                             inputs=(rng.standard_normal((1, 1, 3, 2, 3)),), name="trilinear")]


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of a batch of images (``Upsample(mode='nearest')``).

    Args:
        size: the output size, an int or ``(H, W)``.
        scale_factor: a multiplier of height and width, a float or a pair.

    Shape:
        input (N, C, H, W), output (N, C, *size).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.UpsamplingNearest2d(scale_factor=2)(tw.zeros(1, 1, 2, 3)).shape
        tensorweave.Size([1, 1, 4, 6])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((1, 2, 3, 2))
        return [ModuleSample(kwargs={"scale_factor": 2}, inputs=(x,), name="x2"),
                ModuleSample(kwargs={"size": (4, 5)}, inputs=(x,), name="size")]


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of a batch of images with aligned corners
    (``Upsample(mode='bilinear', align_corners=True)``).

    Args:
        size: the output size, an int or ``(H, W)``.
        scale_factor: a multiplier of height and width, a float or a pair.

    Shape:
        input (N, C, H, W), output (N, C, *size).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.UpsamplingBilinear2d(size=(1, 3))(tw.tensor([[[[0.0, 1.0]]]]))
        tensor([[[[0.0000, 0.5000, 1.0000]]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((1, 2, 3, 2))
        return [ModuleSample(kwargs={"scale_factor": 2}, inputs=(x,), name="x2"),
                ModuleSample(kwargs={"size": (2, 5)}, inputs=(x,), name="size")]
