"""``tw.profiler``: PyTorch's profiler API over tensorweave's dispatcher.

``with tw.profiler.profile(record_shapes=True) as prof: ...`` records every op call (the
dispatcher's events, nested as composites nest, backward's ops included) and every
`record_function` region; ``prof.key_averages().table(sort_by="cpu_time_total")`` prints
PyTorch's summary, ``prof.export_chrome_trace(path)`` writes a trace for Perfetto, and
``schedule`` with ``prof.step()`` limits the recording to chosen training steps, calling
``on_trace_ready`` after each recorded cycle, as in PyTorch.

Times are host times: any ``activities`` are accepted, and on an asynchronous backend
(CUDA, OpenCL) an op's time is the time to queue it; synchronize (``tw.cuda.synchronize``)
inside a `record_function` region to time a device's work. Memory, stack, FLOP and
module recording are not implemented: their flags are accepted and record nothing.
"""

from __future__ import annotations

import enum
import functools
import gzip
import os
import socket
import time
import warnings
from typing import Any, Callable, Iterable

from .events import EventList, FunctionEvent, FunctionEventAvg
from .recorder import begin, end, state

__all__ = ["profile", "record_function", "schedule", "ProfilerActivity", "ProfilerAction",
           "supported_activities", "tensorboard_trace_handler", "EventList", "FunctionEvent",
           "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    """Where events come from (PyTorch's names); every activity records host times here."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a `schedule` asks of a step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set[ProfilerActivity]:
    return {ProfilerActivity.CPU, ProfilerActivity.CUDA}


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """The profiler's action at each step: after ``skip_first`` steps, cycles of ``wait``
    idle, ``warmup`` and ``active`` recorded steps (the last one saves), ``repeat`` times
    (0: until the profile ends); ``skip_first_wait`` drops the first cycle's wait.

    Raises:
        AssertionError: a negative count or no active step (PyTorch's message).
    """
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup="
            f"{warmup} (need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)
    cycle = wait + warmup + active

    def action(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        pos = step - skip_first + (wait if skip_first_wait else 0)
        if repeat and pos >= repeat * cycle:
            return ProfilerAction.NONE
        pos %= cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD_AND_SAVE if pos == cycle - 1 else ProfilerAction.RECORD

    return action


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


class profile:  # noqa: N801 - torch.profiler.profile
    """Record op calls and `record_function` regions (see the module docstring).

    Raises:
        RuntimeError: another profile is already recording.
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[profile], Any] | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, **_accepted: Any) -> None:
        self.activities = set(activities) if activities is not None else supported_activities()
        self.schedule = schedule or _always_record
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.step_num = 0
        self.current_action = ProfilerAction.NONE
        self._events = EventList()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.step_num = 0
        self._enter(self.schedule(0))

    def stop(self) -> None:
        """End the profile; a recording in progress is kept and handed to
        ``on_trace_ready``."""
        if self.current_action in _RECORDING:
            self._save()
        self.current_action = ProfilerAction.NONE

    def step(self) -> None:
        """Mark the end of a training step: the schedule decides what the next one does."""
        prev = self.current_action
        self.step_num += 1
        nxt = self.schedule(self.step_num)
        if prev is ProfilerAction.RECORD_AND_SAVE or (prev in _RECORDING
                                                      and nxt not in _RECORDING):
            self._save()
            prev = ProfilerAction.NONE
        if prev not in _RECORDING:
            self._enter(nxt)
        self.current_action = nxt

    def _enter(self, action: ProfilerAction) -> None:
        """Start recording when ``action`` records (a fresh event list)."""
        self.current_action = action
        if action in _RECORDING:
            if state.active:
                raise RuntimeError("profile: another profiler is already recording; "
                                   "tensorweave records one profile at a time")
            state.events, state.record_shapes, state.active = [], self.record_shapes, True

    def _save(self) -> None:
        state.active = False
        self._events = EventList(state.events)
        state.events = []
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def events(self) -> EventList:
        """The last recording's events, in start order."""
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     **_accepted: Any) -> EventList:
        return self._events.key_averages(group_by_input_shape)

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        self._events.export_chrome_trace(path)


class record_function:  # noqa: N801 - torch.profiler.record_function
    """A named region in the profile (a context manager or a decorator); records nothing
    outside a profile."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._event: FunctionEvent | None = None

    def __enter__(self) -> record_function:
        if state.active:
            self._event = begin(self.name, [], user_annotation=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._event is not None:
            end(self._event)
            self._event = None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapper


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable[[profile], None]:
    """An ``on_trace_ready`` that writes each recording as a Chrome trace
    ``<dir_name>/<worker>.<ns>.pt.trace.json[.gz]`` (TensorBoard's profiler plugin reads
    these)."""
    worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"

    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        path = os.path.join(dir_name, f"{worker}.{time.time_ns()}.pt.trace.json")
        prof.export_chrome_trace(path)
        if use_gzip:
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                dst.write(src.read())
            os.remove(path)

    return handler
