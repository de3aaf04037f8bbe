"""Activation functions, with ``torch.nn.functional``'s signatures and defaults.

Those that are ops (relu, gelu, softplus, leaky_relu...; see `tensorweave.ops.nn` and
`tensorweave.ops.elementwise`) are called directly; the rest are short compositions of
ops whose gradients come from the ops' derivatives. ``inplace=True`` computes the result
and writes it into ``input`` with the mechanism every in-place op uses
(`tensorweave.ops.inplace.commit`): same checks, version bump and autograd rebasing as
PyTorch's ``relu_``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ...autograd.grad_mode import no_grad
from ...ops import nn as _nn
from ...ops._rules import normalize_dim
from ...ops.creation import empty_like, zeros_like
from ...ops.elementwise import abs as _abs
from ...ops.elementwise import gelu, gt, le, sign, where
from ...ops.elementwise import relu as _relu
from ...ops.elementwise import sigmoid as _sigmoid
from ...ops.elementwise import silu as _silu
from ...ops.elementwise import tanh as _tanh
from ...ops.inplace import commit
from ...random import rand
from ...tensor import Tensor

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu",
           "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid", "tanh", "softplus",
           "softsign", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "logsigmoid",
           "softmax", "log_softmax", "softmin", "glu", "threshold", "threshold_", "prelu",
           "rrelu", "rrelu_", "hardshrink", "softshrink", "tanhshrink", "gumbel_softmax"]

softplus = _nn.softplus
logsigmoid = _nn.log_sigmoid


def _result(input: Tensor, out: Tensor, inplace: bool, name: str) -> Tensor:  # noqa: A002
    """``out``, or ``input`` overwritten with it (PyTorch's ``<name>_``) when ``inplace``."""
    return commit(input, out, name + "_") if inplace else out


def _operand(input: Tensor, inplace: bool) -> Tensor:  # noqa: A002
    """What a composition of several ops reads: for an in-place call under autograd, a copy,
    since the write would change the value its intermediate nodes saved (a single op's node
    is handled by `commit`, as PyTorch saves ``self.clone()``).
    """
    return input.clone() if inplace and input.requires_grad else input


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(input, 0)`` element-wise (the gradient at 0 is 0)."""
    if inplace:
        return commit(input, _relu.bind(input), "relu_")
    return _relu.bind(input)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place `relu`."""
    return relu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    """Clamp to ``[min_val, max_val]``; no gradient at the bounds (PyTorch's rule).

    Raises:
        ValueError: if ``min_val > max_val``.
    """
    return _result(input, _nn.hardtanh(input, min_val, max_val), inplace, "hardtanh")


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """In-place `hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``min(max(input, 0), 6)``: `hardtanh` with bounds 0 and 6."""
    return _result(input, _nn.hardtanh(input, 0.0, 6.0), inplace, "relu6")


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    """``input`` where positive, else ``negative_slope * input``."""
    return _result(input, _nn.leaky_relu(input, negative_slope), inplace, "leaky_relu")


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """In-place `leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return _result(input, _nn.elu(input, alpha), inplace, "elu")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place `elu`."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``scale * elu(input, alpha)`` with the self-normalizing constants
    ``alpha = 1.6732632423543772``, ``scale = 1.0507009873554805``.
    """
    return _result(input, _nn.elu(input, _nn.SELU_ALPHA, _nn.SELU_SCALE), inplace, "selu")


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place `selu`."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Raises:
        RuntimeError: if ``alpha`` is 0.
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _result(input, _nn.elu(input, alpha, 1.0, 1.0 / alpha), inplace, "celu")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place `celu`."""
    return celu(input, alpha, inplace=True)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``input * sigmoid(input)`` (swish)."""
    return _result(input, _silu.bind(input), inplace, "silu")


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``input * tanh(softplus(input))``."""
    x = _operand(input, inplace)
    return _result(input, x * _tanh(softplus(x)), inplace, "mish")


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``1 / (1 + exp(-input))``."""
    return _sigmoid.bind(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """The hyperbolic tangent."""
    return _tanh.bind(input)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """``input / (1 + |input|)``."""
    return input / (_abs(input) + 1)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(input + 3) / 6``: 0 below -3, 1 above 3 (no gradient at either bound)."""
    return _result(input, _nn.hardtanh(input + 3.0, 0.0, 6.0) / 6.0, inplace, "hardsigmoid")


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``input * relu6(input + 3) / 6``: 0 below -3, ``input`` above 3."""
    x = _operand(input, inplace)
    return _result(input, x * _nn.hardtanh(x + 3.0, 0.0, 6.0) / 6.0, inplace, "hardswish")


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, stable for large inputs.

    Args:
        input: a floating-point tensor (or any, with a floating ``dtype``).
        dim: the dim that sums to 1; without it, PyTorch's deprecated implicit choice.
        dtype: convert the input to this dtype first.
    """
    input, d = _nn.softmax_dim("softmax", input, dim, dtype, _stacklevel)
    return _nn.softmax.bind(input, dim=d)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """``log(softmax(input, dim))``, computed stably; arguments as for `softmax`."""
    input, d = _nn.softmax_dim("log_softmax", input, dim, dtype, _stacklevel)
    return _nn.log_softmax.bind(input, dim=d)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """``softmax(-input, dim)``; arguments as for `softmax`."""
    input, d = _nn.softmax_dim("softmin", input, dim, dtype, _stacklevel)
    return _nn.softmax.bind(-input, dim=d)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """Gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the halves of ``input``
    along ``dim``.

    Raises:
        RuntimeError: for a 0-d input or an odd size along ``dim``.
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim("glu", dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * _sigmoid.bind(b)


def _scalar_like(input: Tensor, value: float) -> Any:  # noqa: A002
    """``value`` as PyTorch casts a scalar argument to an integer tensor's dtype."""
    return value if input.dtype.is_floating_point else int(value)


def _threshold(input: Tensor, threshold: float, value: float,  # noqa: A002
               inplace: bool = False) -> Tensor:
    """``input`` where ``input > threshold``, else ``value``."""
    out = where(gt(input, threshold), input, _scalar_like(input, value))
    return _result(input, out, inplace, "threshold")


# Named `_threshold` first, as in PyTorch: the argument `threshold` shadows the function.
threshold = _threshold


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    """In-place `threshold`."""
    return _threshold(input, threshold, value, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """``input`` where positive, else ``weight * input``, with one learned slope per channel
    (dim 1; a 1-element ``weight`` serves every channel).

    Raises:
        RuntimeError: if ``weight`` is not 0-d or 1-d, or its size is neither 1 nor the
            number of channels.
    """
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    w = weight.reshape(()) if n == 1 else weight.reshape((n,) + (1,) * (input.ndim - 2))
    return where(gt(input, 0), input, w * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: in training, each non-positive element is multiplied by a slope
    drawn uniformly from ``[lower, upper)`` (tensorweave's generator, so `manual_seed`
    reproduces it); in evaluation, by the mean slope ``(lower + upper) / 2``.

    Raises:
        RuntimeError: if ``lower > upper``.
    """
    if lower > upper:
        raise RuntimeError("rrelu: Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    with no_grad():
        slope = rand(tuple(input.shape), dtype=input.dtype, device=input.device)
        noise = where(le(input, 0), slope * (upper - lower) + lower, 1.0)
    return _result(input, input * noise, inplace, "rrelu")


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
           training: bool = False) -> Tensor:
    """In-place `rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """0 where ``|input| <= lambd``, else ``input``."""
    return where(le(_abs(input), lambd), 0.0, input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``input - lambd * sign(input)`` where ``|input| > lambd``, else 0.

    Raises:
        RuntimeError: if ``lambd`` is negative.
    """
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be in range [0, inf) for input dtype "
                           f"{input.dtype.name}, but found {lambd}")
    return where(gt(_abs(input), lambd), input - sign(input) * lambd, 0.0)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``input - tanh(input)``."""
    return input - _tanh.bind(input)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution: ``softmax((logits + g) / tau,
    dim)`` with ``g = -log(E)``, ``E`` standard exponential noise from tensorweave's
    generator (so `manual_seed` reproduces it).

    With ``hard=True`` the result is the one-hot vector of each sample's largest entry,
    with the soft sample's gradient (the straight-through estimator ``y_hard -
    y_soft.detach() + y_soft``).

    Args:
        logits: unnormalized log-probabilities, floating point.
        tau: the temperature (lower is closer to one-hot).
        hard: return one-hot samples (see above).
        eps: deprecated and unused, as in PyTorch (a value other than the default warns).
        dim: the dim of the categories.

    Returns:
        A tensor of ``logits``' shape, summing to 1 along ``dim``.

    Example:
        >>> import tensorweave as tw
        >>> y = tw.nn.functional.gumbel_softmax(tw.zeros(2, 3), hard=True)
        >>> y.sum(-1)
        tensor([1., 1.])
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    with no_grad():
        gumbels = -empty_like(logits).exponential_().log()  # ~ Gumbel(0, 1)
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# PyTorch has these as Tensor methods too (x.hardshrink(), x.prelu(weight)).
Tensor.hardshrink = hardshrink  # type: ignore[attr-defined]
Tensor.prelu = prelu  # type: ignore[attr-defined]
