"""Data types and PyTorch's type-promotion lattice.

A `dtype` is a small immutable value that knows its NumPy equivalent (every
backend speaks NumPy dtypes on the host side) and its category (bool,
integer, floating, complex). Promotion follows `torch.result_type`: dimensioned
tensors outrank 0-d tensors, which outrank Python scalars, except that a
higher *category* always wins (an int tensor plus a float scalar is a float).
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from ml_dtypes import bfloat16 as _np_bfloat16
except ImportError:  # installed without its dependencies: tw.bfloat16 exists, nothing holds it
    _np_bfloat16 = None

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
    "float64", "complex64", "complex128", "cfloat", "cdouble", "half", "float", "double",
    "short", "int", "long", "get_default_dtype",
    "set_default_dtype", "promote_types", "result_type", "can_cast", "to_dtype",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, like `torch.dtype`.

    Attributes:
        name: the short name (``"float32"``).
        itemsize: bytes per element.
        is_floating_point: True for float16, bfloat16, float32 and float64.
        is_signed: True for signed integers, floats and complex dtypes.
        is_complex: True for complex64/complex128.
        is_differentiable: True for the floating and complex dtypes, whose tensors can
            require grad and carry gradients.
        opt_in: True for the dtypes a backend holds only if it lists them in
            `Backend.dtypes` (complex64, complex128, bfloat16); every backend holds the others.
    """

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "is_complex",
                 "is_differentiable", "category", "opt_in")

    def __init__(self, name: str, np_dtype: Any, category: int, opt_in: _b.bool = False) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_differentiable = category >= _FLOAT
        self.is_signed = category >= _FLOAT or self.np.kind == "i"
        self.opt_in = opt_in or self.is_complex

    def __repr__(self) -> str:
        return f"tensorweave.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def to_real(self) -> dtype:
        """The dtype of a complex dtype's parts (complex64 -> float32); others are their own."""
        return _BY_NP[np.empty(0, self.np).real.dtype] if self.is_complex else self

    def to_complex(self) -> dtype:
        """The complex dtype over a floating dtype (float32 -> complex64; float16 -> complex64,
        as tensorweave has no complex32)."""
        if self.is_complex:
            return self
        if not self.is_floating_point:
            raise TypeError(f"to_complex: expected a floating or complex dtype; got {self!r}")
        return complex128 if self is float64 else complex64


bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001 - mirrors torch.bool
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
float16 = dtype("float16", np.float16, _FLOAT)
# Brain floating point: float32's exponent with 8 significant bits. Its host form is ml_dtypes'
# NumPy dtype (a two-byte placeholder when ml_dtypes is missing, which no backend then lists).
bfloat16 = dtype("bfloat16", np.dtype((np.void, 2)) if _np_bfloat16 is None else _np_bfloat16,
                 _FLOAT, opt_in=True)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)
# PyTorch's aliases.
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

# The dtypes every backend holds; complex ones and bfloat16 are opt-in (`Backend.dtypes`).
ALL: tuple[dtype, ...] = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
COMPLEX: tuple[dtype, ...] = (complex64, complex128)
# Every dtype: what an op lists when it takes any (the conformance suite skips a dtype on a
# device whose backend does not list it).
ALL_AND_COMPLEX: tuple[dtype, ...] = (bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                                      float32, float64, complex64, complex128)
FLOATING: tuple[dtype, ...] = (float16, bfloat16, float32, float64)
FLOATING_AND_COMPLEX: tuple[dtype, ...] = FLOATING + COMPLEX
INTEGRAL: tuple[dtype, ...] = (uint8, int8, int16, int32, int64)
HAS_BFLOAT16 = _np_bfloat16 is not None
"""Whether bfloat16 has its host form (ml_dtypes, a dependency, is installed)."""

_BY_NP: dict[np.dtype[Any], dtype] = {
    d.np: d for d in ALL_AND_COMPLEX if d is not bfloat16 or HAS_BFLOAT16}
_BY_NAME: dict[str, dtype] = {d.name: d for d in ALL_AND_COMPLEX}
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64,
                cfloat=complex64, cdouble=complex128)

_default_float: list[dtype] = [float32]


def require_bfloat16(what: str) -> None:
    """Refuse bfloat16 where its host form is missing, saying how to install it."""
    if not HAS_BFLOAT16:
        raise TypeError(f"{what}: bfloat16 needs the ml_dtypes package, a dependency of "
                        "tensorweave that is not installed here: pip install ml_dtypes")


def get_default_dtype() -> dtype:
    """The dtype of float tensors created from Python floats (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype, like `torch.set_default_dtype`.

    Raises:
        TypeError: if ``d`` is not a floating dtype.
    """
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported; got {d!r}")
    _default_float[0] = d


def from_numpy_dtype(npd: Any) -> dtype:
    """The tensorweave dtype of a NumPy dtype; a clear error for unsupported ones."""
    try:
        return _BY_NP[np.dtype(npd)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert NumPy dtype {npd} to a tensorweave dtype; supported: "
            f"{', '.join(d.name for d in ALL_AND_COMPLEX)}"
        ) from None


def to_dtype(d: Any) -> dtype:
    """Accept a tensorweave dtype, a NumPy dtype, a name, or a Python type."""
    if type(d) is dtype:
        return d
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    if d is builtins_bool:
        return bool
    if d is builtins_int:
        return int64
    if d is builtins_float:
        return get_default_dtype()
    if d is builtins_complex:
        return default_complex()
    return from_numpy_dtype(d)


import builtins as _b  # noqa: E402 - the names above shadow the builtins, as torch's do

builtins_bool, builtins_int, builtins_float = _b.bool, _b.int, _b.float
builtins_complex = _b.complex


def default_complex() -> dtype:
    """The dtype of tensors made from Python complex numbers: complex128 when the default
    float dtype is float64, else complex64 (PyTorch's rule)."""
    return complex128 if _default_float[0] is float64 else complex64


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.is_complex and lo is float64:
            return complex128  # float64 + complex64 keeps float64's precision
        return hi
    if a.category >= _FLOAT:
        if a.itemsize == b.itemsize == 2:  # float16 with bfloat16: neither holds the other
            return float32
        return a if a.itemsize >= b.itemsize else b
    # Integers: NumPy's lattice matches PyTorch's (uint8 + int8 -> int16).
    return _BY_NP[np.promote_types(a.np, b.np)]


_PROMOTE: dict[tuple[dtype, dtype], dtype] = {
    (a, b): _promote_pair(a, b) for a in ALL_AND_COMPLEX for b in ALL_AND_COMPLEX}


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, like `torch.promote_types`."""
    return _PROMOTE[(to_dtype(a), to_dtype(b))]


def scalar_dtype(x: Any) -> dtype:
    """The dtype PyTorch gives a Python scalar (a "wrapped number")."""
    if isinstance(x, _b.bool):
        return bool
    if isinstance(x, _b.int):
        return int64
    if isinstance(x, _b.float):
        return _default_float[0]
    if isinstance(x, _b.complex):
        return default_complex()
    raise TypeError(f"expected a tensor or a Python number; got {type(x).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's combine_categories: a lower-priority group only wins by category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    return _PROMOTE[(higher, lower)] if lower.category > higher.category else higher


def result_type(*operands: Any) -> dtype:
    """The dtype of an elementwise op over ``operands``, like `torch.result_type`.

    Operands are tensors (anything with ``dtype`` and ``ndim``) or Python scalars.
    """
    dim_r: dtype | None = None
    zero_r: dtype | None = None
    wrapped_r: dtype | None = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            s = scalar_dtype(x)
            wrapped_r = s if wrapped_r is None else _PROMOTE[(wrapped_r, s)]
        elif x.ndim:
            dim_r = d if dim_r is None else _PROMOTE[(dim_r, d)]
        else:
            zero_r = d if zero_r is None else _PROMOTE[(zero_r, d)]
    out = _combine(dim_r, _combine(zero_r, wrapped_r))
    if out is None:
        raise TypeError("result_type: expected at least one tensor or number")
    return out


def can_cast(from_: dtype, to: dtype) -> _b.bool:
    """Whether an in-place op may write a ``from_`` result into a ``to`` tensor (PyTorch's rule)."""
    return from_.category <= to.category


class finfo:  # noqa: N801 - torch.finfo
    """Machine limits of a floating dtype (the default dtype without an argument; a complex
    dtype gives its parts'), with `torch.finfo`'s attributes: bits, eps, max, min, tiny,
    smallest_normal, resolution.

    Raises:
        TypeError: for a non-floating dtype.
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - PyTorch's argument name
        d = get_default_dtype() if type is None else to_dtype(type)
        if d.is_complex:
            d = d.to_real()
        if not d.is_floating_point:
            raise TypeError(f"torch.finfo() requires a floating point input type; got {d!r}. "
                            "Use iinfo to handle integer types")
        if d is bfloat16:
            require_bfloat16("finfo")
            from ml_dtypes import finfo as _finfo  # NumPy's finfo does not know it
            info = _finfo(d.np)
        else:
            info = np.finfo(d.np)
        self.dtype, self.bits = d.name, _b.int(info.bits)
        self.eps, self.max, self.min = _b.float(info.eps), _b.float(info.max), _b.float(info.min)
        self.tiny = self.smallest_normal = _b.float(info.smallest_normal)
        self.resolution = 10.0 ** -_b.int(info.precision)  # PyTorch's exact power of ten

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch.iinfo
    """Limits of an integer (or bool) dtype, with `torch.iinfo`'s attributes: bits, min, max.

    Raises:
        TypeError: for a floating dtype.
    """

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = to_dtype(type)
        if d.is_floating_point or d.is_complex:
            raise TypeError(f"torch.iinfo() requires an integer input type; got {d!r}. Use "
                            "finfo to handle floating types")
        info = np.iinfo(np.uint8 if d is bool else d.np)
        self.dtype, self.bits = d.name, 8 * d.itemsize
        self.min, self.max = (0, 1) if d is bool else (_b.int(info.min), _b.int(info.max))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
