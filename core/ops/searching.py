"""Set and search helpers, as PyTorch spells them: ``unique``, ``unique_consecutive``,
``searchsorted``, ``bucketize``. Written over `sort`, comparisons and scans, so they run on
every backend; their outputs are indices and values, not differentiable.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as D
from ..tensor import Tensor
from ._opdef import method
from .creation import scalar_tensor, tensor, zeros
from .elementwise import eq, le, logical_not, lt, ne
from .indexing import masked_select, nonzero, scatter
from .movement import cat
from .reduction import any as _any
from .reduction import cumsum, sort
from .reduction import sum as _sum

__all__ = ["unique", "unique_consecutive", "searchsorted", "bucketize", "isin"]


def _runs(values: Tensor, return_inverse: bool, return_counts: bool) -> list[Tensor]:
    """Collapse runs of equal neighbours in the 1-D ``values``: [uniques, inverse?, counts?],
    the inverse indexing ``values``' positions."""
    n = values.shape[0]
    first = tensor([True], device=values.device)
    starts = cat([first, ne(values[1:], values[:-1])]) if n else values.new_zeros((0,)).bool()
    out = [masked_select(values, starts)]
    if return_inverse:
        out.append(cumsum(starts, 0) - 1)
    if return_counts:
        pos = nonzero(starts).reshape(-1)
        ends = cat([pos[1:], tensor([n], device=values.device)])
        out.append(ends - pos)
    return out


def _check_dim(op: str, dim: Any) -> None:
    if dim is not None:
        raise NotImplementedError(f"{op}(dim={dim}): unique slices along a dim are not "
                                  "supported; call it without dim (elements of the flattened "
                                  "input)")


@method
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements of ``input``, ascending (``sorted=False`` sorts too, which
    PyTorch permits); with ``return_inverse`` each element's index into them (``input``'s
    shape), with ``return_counts`` how often each occurs.

    Raises:
        NotImplementedError: for ``dim`` other than None.
    """
    _check_dim("unique", dim)
    flat = input.reshape(-1)
    values, order = sort(flat, stable=True)
    out = _runs(values, return_inverse, return_counts)
    if return_inverse:
        inv = zeros((flat.shape[0],), dtype=D.int64, device=input.device)
        out[1] = scatter(inv, 0, order, out[1]).reshape(*input.shape)
    return out[0] if len(out) == 1 else tuple(out)


@method
def unique_consecutive(input: Tensor, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """``input`` flattened, with each run of equal consecutive elements kept once; the inverse
    and counts as in `unique`.

    Raises:
        NotImplementedError: for ``dim`` other than None.
    """
    _check_dim("unique_consecutive", dim)
    out = _runs(input.reshape(-1), return_inverse, return_counts)
    if return_inverse:
        out[1] = out[1].reshape(*input.shape)
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,  # noqa: A002
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None
                 ) -> Tensor:
    """For each value of ``input``, the index where it would be inserted into the innermost
    dim of ``sorted_sequence`` to keep it sorted: before equal entries (``right=False`` or
    ``side="left"``) or after them. A 1-D sequence serves every value; otherwise the leading
    dims of both must match. Each value is compared with every entry (memory: values x
    sequence length).

    Raises:
        RuntimeError: for ``side`` and ``right`` disagreeing, or mismatched leading dims.
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence
    if sorter is not None:
        seq = seq.gather(-1, sorter)
    scalar = not isinstance(input, Tensor)
    values = scalar_tensor(input, dtype=seq.dtype, device=seq.device) if scalar else input
    if seq.ndim > 1 and tuple(seq.shape[:-1]) != tuple(values.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           f"the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    before = le if right else lt
    hits = before(seq.unsqueeze(-2) if seq.ndim > 1 else seq, values.unsqueeze(-1))
    return _sum(hits, -1, dtype=D.int32 if out_int32 else D.int64)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """The bucket of each value of ``input`` among the 1-D ascending ``boundaries``:
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=False``) or ``boundaries[i-1] <= x <
    boundaries[i]`` (``right=True``).

    Raises:
        RuntimeError: for boundaries that are not 1-D.
    """
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Element-wise test of ``elements`` for membership in ``test_elements`` (bool, the shape
    of ``elements``); ``invert`` negates it. Either may be a number. Each element is compared
    with every test element (memory: their product).
    """
    like = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(like, Tensor):
        raise TypeError("isin(): expected at least one tensor argument")
    el = elements if isinstance(elements, Tensor) else scalar_tensor(
        elements, dtype=like.dtype, device=like.device)
    test = test_elements if isinstance(test_elements, Tensor) else scalar_tensor(
        test_elements, dtype=like.dtype, device=like.device)
    hit = _any(eq(el.unsqueeze(-1), test.reshape(-1)), -1)
    return logical_not(hit) if invert else hit
