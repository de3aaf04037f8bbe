"""`cond`, `while_loop`, `compile` and `vmap` at the top level, as in PyTorch.

tensorweave runs eagerly, so these run what PyTorch runs outside ``torch.compile``:
``cond`` calls the branch that ``pred`` picks, ``while_loop`` loops in Python, and
``compile`` returns the function or module unchanged (there is no graph compiler: it is
accepted so that code written with it runs). The argument checks and their messages are
PyTorch's, so code that passes them here passes them there.
"""

from __future__ import annotations

from typing import Any, Callable

from .func import vmap
from .tensor import Tensor

__all__ = ["cond", "while_loop", "compile", "vmap"]

_MODES = (None, "default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
          "max-autotune")


def _leaves(tree: Any) -> list[Any]:
    """The leaves of nested dicts, lists and tuples."""
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


def cond(pred: Any, true_fn: Callable[..., Any], false_fn: Callable[..., Any],
         operands: tuple[Any, ...] | list[Any] = ()) -> Any:
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``.

    A Python constant ``pred`` runs its branch at once, unchecked, as PyTorch's eager path
    does; a tensor ``pred`` has the arguments checked first.

    Args:
        pred: a bool (int, float) or a one-element tensor.
        true_fn, false_fn: the branches, called with the operands.
        operands: a tuple or list (nested dicts/lists/tuples allowed) of tensors.

    Raises:
        RuntimeError: for a bad ``pred``, a branch that is not callable, or operands that are
            not a sequence of tensors (PyTorch's messages).
    """
    if isinstance(pred, (bool, int, float)):
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if isinstance(pred, Tensor) and pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or not all(
            isinstance(t, Tensor) for t in _leaves(operands)):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple "
                           f"that only consists of tensor leaves, but got {operands}.")
    return true_fn(*operands) if pred else false_fn(*operands)


def while_loop(cond_fn: Callable[..., Any], body_fn: Callable[..., Any],
               carried_inputs: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
    """Run ``carried = body_fn(*carried)`` while ``cond_fn(*carried)``; returns the final
    carried values as a tuple (``carried_inputs`` itself, as a tuple, if the loop never runs).

    Args:
        cond_fn: returns a bool or a 0-d bool tensor.
        body_fn: returns as many values as it is given (a tuple, or one value for one).
        carried_inputs: a tuple or list of tensors and ints.

    Raises:
        RuntimeError: for functions that are not callable, carried values that are not
            tensors or ints, a condition that is not a boolean scalar, or a body whose output
            count differs from the carried values' (PyTorch's messages).
    """
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list but got "
                           f"{type(carried_inputs)}")
    if not all(isinstance(t, (Tensor, int)) for t in _leaves(carried_inputs)):
        raise RuntimeError("Expect carried_inputs to be a tuple of possibly nested "
                           "dict/list/tuple that only consists of tensor or int leaves, but got "
                           f"{carried_inputs}.")
    carried = tuple(carried_inputs)
    while _condition(cond_fn(*carried)):
        out = body_fn(*carried)
        out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if len(out) != len(carried):
            raise RuntimeError(f"Expected body_fn_output and carried_inputs to have same number "
                               f"of outputs but got lhs:{list(out)} and rhs:{list(carried)}")
        carried = out
    return carried


def _condition(pred: Any) -> bool:
    if isinstance(pred, bool) or (isinstance(pred, Tensor) and pred.ndim == 0
                                  and pred.dtype.name == "bool"):
        return bool(pred)
    raise RuntimeError(f"cond_fn must return a boolean scalar tensor or a boolean but got {pred}")


def compile(model: Any = None, *, fullgraph: bool = False,  # noqa: A001
            dynamic: bool | None = None, backend: Any = "inductor", mode: str | None = None,
            options: dict[str, Any] | None = None, disable: bool = False) -> Any:
    """``model`` unchanged: tensorweave runs eagerly and has no graph compiler; the call is
    accepted (and its arguments checked as PyTorch checks them) so that code written with
    ``torch.compile`` runs. Without ``model``, a decorator that returns its function.

    Raises:
        RuntimeError: both ``mode`` and ``options`` are given, or ``mode`` is unknown.
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(m for m in _MODES if m)}")
    if model is None:
        return lambda fn: fn
    return model
