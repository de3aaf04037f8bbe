"""Neural-network functions that are ops of their own: softmax and log_softmax.

Both are composites (max-subtracted, so large inputs never overflow) with explicit vjps,
which are stabler and cheaper than differentiating the decomposition; the cpu backend
registers fused kernels for them.
"""

from __future__ import annotations

import warnings
from typing import Any, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, defop
from ._rules import normalize_dim
from .elementwise import exp, log
from .reduction import amax, sum

__all__ = ["softmax", "log_softmax"]


def _shifted(x: Tensor, dim: int) -> Tensor:
    """``x`` minus its max along ``dim`` (an empty tensor has no max and needs none)."""
    if x.numel() == 0:
        return x
    return x - amax.bind(x, dim=(dim,) if x.ndim else (), keepdim=True)


def _softmax_decomp(x: Tensor, dim: int) -> Tensor:
    e = exp(_shifted(x, dim))
    return e / sum(e, dim, True)


def _log_softmax_decomp(x: Tensor, dim: int) -> Tensor:
    s = _shifted(x, dim)
    return s - log(sum(exp(s), dim, True))


def _softmax_ref(x: np.ndarray, dim: Any = None, dtype: Any = None) -> np.ndarray:
    if x.ndim == 0:
        return np.ones_like(x)
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _log_softmax_ref(x: np.ndarray, dim: Any = None, dtype: Any = None) -> np.ndarray:
    if x.ndim == 0:
        return np.zeros_like(x)
    if x.size == 0:
        return x.copy()
    s = x - np.max(x, axis=dim, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))


def _samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1), name="dim-1")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")
    if dt is not D.float16:
        yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt, 999.0, 1001.0)), 1), name="large")


def _dim_arg(op: str, input: Tensor, dim: Any, dtype: Any) -> tuple[Tensor, int]:  # noqa: A002
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected a floating-point input; got {input.dtype.name}. "
                           f"Pass dtype=tensorweave.float32 or convert with .float() first.")
    if dim is None:
        # PyTorch's legacy implicit choice (F.softmax without dim).
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                      f"to include dim={dim} as an argument.", UserWarning, stacklevel=3)
    return input, normalize_dim(op, dim, input.ndim)


@defop(COMPOSITE, decomp=_softmax_decomp, save_inputs=False, save_out=True, dtypes=D.FLOATING,
       vjp=lambda g, out, x, dim: (out * (g - sum(g * out, dim, True)),),
       ref=_softmax_ref, samples=_samples, gradgrad=True)
def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (the max is subtracted first).

    Args:
        input: a floating-point tensor.
        dim: the dim that sums to 1.
        dtype: convert the input to this dtype first.

    Raises:
        RuntimeError: for integer inputs without ``dtype=``.
        IndexError: if ``dim`` is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.softmax(tw.tensor([1000.0, 1000.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    input, d = _dim_arg("softmax", input, dim, dtype)
    return softmax.bind(input, dim=d)


@defop(COMPOSITE, decomp=_log_softmax_decomp, save_inputs=False, save_out=True,
       dtypes=D.FLOATING, vjp=lambda g, out, x, dim: (g - exp(out) * sum(g, dim, True),),
       ref=_log_softmax_ref, samples=_samples, gradgrad=True)
def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``log(softmax(input, dim))``, computed stably as ``x - max - log(sum(exp(x - max)))``.

    Raises:
        RuntimeError: for integer inputs without ``dtype=``.
        IndexError: if ``dim`` is out of range.
    """
    input, d = _dim_arg("log_softmax", input, dim, dtype)
    return log_softmax.bind(input, dim=d)
