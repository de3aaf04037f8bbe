"""Activation layers, as in ``torch.nn``: each holds its options and calls the function of
the same name in `tensorweave.nn.functional`, so the layer and the function never disagree.

Names, defaults, attributes and printed forms are PyTorch's (``ReLU(inplace=True)``,
``GELU(approximate='tanh')``...). ``inplace=True`` overwrites the input, with PyTorch's
rules (a leaf that requires grad cannot be overwritten).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh",
           "SiLU", "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink",
           "LeakyReLU", "LogSigmoid", "Softplus", "Softshrink", "PReLU", "Softsign",
           "Tanhshrink", "Softmin", "Softmax", "Softmax2d", "LogSoftmax"]


def _samples(rng: np.random.Generator, *variants: dict[str, Any], low: float = -3.0,
             high: float = 3.0, shape: tuple[int, ...] = (3, 4)) -> list[ModuleSample]:
    """One sample per constructor-kwargs variant (the defaults if none), on inputs uniform in
    ``[low, high)``: the range is chosen per layer so every piece of a piecewise function
    is exercised.
    """
    return [ModuleSample(kwargs=kw, inputs=(rng.uniform(low, high, shape),),
                         name=",".join(f"{k}={v}" for k, v in kw.items()) or "default")
            for kw in variants or ({},)]


def _inplace_repr(inplace: bool, first: bool = True) -> str:
    """PyTorch's ``inplace=True`` suffix: alone (``first``) or after other options."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _InplaceActivation(Module):
    """An activation whose one option is ``inplace``: ``forward`` calls the class's
    ``function`` from `tensorweave.nn.functional`, and the printed form shows
    ``inplace=True`` unless PyTorch's own layer leaves it out (``prints_inplace``)."""

    function: Any
    prints_inplace = True

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace) if self.prints_inplace else ""


class Threshold(Module):
    """``y = x`` where ``x > threshold``, else ``value``.

    Args:
        threshold: the value to threshold at.
        value: the value that replaces ``x <= threshold``.
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                f"{_inplace_repr(self.inplace, first=False)}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(-2, 2, (3, 4))
        return [ModuleSample(args=(0.5, -1.0), inputs=(x,), name="0.5,-1"),
                ModuleSample(args=(-0.25, 2.0), inputs=(x,), name="-0.25,2")]


class ReLU(_InplaceActivation):
    """``y = max(x, 0)``.

    Args:
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.relu)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(inputs=(rng.uniform(-3, 3, (3, 4)),), name="2-d"),
                ModuleSample(inputs=(rng.uniform(-3, 3, (2, 3, 2)),), name="3-d")]


class RReLU(Module):
    """Randomized leaky ReLU: in training, negative inputs are scaled by a slope drawn from
    U(lower, upper) per element; in evaluation by ``(lower + upper) / 2``.

    Args:
        lower: lower bound of the slope.
        upper: upper bound of the slope.
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_repr(self.inplace, False)}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(-3, 3, (3, 4))
        return [ModuleSample(inputs=(x,), name="train", random=True),
                ModuleSample(kwargs={"lower": 0.2, "upper": 0.5}, inputs=(x,),
                             name="lower,upper-train", random=True),
                ModuleSample(kwargs={"lower": 0.2, "upper": 0.5}, inputs=(x,),
                             name="lower,upper-eval", train=False)]


class Hardtanh(Module):
    """``y = clamp(x, min_val, max_val)``.

    Args:
        min_val: the lower bound.
        max_val: the upper bound (greater than ``min_val``).
        inplace: overwrite the input.

    Shape:
        input (*), output (*).

    Raises:
        AssertionError: if ``max_val <= min_val`` (PyTorch's exception and message).
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val "
                                 f"({self.min_val})")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                f"{_inplace_repr(self.inplace, first=False)}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"min_val": -0.5, "max_val": 2.0})


class ReLU6(Hardtanh):
    """``y = min(max(x, 0), 6)``.

    Args:
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.relu6(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-3.0, high=9.0)


class Sigmoid(Module):
    """``y = 1 / (1 + exp(-x))``.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return tw.sigmoid(input)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-6.0, high=6.0)


class Hardsigmoid(_InplaceActivation):
    """``y = relu6(x + 3) / 6``: 0 below -3, 1 above 3.

    Args:
        inplace: overwrite the input (PyTorch does not print this option).

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.hardsigmoid)
    prints_inplace = False

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-5.0, high=5.0)


class Tanh(Module):
    """``y = tanh(x)``.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return tw.tanh(input)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng)


class SiLU(_InplaceActivation):
    """``y = x * sigmoid(x)`` (swish).

    Args:
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.silu)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-5.0, high=5.0)


class Mish(_InplaceActivation):
    """``y = x * tanh(softplus(x))``.

    Args:
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.mish)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-5.0, high=5.0)


class Hardswish(_InplaceActivation):
    """``y = x * relu6(x + 3) / 6``: 0 below -3, ``x`` above 3.

    Args:
        inplace: overwrite the input (PyTorch does not print this option).

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.hardswish)
    prints_inplace = False

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-5.0, high=5.0)


class ELU(Module):
    """``y = x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        alpha: the saturation value for negative inputs.
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace, first=False)}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"alpha": 0.5})


class CELU(Module):
    """``y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        alpha: the saturation value for negative inputs (not 0).
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace, first=False)}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"alpha": 2.0})


class SELU(_InplaceActivation):
    """``y = scale * elu(x, alpha)`` with the self-normalizing constants
    ``alpha = 1.6732632423543772`` and ``scale = 1.0507009873554805``.

    Args:
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.selu)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng)


class GLU(Module):
    """Gated linear unit: ``y = a * sigmoid(b)`` where ``a, b`` are the halves of ``x``
    along ``dim``.

    Args:
        dim: the dim to split (its size must be even).

    Shape:
        input (*, 2N, *), output (*, N, *).
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"dim": 0}, shape=(4, 2, 6))


class GELU(Module):
    """``y = x * Phi(x)`` (Phi the standard normal CDF), or its tanh approximation.

    Args:
        approximate: ``'none'`` (exact, with erf) or ``'tanh'``.

    Shape:
        input (*), output (*).
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"approximate": "tanh"}, low=-4.0, high=4.0)


class Hardshrink(Module):
    """``y = x`` where ``|x| > lambd``, else 0.

    Args:
        lambd: the half-width of the zeroed band.

    Shape:
        input (*), output (*).
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"lambd": 1.5})


class LeakyReLU(Module):
    """``y = x`` where ``x >= 0``, else ``negative_slope * x``.

    Args:
        negative_slope: the slope for negative inputs.
        inplace: overwrite the input.

    Shape:
        input (*), output (*).
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return (f"negative_slope={self.negative_slope}"
                f"{_inplace_repr(self.inplace, first=False)}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"negative_slope": 0.2})


class LogSigmoid(Module):
    """``y = log(sigmoid(x))``, stable for large ``|x|``.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.logsigmoid(input)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, low=-6.0, high=6.0)


class Softplus(Module):
    """``y = log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``.

    Args:
        beta: the sharpness.
        threshold: above this ``beta * x`` the function is linear.

    Shape:
        input (*), output (*).
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"beta": 2.0, "threshold": 1.0})


class Softshrink(Module):
    """``y = x - lambd * sign(x)`` where ``|x| > lambd``, else 0.

    Args:
        lambd: the half-width of the zeroed band (non-negative).

    Shape:
        input (*), output (*).
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng, {}, {"lambd": 1.5})


class PReLU(Module):
    """``y = x`` where ``x >= 0``, else ``a * x`` with a learned slope ``a``: one shared, or
    one per channel (dim 1).

    Args:
        num_parameters: 1, or the number of channels.
        init: the initial slope.

    Shape:
        input (*) with channels at dim 1, output (*).

    Attributes:
        weight: the slopes, ``(num_parameters,)``, all ``init`` initially.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(tw.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every slope to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(-3, 3, (2, 3, 2))
        return [ModuleSample(inputs=(x,), name="shared"),
                ModuleSample(args=(3,), kwargs={"init": 0.1}, inputs=(x,), name="per-channel")]


class Softsign(Module):
    """``y = x / (1 + |x|)``.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softsign(input)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng)


class Tanhshrink(Module):
    """``y = x - tanh(x)``.

    Shape:
        input (*), output (*).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.tanhshrink(input)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(rng)


class _AlongDim(Module):
    """A softmax-like layer whose one option is ``dim``: ``forward`` calls the class's
    ``function`` from `tensorweave.nn.functional` (``dim=None`` keeps PyTorch's deprecated
    implicit choice, with its warning pointing at the caller)."""

    function: Any

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).function(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        """Along the last, the first and a middle dim of a 3-d input."""
        return _samples(rng, {"dim": -1}, {"dim": 0}, {"dim": 1}, shape=(2, 3, 4))


class Softmin(_AlongDim):
    """``y = softmax(-x)`` along ``dim``.

    Args:
        dim: the dim along which the outputs sum to 1 (None: PyTorch's deprecated implicit
            choice, with its warning).

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.softmin)


class Softmax(_AlongDim):
    """``y = exp(x) / sum(exp(x))`` along ``dim``, stable for large inputs.

    Args:
        dim: the dim along which the outputs sum to 1 (None: PyTorch's deprecated implicit
            choice, with its warning).

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.softmax)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) at every spatial location.

    Shape:
        input (N, C, H, W) or (C, H, W), output the same.

    Raises:
        ValueError: for an input that is not 3-D or 4-D (PyTorch's message).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(inputs=(rng.uniform(-3, 3, (2, 3, 2, 2)),), name="batched"),
                ModuleSample(inputs=(rng.uniform(-3, 3, (3, 2, 2)),), name="unbatched")]


class LogSoftmax(_AlongDim):
    """``y = log(softmax(x))`` along ``dim``, computed stably.

    Args:
        dim: the dim to normalize along (None: PyTorch's deprecated implicit choice, with
            its warning).

    Shape:
        input (*), output (*).
    """

    function = staticmethod(F.log_softmax)
