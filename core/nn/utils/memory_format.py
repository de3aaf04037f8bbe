"""`convert_conv2d_weight_memory_format` and its 3-d twin, as ``torch.nn.utils``: lay the
weights of every (transposed) convolution in a module tree out in a memory format
(``tw.channels_last``), in place, keeping the `Parameter` objects optimizers hold."""

from __future__ import annotations

from typing import Any

from ..module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module: Module, memory_format: Any, kinds: tuple[str, ...]) -> Module:
    if type(module).__name__ in kinds:
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """``module`` with its `Conv2d` and `ConvTranspose2d` weights in ``memory_format``."""
    return _convert(module, memory_format, ("Conv2d", "ConvTranspose2d"))


def convert_conv3d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """``module`` with its `Conv3d` and `ConvTranspose3d` weights in ``memory_format``."""
    return _convert(module, memory_format, ("Conv3d", "ConvTranspose3d"))
