"""Linear algebra: matmul is the primitive; mm, bmm, dot, outer, einsum build on it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import PRIMITIVE, defop
from ._rules import ShapeError

__all__ = ["matmul"]


def _matmul_vjp(g: Tensor, out: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # Promote 1-d operands to matrices so both gradients are plain matmuls, then undo it.
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    ga = matmul(g2, b2.mT)
    gb = matmul(a2.mT, g2)
    if a.ndim == 1:
        ga = ga.squeeze(-2)
    if b.ndim == 1:
        gb = gb.squeeze(-1)
    return ga, gb


def _matmul_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    for sa, sb in [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)),
                   ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((0, 4), (4, 3))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}@{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 4), dt), noncontig=True)), name="noncontiguous")


@defop(PRIMITIVE, vjp=_matmul_vjp, ref=np.matmul, samples=_matmul_samples,
       dtypes=(D.float16, D.float32, D.float64, D.int32, D.int64), gradgrad=True)
def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Matrix product with NumPy/PyTorch semantics (1-d operands, batch broadcasting).

    Example:
        >>> import tensorweave as tw
        >>> tw.matmul(tw.tensor([[1, 2], [3, 4]]), tw.tensor([[5, 6], [7, 8]]))
        tensor([[19, 22],
                [43, 50]])

    Raises:
        RuntimeError: if the inner dimensions differ or an operand is 0-d.
        TypeError: if the dtypes differ.
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        from .creation import tensor

        input = input if isinstance(input, Tensor) else tensor(input)
        other = other if isinstance(other, Tensor) else tensor(other, device=input.device)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, but got "
                           f"{input.ndim}D and {other.ndim}D tensors")
    k1 = input.shape[-1]
    k2 = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k1 != k2:
        sa = "x".join(map(str, input.shape if input.ndim > 1 else (1, *input.shape)))
        sb = "x".join(map(str, other.shape if other.ndim > 1 else (*other.shape, 1)))
        raise ShapeError(f"matmul: mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    if input.dtype is not other.dtype:
        raise TypeError(f"matmul: expected both operands to have the same dtype, but got "
                        f"{input.dtype!r} and {other.dtype!r}")
    return matmul.bind(input, other)
