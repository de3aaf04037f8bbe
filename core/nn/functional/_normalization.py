"""Normalization functions: batch, layer, group, instance and RMS norm, and `normalize`.

The statistics-based ones run on two ops of `tensorweave.ops.nn` (fused cpu kernels, explicit
vjps): ``layer_norm``, which normalizes over any trailing dims with broadcasting affine
parameters (so group_norm and instance_norm are reshapes around it), and ``batch_norm``,
which also returns the batch statistics for the running averages.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ...autograd.grad_mode import no_grad
from ...ops import nn as _nn
from ...ops.elementwise import rsqrt
from ...ops.reduction import mean, norm, var
from ...tensor import Tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "normalize"]

layer_norm = _nn.layer_norm


def _verify_batch_size(size: Any) -> None:
    """Training statistics of one value per channel are meaningless: PyTorch refuses them."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {size}")


def _check_channels(op: str, c: int, **tensors: Tensor | None) -> None:
    for name, t in tensors.items():
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{op}: {name} should contain {c} elements not {t.numel()}")


def _channel_view(t: Tensor | None, ndim: int) -> Tensor | None:
    """A per-channel ``(C,)`` tensor as ``(C, 1, ..., 1)``, broadcasting along dim 1 of an
    ``ndim``-d input."""
    return t if t is None or ndim <= 2 else t.view((-1,) + (1,) * (ndim - 2))


def _update(running: Tensor, batch: Tensor, momentum: float, factor: float = 1.0) -> None:
    """PyTorch's running average ``(1 - momentum) * running + momentum * factor * batch``,
    in place and outside autograd."""
    with no_grad():
        running.mul_(1 - momentum).add_(batch, alpha=momentum * factor)


def batch_norm(input: Tensor, running_mean: Tensor | None,  # noqa: A002
               running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of ``(N, C, *)`` input, then scale and shift it.

    In training, the batch's statistics normalize (biased variance) and the running
    statistics, when given, move toward them in place: ``running = (1 - momentum) *
    running + momentum * stat``, with the unbiased variance, as PyTorch. In evaluation, the
    running statistics normalize.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean: ``(C,)`` or None (then training only uses batch statistics).
        running_var: ``(C,)`` or None, together with ``running_mean``.
        weight: per-channel scale ``(C,)``; optional.
        bias: per-channel shift ``(C,)``; optional.
        training: use (and track) the batch's statistics.
        momentum: the running averages' update factor.
        eps: added to the variance.

    Raises:
        ValueError: for one value per channel in training, a bad ``eps``, or only one running
            statistic in training.
        RuntimeError: for missing running statistics in evaluation, or parameters that are
            not ``(C,)``.
    """
    if training:
        _verify_batch_size(input.shape)
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
        if (running_mean is None) != (running_var is None):
            raise ValueError("running_mean and running_var must either both be None or "
                             "neither be None")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input of shape (N, C) or (N, C, *); got "
                           f"shape {list(input.shape)}")
    c = input.shape[1]
    _check_channels("batch_norm", c, running_mean=running_mean, running_var=running_var)
    if training:
        out, m, v = _nn.batch_norm(input, weight, bias, eps)
        if running_mean is not None and input.numel():
            n = input.numel() // c
            _update(running_mean, m, momentum)
            _update(running_var, v, momentum, n / max(n - 1, 1))
        return out
    if running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    _check_channels("batch_norm", c, weight=weight, bias=bias)
    # PyTorch's cpu form: one scale and one shift per channel, then a single affine pass.
    scale = rsqrt(running_var + eps)
    if weight is not None:
        scale = scale * weight
    shift = -(running_mean * scale) if bias is None else bias - running_mean * scale
    return input * _channel_view(scale, input.ndim) + _channel_view(shift, input.ndim)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,  # noqa: A002
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample over its spatial dims ``(N, C, *spatial)``.

    With ``use_input_stats`` the sample's own statistics normalize and the running
    statistics, when given, move toward their average over the batch; without it, the
    running statistics normalize (as `batch_norm` in evaluation).

    Raises:
        ValueError: for a single spatial element with ``use_input_stats``, or only one running
            statistic.
        RuntimeError: without running statistics when ``use_input_stats`` is False.
    """
    if use_input_stats:
        if input.ndim < 2 or math.prod(input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
        if (running_mean is None) != (running_var is None):
            raise ValueError("running_mean and running_var must either both be None or "
                             "neither be None")
    elif running_mean is None or running_var is None:
        raise RuntimeError("instance_norm: Expected running_mean and running_var to be defined "
                           "when use_input_stats is false")
    c = input.shape[1]
    _check_channels("instance_norm", c, running_mean=running_mean, running_var=running_var,
                    weight=weight, bias=bias)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    spatial = tuple(range(2, input.ndim))
    out = _nn.layer_norm.bind(input, _channel_view(weight, input.ndim),
                              _channel_view(bias, input.ndim), dim=spatial,
                              eps=float(eps))
    if running_mean is not None and running_var is not None:
        with no_grad():
            _update(running_mean, mean(input, spatial).mean(0), momentum)
            _update(running_var, var(input, spatial).mean(0), momentum)
    return out


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each group of ``C / num_groups`` channels of each sample (with its spatial
    dims), then scale and shift per channel.

    Raises:
        RuntimeError: for inputs with fewer than 2 dims, channels not divisible by
            ``num_groups``, or parameters that are not ``(C,)``.
        ValueError: if a group holds a single value.
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible "
                           f"by num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _verify_batch_size([n * c // num_groups, num_groups, *input.shape[2:]])
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"group_norm: Expected {name} to be a vector of size equal to the "
                               f"number of channels in input, but got {name} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    spatial = tuple(input.shape[2:])
    grouped = input.reshape(n, num_groups, c // num_groups, *spatial)
    view = (num_groups, c // num_groups) + (1,) * len(spatial)
    out = _nn.layer_norm.bind(grouped, None if weight is None else weight.view(view),
                              None if bias is None else bias.view(view),
                              dim=tuple(range(2, grouped.ndim)), eps=float(eps))
    return out.reshape(input.shape)


def rms_norm(input: Tensor, normalized_shape: Sequence[int],  # noqa: A002
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """``input / sqrt(mean(input**2) + eps) * weight`` over the trailing ``normalized_shape``
    dims; ``eps`` defaults to the dtype's machine epsilon, as in PyTorch.

    Raises:
        RuntimeError: if the input's trailing shape or the weight's shape differ from
            ``normalized_shape``.
    """
    shape = tuple(normalized_shape)
    k = len(shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"rms_norm: Given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: Expected weight to be of same shape as normalized_shape, "
                           f"but got weight of shape {list(weight.shape)} and normalized_shape "
                           f"= {list(shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype.np).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * rsqrt(mean(input * input, dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def normalize(input: Tensor, p: float = 2.0, dim: Any = 1, eps: float = 1e-12,  # noqa: A002
              out: Tensor | None = None) -> Tensor:
    """``input / max(norm_p(input, dim), eps)``: unit p-norm vectors along ``dim``.

    Args:
        input: a floating-point tensor.
        p: the norm's exponent.
        dim: the dim (or dims) of the vectors.
        eps: the smallest norm divided by, so zero vectors stay zero.
        out: write the result here (not differentiable), as PyTorch's ``out=``.
    """
    denom = norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    with no_grad():
        return out.copy_(input / denom)
