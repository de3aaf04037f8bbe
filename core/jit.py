"""`tensorweave.jit`: PyTorch's ``torch.jit`` helpers, as they behave on eager code.

tensorweave runs eagerly and has no TorchScript, so every helper here does what PyTorch does
for code it runs *outside* TorchScript: ``script`` and ``trace`` return what they are given
(``trace`` runs it once on the example, as tracing does), the decorators (``ignore``,
``unused``, ``export``, ``interface``, ``script_if_tracing``) return their function,
``is_scripting``/``is_tracing`` are False, ``annotate`` returns its value, ``fork`` runs its
function at once (as PyTorch's ``fork`` does in Python) and ``isinstance`` checks
``List[int]``-style types on the value. Model code that uses them runs unchanged after its
import is changed. ``save``/``load`` cannot be pass-throughs (there is no TorchScript archive
to write or read), so they raise and point at ``tensorweave.save``/``tensorweave.load``.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
import warnings
from typing import Any, Callable, Final, Generic, TypeVar, get_args, get_origin

from .nn import Module
from .tensor import Tensor

__all__ = ["Final", "Future", "annotate", "export", "fork", "freeze", "ignore", "interface",
           "is_scripting", "is_tracing", "isinstance", "load", "optimize_for_inference", "save",
           "script", "script_if_tracing", "trace", "trace_module", "unused", "wait"]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

_builtin_isinstance = isinstance


def script(obj: _T, optimize: None = None, _frames_up: int = 0,
           _rcb: Callable[[str], Any] | None = None,
           example_inputs: list[tuple[Any, ...]] | dict[Callable[..., Any],
                                                        list[tuple[Any, ...]]] | None = None) -> _T:
    """``obj`` (a function, module or class) unchanged: there is no TorchScript to compile
    it to, and its eager behaviour is what scripted code computes. Works as ``@script`` too;
    PyTorch's other arguments are accepted and have no effect."""
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. "
                      "Use `with torch.jit.optimized_execution()` instead",
                      FutureWarning, stacklevel=2)
    return obj


def _example_tuple(example_inputs: Any) -> tuple[Any, ...]:
    """The positional arguments ``example_inputs`` stands for, as PyTorch reads them: one
    tensor or dict is a single argument, any other iterable is the argument list."""
    if _builtin_isinstance(example_inputs, (Tensor, dict)):
        return (example_inputs,)
    return example_inputs if _builtin_isinstance(example_inputs, tuple) else tuple(example_inputs)


def trace(func: _F, example_inputs: Any = None, optimize: None = None, check_trace: bool = True,
          check_inputs: list[tuple[Any, ...]] | None = None, check_tolerance: float = 1e-5,
          strict: bool = True, _force_outplace: bool = False, _module_class: Any = None,
          _compilation_unit: Any = None, example_kwarg_inputs: dict[str, Any] | None = None,
          _store_inputs: bool = True) -> _F:
    """``func`` unchanged, after running it once on the example inputs as tracing does (so
    an example that does not fit fails here, as it does in PyTorch).

    A module (or its bound ``forward``) goes to :func:`trace_module` as ``{"forward":
    example_inputs}``. ``example_inputs`` is a tuple of positional arguments, or one tensor;
    ``example_kwarg_inputs`` a dict of keyword arguments. ``check_trace`` would compare the
    trace with a second eager run; eager code is its own trace, so nothing is run twice.

    Raises:
        RuntimeError: a module without ``example_inputs`` and without a dict
            ``example_kwarg_inputs`` (PyTorch's message).
        AttributeError: a bound method of a module other than ``forward``.
    """
    owner = getattr(func, "__self__", None)
    if _builtin_isinstance(func, Module) or (_builtin_isinstance(owner, Module)
                                            and func.__name__ == "forward"):
        if example_inputs is None:
            if not _builtin_isinstance(example_kwarg_inputs, dict):
                raise RuntimeError("example_kwarg_inputs should be a dict")
            example_inputs = example_kwarg_inputs
        trace_module(func if owner is None else owner, {"forward": example_inputs},
                     check_trace=check_trace, check_tolerance=check_tolerance, strict=strict,
                     example_inputs_is_kwarg=_builtin_isinstance(example_kwarg_inputs, dict))
        return func
    if _builtin_isinstance(owner, Module):
        raise AttributeError("trace doesn't support compiling individual module's functions.\n"
                             "Please use trace_module")
    if _builtin_isinstance(example_kwarg_inputs, dict):
        func(**example_kwarg_inputs)
    else:
        func(*_example_tuple(example_inputs))
    return func


def trace_module(mod: Module, inputs: dict[str, Any], optimize: None = None,
                 check_trace: bool = True, check_inputs: list[dict[str, Any]] | None = None,
                 check_tolerance: float = 1e-5, strict: bool = True, _force_outplace: bool = False,
                 _module_class: Any = None, _compilation_unit: Any = None,
                 example_inputs_is_kwarg: bool = False, _store_inputs: bool = True) -> Module:
    """``mod`` unchanged, after calling each named method once on its example inputs, as
    tracing does (``"forward"`` through ``mod(...)``, so hooks run as they do when traced).

    Args:
        mod: the module.
        inputs: ``{method_name: example_inputs}``; the examples are read as in :func:`trace`,
            or as keyword arguments when ``example_inputs_is_kwarg`` and they are a dict.

    Raises:
        AttributeError: ``mod`` is not a module or ``inputs`` not a dict (PyTorch's messages).
        NameError: a keyword example names no argument of ``forward``.
    """
    if not _builtin_isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not _builtin_isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    for method_name, example in inputs.items():
        method = getattr(mod, method_name)
        func = mod if method_name == "forward" else method
        if _builtin_isinstance(example, dict) and example_inputs_is_kwarg:
            names = [n for n, p in inspect.signature(method).parameters.items()
                     if p.kind is p.POSITIONAL_OR_KEYWORD]
            for key in example:
                if key not in names:
                    raise NameError(f"'{key}' is not in forward() method's arguments, valid "
                                    f"arguments name are [{','.join(names)}]")
            func(**example)
        else:
            func(*_example_tuple(example))
    return mod


def ignore(drop: bool | Callable[..., Any] = False, **kwargs: Any) -> Any:
    """Leave a function to Python: ``@ignore``, ``@ignore()`` and ``@ignore(drop=True)`` all
    return the function unchanged (eager code runs it either way).

    Raises:
        RuntimeError: ``drop`` is neither a bool nor a function (PyTorch's message).
    """
    if callable(drop):
        return drop
    if not _builtin_isinstance(drop, bool):
        raise RuntimeError("Argument to @torch.jit.ignore must be a bool or a function but got "
                           f"{drop}")
    return lambda fn: fn


def unused(fn: _F) -> _F:
    """``fn`` unchanged: TorchScript would replace its body with a raise; eager code runs it."""
    return fn


def export(fn: _F) -> _F:
    """``fn`` unchanged: marks a method as a TorchScript entry point, which eager code lacks."""
    return fn


def interface(obj: _T) -> _T:
    """The class ``obj`` unchanged (an interface type is only a TorchScript notion).

    Raises:
        RuntimeError: ``obj`` is not a class (PyTorch's message).
    """
    if not _builtin_isinstance(obj, type):
        raise RuntimeError("interface must be applied to a class")
    return obj


def script_if_tracing(fn: _F) -> _F:
    """``fn`` unchanged: it would be scripted only while tracing, and nothing traces here."""
    return fn


def is_scripting() -> bool:
    """False: code here never runs under TorchScript."""
    return False


def is_tracing() -> bool:
    """False: :func:`trace` runs code eagerly, not under a tracer."""
    return False


def annotate(the_type: Any, the_value: _T) -> _T:
    """``the_value``: the type is a hint for the TorchScript compiler only."""
    return the_value


class Future(Generic[_T]):
    """The result of :func:`fork`: the value, computed already (PyTorch's ``fork`` also runs
    its function at once outside TorchScript)."""

    def __init__(self, value: _T) -> None:
        self._value = value

    def wait(self) -> _T:
        """The function's return value."""
        return self._value

    def value(self) -> _T:
        """The function's return value."""
        return self._value

    def done(self) -> bool:
        """True: the function has run."""
        return True


def fork(func: Callable[..., _T], *args: Any, **kwargs: Any) -> Future[_T]:
    """Run ``func(*args, **kwargs)`` now and return a :class:`Future` holding its value; an
    exception from ``func`` propagates here, as in PyTorch's eager ``fork``."""
    return Future(func(*args, **kwargs))


def wait(future: Future[_T]) -> _T:
    """The value of a :func:`fork` task."""
    return future.wait()


def freeze(mod: Module, preserved_attrs: list[str] | None = None,
           optimize_numerics: bool = True) -> Module:
    """``mod`` unchanged: freezing inlines parameters into a TorchScript graph, and there is
    none. PyTorch's checks are kept so that code that freezes here freezes there: the module
    must be in eval mode. A plain module stands for the scripted one (``script`` returns it).

    Raises:
        RuntimeError: ``mod`` is not a module, or is in training mode (PyTorch's messages).
    """
    if not _builtin_isinstance(mod, Module):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use torch.jit.script "
                           "or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    return mod


def optimize_for_inference(mod: Module, other_methods: list[str] | None = None) -> Module:
    """``mod`` put in eval mode, as PyTorch does before freezing it (this is the one effect
    that carries over to eager code); returned, not copied.

    Raises:
        RuntimeError: ``mod`` is not a module (PyTorch's message).
    """
    if not _builtin_isinstance(mod, Module):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    return freeze(mod.eval(), preserved_attrs=other_methods)


def _no_torchscript(name: str, instead: str) -> RuntimeError:
    return RuntimeError(f"tensorweave.jit.{name}: tensorweave has no TorchScript, so there is no "
                        f"TorchScript archive to {name}; use tensorweave.{name} ({instead}) "
                        "instead.")


def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    """Always raises: there is no TorchScript archive; ``tensorweave.save(m.state_dict(), f)``
    saves the weights."""
    raise _no_torchscript("save", "e.g. of the module's state_dict")


def load(f: Any, map_location: Any = None, _extra_files: Any = None,
         _restore_shapes: bool = False) -> Any:
    """Always raises: there is no TorchScript archive to read; ``tensorweave.load`` reads
    what ``tensorweave.save`` wrote."""
    raise _no_torchscript("load", "of what tensorweave.save wrote")


_RAW = {list: "list", dict: "dict", tuple: "tuple", typing.List: "List", typing.Dict: "Dict",
        typing.Tuple: "Tuple", typing.Optional: "Optional"}


def _check_parameterized(target_type: Any) -> None:
    """PyTorch's error for a container type without its element types (``List``, ``dict``)."""
    try:
        name = _RAW.get(target_type)
    except TypeError:  # an unhashable target
        return
    if name is None:
        return
    if name.endswith("ict"):
        raise RuntimeError(f"Attempted to use {name} without contained types. Please add "
                           f"contained type, e.g. {name}[int, int]")
    raise RuntimeError(f"Attempted to use {name} without a contained type. Please add a "
                       f"contained type, e.g. {name}[int]")


def _warn_if_empty(obj: Any) -> None:
    if _builtin_isinstance(obj, (list, dict, tuple)) and len(obj) == 0:
        warnings.warn("The inner type of a container is lost when calling "
                      "tensorweave.jit.isinstance in eager mode. For example, List[int] would "
                      "become list and therefore falsely return True for List[float] or "
                      "List[str].", stacklevel=4)


def _matches(obj: Any, target_type: Any) -> bool:
    _check_parameterized(target_type)
    origin = get_origin(target_type)
    if origin is None:
        return _builtin_isinstance(obj, target_type)
    args = get_args(target_type)
    if origin is typing.Union or origin is types.UnionType:
        return any(obj is None if a is type(None) else _matches(obj, a) for a in args)
    if origin not in (list, dict, tuple):
        return False
    _warn_if_empty(obj)
    if not _builtin_isinstance(obj, origin):
        return False
    if origin is list:
        return all(_matches(el, args[0]) for el in obj)
    if origin is dict:
        return all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in obj.items())
    return len(obj) == len(args) and all(_matches(el, a) for el, a in zip(obj, args))


def isinstance(obj: Any, target_type: Any) -> bool:  # noqa: A001 - torch.jit's name
    """Whether ``obj`` is of ``target_type``, which may be a typing container such as
    ``List[int]``, ``Dict[str, Tensor]``, ``Tuple[int, str]`` or ``Optional[Tensor]`` (nested
    too), or a tuple of such types (any of them), checked element by element as
    ``torch.jit.isinstance`` does in eager mode. An empty container matches whatever its
    element type, with PyTorch's warning that the element type cannot be checked.

    Two cases differ from PyTorch's eager check, which here follows what the types mean:
    ``None`` matches a ``Union`` only when the union holds ``None`` (PyTorch's accepts it for
    every union), and a union matches when any member does (PyTorch's stops at its first
    container member).

    Raises:
        RuntimeError: ``target_type`` is a container other than a tuple, or a container type
            without its element types (``List``, ``dict``) (PyTorch's messages).
    """
    if _builtin_isinstance(target_type, collections.abc.Container):
        if not _builtin_isinstance(target_type, tuple):
            raise RuntimeError("The second argument to `torch.jit.isinstance` must be a type or "
                               "a tuple of types")
        return any(isinstance(obj, t) for t in target_type)
    return _matches(obj, target_type)
