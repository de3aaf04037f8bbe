"""Convolution layers, as in ``torch.nn``: `Conv1d`, `Conv2d`, `Conv3d`, `ConvTranspose1d`,
`ConvTranspose2d` and `ConvTranspose3d`.

Constructor checks, attribute forms (sizes stored as tuples, ``padding`` possibly
``'same'``/``'valid'``), parameter shapes, initialization and printed forms are PyTorch's.
A ``padding_mode`` other than ``'zeros'`` pads with `functional.pad` first, then convolves
without padding, exactly as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter
from tensorweave.nn import functional as F

from .linear import kaiming_reset_

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

# Tuples, printed like PyTorch's sets but in this fixed order: a set's order changes from
# one process to the next.
_PADDING_STRINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _as_set(options: tuple[str, ...]) -> str:
    return "{" + ", ".join(repr(o) for o in options) + "}"


def _ntuple(n: int) -> Callable[[Any], tuple[Any, ...]]:
    """PyTorch's ``_single``/``_pair``: an iterable as a tuple, a scalar repeated ``n`` times."""
    def parse(x: Any) -> tuple[Any, ...]:
        return tuple(x) if isinstance(x, Iterable) else (x,) * n
    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)


class _ConvNd(Module):
    """The parameters, checks and printed form shared by every convolution.

    Args:
        in_channels, out_channels: channels of the input and the output (both divisible
            by ``groups``).
        kernel_size, stride, dilation, output_padding: tuples with one entry per spatial dim.
        padding: a tuple, or ``'same'``/``'valid'`` (not for strided convolutions).
        transposed: the weight is ``(in, out // groups, *kernel)`` instead of
            ``(out, in // groups, *kernel)``.
        groups: split the channels into this many independent convolutions.
        bias: learn a bias of ``out_channels``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Raises:
        ValueError: PyTorch's checks and messages, for ``groups``, the channel counts,
            ``padding`` and ``padding_mode`` (only ``'zeros'`` when ``transposed``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple[int, ...],
                 stride: tuple[int, ...], padding: str | tuple[int, ...],
                 dilation: tuple[int, ...], transposed: bool, output_padding: tuple[int, ...],
                 groups: int, bias: bool, padding_mode: str, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_as_set(_PADDING_STRINGS)}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_as_set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = _pad_amounts(padding, kernel_size, dilation)
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups))
        self.weight = Parameter(tw.empty((*shape, *kernel_size), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(tw.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in`` being
        ``weight.size(1) * prod(kernel_size)`` (``kaiming_uniform_(a=sqrt(5))``), as PyTorch.
        """
        kaiming_reset_(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


def _pad_amounts(padding: str | tuple[int, ...], kernel_size: tuple[int, ...],
                 dilation: tuple[int, ...]) -> list[int]:
    """`functional.pad`'s amounts (last dim first, left then right) for a non-zero
    ``padding_mode``; ``'same'`` puts the odd extra element on the right, as PyTorch.
    """
    if not isinstance(padding, str):
        return [p for p in reversed(padding) for _ in range(2)]
    amounts = [0, 0] * len(kernel_size)
    if padding == "same":
        for i, (d, k) in enumerate(zip(reversed(dilation), reversed(kernel_size))):
            total = d * (k - 1)
            amounts[2 * i], amounts[2 * i + 1] = total // 2, total - total // 2
    return amounts


class Conv1d(_ConvNd):
    """1-d convolution (cross-correlation) over an input of several channels.

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel.
        stride: stride of the kernel.
        padding: implicit padding on both sides, or ``'same'``/``'valid'``.
        dilation: spacing between kernel elements.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, L_in) or (C_in, L_in), output (N, C_out, L_out) or (C_out, L_out),
        ``L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride + 1)``.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kernel_size)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = in_channels / groups * kernel_size``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _single(kernel_size), _single(stride),
                         padding if isinstance(padding, str) else _single(padding),
                         _single(dilation), False, _single(0), groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.padding_mode != "zeros":
            return F.conv1d(F.pad(input, self._reversed_padding_repeated_twice,
                                  mode=self.padding_mode),
                            self.weight, self.bias, self.stride, _single(0), self.dilation,
                            self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2, 3, 3), inputs=(x((2, 2, 6)),), name="default"),
            ModuleSample(args=(2, 2, 3), kwargs={"stride": 2, "padding": 1},
                         inputs=(x((1, 2, 7)),), name="stride-padding"),
            ModuleSample(args=(2, 2, 2), kwargs={"padding": "same", "dilation": 2},
                         inputs=(x((1, 2, 6)),), name="same-even-kernel-dilation"),
            ModuleSample(args=(4, 2, 3), kwargs={"groups": 2, "bias": False,
                                                 "padding": "valid"},
                         inputs=(x((1, 4, 5)),), name="groups-no-bias-valid"),
            ModuleSample(args=(2, 2, 3), kwargs={"padding": 2, "padding_mode": "reflect"},
                         inputs=(x((1, 2, 5)),), name="reflect"),
            ModuleSample(args=(2, 2, 3), kwargs={"padding": 1, "padding_mode": "replicate"},
                         inputs=(x((2, 5)),), name="replicate-unbatched"),
            ModuleSample(args=(1, 2, 3), kwargs={"padding": 1, "padding_mode": "circular"},
                         inputs=(x((1, 1, 5)),), name="circular"),
        ]


class Conv2d(_ConvNd):
    """2-d convolution (cross-correlation) over an input of several channels.

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel (an int or a pair).
        stride: stride of the kernel.
        padding: implicit padding on both sides, or ``'same'``/``'valid'``.
        dilation: spacing between kernel elements.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, H_in, W_in) or (C_in, H_in, W_in), output (N, C_out, H_out, W_out)
        or (C_out, H_out, W_out), each spatial size as in `Conv1d`.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kH, kW)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = in_channels / groups * kH * kW``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Conv2d(16, 33, 3, stride=2)(tw.randn(20, 16, 50, 100)).shape
        tensorweave.Size([20, 33, 24, 49])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _pair(kernel_size), _pair(stride),
                         padding if isinstance(padding, str) else _pair(padding),
                         _pair(dilation), False, _pair(0), groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.padding_mode != "zeros":
            return F.conv2d(F.pad(input, self._reversed_padding_repeated_twice,
                                  mode=self.padding_mode),
                            self.weight, self.bias, self.stride, _pair(0), self.dilation,
                            self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2, 3, 3), inputs=(x((1, 2, 4, 4)),), name="default"),
            ModuleSample(args=(2, 2, (3, 2)), kwargs={"stride": (2, 1), "padding": (1, 0)},
                         inputs=(x((2, 2, 5, 4)),), name="stride-padding-rect-kernel"),
            ModuleSample(args=(2, 2, (3, 2)), kwargs={"padding": "same", "dilation": (1, 2)},
                         inputs=(x((1, 2, 4, 4)),), name="same-even-kernel-dilation"),
            ModuleSample(args=(4, 2, 2), kwargs={"groups": 2, "bias": False,
                                                 "padding": "valid"},
                         inputs=(x((1, 4, 3, 3)),), name="groups-no-bias-valid"),
            ModuleSample(args=(1, 2, 3), kwargs={"padding": (2, 1), "padding_mode": "reflect"},
                         inputs=(x((1, 1, 4, 4)),), name="reflect"),
            ModuleSample(args=(1, 2, 2), kwargs={"padding": 1, "padding_mode": "replicate"},
                         inputs=(x((1, 3, 3)),), name="replicate-unbatched"),
            ModuleSample(args=(1, 1, 3), kwargs={"padding": "same",
                                                 "padding_mode": "circular"},
                         inputs=(x((1, 1, 3, 4)),), name="circular-same"),
        ]


class Conv3d(_ConvNd):
    """3-d convolution (cross-correlation) over an input of several channels.

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel (an int or a triple).
        stride: stride of the kernel.
        padding: implicit padding on both sides, or ``'same'``/``'valid'``.
        dilation: spacing between kernel elements.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, D_in, H_in, W_in) or (C_in, D_in, H_in, W_in), output (N, C_out,
        D_out, H_out, W_out) or (C_out, D_out, H_out, W_out), each spatial size as in
        `Conv1d`.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kD, kH, kW)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = in_channels / groups * kD * kH * kW``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Conv3d(4, 6, (3, 2, 2), stride=(2, 1, 1))(tw.randn(2, 4, 7, 5, 5)).shape
        tensorweave.Size([2, 6, 3, 4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _triple(kernel_size), _triple(stride),
                         padding if isinstance(padding, str) else _triple(padding),
                         _triple(dilation), False, _triple(0), groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.padding_mode != "zeros":
            return F.conv3d(F.pad(input, self._reversed_padding_repeated_twice,
                                  mode=self.padding_mode),
                            self.weight, self.bias, self.stride, _triple(0), self.dilation,
                            self.groups)
        return F.conv3d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(4, 2, (2, 3, 2)), kwargs={"stride": (2, 1, 1),
                                                         "padding": (1, 0, 1), "groups": 2},
                         inputs=(x((2, 4, 3, 4, 3)),), name="stride-padding-groups"),
            ModuleSample(args=(1, 2, 2), kwargs={"padding": "same", "dilation": (1, 2, 1),
                                                 "padding_mode": "replicate", "bias": False},
                         inputs=(x((1, 3, 4, 3)),), name="same-replicate-unbatched"),
        ]


class _ConvTransposeNd(_ConvNd):
    """What the transposed convolutions share: the ``output_size`` argument of the forward,
    which picks the output padding.
    """

    def _output_padding(self, input: Tensor, output_size: Any,  # noqa: A002
                        num_spatial_dims: int) -> tuple[int, ...]:
        """``self.output_padding``, or the padding that yields ``output_size`` (spatial
        sizes, optionally preceded by the batch and channel sizes), checked like PyTorch.
        """
        if output_size is None:
            return self.output_padding
        non_spatial = 2 if input.dim() == num_spatial_dims + 2 else 1
        output_size = list(output_size)
        if len(output_size) == non_spatial + num_spatial_dims:
            output_size = output_size[non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, "
                             f"output_size must have {num_spatial_dims} or "
                             f"{non_spatial + num_spatial_dims} elements (got "
                             f"{len(output_size)})")
        min_sizes = [(input.size(d + non_spatial) - 1) * self.stride[d] - 2 * self.padding[d]
                     + self.dilation[d] * (self.kernel_size[d] - 1) + 1
                     for d in range(num_spatial_dims)]
        max_sizes = [m + s - 1 for m, s in zip(min_sizes, self.stride)]
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {min_sizes} to {max_sizes} (for an input of "
                                 f"{input.size()[2:]})")
        return tuple(s - m for s, m in zip(output_size, min_sizes))


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution (the gradient of `Conv1d` with respect to its input).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel.
        stride: stride of the convolution.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros pad both sides.
        output_padding: extra size added to one side of the output.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        dilation: spacing between kernel elements.
        padding_mode: only ``'zeros'``.

    Shape:
        input (N, C_in, L_in) or (C_in, L_in), output (N, C_out, L_out) or (C_out, L_out),
        ``L_out = (L_in - 1) stride - 2 padding + dilation (kernel_size - 1)
        + output_padding + 1``.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kernel_size)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = out_channels / groups * kernel_size``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _single(kernel_size), _single(stride),
                         _single(padding), _single(dilation), True, _single(output_padding),
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size, 1), self.groups,
                                  self.dilation)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2, 3, 3), inputs=(x((2, 2, 4)),), name="default"),
            ModuleSample(args=(2, 2, 3), kwargs={"stride": 2, "padding": 1,
                                                 "output_padding": 1},
                         inputs=(x((1, 2, 4)),), name="stride-padding-output_padding"),
            ModuleSample(args=(4, 2, 2), kwargs={"groups": 2, "dilation": 2, "bias": False},
                         inputs=(x((4, 3)),), name="groups-dilation-no-bias-unbatched"),
            ModuleSample(args=(2, 2, 3), kwargs={"stride": 3}, inputs=(x((1, 2, 3)),),
                         forward_kwargs={"output_size": [10]}, name="output_size"),
        ]


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution (the gradient of `Conv2d` with respect to its input).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel (an int or a pair).
        stride: stride of the convolution.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros pad both sides.
        output_padding: extra size added to one side of each spatial dim of the output.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        dilation: spacing between kernel elements.
        padding_mode: only ``'zeros'``.

    Shape:
        input (N, C_in, H_in, W_in) or (C_in, H_in, W_in), output (N, C_out, H_out, W_out)
        or (C_out, H_out, W_out), each spatial size as in `ConvTranspose1d`. The forward's
        ``output_size`` picks the output padding instead.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kH, kW)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = out_channels / groups * kH * kW``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _pair(kernel_size), _pair(stride),
                         _pair(padding), _pair(dilation), True, _pair(output_padding), groups,
                         bias, padding_mode, device=device, dtype=dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size, 2), self.groups,
                                  self.dilation)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(2, 3, 2), inputs=(x((1, 2, 3, 3)),), name="default"),
            ModuleSample(args=(2, 2, 3), kwargs={"stride": 2, "padding": 1,
                                                 "output_padding": (1, 0)},
                         inputs=(x((2, 2, 2, 3)),), name="stride-padding-output_padding"),
            ModuleSample(args=(4, 2, (2, 3)), kwargs={"groups": 2, "dilation": (2, 1),
                                                      "bias": False},
                         inputs=(x((4, 2, 2)),), name="groups-dilation-no-bias-unbatched"),
            ModuleSample(args=(1, 2, 2), kwargs={"stride": 2}, inputs=(x((1, 1, 2, 3)),),
                         forward_kwargs={"output_size": [1, 2, 5, 7]},
                         name="output_size-with-batch-and-channels"),
        ]


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution (the gradient of `Conv3d` with respect to its input).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: size of the kernel (an int or a triple).
        stride: stride of the convolution.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros pad both sides.
        output_padding: extra size added to one side of each spatial dim of the output.
        groups: blocked connections from input to output channels.
        bias: learn a bias.
        dilation: spacing between kernel elements.
        padding_mode: only ``'zeros'``.

    Shape:
        input (N, C_in, D_in, H_in, W_in) or (C_in, D_in, H_in, W_in), output (N, C_out,
        D_out, H_out, W_out) or (C_out, D_out, H_out, W_out), each spatial size as in
        `ConvTranspose1d`. The forward's ``output_size`` picks the output padding instead.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kD, kH, kW)``.
        bias: ``(out_channels,)``. Both from U(-1/sqrt(k), 1/sqrt(k)),
            ``k = out_channels / groups * kD * kH * kW``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _triple(kernel_size), _triple(stride),
                         _triple(padding), _triple(dilation), True, _triple(output_padding),
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size, 3), self.groups,
                                  self.dilation)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(4, 2, (2, 3, 2)), kwargs={"stride": (2, 1, 2), "padding": 1,
                                                         "output_padding": (1, 0, 1),
                                                         "groups": 2},
                         inputs=(x((2, 4, 2, 3, 2)),), name="stride-padding-output_padding-groups"),
            ModuleSample(args=(2, 1, 2), kwargs={"dilation": (2, 1, 1), "bias": False},
                         inputs=(x((2, 2, 3, 2)),), forward_kwargs={"output_size": [1, 4, 4, 3]},
                         name="dilation-unbatched-output_size"),
        ]
