"""The squareplus op: ``(x + sqrt(x*x + b)) / 2``, a smooth ReLU (So, 2021).

Declared once with `tensorweave.ops.defop`, like tensorweave's own ops: a
composite (so it runs on every backend, from the decomposition), its derivative
written in tensorweave ops (so it is differentiable again and runs on every
backend), and its conformance entry (samples, dtypes and a NumPy float64
reference), which tensorweave's conformance suite picks up by itself.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

import tensorweave as tw
from tensorweave.conformance import samples as S
from tensorweave.ops import COMPOSITE, Promotion, defop


def _decomp(x: tw.Tensor, b: float) -> tw.Tensor:
    return (x + tw.sqrt(x * x + b)) * 0.5


def _vjp(grad: tw.Tensor, out: tw.Tensor, x: tw.Tensor, b: float) -> tuple[tw.Tensor]:
    # d/dx = (1 + x / sqrt(x^2 + b)) / 2, which lies in (0, 1).
    return (grad * (x * tw.rsqrt(x * x + b) + 1.0) * 0.5,)


def _ref(x: np.ndarray, b: float = 4.0) -> np.ndarray:
    return (x + np.sqrt(x * x + b)) / 2


def _samples(dtype: tw.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dtype, rng)
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dtype)),), {"b": 0.5}, name="b=0.5")


@defop(COMPOSITE, promotion=Promotion.INT_TO_FLOAT, broadcasts=True,
       dtypes=(tw.float16, tw.float32, tw.float64), decomp=_decomp, vjp=_vjp, ref=_ref,
       samples=_samples, gradgrad=True)
def squareplus(input: tw.Tensor, b: float = 4.0) -> tw.Tensor:  # noqa: A002 - torch's name
    """Element-wise ``(input + sqrt(input**2 + b)) / 2``, a smooth ReLU.

    Args:
        input: a floating-point tensor (integers are converted to the default float).
        b: the curvature near 0 (``b = 0`` is ReLU); must be >= 0.

    Raises:
        ValueError: if ``b`` is negative.
    """
    if b < 0:
        raise ValueError(f"squareplus: b must be >= 0 (b = 0 is relu); got b={b}")
    return squareplus.bind(input, b=float(b))


def squareplus_cpu(x: np.ndarray, b: float) -> np.ndarray:
    """The cpu kernel: one NumPy expression instead of the decomposition's five ops."""
    return (x + np.sqrt(x * x + b)) * np.asarray(0.5, dtype=x.dtype)
