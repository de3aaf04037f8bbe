"""PyTorch's ``native_layer_norm``, ``native_group_norm`` and ``native_batch_norm``: the
normalizations with the statistics they computed, as ATen returns them (and as decompositions
and exported graphs call them).

``native_layer_norm`` and ``native_batch_norm`` return the statistics as constants, as
PyTorch (only the output is differentiable); ``native_group_norm``'s mean and reciprocal
standard deviation are differentiable outputs, as in PyTorch, so it is composed of ops.
"""

from __future__ import annotations

from .autograd.grad_mode import no_grad
from .nn import functional as F
from .nn.functional._normalization import _update
from .ops import nn as _nn
from .ops.creation import empty
from .ops.elementwise import rsqrt
from .ops.reduction import mean, var
from .tensor import Tensor

__all__ = ["native_layer_norm", "native_group_norm", "native_batch_norm"]


def native_layer_norm(input: Tensor, normalized_shape: list[int],  # noqa: A002
                      weight: Tensor | None, bias: Tensor | None,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """`nn.functional.layer_norm`, with the mean and ``1 / sqrt(var + eps)`` (biased variance)
    over the normalized dims, shaped ``input.shape[:-k] + (1,) * k``.

    Raises:
        TypeError: ``normalized_shape`` is not a sequence of ints.
        RuntimeError: the input's trailing shape or the parameters' shapes differ from
            ``normalized_shape``.
    """
    out = F.layer_norm(input, normalized_shape, weight, bias, eps)
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    with no_grad():
        m = mean(input, dims, keepdim=True)
        rstd = rsqrt(var(input, dims, keepdim=True, correction=0) + eps)
    return out, m, rstd


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                      N: int, C: int, HxW: int, group: int,  # noqa: N803
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """Group normalization of ``input`` read as ``(N, C, HxW)``: the output (``input``'s
    shape), and the ``(N, group)`` mean and ``1 / sqrt(var + eps)`` of each group.

    Raises:
        RuntimeError: ATen's checks: a non-positive ``group``, ``C`` not divisible by it,
            parameters that are not ``(C,)``, or ``N * C * HxW`` not the input's size.
    """
    if group <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {group}")
    if C % group:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups={group}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != C):
            # ATen prints the weight's shape in both messages ([0] when there is no weight).
            shown = [0] if weight is None else list(weight.shape)
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {shown} and input "
                               f"of shape {list(input.shape)}")
    if input.numel() != N * C * HxW:
        raise RuntimeError("Expected X.numel() == N * C * HxW to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    x = input.reshape(N, group, -1)
    m = mean(x, -1)
    rstd = rsqrt(var(x, -1, correction=0) + eps)
    y = ((x - m.unsqueeze(-1)) * rstd.unsqueeze(-1)).reshape(N, C, -1)
    if weight is not None:
        y = y * weight.view(C, 1)
    if bias is not None:
        y = y + bias.view(C, 1)
    return y.reshape(input.shape), m, rstd


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                      running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                      momentum: float, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """Batch normalization: ``(out, save_mean, save_invstd)``.

    In training, the batch's per-channel mean and ``1 / sqrt(var + eps)`` (biased variance),
    and the running statistics, when given, move toward the batch's in place (unbiased
    variance), as `nn.functional.batch_norm`; in evaluation the running statistics normalize
    and the saved statistics are empty.

    Raises:
        ValueError: only one running statistic given in training.
        RuntimeError: no running statistics in evaluation, or parameters that are not ``(C,)``.
    """
    if not training:
        out = F.batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
        return out, empty(0, dtype=input.dtype), empty(0, dtype=input.dtype)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    out, m, v = _nn.batch_norm(input, weight, bias, eps)
    m, v = m.detach(), v.detach()
    if running_mean is not None and input.numel():
        n = input.numel() // input.shape[1]
        _update(running_mean, m, momentum)
        _update(running_var, v, momentum, n / max(n - 1, 1))
    with no_grad():
        invstd = rsqrt(v + eps)
    return out, m, invstd
