"""Elementwise CuPy kernels: CuPy's ufuncs (one fused CUDA kernel each, compiled and cached
by CuPy), for the primitives and for the composites CuPy has a ufunc for.

Python numbers arrive as the dispatcher leaves them; they become NumPy scalars of the
tensor operand's dtype, which CuPy passes to the kernel by value (a 0-d device array would
cost a host-to-device copy per call) and which wrap around as PyTorch's scalar conversion
does (``uint8_tensor + -1``).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import cupy as cp
import numpy as np
from cupyx.scipy import special

from tensorweave import dtypes as D

_BFLOAT16 = np.dtype(D.bfloat16.np)

UFUNCS: dict[str, Callable[..., Any]] = {
    "add": cp.add, "sub": cp.subtract, "mul": cp.multiply, "div": cp.true_divide,
    "neg": cp.negative, "exp": cp.exp, "log": cp.log, "abs": cp.absolute, "sqrt": cp.sqrt,
    "sin": cp.sin, "cos": cp.cos, "atan2": cp.arctan2, "eq": cp.equal, "ne": cp.not_equal,
    "lt": cp.less, "le": cp.less_equal, "gt": cp.greater, "ge": cp.greater_equal,
    "maximum": cp.maximum, "minimum": cp.minimum,
    "bitwise_and": cp.bitwise_and, "bitwise_or": cp.bitwise_or, "bitwise_xor": cp.bitwise_xor,
    # Composites with a CuPy ufunc.
    "log1p": cp.log1p, "expm1": cp.expm1, "log2": cp.log2, "log10": cp.log10,
    "reciprocal": cp.reciprocal, "square": cp.square, "tan": cp.tan, "tanh": cp.tanh,
    "asin": cp.arcsin, "acos": cp.arccos, "atan": cp.arctan, "clamp_min": cp.maximum,
    "clamp_max": cp.minimum, "isnan": cp.isnan, "isinf": cp.isinf, "isfinite": cp.isfinite,
    "logical_and": cp.logical_and, "logical_or": cp.logical_or,
    "logical_xor": cp.logical_xor, "logical_not": cp.logical_not, "bitwise_not": cp.invert,
}


def scalar_like(value: Any, dtype: np.dtype) -> Any:
    """``value`` (a Python number) as a NumPy scalar of ``dtype``, wrapping integers."""
    if type(value) is int:
        return np.asarray(value).astype(dtype)[()]
    return dtype.type(value)


def _operands(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``args`` with the Python numbers among them made NumPy scalars (`scalar_like`)."""
    dt = next((a.dtype for a in args if isinstance(a, cp.ndarray)), None)
    if dt is None:
        return args
    return tuple(a if isinstance(a, cp.ndarray) else scalar_like(a, dt) for a in args)


def _elementwise(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(*args: Any) -> Any:
        if all(type(a) is cp.ndarray for a in args):
            return fn(*args)
        return cp.asarray(fn(*_operands(args)))
    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


def where(cond: Any, a: Any, b: Any) -> Any:
    # The condition is bool: the scalars take the dtype of the value operands.
    if isinstance(a, cp.ndarray) or isinstance(b, cp.ndarray):
        a, b = _operands((a, b))
    return cp.where(cond, a, b)


def cast(x: Any, dtype: Any) -> Any:
    # bfloat16 to or from an integer or bool goes through float32, so it rounds, wraps and
    # saturates as float32 does on this device (and as PyTorch converts bfloat16).
    ends = (x.dtype, np.dtype(dtype.np))
    if _BFLOAT16 in ends and any(d.kind in "biu" for d in ends):
        x = x.astype(np.float32)
    return x.astype(dtype.np)


def sign(x: Any) -> Any:
    if x.dtype == np.bool_:
        return x.copy()
    # PyTorch's sign of nan is 0; CuPy's, like NumPy's, is nan.
    return cp.where(x != x, x.dtype.type(0), cp.sign(x)) if x.dtype.kind == "f" else cp.sign(x)


def _rounding(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any) -> Any:
        # Integers are already whole: a copy, in their own dtype (CuPy would give floats).
        return fn(x) if x.dtype.kind == "f" else x.copy()
    return kernel


def round(x: Any, decimals: int) -> Any:  # noqa: A001
    return cp.round(x, decimals) if x.dtype.kind == "f" else x.copy()


def _division(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(a: Any, b: Any) -> Any:
        a, b = _operands((a, b))
        dtype = b.dtype if isinstance(b, (cp.ndarray, np.generic)) else a.dtype
        # PyTorch's cpu behaviour (the documented one); costs one host wait, integers only.
        if dtype.kind in "iub" and bool((b == 0).any()):
            raise RuntimeError(f"ZeroDivisionError: integer division by zero in {name}. Check "
                               "the divisor for zeros, or convert to a float dtype (x/0 gives "
                               "inf or nan).")
        return cp.asarray(fn(a, b))
    return kernel


def _shift(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(a: Any, b: Any) -> Any:
        if getattr(a, "dtype", None) == np.bool_ or getattr(b, "dtype", None) == np.bool_:
            raise TypeError("bitwise shifts are not implemented for bool tensors; convert "
                            "with .to(tensorweave.uint8) or another integer dtype first")
        return cp.asarray(fn(*_operands((a, b))))
    return kernel


def pow(a: Any, b: Any) -> Any:  # noqa: A001
    a, b = _operands((a, b))
    if b.dtype.kind in "iu" and a.dtype.kind in "iu" and bool((b < 0).any()):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return cp.asarray(cp.power(a, b))


def erf(x: Any) -> Any:
    # cupyx's erf has float32 and float64 loops only.
    if x.dtype == np.float16:
        return special.erf(x.astype(np.float32)).astype(np.float16)
    return special.erf(x)


def relu(x: Any) -> Any:
    return cp.maximum(x, x.dtype.type(0))


def sigmoid(x: Any) -> Any:
    return 1 / (1 + cp.exp(-x))


def silu(x: Any) -> Any:
    return x / (1 + cp.exp(-x))


def gelu(x: Any, approximate: str) -> Any:
    if approximate == "tanh":
        inner = x.dtype.type(math.sqrt(2.0 / math.pi)) * (x + x.dtype.type(0.044715) * x * x * x)
        return x.dtype.type(0.5) * x * (1 + cp.tanh(inner))
    return x.dtype.type(0.5) * x * (1 + erf(x * x.dtype.type(1.0 / math.sqrt(2.0))))


def lerp(a: Any, b: Any, w: Any) -> Any:
    d = b - a
    if not isinstance(w, cp.ndarray):  # a number: one branch, not both plus a select
        return a + w * d if abs(w) < 0.5 else b - d * (1.0 - w)
    return cp.where(cp.abs(w) < 0.5, a + w * d, b - d * (1.0 - w))


def clamp(x: Any, lo: Any, hi: Any) -> Any:
    x, lo, hi = _operands((x, lo, hi))
    return cp.minimum(cp.maximum(x, lo), hi)


def frac(x: Any) -> Any:
    return x - cp.trunc(x)


def rsqrt(x: Any) -> Any:
    return 1 / cp.sqrt(x)


def nan_to_num(x: Any, nan: float, posinf: float | None, neginf: float | None) -> Any:
    return cp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


KERNELS: dict[str, Callable[..., Any]] = {name: _elementwise(fn) for name, fn in UFUNCS.items()}
KERNELS.update({
    "where": where, "erf": erf, "cast": cast, "pow": pow, "sign": sign, "round": round,
    "relu": relu, "sigmoid": sigmoid, "silu": silu, "gelu": gelu, "lerp": lerp, "clamp": clamp,
    "frac": frac, "rsqrt": rsqrt, "nan_to_num": nan_to_num,
    "floor": _rounding(cp.floor), "ceil": _rounding(cp.ceil), "trunc": _rounding(cp.trunc),
    "floor_divide": _division("floor_divide", cp.floor_divide),
    "fmod": _division("fmod", cp.fmod), "remainder": _division("remainder", cp.remainder),
    "bitwise_left_shift": _shift(cp.left_shift), "bitwise_right_shift": _shift(cp.right_shift),
})
