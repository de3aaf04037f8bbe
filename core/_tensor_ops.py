"""Binds operators and op methods onto `Tensor` (run once when the ops are imported).

The operator table maps Python's protocol names to op names; each dunder
calls ``op.bind`` directly (the hot path: no argument normalization to do).
"""

from __future__ import annotations

from typing import Any, Callable

from .dispatch import apply
from .ops import inplace
from .ops._opdef import OpDef
from .tensor import Tensor

# dunder -> (op name, reflected?)
BINARY = {
    "__add__": ("add", False), "__radd__": ("add", True),
    "__sub__": ("sub", False), "__rsub__": ("sub", True),
    "__mul__": ("mul", False), "__rmul__": ("mul", True),
    "__truediv__": ("div", False), "__rtruediv__": ("div", True),
    "__floordiv__": ("floor_divide", False), "__rfloordiv__": ("floor_divide", True),
    "__mod__": ("remainder", False), "__rmod__": ("remainder", True),
    "__pow__": ("pow", False), "__rpow__": ("pow", True),
    "__and__": ("bitwise_and", False), "__rand__": ("bitwise_and", True),
    "__or__": ("bitwise_or", False), "__ror__": ("bitwise_or", True),
    "__xor__": ("bitwise_xor", False), "__rxor__": ("bitwise_xor", True),
    "__lshift__": ("bitwise_left_shift", False), "__rshift__": ("bitwise_right_shift", False),
    "__eq__": ("eq", False), "__ne__": ("ne", False), "__lt__": ("lt", False),
    "__le__": ("le", False), "__gt__": ("gt", False), "__ge__": ("ge", False),
}
# (``__abs__`` is abs's public function, which knows complex tensors: ops/complex_numbers.py)
UNARY = {"__neg__": "neg", "__invert__": "bitwise_not"}
INPLACE = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
           "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_",
           "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_"}

# Functions whose PyTorch method has an in-place form that elementwise promotion does not
# give (`install` wraps them with `inplace.inplace_method`), and view ops whose in-place form
# makes ``self`` the view (`inplace.view_inplace_method`).
INPLACE_FUNCTIONS = ("cumsum", "cumprod", "tril", "triu", "addmm", "addmv", "addbmm", "baddbmm",
                     "addr", "renorm", "logit", "ldexp", "mvlgamma")
INPLACE_VIEWS = ("squeeze", "unsqueeze", "t", "transpose", "as_strided")


def _binary(op: OpDef, reflected: bool) -> Callable[[Tensor, Any], Any]:
    if reflected:
        def method(self: Tensor, other: Any) -> Any:
            if isinstance(other, _np.generic):
                other = other.item()
            return apply(op, (other, self), {})
    else:
        def method(self: Tensor, other: Any) -> Any:
            if other.__class__ not in _OPERANDS:
                if isinstance(other, _np.generic):
                    other = other.item()  # NumPy scalars promote like Python numbers
                elif not isinstance(other, Tensor):
                    return NotImplemented
            return apply(op, (self, other), {})
    return method


def _unary(op: OpDef) -> Callable[[Tensor], Any]:
    def method(self: Tensor) -> Any:
        return apply(op, (self,), {})
    return method


def install(ops: dict[str, OpDef], functions: dict[str, Callable[..., Any]]) -> None:
    """Attach operators, op methods and in-place variants to `Tensor`."""
    for dunder, (name, reflected) in BINARY.items():
        if name in ops:
            setattr(Tensor, dunder, _binary(ops[name], reflected))
    for dunder, name in UNARY.items():
        if name in ops:
            setattr(Tensor, dunder, _unary(ops[name]))
    Tensor.__pos__ = lambda self: self  # type: ignore[method-assign]
    for op in ops.values():
        if op.method and op.name not in Tensor.__dict__:
            setattr(Tensor, op.name, op)
        if op.promotion is not None and op.name + "_" not in Tensor.__dict__:
            setattr(Tensor, op.name + "_", inplace.inplace_method(op))
    for name, fn in functions.items():
        is_method = fn.method if isinstance(fn, OpDef) else getattr(fn, "_tw_method", False)
        if is_method and name not in Tensor.__dict__:
            setattr(Tensor, name, fn)  # helpers, and aliases (x.multiply is x.mul)
    for name in INPLACE_FUNCTIONS:
        if name + "_" not in Tensor.__dict__:
            setattr(Tensor, name + "_", inplace.inplace_method(functions[name], name=name + "_"))
    for name in INPLACE_VIEWS:
        setattr(Tensor, name + "_", inplace.view_inplace_method(functions[name], name + "_"))
    for name, fn in functions.items():  # an alias's in-place form is its target's
        target = (fn.name if isinstance(fn, OpDef) else getattr(fn, "__name__", name)) + "_"
        if (name + "_" != target and name in Tensor.__dict__ and target in Tensor.__dict__
                and name + "_" not in Tensor.__dict__):
            setattr(Tensor, name + "_", Tensor.__dict__[target])
    for dunder, name in INPLACE.items():
        if hasattr(Tensor, name):
            setattr(Tensor, dunder, getattr(Tensor, name))
    Tensor.__matmul__ = lambda self, o: ops["matmul"](self, o)  # type: ignore[method-assign]
    Tensor.__rmatmul__ = lambda self, o: ops["matmul"](o, self)  # type: ignore[method-assign]


import numpy as _np  # noqa: E402

_OPERANDS = (Tensor, int, float, bool, complex)
