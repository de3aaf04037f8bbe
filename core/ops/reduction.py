"""Reductions: sum and amax are primitives; mean, var, logsumexp... are composites."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop
from ._rules import normalize_dims

__all__ = ["sum", "mean", "expand_reduced"]


def expand_reduced(g: Tensor, shape: Any, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient ``g`` back to the input ``shape``."""
    if not keepdim and shape:
        kept = list(shape)
        for d in dim:
            kept[d] = 1
        g = g.reshape(kept)
    return g.expand(*shape)


def _sum_meta(x: Tensor, dim: tuple[int, ...], keepdim: bool, dtype: D.dtype) -> D.dtype:
    return dtype


def _sum_ref(x: np.ndarray, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
    if isinstance(dim, list):
        dim = tuple(dim)
    return np.sum(x, axis=dim, keepdims=keepdim)


@defop(PRIMITIVE, meta=_sum_meta, save_inputs=False, dtypes=D.ALL, ref=_sum_ref,
       samples=lambda dt, rng: S.reduction(dt, rng),
       vjp=lambda g, out, x, dim, keepdim, dtype: (expand_reduced(g, x.shape, dim, keepdim),))
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001 - torch.sum
        dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dims when None); bool and integer inputs sum in int64.

    Example:
        >>> import tensorweave as tw
        >>> tw.tensor([[1, 2], [3, 4]]).sum(0)
        tensor([4, 6])
    """
    dims = normalize_dims("sum", dim, input.ndim)
    if dtype is None:
        dt = input.dtype if input.dtype.is_floating_point else D.int64
    else:
        dt = D.to_dtype(dtype)
    return sum.bind(input, dim=dims, keepdim=bool(keepdim), dtype=dt)


def _mean_decomp(x: Tensor, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    n = 1
    for d in dim:
        n *= x.shape[d]
    return sum(x, dim, keepdim) / n if n else sum(x, dim, keepdim) * float("nan")


@defop(COMPOSITE, decomp=_mean_decomp, save_inputs=False, dtypes=D.FLOATING,
       ref=lambda x, dim=None, keepdim=False: np.mean(x, axis=tuple(dim) if isinstance(
           dim, list) else dim, keepdims=keepdim),
       samples=lambda dt, rng: S.reduction(dt, rng, empty=False))
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dims when None).

    Raises:
        RuntimeError: for integer inputs without ``dtype=`` (as PyTorch does).
    """
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name}")
    return mean.bind(input, dim=normalize_dims("mean", dim, input.ndim), keepdim=bool(keepdim))
