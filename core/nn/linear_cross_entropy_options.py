"""`LinearCrossEntropyOptions`: how `nn.functional.linear_cross_entropy` chunks its batch,
as PyTorch 2.13's class of the same name.

Chunking splits the batch into pieces of ``batch_chunk_size`` rows (or a size picked by
``chunking_method``); each piece's logits are recomputed in the backward pass instead of
kept, so the full ``(N, num_classes)`` logits never exist at once. ``acc_policy`` and
``acc_dtype`` choose PyTorch's accumulation precision for float16/bfloat16 inputs;
tensorweave accepts and checks them and computes in the input's dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import dtypes as D

__all__ = ["LinearCrossEntropyOptions"]

_POLICIES = ("auto", "accurate", "balanced", "compact")
_AUTO_METHOD = "aspect_ratio:2"  # PyTorch's pick for the (device, dtype) pairs here


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """Chunking options of `linear_cross_entropy` (PyTorch's fields and checks).

    Attributes:
        allow_retain_graph: accepted for PyTorch's signature; a second backward always
            works here (each chunk is recomputed from its saved inputs).
        batch_chunk_size: rows per chunk (None: one chunk, unless ``chunking_method``).
        chunking_method: ``"auto"``, ``"aspect_ratio"`` or ``"aspect_ratio:N"`` (chunks
            whose logits take the input's memory, or 1/N of it), or None.
        acc_policy, acc_dtype: PyTorch's low-precision accumulation settings (checked).

    Raises:
        ValueError: a field out of range (PyTorch's messages).
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (self.batch_chunk_size is None or (isinstance(self.batch_chunk_size, int)
                                                  and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got "
                             f"{self.batch_chunk_size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in (D.float16, D.float32,
                                                                 D.float64):
            raise ValueError(f"acc_dtype must be one of {{None, tensorweave.float16, "
                             f"tensorweave.float32, tensorweave.float64}}, got "
                             f"{self.acc_dtype!r}. Pass acc_dtype=None to let the op pick "
                             "automatically.")

    def chunk_size(self, num_batches: int, in_features: int, num_classes: int) -> int:
        """Rows per chunk for a batch of ``num_batches`` (PyTorch's resolution of
        ``"auto"`` and of the aspect-ratio heuristic).

        Raises:
            ValueError: ``batch_chunk_size`` and ``chunking_method`` disagree.
        """
        method = self.chunking_method
        if method == "auto":
            method = None if self.batch_chunk_size is not None else _AUTO_METHOD
        size = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size,
                                                                     num_batches)
        if method is not None:
            factor = int(method.split(":", 1)[1]) if ":" in method else 1
            target = -(-num_batches // -(-num_classes // in_features))
            size = min((1 << (target - 1).bit_length()) // factor, num_batches)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and "
                                 f"chunking_method ('{method}') give different chunk sizes "
                                 f"({self.batch_chunk_size} vs {size}); pass only one.")
        return max(1, size)
