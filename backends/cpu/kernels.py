"""NumPy kernels, as a table ``{op name: function}``.

Elementwise kernels are NumPy ufuncs named in one table. Kernels receive
NumPy arrays (or Python scalars for elementwise ops) already promoted to the
computation dtype by the dispatcher, plus the op's normalized parameters.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

UFUNCS: dict[str, Callable[..., Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "neg": np.negative, "pow": np.power, "exp": np.exp, "log": np.log,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "maximum": np.maximum, "minimum": np.minimum,
}


def _elementwise(fn: Callable[..., Any], quiet: bool) -> Callable[..., Any]:
    if quiet:
        def kernel(*args: Any) -> np.ndarray:
            with np.errstate(all="ignore"):
                r = fn(*args)
            return r if type(r) is np.ndarray else np.asarray(r)
    else:
        def kernel(*args: Any) -> np.ndarray:
            r = fn(*args)
            return r if type(r) is np.ndarray else np.asarray(r)
    return kernel


QUIET = {"div", "pow", "log", "exp"}


def cast(x: np.ndarray, dtype: Any) -> np.ndarray:
    return x.astype(dtype.np)


def as_strided(x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
               storage_offset: int) -> np.ndarray:
    root = x
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = x.itemsize
    return np.ndarray(size, x.dtype, buffer=root, offset=storage_offset * item,
                      strides=tuple(s * item for s in stride))


def view(x: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    return np.reshape(x, size, copy=False)


def expand(x: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(x, size)


def permute(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    return np.transpose(x, dims)


def clone(x: np.ndarray) -> np.ndarray:
    return np.array(x, copy=True, order="C")


def copy(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    return np.array(np.broadcast_to(src, dst.shape), dtype=dst.dtype, copy=True)


def assign(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location (an expanded tensor). "
                           "Please clone() the tensor before performing the operation.")
    np.copyto(dst, src)
    return dst


def sum(x: np.ndarray, dim: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
    return np.asarray(np.sum(x, axis=dim, keepdims=keepdim, dtype=dtype.np))


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.matmul(a, b))


def full(size: tuple[int, ...], fill_value: Any, dtype: Any, device: Any) -> np.ndarray:
    return np.full(size, fill_value, dtype=dtype.np)


def arange(start: Any, end: Any, step: Any, dtype: Any, device: Any) -> np.ndarray:
    return np.arange(start, end, step, dtype=np.float64 if dtype.is_floating_point else None) \
        .astype(dtype.np)


def table(backend: Any) -> dict[str, Callable[..., Any]]:
    """The cpu kernel table; random kernels close over the backend's generator."""
    out: dict[str, Callable[..., Any]] = {
        name: _elementwise(fn, name in QUIET) for name, fn in UFUNCS.items()}
    out.update(cast=cast, as_strided=as_strided, view=view, expand=expand, permute=permute,
               clone=clone, copy=copy, assign=assign, sum=sum, matmul=matmul, full=full,
               arange=arange, where=lambda c, a, b: np.asarray(np.where(c, a, b)))
    return out
