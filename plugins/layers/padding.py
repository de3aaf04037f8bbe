"""Padding layers, as in ``torch.nn``: constant (and zero), reflection, replication and
circular padding of the last 1, 2 or 3 dims, each a fixed ``F.pad`` call.

``padding`` is an int (the same amount on every side) or a tuple of (before, after) pairs
starting from the last dim, ``(left, right[, top, bottom[, front, back]])``; negative
amounts crop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

from .conv import _ntuple

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _samples(dims: int, rng: np.random.Generator, value: tuple[float, ...] = ()
             ) -> list[ModuleSample]:
    """Samples of a ``dims``-d padding layer; ``value`` follows the padding in the
    constructor's arguments. The amounts stay below every size, so reflection (which needs
    pad < size) runs them too."""
    x = rng.standard_normal((2, 2, *(4, 3, 3)[:dims]))
    asym, crop = (2, 1, 0, 2, 1, 1)[:2 * dims], (-1, 2, 1, -1, 0, 1)[:2 * dims]
    return [ModuleSample(args=(1, *value), inputs=(x,), name="int"),
            ModuleSample(args=(asym, *value), inputs=(x,), name="asymmetric"),
            ModuleSample(args=(crop, *value), inputs=(x,), name="crop"),
            ModuleSample(args=(asym, *value), inputs=(x[0],), name="unbatched")]


class _PadNd(Module):
    """``F.pad(input, padding, mode)`` over the last ``dims`` dims; subclasses set both.

    Args:
        padding: an int, or ``2 * dims`` ints (before, after) from the last dim back.

    Shape:
        input (N, C, *spatial) or (C, *spatial) with ``dims`` spatial dims; output the same
        with each spatial size grown by its two amounts.
    """

    mode = ""
    dims = 0

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(2 * self.dims)(padding)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(cls.dims, rng)


class _ConstantPadNd(_PadNd):
    """Pads with the constant ``value``.

    Args:
        padding: an int, or ``2 * dims`` ints (before, after) from the last dim back.
        value: the fill value.

    Shape:
        input (N, C, *spatial) or (C, *spatial); each spatial size grows by its two amounts.
    """

    mode = "constant"

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(cls.dims, rng, value=(1.5,))


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``.

    Args:
        padding: an int or ``(left, right)``.
        value: the fill value.

    Shape:
        input (N, C, W) or (C, W); output width ``W + left + right``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ConstantPad1d((1, 2), 3.5)(tw.zeros(1, 2))
        tensor([[3.5000, 0.0000, 0.0000, 3.5000, 3.5000]])
    """

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with ``value``.

    Args:
        padding: an int or ``(left, right, top, bottom)``.
        value: the fill value.

    Shape:
        input (N, C, H, W) or (C, H, W); output ``(H + top + bottom, W + left + right)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ConstantPad2d(1, -1.0)(tw.zeros(1, 2, 2)).shape
        tensorweave.Size([1, 4, 4])
    """

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with ``value``.

    Args:
        padding: an int or ``(left, right, top, bottom, front, back)``.
        value: the fill value.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W); each spatial size grows by its two amounts.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ConstantPad3d(1, 0.5)(tw.zeros(1, 1, 1, 1)).shape
        tensorweave.Size([1, 3, 3, 3])
    """

    dims = 3


class _ZeroPadNd(_ConstantPadNd):
    """Pads with zeros; the printed form shows only the padding, as PyTorch's."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _samples(cls.dims, rng)


class ZeroPad1d(_ZeroPadNd):
    """Pads the last dim with zeros.

    Args:
        padding: an int or ``(left, right)``.

    Shape:
        input (N, C, W) or (C, W); output width ``W + left + right``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ZeroPad1d((1, 0))(tw.ones(1, 2))
        tensor([[0., 1., 1.]])
    """

    dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pads the last two dims with zeros.

    Args:
        padding: an int or ``(left, right, top, bottom)``.

    Shape:
        input (N, C, H, W) or (C, H, W); output ``(H + top + bottom, W + left + right)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ZeroPad2d((1, 1, 2, 0))(tw.ones(1, 2, 2)).shape
        tensorweave.Size([1, 4, 4])
    """

    dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pads the last three dims with zeros.

    Args:
        padding: an int or ``(left, right, top, bottom, front, back)``.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W); each spatial size grows by its two amounts.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ZeroPad3d(1)(tw.ones(1, 1, 1, 1)).shape
        tensorweave.Size([1, 3, 3, 3])
    """

    dims = 3


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its mirror image, not repeating the edge (``3 2 | 1 2 3``).

    Args:
        padding: an int or ``(left, right)``, each smaller than the width.

    Shape:
        input (N, C, W) or (C, W); output width ``W + left + right``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReflectionPad1d(2)(tw.tensor([[1.0, 2.0, 3.0]]))
        tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """

    mode = "reflect"
    dims = 1


class ReflectionPad2d(_PadNd):
    """Pads the last two dims with their mirror image, not repeating the edge.

    Args:
        padding: an int or ``(left, right, top, bottom)``, each smaller than its dim.

    Shape:
        input (N, C, H, W) or (C, H, W); output ``(H + top + bottom, W + left + right)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReflectionPad2d(1)(tw.zeros(1, 2, 2)).shape
        tensorweave.Size([1, 4, 4])
    """

    mode = "reflect"
    dims = 2


class ReflectionPad3d(_PadNd):
    """Pads the last three dims with their mirror image, not repeating the edge.

    Args:
        padding: an int or ``(left, right, top, bottom, front, back)``, each smaller than
            its dim.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W); each spatial size grows by its two amounts.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReflectionPad3d(1)(tw.zeros(1, 2, 2, 2)).shape
        tensorweave.Size([1, 4, 4, 4])
    """

    mode = "reflect"
    dims = 3


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge values (``1 1 | 1 2 3``).

    Args:
        padding: an int or ``(left, right)``.

    Shape:
        input (N, C, W) or (C, W); output width ``W + left + right``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReplicationPad1d((2, 1))(tw.tensor([[1.0, 2.0, 3.0]]))
        tensor([[1., 1., 1., 2., 3., 3.]])
    """

    mode = "replicate"
    dims = 1


class ReplicationPad2d(_PadNd):
    """Pads the last two dims by repeating their edge values.

    Args:
        padding: an int or ``(left, right, top, bottom)``.

    Shape:
        input (N, C, H, W) or (C, H, W); output ``(H + top + bottom, W + left + right)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReplicationPad2d(1)(tw.zeros(1, 2, 2)).shape
        tensorweave.Size([1, 4, 4])
    """

    mode = "replicate"
    dims = 2


class ReplicationPad3d(_PadNd):
    """Pads the last three dims by repeating their edge values.

    Args:
        padding: an int or ``(left, right, top, bottom, front, back)``.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W); each spatial size grows by its two amounts.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.ReplicationPad3d(1)(tw.zeros(1, 1, 1, 1)).shape
        tensorweave.Size([1, 3, 3, 3])
    """

    mode = "replicate"
    dims = 3


class CircularPad1d(_PadNd):
    """Pads the last dim by wrapping around (``2 3 | 1 2 3``), as a periodic signal.

    Args:
        padding: an int or ``(left, right)``, each at most the width.

    Shape:
        input (N, C, W) or (C, W); output width ``W + left + right``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.CircularPad1d((2, 1))(tw.tensor([[1.0, 2.0, 3.0]]))
        tensor([[2., 3., 1., 2., 3., 1.]])
    """

    mode = "circular"
    dims = 1


class CircularPad2d(_PadNd):
    """Pads the last two dims by wrapping around, as a periodic (toroidal) image.

    Args:
        padding: an int or ``(left, right, top, bottom)``, each at most its dim.

    Shape:
        input (N, C, H, W) or (C, H, W); output ``(H + top + bottom, W + left + right)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.CircularPad2d(1)(tw.zeros(1, 2, 2)).shape
        tensorweave.Size([1, 4, 4])
    """

    mode = "circular"
    dims = 2


class CircularPad3d(_PadNd):
    """Pads the last three dims by wrapping around.

    Args:
        padding: an int or ``(left, right, top, bottom, front, back)``, each at most its
            dim.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W); each spatial size grows by its two amounts.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.CircularPad3d(1)(tw.zeros(1, 2, 2, 2)).shape
        tensorweave.Size([1, 4, 4, 4])
    """

    mode = "circular"
    dims = 3
