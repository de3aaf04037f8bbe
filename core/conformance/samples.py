"""Sample-input generators for op conformance entries.

An op's ``samples(dtype, rng)`` yields `SampleInput`s: host arrays (NumPy)
that the runner places on the device under test, plus keyword arguments for
the public function. Arrays wrapped in `Arg` can ask to be made
non-contiguous on the device. The generators here cover the cases every
family needs: broadcasting, 0-d, empty and non-contiguous inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from .. import dtypes as D

__all__ = ["SampleInput", "Arg", "make", "unary", "binary", "reduction", "ternary"]


@dataclass
class Arg:
    """A tensor argument: host values, and whether to pass it as a non-contiguous view."""

    value: np.ndarray
    noncontig: bool = False
    differentiable: bool = True


@dataclass
class SampleInput:
    """One call of an op: positional args (`Arg` for tensors, anything else as is) and kwargs."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    def __repr__(self) -> str:
        parts = [f"{list(a.value.shape)}{'(nc)' if a.noncontig else ''}" if isinstance(a, Arg)
                 else repr(a) for a in self.args]
        kw = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.name or 'sample'}({', '.join(parts)}{'; ' + kw if kw else ''})"


def make(rng: np.random.Generator, shape: tuple[int, ...], dtype: D.dtype,
         low: float = -3.0, high: float = 3.0) -> np.ndarray:
    """Random host values of ``dtype`` in [low, high) (integers: whole numbers, bool: coin;
    complex: real and imaginary parts each in [low, high))."""
    if dtype.is_complex:
        part = dtype.to_real()
        return (make(rng, shape, part, low, high)
                + 1j * make(rng, shape, part, low, high)).astype(dtype.np)
    if dtype is D.bool:
        return rng.random(shape) < 0.5
    if not dtype.is_floating_point:
        lo = max(low, np.iinfo(dtype.np).min)
        return rng.integers(int(lo), int(high) + 1, size=shape).astype(dtype.np)
    return rng.uniform(low, high, size=shape).astype(dtype.np)


def unary(dtype: D.dtype, rng: np.random.Generator, low: float = -3.0,
          high: float = 3.0) -> Iterator[SampleInput]:
    """Shapes for elementwise unary ops: 0-d, vector, matrix, empty, non-contiguous."""
    for shape in [(), (5,), (3, 4), (0, 3), (2, 3, 4)]:
        yield SampleInput((Arg(make(rng, shape, dtype, low, high)),), name=f"shape{shape}")
    yield SampleInput((Arg(make(rng, (4, 3), dtype, low, high), noncontig=True),),
                      name="noncontiguous")


def binary(dtype: D.dtype, rng: np.random.Generator, low: float = -3.0, high: float = 3.0,
           scalars: bool = True) -> Iterator[SampleInput]:
    """Pairs for elementwise binary ops: same shape, broadcasting, 0-d, empty, scalars."""
    pairs = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), ()), ((5,), ()),
             ((0, 3), (3,))]
    for sa, sb in pairs:
        yield SampleInput((Arg(make(rng, sa, dtype, low, high)),
                           Arg(make(rng, sb, dtype, low, high))), name=f"{sa}x{sb}")
    yield SampleInput((Arg(make(rng, (4, 3), dtype, low, high), noncontig=True),
                       Arg(make(rng, (4, 3), dtype, low, high), noncontig=True)),
                      name="noncontiguous")
    if scalars:
        s = 2 if not dtype.is_floating_point else 1.5
        if dtype is D.bool:
            s = True
        yield SampleInput((Arg(make(rng, (3,), dtype, low, high)), s), name="tensor-scalar")


def ternary(dtype: D.dtype, rng: np.random.Generator) -> Iterator[SampleInput]:
    """Triples (as for lerp, clamp with tensor bounds) with broadcasting."""
    for sa, sb, sc in [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (), ())]:
        yield SampleInput(tuple(Arg(make(rng, s, dtype)) for s in (sa, sb, sc)),
                          name=f"{sa}x{sb}x{sc}")


def reduction(dtype: D.dtype, rng: np.random.Generator, low: float = -3.0, high: float = 3.0,
              empty: bool = True) -> Iterator[SampleInput]:
    """Reductions over all dims, one dim, several dims, keepdim, negative dims, 0-d, empty."""
    x = make(rng, (3, 4, 5), dtype, low, high)
    yield SampleInput((Arg(x),), name="all")
    yield SampleInput((Arg(x),), {"dim": 1}, name="dim1")
    yield SampleInput((Arg(x),), {"dim": -1, "keepdim": True}, name="dim-1-keepdim")
    yield SampleInput((Arg(x),), {"dim": (0, 2)}, name="dims(0,2)")
    yield SampleInput((Arg(make(rng, (4, 6), dtype, low, high), noncontig=True),), {"dim": 0},
                      name="noncontiguous")
    yield SampleInput((Arg(make(rng, (), dtype, low, high)),), name="0-d")
    if empty:
        yield SampleInput((Arg(make(rng, (0, 3), dtype, low, high)),), {"dim": 1},
                          name="empty")
