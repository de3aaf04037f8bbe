"""Grad-mode switches: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode`, and
PyTorch's `set_multithreading_enabled`.

The dispatcher reads ``state.enabled`` on every op, so it is a plain attribute
of a module-level object rather than a function call or a context variable.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "set_multithreading_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops record autograd history."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an `inference_mode` block is active."""
    return state.inference


class _Mode:
    """A context manager and decorator that sets grad mode and restores it on exit."""

    _target: bool = True

    def __enter__(self) -> None:
        self._prev = (state.enabled, state.inference)
        state.enabled = self._target
        state.inference = self._inference()

    def __exit__(self, *exc: Any) -> None:
        state.enabled, state.inference = self._prev

    def _inference(self) -> bool:
        return state.inference

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _args(self) -> tuple[Any, ...]:
        return ()


class _BareDecorator(_Mode):
    """A mode that also decorates without parentheses: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):
    """Disable gradient recording, like `torch.no_grad` (context manager or decorator).

    Example:
        >>> import tensorweave as tw
        >>> x = tw.ones(2, requires_grad=True)
        >>> with tw.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _target = False


class enable_grad(_BareDecorator):
    """Enable gradient recording inside a `no_grad` block, like `torch.enable_grad`."""

    _target = True


class set_grad_enabled(_Mode):
    """Set grad mode on or off; works as a function, a context manager or a decorator.

    Args:
        mode: True to record autograd history, False not to.
    """

    def __init__(self, mode: bool) -> None:
        self._target = bool(mode)
        self._prev = (state.enabled, state.inference)
        state.enabled = self._target  # takes effect now when used as a plain call, like torch

    def __enter__(self) -> None:
        pass

    def _args(self) -> tuple[Any, ...]:
        return (self._target,)

    def __call__(self, fn: F) -> F:
        state.enabled, state.inference = self._prev  # the decorator form must not leak
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like `no_grad`, and tensors made inside are marked as inference tensors.

    Args:
        mode: True (default) to enable inference mode.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used as a bare decorator: @inference_mode

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode)

    def __enter__(self) -> None:
        self._prev = (state.enabled, state.inference)
        if self._mode:  # inference_mode(False) changes nothing, as in PyTorch
            state.enabled = False
            state.inference = True

    def _args(self) -> tuple[Any, ...]:
        return (self._mode,)


class set_multithreading_enabled:  # noqa: N801 - torch.autograd.set_multithreading_enabled
    """Accepted for PyTorch's API, as a function or a context manager: tensorweave's engine
    always runs backward on the calling thread (what PyTorch's ``mode=False`` asks for), so
    either mode computes the same gradients the same way."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass

    def clone(self) -> set_multithreading_enabled:
        return type(self)(self.mode)
