"""Higher-level differentiation of a function, as `torch.autograd.functional`: ``vjp``,
``jvp``, ``jacobian``, ``hessian``, ``vhp`` and ``hvp``, all built on `grad`.

``inputs`` is a tensor or a tuple of tensors; ``func`` returns a tensor or a tuple of them.
Results keep that structure: a tuple where the inputs (or outputs) were a tuple, a bare tensor
where they were one. Each function runs ``func`` on fresh leaves that require grad (views of
the inputs under ``create_graph``, so the results stay differentiable with respect to them).
A forward-mode product (``jvp``) is the transpose of a reverse-mode one, taken by
differentiating ``vjp`` with respect to its cotangent (the "double-vjp" trick), and the Jacobian
takes one reverse pass per output element.
"""

from __future__ import annotations

from typing import Any, Callable

from ..ops.creation import eye, zeros, zeros_like
from ..ops.movement import stack
from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(name: str, fn: str, value: Any) -> tuple[bool, tuple[Tensor, ...]]:
    """``(was a tuple, the tensors)``, refusing anything but tensors."""
    is_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"The {name} given to {fn}" + (f" at index {i}" if is_tuple else "")
            raise TypeError(f"{where} must be either a Tensor or a tuple of Tensors but got "
                            f"{type(t).__name__}.")
    return is_tuple, items


def _unwrap(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _leaves(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Fresh leaves for ``func`` (views that keep the graph under ``create_graph``)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else
                 x.detach().requires_grad_(True) for x in inputs)


def _grads(outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...], cotangents: Any,
           create_graph: bool, strict: bool, fn: str, what: str = "output") -> tuple[Tensor, ...]:
    """``sum_i cotangent_i . d outputs_i / d inputs``, zeros where an input is unused (an
    error with ``strict``)."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    got: tuple[Any, ...] = (None,) * len(inputs)
    if live:
        got = grad([o for o, _ in live], list(inputs), [c for _, c in live],
                   retain_graph=True, create_graph=create_graph, allow_unused=True)
    out = []
    for i, (g, x) in enumerate(zip(got, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: The {what} of the user-provided function is "
                                   f"independent of input {i}. This is not allowed in strict "
                                   "mode.")
            g = zeros_like(x)
        out.append(g)
    return tuple(out)


def _check_v(fn: str, v: Any, like: tuple[Tensor, ...], name: str) -> tuple[Tensor, ...]:
    """The vector ``v`` (``None`` only for a single one-element ``like``), shape-checked."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{fn}: The vector v can only be None if the {name} to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        return (like[0].new_ones(like[0].shape),)
    _, vs = _as_tuple("v", fn, v)
    if len(vs) != len(like) or any(a.shape != b.shape for a, b in zip(vs, like)):
        raise RuntimeError(f"{fn}: v has shapes {[list(t.shape) for t in vs]} but the {name} "
                           f"of the function have shapes {[list(t.shape) for t in like]}")
    return vs


def _outputs(fn: str, func: Callable[..., Any], leaves: tuple[Tensor, ...]
             ) -> tuple[bool, tuple[Tensor, ...]]:
    with enable_grad():
        return _as_tuple("outputs of the user-provided function", fn, func(*leaves))


def _detached(ts: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    return ts if create_graph else tuple(t.detach() for t in ts)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    in_tuple, xs = _as_tuple("inputs", "vjp", inputs)
    leaves = _leaves(xs, create_graph)
    out_tuple, ys = _outputs("vjp", func, leaves)
    vs = _check_v("vjp", v, ys, "outputs")
    with enable_grad():
        g = _grads(ys, leaves, vs, create_graph, strict, "vjp")
    return _unwrap(out_tuple, _detached(ys, create_graph)), _unwrap(in_tuple,
                                                                     _detached(g, create_graph))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J v)``: the Jacobian-vector product, by differentiating the
    vector-Jacobian product ``u -> u^T J`` (linear in ``u``) against ``v``."""
    in_tuple, xs = _as_tuple("inputs", "jvp", inputs)
    vs = _check_v("jvp", v, xs, "inputs")
    leaves = _leaves(xs, create_graph)
    out_tuple, ys = _outputs("jvp", func, leaves)
    with enable_grad():
        us = tuple(zeros_like(y).requires_grad_(True) for y in ys)
        g = _grads(ys, leaves, us, True, False, "jvp")
        jv = _grads(g, us, vs, create_graph, strict, "jvp", "backward")
    return _unwrap(out_tuple, _detached(ys, create_graph)), _unwrap(out_tuple,
                                                                     _detached(jv, create_graph))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian ``d func(inputs) / d inputs``: for output ``i`` and input ``j`` a tensor
    of shape ``outputs[i].shape + inputs[j].shape`` (tuples mirror tuple outputs/inputs).
    One reverse pass per output element; ``vectorize`` and ``strategy`` are accepted for
    PyTorch compatibility (only reverse mode exists here).

    Raises:
        ValueError: for an unknown ``strategy``.
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: '
                         'If your function has more outputs than inputs, "forward-mode" tends to '
                         'be more performant. Otherwise, prefer to use "reverse-mode".')
    in_tuple, xs = _as_tuple("inputs", "jacobian", inputs)
    leaves = _leaves(xs, create_graph)
    out_tuple, ys = _outputs("jacobian", func, leaves)
    rows = []
    with enable_grad():
        for y in ys:
            flat = y.reshape(-1)
            basis = eye(flat.shape[0], dtype=y.dtype, device=y.device)
            per_input: list[list[Tensor]] = [[] for _ in leaves]
            for k in range(flat.shape[0]):
                g = _grads((flat,), leaves, (basis[k],), create_graph, strict, "jacobian")
                for j, gj in enumerate(g):
                    per_input[j].append(gj)
            rows.append(tuple(
                (stack(per_input[j]) if per_input[j] else zeros(0, *x.shape, dtype=y.dtype,
                                                                  device=y.device)
                 ).reshape(*y.shape, *x.shape) for j, x in enumerate(leaves)))
    rows = [tuple(_detached(r, create_graph)) for r in rows]
    if out_tuple:
        return tuple(_unwrap(in_tuple, r) for r in rows)
    return _unwrap(in_tuple, rows[0])


def _scalar(fn: str, func: Callable[..., Any]) -> Callable[..., Tensor]:
    def single(*xs: Tensor) -> Tensor:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"{fn}: The Tensor returned by the function given to {fn} "
                               "should contain a single element")
        return out.reshape(())
    return single


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func``: `jacobian` of its gradient (for tuple inputs a
    tuple of tuples, entry ``[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``)."""
    in_tuple, xs = _as_tuple("inputs", "hessian", inputs)
    f = _scalar("hessian", func)

    def gradient(*leaves: Tensor) -> Any:
        with enable_grad():
            y = f(*leaves)
            g = _grads((y,), leaves, (y.new_ones(()),), True, strict, "hessian")
        return _unwrap(in_tuple, g)

    return jacobian(gradient, _unwrap(in_tuple, xs), create_graph, strict, vectorize,
                    outer_jacobian_strategy)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)`` for a scalar ``func``: the vjp of its gradient."""
    return _hessian_product("vhp", func, inputs, v, create_graph, strict)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` for a scalar ``func`` (equal to `vhp`, the Hessian being
    symmetric for twice continuously differentiable functions)."""
    return _hessian_product("hvp", func, inputs, v, create_graph, strict)


def _hessian_product(fn: str, func: Callable[..., Any], inputs: Any, v: Any,
                     create_graph: bool, strict: bool) -> tuple[Any, Any]:
    in_tuple, xs = _as_tuple("inputs", fn, inputs)
    vs = _check_v(fn, v, xs, "inputs")
    leaves = _leaves(xs, create_graph)
    f = _scalar(fn, func)
    with enable_grad():
        y = f(*leaves)
        g = _grads((y,), leaves, (y.new_ones(()),), True, strict, fn)
        hv = _grads(g, leaves, vs, create_graph, strict, fn, "jacobian")
    return _detached((y,), create_graph)[0], _unwrap(in_tuple, _detached(hv, create_graph))
