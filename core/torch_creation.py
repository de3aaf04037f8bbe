"""Creation functions PyTorch keeps for layouts and legacy code: `range` (end-inclusive),
`empty_strided`, `empty_permuted`, `Tensor.new_empty_strided`, `frombuffer`.

Strided creation allocates the smallest storage the strides reach and returns an
`as_strided` view of it, so ``stride()`` reads back what was asked for, as in PyTorch.
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any, Sequence

import numpy as np

from . import dtypes as D
from .device import resolve
from .layouts import factory
from .ops.creation import arange, empty
from .ops.movement import as_strided
from .tensor import Tensor

__all__ = ["range", "empty_strided", "empty_permuted", "frombuffer"]


@factory
def range(start: Any, end: Any, step: Any = 1, *, dtype: Any = None,  # noqa: A001
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to and including ``end``: deprecated in PyTorch (it
    warns, as here) for `arange`, whose end is exclusive. The dtype is the default float
    dtype unless ``dtype`` is given, whatever the arguments' types.

    Raises:
        RuntimeError: ``step`` is zero or points away from ``end`` (PyTorch's messages).
    """
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    start, end, step = (float(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.floor((end - start) / step) + 1
    # Values in float64, as PyTorch's accumulate type, then cast: start + i * step.
    out = arange(n, dtype=D.float64, device=device) * step + start
    return out.to(D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()) \
        .requires_grad_(requires_grad)


@factory
def empty_strided(size: Sequence[int], stride: Sequence[int], *, dtype: Any = None,
                  device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` with strides ``stride`` (zeros: tensorweave's `empty`).

    Raises:
        RuntimeError: ``size`` and ``stride`` differ in length.
    """
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality "
                           f"of strides ({len(stride)})")
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    out = as_strided(empty(extent, dtype=dtype, device=device), size, stride, 0)
    return out.requires_grad_(requires_grad)


@factory
def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *, dtype: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` whose dimensions lie in memory in the order
    ``physical_layout`` (outermost first): ``empty_permuted((2, 3, 4), (2, 0, 1))`` has
    strides (3, 1, 6).

    Raises:
        RuntimeError: ``physical_layout`` is not a permutation of ``size``'s dimensions.
    """
    size, layout = tuple(size), tuple(physical_layout)
    if len(size) != len(layout):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(layout)}")
    if sorted(layout) != list(builtins.range(len(size))):
        raise RuntimeError("Duplicate dim not allowed")
    strides = [0] * len(size)
    step = 1
    for d in reversed(layout):
        strides[d] = step
        step *= size[d]
    return empty_strided(size, strides, dtype=dtype, device=device,
                         requires_grad=requires_grad)


@factory
def new_empty_strided(self: Tensor, size: Sequence[int], stride: Sequence[int], *,
                      dtype: Any = None, device: Any = None,
                      requires_grad: bool = False) -> Tensor:
    """`empty_strided` with ``self``'s dtype and device unless given."""
    return empty_strided(size, stride, dtype=dtype if dtype is not None else self.dtype,
                         device=device if device is not None else self.device,
                         requires_grad=requires_grad)


Tensor.new_empty_strided = new_empty_strided  # type: ignore[attr-defined]


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D cpu tensor over the bytes of ``buffer`` (an object with the buffer protocol),
    sharing its memory, from ``offset`` bytes on, ``count`` elements (-1: all).

    A read-only buffer (``bytes``) is copied, with PyTorch's warning: tensors here are
    always writable, and writing through one must not change an immutable object.

    Raises:
        ValueError: the offset, count or length do not fit the buffer (PyTorch's messages).
    """
    dt = D.to_dtype(dtype)
    view = memoryview(buffer)
    length, item = view.nbytes, dt.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    arr = np.frombuffer(view.cast("B"), dtype=dt.np, count=count, offset=offset)
    if not arr.flags.writeable:
        warnings.warn("The given buffer is not writable, and tensorweave does not support "
                      "non-writable tensors: it is copied.", UserWarning, stacklevel=2)
        arr = arr.copy()
    dev, _ = resolve("cpu")
    return Tensor._wrap(arr, dev, dt).requires_grad_(requires_grad)
