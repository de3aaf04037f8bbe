"""A profile's results as PyTorch presents them: `FunctionEvent` (one call, with its
children), `FunctionEventAvg` (calls grouped by name, and by input shapes if asked),
`EventList` (``key_averages()``, ``table()``, ``export_chrome_trace()``).

Times are in microseconds, as in PyTorch. An event's self time is its total time less its
direct children's, so the self times of a list add up to the time its top-level events
span.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable

__all__ = ["FunctionEvent", "FunctionEventAvg", "EventList"]


class FunctionEvent:
    """One op call or `record_function` region."""

    def __init__(self, id: int, name: str, input_shapes: list[list[int]], thread: int,  # noqa: A002
                 parent: FunctionEvent | None, is_user_annotation: bool) -> None:
        self.id, self.name, self.input_shapes, self.thread = id, name, input_shapes, thread
        self.cpu_parent = parent
        self.cpu_children: list[FunctionEvent] = []
        self.is_user_annotation = is_user_annotation
        self.count = 1
        self.start_ns = self.end_ns = 0
        if parent is not None:
            parent.cpu_children.append(self)

    @property
    def key(self) -> str:
        return self.name

    @property
    def time_range(self) -> tuple[float, float]:
        """(start, end) in microseconds of `time.perf_counter_ns`'s clock."""
        return self.start_ns / 1e3, self.end_ns / 1e3

    @property
    def cpu_time_total(self) -> float:
        return (self.end_ns - self.start_ns) / 1e3

    cpu_time = cpu_time_total  # one call: its average is its total

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time="
                f"{_format_time(self.cpu_time_total)} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The calls of one name (and input shapes, when grouped so) added up."""

    def __init__(self, key: str, input_shapes: list[list[int]] | None,
                 is_user_annotation: bool) -> None:
        self.key, self.input_shapes = key, input_shapes
        self.is_user_annotation = is_user_annotation
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0

    def add(self, ev: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        self.count += ev.count
        self.cpu_time_total += ev.cpu_time_total
        self.self_cpu_time_total += ev.self_cpu_time_total
        return self

    @property
    def cpu_time(self) -> float:
        """The average total time of one call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} cpu_time="
                f"{_format_time(self.cpu_time)} input_shapes={self.input_shapes}>")


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _share(us: float, total: float) -> str:
    return "NaN" if total == 0 else f"{us * 100.0 / total:.2f}%"


class EventList(list):  # type: ignore[type-arg]
    """A list of events, with PyTorch's summaries."""

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        """One `FunctionEventAvg` per name (per name and input shapes with
        ``group_by_input_shape``), in order of first call."""
        groups: dict[Any, FunctionEventAvg] = {}
        for ev in self:
            key = (ev.key, str(ev.input_shapes) if group_by_input_shape else None)
            if key not in groups:
                groups[key] = FunctionEventAvg(
                    ev.key, ev.input_shapes if group_by_input_shape else None,
                    ev.is_user_annotation)
            groups[key].add(ev)
        return EventList(groups.values())

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg("Total", None, False)
        for ev in self:
            total.add(ev)
        return total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80,
              header: str | None = None, top_level_events_only: bool = False,
              **_ignored: Any) -> str:
        """PyTorch's summary table: name, self and total time (with their share of the
        self time of all rows), the average, the call count, and the input shapes when
        the rows are grouped by them. ``sort_by`` names a time or ``count`` attribute
        (descending); device-time sorts of PyTorch sort by the cpu time here, as there is
        no device timeline.

        Raises:
            ValueError: ``sort_by`` names nothing an event has.
        """
        rows = [e for e in self if not top_level_events_only or
                getattr(e, "cpu_parent", None) is None]
        if sort_by is not None and rows:
            attr = sort_by.replace("cuda", "cpu").replace("device", "cpu")
            if not hasattr(rows[0], attr):
                raise ValueError(f"table: can't sort by {sort_by!r}; use one of "
                                 "cpu_time_total, self_cpu_time_total, cpu_time, count")
            rows.sort(key=lambda e: getattr(e, attr), reverse=True)
        total = self.self_cpu_time_total
        shapes = any(getattr(e, "input_shapes", None) for e in rows) and all(
            isinstance(e, FunctionEventAvg) and e.input_shapes is not None for e in rows)
        name_w = min(max([len(e.key) for e in rows] + [4]) + 4, max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                "# of Calls"]
        widths = [name_w] + [12] * len(cols)
        titles = ["Name", *cols]
        if shapes:
            shape_w = min(max(len(str(e.input_shapes)) for e in rows) + 4,
                          max_shapes_column_width)
            widths.append(shape_w)
            titles.append("Input Shapes")
        line = "  ".join("-" * w for w in widths) + "  "
        out = [header] if header else []
        out += [line, "  ".join(t.rjust(w) for t, w in zip(titles, widths)) + "  ", line]
        for e in rows[:row_limit] if row_limit > 0 else rows:
            name = e.key if len(e.key) <= name_w - 3 else e.key[:name_w - 6] + "..."
            cells = [name, _share(e.self_cpu_time_total, total),
                     _format_time(e.self_cpu_time_total),
                     _share(e.cpu_time_total, total), _format_time(e.cpu_time_total),
                     _format_time(e.cpu_time), str(e.count)]
            if shapes:
                cells.append(str(e.input_shapes)[:shape_w])
            out.append("  ".join(c.rjust(w) for c, w in zip(cells, widths)) + "  ")
        out += [line, f"Self CPU time total: {_format_time(total)}", ""]
        return "\n".join(out)

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write the events (not averages) as a Chrome / Perfetto trace: one complete
        ("X") event per call, microsecond timestamps, input shapes in ``args``."""
        with open(path, "w") as f:
            json.dump({"traceEvents": list(_trace_events(self)), "displayTimeUnit": "ms"}, f)


def _trace_events(events: Iterable[FunctionEvent]) -> Iterable[dict[str, Any]]:
    pid = os.getpid()
    for e in events:
        yield {"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
               "name": e.name, "pid": pid, "tid": e.thread, "ts": e.start_ns / 1e3,
               "dur": e.cpu_time_total, "args": {"Input Dims": e.input_shapes}}
