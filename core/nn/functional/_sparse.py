"""Lookups by index: ``embedding`` and ``one_hot``."""

from __future__ import annotations

from ... import dtypes as D
from ...autograd.grad_mode import no_grad
from ...ops import nn as _nn
from ...ops.creation import arange, ones_like, zeros
from ...ops.elementwise import eq, gt, logical_and, where
from ...ops.indexing import scatter_add
from ...ops.reduction import amax, norm
from ...tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """PyTorch's ``embedding_renorm_``: each looked-up row whose ``norm_type``-norm exceeds
    ``max_norm`` is scaled in place to norm ``max_norm`` (outside autograd)."""
    with no_grad():
        rows = weight.detach()
        flat = indices.reshape(-1).to(D.int64)
        hits = scatter_add(zeros(rows.shape[0], device=rows.device), 0, flat,
                           ones_like(flat, dtype=D.float32))
        norms = norm(rows, norm_type, 1)
        scale = where(logical_and(gt(hits, 0), gt(norms, max_norm)),
                      max_norm / (norms + 1e-7), 1.0)
        rows.mul_(scale.unsqueeze(1))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` looked up by the integer tensor ``input``: ``weight[input]``.

    Args:
        input: int64 or int32 indices of any shape.
        weight: ``(num_embeddings, embedding_dim)``.
        padding_idx: a row (negative counts from the end) whose gradient stays zero.
        max_norm: rescale, in place, looked-up rows whose norm exceeds it.
        norm_type: the p of the ``max_norm`` norm.
        scale_grad_by_freq: divide each row's gradient by its number of lookups in ``input``.
        sparse: not supported (there are no sparse tensors); must be False.

    Returns:
        ``(*input.shape, embedding_dim)``.

    Raises:
        AssertionError: if ``padding_idx`` is outside the table (PyTorch's exception).
        IndexError: for an index outside ``[0, num_embeddings)``.
    """
    n = weight.shape[0] if weight.ndim else 0
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx >= n or padding_idx < -n:
        raise AssertionError(f"Padding_idx must be within num_embeddings (got padding_idx="
                             f"{padding_idx} for {n} embeddings)")
    elif padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return _nn.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(*, num_classes)`` int64 tensor with a 1 at each value's position.

    Args:
        tensor: int64 class indices.
        num_classes: the number of classes; -1 infers ``tensor.max() + 1``.

    Raises:
        RuntimeError: for a non-int64 tensor, negative classes, classes not smaller than
            ``num_classes``, or an empty tensor with ``num_classes=-1`` (PyTorch's messages).
    """
    if not isinstance(tensor, Tensor) or tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel():
        hi = amax(tensor).item()
        if -amax(-tensor).item() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    classes = arange(max(num_classes, 0), device=tensor.device)
    return eq(tensor.unsqueeze(-1), classes).to(D.int64)
