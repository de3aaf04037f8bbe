"""``tensorweave bench``: every workload timed for each framework in one run, with the
ratios computed from the medians (speed itself is measured, never asserted)."""

from __future__ import annotations

import pytest

from tensorweave import bench


def test_rows_hold_medians_and_their_ratios():
    rows = bench.run("cpu", rounds=2, only="matmul 1024")
    assert [r["name"] for r in rows] == ["matmul 1024x1024 float32 (waits for the result)"]
    r = rows[0]
    assert r["tensorweave"] > 0 and r["numpy"] > 0
    assert r["ratio_vs_numpy"] == pytest.approx(r["tensorweave"] / r["numpy"])
    if r["torch"] is not None:
        assert r["ratio_vs_torch"] == pytest.approx(r["tensorweave"] / r["torch"])
    table = bench.format_table(rows)
    assert table.splitlines()[0].split()[-2:] == ["tw/torch", "tw/numpy"]
    assert f"{r['ratio_vs_numpy']:.2f}x" in table.splitlines()[1]


def test_workloads_without_a_framework_show_a_dash():
    rows = bench.run("cpu", rounds=1, only="requires_grad")
    assert rows[0]["numpy"] is None and rows[0]["ratio_vs_numpy"] is None
    assert bench.format_table(rows).splitlines()[1].split()[-1] == "-"


def test_another_device_gets_a_cpu_column_and_waits_for_its_queue(twin, monkeypatch):
    waits = []
    monkeypatch.setattr(type(twin.backends["twin"]), "synchronize",
                        lambda self, index=None: waits.append(index), raising=False)
    rows = bench.run("twin", rounds=2, only="add 1-elem float32 (no grad)")
    r = rows[0]
    assert r["cpu"] > 0 and r["ratio_vs_cpu"] == pytest.approx(r["tensorweave"] / r["cpu"])
    assert len(waits) >= 3  # calibration, then each of the two rounds
    header, line = bench.format_table(rows).splitlines()[:2]
    assert header.split()[-1] == "tw/cpu" and "tw cpu" in header
    assert line.split()[-1] == f"{r['ratio_vs_cpu']:.2f}x"
    # On cpu itself there is no such column.
    assert "tw/cpu" not in bench.format_table(bench.run("cpu", rounds=1, only="no grad"))


def test_the_bfloat16_step_runs_where_the_device_lists_bfloat16():
    name = "MLP train step bf16 (784-256-128-10, b64, Adam)"
    assert [r["name"] for r in bench.run("cpu", rounds=1, only="bf16")] == [name]
    try:
        import tensorweave as tw

        tw.zeros(1, device="minimal")
    except Exception as e:  # noqa: BLE001 - the example backend is not installed here
        pytest.skip(f"no minimal backend: {e}")
    assert bench.run("minimal", rounds=1, only="bf16") == []  # it lists no bfloat16
