"""In-place ops: compute out of place, then write into the tensor's storage.

Every ``x.op_(...)`` runs ``op`` normally and `commit`s the result into
``x``: the dtype/shape checks, the version bump, and autograd's rebasing
(``x`` takes the new node as its grad_fn; a view's base gets a
`CopySlices` node so gradients flow through the written region). One
mechanism serves ``add_``, ``copy_``, ``x[i] = v`` and every other in-place
op, on every backend, with the backend providing just the ``assign`` kernel.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import dtypes as D
from ..autograd import grad_mode
from ..autograd.engine import Node, accumulator, edge_of, keep_original
from ..tensor import Tensor
from . import elementwise as _elementwise
from . import movement as _movement
from ._opdef import PRIMITIVE, OpDef, defop

# Only the op: `tensorweave` exports every name in an op module's __all__, and the helpers
# here (commit, inplace_method...) are core's machinery, imported by name where used.
__all__ = ["assign"]


@defop(PRIMITIVE, method=False, function=False, differentiable=False, bfloat16_native=True,
       dtypes=D.ALL_AND_COMPLEX)
def assign(dst: Tensor, src: Tensor) -> Tensor:
    """Write ``src`` (same shape, dtype and device) into ``dst``'s storage; returns ``dst``.

    The kernel mutates its first argument. Not differentiable: `commit` records autograd.
    """
    return assign.bind(dst, src)


class CopySlices(Node):
    """The new grad_fn of a base whose view was written in place.

    The gradient of the base flows to the base's old history except in the written
    region, whose gradient flows to the node that produced the written values.
    """

    __slots__ = ("view_fn",)

    def __init__(self, base_edge: Any, view_edge: Any, view_fn: Callable[[Tensor], Tensor]):
        super().__init__((base_edge, view_edge))
        self.view_fn = view_fn

    def apply(self, grads: list[Any]) -> Sequence[Any]:
        g = grads[0].clone()
        region = self.view_fn(g)
        gv = region.clone()
        with grad_mode.no_grad():
            assign.bind(region, gv.new_zeros(gv.shape))
        return g, gv


# PyTorch's scalar-type names, used in its cast error messages.
_TORCH_NAME = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
               "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def commit(self: Tensor, out: Tensor, name: str) -> Tensor:
    """Write the out-of-place result ``out`` into ``self`` as in-place op ``name``."""
    if out._dtype is not self._dtype:
        if not D.can_cast(out._dtype, self._dtype):
            raise RuntimeError(f"{name}: result type {_TORCH_NAME[out._dtype.name]} can't be cast "
                               f"to the desired output type {_TORCH_NAME[self._dtype.name]}")
        out = out.to(self._dtype)
    if out.shape != self.shape:
        raise RuntimeError(f"{name}: output with shape {list(self.shape)} doesn't match the "
                           f"broadcast shape {list(out.shape)}")
    recording = grad_mode.state.enabled and out._requires_grad
    if grad_mode.state.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                           "in-place operation. Wrap it in tensorweave.no_grad() or use the "
                           "out-of-place form.")
    base = self._base
    if recording and base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being used "
                           "in an in-place operation.")
    if recording:
        keep_original(out._grad_fn, self)  # the node may have saved self: keep its old value
    with grad_mode.no_grad():
        assign.bind(self, out)
    self._bump_version()
    if recording:
        if base is not None and self._view_fn is not None:
            node = CopySlices(edge_of(base), edge_of(out), self._view_fn)
            base._grad_fn = node
            base._output_nr = 0
            base._requires_grad = True
        self._grad_fn = out._grad_fn
        self._output_nr = out._output_nr
        self._requires_grad = True
    return self


def unversioned(x: Tensor) -> Tensor:
    """An alias of ``x`` (same storage, same place in the autograd graph) with a version
    counter of its own.

    The engine saves all of an op's inputs or none. An op whose derivative never reads its
    first input's values (``index``, ``index_put``, ``scatter``, ``masked_fill``) takes this
    alias where ``x`` may be written later (``x[i] = v`` writes the result back into ``x``), so
    the write does not trip the saved-tensor version check, as in PyTorch where those
    backward nodes keep only ``x``'s shape.
    """
    a = Tensor._wrap(x._data, x._device, x._dtype)
    if x._requires_grad:
        a._requires_grad = True
        a._grad_fn, a._output_nr = x._grad_fn, x._output_nr
        if x._grad_fn is None:
            a._accumulator = accumulator(x)  # gradients still reach x.grad
    return a


def inplace_method(op: Any, *, name: str | None = None,
                   reads_self: bool = True) -> Callable[..., Tensor]:
    """``Tensor.<op>_``: run ``op`` with ``self`` first, then `commit` the result.

    Args:
        op: the out-of-place op (or public function).
        name: the method's name; ``op.name + "_"`` by default.
        reads_self: False when ``op``'s derivative never reads ``self``'s values: ``op`` then
            gets an `unversioned` alias, so the write does not invalidate its own backward.
    """
    name = name or op.name + "_"
    # A function over several ops (not one op) may save ``self`` in an inner node, which
    # `commit`'s `keep_original` cannot reach: while autograd records, it reads a copy.
    composite = not isinstance(op, OpDef)

    if reads_self:
        def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            recording = composite and self._requires_grad and grad_mode.state.enabled
            return commit(self, op(self.clone() if recording else self, *args, **kwargs), name)
    else:
        def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            return commit(self, op(unversioned(self), *args, **kwargs), name)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`."
    return method


def view_inplace_method(op: Any, name: str) -> Callable[..., Tensor]:
    """``Tensor.<name>`` for a view op (``unsqueeze_``, ``t_``...): ``self`` becomes the view
    ``op(self, ...)`` of its own storage, taking the view's shape and autograd node.

    No data is written, so the version counter stays; a leaf that requires grad is refused
    as by every in-place op.
    """
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if grad_mode.state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                               "in-place operation. Wrap it in tensorweave.no_grad() or use "
                               "the out-of-place form.")
        v = op(self, *args, **kwargs)
        self._data = v._data
        if v._grad_fn is not None:
            self._grad_fn, self._output_nr = v._grad_fn, v._output_nr
        if v._base is not self:  # self was a view: it stays one, of the same base
            self._base, self._view_fn = v._base, v._view_fn
        return self

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`: ``self`` becomes that view."
    return method


# -- copy_, fill_, zero_ --------------------------------------------------------------------------


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Write ``src`` into ``self``: broadcast to its shape, cast to its dtype, moved to its
    device. Differentiable in ``src``; returns ``self``.

    Raises:
        TypeError: if ``src`` is not a tensor.
        RuntimeError: if ``src`` does not broadcast to ``self``'s shape.
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    return commit(self, _movement.copy(self, src), "copy_")


def fill_(self: Tensor, value: Any) -> Tensor:
    """Set every element of ``self`` to ``value`` (a number or a 0-d tensor); returns ``self``.

    Raises:
        RuntimeError: for a value tensor with dimensions.
    """
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    return commit(self, _movement.copy(self, value), "fill_")


def zero_(self: Tensor) -> Tensor:
    """Set every element of ``self`` to zero; returns ``self``."""
    return commit(self, _movement.copy(self, 0), "zero_")


def float_power_(self: Tensor, exponent: Any) -> Tensor:
    """In-place `float_power`: the power is computed in double, so ``self`` must be float64
    (a narrower ``self`` would silently round the result, which PyTorch refuses too)."""
    if self._dtype is not D.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_TORCH_NAME[self._dtype.name]} but the operation's result requires "
                           "dtype Double")
    return commit(self, _elementwise.float_power(self, exponent), "float_power_")


# Tensor methods (not functions: PyTorch has no torch.copy_).
Tensor.copy_ = copy_  # type: ignore[attr-defined]
Tensor.fill_ = fill_  # type: ignore[attr-defined]
Tensor.zero_ = zero_  # type: ignore[attr-defined]
Tensor.float_power_ = float_power_  # type: ignore[attr-defined]
Tensor.div_ = inplace_method(_elementwise.div, name="div_")  # type: ignore[attr-defined]
Tensor.addcmul_ = inplace_method(_elementwise.addcmul, name="addcmul_")  # type: ignore[attr-defined]
Tensor.addcdiv_ = inplace_method(_elementwise.addcdiv, name="addcdiv_")  # type: ignore[attr-defined]
