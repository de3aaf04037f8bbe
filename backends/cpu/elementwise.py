"""Elementwise NumPy kernels: a table of ufuncs (see `kernels.py` for the calling convention).

Besides the primitives, NumPy gives fast (and, for log1p/expm1, more precise) kernels for
many composites, registered here so the dispatcher skips their decompositions.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from tensorweave import dtypes as D


def _log1p(x: np.ndarray) -> np.ndarray:
    """NumPy's complex log1p is log(1 + z), which loses every digit of a small z's real part
    in complex64; near 0 take the real part as log1p(|1 + z|^2 - 1) / 2 instead."""
    if x.dtype.kind != "c":
        return np.log1p(x)
    out = np.asarray(np.log(_plus_one(x)))
    re, im = x.real, x.imag
    out.real = np.where(np.abs(x) < 0.5, 0.5 * np.log1p(re * (2.0 + re) + im * im), out.real)
    return out


def _plus_one(x: np.ndarray) -> np.ndarray:
    """``1 + x`` keeping the sign of a zero imaginary part (it picks a side of log's cut)."""
    out = x.copy()
    out.real += 1.0
    return out


UFUNCS: dict[str, Callable[..., Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "neg": np.negative, "exp": np.exp, "log": np.log, "abs": np.absolute,
    "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "atan2": np.arctan2,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "maximum": np.maximum, "minimum": np.minimum,
    "where": np.where,
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    # Composites with a NumPy equivalent.
    "log1p": _log1p, "expm1": np.expm1, "log2": np.log2, "log10": np.log10,
    "reciprocal": np.reciprocal, "square": np.square, "tan": np.tan, "tanh": np.tanh,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "frac": lambda x: x - np.trunc(x),
    "rsqrt": lambda x: 1.0 / np.sqrt(x), "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "clamp_min": np.maximum, "clamp_max": np.minimum,
    "clamp": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite,
    "logical_and": np.logical_and, "logical_or": np.logical_or,
    "logical_xor": np.logical_xor, "logical_not": np.logical_not, "bitwise_not": np.invert,
    "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "exp2": np.exp2, "logaddexp": np.logaddexp,
    "logaddexp2": np.logaddexp2, "hypot": np.hypot, "deg2rad": np.deg2rad,
    "rad2deg": np.rad2deg,
    # Cephes' Chebyshev fit, in float64 (NumPy keeps float32/float16 in their own precision).
    "i0": lambda x: np.i0(x.astype(np.float64)).astype(x.dtype, copy=False),
}
# NumPy warns on log(0), 0/0, overflow; PyTorch returns inf/nan silently, and so do we.
QUIET = {"div", "log", "exp", "sqrt", "log1p", "expm1", "log2", "log10", "reciprocal",
         "rsqrt", "sigmoid", "tan", "asin", "acos", "atan", "sinh", "cosh", "acosh", "atanh",
         "exp2", "logaddexp", "logaddexp2", "i0"}


def _wrap_ints(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Python ints outside the tensors' dtype wrap around, as PyTorch's scalar conversion does
    (``uint8_tensor + -1``); NumPy raises OverflowError instead.
    """
    dt = next(a.dtype for a in args if isinstance(a, np.ndarray))
    return tuple(np.asarray(a).astype(dt) if type(a) is int else a for a in args)


def _elementwise(fn: Callable[..., Any], quiet: bool) -> Callable[..., Any]:
    # Ufuncs return NumPy scalars for 0-d inputs; tensors always hold arrays.
    if quiet:
        def kernel(*args: Any) -> np.ndarray:
            with np.errstate(all="ignore"):
                try:
                    r = fn(*args)
                except OverflowError:
                    r = fn(*_wrap_ints(args))
            return r if type(r) is np.ndarray else np.asarray(r)
    else:
        def kernel(*args: Any) -> np.ndarray:
            try:
                r = fn(*args)
            except OverflowError:
                r = fn(*_wrap_ints(args))
            return r if type(r) is np.ndarray else np.asarray(r)
    return kernel


def cast(x: np.ndarray, dtype: Any) -> np.ndarray:
    if x.dtype == D.bfloat16.np:  # ml_dtypes saturates where float32 wraps, as PyTorch does
        x = x.astype(np.float32)
    # nan/inf to integer: unspecified, as in PyTorch; out of float16's range: inf, silently
    with np.errstate(invalid="ignore", over="ignore"):
        return x.astype(dtype.np)


def sign(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        return x.copy()
    s = np.asarray(np.sign(x))
    if x.dtype.kind == "f":
        s[x != x] = 0  # PyTorch's sign of nan is 0; NumPy's is nan
    return s


def _rounding(fn: Callable[..., Any]) -> Callable[..., np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        # Integers are already whole: a copy, in their own dtype (NumPy would give floats).
        return np.asarray(fn(x)) if x.dtype.kind == "f" else x.copy()
    return kernel


def round(x: np.ndarray, decimals: int) -> np.ndarray:  # noqa: A001
    if x.dtype.kind != "f":
        return x.copy()
    with np.errstate(all="ignore"):
        return np.asarray(np.round(x, decimals))


def _check_divisor(name: str, a: Any, b: Any) -> None:
    dtype = getattr(b, "dtype", getattr(a, "dtype", None))
    if dtype is not None and dtype.kind in "iub" and np.any(np.asarray(b) == 0):
        # PyTorch's cpu behaviour; NumPy would warn and return 0.
        raise RuntimeError(f"ZeroDivisionError: integer division by zero in {name}. Check "
                           "the divisor for zeros, or convert to a float dtype (x/0 gives "
                           "inf or nan).")


def _division(name: str, fn: Callable[..., Any]) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        _check_divisor(name, a, b)
        with np.errstate(all="ignore"):
            return np.asarray(fn(a, b))
    return kernel


def _shift(fn: Callable[..., Any]) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        if getattr(a, "dtype", None) == np.bool_ or getattr(b, "dtype", None) == np.bool_:
            raise TypeError("bitwise shifts are not implemented for bool tensors; convert "
                            "with .to(tensorweave.uint8) or another integer dtype first")
        return np.asarray(fn(a, b))
    return kernel


def xlogy(x: Any, y: Any) -> np.ndarray:
    dt = next(a.dtype for a in (x, y) if isinstance(a, np.ndarray))
    x, y = np.asarray(x, dtype=dt), np.asarray(y, dtype=dt)  # a Python number takes the dtype
    with np.errstate(all="ignore"):
        return np.asarray(np.where((x == 0) & (y == y), dt.type(0), x * np.log(y)))


def pow(a: Any, b: Any) -> np.ndarray:  # noqa: A001
    with np.errstate(all="ignore"):
        try:
            return np.asarray(np.power(a, b))
        except ValueError as e:  # integers to negative integer powers: PyTorch's RuntimeError
            raise RuntimeError(str(e)) from None
        except OverflowError:
            return np.asarray(np.power(*_wrap_ints((a, b))))


def relu(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(x, x.dtype.type(0)))


def silu(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.asarray(x / (1.0 + np.exp(-x)))


# math.erf through NumPy's object loop: exact to libm, but not fast (no erf in NumPy).
_erf_obj = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_obj(x), dtype=np.float64).astype(x.dtype, copy=False)


def gelu(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return np.asarray(0.5 * x * (1.0 + np.tanh(inner)))
    return np.asarray(0.5 * x * (1.0 + erf(x * x.dtype.type(1.0 / math.sqrt(2.0)))))


def lerp(a: np.ndarray, b: np.ndarray, w: Any) -> np.ndarray:
    d = b - a
    if not isinstance(w, np.ndarray):  # a number: one branch, not both plus a select
        return np.asarray(a + w * d if abs(w) < 0.5 else b - d * (1.0 - w))
    return np.asarray(np.where(np.abs(w) < 0.5, a + w * d, b - d * (1.0 - w)))


def nan_to_num(x: np.ndarray, nan: float, posinf: float | None,
               neginf: float | None) -> np.ndarray:
    return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


KERNELS: dict[str, Callable[..., Any]] = {
    name: _elementwise(fn, name in QUIET) for name, fn in UFUNCS.items()}
KERNELS.update({
    "cast": cast, "pow": pow, "sign": sign, "round": round, "relu": relu, "silu": silu, "erf": erf,
    "gelu": gelu, "lerp": lerp, "nan_to_num": nan_to_num, "xlogy": xlogy,
    "floor": _rounding(np.floor), "ceil": _rounding(np.ceil), "trunc": _rounding(np.trunc),
    "floor_divide": _division("floor_divide", np.floor_divide),
    "fmod": _division("fmod", np.fmod), "remainder": _division("remainder", np.remainder),
    "bitwise_left_shift": _shift(np.left_shift), "bitwise_right_shift": _shift(np.right_shift),
})
