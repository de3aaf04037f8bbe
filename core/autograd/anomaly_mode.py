"""Anomaly detection, as `torch.autograd.detect_anomaly`: find the op whose backward went
wrong, and the forward line that created it.

While the mode is on, every backward node remembers the stack of the forward call that built
it (in a weak table beside the node, so the graph itself carries nothing extra when the mode
is off). During a backward, a node whose gradients contain NaN raises (with ``check_nan``),
and any error raised by a node's backward is preceded by a warning that prints that forward
stack: the line to look at is the one that built the node, which the backward's own
traceback does not show.
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

if TYPE_CHECKING:
    from .engine import Node

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


state = _State()
# The folders of the dispatcher, the ops and autograd, whose frames end
# every recorded stack.
_MACHINERY = {os.path.dirname(os.path.dirname(__file__)), os.path.dirname(__file__),
              os.path.join(os.path.dirname(os.path.dirname(__file__)), "ops")}
_traces: weakref.WeakKeyDictionary[Node, str] = weakref.WeakKeyDictionary()


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also raises on NaN gradients."""
    return state.check_nan


def remember(node: Node) -> None:
    """Keep the forward stack that built ``node`` (called only while the mode is on), down
    to the call of the op: the dispatcher's own frames below it say nothing about the
    user's code."""
    frames = traceback.extract_stack()[:-1]
    while frames and os.path.dirname(frames[-1].filename) in _MACHINERY:
        frames.pop()
    _traces[node] = "".join(traceback.format_list(frames))


def run(node: Node, grads: list[Any]) -> Sequence[Any]:
    """``node.apply(grads)`` under anomaly detection: on an error, warn with the node's
    forward stack and re-raise; with ``check_nan``, an input gradient holding NaN is an
    error."""
    name = node.name()
    try:
        out = node.apply(grads)
        if state.check_nan:
            for k, g in enumerate(out):
                if g is not None and g.dtype.is_differentiable and bool(g.isnan().any()):
                    raise RuntimeError(f"Function '{name}' returned nan values in its {k}th "
                                       "output.")
    except Exception:
        trace = _traces.get(node)
        where = (f"Traceback of forward call that caused the error:\n{trace}" if trace else
                 "No forward pass information available. Enable detect anomaly during "
                 "forward pass for more information.")
        warnings.warn(f"Error detected in {name}. {where}", stacklevel=2)
        raise
    return out


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turn anomaly detection on or off, as a function call or as a context manager (which
    restores the previous mode on exit).

    Args:
        mode: on (True) or off.
        check_nan: also raise on NaN gradients.
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        state.enabled, state.check_nan = self._prev


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """A context manager and decorator that turns anomaly detection on (see the module's
    docstring). It slows every op and backward down: use it to debug, not to train.

    Args:
        check_nan: also raise on NaN gradients.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._prev: list[tuple[bool, bool]] = []
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self._prev.append((state.enabled, state.check_nan))
        state.enabled, state.check_nan = True, self.check_nan

    def __exit__(self, *exc: Any) -> None:
        state.enabled, state.check_nan = self._prev.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
