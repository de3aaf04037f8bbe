"""Shared shape and dtype rules, declared as kinds rather than written per op.

Elementwise ops name a `Promotion` kind (PyTorch's
ELEMENTWISE_TYPE_PROMOTION_KIND); the dispatcher turns it into the dtype the
kernel computes in and the dtype of the result. Other ops use the small meta
helpers here, which validate arguments and raise errors that name the op.
"""

from __future__ import annotations

import enum
from typing import Any, Sequence

from .. import dtypes as D

__all__ = ["Promotion", "elementwise_dtypes", "broadcast_shapes", "contiguous_strides",
           "normalize_dim", "normalize_dims", "ShapeError"]


class ShapeError(RuntimeError):
    """Shapes that an op cannot combine; the message names the op and the shapes."""


class Promotion(enum.Enum):
    DEFAULT = "default"            # result_type of the inputs (add, mul, where)
    INT_TO_FLOAT = "int_to_float"  # like DEFAULT, then integers/bool become the default float
    ALWAYS_BOOL = "always_bool"    # compute in result_type, return bool (comparisons)
    BOOL_COMPUTE = "bool_compute"  # inputs become bool, result bool (logical_and)
    INTEGRAL = "integral"          # DEFAULT, but floats are refused (bitwise ops)
    KEEP = "keep"                  # the single input's dtype (neg, abs)


_CACHE: dict[tuple[Any, ...], tuple[D.dtype, D.dtype]] = {}


def elementwise_dtypes(op_name: str, kind: Promotion,
                       inputs: Sequence[Any]) -> tuple[D.dtype, D.dtype]:
    """(computation dtype, result dtype) of an elementwise op; cached per input signature."""
    # The default float dtype is part of the key: set_default_dtype changes the answers.
    key = (kind, D._default_float[0],
           *[(x.dtype, x.ndim == 0) if hasattr(x, "dtype") else type(x) for x in inputs])
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    for x in inputs:
        if not hasattr(x, "dtype") and not isinstance(x, (bool, int, float, complex)):
            raise TypeError(f"{op_name}: expected tensors or Python numbers; got "
                            f"{type(x).__name__}")
    rt = D.result_type(*inputs)
    if kind is Promotion.INT_TO_FLOAT and not (rt.is_floating_point or rt.is_complex):
        rt = D.get_default_dtype()
    if kind is Promotion.BOOL_COMPUTE:
        rt = D.bool
    if kind is Promotion.INTEGRAL and (rt.is_floating_point or rt.is_complex):
        raise TypeError(f"{op_name}: only integer and bool tensors are supported; got "
                        f"{', '.join(repr(getattr(x, 'dtype', type(x).__name__)) for x in inputs)}")
    out = D.bool if kind is Promotion.ALWAYS_BOOL else rt
    _CACHE[key] = (rt, out)
    return rt, out


def broadcast_shapes(op_name: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """NumPy/PyTorch broadcasting of ``shapes``; raises `ShapeError` naming the op."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s, ndim - len(s)):
            if n != 1:
                if out[i] not in (1, n):
                    raise ShapeError(
                        f"{op_name}: shapes {' and '.join(str(tuple(x)) for x in shapes)} cannot "
                        f"be broadcast together: the size of dimension {i - ndim} differs "
                        f"({out[i]} vs {n}). Shapes must match or be 1 in each dimension, "
                        "counting from the last.")
                out[i] = n
    return tuple(out)


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major strides in elements, as a freshly allocated tensor has them (PyTorch's:
    an empty dim counts as 1, so an empty tensor's strides are not all zero)."""
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def normalize_dim(op_name: str, dim: int, ndim: int) -> int:
    """Wrap a negative ``dim``; PyTorch's IndexError when out of range (0-d accepts -1 and 0)."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op_name}: dim must be an int; got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op_name}: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim % n


def normalize_dims(op_name: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """``None`` -> all dims; an int or a sequence -> sorted, wrapped, checked for repeats."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(sorted(normalize_dim(op_name, d, ndim) for d in dims))
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op_name}: dim {dim} appears multiple times in the list of dims")
    if ndim == 0:
        return ()
    return out
