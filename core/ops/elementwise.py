"""Elementwise ops: one declaration each, with derivative, promotion kind and reference.

Primitives are the math a backend must provide; composites (sigmoid, tanh,
gelu...) are written in primitives, and a backend may still register a
kernel for them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, Kind, OpDef, defop
from ._rules import Promotion

P = Promotion
NUMERIC = tuple(d for d in D.ALL if d is not D.bool)


def _is_t(x: Any) -> bool:
    return isinstance(x, Tensor)


def unary(name: str, *, vjp: Callable[..., Any] | None, ref: Callable[..., Any],
          promotion: Promotion = P.INT_TO_FLOAT, dtypes: tuple[D.dtype, ...] = D.FLOATING,
          kind: Kind = PRIMITIVE, decomp: Callable[..., Any] | None = None,
          save_out: bool = False, low: float = -3.0, high: float = 3.0, doc: str = "",
          **fields: Any) -> OpDef:
    """Declare a one-input elementwise op ``name(input)``."""

    def api(input: Tensor) -> Any:  # noqa: A002 - PyTorch's argument name
        return op.bind(input)

    api.__name__ = api.__qualname__ = name
    api.__doc__ = doc
    fields.setdefault("samples", lambda dt, rng: S.unary(dt, rng, low, high))
    op = defop(kind, name=name, promotion=promotion, vjp=vjp, ref=ref, dtypes=dtypes,
               decomp=decomp, save_out=save_out, save_inputs=not save_out, broadcasts=True,
               differentiable=vjp is not None or kind is COMPOSITE, doc=doc, **fields)(api)
    return op


def binary(name: str, *, vjp: Callable[..., Any] | None, ref: Callable[..., Any],
           promotion: Promotion = P.DEFAULT, dtypes: tuple[D.dtype, ...] = NUMERIC,
           kind: Kind = PRIMITIVE, decomp: Callable[..., Any] | None = None,
           save_inputs: bool = True, low: float = -3.0, high: float = 3.0, doc: str = "",
           **fields: Any) -> OpDef:
    """Declare a two-input broadcasting elementwise op ``name(input, other)``."""

    def api(input: Any, other: Any) -> Any:  # noqa: A002
        return op.bind(input, other)

    api.__name__ = api.__qualname__ = name
    api.__doc__ = doc
    fields.setdefault("samples", lambda dt, rng: S.binary(dt, rng, low, high))
    op = defop(kind, name=name, promotion=promotion, vjp=vjp, ref=ref, dtypes=dtypes,
               decomp=decomp, save_inputs=save_inputs, broadcasts=True,
               differentiable=vjp is not None or kind is COMPOSITE, doc=doc, **fields)(api)
    return op


# -- dtype conversion ---------------------------------------------------------------------------

def _cast_meta(x: Tensor, dtype: D.dtype) -> D.dtype:
    return dtype


@defop(PRIMITIVE, meta=_cast_meta, save_inputs=False, method=False, function=False,
       vjp=lambda g, out, x, dtype: (g,), ref=lambda x, dtype: x.astype(dtype.np),
       dtypes=D.ALL, samples=lambda dt, rng: (
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)),), {"dtype": t}, name=t.name)
           for t in D.ALL))
def cast(x: Tensor, dtype: D.dtype) -> Tensor:
    """Convert ``x`` to ``dtype`` (what `Tensor.to(dtype)` runs). The gradient is cast back
    by the engine.
    """
    return cast.bind(x, dtype=D.to_dtype(dtype))


# -- arithmetic -----------------------------------------------------------------------------

def _binary_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    return S.binary(dt, rng)


@defop(PRIMITIVE, promotion=P.DEFAULT, broadcasts=True, save_inputs=False, dtypes=D.ALL,
       vjp=lambda g, out, a, b: (g, g), ref=np.add, samples=_binary_samples)
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input + alpha * other``, with broadcasting and type promotion.

    Example:
        >>> import tensorweave as tw
        >>> tw.add(tw.tensor([1, 2]), 1, alpha=2)
        tensor([3, 4])
    """
    return add.bind(input, other if alpha == 1 else mul(other, alpha))


@defop(PRIMITIVE, promotion=P.DEFAULT, broadcasts=True, save_inputs=False, dtypes=NUMERIC,
       vjp=lambda g, out, a, b: (g, -g), ref=np.subtract, samples=_binary_samples)
def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input - alpha * other``, with broadcasting and type promotion.

    Raises:
        TypeError: for two bool tensors (use ``logical_xor``), as in PyTorch.
    """
    if getattr(input, "dtype", None) is D.bool and getattr(other, "dtype", None) is D.bool:
        raise TypeError("sub: subtraction with two bool tensors is not supported; use "
                        "logical_xor() or the ^ operator instead")
    return sub.bind(input, other if alpha == 1 else mul(other, alpha))


mul = binary("mul", vjp=lambda g, out, a, b: (g * b, g * a), ref=np.multiply, dtypes=D.ALL,
             doc="Element-wise ``input * other``.")


def _div_ref(a: Any, b: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


div = binary("div", promotion=P.INT_TO_FLOAT, ref=_div_ref, low=0.5, high=3.0,
             vjp=lambda g, out, a, b: (g / b, -g * a / (b * b)),
             doc="Element-wise true division ``input / other`` (integers give floats).")
neg = unary("neg", promotion=P.KEEP, vjp=lambda g, out, x: (-g,), ref=np.negative,
            dtypes=NUMERIC, doc="Element-wise ``-input``.")


def _pow_vjp(g: Tensor, out: Tensor, a: Any, b: Any) -> tuple[Any, Any]:
    ga = g * b * a ** (b - 1) if _is_t(a) else None
    gb = None
    if _is_t(b):
        # d(a**b)/db = a**b * log(a); 0 where a == 0 (PyTorch's convention).
        la = where(eq(a, 0), 0.0, log(where(eq(a, 0), 1.0, a)))
        gb = g * out * la
    return ga, gb


pow = binary("pow", vjp=_pow_vjp, ref=np.power, low=0.5, high=2.0,  # noqa: A001 - torch.pow
             dtypes=D.FLOATING, save_out=True, doc="Element-wise ``input ** exponent``.")


def exp_vjp(g: Tensor, out: Tensor, x: Any) -> tuple[Tensor]:
    return (g * out,)


exp = unary("exp", vjp=exp_vjp, ref=np.exp, save_out=True, doc="Element-wise e**input.")
log = unary("log", vjp=lambda g, out, x: (g / x,), ref=np.log, low=0.1, high=5.0,
            doc="Element-wise natural logarithm.")

# -- comparisons and selection ---------------------------------------------------------------


def _cmp(name: str, ref: Callable[..., Any], sym: str) -> OpDef:
    return binary(name, promotion=P.ALWAYS_BOOL, vjp=None, ref=ref, dtypes=D.ALL,
                  doc=f"Element-wise ``input {sym} other`` as a bool tensor.")


eq = _cmp("eq", np.equal, "==")
ne = _cmp("ne", np.not_equal, "!=")
lt = _cmp("lt", np.less, "<")
le = _cmp("le", np.less_equal, "<=")
gt = _cmp("gt", np.greater, ">")
ge = _cmp("ge", np.greater_equal, ">=")


def _where_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    for sc, sa, sb in [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (), ())]:
        yield S.SampleInput((S.Arg(S.make(rng, sc, D.bool), differentiable=False),
                             S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sc}x{sa}x{sb}")


def _where_meta_dtypes(cond: Any, a: Any, b: Any) -> None:
    if getattr(cond, "dtype", D.bool) is not D.bool:
        raise TypeError(f"where: condition must be a bool tensor; got {cond.dtype!r}")


@defop(PRIMITIVE, promotion=None, broadcasts=True, dtypes=D.ALL, samples=_where_samples,
       ref=lambda c, a, b: np.where(c, a, b),
       vjp=lambda g, out, c, a, b: (None, where(c, g, 0.0), where(c, 0.0, g)))
def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elements of ``input`` where ``condition`` is True, else of ``other`` (broadcasting).

    Raises:
        TypeError: if ``condition`` is not a bool tensor.
    """
    _where_meta_dtypes(condition, input, other)
    if not _is_t(input) and not _is_t(other):
        from .creation import scalar_tensor

        input = scalar_tensor(input, condition.device)
    return where.bind(condition, *_promote_pair("where", input, other))


def _promote_pair(name: str, a: Any, b: Any) -> tuple[Any, Any]:
    """Cast tensor operands to their common dtype (for ops whose first input is not data)."""
    dt = D.result_type(a, b)
    return (a.to(dt) if _is_t(a) else a), (b.to(dt) if _is_t(b) else b)


maximum = binary("maximum", ref=np.maximum, dtypes=D.ALL,
                 vjp=lambda g, out, a, b: (where(ge(a, b), g, 0.0) if _is_t(a) else None,
                                           where(lt(a, b), g, 0.0) if _is_t(b) else None),
                 doc="Element-wise maximum (the gradient goes to ``input`` on ties).")
minimum = binary("minimum", ref=np.minimum, dtypes=D.ALL,
                 vjp=lambda g, out, a, b: (where(le(a, b), g, 0.0) if _is_t(a) else None,
                                           where(gt(a, b), g, 0.0) if _is_t(b) else None),
                 doc="Element-wise minimum (the gradient goes to ``input`` on ties).")

# -- composites ------------------------------------------------------------------------------


def _sigmoid(x: Tensor) -> Tensor:
    return 1.0 / (1.0 + exp(-x))


sigmoid = unary("sigmoid", kind=COMPOSITE, decomp=_sigmoid, save_out=True,
                vjp=lambda g, out, x: (g * out * (1.0 - out),),
                ref=lambda x: 1.0 / (1.0 + np.exp(-x)), doc="Element-wise logistic function.")

__all__ = ["cast", "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "eq", "ne", "lt",
           "le", "gt", "ge", "where", "maximum", "minimum", "sigmoid", "unary", "binary"]
