"""PyTorch's legacy torch-level norms: ``frobenius_norm``, ``nuclear_norm`` (both deprecated
in PyTorch, kept for TorchScript code, with its warnings), ``norm_except_dim`` (the norm
behind weight normalization) and ``embedding_renorm_`` (the in-place row renormalization
behind ``embedding(max_norm=...)``).

Each is the `tensorweave.linalg` norm (or `nn.functional.embedding`'s renormalization) that
PyTorch's ATen function calls, with ATen's argument checks and messages in front.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

from . import dtypes as D
from .autograd import grad_mode
from .linalg import matrix_norm, vector_norm
from .nn.functional._sparse import _renorm_rows
from .ops.elementwise import where
from .tensor import Tensor

__all__ = ["frobenius_norm", "nuclear_norm", "norm_except_dim", "embedding_renorm_"]

# ATen's legacy tensor type names, as its argument checks print them.
_TENSOR_TYPE = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
                "bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor",
                "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor"}


def frobenius_norm(input: Tensor, dim: Sequence[int], keepdim: bool = False) -> Tensor:  # noqa: A002
    """The 2-norm over (at most two) dims ``dim``: ``linalg.vector_norm(input, 2, dim)``.

    Raises:
        RuntimeError: ``dim`` names more than two dims.
    """
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.vector_norm(A, 2., dim, keepdim)` instead", UserWarning, stacklevel=2)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions "
                           "instead.")
    return vector_norm(input, 2, list(dim), keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The sum of the singular values of the matrices over ``dim`` (the last two dims when
    not given; as in PyTorch, a bool in its place is ``keepdim``).
    """
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)


def norm_except_dim(v: Tensor, pow: int = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """The ``pow``-norm of each slice of ``v`` along ``dim`` (over all the other dims), shaped
    to broadcast against ``v`` (size 1 but along ``dim``); ``dim=-1`` is the norm of all of
    ``v``. ATen's recursion: dims other than the first and the last are moved to the front.

    Raises:
        TypeError: ``pow`` is not an int.
        IndexError: ``dim`` is not a dim of ``v``.
    """
    if not isinstance(pow, int) or isinstance(pow, bool):
        raise TypeError(f"norm_except_dim(): argument 'pow' (position 2) must be int, not "
                        f"{type(pow).__name__}")
    if dim == -1:
        return vector_norm(v, pow)
    if dim == 0 or dim == v.ndim - 1:
        size = [1] * v.ndim
        size[dim] = v.size(dim)
        if dim == 0:
            return vector_norm(v.reshape(v.size(0), -1), pow, 1).view(size)
        return vector_norm(v.reshape(-1, v.size(dim)), pow, 0).view(size)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float,  # noqa: A002
                      norm_type: float) -> Tensor:
    """Scale, in place, each row of ``input`` named in ``indices`` whose ``norm_type``-norm
    exceeds ``max_norm`` to norm ``max_norm`` (``max_norm / (norm + 1e-7)``, as PyTorch);
    returns ``input``. Negative indices count from the end, as ATen's row selection.

    Raises:
        RuntimeError: ``input`` is not 2-D, ``indices`` are not int64/int32, or ``input`` is a
            leaf that requires grad (with grad mode on).
        IndexError: an index is outside the table.
    """
    if input.ndim != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {input.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    if indices.dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #2 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{_TENSOR_TYPE.get(indices.dtype.name, indices.dtype.name)} "
                           "instead (while checking arguments for embedding_renorm_)")
    if grad_mode.is_grad_enabled() and input.requires_grad and input.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    n = input.shape[0]
    if indices.numel():
        low, high = int(indices.min()), int(indices.max())
        if low < -n or high >= n:
            raise IndexError(f"select(): index {low if low < -n else high} out of range for "
                             f"tensor of size {list(input.shape)} at dimension 0")
        _renorm_rows(input, where(indices < 0, indices + n, indices), max_norm, norm_type)
    return input
