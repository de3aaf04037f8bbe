"""Shape layers for `Sequential` models, as in ``torch.nn``: `Flatten` and `Unflatten`."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flattens the dims ``start_dim..end_dim`` into one (``Tensor.flatten``).

    Args:
        start_dim: first dim to flatten (the default keeps the batch dim).
        end_dim: last dim to flatten.

    Shape:
        input (*, S_start, ..., S_end, *), output (*, S_start * ... * S_end, *).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.Flatten()(tw.zeros(32, 1, 5, 5)).shape
        tensorweave.Size([32, 25])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 3, 2, 2))
        return [ModuleSample(inputs=(x,), name="default"),
                ModuleSample(args=(0, 1), inputs=(x,), name="0,1"),
                ModuleSample(kwargs={"start_dim": -3, "end_dim": -2}, inputs=(x,),
                             name="negative-dims")]


class Unflatten(Module):
    """Expands dim ``dim`` into the shape ``unflattened_size`` (``Tensor.unflatten``).

    Args:
        dim: the dim to expand.
        unflattened_size: its new shape, a tuple or list of ints (one may be -1) whose
            product is the size of ``dim``.

    Shape:
        input (*, S_dim, *), output (*, U_1, ..., U_n, *).

    Raises:
        TypeError: if ``unflattened_size`` is not a tuple or list of ints (PyTorch's
            messages).
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    @staticmethod
    def _require_tuple_int(size: Any) -> None:
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                            f"{type(size).__name__}")
        for idx, elem in enumerate(size):
            if not isinstance(elem, int):
                raise TypeError(f"unflattened_size must be tuple of ints, but found element "
                                f"of type {type(elem).__name__} at pos {idx}")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 6, 2))
        return [ModuleSample(args=(1, (2, 3)), inputs=(x,), name="tuple"),
                ModuleSample(args=(-1, [1, 2]), inputs=(x,), name="list-negative-dim"),
                ModuleSample(args=(1, (3, -1)), inputs=(x,), name="inferred")]
