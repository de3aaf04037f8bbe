"""What the dispatcher calls while a profiler records: one timed `FunctionEvent` per op
call (and per `record_function` region), nested as the calls nest.

Outside a profile the dispatcher's whole cost is one truth test of ``state.active``. While
recording, `run` wraps each op: it opens an event, re-enters the dispatcher for the op
itself (a per-thread flag lets that call through as `PASS`) and closes the event when the
op returns, so a composite's event contains the events of the ops it decomposes into.
Times are host times (`time.perf_counter_ns`): on an asynchronous backend an op's event
ends when its kernel is queued, not when it has run.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from ..tensor import Tensor
from .events import FunctionEvent

__all__ = ["state", "run", "begin", "end", "PASS"]

PASS = object()  # `run`'s answer to the dispatcher's own re-entry: run the op unprofiled


class _State:
    """``active``: the dispatcher's switch; ``record_shapes``: keep input shapes;
    ``events``: this recording's events in start order; ``local``: per-thread open events
    and the re-entry flag."""

    __slots__ = ("active", "record_shapes", "events", "local")

    def __init__(self) -> None:
        self.active = False
        self.record_shapes = False
        self.events: list[FunctionEvent] = []
        self.local = threading.local()


state = _State()


def begin(name: str, input_shapes: list[list[int]], user_annotation: bool = False
          ) -> FunctionEvent:
    """Open an event named ``name`` inside this thread's innermost open one."""
    stack = getattr(state.local, "stack", None)
    if stack is None:
        stack = state.local.stack = []
    ev = FunctionEvent(len(state.events), name, input_shapes, threading.get_ident(),
                       stack[-1] if stack else None, user_annotation)
    state.events.append(ev)
    stack.append(ev)
    ev.start_ns = time.perf_counter_ns()
    return ev


def end(ev: FunctionEvent) -> None:
    """Close ``ev`` (the innermost open event of this thread)."""
    ev.end_ns = time.perf_counter_ns()
    stack = state.local.stack
    if stack and stack[-1] is ev:
        stack.pop()


def run(op: Any, inputs: tuple[Any, ...], params: dict[str, Any],
        apply: Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]) -> Any:
    """The dispatcher's profiled path: `PASS` for its own re-entry, else ``apply`` of the op
    inside an event."""
    local = state.local
    if getattr(local, "inside", False):
        local.inside = False
        return PASS
    shapes = ([list(x.shape) if isinstance(x, Tensor) else [] for x in inputs]
              if state.record_shapes else [])
    ev = begin(op.name, shapes)
    local.inside = True
    try:
        return apply(op, inputs, params)
    finally:
        local.inside = False
        end(ev)
