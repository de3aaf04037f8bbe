"""Pooling layers, as in ``torch.nn``: max, average and adaptive pooling in 1, 2 and 3 dims.

Each stores its options as given (PyTorch prints ``MaxPool2d(kernel_size=2, stride=2, ...)``
from them, so ``kernel_size`` stays an int when given as one) and calls the function of the
same name in `tensorweave.nn.functional`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

from .conv import _ntuple, _single

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d"]


class _MaxPoolNd(Module):
    """The options of max pooling.

    Args:
        kernel_size: the window size.
        stride: the window stride (default: ``kernel_size``).
        padding: implicit negative-infinity padding on both sides.
        dilation: spacing between window elements.
        return_indices: also return the flat index of each maximum in its input plane
            (for ``MaxUnpool``).
        ceil_mode: round the output size up instead of down.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, "
                "dilation={dilation}, ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling; arguments as in `_MaxPoolNd`.

    Shape:
        input (N, C, L_in) or (C, L_in), output (N, C, L_out) or (C, L_out),
        ``L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride + 1)``
        (``ceil`` with ``ceil_mode``).
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((2, 2, 6)),), name="default"),
            ModuleSample(args=(3,), kwargs={"stride": 2, "padding": 1},
                         inputs=(x((1, 2, 7)),), name="stride-padding"),
            ModuleSample(args=(2,), kwargs={"dilation": 2, "ceil_mode": True},
                         inputs=(x((1, 1, 8)),), name="dilation-ceil_mode"),
            ModuleSample(args=(2,), kwargs={"return_indices": True}, inputs=(x((2, 5)),),
                         name="return_indices-unbatched", grad=False),
        ]


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling; arguments as in `_MaxPoolNd` (ints or pairs).

    Shape:
        input (N, C, H_in, W_in) or (C, H_in, W_in), output (N, C, H_out, W_out) or
        (C, H_out, W_out), each spatial size as in `MaxPool1d`.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.MaxPool2d(2)(tw.randn(1, 3, 8, 8)).shape
        tensorweave.Size([1, 3, 4, 4])
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((1, 2, 4, 4)),), name="default"),
            ModuleSample(args=((3, 2),), kwargs={"stride": (2, 1), "padding": (1, 0)},
                         inputs=(x((2, 1, 5, 4)),), name="rect-stride-padding"),
            ModuleSample(args=(2,), kwargs={"dilation": 2, "ceil_mode": True, "stride": 2},
                         inputs=(x((1, 1, 6, 5)),), name="dilation-ceil_mode"),
            ModuleSample(args=(2,), kwargs={"return_indices": True}, inputs=(x((2, 4, 4)),),
                         name="return_indices-unbatched", grad=False),
        ]


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling; arguments as in `_MaxPoolNd` (ints or triples).

    Shape:
        input (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in), output (N, C, D_out,
        H_out, W_out) or (C, D_out, H_out, W_out), each spatial size as in `MaxPool1d`.
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=((3, 2, 2),), kwargs={"stride": (2, 1, 2), "padding": (1, 0, 1),
                                                    "dilation": (1, 2, 1), "ceil_mode": True},
                         inputs=(x((2, 2, 4, 5, 5)),), name="stride-padding-dilation-ceil"),
            ModuleSample(args=(2,), kwargs={"return_indices": True},
                         inputs=(x((2, 4, 4, 4)),), name="return_indices-unbatched",
                         grad=False),
        ]


class _AvgPoolNd(Module):
    """The printed form of average pooling."""

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling.

    Args:
        kernel_size: the window size.
        stride: the window stride (default: ``kernel_size``).
        padding: implicit zero padding on both sides.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in each average.

    Shape:
        input (N, C, L_in) or (C, L_in), output (N, C, L_out) or (C, L_out),
        ``L_out = floor((L_in + 2 padding - kernel_size) / stride + 1)``.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((2, 2, 6)),), name="default"),
            ModuleSample(args=(3,), kwargs={"stride": 2, "padding": 1,
                                            "count_include_pad": False},
                         inputs=(x((1, 2, 6)),), name="padding-exclude-pad"),
            ModuleSample(args=(2,), kwargs={"ceil_mode": True}, inputs=(x((2, 5)),),
                         name="ceil_mode-unbatched"),
        ]


class AvgPool2d(_AvgPoolNd):
    """2-d average pooling.

    Args:
        kernel_size: the window size (an int or a pair).
        stride: the window stride (default: ``kernel_size``).
        padding: implicit zero padding on both sides.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in each average.
        divisor_override: divide every window sum by this instead of the window size.

    Shape:
        input (N, C, H_in, W_in) or (C, H_in, W_in), output (N, C, H_out, W_out) or
        (C, H_out, W_out), each spatial size as in `AvgPool1d`.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((1, 2, 4, 4)),), name="default"),
            ModuleSample(args=((3, 2),), kwargs={"stride": (2, 1), "padding": (1, 0),
                                                 "count_include_pad": False},
                         inputs=(x((2, 1, 5, 4)),), name="rect-padding-exclude-pad"),
            ModuleSample(args=(2,), kwargs={"ceil_mode": True, "padding": 1},
                         inputs=(x((1, 1, 5, 4)),), name="ceil_mode-padding"),
            ModuleSample(args=(2,), kwargs={"divisor_override": 3}, inputs=(x((2, 4, 4)),),
                         name="divisor_override-unbatched"),
        ]


class AvgPool3d(_AvgPoolNd):
    """3-d average pooling; arguments as in `AvgPool2d` (ints or triples).

    Shape:
        input (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in), output (N, C, D_out,
        H_out, W_out) or (C, D_out, H_out, W_out), each spatial size as in `AvgPool1d`.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=((3, 2, 2),), kwargs={"stride": (2, 1, 2), "padding": (1, 0, 1),
                                                    "ceil_mode": True,
                                                    "count_include_pad": False},
                         inputs=(x((2, 2, 4, 5, 5)),), name="padding-ceil-exclude-pad"),
            ModuleSample(args=(2,), kwargs={"divisor_override": 3}, inputs=(x((2, 4, 4, 4)),),
                         name="divisor_override-unbatched"),
        ]


class _AdaptivePoolNd(Module):
    """The option and printed form of adaptive pooling.

    Args:
        output_size: the output's spatial size; an int, or a tuple whose None entries keep
            the input's size.
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    """Adaptive max pooling, which can also return the indices of the maxima."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """1-d average pooling whose windows are chosen to give ``output_size`` outputs
    (window ``i`` spans ``[floor(i L / out), ceil((i + 1) L / out))``).

    Shape:
        input (N, C, L_in) or (C, L_in), output (N, C, output_size) or (C, output_size).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool1d(input, self.output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(3,), inputs=(x((2, 2, 7)),), name="overlapping-windows"),
                ModuleSample(args=(2,), inputs=(x((2, 6)),), name="unbatched")]


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """2-d average pooling whose windows are chosen to give ``output_size`` outputs, as in
    `AdaptiveAvgPool1d` per spatial dim.

    Shape:
        input (N, C, H_in, W_in) or (C, H_in, W_in), output (N, C, *output_size) or
        (C, *output_size).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.AdaptiveAvgPool2d((5, None))(tw.randn(1, 64, 8, 9)).shape
        tensorweave.Size([1, 64, 5, 9])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool2d(input, self.output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((1, 2, 5, 4)),), name="int"),
            ModuleSample(args=((3, None),), inputs=(x((2, 1, 4, 3)),), name="None-keeps-size"),
            ModuleSample(args=((1, 1),), inputs=(x((2, 3, 3)),), name="global-unbatched"),
        ]


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """3-d average pooling whose windows are chosen to give ``output_size`` outputs, as in
    `AdaptiveAvgPool1d` per spatial dim.

    Shape:
        input (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in), output (N, C,
        *output_size) or (C, *output_size).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool3d(input, self.output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=((3, None, 2),), inputs=(x((2, 2, 4, 5, 5)),),
                         name="None-keeps-size"),
            ModuleSample(args=(1,), inputs=(x((2, 3, 3, 3)),), name="global-unbatched"),
        ]


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-d max pooling over the windows of `AdaptiveAvgPool1d`.

    Args:
        output_size: the output length.
        return_indices: also return the index of each maximum.

    Shape:
        input (N, C, L_in) or (C, L_in), output (N, C, output_size) or (C, output_size).
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(3,), inputs=(x((2, 2, 7)),), name="overlapping-windows"),
                ModuleSample(args=(2, True), inputs=(x((2, 6)),),
                             name="return_indices-unbatched", grad=False)]


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-d max pooling over the windows of `AdaptiveAvgPool2d`.

    Args:
        output_size: the output's spatial size (None entries keep the input's).
        return_indices: also return the flat index of each maximum in its plane.

    Shape:
        input (N, C, H_in, W_in) or (C, H_in, W_in), output (N, C, *output_size) or
        (C, *output_size).
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2,), inputs=(x((1, 2, 5, 4)),), name="int"),
            ModuleSample(args=((3, None),), inputs=(x((2, 1, 4, 3)),), name="None-keeps-size"),
            ModuleSample(args=((1, 2), True), inputs=(x((2, 3, 3)),),
                         name="return_indices-unbatched", grad=False),
        ]


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-d max pooling over the windows of `AdaptiveAvgPool3d`.

    Args:
        output_size: the output's spatial size (None entries keep the input's).
        return_indices: also return the flat ``D * H * W`` index of each maximum.

    Shape:
        input (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in), output (N, C,
        *output_size) or (C, *output_size).
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=((3, None, 2),), inputs=(x((2, 2, 4, 5, 5)),),
                         name="None-keeps-size"),
            ModuleSample(args=((2, 2, 1), True), inputs=(x((2, 4, 4, 3)),),
                         name="tiles-return_indices-unbatched", grad=False),
        ]


class _FractionalMaxPoolNd(Module):
    """The options of fractional max pooling (Graham, 2014): max over fixed-size windows
    whose starts advance by pseudo-random steps, so the output can have any size.

    Args:
        kernel_size: the window size.
        output_size: the output's spatial size.
        output_ratio: the output size as a fraction of the input's, in (0, 1), instead.
        return_indices: also return the flat index of each maximum in its plane.
        _random_samples: ``(N, C, nd)`` numbers in [0, 1) that place the windows (a buffer,
            as in PyTorch); when None every forward draws new ones from tensorweave's
            generator.

    Raises:
        ValueError: with neither or both of ``output_size`` and ``output_ratio``, or a ratio
            outside (0, 1).
    """

    _nd = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        as_tuple = _ntuple(self._nd)
        self.kernel_size = as_tuple(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = as_tuple(output_size) if output_size is not None else None
        self.output_ratio = as_tuple(output_ratio) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")


def _fractional_samples(rng: np.random.Generator, n: int, c: int, nd: int) -> np.ndarray:
    """Window-placing samples that are exact in every floating dtype (multiples of 1/8),
    so a float32 device places its windows as the float64 reference does."""
    return rng.integers(0, 8, size=(n, c, nd)) / 8.0


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-d fractional max pooling; arguments as in `_FractionalMaxPoolNd` (samples ``(N, C,
    2)``, the width's first, as in PyTorch).

    Shape:
        input (N, C, H_in, W_in) or (C, H_in, W_in), output (N, C, H_out, W_out) or
        (C, H_out, W_out), ``(H_out, W_out)`` = ``output_size`` or
        ``(floor(H_in * ratio_h), floor(W_in * ratio_w))``.
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.fractional_max_pool2d(input, self.kernel_size, self.output_size,
                                       self.output_ratio, self.return_indices,
                                       _random_samples=self._random_samples)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        ratio = {"output_ratio": (0.5, 0.75), "return_indices": True,
                 "_random_samples": _fractional_samples(rng, 1, 2, 2)}
        return [
            ModuleSample(args=(2, 3), kwargs={"_random_samples": _fractional_samples(rng, 2, 2, 2)},
                         inputs=(x((2, 2, 5, 5)),), name="output_size"),
            ModuleSample(args=((2, 3),), kwargs=ratio, inputs=(x((2, 6, 7)),),
                         name="output_ratio-return_indices-unbatched", grad=False),
        ]


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling; arguments as in `_FractionalMaxPoolNd` (samples ``(N, C,
    3)``: time, height, width).

    Shape:
        input (N, C, T_in, H_in, W_in) or (C, T_in, H_in, W_in), output (N, C, T_out, H_out,
        W_out) or (C, T_out, H_out, W_out).

    Raises:
        ValueError: also for a kernel size that is not positive.
    """

    _nd = 3

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        if not all(k > 0 for k in _ntuple(3)(kernel_size)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices, _random_samples)

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.fractional_max_pool3d(input, self.kernel_size, self.output_size,
                                       self.output_ratio, self.return_indices,
                                       _random_samples=self._random_samples)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        ratio = {"output_ratio": 0.5, "return_indices": True,
                 "_random_samples": _fractional_samples(rng, 1, 1, 3)}
        return [
            ModuleSample(args=(2, (2, 3, 2)),
                         kwargs={"_random_samples": _fractional_samples(rng, 1, 2, 3)},
                         inputs=(x((1, 2, 4, 5, 4)),), name="output_size"),
            ModuleSample(args=((1, 2, 2),), kwargs=ratio, inputs=(x((1, 4, 5, 6)),),
                         name="output_ratio-return_indices-unbatched", grad=False),
        ]
