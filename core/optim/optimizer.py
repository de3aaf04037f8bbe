"""`Optimizer`: the base class of every optimizer, built-in or third-party (as torch's).

The base owns what all optimizers share: parameter groups and their hyper-parameters, the
per-parameter ``state``, ``state_dict``/``load_state_dict`` in PyTorch's layout (integer
parameter indices, so a checkpoint does not hold parameters and loads into a fresh model),
``zero_grad`` and step hooks. A subclass supplies only ``step``: the update rule, written
for real parameters over `Optimizer.params_with_grad` (which hands complex ones over as
real views, as PyTorch's optimizers do).
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import MutableMapping
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ..tensor import Tensor
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required"]

F = TypeVar("F", bound=Callable[..., Any])
StateDict = dict[str, Any]


class _RequiredParameter:
    """Marks a hyper-parameter that every parameter group must give (no default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _with_step_hooks(step: F) -> F:
    """Wrap a subclass's ``step`` so it runs the registered pre/post hooks and marks the
    optimizer as stepped (what lr schedulers check to warn about a wrong call order).

    A ``step`` that calls ``super().step()`` runs the hooks once, in the outermost call.
    """
    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        self._opt_called = True
        pre, post = self._optimizer_step_pre_hooks, self._optimizer_step_post_hooks
        if self._in_step or not (pre or post):
            return step(self, *args, **kwargs)
        self._in_step = True
        try:
            for hook in list(pre.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                           f"new_kwargs), but got {result}.")
                    args, kwargs = result
            out = step(self, *args, **kwargs)
            for hook in list(post.values()):
                hook(self, args, kwargs)
        finally:
            self._in_step = False
        return out

    wrapper._tw_step_hooks = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class Optimizer:
    """Base class for all optimizers, as `torch.optim.Optimizer`.

    Parameters must come in an ordered collection (a list, a generator of a module's
    parameters), never a set: ``state_dict`` identifies them by position.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
            groups: ``{"params": [...], "lr": 0.1, ...}``), whose keys override ``defaults``.
        defaults: the default hyper-parameters of every group.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` and every hyper-parameter.
        defaults: the constructor's hyper-parameters.
        state: per-parameter state (momentum buffers, moments...), keyed by the parameter.

    Raises:
        TypeError: for a single tensor instead of an iterable, or non-tensor parameters.
        ValueError: for an empty parameter list, a non-leaf tensor, or a parameter in two
            groups.
    """

    _in_step = False
    _opt_called = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_tw_step_hooks", False):
            cls.step = _with_step_hooks(step)  # type: ignore[method-assign]

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got tensorweave.Tensor")
        self.state: defaultdict[Any, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- parameter groups ---------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (missing ones come from
        ``defaults``); useful to unfreeze layers while training.

        Raises:
            TypeError: if ``param_group`` is not a dict, its params are a set or not tensors.
            ValueError: for a non-leaf tensor, a parameter already in another group, a
                required hyper-parameter left out, or names given for only some parameters.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                param = param[1]
            tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__module__}.{type(param).__qualname__}")
            if not self.defaults.get("differentiable") and not (param.is_leaf
                                                                 or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter.

        Args:
            set_to_none: drop ``.grad`` (the default: less memory, and optimizers then skip
                the parameter) instead of filling it with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def params_with_grad(self, group: dict[str, Any]
                         ) -> Iterator[tuple[Tensor, Tensor, MutableMapping[str, Any]]]:
        """``(param, grad, state)`` for each parameter of ``group`` that has a gradient.

        A complex parameter comes as ``view_as_real`` of itself and of its gradient, with a
        state whose tensors are seen the same way (and kept complex, as PyTorch keeps them):
        an update rule written for real numbers then treats the real and imaginary parts as
        two real parameters. Squares, square roots and signs of the complex numbers
        themselves would be wrong, and this is what PyTorch's optimizers do.
        """
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            if p._dtype.is_complex:
                from ..ops.complex_numbers import view_as_real

                real = view_as_real(p)
                yield real, view_as_real(grad), _RealState(self.state[p], real.shape)
            else:
                yield p, grad, self.state[p]

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; returns the closure's loss (None without one).

        Args:
            closure: re-evaluates the model and returns the loss; run with grad enabled.
                Needed by optimizers that evaluate the loss several times per step.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before every ``step``; it may return a new
        ``(args, kwargs)`` pair for the step. Returns a handle whose ``remove()`` undoes it.
        """
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after every ``step``. Returns a handle whose
        ``remove()`` undoes it.
        """
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # -- checkpoints --------------------------------------------------------------------------

    def state_dict(self) -> StateDict:
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their position across all groups (as in PyTorch), so the
        dict loads into an optimizer over a new model with the same parameter order. State
        tensors are referenced, not copied.
        """
        index: dict[int, int] = {}
        start = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            index.update({id(p): i for i, p in enumerate(group["params"], start)
                          if id(p) not in index})
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state from `state_dict` (of this optimizer class, over parameters in the same
        order). State tensors are copied; floating-point ones are cast to their parameter's
        dtype and device (the step counters keep theirs).

        Raises:
            ValueError: if the number of groups or the size of a group differs.
        """
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        state: defaultdict[Any, Any] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_state(param, v)
            else:
                state[k] = v

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


class _RealState(MutableMapping):  # type: ignore[type-arg]
    """A complex parameter's state as its update rule sees it: tensors with the parameter's
    real-view shape ``(..., 2)`` are stored complex and read back as real views (one
    memory, so in-place updates land in the stored state)."""

    def __init__(self, state: dict[str, Any], shape: tuple[int, ...]) -> None:
        self._state = state
        self._shape = shape

    def __getitem__(self, key: str) -> Any:
        from ..ops.complex_numbers import view_as_real

        v = self._state[key]
        return view_as_real(v) if isinstance(v, Tensor) and v._dtype.is_complex else v

    def __setitem__(self, key: str, value: Any) -> None:
        from ..ops.complex_numbers import view_as_complex

        if isinstance(value, Tensor) and value.shape == self._shape:
            value = view_as_complex(value.contiguous())
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)


def _cast_state(param: Tensor, value: Any, key: Any = None) -> Any:
    """A copy of ``value`` (a parameter's saved state) with its tensors on ``param``'s
    device, and in its dtype when ``param`` is floating point -- except ``step``, which keeps
    its dtype and device.

    Tensors are always copied: torch aliases them when no cast is needed, so an optimizer
    loaded from another's live ``state_dict()`` would update the other's state too.
    """
    if isinstance(value, Tensor):
        if key == "step":
            out = value
        elif param.is_floating_point():
            out = value.to(dtype=param.dtype, device=param.device)
        else:
            out = value.to(device=param.device)
        return out.clone() if out is value else out
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value
