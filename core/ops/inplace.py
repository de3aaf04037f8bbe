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
from ..autograd.engine import Node, edge_of
from ..tensor import Tensor
from ._opdef import PRIMITIVE, defop

__all__ = ["assign", "commit", "inplace_method", "CopySlices"]


@defop(PRIMITIVE, method=False, function=False, differentiable=False, dtypes=D.ALL)
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


def commit(self: Tensor, out: Tensor, name: str) -> Tensor:
    """Write the out-of-place result ``out`` into ``self`` as in-place op ``name``."""
    if out._dtype is not self._dtype:
        if not D.can_cast(out._dtype, self._dtype):
            raise RuntimeError(f"{name}: result type {out._dtype.name.capitalize()} can't be cast "
                               f"to the desired output type {self._dtype.name.capitalize()}")
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


def inplace_method(op: Any) -> Callable[..., Tensor]:
    """``Tensor.<op>_``: run ``op`` with ``self`` first, then `commit` the result."""
    name = op.name + "_"

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return commit(self, op(self, *args, **kwargs), name)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{op.name}`."
    return method
