"""`tensorweave.compiler`: PyTorch's ``torch.compiler`` helpers, as they behave on eager code.

tensorweave runs eagerly and has no graph compiler (``compile`` returns its model unchanged),
so code here is never being compiled or exported: ``is_compiling`` and its kin are False, the
decorators that steer the compiler (``disable``, ``allow_in_graph``,
``assume_constant_result``, ``nested_compile_region``) return their function, and ``reset``
and ``cudagraph_mark_step_begin`` do nothing. ``set_stance`` keeps PyTorch's forms (a call, a
context manager, a decorator) and its checks, so that a stance PyTorch would reject is
rejected here too, though no stance changes what runs.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from typing import Any, Callable, TypeVar

from .control_flow import compile  # noqa: A004 - torch.compiler.compile is torch.compile

__all__ = ["allow_in_graph", "assume_constant_result", "compile", "cudagraph_mark_step_begin",
           "disable", "is_compiling", "is_dynamo_compiling", "is_exporting", "list_backends",
           "nested_compile_region", "reset", "set_stance", "substitute_in_graph"]

_F = TypeVar("_F", bound=Callable[..., Any])

_STANCES = ("default", "force_eager", "eager_on_recompile", "fail_on_recompile",
            "eager_then_compile", "aot_eager_then_compile")


def is_compiling() -> bool:
    """False: nothing here runs under a graph compiler."""
    return False


def is_dynamo_compiling() -> bool:
    """False: there is no Dynamo tracing the code."""
    return False


def is_exporting() -> bool:
    """False: there is no ``export`` tracing the code."""
    return False


def reset() -> None:
    """Nothing to do: there are no compiled caches to clear."""


def cudagraph_mark_step_begin() -> None:
    """Nothing to do: no CUDA graphs are recorded, so there is no iteration to mark."""


def list_backends(exclude_tags: tuple[str, ...] | None = ("debug", "experimental")) -> list[str]:
    """``["eager"]``: whatever backend ``compile`` is given, the model runs eagerly, which is
    what PyTorch's ``"eager"`` backend does; no other name would say what happens. (PyTorch
    tags its ``"eager"`` as a debug backend; here it is the only behaviour there is, so no tag
    excludes it.)"""
    return ["eager"]


def _callable(fn: Any, message: str) -> None:
    if not callable(fn):
        raise AssertionError(message)


def disable(fn: _F | None = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """``fn`` unchanged (nothing is compiled, so there is nothing to disable); without ``fn``
    (``@disable()`` or ``@disable(recursive=False)``), a decorator that returns its function.

    Raises:
        AssertionError: ``fn`` is not callable (PyTorch's message).
    """
    def decorate(f: _F) -> _F:
        _callable(f, "fn must be callable")
        return f

    return decorate if fn is None else decorate(fn)


def allow_in_graph(fn: Any) -> Any:
    """``fn`` unchanged (a list or tuple of functions gives a list, as in PyTorch): there is
    no graph to put it in.

    Raises:
        AssertionError: ``fn`` is not callable (PyTorch's message).
    """
    if isinstance(fn, (list, tuple)):
        return [allow_in_graph(f) for f in fn]
    _callable(fn, "allow_in_graph expects a callable")
    return fn


def assume_constant_result(fn: _F) -> _F:
    """``fn`` unchanged: it still runs on every call, as it does outside a compiled region."""
    return fn


def nested_compile_region(fn: _F | None = None, *, options: Any = None,
                          max_reuse_entries: int = 8, reuse_hash_fn: Any = None) -> Any:
    """``fn`` unchanged (or, without ``fn``, a decorator that returns its function): a region
    compiled once and reused is, eagerly, just the function called each time."""
    return (lambda f: f) if fn is None else fn


def substitute_in_graph(original_fn: Callable[..., Any], *,
                        can_constant_fold_through: bool = False,
                        skip_signature_check: bool = False) -> Callable[[_F], _F]:
    """A decorator for a polyfill of ``original_fn``. As in PyTorch's eager mode, the function
    it returns (named and documented as the polyfill) calls ``original_fn``: the polyfill is
    only for a compiler tracing through ``original_fn``, and there is none.

    Raises:
        TypeError: ``original_fn`` or the decorated object is not a function (PyTorch's
            messages).
    """
    functions = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                 types.MethodDescriptorType, types.WrapperDescriptorType,
                 types.MethodWrapperType, types.BuiltinMethodType)
    if not isinstance(original_fn, functions):
        raise TypeError(f"substitute_in_graph expects a function but got {type(original_fn)!r}")

    def decorate(traceable_fn: _F) -> _F:
        if not isinstance(traceable_fn, functions):
            raise TypeError("@substitute_in_graph(...) expects a function but got "
                            f"{type(traceable_fn)!r}")

        @functools.wraps(traceable_fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return original_fn(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


@dataclasses.dataclass
class DynamoStance:
    """A stance and its options, named as PyTorch names it (its repr is in PyTorch's error)."""

    stance: str = "default"
    skip_guard_eval_unsafe: bool = False
    backend: str | Callable[..., Any] | None = None


_stance = DynamoStance()


def _set_stance(stance: DynamoStance) -> DynamoStance:
    global _stance
    prior, _stance = _stance, stance
    return prior


class set_stance:  # noqa: N801 - PyTorch's name
    """Set the compiler's stance: as a call (it stays set), a context manager (set inside the
    ``with``) or a decorator (set while the function runs), as in PyTorch.

    No stance changes what runs here, since nothing is compiled; the stance is kept only so
    that the three forms nest and restore as PyTorch's do. PyTorch reports an unknown stance
    when a compiled function next runs; with no compiled functions, it is reported here, with
    PyTorch's message.

    Args:
        stance: ``"default"``, ``"force_eager"``, ``"eager_on_recompile"``,
            ``"fail_on_recompile"``, ``"eager_then_compile"`` or ``"aot_eager_then_compile"``.
        skip_guard_eval_unsafe, force_backend: PyTorch's options; ``force_backend`` only with
            the ``"default"`` stance.

    Raises:
        RuntimeError: ``force_backend`` with another stance, or an unknown stance (PyTorch's
            messages).
    """

    def __init__(self, stance: str = "default", *, skip_guard_eval_unsafe: bool = False,
                 force_backend: str | Callable[..., Any] | None = None) -> None:
        if force_backend is not None and stance != "default":
            raise RuntimeError("non-default stance cannot have force_backend set")
        self.stance = DynamoStance(stance, skip_guard_eval_unsafe, force_backend)
        if stance not in _STANCES:
            raise RuntimeError(f"invalid torch.compile stance '{self.stance}'")
        self.prev = _set_stance(self.stance)

    def __enter__(self) -> None:
        _set_stance(self.stance)

    def __exit__(self, *exc: object) -> None:
        _set_stance(self.prev)

    def __call__(self, fn: _F) -> _F:
        _set_stance(self.prev)

        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapped  # type: ignore[return-value]
