"""`OpDef`: the single declaration of an op.

An op is declared once with `defop` on its public function. The declaration
holds everything about the op: its kind (primitive or composite), its
output-dtype rule (``meta``), its derivative written with other ops
(``vjp``), its conformance entry (``samples``, ``dtypes``, NumPy ``ref``,
tolerances) and its docs. Backends attach kernels by name at load time; the
op never names a backend.

Two levels of call:

* ``op(...)`` -- the public function as users call it (``tw.sum(x, dim=1)``):
  it normalizes arguments and calls ``op.bind``.
* ``op.bind(*inputs, **params)`` -- the dispatch entry: inputs are tensors (or
  Python scalars for elementwise ops), params are normalized, hashable values.
  A kernel receives ``(*native_inputs, **params)``; ``vjp`` receives
  ``(grad, out, *inputs, **params)``; a composite's ``decomp`` receives
  ``(*inputs, **params)`` as tensors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

__all__ = ["Kind", "OpDef", "defop", "Tol", "PRIMITIVE", "COMPOSITE", "method"]


class Kind(enum.Enum):
    PRIMITIVE = "primitive"  # every backend must provide a kernel
    COMPOSITE = "composite"  # decomposes into other ops; a backend may override it


PRIMITIVE, COMPOSITE = Kind.PRIMITIVE, Kind.COMPOSITE


@dataclass(frozen=True)
class Tol:
    """Absolute and relative tolerance of a conformance comparison for one dtype."""

    atol: float
    rtol: float


@dataclass(eq=False)
class OpDef:
    """Everything about one op. Created with `defop`; see the module docstring."""

    name: str
    kind: Kind
    api: Callable[..., Any]
    meta: Callable[..., Any] | None = None
    vjp: Callable[..., Any] | None = None
    decomp: Callable[..., Any] | None = None
    # Elementwise ops declare a type-promotion kind instead of a meta rule: the dispatcher
    # casts tensor inputs to the computation dtype (see _rules.Promotion).
    promotion: Any = None
    # Which of (inputs, out) the vjp reads: the rest are not kept alive nor version-checked.
    save_inputs: bool = True
    save_out: bool = False
    # Elementwise ops broadcast: the engine sums gradients back to each input's shape.
    broadcasts: bool = False
    # The output is a view of the first input (shares storage and version counter).
    view: bool = False
    # bfloat16 tensors reach the op's kernel as they are: it moves, converts or reinterprets
    # elements (casts, views, writes), mutates its arguments (adam_update) or makes values of
    # its dtype param itself (rand). Every other op computes bfloat16 in float32 and rounds
    # its results (dispatch._in_float32). Views are bfloat16-native.
    bfloat16_native: bool = False
    # PyTorch's cpu kernel of this elementwise op reads a number or 0-d operand of a
    # bfloat16 computation at full precision (mul, div, lerp); for the others every operand
    # takes bfloat16's precision first, as promotion makes it.
    bfloat16_full_scalars: bool = False
    # How many outputs bind() returns (sort returns values and indices).
    n_outputs: int = 1
    # Which outputs are differentiable (indices are not).
    differentiable: bool = True
    # The vjp is written for real numbers, and autograd evaluates it at the conjugates of
    # complex saved values (autograd.engine). False: it is written for complex ones.
    real_vjp: bool = True
    # Draws random numbers (takes a `generator` param): conformance checks its statistics,
    # range and reproducibility, and its `ref` returns a `conformance.runner.Dist`.
    random: bool = False
    # Conformance entry.
    samples: Callable[..., Any] | None = None
    ref: Callable[..., Any] | None = None
    dtypes: tuple[Any, ...] = ()
    grad_dtypes: tuple[Any, ...] | None = None
    gradgrad: bool = False
    tol: dict[Any, Tol] = field(default_factory=dict)
    # Public names: `tw.<name>`, and `Tensor.<name>` when method is True.
    method: bool = True
    function: bool = True
    doc: str = ""
    # Filled by the registry at load time: {device type: kernel}.
    kernels: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # The dispatcher's memo of elementwise promotion for inputs sharing one dtype.
    promotion_cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    # Whether complex inputs may reach the op: it lists a complex dtype (the dispatcher
    # refuses them otherwise, see dispatch._check_opt_in).
    complex: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.complex = any(getattr(d, "is_complex", False) for d in self.dtypes)
        self.bfloat16_native = self.bfloat16_native or self.view
        self.__doc__ = self.api.__doc__
        self.__name__ = self.name
        self.__qualname__ = self.name
        self.__wrapped__ = self.api

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.api(*args, **kwargs)

    def bind(self, *inputs: Any, **params: Any) -> Any:
        """Dispatch to a kernel (or the decomposition) and record autograd; see module doc."""
        return _dispatch.apply(self, inputs, params)

    def __repr__(self) -> str:
        return f"<op {self.name} ({self.kind.value})>"

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        # Bound as a Tensor method: `x.sum(1)` calls the public function with x first.
        if obj is None:
            return self
        return self.api.__get__(obj, objtype)


def defop(
    kind: Kind = PRIMITIVE, *, name: str | None = None, **fields: Any
) -> Callable[[Callable[..., Any]], OpDef]:
    """Declare the decorated public function as an op; see the module docstring.

    Example::

        @defop(PRIMITIVE, meta=same_dtype, vjp=lambda g, out, x: (g * out,), save_out=True,
               ref=np.exp, samples=unary_samples, dtypes=FLOATING)
        def exp(x):
            "Element-wise e**x."
            return exp.bind(x)
    """

    def wrap(fn: Callable[..., Any]) -> OpDef:
        op = OpDef(name=name or fn.__name__, kind=kind, api=fn, **fields)
        if kind is COMPOSITE and op.decomp is None:
            raise TypeError(f"defop: composite op {op.name!r} needs decomp=")
        return op

    return wrap


F = TypeVar("F", bound=Callable[..., Any])


def method(fn: F) -> F:
    """Mark a public helper function (not an op of its own) as a `Tensor` method too.

    ``reshape``, ``transpose``... are written over ops; marking them here makes
    ``x.reshape(...)`` exist without listing it anywhere else.
    """
    fn._tw_method = True  # type: ignore[attr-defined]
    return fn


from .. import dispatch as _dispatch  # noqa: E402 - dispatch imports this module's types
