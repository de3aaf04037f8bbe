"""Bags of embeddings, as in ``torch.nn``: `EmbeddingBag`."""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

__all__ = ["EmbeddingBag"]


class EmbeddingBag(Module):
    """A table of ``num_embeddings`` vectors whose rows are looked up in bags and summed,
    averaged or max-reduced per bag (a bag-of-words encoder without the per-token
    intermediate of `Embedding`).

    Args:
        num_embeddings: rows of the table.
        embedding_dim: size of each vector.
        max_norm: renormalize, in place, each looked-up row whose ``norm_type``-norm exceeds
            this.
        norm_type: the p of the p-norm for ``max_norm``.
        scale_grad_by_freq: divide each row's gradient by its number of lookups (as
            `Embedding` does; PyTorch's kernel scales some rows by another row's count).
        mode: ``'sum'``, ``'mean'`` or ``'max'``.
        sparse: sparse gradients; not supported (there are no sparse tensors).
        include_last_offset: ``offsets`` ends with the end of the last bag.
        padding_idx: a row that starts as zeros, is left out of every bag (and of a mean's
            count) and never receives a gradient; negative values count from the end.

    Shape:
        input (B, L) of int64 indices (B bags of L), or (N) with ``offsets`` (B) (B + 1
        with ``include_last_offset``); ``per_sample_weights`` like input (``'sum'`` only);
        output (B, embedding_dim).

    Attributes:
        weight: ``(num_embeddings, embedding_dim)``, from N(0, 1), the ``padding_idx`` row
            zeroed.

    Raises:
        AssertionError: for a ``padding_idx`` outside the table or a ``_weight`` of the
            wrong shape (PyTorch's exceptions and messages).

    Example:
        >>> import tensorweave as tw
        >>> bag = tw.nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(tw.tensor([1, 2, 4, 5, 4, 3, 2, 9]), tw.tensor([0, 4])).shape
        tensorweave.Size([2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Tensor | None = None,
                 include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            if padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(tw.empty((num_embeddings, embedding_dim), device=device,
                                             dtype=dtype))
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight)
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self) -> None:
        """Weight from N(0, 1), then the ``padding_idx`` row zeroed."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with tw.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor, offsets: Tensor | None = None,  # noqa: A002
                per_sample_weights: Tensor | None = None) -> Tensor:
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        s += ", mode={mode!r}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> EmbeddingBag:
        """An `EmbeddingBag` whose table is ``embeddings`` (2-D), frozen unless
        ``freeze=False``; the rows are used as given.

        Raises:
            AssertionError: if ``embeddings`` is not 2-D (PyTorch's message).
        """
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings,
                  max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                  mode=mode, sparse=sparse, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        flat = np.array([1, 2, 4, 5, 4, 3, 2, 0], dtype=np.int64)
        offsets = np.array([0, 3, 3, 6], dtype=np.int64)  # an empty bag included
        return [
            ModuleSample(args=(6, 3), inputs=(flat, offsets), name="mean-offsets"),
            ModuleSample(args=(6, 3), kwargs={"mode": "sum"},
                         inputs=(flat.reshape(2, 4), None, rng.standard_normal((2, 4))),
                         name="sum-2-d-per_sample_weights"),
            ModuleSample(args=(6, 2), kwargs={"mode": "max"}, inputs=(flat, offsets),
                         name="max-offsets"),
            ModuleSample(args=(6, 3), kwargs={"mode": "mean", "padding_idx": 4,
                                              "include_last_offset": True},
                         inputs=(flat, np.array([0, 2, 5, 8], dtype=np.int64)),
                         name="mean-padding_idx-include_last_offset"),
        ]
