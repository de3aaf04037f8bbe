"""Elementwise kernels from an expression table, one strided template (`cl/elementwise.cl`).

Each entry says what an op computes on compute-typed values ``a``, ``b``, ``c``, per kind
of dtype (``f`` floating, ``i`` integer, ``b`` bool; a missing ``b`` uses ``i``, and ``""``
serves every kind). All ops of one input dtype share one program, so a process builds at
most one elementwise program per dtype. Python numbers become cached 0-d device arrays,
so every operand is an array and broadcasting is just a zero stride.
"""

from __future__ import annotations

from string import Template
from typing import Any, Callable

import numpy as np

from tensorweave.ops._rules import contiguous_strides

from . import cltypes as T
from .array import ClArray
from .runtime import CHUNK_LOCAL, Geometry, Runtime, source

__all__ = ["EXPRESSIONS", "KERNELS", "run", "unary", "binary", "cast_to", "scalar_array",
           "broadcast_strides", "broadcast_shape", "walks"]

EXPRESSIONS: dict[str, tuple[int, dict[str, str]]] = {
    "add": (2, {"": "a + b"}),
    "sub": (2, {"": "a - b"}),
    "mul": (2, {"": "a * b"}),
    "div": (2, {"f": "a / b"}),
    "neg": (1, {"": "-a"}),
    "abs": (1, {"f": "fabs(a)", "i": "(a < 0 ? -a : a)", "b": "a"}),
    "exp": (1, {"f": "exp(a)"}),
    "log": (1, {"f": "log(a)"}),
    "sqrt": (1, {"f": "sqrt(a)"}),
    "sin": (1, {"f": "sin(a)"}),
    "cos": (1, {"f": "cos(a)"}),
    "erf": (1, {"f": "erf(a)"}),
    "atan2": (2, {"f": "atan2(a, b)"}),
    "eq": (2, {"": "a == b"}),
    "ne": (2, {"": "a != b"}),
    "lt": (2, {"": "a < b"}),
    "le": (2, {"": "a <= b"}),
    "gt": (2, {"": "a > b"}),
    "ge": (2, {"": "a >= b"}),
    # NaN wins, as in PyTorch; ties return the first operand.
    "maximum": (2, {"f": "(a != a || a > b) ? a : ((b != b || b > a) ? b : a)",
                    "i": "(a < b ? b : a)"}),
    "minimum": (2, {"f": "(a != a || a < b) ? a : ((b != b || b < a) ? b : a)",
                    "i": "(b < a ? b : a)"}),
    "pow": (2, {"f": "pow(a, b)", "i": "tw_ipow(a, b)"}),
    "sign": (1, {"f": "(C)((a > 0) - (a < 0))", "i": "(a > 0) - (a < 0)",  # nan gives 0
                 "b": "a"}),
    "floor": (1, {"f": "floor(a)", "i": "a"}),
    "ceil": (1, {"f": "ceil(a)", "i": "a"}),
    "trunc": (1, {"f": "trunc(a)", "i": "a"}),
    "round": (1, {"f": "rint(a)", "i": "a"}),  # rint rounds halves to even, like PyTorch
    "floor_divide": (2, {"f": "tw_floordiv(a, b)", "i": "tw_ifloordiv(a, b)"}),
    "fmod": (2, {"f": "fmod(a, b)", "i": "tw_ifmod(a, b)"}),
    "bitwise_and": (2, {"i": "a & b"}),
    "bitwise_or": (2, {"i": "a | b"}),
    "bitwise_xor": (2, {"i": "a ^ b"}),
    # Shifting out every bit gives 0 (or -1 for a negative value shifted right), as NumPy.
    "bitwise_left_shift": (2, {"i": "(b < 0 || b >= BITS) ? 0 : ((long)a << b)"}),
    "bitwise_right_shift": (2, {"i": "(b < 0 || b >= BITS) ? (a < 0 ? -1 : 0) : (a >> b)"}),
}
BOOL_OUT = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
_KIND_DEFAULT = {"b": "i"}
_TEMPLATE: list[Template] = []


def _kind(t: str) -> str:
    return "f" if T.is_float(t) else ("b" if t == "b8" else "i")


def _expr(op: str, t: str) -> str | None:
    exprs = EXPRESSIONS[op][1]
    k = _kind(t)
    return exprs.get(k) or exprs.get(_KIND_DEFAULT.get(k, "")) or exprs.get("")


def _instance(name: str, in_tags: list[str], out_tag: str, expr: str, vtype: str,
              vtag: str) -> str:
    """One kernel: load the inputs as a, b, c, compute ``expr`` as ``vtype``, convert."""
    if not _TEMPLATE:
        _TEMPLATE.append(Template(source("elementwise.cl")))
    names = "abc"
    params = "".join(f"__global const {T.STORAGE[t]} *in{k}, " for k, t in enumerate(in_tags))
    loads = " ".join(f"{T.COMPUTE[t]} {names[k]} = "
                     f"{T.load(t, f'in{k}', f'o[{k + 1}] + j * s[{k + 1}]')};"
                     for k, t in enumerate(in_tags))
    loads += f" {vtype} v = {expr};"
    return _TEMPLATE[0].substitute(
        name=name, out_t=T.STORAGE[out_tag], params=params, nops=len(in_tags) + 1, loads=loads,
        store=T.store(out_tag, "out", "o[0] + j * s[0]", T.convert(vtag, out_tag, "v")))


def _program(rt: Runtime, t: str) -> str:
    """Every elementwise kernel whose (first data) input has dtype tag ``t``."""
    c = T.COMPUTE[t]
    bits = 8 * np.dtype({v: k for k, v in T.TAGS.items()}[t]).itemsize
    parts = [source("common.cl"), f"#define C {c}", f"#define BITS {bits}"]
    for op, (nin, _) in EXPRESSIONS.items():
        expr = _expr(op, t)
        if expr is None:
            continue
        out = "b8" if op in BOOL_OUT else t
        vtype = "int" if op in BOOL_OUT else ("long" if _kind(t) != "f" else c)
        parts.append(_instance(f"{op}_{t}", [t] * nin, out, expr, vtype, t if out == t
                               else "i64"))
    parts.append(_instance(f"where_{t}", ["b8", t, t], t, "a ? b : c", c, t))
    for u in T.STORAGE:
        if u == "f64" and not rt.fp64:
            continue
        parts.append(_instance(f"cast_{t}_{u}", [t], u, "a", c, t))
    return "\n".join(parts)


def broadcast_shape(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for i, n in enumerate(s, nd - len(s)):
            if n != 1:
                if out[i] not in (1, n):
                    raise ValueError(f"shapes {' and '.join(map(str, shapes))} cannot be "
                                     "broadcast together")
                out[i] = n
    return tuple(out)


def broadcast_strides(x: ClArray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``x``'s strides read as if broadcast to ``shape`` (zero along repeated dims)."""
    lead = len(shape) - x.ndim
    return (0,) * lead + tuple(0 if n == 1 and m != 1 else s for n, m, s in
                               zip(x.shape, shape[lead:], x.elem_strides))


def walks(rt: Runtime, out: ClArray, inputs: list[ClArray]) -> list[tuple[tuple[int], Any]]:
    """``[(global size, uploaded geometry)]`` of the walk writing ``out`` from ``inputs``.

    Training loops repeat the same geometries, so walks are cached by operand layout."""
    key = (out.shape, out.elem_strides, out.offset,
           *[(x.shape, x.elem_strides, x.offset) for x in inputs])
    cached = rt.walks.get(key)
    if cached is None:
        if len(rt.walks) > 8192:
            rt.walks.clear()
        shape = out.shape
        strides = [out.elem_strides] + [broadcast_strides(x, shape) for x in inputs]
        offsets = [out.offset] + [x.offset for x in inputs]
        cached = rt.walks[key] = [(rt.chunk_size(n), rt.geometry(g))
                                  for n, g in Geometry.walks(shape, strides, offsets)]
    return cached


def run(rt: Runtime, kernel_name: str, prog_tag: str, inputs: list[ClArray],
        out: ClArray) -> ClArray:
    """Launch elementwise kernel ``kernel_name`` writing ``out`` (any strides)."""
    if out.size == 0:
        return out
    k = rt.kernel(("ew", prog_tag), kernel_name, lambda: _program(rt, prog_tag))
    bufs = [x.buffer for x in inputs]
    for size, g in walks(rt, out, inputs):
        k(rt.queue, size, CHUNK_LOCAL, out.buffer, *bufs, g)
    return out


def scalar_array(rt: Runtime, value: Any, dtype: np.dtype) -> ClArray:
    """A cached 0-d device array holding ``value`` converted to ``dtype`` (integers wrap,
    as PyTorch's scalar conversion does)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu" and isinstance(value, (int, np.integer)) and \
            not isinstance(value, bool):
        bits = 8 * dtype.itemsize
        host = np.array(int(value) % (1 << bits), dtype=f"u{dtype.itemsize}").view(dtype)
    else:
        with np.errstate(all="ignore"):
            host = np.array(value).astype(dtype)
    key = (dtype.str, host.tobytes())
    hit = rt.scalars.get(key)
    if hit is None:
        if len(rt.scalars) > 4096:
            rt.scalars.clear()
        hit = rt.scalars[key] = rt.constant(host.reshape(()))
    return hit


def _operands(args: tuple[Any, ...]) -> tuple[Runtime, np.dtype, list[ClArray]]:
    first = next(a for a in args if isinstance(a, ClArray))
    rt, dt = first.rt, first.dtype
    return rt, dt, [a if isinstance(a, ClArray) else scalar_array(rt, a, dt) for a in args]


def _plan(rt: Runtime, op: str, xs: list[ClArray]) -> tuple[Any, ...]:
    """What every call of ``op`` on operands laid out as ``xs`` repeats: the kernel, the
    output's shape, strides, dtype and size in bytes, and the walks."""
    dt = xs[0].dtype
    t = T.tag(dt)
    if _expr(op, t) is None:
        raise TypeError(f"{op} is not implemented for {dt} on opencl")
    shape = broadcast_shape([x.shape for x in xs])
    out_dt = np.dtype(np.bool_) if op in BOOL_OUT else dt
    rt.check_dtype(out_dt)
    # The output's layout, without a buffer: walks() reads only shape, strides and offset.
    layout = ClArray(rt, None, 0, shape, contiguous_strides(shape), out_dt)
    if layout.size == 0:
        return None, shape, layout.elem_strides, out_dt, 0, []
    k = rt.kernel(("ew", t), f"{op}_{t}", lambda: _program(rt, t))
    return (k, shape, layout.elem_strides, out_dt, layout.size * out_dt.itemsize,
            walks(rt, layout, xs))


def apply(op: str, args: tuple[Any, ...]) -> ClArray:
    """``op`` on ``args`` (arrays of one dtype, or Python numbers) into a new array.

    The hot path of every elementwise op, so all it does per call is one cache lookup,
    an allocation and the launch (see `_plan`)."""
    if type(args[0]) is ClArray and (len(args) == 1 or type(args[1]) is ClArray):
        xs = args
        rt = args[0].rt
    else:
        rt, _, xs = _operands(args)
    key = (op, *[(x.dtype, x.shape, x.elem_strides, x.offset) for x in xs])
    plan = rt.plans.get(key)
    if plan is None:
        if len(rt.plans) > 8192:
            rt.plans.clear()
        plan = rt.plans[key] = _plan(rt, op, list(xs))
    k, shape, strides, dtype, nbytes, walks = plan
    out = ClArray(rt, rt.alloc(nbytes), 0, shape, strides, dtype)
    buf = out.buffer
    for size, g in walks:
        k(rt.queue, size, CHUNK_LOCAL, buf, *[x.buffer for x in xs], g)
    return out


def cast_to(x: ClArray, dtype: np.dtype, shape: tuple[int, ...] | None = None,
            out: ClArray | None = None) -> ClArray:
    """``x`` converted to ``dtype`` (broadcast to ``shape``), into ``out`` or a new array."""
    dtype = np.dtype(dtype)
    rt = x.rt
    rt.check_dtype(dtype)
    if out is None:
        out = rt.empty(x.shape if shape is None else shape, dtype)
    t = T.tag(x.dtype)
    return run(rt, f"cast_{t}_{T.tag(out.dtype)}", t, [x], out)


def unary(op: str) -> Callable[..., ClArray]:
    def kernel(x: ClArray) -> ClArray:
        return apply(op, (x,))
    kernel.__name__ = op
    return kernel


def binary(op: str) -> Callable[..., ClArray]:
    def kernel(a: Any, b: Any) -> ClArray:
        return apply(op, (a, b))
    kernel.__name__ = op
    return kernel


def _any_zero(b: Any) -> bool:
    if not isinstance(b, ClArray):
        return b == 0
    from .reduction import reduce_all_flag

    return reduce_all_flag(apply("eq", (b, 0)))


def _division(op: str) -> Callable[..., ClArray]:
    def kernel(a: Any, b: Any) -> ClArray:
        dt = next(x.dtype for x in (a, b) if isinstance(x, ClArray))
        if dt.kind in "iub" and _any_zero(b):
            raise RuntimeError(f"ZeroDivisionError: integer division by zero in {op}. Check "
                               "the divisor for zeros, or convert to a float dtype (x/0 gives "
                               "inf or nan).")
        return apply(op, (a, b))
    kernel.__name__ = op
    return kernel


def _shift(op: str) -> Callable[..., ClArray]:
    def kernel(a: Any, b: Any) -> ClArray:
        if any(isinstance(x, ClArray) and x.dtype == np.bool_ for x in (a, b)):
            raise TypeError("bitwise shifts are not implemented for bool tensors; convert "
                            "with .to(tensorweave.uint8) or another integer dtype first")
        return apply(op, (a, b))
    kernel.__name__ = op
    return kernel


def where(cond: ClArray, a: Any, b: Any) -> ClArray:
    data = next((x for x in (a, b) if isinstance(x, ClArray)), None)
    rt = cond.rt
    dt = data.dtype if data is not None else np.result_type(a, b)
    xs = [x if isinstance(x, ClArray) else scalar_array(rt, x, dt) for x in (a, b)]
    shape = broadcast_shape([cond.shape] + [x.shape for x in xs])
    t = T.tag(dt)
    return run(rt, f"where_{t}", t, [cond, *xs], rt.empty(shape, dt))


def round_(x: ClArray, decimals: int) -> ClArray:  # noqa: A001
    if x.dtype.kind != "f" or decimals == 0:
        return apply("round", (x,))
    # NumPy's way: scale, round halves to even, unscale.
    if decimals > 0:
        s = 10.0 ** decimals
        return apply("div", (apply("round", (apply("mul", (x, s)),)), s))
    s = 10.0 ** -decimals
    return apply("mul", (apply("round", (apply("div", (x, s)),)), s))


def cast(x: ClArray, dtype: Any) -> ClArray:
    return cast_to(x, dtype.np)


KERNELS: dict[str, Callable[..., Any]] = {}
for _op, (_nin, _) in EXPRESSIONS.items():
    KERNELS[_op] = unary(_op) if _nin == 1 else binary(_op)
for _op in ("floor_divide", "fmod"):
    KERNELS[_op] = _division(_op)
for _op in ("bitwise_left_shift", "bitwise_right_shift"):
    KERNELS[_op] = _shift(_op)
KERNELS.update({"where": where, "round": round_, "cast": cast})
del _op, _nin
