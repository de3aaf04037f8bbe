"""`tensorweave.nn.grad`: the gradients of convolutions with respect to their input or
weight, given the output's gradient, as `torch.nn.grad` (``conv2d_input``,
``conv2d_weight``...). Useful to write a custom backward or a hand-made layer.

A convolution is linear in its input and in its weight, so each of these is the vector-
Jacobian product of the convolution at any point: here one backward pass through a
convolution of a zero tensor of the asked size. It is differentiable in the other
operands (``create_graph`` when they require grad), and runs on every backend.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..autograd.engine import grad as _grad
from ..autograd.grad_mode import enable_grad
from ..ops.creation import zeros
from ..tensor import Tensor
from . import functional as F

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def _vjp(conv: Callable[..., Tensor], name: str, size: Sequence[int], other: Tensor,
         grad_output: Tensor, wrt_input: bool, options: dict[str, Any]) -> Tensor:
    """``d <grad_output, conv(x, w)> / d x`` (``wrt_input``) or ``/ d w``, with the
    differentiated operand a zero tensor of ``size``."""
    for arg, t in (("grad_output", grad_output), ("weight" if wrt_input else "input", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(t).__name__}")
    with enable_grad():
        point = zeros(*size, dtype=other.dtype, device=other.device, requires_grad=True)
        out = conv(point, other, **options) if wrt_input else conv(other, point, **options)
        if tuple(out.shape) != tuple(grad_output.shape):
            raise RuntimeError(f"{name}: grad_output of shape {tuple(grad_output.shape)} does "
                               f"not match the convolution's output shape {tuple(out.shape)} "
                               f"for {'input' if wrt_input else 'weight'} size {tuple(size)}")
        create = other.requires_grad or grad_output.requires_grad
        return _grad(out, point, grad_output, create_graph=create)[0]


def _pair(conv: Callable[..., Tensor], dims: int) -> tuple[Callable[..., Tensor], ...]:
    """The ``conv{dims}d_input`` and ``conv{dims}d_weight`` functions of ``conv``."""

    def conv_input(input_size: Sequence[int], weight: Tensor, grad_output: Tensor,
                   stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                   groups: int = 1) -> Tensor:
        return _vjp(conv, f"conv{dims}d_input", input_size, weight, grad_output, True,
                    {"stride": stride, "padding": padding, "dilation": dilation,
                     "groups": groups})

    def conv_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,  # noqa: A002
                    stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                    groups: int = 1) -> Tensor:
        return _vjp(conv, f"conv{dims}d_weight", weight_size, input, grad_output, False,
                    {"stride": stride, "padding": padding, "dilation": dilation,
                     "groups": groups})

    conv_input.__name__ = conv_input.__qualname__ = f"conv{dims}d_input"
    conv_weight.__name__ = conv_weight.__qualname__ = f"conv{dims}d_weight"
    conv_input.__doc__ = (f"The gradient of ``conv{dims}d(input, weight, ...)`` w.r.t. an "
                          "input of ``input_size`` (the full shape, batch and channels "
                          "included), given ``grad_output``, as "
                          f"`torch.nn.grad.conv{dims}d_input`.")
    conv_weight.__doc__ = (f"The gradient of ``conv{dims}d(input, weight, ...)`` w.r.t. a "
                           "weight of ``weight_size``, given ``grad_output``, as "
                           f"`torch.nn.grad.conv{dims}d_weight`.")
    return conv_input, conv_weight


conv1d_input, conv1d_weight = _pair(F.conv1d, 1)
conv2d_input, conv2d_weight = _pair(F.conv2d, 2)
conv3d_input, conv3d_weight = _pair(F.conv3d, 3)
