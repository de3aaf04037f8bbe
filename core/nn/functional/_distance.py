"""Distances and similarities between vectors, as ``torch.nn.functional``:
`cosine_similarity`, `pairwise_distance` and `pdist`.

Each is a composition of `norm` and elementwise ops, so gradients come from those ops on every
backend. Where PyTorch's eps semantics are subtle they are kept exactly:

* `cosine_similarity` divides each vector by ``max(||x||, eps)`` -- each norm clamped on its
  own, not their product -- and, like PyTorch (which clamps in place under ``no_grad``), the
  gradient flows through the unclamped norm: below eps it is PyTorch's gradient, not the
  derivative of the clamped value;
* `pairwise_distance` adds ``eps`` to the difference before taking its norm, so identical
  vectors are ``eps * D ** (1/p)`` apart and the gradient is defined there.
"""

from __future__ import annotations

from ... import dtypes as D
from ...ops._rules import broadcast_shapes, normalize_dim
from ...ops.creation import triu_indices
from ...ops.indexing import index_select
from ...ops.reduction import norm
from ...tensor import Tensor
from ._loss import _tensors

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``max(||x||_2, eps)`` over ``dim`` (kept), differentiated as the unclamped norm."""
    n = norm(x, 2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))`` along ``dim``, like
    `torch.nn.functional.cosine_similarity`.

    Args:
        x1, x2: tensors broadcastable to a common shape; ``dim`` indexes that shape.
        dim: the dim of the vectors (removed from the output).
        eps: the smallest norm divided by, so a zero vector has similarity 0.

    Returns:
        The common shape without ``dim``, in the two inputs' common floating dtype.

    Raises:
        TypeError: for an argument that is not a tensor.
        RuntimeError: for integer or bool inputs.
        IndexError: for ``dim`` out of range of the common shape.

    Example:
        >>> import tensorweave as tw
        >>> import tensorweave.nn.functional as F
        >>> F.cosine_similarity(tw.tensor([[1.0, 0.0]]), tw.tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    _tensors("cosine_similarity", x1=x1, x2=x2)
    common = D.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f"cosine_similarity: expected common dtype to be floating point, "
                           f"yet common dtype is {common.name}; convert the inputs with "
                           ".float() first")
    shape = broadcast_shapes("cosine_similarity", x1.shape, x2.shape)
    dim = normalize_dim("cosine_similarity", dim, len(shape))
    x1, x2 = (x.to(common).broadcast_to(shape) for x in (x1, x2))
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim, like
    `torch.nn.functional.pairwise_distance`.

    Args:
        x1, x2: broadcastable tensors, (N, D) or (D) typically.
        p: the norm's exponent.
        eps: added to every difference (PyTorch's semantics: not a clamp of the result).
        keepdim: keep the last dim with size 1.

    Returns:
        The broadcast shape without its last dim (with it, of size 1, under ``keepdim``).

    Example:
        >>> import tensorweave as tw
        >>> import tensorweave.nn.functional as F
        >>> F.pairwise_distance(tw.tensor([[3.0, 0.0]]), tw.tensor([[0.0, 4.0]]), eps=0.0)
        tensor([5.])
    """
    _tensors("pairwise_distance", x1=x1, x2=x2)
    dim = max(x1.ndim, x2.ndim) - 1
    return norm(x1 - x2 + eps, p, dim, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """The p-norm distance between every pair of rows of ``input``, like
    `torch.nn.functional.pdist`: the upper triangle of ``cdist(input, input)``, row by row.

    Args:
        input: (N, M), floating point.
        p: the norm's exponent, >= 0.

    Returns:
        (N * (N - 1) / 2,): the distances of rows (0, 1), (0, 2), ..., (0, N-1), (1, 2), ...
        At a distance of 0 the gradient is 0, as PyTorch's. With ``p = inf`` tied largest
        differences share the gradient (as `norm` does) where PyTorch's kernel gives each of
        them all of it.

    Raises:
        RuntimeError: for an input that is not 2-d or not floating point, or ``p < 0``
            (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> import tensorweave.nn.functional as F
        >>> F.pdist(tw.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    _tensors("pdist", input=input)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"pdist only supports floating-point dtypes; got {input.dtype.name}")
    if p < 0:
        raise RuntimeError(f"pdist only supports non-negative p values; got p={p}")
    n = input.shape[0]
    rows, cols = triu_indices(n, n, 1, device=input.device)
    diff = index_select(input, 0, rows) - index_select(input, 0, cols)
    return norm(diff, p, 1)
