"""Lookup-table layers, as in ``torch.nn``: `Embedding`."""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    Args:
        num_embeddings: rows of the table.
        embedding_dim: size of each vector.
        padding_idx: a row that starts as zeros and never receives a gradient (a padding
            token); negative values count from the end.
        max_norm: renormalize, in place, each looked-up row whose ``norm_type``-norm exceeds
            this.
        norm_type: the p of the p-norm for ``max_norm``.
        scale_grad_by_freq: divide each row's gradient by its number of lookups in the
            batch.
        sparse: sparse gradients; not supported by tensorweave's functional.

    Shape:
        input (*) of int64 or int32 indices, output (*, embedding_dim).

    Attributes:
        weight: ``(num_embeddings, embedding_dim)``, from N(0, 1), the ``padding_idx`` row
            zeroed.

    Raises:
        AssertionError: for a ``padding_idx`` outside the table or a ``_weight`` of the
            wrong shape (PyTorch's exceptions and messages).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Embedding(10, 3)(tw.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape
        tensorweave.Size([2, 4, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            if padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(tw.empty((num_embeddings, embedding_dim), device=device,
                                             dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        """Weight from N(0, 1), then the ``padding_idx`` row zeroed."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with tw.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An `Embedding` whose table is ``embeddings`` (2-D), frozen unless ``freeze=False``.

        The rows are used as given: the ``padding_idx`` row is not zeroed.

        Raises:
            AssertionError: if ``embeddings`` is not 2-D (PyTorch's message).
        """
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        def idx(*shape: int, high: int = 5) -> np.ndarray:
            return rng.integers(0, high, size=shape).astype(np.int64)

        # padding_idx and scale_grad_by_freq change the gradient on purpose (the padding row
        # gets none; rows are scaled by frequency): numerical gradients cannot check them, so
        # those samples compare the forward only, and the unit tests compare their gradients
        # with PyTorch's.
        padded = np.array([[1, 4, 1], [0, 4, 2]], dtype=np.int64)
        return [ModuleSample(args=(5, 3), inputs=(idx(2, 3),), name="2-d-indices"),
                ModuleSample(args=(5, 2), inputs=(idx(4),), name="1-d-indices"),
                ModuleSample(args=(5, 3), kwargs={"padding_idx": 4}, inputs=(idx(6, high=4),),
                             name="padding_idx-not-looked-up"),
                ModuleSample(args=(5, 3), kwargs={"padding_idx": 1}, inputs=(padded,),
                             name="padding_idx", grad=False),
                ModuleSample(args=(5, 3), kwargs={"padding_idx": -1}, inputs=(padded,),
                             name="negative-padding_idx", grad=False),
                ModuleSample(args=(5, 3), kwargs={"scale_grad_by_freq": True},
                             inputs=(padded,), name="scale_grad_by_freq", grad=False)]
