"""The autograd engine: graph nodes and the backward walk.

micrograd-shaped: every tensor produced by a differentiable op points at a
`Node` (its ``grad_fn``) that holds its parents (``next_functions``) and knows
how to turn output gradients into input gradients. ``backward`` orders the
reachable nodes topologically (iteratively, so deep graphs never hit the
recursion limit) and walks them once, summing gradients that meet.

Everything else hangs off that skeleton: saved-tensor version checks
(in-place changes after saving), tensor hooks, ``retain_grad``,
``retain_graph`` and ``create_graph`` (the vjps are written in ops, so running
them with grad mode on records a graph of the gradient itself).

Complex tensors follow PyTorch's convention: the gradient of a real loss ``L`` with
respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (the conjugate Wirtinger derivative, times
two), so a holomorphic ``f`` sends ``g`` back as ``g * conj(f'(z))``. The vjps are written
for real numbers; `OpNode.apply` evaluates them at the conjugates of the saved complex
values, which is that product for every op whose derivative has real coefficients (the
non-holomorphic functions, ``abs``, ``real``, ``conj``, ``angle``, are built from the two
views `view_as_real`/`view_as_complex` and real ops; an op whose vjp is written for
complex values, as ``linalg_eig``'s, says ``real_vjp=False``). A real input takes the
real part of its gradient (`_conform`).
"""

from __future__ import annotations

import sys
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..tensor import Size
from . import anomaly_mode, grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Node", "OpNode", "AccumulateGrad", "backward", "grad", "retain_grad", "keep_original"]

Edge = tuple["Node", int]

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Node:
    """One step of the backward graph.

    Attributes:
        next_functions: per input, the ``(node, output index)`` its gradient flows to, or None.
        pre_hooks: ``{output index: [hook]}``; a hook gets the gradient of that output and
            may return a replacement (these are `Tensor.register_hook`).
        retains: ``{output index: weakref to the tensor}`` for `Tensor.retain_grad`.
    """

    __slots__ = ("next_functions", "pre_hooks", "retains", "n_outputs", "__weakref__")

    def __init__(self, next_functions: tuple[Edge | None, ...], n_outputs: int = 1) -> None:
        self.next_functions = next_functions
        self.pre_hooks: dict[int, list[Callable[[Any], Any]]] | None = None
        self.retains: dict[int, weakref.ref[Any]] | None = None
        self.n_outputs = n_outputs

    def name(self) -> str:
        return type(self).__name__

    def apply(self, grads: list[Any]) -> Sequence[Any]:
        """Gradients of the inputs, one per ``next_functions`` entry (None where none flows)."""
        raise NotImplementedError

    def release(self) -> None:
        """Free saved tensors after a backward without ``retain_graph``."""

    def add_pre_hook(self, index: int, hook: Callable[[Any], Any]) -> None:
        if self.pre_hooks is None:
            self.pre_hooks = {}
        self.pre_hooks.setdefault(index, []).append(hook)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class _Released:
    """Marker for saved tensors freed by a backward pass."""


_RELEASED = _Released()


# The saved-tensor hooks in force, innermost last (see `tensorweave.autograd.graph`).
saved_hooks: list[tuple[Callable[[Any], Any], Callable[[Any], Any]]] = []


class SavedTensor:
    """A tensor kept for backward with the version it had when saved.

    Under `autograd.graph.saved_tensors_hooks` the node keeps what the pack hook returned
    instead (plus the tensor's version counter and gradient edge, not its data); `unpack`
    calls the unpack hook and gives the result the original's place in the graph, so
    double backward still reaches everything the original did.
    """

    __slots__ = ("tensor", "version", "unpack_hook", "vc", "edge")

    def __init__(self, t: Tensor, owner: Node | None = None, nr: int = 0) -> None:
        self.version = t._version
        self.unpack_hook: Callable[[Any], Any] | None = None
        if not saved_hooks:
            self.tensor = t
            return
        pack, self.unpack_hook = saved_hooks[-1]
        self.vc = t._shared_vc()
        # An op's output is saved before it is given its grad_fn: ``owner`` says where.
        self.edge = (owner, nr) if owner is not None else edge_of(t)
        with grad_mode.no_grad():
            self.tensor = pack(t)

    def _unpacked(self) -> Tensor:
        from ..tensor import Tensor

        with grad_mode.no_grad():
            x = self.unpack_hook(self.tensor)  # type: ignore[misc]
        if not isinstance(x, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(x).__name__}")
        x = x.detach()
        if self.edge is not None:
            x._grad_fn, x._output_nr = self.edge
            x._requires_grad = True
        return x

    def unpack(self, node: Node, nr: int, output: bool = False) -> Tensor:
        """The saved tensor; raises if it was modified in place since it was saved."""
        if self.unpack_hook is None:
            t = self.tensor
            current = t._version
        else:
            t = self._unpacked()
            current = self.vc[0]
        if current != self.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{t.dtype.name} tensor of shape {list(t.shape)}], which is "
                f"{'output' if output else 'input'} {nr} of {node.name()}, is at version "
                f"{current}; expected version {self.version} instead. Hint: replace the "
                "in-place operation (such as add_ or x[i] = v) with its out-of-place form, or "
                "clone() the tensor before changing it.")
        return t


def _save(x: Any, owner: Node | None = None, nr: int = 0) -> Any:
    return SavedTensor(x, owner, nr) if hasattr(x, "_data") else x


class OpNode(Node):
    """The backward of one op call: runs the op's vjp on the saved inputs/outputs."""

    __slots__ = ("op", "params", "saved", "out", "input_meta", "conjugates")

    def __init__(self, op: Any, inputs: Sequence[Any], outs: Any, params: dict[str, Any],
                 next_functions: tuple[Edge | None, ...], conjugates: bool) -> None:
        # Built on every differentiable op call: list comprehensions, no super() call
        # (keep these fields in step with Node.__init__).
        self.next_functions = next_functions
        self.pre_hooks = None
        self.retains = None
        self.n_outputs = op.n_outputs
        self.op = op
        self.params = params
        self.saved = tuple([_save(x) for x in inputs]) if op.save_inputs else None
        if op.save_out:
            self.out = (tuple([_save(o, self, i) for i, o in enumerate(outs)])
                        if op.n_outputs > 1 else _save(outs, self))
        else:
            self.out = None
        self.input_meta = tuple([TensorMeta(x) if hasattr(x, "_data") else x for x in inputs])
        # Complex values among the inputs or outputs, and a vjp written for real numbers.
        self.conjugates = conjugates

    def name(self) -> str:
        return "".join(p.capitalize() for p in self.op.name.split("_")) + "Backward0"

    def release(self) -> None:
        # As in PyTorch, a node that saved nothing can be run again.
        if self.saved is not None or self.out is not None:
            self.saved = _RELEASED  # type: ignore[assignment]
            self.out = _RELEASED

    def apply(self, grads: list[Any]) -> Sequence[Any]:
        op = self.op
        if self.saved is _RELEASED:
            raise RuntimeError(_FREED_MSG)
        saved = self.saved
        if saved is None:
            inputs: tuple[Any, ...] = self.input_meta
        else:
            inputs = tuple(s.unpack(self, i) if type(s) is SavedTensor else s
                           for i, s in enumerate(saved))
        out = self.out
        if type(out) is SavedTensor:
            out = out.unpack(self, 0, True)
        elif type(out) is tuple:
            out = tuple(o.unpack(self, i, True) for i, o in enumerate(out))
        if self.conjugates:
            inputs, out = _conjugated(inputs), _conjugated(out)
        g = grads[0] if op.n_outputs == 1 else tuple(grads)
        res = op.vjp(g, out, *inputs, **self.params)
        if len(res) != len(self.input_meta):
            raise RuntimeError(f"vjp of op {op.name!r} returned {len(res)} gradients for "
                               f"{len(self.input_meta)} inputs")
        return tuple(_conform(r, m) if e is not None else None
                     for r, m, e in zip(res, self.input_meta, self.next_functions))


def _conjugated(values: Any) -> Any:
    """``values`` (a tensor, a tuple of them, scalars) with every complex one conjugated: the
    point where a real-written vjp gives PyTorch's complex gradient (module docstring)."""
    from ..tensor import Tensor

    if type(values) is tuple:
        return tuple(_conjugated(v) for v in values)
    if isinstance(values, Tensor):
        if values._dtype.is_complex:
            from ..ops.complex_numbers import conj

            c = conj(values)
            # Vjps skip the gradients of inputs that need none (x.requires_grad): keep it.
            c._requires_grad = values._requires_grad or c._requires_grad
            return c
    elif isinstance(values, complex):
        return values.conjugate()
    return values


def keep_original(node: Node | None, t: Tensor) -> None:
    """Before ``t`` is overwritten in place, make ``node`` (the out-of-place op whose result is
    being written into ``t``) keep a copy of ``t`` if it saved it, as PyTorch's in-place ops
    save ``self.clone()``; otherwise ``y.mul_(3)`` or ``y.sin_()`` on a non-leaf would fail
    the saved-version check at backward. The copy is recorded, so double backward works.
    """
    if type(node) is not OpNode or type(node.saved) is not tuple:
        return
    if any(type(s) is SavedTensor and s.tensor is t for s in node.saved):
        copy = SavedTensor(t.clone())
        node.saved = tuple(copy if type(s) is SavedTensor and s.tensor is t else s
                           for s in node.saved)


class TensorMeta:
    """What a vjp may read of an input that was not saved: shape, dtype, device."""

    __slots__ = ("shape", "_dtype", "device")

    def __init__(self, t: Tensor) -> None:
        self.shape = Size(t._data.shape)
        self._dtype = t._dtype
        self.device = t._device

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)


def _conform(g: Any, meta: TensorMeta) -> Any:
    """Bring a vjp result to its input's shape (undo broadcasting) and dtype."""
    if g is None:
        return None
    shape, dtype = meta.shape, meta._dtype
    if g.shape != shape:
        from ..ops.movement import sum_to_size

        g = sum_to_size(g, shape)
    if g._dtype is not dtype:
        if g._dtype.is_complex and not dtype.is_complex:
            from ..ops.complex_numbers import real

            g = real(g)  # a real input moves along the real axis only
        g = g.to(dtype)
    return g


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``.grad``.

    PyTorch's rules: the first gradient is stored as a tensor that owns its memory (an
    optimizer updates ``.grad`` in place, so it must not alias the user's ``gradient=``, a
    broadcast view, or another leaf's gradient); later ones are added in place, or out of
    place under ``create_graph`` so the sum stays differentiable.
    """

    __slots__ = ("variable", "post_hooks")

    def __init__(self, variable: Tensor) -> None:
        super().__init__((), 1)
        self.variable = variable
        # run by _store_grad after each accumulation (Tensor.register_post_accumulate_grad_hook)
        self.post_hooks: list[Callable[[Tensor], None]] = []

    def name(self) -> str:
        return "AccumulateGrad"

    def apply(self, grads: list[Any]) -> Sequence[Any]:
        g = grads[0]
        grads[0] = None  # drop the list's reference so `_owned` can count the others
        if g is not None:
            _store_grad(self.variable, g)
        return ()


def _owned(g: Tensor, refs: int) -> bool:
    """Whether nothing but the engine can see ``g``'s memory, so ``.grad`` may take it as is.

    ``refs`` is how many references the callers' frames hold. A native array that is a view
    (``.base`` set), a backend without ``.base``, or any other holder of the tensor or its
    array (the user's ``gradient=``, another leaf's ``.grad``, a hook's list) means shared.
    """
    return (g._base is None and getattr(g._data, "base", False) is None
            and sys.getrefcount(g._data) <= _SOLE_ATTR and sys.getrefcount(g) <= refs + _SOLE_LOCAL)


class _Probe:
    __slots__ = ("_data",)


def _sole_refs() -> tuple[int, int]:
    """What ``sys.getrefcount`` reports for an object held only by one local, and only by one
    attribute (measured, since interpreters differ in how they count borrowed references).
    """
    local = object()
    holder = _Probe()
    holder._data = object()
    return sys.getrefcount(local), sys.getrefcount(holder._data)


_SOLE_LOCAL, _SOLE_ATTR = _sole_refs()


def _store_grad(var: Tensor, g: Tensor) -> None:
    """Accumulate ``g`` into ``var.grad`` (see `AccumulateGrad`)."""
    if var.grad is None:
        if grad_mode.state.enabled:  # create_graph: a differentiable copy
            var.grad = g.clone()
        elif _owned(g, 2):  # `g` here and in AccumulateGrad.apply
            var.grad = g.detach() if g._requires_grad else g
        else:
            var.grad = g.detach().clone()
    elif grad_mode.state.enabled:
        var.grad = var.grad + g
    else:
        var.grad.add_(g)
    if var._accumulator is not None:
        for hook in var._accumulator.post_hooks:
            hook(var)


def accumulator(t: Tensor) -> AccumulateGrad:
    """The (cached) AccumulateGrad node of leaf ``t``."""
    acc = t._accumulator
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = acc
    return acc


def edge_of(t: Tensor) -> Edge | None:
    """Where the gradient of ``t`` flows: its grad_fn, its accumulator (leaf), or nowhere."""
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if t._requires_grad:
        return (accumulator(t), 0)
    return None


def _topo(roots: Iterable[Node]) -> list[Node]:
    """Nodes reachable from ``roots`` in an order where every node follows all its consumers."""
    roots = list(dict.fromkeys(roots))
    deps: dict[Node, int] = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        n = stack.pop()
        for e in n.next_functions:
            if e is not None:
                c = e[0]
                deps[c] = deps.get(c, 0) + 1
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
    ready = [n for n in roots if deps.get(n, 0) == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(n)
        for e in n.next_functions:
            if e is not None:
                c = e[0]
                deps[c] -= 1
                if deps[c] == 0:
                    ready.append(c)
    return order


def _accumulate(buf: list[Any], i: int, g: Any) -> None:
    buf[i] = g if buf[i] is None else buf[i] + g


def _execute(roots: list[tuple[Edge, Any]], retain_graph: bool, create_graph: bool,
             targets: list[Edge] | None = None) -> list[Any] | None:
    """Walk the graph from ``roots``; return the gradients at ``targets`` when given.

    With ``targets`` (autograd.grad) nothing is accumulated into ``.grad`` and only the
    nodes that lead to a target run.
    """
    order = _topo(e[0] for e, _ in roots)
    needed: set[Node] = set()
    captured: dict[Edge, Any] = {}
    wanted = set(targets or ())
    if targets is not None:
        target_nodes = {e[0] for e in targets}
        for n in reversed(order):
            if any(e is not None and (e[0] in needed or e[0] in target_nodes)
                   for e in n.next_functions):
                needed.add(n)
    buffers: dict[Node, list[Any]] = {}
    for (n, i), g in roots:
        _accumulate(buffers.setdefault(n, [None] * n.n_outputs), i, g)
    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        for node in order:
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if node.pre_hooks or node.retains:
                _run_pre_hooks(node, grads)
            if targets is not None:
                for i in range(node.n_outputs):
                    if (node, i) in wanted:
                        captured[(node, i)] = grads[i]
                if node not in needed:
                    continue
            if all(g is None for g in grads):
                continue
            # No local may keep a gradient alive past its consumer: AccumulateGrad counts
            # references to decide whether `.grad` can take the tensor without a copy.
            in_grads = list(anomaly_mode.run(node, grads) if anomaly_mode.state.enabled
                            else node.apply(grads))
            del grads
            if not retain_graph:
                node.release()
            for k, e in enumerate(node.next_functions):
                if e is not None and in_grads[k] is not None:
                    buf = buffers.get(e[0])
                    if buf is None:
                        buf = buffers[e[0]] = [None] * e[0].n_outputs
                    _accumulate(buf, e[1], in_grads[k])
                in_grads[k] = None
    finally:
        grad_mode.state.enabled = prev
    if targets is None:
        return None
    return [captured.get(e) for e in targets]


def _run_pre_hooks(node: Node, grads: list[Any]) -> None:
    """Tensor hooks of the node's outputs, then ``retain_grad`` (last, so it sees what the
    hooks returned, as in PyTorch).
    """
    for i, hooks in (node.pre_hooks or {}).items():
        for hook in list(hooks):
            if grads[i] is not None:
                new = hook(grads[i])
                if new is not None:
                    grads[i] = new
    for i, ref in (node.retains or {}).items():
        t = ref()
        if t is not None and grads[i] is not None:
            t.grad = grads[i].clone() if t.grad is None else t.grad + grads[i]


def retain_grad(t: Tensor) -> None:
    """Make backward store the gradient of non-leaf ``t`` in ``t.grad`` (a copy)."""
    node = t._grad_fn
    if node.retains is None:
        node.retains = {}
    node.retains[t._output_nr] = weakref.ref(t)


def _root_grads(op_name: str, tensors: Sequence[Tensor], grads: Sequence[Any]) -> list[Any]:
    from ..ops.creation import ones_like
    from ..tensor import Tensor

    out = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if g is None:
            if t._dtype.is_complex:
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs; {op_name} got a {t._dtype.name} tensor. Take a "
                                   "real function of it first (.abs(), .real...), or pass "
                                   "gradient=.")
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs; "
                                   f"{op_name} got a tensor of shape {list(t.shape)}. Pass "
                                   "gradient= (a tensor of the same shape) to backward().")
            g = ones_like(t)
        elif not isinstance(g, Tensor):
            g = Tensor._from_value(g, t.device, t.dtype)
        if g.shape != t.shape:
            raise RuntimeError(f"{op_name}: Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{list(g.shape)} and output[{i}] has a shape of "
                               f"{list(t.shape)}.")
        out.append(g)
    return out


def _roots(op_name: str, tensors: Sequence[Tensor], grads: Sequence[Any]) -> list[tuple[Edge, Any]]:
    roots = []
    for i, (t, g) in enumerate(zip(tensors, _root_grads(op_name, tensors, grads))):
        e = edge_of(t)
        if e is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        roots.append((e, g))
    return roots


def _as_seq(x: Any) -> list[Any]:
    from ..tensor import Tensor

    if x is None:
        return []
    return [x] if isinstance(x, Tensor) else list(x)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves, like
    `torch.autograd.backward`.

    Args:
        tensors: tensors to differentiate (scalars unless ``grad_tensors`` is given).
        grad_tensors: the vector of the vector-Jacobian product, one per tensor.
        retain_graph: keep saved tensors for another backward (default: ``create_graph``).
        create_graph: record the backward pass so gradients can be differentiated again.
        inputs: accumulate only into these tensors' ``.grad``.
    """
    ts = _as_seq(tensors)
    gs = _as_seq(grad_tensors) or [None] * len(ts)
    if len(gs) != len(ts):
        raise RuntimeError(f"backward: got {len(gs)} gradients for {len(ts)} tensors")
    retain = create_graph if retain_graph is None else retain_graph
    roots = _roots("backward", ts, gs)
    if inputs is None:
        _execute(roots, retain, create_graph)
        return
    ins = _as_seq(inputs)
    if not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    edges = [_input_edge(t) for t in ins]
    res = _execute(roots, retain, create_graph, edges) or []
    with grad_mode.set_grad_enabled(create_graph):
        for t, g in zip(ins, res):
            if g is not None:
                _store_grad(t, g)


def _input_edge(t: Tensor) -> Edge:
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    e = edge_of(t)
    assert e is not None  # requires_grad implies an edge
    return e


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, like `torch.autograd.grad`.

    Nothing is accumulated into ``.grad``.

    Args:
        outputs: tensors to differentiate.
        inputs: tensors to differentiate with respect to.
        grad_outputs: the vector of the vector-Jacobian product (default: ones for scalars).
        retain_graph: keep the graph for another backward (default: ``create_graph``).
        create_graph: record the computation so the result can be differentiated again.
        allow_unused: return None for inputs that do not affect the outputs instead of raising.
        materialize_grads: return zeros instead of None for unused inputs.

    Returns:
        One gradient per input.
    """
    outs = _as_seq(outputs)
    ins = _as_seq(inputs)
    gs = _as_seq(grad_outputs) or [None] * len(outs)
    if len(gs) != len(outs):
        raise RuntimeError(f"grad: got {len(gs)} grad_outputs for {len(outs)} outputs")
    retain = create_graph if retain_graph is None else retain_graph
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads="
                         "True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    edges = [_input_edge(t) for t in ins]
    res = _execute(_roots("grad", outs, gs), retain, create_graph, edges) or []
    out = []
    for t, g in zip(ins, res):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from ..ops.creation import zeros_like

                g = zeros_like(t)
        out.append(g)
    return tuple(out)
