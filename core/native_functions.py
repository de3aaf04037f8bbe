"""PyTorch's torch-level ATen spellings of existing functions: ``convolution`` (every
convolution behind one signature), ``conv_tbc`` (a 1-d convolution over time-batch-channel
input), ``native_channel_shuffle`` and ``unsafe_split_with_sizes``.

They dispatch to `nn.functional`'s convolutions and `split_with_sizes` (``conv_tbc`` and
``native_channel_shuffle`` are `nn.functional`'s, re-exported),
so the values and gradients are theirs; ``convolution`` first runs ATen's own argument checks
(it takes lists, not ints, and only batched input), with ATen's messages.
"""

from __future__ import annotations

from typing import Any, Sequence

from .nn import functional as F
from .ops.indexing import split_with_sizes as unsafe_split_with_sizes
from .tensor import Tensor

__all__ = ["convolution", "conv_tbc", "native_channel_shuffle", "unsafe_split_with_sizes"]

_CONV = {1: (F.conv1d, F.conv_transpose1d), 2: (F.conv2d, F.conv_transpose2d),
         3: (F.conv3d, F.conv_transpose3d)}


def _ints(name: str, position: int, value: Any, dim: int) -> list[int]:
    """ATen's ``expand_param_if_needed``: a list of one value per spatial dim (one value is
    repeated).

    Raises:
        TypeError: ``value`` is not a sequence of ints.
        RuntimeError: it holds neither one nor ``dim`` values.
    """
    if not isinstance(value, (tuple, list)) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TypeError(f"convolution(): argument '{name}' (position {position}) must be tuple "
                        f"of ints, not {type(value).__name__}")
    if len(value) == 1:
        return list(value) * dim
    if len(value) != dim:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dim} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return list(value)


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                stride: Sequence[int], padding: Sequence[int], dilation: Sequence[int],
                transposed: bool, output_padding: Sequence[int], groups: int) -> Tensor:
    """A 1-, 2- or 3-d convolution (``transposed``: its transpose) of batched ``input``, the
    dimensionality read from ``weight``; ``output_padding`` only applies when transposed.

    Raises:
        TypeError: a geometry argument is not a sequence of ints.
        RuntimeError: ATen's checks (weight rank, groups, geometry lengths and signs, input
            rank), then the convolution's own; more than 3 spatial dims are not supported.
    """
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    dim = weight.ndim - 2
    stride = _ints("stride", 4, stride, dim)
    padding = _ints("padding", 5, padding, dim)
    dilation = _ints("dilation", 6, dilation, dim)
    output_padding = _ints("output_padding", 8, output_padding, dim)
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(output_padding) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) < 0:
        raise RuntimeError("dilation should be greater than zero")
    if input.ndim != weight.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-"
                           f"dimensional weight {list(weight.shape)}, but got {input.ndim}-"
                           f"dimensional input of size {list(input.shape)} instead")
    _check_channels(input, weight, bias, transposed, groups)
    if dim not in _CONV:
        raise RuntimeError(f"convolution: {dim}-d convolutions are not supported (1-, 2- and "
                           "3-d are)")
    conv, conv_t = _CONV[dim]
    if transposed:
        return conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return conv(input, weight, bias, stride, padding, dilation, groups)


def _check_channels(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                    transposed: bool, groups: int) -> None:
    """ATen's channel checks of ``convolution`` (``check_shape_forward``), with its messages
    (which name the shapes as given, where the 1-d convolutions run on 2-d views)."""
    w, x = list(weight.shape), list(input.shape)
    if w[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{w}] instead")
    channels, outs = (w[0], w[1] * groups) if transposed else (w[1] * groups, w[0])
    given = f"Given transposed=1, weight of size {w}" if transposed else \
        f"Given groups={groups}, weight of size {w}"
    if x[1] != channels:
        raise RuntimeError(f"{given}, expected input{x} to have {channels} channels, but got "
                           f"{x[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != outs):
        given = given if transposed else f"Given weight of size {w}"
        raise RuntimeError(f"{given}, expected bias to be 1-dimensional with {outs} elements, "
                           f"but got bias of size {list(bias.shape)} instead")


conv_tbc = F.conv_tbc
native_channel_shuffle = F.native_channel_shuffle
