"""Elementwise ops: one declaration each, with derivative, promotion kind and reference.

Primitives are the math a backend must provide; composites (sigmoid, tanh,
gelu, clamp, lerp...) are written in primitives, and a backend may still
register a kernel for them (the cpu backend does where NumPy has one, e.g.
``log1p`` and ``expm1`` for their precision near zero).

Primitives of this family: cast, add, sub, mul, div, neg, pow, exp, log, abs, sign, sqrt,
sin, cos, atan2, erf, floor, ceil, round, trunc, floor_divide, fmod, the comparisons,
where, maximum, minimum, bitwise_and/or/xor and the two shifts.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, Kind, OpDef, defop, method
from ._rules import Promotion
from .creation import ones_like, scalar_tensor, zeros_like

P = Promotion
NUMERIC = tuple(d for d in D.ALL_AND_COMPLEX if d is not D.bool and not d.is_complex)
SIGNED = tuple(d for d in NUMERIC if d.is_signed)
NUMERIC_AND_COMPLEX = NUMERIC + D.COMPLEX
LN2, LN10 = math.log(2.0), math.log(10.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _is_t(x: Any) -> bool:
    return isinstance(x, Tensor)


def unary(name: str, *, vjp: Callable[..., Any] | None, ref: Callable[..., Any],
          promotion: Promotion = P.INT_TO_FLOAT, dtypes: tuple[D.dtype, ...] = D.FLOATING,
          kind: Kind = PRIMITIVE, decomp: Callable[..., Any] | None = None,
          save_out: bool = False, save_inputs: bool | None = None,
          differentiable: bool | None = None, low: float = -3.0, high: float = 3.0,
          doc: str = "", complex_form: str | None = None, **fields: Any) -> OpDef:
    """Declare a one-input elementwise op ``name(input)``. ``complex_form`` names the function
    of `complex_numbers` that computes it for a complex input (whose result is real: abs)."""

    if complex_form is None:
        def api(input: Tensor) -> Any:  # noqa: A002 - PyTorch's argument name
            return op.bind(input)
    else:
        def api(input: Tensor) -> Any:  # noqa: A002
            if isinstance(input, Tensor) and input._dtype.is_complex:
                return _complex_form(complex_form, input)
            return op.bind(input)

    api.__name__ = api.__qualname__ = name
    api.__doc__ = doc
    fields.setdefault("samples", lambda dt, rng: S.unary(dt, rng, low, high))
    if differentiable is None:
        differentiable = vjp is not None or kind is COMPOSITE
    op = defop(kind, name=name, promotion=promotion, vjp=vjp, ref=ref, dtypes=dtypes,
               decomp=decomp, save_out=save_out,
               save_inputs=not save_out if save_inputs is None else save_inputs,
               broadcasts=True, differentiable=differentiable, doc=doc, **fields)(api)
    return op


def binary(name: str, *, vjp: Callable[..., Any] | None, ref: Callable[..., Any],
           promotion: Promotion = P.DEFAULT, dtypes: tuple[D.dtype, ...] = NUMERIC,
           kind: Kind = PRIMITIVE, decomp: Callable[..., Any] | None = None,
           save_inputs: bool = True, differentiable: bool | None = None, low: float = -3.0,
           high: float = 3.0, doc: str = "", **fields: Any) -> OpDef:
    """Declare a two-input broadcasting elementwise op ``name(input, other)``."""

    def api(input: Any, other: Any) -> Any:  # noqa: A002
        return op.bind(input, other)

    api.__name__ = api.__qualname__ = name
    api.__doc__ = doc
    fields.setdefault("samples", lambda dt, rng: S.binary(dt, rng, low, high))
    if differentiable is None:
        differentiable = vjp is not None or kind is COMPOSITE
    op = defop(kind, name=name, promotion=promotion, vjp=vjp, ref=ref, dtypes=dtypes,
               decomp=decomp, save_inputs=save_inputs, broadcasts=True,
               differentiable=differentiable, doc=doc, **fields)(api)
    return op


def _complex_form(name: str, x: Tensor) -> Tensor:
    from . import complex_numbers  # it is written over this module's ops

    return getattr(complex_numbers, name)(x)


def _zero_grads(g: Tensor, out: Any, *inputs: Any, **params: Any) -> tuple[Any, ...]:
    """The derivative of a piecewise-constant op (floor, sign...): zero for tensor inputs."""
    return tuple(zeros_like(g) if hasattr(x, "shape") else None for x in inputs)


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A NumPy reference that returns inf/nan silently, as the ops do."""
    def ref(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return ref


# -- dtype conversion ---------------------------------------------------------------------------

def _cast_meta(x: Tensor, dtype: D.dtype) -> D.dtype:
    return dtype


def _cast_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # Only a float64 -> float64 cast has a gradient that central differences can check:
    # integer and bool results have none, and narrower floats round the perturbation away.
    for t in D.ALL:
        yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), differentiable=t is D.float64),),
                            {"dtype": t}, name=t.name)


@defop(PRIMITIVE, meta=_cast_meta, save_inputs=False, method=False, function=False,
       bfloat16_native=True, vjp=lambda g, out, x, dtype: (g,),
       ref=_quiet(lambda x, dtype: x.astype(dtype.np)),
       dtypes=D.ALL_AND_COMPLEX, samples=_cast_samples)
def cast(x: Tensor, dtype: D.dtype) -> Tensor:
    """Convert ``x`` to ``dtype`` (what `Tensor.to(dtype)` runs). The gradient is cast back
    by the engine.
    """
    return cast.bind(x, dtype=D.to_dtype(dtype))


# -- arithmetic -----------------------------------------------------------------------------

def _scaled(other: Any, alpha: Any) -> Any:
    """``alpha * other`` for add/sub: a Python product when ``other`` is a number too."""
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def _binary_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    return S.binary(dt, rng)


@defop(PRIMITIVE, promotion=P.DEFAULT, broadcasts=True, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, a, b: (g, g), ref=np.add, samples=_binary_samples)
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input + alpha * other``, with broadcasting and type promotion.

    Example:
        >>> import tensorweave as tw
        >>> tw.add(tw.tensor([1, 2]), 1, alpha=2)
        tensor([3, 4])
    """
    return add.bind(input, other if alpha == 1 else _scaled(other, alpha))


@defop(PRIMITIVE, promotion=P.DEFAULT, broadcasts=True, save_inputs=False,
       dtypes=NUMERIC_AND_COMPLEX, vjp=lambda g, out, a, b: (g, -g), ref=np.subtract,
       samples=_binary_samples)
def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input - alpha * other``, with broadcasting and type promotion.

    Raises:
        TypeError: for two bool tensors (use ``logical_xor``), as in PyTorch.
    """
    if getattr(input, "dtype", None) is D.bool and getattr(other, "dtype", None) is D.bool:
        raise TypeError("sub: subtraction with two bool tensors is not supported; use "
                        "logical_xor() or the ^ operator instead")
    return sub.bind(input, other if alpha == 1 else _scaled(other, alpha))


mul = binary("mul", vjp=lambda g, out, a, b: (g * b, g * a), ref=np.multiply,
             dtypes=D.ALL_AND_COMPLEX, bfloat16_full_scalars=True,
             doc="Element-wise ``input * other``.")
_div = binary("div", promotion=P.INT_TO_FLOAT, ref=_quiet(np.true_divide), low=0.5, high=3.0,
              dtypes=D.FLOATING_AND_COMPLEX, bfloat16_full_scalars=True,
             vjp=lambda g, out, a, b: (g / b, -g * a / (b * b)), method=False, function=False,
             doc="Element-wise true division ``input / other`` (integers give floats; x/0 is "
                 "inf or nan).")
neg = unary("neg", promotion=P.KEEP, vjp=lambda g, out, x: (-g,), ref=np.negative,
            dtypes=NUMERIC_AND_COMPLEX, save_inputs=False, doc="Element-wise ``-input``.")


def _pow_vjp(g: Tensor, out: Tensor, a: Any, b: Any) -> tuple[Any, Any]:
    ga = g * b * a ** (b - 1) if _is_t(a) else None
    gb = None
    if _is_t(b):
        # d(a**b)/db = a**b * log(a); 0 where a == 0 (PyTorch's convention).
        if _is_t(a):
            la = where(eq(a, 0), 0.0, log(where(eq(a, 0), 1.0, a)))
        else:
            la = math.log(a) if a > 0 else (0.0 if a == 0 else math.nan)
        gb = g * out * la
    return ga, gb


def _pow_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.binary(dt, rng, 0.5, 2.0)
    base = 2 if not dt.is_floating_point else 1.5
    yield S.SampleInput((base, S.Arg(S.make(rng, (3,), dt, 0.5, 2.0))), name="scalar-tensor")


pow = binary("pow", vjp=_pow_vjp, ref=np.power, dtypes=NUMERIC_AND_COMPLEX,  # noqa: A001 - torch.pow
             samples=_pow_samples, save_out=True, gradgrad=True,
             doc="Element-wise ``input ** exponent``; either may be a Python number "
                 "(``2 ** x`` works).")


def exp_vjp(g: Tensor, out: Tensor, x: Any) -> tuple[Tensor]:
    return (g * out,)


exp = unary("exp", dtypes=D.FLOATING_AND_COMPLEX, vjp=exp_vjp, ref=np.exp, save_out=True,
            doc="Element-wise e**input.")
log = unary("log", vjp=lambda g, out, x: (g / x,), ref=np.log, low=0.1, high=5.0,
            dtypes=D.FLOATING_AND_COMPLEX,
            doc="Element-wise natural logarithm.")
abs = unary("abs", promotion=P.KEEP, dtypes=NUMERIC,  # noqa: A001 - torch.abs
            vjp=lambda g, out, x: (g * sign(x),), ref=np.abs, complex_form="complex_abs",
            doc="Element-wise absolute value (the gradient at 0 is 0); a complex tensor's "
                "modulus, in its parts' dtype.")


def _sign_ref(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        return x.copy()
    return np.where(x != x, x.dtype.type(0), np.sign(x))


def _sign_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dt, rng)
    if dt.is_floating_point:
        yield S.SampleInput((S.Arg(np.array([np.nan, -np.inf, np.inf, -2.5]).astype(dt.np)),),
                            name="nan-inf")


sign = unary("sign", promotion=P.KEEP, dtypes=D.ALL, vjp=_zero_grads, save_inputs=False,
             ref=_sign_ref, samples=_sign_samples,
             doc="Element-wise sign: -1, 0 or 1 (nan gives 0, as in PyTorch).")
sqrt = unary("sqrt", vjp=lambda g, out, x: (g / (2.0 * out),), save_out=True,
             dtypes=D.FLOATING_AND_COMPLEX,
             ref=_quiet(np.sqrt), low=0.1, high=5.0, doc="Element-wise square root.")
sin = unary("sin", vjp=lambda g, out, x: (g * cos(x),), ref=np.sin, gradgrad=True,
            dtypes=D.FLOATING_AND_COMPLEX,
            doc="Element-wise sine.")
cos = unary("cos", dtypes=D.FLOATING_AND_COMPLEX, vjp=lambda g, out, x: (-g * sin(x),),
            ref=np.cos, doc="Element-wise cosine.")


def _atan2_vjp(g: Tensor, out: Tensor, a: Any, b: Any) -> tuple[Any, Any]:
    r = a * a + b * b
    return (g * b / r if _is_t(a) else None), (-g * a / r if _is_t(b) else None)


atan2 = binary("atan2", promotion=P.INT_TO_FLOAT, vjp=_atan2_vjp, ref=np.arctan2,
               dtypes=D.FLOATING, gradgrad=True,
               doc="Element-wise angle of the point (other, input), in (-pi, pi].")
arctan2 = atan2

_erf_host = np.frompyfunc(math.erf, 1, 1)


def _erf_ref(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_host(x), dtype=np.float64)


erf = unary("erf", vjp=lambda g, out, x: (g * (2.0 / math.sqrt(math.pi)) * exp(-(x * x)),),
            ref=_erf_ref, doc="Element-wise Gauss error function.")


# -- rounding -------------------------------------------------------------------------------

def _rounding(name: str, ref: Callable[..., Any], what: str) -> OpDef:
    return unary(name, promotion=P.KEEP, dtypes=NUMERIC, vjp=_zero_grads, save_inputs=False,
                 ref=ref, doc=f"Element-wise {what} (integers are returned unchanged; the "
                              "gradient is zero).")


floor = _rounding("floor", np.floor, "largest integer <= input")
ceil = _rounding("ceil", np.ceil, "smallest integer >= input")
trunc = _rounding("trunc", np.trunc, "rounding toward zero")
fix = trunc


def _round_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dt, rng)
    # Halves round to even, as in PyTorch and NumPy.
    yield S.SampleInput((S.Arg(np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]).astype(dt.np),
                               differentiable=False),), name="halves")  # jumps: no gradient
    if dt.is_floating_point:
        yield S.SampleInput((S.Arg(S.make(rng, (5,), dt)),), {"decimals": 1}, name="decimals")


@defop(PRIMITIVE, promotion=P.KEEP, broadcasts=True, save_inputs=False, dtypes=NUMERIC,
       vjp=_zero_grads, ref=lambda x, decimals=0: np.round(x, decimals),
       samples=_round_samples)
def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001,A002 - torch.round
    """Element-wise rounding to ``decimals`` places, halves to even (like PyTorch).

    Args:
        input: the tensor.
        decimals: digits after the point (negative rounds to tens, hundreds...).

    Returns:
        A tensor of ``input``'s dtype.

    Raises:
        TypeError: if ``decimals`` is not an int.
    """
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int; got {type(decimals).__name__}")
    return round.bind(input, decimals=decimals)


frac = unary("frac", promotion=P.KEEP, kind=COMPOSITE, decomp=lambda x: x - trunc(x),
             vjp=lambda g, out, x: (g,), save_inputs=False, ref=lambda x: x - np.trunc(x),
             doc="Element-wise fractional part ``input - trunc(input)`` (sign of input).")

# -- integer-style division -----------------------------------------------------------------


def _division_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    """Binary samples with divisors away from zero (integer division by zero raises, and a
    tiny float divisor puts a jump within reach of the numerical gradient's step)."""
    for s in S.binary(dt, rng):
        other = s.args[1]
        if isinstance(other, S.Arg):
            other.value[np.abs(other.value) < 0.5] = 1
        yield s
    yield S.SampleInput((7, S.Arg(np.array([-3, 2, 4]).astype(dt.np))), name="scalar-tensor")


floor_divide = binary(
    "floor_divide", vjp=_zero_grads, save_inputs=False, ref=_quiet(np.floor_divide),
    samples=_division_samples,
    doc="Element-wise ``input // other``, rounding toward -inf like Python. Integer division "
        "by zero raises RuntimeError (ZeroDivisionError); float division gives inf or nan.")

fmod = binary(
    "fmod", vjp=lambda g, out, a, b: (g if _is_t(a) else None,
                                      -g * trunc(a / b) if _is_t(b) else None),
    ref=_quiet(np.fmod), samples=_division_samples,
    doc="Element-wise C-style remainder: the result has the sign of ``input``.")


def _remainder(a: Any, b: Any) -> Tensor:
    r = fmod(a, b)
    # Python's sign rule: a nonzero remainder takes the divisor's sign.
    fix_sign = logical_and(ne(r, 0), ne(lt(r, 0), lt(b, 0) if _is_t(b) else b < 0))
    return where(fix_sign, r + b, r)


remainder = binary(
    "remainder", kind=COMPOSITE, decomp=_remainder, ref=_quiet(np.remainder),
    vjp=lambda g, out, a, b: (g if _is_t(a) else None,
                              -g * floor_divide(a, b) if _is_t(b) else None),
    samples=_division_samples,
    doc="Element-wise Python-style ``input % other``: the result has the sign of ``other``.")

@method
def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """``input / other``: true division by default; ``rounding_mode="trunc"`` rounds toward
    zero and ``"floor"`` toward -inf, keeping integer dtypes, as `torch.div` does.

    Raises:
        ValueError: for another ``rounding_mode``.
    """
    if rounding_mode is None:
        return _div(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode != "trunc":
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found {rounding_mode!r}")
    if D.result_type(input, other).is_floating_point:
        return trunc(_div(input, other))
    # Integers: the quotient of the magnitudes, signed; exact where a float would round.
    return floor_divide(abs(input), abs(other)) * (sign(input) * sign(other))


true_divide = divide = div
multiply, subtract, negative, absolute = mul, sub, neg, abs


@method
def addcmul(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 * tensor2``, broadcast, as `torch.addcmul`."""
    return input + value * (tensor1 * tensor2)


@method
def addcdiv(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``, broadcast, as `torch.addcdiv`.

    Raises:
        RuntimeError: when both divisor operands are integers (PyTorch refuses the historic
            integer division).
    """
    if not D.result_type(tensor1, tensor2).is_floating_point:
        raise RuntimeError("addcdiv: integer division is not supported; compute (input + "
                           "value * tensor1 / tensor2) with floating-point tensors, or "
                           "(input + value * trunc(tensor1 / tensor2)).to(input.dtype)")
    return input + value * (tensor1 / tensor2)


# -- comparisons and selection ---------------------------------------------------------------


def _cmp(name: str, ref: Callable[..., Any], sym: str,
         dtypes: tuple[D.dtype, ...] = D.ALL) -> OpDef:
    return binary(name, promotion=P.ALWAYS_BOOL, vjp=None, ref=ref, dtypes=dtypes,
                  doc=f"Element-wise ``input {sym} other`` as a bool tensor.")


# Complex numbers have equality but no order (PyTorch refuses lt/gt...; NumPy would compare
# lexicographically).
eq = _cmp("eq", np.equal, "==", D.ALL_AND_COMPLEX)
ne = _cmp("ne", np.not_equal, "!=", D.ALL_AND_COMPLEX)
lt = _cmp("lt", np.less, "<")
le = _cmp("le", np.less_equal, "<=")
gt = _cmp("gt", np.greater, ">")
ge = _cmp("ge", np.greater_equal, ">=")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _where_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    for sc, sa, sb in [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (), ())]:
        yield S.SampleInput((S.Arg(S.make(rng, sc, D.bool), differentiable=False),
                             S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sc}x{sa}x{sb}")


def _where_meta_dtypes(cond: Any, a: Any, b: Any) -> None:
    if getattr(cond, "dtype", D.bool) is not D.bool:
        raise TypeError(f"where: condition must be a bool tensor; got {cond.dtype!r}")


@defop(PRIMITIVE, promotion=None, broadcasts=True, dtypes=D.ALL_AND_COMPLEX, samples=_where_samples,
       ref=lambda c, a, b: np.where(c, a, b),
       vjp=lambda g, out, c, a, b: (None, where(c, g, 0.0), where(c, 0.0, g)))
def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elements of ``input`` where ``condition`` is True, else of ``other`` (broadcasting).

    Raises:
        TypeError: if ``condition`` is not a bool tensor.
    """
    _where_meta_dtypes(condition, input, other)
    if not _is_t(input) and not _is_t(other):
        input = scalar_tensor(input, condition.device)
    return where.bind(condition, *_promote_pair("where", input, other))


def _promote_pair(name: str, a: Any, b: Any) -> tuple[Any, Any]:
    """Cast tensor operands to their common dtype (for ops whose first input is not data)."""
    dt = D.result_type(a, b)
    return (a.to(dt) if _is_t(a) else a), (b.to(dt) if _is_t(b) else b)


def _minmax_vjp(loses: Callable[..., Any]) -> Callable[..., Any]:
    """PyTorch's rule: ties split the gradient in half; a losing operand gets none."""
    def vjp(g: Tensor, out: Tensor, a: Any, b: Any) -> tuple[Any, Any]:
        tie = eq(a, b)
        half = g * 0.5
        ga = where(tie, half, where(loses(a, b), 0.0, g)) if _is_t(a) else None
        gb = where(tie, half, where(loses(b, a), 0.0, g)) if _is_t(b) else None
        return ga, gb
    return vjp


maximum = binary("maximum", ref=np.maximum, dtypes=D.ALL, vjp=_minmax_vjp(lt),
                 doc="Element-wise maximum (nan propagates; ties share the gradient).")
minimum = binary("minimum", ref=np.minimum, dtypes=D.ALL, vjp=_minmax_vjp(gt),
                 doc="Element-wise minimum (nan propagates; ties share the gradient).")


def _clamp_vjp(g: Tensor, out: Tensor, x: Tensor, lo: Any, hi: Any) -> tuple[Any, Any, Any]:
    # clamp(x, lo, hi) = minimum(maximum(x, lo), hi), boundaries inclusive for x (PyTorch).
    inside = le(maximum(x, lo), hi)
    gx = where(logical_and(ge(x, lo), inside), g, 0.0)
    glo = where(logical_and(lt(x, lo), inside), g, 0.0) if _is_t(lo) else None
    ghi = where(logical_not(inside), g, 0.0) if _is_t(hi) else None
    return gx, glo, ghi


def _clamp_ref(x: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    if min is not None:
        x = np.maximum(x, min)
    return x if max is None else np.minimum(x, max)


def _clamp_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    lo, hi = (1, 2) if not dt.is_floating_point else (-1.5, 0.5)
    for s in S.unary(dt, rng):
        yield S.SampleInput(s.args, {"min": lo, "max": hi}, name=s.name)
    x = S.Arg(S.make(rng, (3, 4), dt))
    yield S.SampleInput((x,), {"min": lo}, name="min-only")
    yield S.SampleInput((x,), {"max": hi}, name="max-only")
    yield S.SampleInput((x,), {"min": hi, "max": lo}, name="min>max")
    yield from S.ternary(dt, rng)


def _clamp_decomp(x: Tensor, lo: Any, hi: Any) -> Tensor:
    return minimum(maximum(x, lo), hi)


@defop(COMPOSITE, promotion=P.DEFAULT, broadcasts=True, dtypes=NUMERIC, decomp=_clamp_decomp,
       vjp=_clamp_vjp, ref=_clamp_ref, samples=_clamp_samples)
def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit ``input`` to ``[min, max]``; each bound is a number, a tensor or None.

    A bound above the other gives ``max`` everywhere, as in PyTorch; nan stays nan. The
    gradient flows to ``input`` where ``min <= input <= max``.

    Example:
        >>> tw.tensor([-2.0, 0.5, 3.0]).clamp(0, 1)
        tensor([0.0000, 0.5000, 1.0000])

    Raises:
        RuntimeError: if both bounds are None.
    """
    lo, hi = min, max
    if lo is None and hi is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None; got "
                           "neither. Pass min=..., max=... or both.")
    if hi is None:
        return clamp_min(input, lo)
    if lo is None:
        return clamp_max(input, hi)
    return clamp.bind(input, lo, hi)


clamp_min = binary(
    "clamp_min", kind=COMPOSITE, decomp=lambda x, lo: maximum(x, lo), ref=np.maximum,
    vjp=lambda g, out, x, lo: (where(ge(x, lo), g, 0.0),
                               where(lt(x, lo), g, 0.0) if _is_t(lo) else None),
    doc="``clamp(input, min=other)``.")
clamp_max = binary(
    "clamp_max", kind=COMPOSITE, decomp=lambda x, hi: minimum(x, hi), ref=np.minimum,
    vjp=lambda g, out, x, hi: (where(le(x, hi), g, 0.0),
                               where(gt(x, hi), g, 0.0) if _is_t(hi) else None),
    doc="``clamp(input, max=other)``.")


@method
def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Alias of `clamp`."""
    return clamp(input, min, max)


@method
def clip_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Alias of ``Tensor.clamp_``."""
    return input.clamp_(min, max)


# -- exponentials, logarithms, powers (composites) -------------------------------------------

# Complex decompositions. Several real ones go through atan2 or hold on the real line only;
# complex inputs take the logarithmic forms of the principal branches (C99's, NumPy's and
# PyTorch's). Parts are combined with `complex`, not with complex arithmetic, wherever the
# sign of a zero picks the side of a branch cut ((-4 - 0j) + 1.0 is -3 + 0j, on the other
# side) or an infinite part meets a zero one (0.5 * (inf + 0j) is inf + nanj).


def _by_kind(real: Callable[[Tensor], Tensor],
             cplx: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    return lambda x: cplx(x) if x.dtype.is_complex else real(x)


def _parts(z: Tensor) -> tuple[Tensor, Tensor, Callable[..., Tensor]]:
    from .complex_numbers import complex, imag, real  # noqa: A004 - PyTorch's name

    return real(z), imag(z), complex


def _times_i(z: Tensor, sign: float = 1.0) -> Tensor:
    """``sign * 1j * z``, exactly."""
    x, y, cplx = _parts(z)
    return cplx(-sign * y, sign * x)


def _plus_real(z: Tensor, c: float) -> Tensor:
    """``z + c`` for a real ``c``, keeping the sign of a zero imaginary part."""
    x, y, cplx = _parts(z)
    return cplx(x + c, y)


def _times_real(z: Tensor, c: float) -> Tensor:
    """``z * c`` for a real ``c``, part by part."""
    x, y, cplx = _parts(z)
    return cplx(x * c, y * c)


def _complex_log1p(z: Tensor) -> Tensor:
    # log(u) * z / (u - 1) with u = 1 + z: the rounding error of u cancels (Goldberg).
    u = _plus_real(z, 1.0)
    d, lu = u - 1.0, log(u)
    return where(eq(d, 0.0), z, where(isfinite(lu), lu * (z / d), lu))


log1p = unary("log1p", kind=COMPOSITE, decomp=_by_kind(lambda x: log(1.0 + x), _complex_log1p),
              ref=np.log1p,
              dtypes=D.FLOATING_AND_COMPLEX,
              vjp=lambda g, out, x: (g / (1.0 + x),), low=-0.9, high=3.0,
              doc="Element-wise ``log(1 + input)``, accurate for small inputs.")
expm1 = unary("expm1", kind=COMPOSITE, decomp=lambda x: exp(x) - 1.0, ref=np.expm1,
              dtypes=D.FLOATING_AND_COMPLEX,
              vjp=lambda g, out, x: (g * (out + 1.0),), save_out=True,
              doc="Element-wise ``exp(input) - 1``, accurate for small inputs.")
log2 = unary("log2", kind=COMPOSITE, decomp=lambda x: log(x) * (1.0 / LN2), ref=np.log2,
             dtypes=D.FLOATING_AND_COMPLEX,
             vjp=lambda g, out, x: (g / (x * LN2),), low=0.1, high=5.0,
             doc="Element-wise base-2 logarithm.")
log10 = unary("log10", kind=COMPOSITE, decomp=lambda x: log(x) * (1.0 / LN10), ref=np.log10,
              dtypes=D.FLOATING_AND_COMPLEX,
              vjp=lambda g, out, x: (g / (x * LN10),), low=0.1, high=5.0,
              doc="Element-wise base-10 logarithm.")
rsqrt = unary("rsqrt", kind=COMPOSITE, decomp=lambda x: 1.0 / sqrt(x),
              dtypes=D.FLOATING_AND_COMPLEX,
              ref=lambda x: 1.0 / np.sqrt(x), save_out=True, low=0.1, high=5.0,
              vjp=lambda g, out, x: (-0.5 * g * out * out * out,),
              doc="Element-wise ``1 / sqrt(input)``.")
reciprocal = unary("reciprocal", kind=COMPOSITE, decomp=lambda x: 1.0 / x, save_out=True,
                   dtypes=D.FLOATING_AND_COMPLEX,
                   ref=lambda x: 1.0 / x, low=0.5, high=3.0,
                   vjp=lambda g, out, x: (-g * out * out,),
                   doc="Element-wise ``1 / input`` (integers give floats).")


def _square(x: Tensor) -> Tensor:
    return x * x


@defop(COMPOSITE, promotion=P.KEEP, broadcasts=True, dtypes=NUMERIC_AND_COMPLEX, decomp=_square,
       vjp=lambda g, out, x: (2.0 * g * x,), ref=np.square, samples=S.unary)
def square(input: Tensor) -> Tensor:  # noqa: A002
    """Element-wise ``input * input`` (a bool tensor gives int64, as in PyTorch)."""
    if input.dtype is D.bool:
        input = input.to(D.int64)
    return square.bind(input)


# -- trigonometry (composites) -----------------------------------------------------------------

tan = unary("tan", kind=COMPOSITE, decomp=lambda x: sin(x) / cos(x), ref=np.tan,
            dtypes=D.FLOATING_AND_COMPLEX,
            vjp=lambda g, out, x: (g * (1.0 + out * out),), save_out=True, low=-1.2, high=1.2,
            doc="Element-wise tangent.")


def _complex_asinh(z: Tensor) -> Tensor:
    # asinh is odd: work in the right half plane, where z + sqrt(z^2 + 1) does not cancel,
    # and take log1p(w + w^2 / (sqrt(w^2 + 1) + 1)) there so that small |z| keeps its digits.
    left = signbit(_parts(z)[0])
    w = where(left, -z, z)
    x, y, cplx = _parts(w)
    w2 = cplx((x - y) * (x + y), 2.0 * x * y)
    r = log1p(w + w2 / (sqrt(_plus_real(w2, 1.0)) + 1.0))
    return where(left, -r, r)


def _complex_asin(z: Tensor) -> Tensor:
    return _times_i(_complex_asinh(_times_i(z)), -1.0)


def _complex_acosh(z: Tensor) -> Tensor:
    return log(z + sqrt(_plus_real(z, 1.0)) * sqrt(_plus_real(z, -1.0)))


def _complex_atanh(z: Tensor) -> Tensor:
    return _times_real(log1p(z) - log1p(-z), 0.5)


asin = unary("asin", kind=COMPOSITE,
             decomp=_by_kind(lambda x: atan2(x, sqrt(1.0 - x * x)), _complex_asin),
             dtypes=D.FLOATING_AND_COMPLEX,
             ref=_quiet(np.arcsin), low=-0.95, high=0.95,
             vjp=lambda g, out, x: (g / sqrt(1.0 - x * x),),
             doc="Element-wise arcsine (nan outside [-1, 1]).")
acos = unary("acos", kind=COMPOSITE,
             decomp=_by_kind(lambda x: atan2(sqrt(1.0 - x * x), x),
                             lambda z: math.pi / 2 - _complex_asin(z)),
             dtypes=D.FLOATING_AND_COMPLEX,
             ref=_quiet(np.arccos), low=-0.95, high=0.95,
             vjp=lambda g, out, x: (-g / sqrt(1.0 - x * x),),
             doc="Element-wise arccosine (nan outside [-1, 1]).")
atan = unary("atan", kind=COMPOSITE,
             decomp=_by_kind(lambda x: atan2(x, 1.0),
                             lambda z: _times_i(_complex_atanh(_times_i(z)), -1.0)),
             ref=np.arctan, dtypes=D.FLOATING_AND_COMPLEX,
             vjp=lambda g, out, x: (g / (1.0 + x * x),), doc="Element-wise arctangent.")
arcsin, arccos, arctan = asin, acos, atan


# -- hyperbolic functions (composites) ---------------------------------------------------------
# Written with expm1/log1p so they keep their precision near zero, where exp(x) - exp(-x)
# would cancel.

sinh = unary("sinh", kind=COMPOSITE, decomp=lambda x: 0.5 * (expm1(x) - expm1(-x)), ref=np.sinh,
             dtypes=D.FLOATING_AND_COMPLEX,
             vjp=lambda g, out, x: (g * cosh(x),), doc="Element-wise hyperbolic sine.")
cosh = unary("cosh", kind=COMPOSITE, decomp=lambda x: 0.5 * (exp(x) + exp(-x)), ref=np.cosh,
             dtypes=D.FLOATING_AND_COMPLEX,
             vjp=lambda g, out, x: (g * sinh(x),), doc="Element-wise hyperbolic cosine.")


def _asinh(x: Tensor) -> Tensor:
    a = abs(x)
    return sign(x) * log1p(a + a * a / (1.0 + sqrt(1.0 + a * a)))


asinh = unary("asinh", dtypes=D.FLOATING_AND_COMPLEX, kind=COMPOSITE,
              decomp=_by_kind(_asinh, _complex_asinh), ref=np.arcsinh,
              vjp=lambda g, out, x: (g * rsqrt(x * x + 1.0),),
              doc="Element-wise inverse hyperbolic sine.")
acosh = unary("acosh", kind=COMPOSITE, low=1.1, high=5.0, ref=_quiet(np.arccosh),
              dtypes=D.FLOATING_AND_COMPLEX,
              decomp=_by_kind(lambda x: log1p((x - 1.0) + sqrt((x - 1.0) * (x + 1.0))),
                              _complex_acosh),
              vjp=lambda g, out, x: (g * rsqrt((x - 1.0) * (x + 1.0)),),
              doc="Element-wise inverse hyperbolic cosine (nan below 1).")
atanh = unary("atanh", kind=COMPOSITE, low=-0.95, high=0.95, ref=_quiet(np.arctanh),
              dtypes=D.FLOATING_AND_COMPLEX,
              decomp=_by_kind(lambda x: 0.5 * log1p(2.0 * x / (1.0 - x)), _complex_atanh),
              vjp=lambda g, out, x: (g / (1.0 - x * x),),
              doc="Element-wise inverse hyperbolic tangent (+-inf at +-1, nan beyond).")
arcsinh, arccosh, arctanh = asinh, acosh, atanh

# -- exponentials and logarithms of pairs (composites) -----------------------------------------

exp2 = unary("exp2", kind=COMPOSITE, decomp=lambda x: exp(x * LN2), ref=np.exp2, save_out=True,
             vjp=lambda g, out, x: (g * out * LN2,), doc="Element-wise ``2 ** input``.")


def _logaddexp(a: Any, b: Any, base_log: float) -> Tensor:
    # The larger input plus the log of 1 + base**-|a - b|; equal inputs (infinities
    # included, where a - b is nan) give a + log(2).
    big = maximum(a, b)
    tail = log1p(exp(-abs(a - b) * base_log)) / base_log
    return where(eq(a, b), a + LN2 / base_log, big + tail)


def _logaddexp_vjp(base_log: float) -> Callable[..., Any]:
    def vjp(g: Tensor, out: Tensor, a: Any, b: Any) -> tuple[Any, Any]:
        # d/da log_base(base**a + base**b) = base**(a - out).
        return ((g * exp((a - out) * base_log) if _is_t(a) else None),
                (g * exp((b - out) * base_log) if _is_t(b) else None))
    return vjp


logaddexp = binary("logaddexp", kind=COMPOSITE, promotion=P.INT_TO_FLOAT, dtypes=D.FLOATING,
                   decomp=lambda a, b: _logaddexp(a, b, 1.0), vjp=_logaddexp_vjp(1.0),
                   ref=np.logaddexp, save_out=True,
                   doc="Element-wise ``log(exp(input) + exp(other))`` without overflow.")
logaddexp2 = binary("logaddexp2", kind=COMPOSITE, promotion=P.INT_TO_FLOAT, dtypes=D.FLOATING,
                    decomp=lambda a, b: _logaddexp(a, b, LN2), vjp=_logaddexp_vjp(LN2),
                    ref=np.logaddexp2, save_out=True,
                    doc="Element-wise ``log2(2**input + 2**other)`` without overflow.")


def _tensor_pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """The operands of a composite whose decomposition needs tensors on both sides: a Python
    number becomes a 0-d tensor of the other operand's dtype and device."""
    like = a if _is_t(a) else b
    return tuple(x if _is_t(x) else scalar_tensor(x, dtype=like.dtype, device=like.device)
                 for x in (a, b))  # type: ignore[return-value]


def _hypot(a: Any, b: Any) -> Tensor:
    # Scaled by the larger magnitude so a*a cannot overflow.
    a, b = _tensor_pair(a, b)
    big, small = maximum(abs(a), abs(b)), minimum(abs(a), abs(b))
    zero = eq(big, 0)
    ratio = where(zero, 0.0, small / where(zero, 1.0, big))
    return where(eq(big, math.inf), math.inf, big * sqrt(1.0 + ratio * ratio))


hypot = binary("hypot", kind=COMPOSITE, promotion=P.DEFAULT, dtypes=D.FLOATING, decomp=_hypot,
               vjp=lambda g, out, a, b: (g * a / out if _is_t(a) else None,
                                         g * b / out if _is_t(b) else None),
               save_out=True, save_inputs=True, ref=np.hypot,
               doc="Element-wise ``sqrt(input**2 + other**2)`` without overflow (floats).")


def _xlogy(x: Any, y: Any) -> Tensor:
    # 0 * log(y) is 0 for every y but nan, as in scipy.special.xlogy.
    x, y = _tensor_pair(x, y)
    return where(logical_and(eq(x, 0), eq(y, y)), 0.0, x * log(y))


def _xlogy_vjp(g: Tensor, out: Tensor, x: Any, y: Any) -> tuple[Any, Any]:
    tx, ty = _tensor_pair(x, y)
    zero = eq(tx, 0)
    return ((where(zero, 0.0, g * log(ty)) if _is_t(x) else None),
            (where(zero, 0.0, g * tx / ty) if _is_t(y) else None))


def _xlogy_ref(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y))


xlogy = binary("xlogy", kind=COMPOSITE, promotion=P.INT_TO_FLOAT, dtypes=D.FLOATING,
               decomp=_xlogy, vjp=_xlogy_vjp, ref=_xlogy_ref, low=0.1, high=3.0,
               doc="Element-wise ``input * log(other)``, 0 where ``input`` is 0 (unless "
                   "``other`` is nan).")


def _signbit(x: Tensor) -> Tensor:
    if not x.dtype.is_floating_point:
        return lt(x, 0)
    # -0.0 compares equal to 0; its reciprocal, -inf, keeps the sign. A nan's sign bit is not
    # read (no bit reinterpretation op): nan gives False.
    return logical_or(lt(x, 0), logical_and(eq(x, 0), lt(1.0 / x, 0)))


def _signbit_ref(x: np.ndarray) -> np.ndarray:
    return np.signbit(x) & ~np.isnan(x) if x.dtype.kind == "f" else x < 0


def _signed_zero_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dt, rng)
    if dt.is_floating_point:
        v = np.array([-0.0, 0.0, -2.0, 3.0, -np.inf, np.inf]).astype(dt.np)
        yield S.SampleInput((S.Arg(v),), name="signed-zeros")


signbit = unary("signbit", kind=COMPOSITE, promotion=P.KEEP, dtypes=NUMERIC, vjp=None,
                differentiable=False, decomp=_signbit, ref=_signbit_ref,
                samples=_signed_zero_samples,
                doc="Element-wise test for a set sign bit (True for -0.0; bool result).")


def _copysign(a: Any, b: Any) -> Tensor:
    a, b = _tensor_pair(a, b)
    return where(_signbit(b), -abs(a), abs(a))


copysign = binary("copysign", kind=COMPOSITE, promotion=P.INT_TO_FLOAT, dtypes=D.FLOATING,
                  decomp=_copysign, ref=np.copysign, save_out=True,
                  vjp=lambda g, out, a, b: (
                      (where(eq(a, 0), 0.0, g * out / a) if _is_t(a) else None),
                      (zeros_like(b, dtype=g.dtype) if _is_t(b) else None)),
                  doc="Element-wise magnitude of ``input`` with the sign of ``other`` "
                      "(-0.0 counts as negative).")


def _fminmax(name: str, pick: OpDef, wins: OpDef, ref: Callable[..., Any],
             which: str) -> OpDef:
    def decomp(a: Any, b: Any) -> Tensor:
        a, b = _tensor_pair(a, b)
        return where(ne(a, a), b, where(ne(b, b), a, pick(a, b)))

    def vjp(g: Tensor, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        # PyTorch's rule: input takes the whole gradient on ties and where other is nan.
        a, b = _tensor_pair(a, b)
        first = logical_or(wins(a, b), ne(b, b))
        return where(first, g, 0.0), where(first, 0.0, g)

    return binary(name, kind=COMPOSITE, dtypes=NUMERIC, decomp=decomp, ref=ref, vjp=vjp,
                  samples=_nan_pair_samples,
                  doc=f"Element-wise {which} of the inputs, ignoring nan: nan only where both "
                      "are nan.")


def _nan_pair_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.binary(dt, rng)
    if dt.is_floating_point:
        # Not both nan: the numerical gradient there is nan, PyTorch's is not.
        a = np.array([np.nan, 1.0, -2.0]).astype(dt.np)
        b = np.array([3.0, np.nan, 5.0]).astype(dt.np)
        yield S.SampleInput((S.Arg(a), S.Arg(b)), name="nan")


fmax = _fminmax("fmax", maximum, ge, np.fmax, "maximum")
fmin = _fminmax("fmin", minimum, le, np.fmin, "minimum")


def _heaviside(x: Tensor, values: Tensor) -> Tensor:
    return where(eq(x, 0), values, gt(x, 0).to(x.dtype))


@defop(COMPOSITE, promotion=P.DEFAULT, broadcasts=True, dtypes=NUMERIC, decomp=_heaviside,
       differentiable=False, ref=lambda x, v: np.heaviside(x, v).astype(x.dtype),
       samples=lambda dt, rng: S.binary(dt, rng, scalars=False))
def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """Element-wise step function: 0 below zero, 1 above, ``values`` at zero.

    Raises:
        RuntimeError: for tensors of different dtypes, as in PyTorch.
    """
    if not (isinstance(input, Tensor) and isinstance(values, Tensor)):
        raise TypeError("heaviside(): arguments 'input' and 'values' must be Tensors")
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different "
                           f"dtypes ({input.dtype.name} and {values.dtype.name}); convert "
                           "values with .to(input.dtype)")
    return heaviside.bind(input, values)


def _sinc_vjp(g: Tensor, out: Tensor, x: Tensor) -> tuple[Tensor]:
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, which tends to 0 at 0.
    return (where(eq(x, 0), 0.0, g * (cos(math.pi * x) - out) / x),)


sinc = unary("sinc", kind=COMPOSITE, save_out=True, save_inputs=True, vjp=_sinc_vjp,
             decomp=lambda x: where(eq(x, 0), 1.0, sin(math.pi * x) / (math.pi * x)),
             ref=np.sinc, doc="Element-wise normalized sinc ``sin(pi x) / (pi x)``, 1 at 0.")


@method
def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """``input ** exponent`` computed in float64, as `torch.float_power`."""
    def f64(v: Any) -> Any:
        return v.to(D.float64) if _is_t(v) else builtins.float(v)

    if not (_is_t(input) or _is_t(exponent)):
        raise TypeError("float_power(): expected a tensor argument")
    base = f64(input) if _is_t(input) else scalar_tensor(
        builtins.float(input), dtype=D.float64, device=exponent.device)
    return pow(base, f64(exponent))


@method
def sgn(input: Tensor) -> Tensor:  # noqa: A002
    """`sign` of a real tensor; ``x / |x|`` (0 at 0) of a complex one."""
    return _complex_form("complex_sgn", input) if input.dtype.is_complex else sign(input)


@method
def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """Element-wise ``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to
    ``[eps, 1 - eps]`` (its gradient is then zero outside that range)."""
    p = input if eps is None else clamp(input, eps, 1.0 - eps)
    return log(p / (1.0 - p))


@method
def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself, as `torch.positive`.

    Raises:
        TypeError: for a bool tensor, as PyTorch.
    """
    if input.dtype is D.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``other - alpha * input`` (subtraction with the operands reversed)."""
    return sub(other, input if alpha == 1 else mul(input, alpha))


@method
def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    """Element-wise test for +inf (bool)."""
    return eq(input, math.inf) if input.dtype.is_floating_point else \
        zeros_like(input, dtype=D.bool)


@method
def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    """Element-wise test for -inf (bool)."""
    return eq(input, -math.inf) if input.dtype.is_floating_point else \
        zeros_like(input, dtype=D.bool)


@method
def isreal(input: Tensor) -> Tensor:  # noqa: A002
    """Where the imaginary part is 0: all True for a real tensor."""
    if input.dtype.is_complex:
        return _complex_form("complex_isreal", input)
    return ones_like(input, dtype=D.bool)


@method
def ldexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Element-wise ``input * 2 ** other`` (a floating result)."""
    return mul(input, exp2(other))


def _degrees(name: str, factor: float, what: str) -> OpDef:
    return unary(name, kind=COMPOSITE, decomp=lambda x: x * factor,
                 ref=lambda x: x * factor, vjp=lambda g, out, x: (g * factor,),
                 doc=f"Element-wise conversion of {what}.")


deg2rad = _degrees("deg2rad", math.pi / 180.0, "degrees to radians")
rad2deg = _degrees("rad2deg", 180.0 / math.pi, "radians to degrees")

# -- activations (composites) ------------------------------------------------------------------


def _sigmoid(x: Tensor) -> Tensor:
    return 1.0 / (1.0 + exp(-x))


sigmoid = unary("sigmoid", kind=COMPOSITE, decomp=_sigmoid, save_out=True, gradgrad=True,
                dtypes=D.FLOATING_AND_COMPLEX,
                vjp=lambda g, out, x: (g * out * (1.0 - out),),
                ref=_quiet(lambda x: 1.0 / (1.0 + np.exp(-x))),
                doc="Element-wise logistic function ``1 / (1 + exp(-input))``.")
tanh = unary("tanh", kind=COMPOSITE, decomp=lambda x: 2.0 * sigmoid(2.0 * x) - 1.0,
             dtypes=D.FLOATING_AND_COMPLEX,
             vjp=lambda g, out, x: (g * (1.0 - out * out),), save_out=True, ref=np.tanh,
             gradgrad=True, doc="Element-wise hyperbolic tangent.")
relu = unary("relu", kind=COMPOSITE, promotion=P.KEEP, dtypes=NUMERIC,
             decomp=lambda x: where(le(x, 0), 0, x),  # nan propagates
             # Subgradient 0 at 0, as PyTorch's threshold_backward.
             vjp=lambda g, out, x: (where(gt(out, 0), g, 0.0),), save_out=True,
             ref=lambda x: np.maximum(x, x.dtype.type(0)),
             doc="Element-wise ``max(input, 0)``; the gradient at 0 is 0.")


def _silu_vjp(g: Tensor, out: Tensor, x: Tensor) -> tuple[Tensor]:
    s = sigmoid(x)
    return (g * s * (1.0 + x * (1.0 - s)),)


silu = unary("silu", kind=COMPOSITE, decomp=lambda x: x * sigmoid(x), vjp=_silu_vjp,
             gradgrad=True, ref=_quiet(lambda x: x / (1.0 + np.exp(-x))),
             doc="Element-wise ``input * sigmoid(input)`` (a.k.a. swish).")

_GELU_MODES = ("none", "tanh")


def _gelu_decomp(x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x)))
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


def _gelu_vjp(g: Tensor, out: Tensor, x: Tensor, approximate: str) -> tuple[Tensor]:
    if approximate == "tanh":
        t = tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x))
        dinner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_C * x * x)
        return (g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * dinner),)
    cdf = 0.5 * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))
    pdf = exp(-0.5 * x * x) * (1.0 / math.sqrt(2.0 * math.pi))
    return (g * (cdf + x * pdf),)


def _gelu_ref(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x ** 3)))
    return 0.5 * x * (1.0 + _erf_ref(x / math.sqrt(2.0)))


def _gelu_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dt, rng)
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)),), {"approximate": "tanh"},
                        name="tanh")


@defop(COMPOSITE, promotion=P.INT_TO_FLOAT, broadcasts=True, dtypes=D.FLOATING,
       decomp=_gelu_decomp, vjp=_gelu_vjp, ref=_gelu_ref, samples=_gelu_samples,
       gradgrad=True)
def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """Gaussian error linear unit ``input * Phi(input)``.

    Args:
        input: the tensor.
        approximate: ``"none"`` for the exact erf form, ``"tanh"`` for
            ``0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))``.

    Returns:
        A tensor like ``input``.

    Raises:
        RuntimeError: for any other ``approximate``.
    """
    if approximate not in _GELU_MODES:
        raise RuntimeError(f"gelu: approximate argument must be either none or tanh; got "
                           f"{approximate!r}")
    return gelu.bind(input, approximate=approximate)


def _lerp(a: Tensor, b: Any, w: Any) -> Tensor:
    # PyTorch's two-sided formula: exact at w == 0 and at w == 1.
    d = b - a
    small = lt(abs(w), 0.5) if _is_t(w) else builtins.abs(w) < 0.5
    if _is_t(w):
        return where(small, a + w * d, b - d * (1.0 - w))
    return a + w * d if small else b - d * (1.0 - w)


def _lerp_ref(a: Any, b: Any, w: Any) -> Any:
    d = b - a
    return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1.0 - w))


def _lerp_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.ternary(dt, rng)
    x, y = S.make(rng, (3, 4), dt), S.make(rng, (4,), dt)
    for w in (0.25, 0.75):
        yield S.SampleInput((S.Arg(x), S.Arg(y, noncontig=True), w), name=f"weight={w}")


@defop(COMPOSITE, promotion=P.DEFAULT, broadcasts=True, dtypes=D.FLOATING, decomp=_lerp,
       vjp=lambda g, out, a, b, w: (g * (1.0 - w), g * w, g * (b - a) if _is_t(w) else None),
       ref=_lerp_ref, samples=_lerp_samples, bfloat16_full_scalars=True)
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:  # noqa: A002
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor (broadcasting).

    Example:
        >>> tw.lerp(tw.tensor([0.0, 10.0]), tw.tensor([10.0, 20.0]), 0.5)
        tensor([ 5., 15.])
    """
    return lerp.bind(input, end, weight)


# -- classification and cleanup --------------------------------------------------------------


def _special_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.unary(dt, rng)
    if dt.is_floating_point:
        v = np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0]).astype(dt.np)
        yield S.SampleInput((S.Arg(v),), name="nan-inf")


isnan = unary("isnan", kind=COMPOSITE, promotion=P.ALWAYS_BOOL, dtypes=D.ALL_AND_COMPLEX, vjp=None,
              differentiable=False, decomp=lambda x: ne(x, x), ref=np.isnan,
              samples=_special_samples, doc="Element-wise test for nan (bool result).")


def _isinf(x: Tensor) -> Tensor:
    return eq(abs(x), math.inf) if x.dtype.is_floating_point else zeros_like(x, dtype=D.bool)


def _isfinite(x: Tensor) -> Tensor:
    # nan < inf is False: one comparison covers nan and inf.
    return lt(abs(x), math.inf) if x.dtype.is_floating_point else eq(x, x)


isinf = unary("isinf", kind=COMPOSITE, promotion=P.ALWAYS_BOOL, dtypes=D.ALL_AND_COMPLEX, vjp=None,
              differentiable=False, decomp=_isinf, ref=np.isinf, samples=_special_samples,
              doc="Element-wise test for +inf or -inf (bool result).")
isfinite = unary("isfinite", kind=COMPOSITE, promotion=P.ALWAYS_BOOL,
                 dtypes=D.ALL_AND_COMPLEX, vjp=None, differentiable=False, decomp=_isfinite,
                 ref=np.isfinite,
                 samples=_special_samples,
                 doc="Element-wise test for finite values (not nan or inf; bool result).")


@method
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """Element-wise ``|input - other| <= atol + rtol * |other|`` (equal infinities are close;
    nan is close to nan only with ``equal_nan``), as `torch.isclose`.

    Raises:
        RuntimeError: for tensors of different dtypes or a negative tolerance.
    """
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        raise TypeError("isclose(): arguments 'input' and 'other' must be Tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}; convert one "
                           "with .to()")
    if rtol < 0 or atol < 0:
        name, v = ("rtol", rtol) if rtol < 0 else ("atol", atol)
        raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v}")
    close = eq(input, other)
    if input.dtype is D.bool:
        return close
    if equal_nan and input.dtype.is_floating_point:
        close = logical_or(close, logical_and(ne(input, input), ne(other, other)))
    # Equal values (infinities included) are already close: zeroing them keeps inf - inf,
    # and its nan, out of the error term.
    err = abs(where(close, 0, input) - where(close, 0, other))
    within = logical_and(isfinite(err), le(err, atol + abs(rtol * other)))
    return logical_or(close, within)


def _nan_to_num_decomp(x: Tensor, nan: float, posinf: float | None,
                       neginf: float | None) -> Tensor:
    if not x.dtype.is_floating_point:
        return x.clone()
    big = float(np.finfo(x.dtype.np).max)
    x = where(ne(x, x), nan, x)
    x = where(eq(x, math.inf), big if posinf is None else posinf, x)
    return where(eq(x, -math.inf), -big if neginf is None else neginf, x)


def _nan_to_num_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # Explicit posinf/neginf: the default (the dtype's largest value) differs from the
    # float64 reference's.
    kw = {"posinf": 100.0, "neginf": -50.0}
    for s in _special_samples(dt, rng):
        yield S.SampleInput(s.args, kw, name=s.name)
    v = np.array([np.nan, np.inf, -np.inf, 1.0]).astype(dt.np) if dt.is_floating_point else \
        S.make(rng, (4,), dt)
    yield S.SampleInput((S.Arg(v),), {"nan": 7.0, "posinf": 3.0, "neginf": -3.0}, name="kw")


@defop(COMPOSITE, promotion=P.KEEP, broadcasts=True, dtypes=D.ALL, decomp=_nan_to_num_decomp,
       vjp=lambda g, out, x, nan, posinf, neginf: (where(isfinite(x), g, 0.0),),
       ref=lambda x, nan=0.0, posinf=None, neginf=None: np.nan_to_num(
           x, nan=nan, posinf=posinf, neginf=neginf),
       samples=_nan_to_num_samples)
def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """Replace nan, +inf and -inf by finite numbers.

    Args:
        input: the tensor (integer tensors are returned as a copy).
        nan: the value for nan.
        posinf: the value for +inf; default the dtype's largest finite value.
        neginf: the value for -inf; default the dtype's lowest finite value.

    Returns:
        A tensor like ``input``.
    """
    return nan_to_num.bind(input, nan=float(nan),
                           posinf=None if posinf is None else float(posinf),
                           neginf=None if neginf is None else float(neginf))


# -- logical and bitwise -----------------------------------------------------------------------


def _as_bool(x: Any) -> Any:
    return x if _is_t(x) else bool(x)


def _logical(name: str, decomp: Callable[..., Any], ref: Callable[..., Any],
             what: str) -> OpDef:
    return binary(name, kind=COMPOSITE, promotion=P.BOOL_COMPUTE, dtypes=D.ALL_AND_COMPLEX,
                  vjp=None, differentiable=False, ref=ref,
                  doc=f"Element-wise logical {what} of the truth values (nonzero is True); "
                  "the result is bool.",
                  decomp=lambda a, b: decomp(_as_bool(a), _as_bool(b)))


logical_and = _logical("logical_and", lambda a, b: bitwise_and(a, b), np.logical_and, "and")
logical_or = _logical("logical_or", lambda a, b: bitwise_or(a, b), np.logical_or, "or")
logical_xor = _logical("logical_xor", lambda a, b: ne(a, b), np.logical_xor, "xor")
logical_not = unary("logical_not", kind=COMPOSITE, promotion=P.BOOL_COMPUTE,
                    dtypes=D.ALL_AND_COMPLEX, vjp=None, differentiable=False,
                    decomp=lambda x: eq(x, False),
                    ref=np.logical_not, doc="Element-wise logical not (bool result).")


def _bitwise_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for s in S.binary(dt, rng):
        yield s
    yield S.SampleInput((S.Arg(S.make(rng, (3,), dt)), True if dt is D.bool else 5),
                        name="tensor-scalar")


def _bitwise(name: str, ref: Callable[..., Any], sym: str) -> OpDef:
    return binary(name, promotion=P.INTEGRAL, dtypes=(D.bool, *D.INTEGRAL), vjp=None,
                  ref=ref, samples=_bitwise_samples,
                  doc=f"Element-wise bitwise ``input {sym} other`` of integer or bool tensors "
                      "(logical for bool).")


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "&")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "|")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "^")


def _bitwise_not(x: Tensor) -> Tensor:
    ones = True if x.dtype is D.bool else (255 if x.dtype is D.uint8 else -1)
    return bitwise_xor(x, ones)


bitwise_not = unary("bitwise_not", kind=COMPOSITE, promotion=P.INTEGRAL,
                    dtypes=(D.bool, *D.INTEGRAL), vjp=None, differentiable=False,
                    decomp=_bitwise_not, ref=np.invert,
                    doc="Element-wise bitwise not (``~``); logical not for a bool tensor.")


def _tensors(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as tensors: a number becomes a 0-d tensor of the other's dtype."""
    t = a if _is_t(a) else b
    return a if _is_t(a) else scalar_tensor(a, t.device, t.dtype), \
        b if _is_t(b) else scalar_tensor(b, t.device, t.dtype)


def _angle(x: Tensor) -> Tensor:
    return where(isnan(x), x, where(lt(x, 0), math.pi, zeros_like(x)))


angle = unary("angle", kind=COMPOSITE, dtypes=NUMERIC, decomp=_angle,
              vjp=lambda g, out, x: (zeros_like(g),),
              ref=lambda x: np.angle(x.astype(np.float64)).astype(
                  x.dtype if x.dtype.kind == "f" else np.float32),
              complex_form="complex_angle",
              doc="Element-wise argument: of a real number pi below zero, else 0 (nan stays "
                  "nan; its gradient is zero, as PyTorch's for real inputs); of a complex "
                  "number atan2(imag, real).")


def _gcd(a: Any, b: Any) -> Tensor:
    # Euclid's algorithm on the whole tensor, one step per round until every pair is done:
    # at most ~1.44 log2(max) rounds (92 for int64), each a few elementwise ops.
    a, b = _tensors(a, b)
    a, b = abs(a), abs(b)  # abs wraps at the minimum integer, as PyTorch's and NumPy's gcd
    while True:
        live = ne(b, 0)
        if not live.any():
            return a
        # fmod (C's %), as PyTorch's loop: a wrapped minimum keeps PyTorch's sign
        a, b = where(live, b, a), where(live, fmod(a, where(live, b, 1)), 0)


def _lcm(a: Any, b: Any) -> Tensor:
    a, b = _tensors(a, b)
    g = _gcd(a, b)
    # |a / g| * |b| wraps as PyTorch's abs(a / g * b), computed in int, then narrowed
    return where(eq(g, 0), 0, abs(floor_divide(a, where(eq(g, 0), 1, g))) * abs(b))


def _integer_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from S.binary(dt, rng)
    # lcm's product stays in range (past it PyTorch and NumPy wrap differently)
    top = {D.uint8: 15, D.int8: 11, D.int16: 181}.get(dt, 10**4)
    yield S.SampleInput((S.Arg(S.make(rng, (5, 4), dt, 0, top)),
                         S.Arg(S.make(rng, (4,), dt, 0, top))), name="large-broadcast")


gcd = binary("gcd", kind=COMPOSITE, promotion=P.INTEGRAL, dtypes=D.INTEGRAL, vjp=None,
             differentiable=False, decomp=_gcd, ref=np.gcd, samples=_integer_samples,
             doc="Element-wise greatest common divisor of integer tensors (``gcd(0, 0) = 0``).")
lcm = binary("lcm", kind=COMPOSITE, promotion=P.INTEGRAL, dtypes=D.INTEGRAL, vjp=None,
             differentiable=False, decomp=_lcm, ref=np.lcm, samples=_integer_samples,
             doc="Element-wise least common multiple of integer tensors (0 if either is 0).")


def _shift_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for s in S.binary(dt, rng, 0, 3):
        yield s
    yield S.SampleInput((S.Arg(S.make(rng, (3,), dt, 0, 3)), 2), name="tensor-scalar")


def _shift(name: str, ref: Callable[..., Any], sym: str) -> OpDef:
    return binary(name, promotion=P.INTEGRAL, dtypes=D.INTEGRAL, vjp=None, ref=ref,
                  samples=_shift_samples,
                  doc=f"Element-wise ``input {sym} other`` of integer tensors (shifting out "
                      "every bit gives 0, or -1 for a negative right shift).")


bitwise_left_shift = _shift("bitwise_left_shift", np.left_shift, "<<")
bitwise_right_shift = _shift("bitwise_right_shift", np.right_shift, ">>")

__all__ = [
    "cast", "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "abs", "sign", "sqrt",
    "sin", "cos", "atan2", "arctan2", "erf", "floor", "ceil", "trunc", "fix", "round", "frac",
    "floor_divide", "fmod", "remainder", "eq", "ne", "lt", "le", "gt", "ge", "where",
    "maximum", "minimum", "clamp", "clamp_min", "clamp_max", "clip", "clip_", "log1p", "expm1",
    "log2", "log10", "rsqrt", "reciprocal", "square", "tan", "asin", "acos", "atan", "arcsin",
    "arccos", "arctan", "sigmoid", "tanh", "relu", "silu", "gelu", "lerp", "isnan", "isinf",
    "isfinite", "nan_to_num", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "unary", "binary", "true_divide", "divide", "multiply", "subtract",
    "negative", "absolute", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "addcmul", "addcdiv", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "exp2", "logaddexp", "logaddexp2", "hypot", "xlogy", "deg2rad", "rad2deg",
    "isclose", "signbit", "copysign", "fmax", "fmin", "heaviside", "sinc", "float_power",
    "sgn", "logit", "positive", "rsub", "isposinf", "isneginf", "isreal", "ldexp", "gcd", "lcm",
    "angle"]
