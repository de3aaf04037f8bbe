"""``tensorweave.func``: PyTorch's function transforms (``torch.func``) over the tape.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian`` and
``vmap`` take functions of tensors (or of tuples, lists and dicts of them: "pytrees") and
return functions, so they compose: ``vmap(grad(loss))`` gives per-sample gradients,
``grad(grad(f))`` a second derivative.

How they run, where PyTorch's functorch has its own interpreter:

- The differentiating transforms call the function on fresh leaves and differentiate with
  `tensorweave.autograd.grad`. Where an argument already requires grad (an outer transform,
  or the user's own graph), the leaves are views of it and the graph is kept
  (``create_graph``), so the result stays differentiable; otherwise it is detached.
- ``jvp`` and ``jacfwd`` are forward mode by the double-vjp trick (see
  `tensorweave.autograd.functional.jvp`): the same numbers as forward mode, at the cost of
  reverse passes.
- ``vmap`` calls the function once per batch element on slices of the mapped arguments and
  stacks the results: the semantics of a batched call (and exactly its values), but the cost
  of a Python loop, so it suits per-sample gradients and Jacobians of small batches.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .autograd.engine import grad as _autograd_grad
from .autograd.functional import jvp as _functional_jvp
from .autograd.grad_mode import enable_grad, is_grad_enabled
from .ops.creation import zeros_like
from .ops.movement import stack
from .random import default_generator
from .tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian",
           "vmap", "functional_call", "stack_module_state", "replace_all_batch_norm_modules_",
           "functionalize"]


# -- pytrees --------------------------------------------------------------------------------------


def _flatten(tree: Any) -> tuple[list[Any], Any]:
    """The leaves of ``tree`` (nested tuples, lists and dicts) in order, and its structure."""
    if isinstance(tree, (tuple, list)):
        leaves: list[Any] = []
        specs = []
        for item in tree:
            sub, spec = _flatten(item)
            leaves += sub
            specs.append((spec, len(sub)))
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, spec = _flatten(list(tree.values()))
        return leaves, (dict, list(tree), spec)
    return [tree], None


def _unflatten(spec: Any, leaves: list[Any]) -> Any:
    """The inverse of `_flatten`."""
    if spec is None:
        return leaves[0]
    if spec[0] is dict:
        return dict(zip(spec[1], _unflatten(spec[2], leaves)))
    kind, specs = spec
    out, at = [], 0
    for sub, n in specs:
        out.append(_unflatten(sub, leaves[at:at + n]))
        at += n
    return kind(out) if kind in (tuple, list) else kind(*out)


def _tensors(fn: str, what: str, leaves: list[Any]) -> None:
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{fn}: Expected {what} to be a Tensor or a (nested) tuple, list "
                             f"or dict of Tensors, got {type(leaf).__name__}")


# -- reverse mode --------------------------------------------------------------------------------


def _leaf(x: Tensor, keep: bool) -> Tensor:
    """A fresh leaf for ``x``: a view that keeps ``x``'s graph where it has one (``keep``)."""
    return x.view_as(x) if keep else x.detach().requires_grad_(True)


def _argnums(fn: str, argnums: Any, n_args: int) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums or not all(isinstance(a, int) for a in nums):
        raise RuntimeError(f"{fn}: argnums must be int or Tuple[int, ...], got: {argnums}")
    out = []
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
        out.append(a % n_args)
    return tuple(out)


def _output_and_aux(fn: str, out: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{fn}(f, ...)(*args): output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    return out


def _detach_tree(tree: Any, keep: bool) -> Any:
    if keep:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten(spec, [x.detach() if isinstance(x, Tensor) else x for x in leaves])


class _Tape:
    """``func`` called on fresh leaves for its ``argnums`` arguments, ready to be pulled back.

    Attributes:
        out, aux: what ``func`` returned (``aux`` None without ``has_aux``).
        keep: whether the results stay on the graph (an argument required grad).
        leaves: the fresh leaves, one per tensor of the ``argnums`` arguments.
    """

    def __init__(self, fn: str, func: Callable[..., Any], argnums: Any, has_aux: bool,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        nums = _argnums(fn, argnums, len(args))
        self._single = not isinstance(argnums, tuple)
        leaves, self._spec = _flatten(tuple(args[i] for i in nums))
        _tensors(fn, "inputs", leaves)
        self.keep = is_grad_enabled() and any(x.requires_grad for x in leaves)
        self.leaves = [_leaf(x, self.keep) for x in leaves]
        call = list(args)
        for i, t in zip(nums, _unflatten(self._spec, self.leaves)):
            call[i] = t
        with enable_grad():
            self.out, self.aux = _output_and_aux(fn, func(*call, **kwargs), has_aux)

    def pull(self, outputs: list[Tensor], cotangents: list[Tensor]) -> list[Tensor]:
        """``sum_k cotangent_k . d outputs_k / d leaf`` for every leaf (zeros where unused)."""
        live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
        got = (_autograd_grad([o for o, _ in live], self.leaves, [c for _, c in live],
                              retain_graph=True, create_graph=self.keep, allow_unused=True)
               if live else [None] * len(self.leaves))
        return [(zeros_like(x) if g is None else g if self.keep else g.detach())
                for g, x in zip(got, self.leaves)]

    def shaped(self, per_leaf: list[Any]) -> Any:
        """Values per leaf arranged as the ``argnums`` arguments: a bare tree for an int
        ``argnums``, a tuple of trees for a tuple."""
        trees = _unflatten(self._spec, per_leaf)
        return trees[0] if self._single else trees

    def value(self, tree: Any) -> Any:
        """``tree`` (an output or aux), detached unless the results stay on the graph."""
        return _detach_tree(tree, self.keep)


def grad_and_value(func: Callable[..., Any], argnums: Any = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """A function returning ``(gradient, value)`` of ``func`` (which returns a scalar
    tensor) w.r.t. its ``argnums`` arguments; ``(gradient, (value, aux))`` with
    ``has_aux``. A tuple ``argnums`` gives a tuple of gradients; an argument that is a
    tuple/list/dict of tensors gets a gradient of the same structure."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tape = _Tape("grad_and_value", func, argnums, has_aux, args, kwargs)
        out = tape.out
        if not isinstance(out, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"Tensor, got {type(out)}")
        if out.ndim != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               f"Tensor, got tensor with {out.ndim} dims. Maybe you wanted to "
                               "use the vjp or jacrev APIs instead?")
        g = tape.shaped(tape.pull([out], [zeros_like(out) + 1]))
        value = tape.value(out)
        return (g, (value, tape.value(tape.aux))) if has_aux else (g, value)

    return wrapper


def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning the gradient of ``func`` (a scalar tensor) w.r.t. its
    ``argnums`` arguments (``(gradient, aux)`` with ``has_aux``); see `grad_and_value`."""
    both = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(output, vjp_fn)`` (and ``aux``): ``func(*primals)`` and a function of cotangents
    shaped like the output that returns the vector-Jacobian products, one per primal (a
    tuple)."""
    tape = _Tape("vjp", func, tuple(range(len(primals))), has_aux, primals, {})
    outputs, out_spec = _flatten(tape.out)
    _tensors("vjp", "outputs", outputs)

    def vjp_fn(cotangents: Any) -> tuple[Any, ...]:
        cots, cot_spec = _flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function.")
        for o, c in zip(outputs, cots):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output has a shape of "
                                   f"{tuple(c.shape)} and output has a shape of "
                                   f"{tuple(o.shape)}.")
        return tape.shaped(tape.pull(outputs, cots))

    value = tape.value(tape.out)
    return (value, vjp_fn, tape.value(tape.aux)) if has_aux else (value, vjp_fn)


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """``(output, jvp_out)`` (and ``aux``): ``func(*primals)`` and its Jacobian applied to
    ``tangents`` (a tuple like ``primals``)."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be "
                           "tuples. E.g. it should be valid to call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure.")
    _tensors("jvp", "primals", p_leaves)
    for p, t in zip(p_leaves, t_leaves):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to "
                               f"have the same shape; got {tuple(p.shape)} and "
                               f"{tuple(t.shape)}.")
    seen: dict[str, Any] = {}

    def flat(*xs: Tensor) -> tuple[Tensor, ...]:
        out, seen["aux"] = _output_and_aux("jvp", func(*_unflatten(p_spec, list(xs))), has_aux)
        outs, seen["spec"] = _flatten(out)
        return tuple(outs)

    keep = is_grad_enabled() and any(x.requires_grad for x in p_leaves)
    outs, products = _functional_jvp(flat, tuple(p_leaves), tuple(t_leaves), create_graph=keep,
                                     strict=strict)
    result = (_unflatten(seen["spec"], list(outs)), _unflatten(seen["spec"], list(products)))
    return (*result, _detach_tree(seen["aux"], keep)) if has_aux else result


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian of ``func`` at
    ``primals`` applied to ``tangents``, as ``torch.func.linearize`` (each call is one
    `jvp` at the fixed primals)."""
    output = func(*primals)

    def jvp_fn(*tangents: Any) -> Any:
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: int | None = None) -> Callable[..., Any]:
    """A function returning the Jacobian of ``func`` w.r.t. its ``argnums`` arguments, by
    reverse mode: for an output of shape ``O`` and an input of shape ``I``, a tensor of shape
    ``O + I`` (nested as the outputs, then as the ``argnums``). ``chunk_size`` is accepted
    for PyTorch's signature: each output element takes one reverse pass."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tape = _Tape("jacrev", func, argnums, has_aux, args, kwargs)
        outputs, out_spec = _flatten(tape.out)
        _tensors("jacrev", "outputs", outputs)
        jac = [tape.shaped(_jacobian_rows(tape, outputs, k)) for k in range(len(outputs))]
        result = _unflatten(out_spec, jac)
        return (result, tape.value(tape.aux)) if has_aux else result

    return wrapper


def _jacobian_rows(tape: _Tape, outputs: list[Tensor], k: int) -> list[Tensor]:
    """The Jacobian of output ``k`` w.r.t. every leaf, ``out.shape + leaf.shape``: one
    reverse pass per output element, with a one-hot cotangent."""
    o = outputs[k]
    rows = []
    for e in range(o.numel()):
        cots = [zeros_like(x) for x in outputs]
        cots[k].reshape(-1)[e] = 1
        rows.append(tape.pull(outputs, cots))
    return [(stack([r[j] for r in rows]) if rows else zeros_like(x).reshape(0, *x.shape))
            .reshape(*o.shape, *x.shape) for j, x in enumerate(tape.leaves)]


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """The Jacobian as `jacrev` gives it (the same tensor: PyTorch computes it in forward
    mode, here it is taken by reverse passes). ``randomness`` is accepted for PyTorch's
    signature."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """The Hessian of ``func`` (a scalar tensor) w.r.t. its ``argnums`` arguments:
    ``jacfwd(jacrev(func))``, shape ``I + I`` for an input of shape ``I``."""
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap ------------------------------------------------------------------------------------------


_RANDOMNESS = ("error", "different", "same")


def _in_dims_tree(in_dims: Any, args: tuple[Any, ...]) -> list[Any]:
    """One in_dim (an int or None) per leaf of ``args``: ``in_dims`` is an int/None for
    every argument, or a tuple with an entry (itself possibly a tree) per argument."""
    if in_dims is None or isinstance(in_dims, int):
        return [in_dims] * len(_flatten(args)[0])
    if not isinstance(in_dims, tuple):
        raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be "
                         f"int or a (potentially nested) tuple matching the structure of "
                         f"inputs, got: {type(in_dims)}.")
    if len(in_dims) != len(args):
        raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                         f"compatible with the structure of `inputs`. in_dims has structure "
                         f"with {len(in_dims)} entries but inputs has {len(args)}.")
    dims: list[Any] = []
    for d, a in zip(in_dims, args):
        n = len(_flatten(a)[0])
        if d is None or isinstance(d, int):
            dims += [d] * n
        else:
            sub = _flatten(d)[0]
            if len(sub) != n:
                raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                                 "compatible with the structure of `inputs`.")
            dims += sub
    return dims


def _batch_size(leaves: list[Any], dims: list[Any], in_dims: Any) -> int:
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(x, Tensor):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
                             f"an input but the input is of type {type(x)}. We cannot vmap "
                             "over non-Tensor arguments, please use None as the respective "
                             "in_dim")
        if not -x.ndim <= d < max(x.ndim, 1) or x.ndim == 0:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
                             f"some input, but that input is a Tensor of dimensionality "
                             f"{x.ndim} so expected in_dim to satisfy -{x.ndim} <= in_dim < "
                             f"{x.ndim}.")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): at least one input "
                         "must be a Tensor with a mapped (non-None) in_dim")
    if len(set(sizes)) != 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _out_dims(out_dims: Any, n_leaves: int) -> list[Any]:
    if out_dims is None or isinstance(out_dims, int):
        return [out_dims] * n_leaves
    dims = _flatten(out_dims)[0]
    if len(dims) != n_leaves:
        raise ValueError(f"vmap(f, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                         f"compatible with the structure of `outputs`. out_dims has "
                         f"{len(dims)} leaves but outputs has {n_leaves}.")
    return dims


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """``func`` mapped over a batch dimension of its arguments, as ``torch.func.vmap``.

    The function is called once per batch element with the mapped arguments sliced (an
    argument whose in_dim is None is passed whole), and the outputs are stacked along
    ``out_dims`` (an output whose out_dim is None must be the same tensor-independent value
    each time, and is returned once). Gradients flow through the slices and the stack.

    Args:
        func: the function.
        in_dims: the mapped dim of every argument (an int, None, or a tuple with an entry per
            positional argument, nested like it).
        out_dims: the dim of every output (or a tree of them) that the batch goes to.
        randomness: ``'error'`` (a random op inside raises), ``'different'`` (each element
            draws its own numbers) or ``'same'`` (every element draws the same numbers).
        chunk_size: accepted for PyTorch's signature (elements are computed one at a time).

    Raises:
        ValueError: for in_dims/out_dims that do not fit the inputs/outputs, batch sizes that
            differ, or nothing to map over.
        RuntimeError: for a random op under ``randomness='error'``.
    """
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        leaves, spec = _flatten(args)
        dims = _in_dims_tree(in_dims, args)
        n = _batch_size(leaves, dims, in_dims)
        gens = [default_generator(d) for d in
                sorted({str(x.device) for x in leaves if isinstance(x, Tensor)} | {"cpu"})]
        states = [g.get_state() for g in gens]
        results = []
        for i in range(n):
            if randomness == "same" and i:  # every element draws what the first one drew
                for g, state in zip(gens, states):
                    g.set_state(state)
            sliced = [x.select(d, i) if d is not None else x for x, d in zip(leaves, dims)]
            results.append(func(*_unflatten(spec, sliced), **kwargs))
            if randomness == "error" and any(g.get_state().tolist() != state.tolist()
                                             for g, state in zip(gens, states)):
                raise RuntimeError("vmap: called random operation while in randomness error "
                                   "mode. Please either use the 'same' or 'different' "
                                   "randomness flags on vmap or perform the randomness "
                                   "operation out of vmap")
        flat = [_flatten(r) for r in results]
        out_spec = flat[0][1]
        odims = _out_dims(out_dims, len(flat[0][0]))
        stacked = []
        for j, d in enumerate(odims):
            items = [f[0][j] for f in flat]
            if d is None:
                stacked.append(items[0])
            elif not isinstance(items[0], Tensor):
                raise ValueError(f"vmap({getattr(func, '__name__', 'f')}, ...): `{func}` must "
                                 f"only return Tensors, got type {type(items[0])}. Did you "
                                 "mean to set out_dims= to None for output?")
            else:
                stacked.append(stack(items, d if d >= 0 else d + items[0].ndim + 1))
        return _unflatten(out_spec, stacked)

    return wrapper


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module`` with some of its parameters and buffers replaced, as
    ``torch.func.functional_call``: a dict (or a tuple of dicts, merged) of name -> tensor;
    see `tensorweave.nn.utils.stateless.functional_call` (the same call, without its
    deprecation warning)."""
    from .nn.utils.stateless import _functional_call as _call

    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, (tuple, list)):
        merged: dict[str, Any] = {}
        for d in dicts:
            clash = set(merged) & set(d)
            if clash:
                raise ValueError(f"{sorted(clash)} appeared in multiple dictionaries; "
                                 "behavior of functional call is ambiguous")
            merged.update(d)
        dicts = merged
    return _call(module, dicts, args, kwargs, tie_weights=tie_weights, strict=strict)


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    grads = {t.requires_grad for t in tensors}
    if len(grads) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = stack(tensors)
    return out.detach().requires_grad_() if grads == {True} else out


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """``(params, buffers)``: each parameter and buffer of ``models`` (modules of one class
    and mode) stacked along a new dim 0, parameters as new leaves, as
    ``torch.func.stack_module_state``: with `functional_call` under `vmap`, one call
    runs the whole ensemble.

    Raises:
        RuntimeError: for no models, mixed classes or modes, or a parameter that requires
            grad in some models only (PyTorch's messages).
    """
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return ({k: _stacked_leaf([p[k] for p in params], k) for k in params[0]},
            {k: _stacked_leaf([b[k] for b in buffers], k) for k in buffers[0]})


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """Make every batch-norm module in ``root`` use batch statistics only (no running
    mean, variance or count; ``track_running_stats=False``), in place, as
    ``torch.func.replace_all_batch_norm_modules_`` (for `vmap` over them); returns
    ``root``."""
    from . import nn

    kinds = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)
    for m in root.modules():
        if isinstance(m, kinds) and m.track_running_stats:
            m.running_mean = m.running_var = m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """``func`` itself: functionalization rewrites in-place ops (and with
    ``remove="mutations_and_views"`` views) into out-of-place ones for graph capture, and
    copies input mutations back, so eagerly the results and the inputs' final values are
    ``func``'s own. tensorweave has no graph capture, hence nothing to rewrite.

    Raises:
        RuntimeError: ``remove`` is neither option (PyTorch's message).
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for "
            f"remove={remove}. Valid options are:\n     remove='mutations': all inplace and "
            "out= operators will be removed from the program, and replaced with their "
            "out-of-place equivalents.\n     remove='mutations_and_views': In addition to the "
            "above, all aliasing operators {view} will be replaced with their non-aliasing "
            "counterparts, {view}_copy.\n")
    return func
