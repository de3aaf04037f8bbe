"""`ClArray`: the opencl backend's native array -- a window onto a device buffer.

A tensor's storage is one pooled pyopencl buffer; a native array is that buffer plus an
element offset, a shape and element strides. Views (`as_strided`, and so every slice,
transpose and expand core builds on it) create a new `ClArray` over the same buffer and
copy nothing; kernels read and write through the offset and strides.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ClArray"]


class ClArray:
    """A strided view of a device buffer.

    Attributes:
        buffer: the pooled pyopencl buffer holding the storage (shared by views).
        offset: the first element's position in the buffer, in elements.
        shape: the sizes.
        elem_strides: the strides, in elements (core's `Tensor.stride`).
        dtype: the NumPy dtype of the elements.
        rt: the `Runtime` of the device that owns the buffer.
    """

    __slots__ = ("buffer", "offset", "shape", "elem_strides", "dtype", "rt")

    def __init__(self, rt: Any, buffer: Any, offset: int, shape: tuple[int, ...],
                 strides: tuple[int, ...], dtype: np.dtype) -> None:
        self.rt = rt
        self.buffer = buffer
        self.offset = offset
        self.shape = shape
        self.elem_strides = strides
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def strides(self) -> tuple[int, ...]:
        """Strides in bytes, like NumPy's (the contract's default view of strides)."""
        item = self.dtype.itemsize
        return tuple(s * item for s in self.elem_strides)

    def is_contiguous(self) -> bool:
        expected = 1
        for n, s in zip(reversed(self.shape), reversed(self.elem_strides)):
            if n != 1 and s != expected:
                return False
            expected *= n
        return True

    def view(self, shape: tuple[int, ...], strides: tuple[int, ...], offset: int | None = None,
             dtype: np.dtype | None = None) -> ClArray:
        """Another window onto the same buffer."""
        return ClArray(self.rt, self.buffer, self.offset if offset is None else offset, shape,
                       strides, self.dtype if dtype is None else dtype)

    def __repr__(self) -> str:
        return (f"ClArray(shape={self.shape}, strides={self.elem_strides}, "
                f"offset={self.offset}, dtype={self.dtype})")
