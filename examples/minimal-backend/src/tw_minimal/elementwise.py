"""Elementwise primitives: a table of NumPy ufuncs, plus the ops whose semantics NumPy
does not share (integer rounding, integer division by zero, bool shifts, erf).

The dispatcher has already cast tensor operands to the computation dtype; operands may
also be Python numbers, which NumPy 2 treats as weak (they do not change the dtype), as
PyTorch does. PyTorch returns inf and nan silently where NumPy warns, so every kernel
runs with NumPy's floating-point warnings off.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .array import on_host

UFUNCS: dict[str, Callable[..., Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "neg": np.negative, "abs": np.absolute, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "atan2": np.arctan2,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal,
    "maximum": np.maximum, "minimum": np.minimum, "where": np.where,
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
}


def _wrap_ints(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Python ints that the operands' dtype cannot hold wrap around, as in PyTorch
    (``uint8_tensor + -1`` adds 255); NumPy 2 raises OverflowError for them instead."""
    dt = next(a.dtype for a in args if isinstance(a, np.ndarray))
    return tuple(np.array(a).astype(dt) if type(a) is int else a for a in args)


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(*args: Any, **params: Any) -> Any:
        with np.errstate(all="ignore"):
            try:
                return fn(*args, **params)
            except OverflowError:
                return fn(*_wrap_ints(args), **params)
    return kernel


def cast(x: np.ndarray, dtype: Any) -> np.ndarray:
    return x.astype(dtype.np)


def sign(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        return x.copy()
    return np.where(x != x, x.dtype.type(0), np.sign(x))  # sign(nan) is 0, as in PyTorch


def _whole(fn: Callable[..., Any]) -> Callable[..., Any]:
    """floor/ceil/trunc: integers are already whole and keep their dtype (NumPy's would not
    for every one of them)."""
    def kernel(x: np.ndarray) -> np.ndarray:
        return fn(x) if x.dtype.kind == "f" else x.copy()
    return kernel


def round(x: np.ndarray, decimals: int) -> np.ndarray:  # noqa: A001 - the op's name
    return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()  # halves to even


def _integer_division(fn: Callable[..., Any]) -> Callable[..., Any]:
    """PyTorch raises for an integer division by zero (the dispatcher adds the op's name to
    the message); NumPy would warn and give 0."""
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = np.result_type(a, b)
        if dt.kind in "iub" and np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError: integer division by zero. Check the divisor "
                               "for zeros, or divide in a float dtype (x/0 is inf or nan).")
        return fn(a, b)
    return kernel


def _shift(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        if np.bool_ in (getattr(a, "dtype", None), getattr(b, "dtype", None)):
            raise TypeError("bitwise shifts are not implemented for bool tensors; convert to "
                            "an integer dtype first")
        return fn(a, b)
    return kernel


def pow(a: Any, b: Any) -> np.ndarray:  # noqa: A001 - the op's name
    try:
        return np.power(a, b)
    except ValueError as e:  # integers to negative integer powers: RuntimeError in PyTorch
        raise RuntimeError(str(e)) from None


_erf_float64 = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; libm's, element by element


def erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_float64(x), dtype=np.float64).astype(x.dtype)


KERNELS: dict[str, Callable[..., Any]] = {
    name: on_host(_quiet(fn)) for name, fn in {
        **UFUNCS, "cast": cast, "sign": sign, "round": round, "pow": pow, "erf": erf,
        "floor": _whole(np.floor), "ceil": _whole(np.ceil), "trunc": _whole(np.trunc),
        "floor_divide": _integer_division(np.floor_divide), "fmod": _integer_division(np.fmod),
        "bitwise_left_shift": _shift(np.left_shift),
        "bitwise_right_shift": _shift(np.right_shift),
    }.items()}
