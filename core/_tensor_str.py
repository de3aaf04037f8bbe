"""`repr` of tensors, laid out as PyTorch prints them (a placeholder-free minimal form)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def tensor_repr(t: Tensor) -> str:
    arr = t.detach()._host()
    body = np.array2string(arr, separator=", ", prefix="tensor(")
    return f"tensor({body})"
