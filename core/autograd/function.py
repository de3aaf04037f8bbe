"""Custom differentiable functions: `Function` and its ``ctx``, like `torch.autograd.Function`.

A subclass writes ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, *grads)`` as
static methods and is called through ``MyFn.apply(...)``. The ``ctx`` is the graph node
itself (an instance of the generated class ``MyFnBackward``), exactly as in PyTorch, so
``y.grad_fn`` names the function and hooks, ``retain_graph`` and ``create_graph`` work
the same for custom functions as for built-in ops.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

from . import anomaly_mode, grad_mode
from .engine import _FREED_MSG, Node, SavedTensor, TensorMeta, _conform, edge_of

__all__ = ["Function", "FunctionCtx", "BackwardFunction", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` and ``backward`` receive as ``ctx``.

    Any attribute may be set on it to pass non-tensor state to ``backward``; tensors
    should go through `save_for_backward` so in-place changes are caught.
    """

    needs_input_grad: tuple[bool, ...] = ()
    _to_save: tuple[Any, ...] | None = None
    _saved: Any = None
    _dirty: frozenset[int] = frozenset()
    _non_differentiable: frozenset[int] = frozenset()
    _materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for ``backward``; read them back with `saved_tensors`.

        Raises:
            TypeError: if an argument is neither a tensor nor None.
        """
        from ..tensor import Tensor

        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}. Store non-tensors as ctx "
                                "attributes instead.")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to `save_for_backward`.

        Raises:
            RuntimeError: after a backward without ``retain_graph`` freed them, or if one of
                them was modified in place since it was saved.
        """
        if self._saved is _FREED:
            raise RuntimeError(_FREED_MSG)
        if self._saved is None:  # still inside forward, or nothing recorded
            return tuple(self._to_save or ())
        return tuple(None if s is None else s.unpack(self, i)  # type: ignore[arg-type]
                     for i, s in enumerate(self._saved))

    def mark_dirty(self, *tensors: Any) -> None:
        """Declare the inputs that ``forward`` modified in place (they must be returned)."""
        self._dirty = frozenset(id(t) for t in tensors)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declare outputs that have no gradient (indices, masks): they won't require grad,
        and ``backward`` still receives a (zero) gradient for each of them.
        """
        self._non_differentiable = frozenset(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True, the default) or None for the outputs that
        received no gradient.
        """
        self._materialize_grads = bool(value)


_FREED = object()


class BackwardFunction(FunctionCtx, Node):
    """The graph node of one `Function.apply` call; also its ``ctx``.

    Each `Function` subclass gets its own subclass of this, named ``<Function>Backward``.
    """

    _forward_cls: type[Function]
    _input_meta: tuple[TensorMeta | None, ...] = ()
    _output_meta: tuple[TensorMeta | None, ...] = ()

    def __init__(self) -> None:
        super().__init__((), 1)

    def release(self) -> None:
        if self._saved is not None:
            self._saved = _FREED

    def apply(self, grads: list[Any]) -> Sequence[Any]:
        from ..ops.creation import zeros

        name = self.name()
        if self._materialize_grads:
            grads = [zeros(m.shape, dtype=m.dtype, device=m.device)
                     if g is None and m is not None else g
                     for g, m in zip(grads, self._output_meta)]
        res = self._forward_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.next_functions)
        if len(res) != n:
            if len(res) < n or any(r is not None for r in res[n:]):
                raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                                   f"(expected {n}, got {len(res)}). backward must return one "
                                   "gradient (or None) per argument of forward.")
            res = res[:n]
        return tuple(_check_grad(name, i, r, m) if e is not None or r is not None else None
                     for i, (r, m, e) in enumerate(zip(res, self._input_meta,
                                                       self.next_functions)))


def _check_grad(name: str, i: int, g: Any, meta: TensorMeta | None) -> Any:
    """Validate the gradient ``backward`` returned for input ``i``; sum it to the input's
    shape when it is a broadcast of it, and cast it to the input's dtype.
    """
    from ..ops._rules import ShapeError, broadcast_shapes
    from ..tensor import Tensor

    if g is None:
        return None
    if meta is None:
        raise RuntimeError(f"function {name} returned a gradient different than None at position "
                           f"{i + 1}, but the corresponding forward input was not a Variable")
    if not isinstance(g, Tensor):
        raise TypeError(f"function {name} returned a gradient of type {type(g).__name__} at "
                        f"position {i + 1}; expected a Tensor or None")
    if g.shape != meta.shape:
        try:
            ok = broadcast_shapes(name, meta.shape, g.shape) == tuple(g.shape)
        except ShapeError:
            ok = False
        if not ok:
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got "
                               f"{list(g.shape)} but expected shape compatible with "
                               f"{list(meta.shape)}")
    if g.device != meta.device:
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - expected "
                           f"device {meta.device} but got {g.device}")
    return _conform(g, meta)


class Function:
    """Base class of custom differentiable operations, like `torch.autograd.Function`.

    Subclasses define static ``forward(ctx, *args, **kwargs)`` (runs with grad mode off and
    returns a tensor or a tuple) and ``backward(ctx, *grad_outputs)`` (one gradient per
    output in, one per positional argument of ``forward`` out: None for non-tensors and for
    inputs that need none). Alternatively ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``, as in PyTorch 2.

    Example:
        >>> import tensorweave as tw
        >>> class Cube(tw.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return g * 3 * x ** 2
        >>> x = tw.tensor(2.0, requires_grad=True)
        >>> Cube.apply(x).backward()
        >>> x.grad
        tensor(12.)
    """

    _backward_cls: type[BackwardFunction]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(f"{cls.__name__}Backward", (BackwardFunction,),
                                 {"_forward_cls": cls, "__module__": cls.__module__})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"{type(self).__name__}: custom autograd Functions are not "
                           f"instantiated; call {type(self).__name__}.apply(...) instead.")

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs (override this)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """Optional: fill ``ctx`` from the inputs and output of a ctx-less ``forward``."""

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Gradients of the inputs from those of the outputs (override this)."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on ``args`` and record ``backward`` for the outputs that need it.

        Returns:
            What ``forward`` returned, with the output tensors attached to the graph.
        """
        from ..tensor import Tensor

        if cls is Function:
            raise RuntimeError("Function.apply: call apply on a subclass that defines forward "
                               "and backward")
        ctx = cls._backward_cls()
        if anomaly_mode.state.enabled:
            anomaly_mode.remember(ctx)
        recording = grad_mode.state.enabled and any(
            isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = tuple(recording and isinstance(a, Tensor) and a._requires_grad
                                     for a in args)
        with grad_mode.no_grad():
            if cls.setup_context is Function.setup_context:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        if not recording:
            return out
        single = not isinstance(out, tuple)
        outs = _wrap_outputs(ctx, args, (out,) if single else out)
        to_save = ctx._to_save
        # Versions are taken once forward is done, so in-place work inside it is no error.
        ctx._saved = tuple(None if t is None else SavedTensor(t) for t in (to_save or ()))
        ctx._to_save = None
        return outs[0] if single else outs


def _wrap_outputs(ctx: BackwardFunction, args: tuple[Any, ...],
                  outs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Attach the forward's outputs to ``ctx`` as their grad_fn (see `Function.apply`)."""
    from ..tensor import Tensor

    ctx.next_functions = tuple(edge_of(a) if isinstance(a, Tensor) else None for a in args)
    ctx._input_meta = tuple(TensorMeta(a) if isinstance(a, Tensor) else None for a in args)
    ctx.n_outputs = len(outs)
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    wrapped = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            wrapped.append(o)
            continue
        if id(o) in ctx._dirty:
            if o._grad_fn is None and o._requires_grad:
                raise RuntimeError(f"{ctx.name()}: a leaf Variable that requires grad has been "
                                   "used in an in-place operation.")
            t = o  # rebased onto this node, as an in-place op would be
        elif id(o) in input_ids or o._grad_fn is not None or o._requires_grad:
            t = o.detach()  # an alias: the input itself keeps its own history
        else:
            t = o
        if id(o) not in ctx._non_differentiable and o._dtype.is_differentiable:
            t._grad_fn = ctx
            t._output_nr = i
            t._requires_grad = True
        wrapped.append(t)
    ctx._output_meta = tuple(TensorMeta(o) if isinstance(o, Tensor) else None for o in wrapped)
    return tuple(wrapped)


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a ``backward`` that is not itself differentiable: it runs with grad mode
    off, so ``create_graph`` records nothing through it.
    """

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with grad_mode.no_grad():
            return fn(ctx, *args)

    return wrapper
