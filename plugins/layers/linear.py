"""Affine layers, as in ``torch.nn``: `Identity`, `Linear` and `Bilinear`.

Parameter names, shapes and default initialization are PyTorch's, so a state dict moves
between the two frameworks unchanged and a fresh layer is distributed like PyTorch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input: a placeholder that keeps a model's structure (and its state-dict
    keys) when a layer is switched off.

    Args:
        args, kwargs: ignored.

    Shape:
        input (*), output (*).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(args=(3,), kwargs={"unused": True},
                             inputs=(rng.standard_normal((2, 3)),))]


def kaiming_reset_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default initialization of `Linear` and the convolutions: the weight by
    ``kaiming_uniform_(a=sqrt(5))``, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the
    bias from the same interval (a zero bias when ``fan_in`` is 0).
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """``y = x A^T + b``.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias.

    Shape:
        input (*, in_features), output (*, out_features).

    Attributes:
        weight: ``(out_features, in_features)``, from U(-1/sqrt(in_features),
            1/sqrt(in_features)) (``kaiming_uniform_`` with ``a=sqrt(5)``).
        bias: ``(out_features,)``, from the same distribution.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Linear(20, 30)(tw.randn(128, 20)).shape
        tensorweave.Size([128, 30])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(tw.empty((out_features, in_features), device=device,
                                         dtype=dtype))
        if bias:
            self.bias = Parameter(tw.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features)), as PyTorch."""
        kaiming_reset_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(4, 3), inputs=(x((2, 4)),), name="default"),
                ModuleSample(args=(4, 3), kwargs={"bias": False}, inputs=(x((2, 4)),),
                             name="no-bias"),
                ModuleSample(args=(3, 2), inputs=(x((2, 3, 3)),), name="3-d"),
                ModuleSample(args=(3, 2), inputs=(x((3,)),), name="unbatched")]


class Bilinear(Module):
    """``y = x1^T A x2 + b``, one bilinear form per output feature.

    Args:
        in1_features: size of each first input sample (> 0).
        in2_features: size of each second input sample.
        out_features: size of each output sample.
        bias: learn an additive bias.

    Shape:
        input1 (*, in1_features), input2 (*, in2_features) with the same leading dims,
        output (*, out_features).

    Attributes:
        weight: ``(out_features, in1_features, in2_features)``, from U(-1/sqrt(in1_features),
            1/sqrt(in1_features)).
        bias: ``(out_features,)``, from the same distribution.

    Raises:
        ValueError: if ``in1_features`` is not positive (PyTorch's message).
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(tw.empty((out_features, in1_features, in2_features),
                                         device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(tw.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features="
                             f"{self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(3, 2, 4), inputs=(x((2, 3)), x((2, 2))), name="default"),
                ModuleSample(args=(2, 3, 2), kwargs={"bias": False},
                             inputs=(x((2, 2, 2)), x((2, 2, 3))), name="3-d-no-bias")]
