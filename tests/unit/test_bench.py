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
