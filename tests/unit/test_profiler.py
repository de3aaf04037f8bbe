"""``tw.profiler``: the events the dispatcher records (names, shapes, nesting, self times),
``key_averages``/``table``, schedules against PyTorch's, traces and their handlers."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from _raised import errors

import tensorweave as tw
from tensorweave.profiler import ProfilerAction, profile, record_function, schedule
from tensorweave.profiler.recorder import state

torch = pytest.importorskip("torch")


def _names(events: Any) -> list[str]:
    return [e.name for e in events]


def test_each_op_call_is_an_event_with_its_input_shapes() -> None:
    a, b = tw.ones(2, 3), tw.ones(3)
    with profile(record_shapes=True) as prof:
        c = a + b
        c.sum(dim=1)
    assert _names(prof.events()) == ["add", "sum"]
    assert [e.input_shapes for e in prof.events()] == [[[2, 3], [3]], [[2, 3]]]
    with profile() as prof:
        a * 2.0
    assert prof.events()[0].input_shapes == []  # shapes only when asked for


def test_composites_contain_the_ops_they_decompose_into() -> None:
    x = tw.randn(4, 3)
    with profile() as prof:
        tw.logsumexp(x, 0)
    top = [e for e in prof.events() if e.cpu_parent is None]
    assert _names(top) == ["logsumexp"]
    loss = top[0]
    assert loss.cpu_children and all(c.cpu_parent is loss for c in loss.cpu_children)
    assert set(_names(prof.events()[1:])) >= {"amax", "sub", "exp", "log"}
    inner = sum(c.cpu_time_total for c in loss.cpu_children)
    assert loss.self_cpu_time_total == pytest.approx(loss.cpu_time_total - inner)
    for child in loss.cpu_children:  # children lie inside their parent's time range
        assert loss.time_range[0] <= child.time_range[0] <= child.time_range[1]
        assert child.time_range[1] <= loss.time_range[1]


def test_backward_ops_are_recorded_too() -> None:
    x = tw.randn(3, requires_grad=True)
    with profile() as prof:
        (x.exp() * 2).sum().backward()
    names = _names(prof.events())
    assert names[:3] == ["exp", "mul", "sum"] and len(names) > 3  # then the backward ops


def test_record_function_regions_nest_their_ops() -> None:
    @record_function("helper")
    def helper(t: Any) -> Any:
        return t.neg()

    with profile() as prof:
        with record_function("outer"):
            helper(tw.ones(2))
    outer, ones, inner, neg = prof.events()
    assert _names(prof.events()) == ["outer", "full", "helper", "neg"]
    assert ones.cpu_parent is outer
    assert outer.is_user_annotation and not neg.is_user_annotation
    assert neg.cpu_parent is inner and inner.cpu_parent is outer
    with record_function("ignored"):  # outside a profile nothing is recorded
        tw.ones(1).neg()
    assert state.events == [] and not state.active


def test_key_averages_add_up_the_calls() -> None:
    x = tw.ones(4)
    with profile(record_shapes=True) as prof:
        for _ in range(5):
            x = x + 1
        x[:2] + 1
    avg = {e.key: e for e in prof.key_averages()}
    adds = [e for e in prof.events() if e.name == "add"]
    assert avg["add"].count == 6 == len(adds)
    assert avg["add"].cpu_time_total == pytest.approx(sum(e.cpu_time_total for e in adds))
    assert avg["add"].cpu_time == pytest.approx(avg["add"].cpu_time_total / 6)
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert sorted((e.key, str(e.input_shapes), e.count) for e in by_shape if e.key == "add") \
        == [("add", "[[2], []]", 1), ("add", "[[4], []]", 5)]


def test_table_is_torchs_layout() -> None:
    x = tw.randn(8, 8)
    with profile(record_shapes=True) as prof:
        for _ in range(3):
            (x @ x).relu()
    avgs = prof.key_averages()
    text = avgs.table(sort_by="cpu_time_total", row_limit=1)
    lines = text.splitlines()
    assert lines[1].split() == ["Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%",
                                "CPU", "total", "CPU", "time", "avg", "#", "of", "Calls"]
    top = max(avgs, key=lambda e: e.cpu_time_total)
    assert lines[3].split()[0] == top.key and lines[3].split()[-1] == "3"
    assert len(lines) == 6 and lines[5].startswith("Self CPU time total: ")
    shaped = prof.key_averages(group_by_input_shape=True).table()
    assert "Input Shapes" in shaped and "[[8, 8], [8, 8]]" in shaped
    with pytest.raises(ValueError, match="can't sort by 'flops'"):
        avgs.table(sort_by="flops")
    assert avgs.table(sort_by="cuda_time_total")  # no device timeline: the cpu time


@pytest.mark.parametrize("kwargs", [
    {"wait": 1, "warmup": 1, "active": 2}, {"wait": 0, "warmup": 1, "active": 1, "repeat": 2},
    {"wait": 2, "warmup": 1, "active": 3, "repeat": 1, "skip_first": 3},
    {"wait": 3, "warmup": 1, "active": 1, "skip_first": 2, "skip_first_wait": 1},
])
def test_schedule_actions_are_torchs(kwargs: dict[str, int]) -> None:
    ours, theirs = schedule(**kwargs), torch.profiler.schedule(**kwargs)
    assert [ours(s).name for s in range(20)] == [theirs(s).name for s in range(20)]


@pytest.mark.parametrize("kwargs", [{"wait": -1, "warmup": 1, "active": 1},
                                    {"wait": 1, "warmup": 1, "active": 0}])
def test_bad_schedules_fail_as_torchs(kwargs: dict[str, int]) -> None:
    assert errors(schedule, **kwargs) == errors(torch.profiler.schedule, **kwargs)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        schedule(wait=0, warmup=0, active=1)


def _recorded_steps(fw: Any, sched: dict[str, int], steps: int) -> list[list[str]]:
    """The ``step<i>`` regions of each recording that ``on_trace_ready`` receives."""
    got: list[list[str]] = []

    def ready(prof: Any) -> None:
        got.append([e.name for e in prof.events() if e.name.startswith("step")])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fw.profiler.profile(schedule=fw.profiler.schedule(**sched),
                                 on_trace_ready=ready) as prof:
            for i in range(steps):
                with fw.profiler.record_function(f"step{i}"):
                    fw.ones(2) + i
                prof.step()
    return got


@pytest.mark.parametrize(("sched", "steps"), [
    ({"wait": 1, "warmup": 1, "active": 2, "repeat": 1}, 6),
    ({"wait": 1, "warmup": 0, "active": 2}, 7),
    ({"wait": 0, "warmup": 1, "active": 1, "repeat": 3, "skip_first": 1}, 9),
])
def test_a_schedule_records_the_steps_torch_records(sched: dict[str, int], steps: int) -> None:
    assert _recorded_steps(tw, sched, steps) == _recorded_steps(torch, sched, steps)


def test_without_a_schedule_the_whole_profile_reaches_on_trace_ready() -> None:
    seen: list[list[str]] = []
    with profile(on_trace_ready=lambda p: seen.append(_names(p.events()))) as prof:
        tw.ones(1).neg()
        prof.step()
        tw.ones(1).exp()
    assert seen == [["full", "neg", "full", "exp"]]
    assert prof.step_num == 1 and prof.current_action is ProfilerAction.NONE


def test_recording_stops_when_the_block_raises() -> None:
    with pytest.raises(ZeroDivisionError), profile():
        tw.ones(1).neg()
        1 / 0  # noqa: B018
    assert not state.active
    assert tw.ones(2).add(1).tolist() == [2.0, 2.0]


def test_one_profile_records_at_a_time() -> None:
    with profile(), pytest.raises(RuntimeError, match="another profiler is already recording"):
        profile().start()


def test_chrome_trace_has_one_complete_event_per_call(tmp_path: Path) -> None:
    with profile(record_shapes=True) as prof, record_function("region"):
        tw.ones(2, 2).sum()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(path)
    trace = json.loads(path.read_text())["traceEvents"]
    assert [(e["name"], e["ph"], e["cat"]) for e in trace] == [
        ("region", "X", "user_annotation"), ("full", "X", "cpu_op"), ("sum", "X", "cpu_op")]
    assert trace[2]["args"]["Input Dims"] == [[2, 2]]
    assert trace[0]["ts"] <= trace[2]["ts"] and trace[2]["dur"] <= trace[0]["dur"]


@pytest.mark.parametrize("use_gzip", [False, True])
def test_tensorboard_trace_handler_writes_each_recording(tmp_path: Path, use_gzip: bool) -> None:
    handler = tw.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), "worker0", use_gzip)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = schedule(wait=0, warmup=0, active=1, repeat=2)
    with profile(schedule=sched, on_trace_ready=handler) as prof:
        for _ in range(3):
            tw.ones(1).neg()
            prof.step()
    files = sorted((tmp_path / "tb").iterdir())
    assert len(files) == 2 and all(f.name.startswith("worker0.") for f in files)
    suffix = ".pt.trace.json.gz" if use_gzip else ".pt.trace.json"
    assert all(f.name.endswith(suffix) for f in files)
    raw = gzip.decompress(files[0].read_bytes()) if use_gzip else files[0].read_bytes()
    assert [e["name"] for e in json.loads(raw)["traceEvents"]] == ["full", "neg"]


def test_ops_on_another_backend_are_recorded() -> None:
    x = tw.ones(3, device="opencl:0")
    with profile() as prof:
        (x * 2).sum()
    assert _names(prof.events()) == ["mul", "sum"]


def test_module_lists_torchs_names() -> None:
    assert all(hasattr(torch.profiler, n) for n in tw.profiler.__all__
               if n not in ("EventList", "FunctionEvent", "FunctionEventAvg"))
    assert {a.name for a in tw.profiler.ProfilerActivity} <= set(
        torch.profiler.ProfilerActivity.__members__)
