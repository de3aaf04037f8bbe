"""`MinArray`, the native array of the minimal backend, and `on_host`, which lets kernels be
written on NumPy arrays.

A `MinArray` is deliberately not a NumPy array. It holds what a device buffer holds: a flat
storage, and the geometry (shape, strides in elements, offset) through which one tensor
sees it. Core code that treats natives as NumPy arrays (slices them, hands them to NumPy,
reads ``.base`` or ``.flags``) therefore fails on this backend rather than on a GPU one.
Views made by the ``as_strided`` kernel share the storage, and ``assign`` writes through
the geometry into it, so in-place ops through views reach their base.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

__all__ = ["MinArray", "on_host", "contiguous_strides"]


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides in elements (a size-0 dim counts as 1, as PyTorch's do)."""
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


class MinArray:
    """Elements of one dtype on a minimal device: ``storage[offset + sum(i_k * stride_k)]``.

    Attributes:
        storage: the flat (1-D, contiguous) NumPy buffer; shared by every view of it.
        shape: the sizes of the dims.
        stride: the strides in elements, as `Tensor.stride` reports them.
        offset: the position of element ``[0, ..., 0]`` in ``storage``.
        device: the index of the device that holds the storage.
    """

    __slots__ = ("storage", "shape", "stride", "offset", "device")

    def __init__(self, storage: np.ndarray, shape: tuple[int, ...], stride: tuple[int, ...],
                 offset: int, device: int) -> None:
        self.storage = storage
        self.shape = shape
        self.stride = stride
        self.offset = offset
        self.device = device

    @classmethod
    def adopt(cls, values: Any, device: int) -> MinArray:
        """A new array with storage of its own holding ``values`` (copied unless ``values`` is
        a contiguous array that owns its memory, such as a fresh kernel result)."""
        values = np.asarray(values)
        if not (values.flags.c_contiguous and values.flags.owndata):
            values = np.array(values, order="C")
        return cls(values.reshape(-1), values.shape, contiguous_strides(values.shape), 0, device)

    # The attributes core may read (see tensorweave.backend).
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.storage.dtype

    @property
    def strides(self) -> tuple[int, ...]:
        """Strides in bytes, like NumPy's."""
        return tuple(s * self.storage.itemsize for s in self.stride)

    def host(self) -> np.ndarray:
        """A NumPy view of the elements: no copy, and writes go to the storage."""
        item = self.storage.itemsize
        return np.lib.stride_tricks.as_strided(self.storage[self.offset:], self.shape,
                                               tuple(s * item for s in self.stride))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Without this, NumPy would silently wrap a MinArray in a 0-d object array.
        raise TypeError("a MinArray is device memory, not a NumPy array: core must copy it to "
                        "the host with Backend.to_numpy (or Tensor.cpu())")

    def __repr__(self) -> str:
        return (f"MinArray(shape={self.shape}, stride={self.stride}, offset={self.offset}, "
                f"dtype={self.dtype}, device=minimal:{self.device})")


def on_host(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Adapt a kernel written on NumPy arrays to `MinArray` operands.

    Array arguments are passed as host views (no copy); the result (or each result of a
    tuple) gets storage of its own on the operands' device, or on ``device`` for a creation
    kernel, so no result ever aliases an input by accident.
    """

    @functools.wraps(fn)
    def kernel(*args: Any, **params: Any) -> Any:
        dev = next((a.device for a in args if type(a) is MinArray), None)
        if dev is None:
            dev = params["device"].index
        res = fn(*[a.host() if type(a) is MinArray else a for a in args], **params)
        if type(res) is tuple:
            return tuple(MinArray.adopt(r, dev) for r in res)
        return MinArray.adopt(res, dev)

    return kernel
