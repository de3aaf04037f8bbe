"""``tensorweave conformance`` as a product: the report, a broken kernel caught and named,
known failures, unsupported dtypes, the semantic checks, the capability manifest and the
pytest entry point. A second device, ``twin`` (tests/unit/twin_backend.py), runs the cpu
kernels so a test can break one of them while cpu stays the reference."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import twin_backend
from twin_backend import break_kernel

from tensorweave import cli
from tensorweave import dtypes as D
from tensorweave.conformance import manifest, semantics, suite
from tensorweave.plugin.manager import get_registry, load


def test_cpu_passes_with_a_table_summary_and_both_report_formats(tmp_path, capsys):
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    assert cli.main(["conformance", "--device", "cpu", "--ops", "exp,add,views,Linear",
                     "--report", str(md)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.startswith(("exp ", "views ", "Linear "))}
    # float16, bfloat16, float32, float64, complex64, complex128, grad
    assert rows["exp"] == ["ok"] * 7
    assert rows["Linear"] == ["ok"]
    assert "conformance on cpu: passed:" in out and " 0 failed" in out
    text = md.read_text()
    prims = [o for o in get_registry().ops.values() if o.kind.value == "primitive"]
    assert "| op | bool |" in text and "| exp |" in text and f'"native": {len(prims)}' in text
    assert cli.main(["conformance", "--device", "cpu", "--ops", "exp", "--dtypes", "float32",
                     "--report", str(js)]) == 0
    rep = json.loads(js.read_text())
    assert rep["passed"] is True
    # Gradients are checked in float64, which --dtypes float32 leaves out.
    assert [(c["op"], c["dtype"]) for c in rep["cells"]] == [("exp", "float32")]
    assert all(r["passed"] for r in rep["results"]) and len(rep["results"]) > 5


def test_broken_kernel_is_caught_with_op_dtype_and_error(twin, monkeypatch, capsys):
    break_kernel(monkeypatch, "exp", lambda k: lambda x: k(x) * 1.001)
    assert cli.main(["conformance", "--device", "twin:0", "--ops", "exp"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out.splitlines()[-1]
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("exp [float32]"))
    assert "max abs error" in line and "max rel error 0.001" in line
    assert "worst: forward" in line  # the failing input is named
    exp_row = next(ln for ln in out.splitlines() if ln.startswith("exp "))
    # float16's and bfloat16's tolerances are 1e-2 and 1.6e-2 (bfloat16 runs the float32
    # kernel); then float32, float64, complex64, complex128, grad
    assert exp_row.split()[1:] == ["ok", "ok", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL"]


def test_a_raising_kernel_is_a_failure_not_a_crash(twin, monkeypatch):
    def boom(k):
        def kernel(x):
            raise RuntimeError("kernel exploded")
        return kernel
    break_kernel(monkeypatch, "neg", boom)
    results = suite.run("twin", ops=["neg"], dtypes=["int32"])
    assert results and all(not r.passed for r in results)
    assert "kernel exploded" in results[0].detail and results[0].op == "neg"


def test_known_failures_skip_with_their_reason_and_stale_ones_fail(twin, monkeypatch):
    monkeypatch.setattr(twin_backend.TwinBackend, "known_failures",
                        {"exp:float16": "half-precision exp is approximate here"})
    break_kernel(monkeypatch, "exp",
                 lambda k: lambda x: k(x) * (1.1 if x.dtype == np.float16 else 1))
    results = suite.run("twin", ops=["exp"], groups=["ops"])
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    half = [r for r in results if r.dtype == "float16" and r.skipped]
    assert len(half) >= 5 and all("half-precision exp" in r.detail for r in half)
    monkeypatch.setitem(get_registry().ops["exp"].kernels, "twin",
                        get_registry().ops["exp"].kernels["cpu"])
    stale = [r for r in suite.run("twin", ops=["exp"], groups=["ops"]) if not r.passed]
    assert len(stale) == 1 and "remove the entry" in stale[0].detail


def test_dtypes_the_device_lacks_are_skipped_with_the_reason(twin, monkeypatch):
    monkeypatch.setattr(twin_backend.TwinBackend, "dtypes",
                        lambda self, i: tuple(d for d in D.ALL if d is not D.float64))
    results = suite.run("twin", ops=["exp"])
    f64 = [r for r in results if r.dtype == "float64"]
    assert len(f64) == 1 and f64[0].skipped and "does not support float64" in f64[0].detail
    assert not any(r.check.startswith("backward") for r in results)
    assert any(r.dtype == "float32" and not r.skipped for r in results)


def test_semantic_checks_catch_a_view_that_copies(twin, monkeypatch):
    assert all(r.passed for r in semantics.check_views("twin", D.float32))
    break_kernel(monkeypatch, "as_strided", lambda k: lambda *a, **kw: np.array(k(*a, **kw)))
    bad = [r for r in semantics.check_views("twin", D.float32) if not r.passed]
    assert bad and all(r.op == "views" for r in bad)
    assert any("as_strided" in r.check for r in bad)


def test_round_trip_check_catches_a_lossy_transfer(twin, monkeypatch):
    monkeypatch.setattr(twin_backend.TwinBackend, "to_numpy",
                        lambda self, n: np.array(n, copy=True).astype(n.dtype)[::-1].copy()
                        if n.ndim == 2 else np.array(n, copy=True))
    bad = [r for r in semantics.check_round_trip("twin", D.int64) if not r.passed]
    assert [r.check for r in bad] == ["matrix", "transposed, sliced view"]


def test_promotion_check_compares_dtypes_with_pytorchs_table():
    results = semantics.check_promotion("cpu", D.ALL)
    assert len(results) == 49 and all(r.passed for r in results)


def test_manifest_counts_native_missing_and_overridden_kernels():
    reg = get_registry()
    prims = sorted(o.name for o in reg.ops.values() if o.kind.value == "primitive")
    caps = manifest.capabilities(reg.backends["cpu"])
    assert caps["native_primitives"] == prims and caps["missing_primitives"] == []
    assert "softmax" in caps["overridden_composites"]
    assert caps["dtypes"]["cpu"] == [d.name for d in D.ALL_AND_COMPLEX]
    assert caps["fallback_policy"] == "error"


def test_manifest_of_a_backend_without_kernels_lists_every_primitive_missing(capsys):
    import fake_backend

    try:
        load(extra=[("fake", fake_backend)])
        assert cli.main(["devices", "--json"]) == 0
        info = {b["type"]: b for b in json.loads(capsys.readouterr().out)}
        fake = info["fake"]["capabilities"]
        assert fake["native_primitives"] == [] and len(fake["missing_primitives"]) == 61
        assert info["cpu"]["capabilities"]["counts"]["missing"] == 0
        assert info["missing"]["capabilities"]["dtypes"] == {}  # unavailable: no devices
    finally:
        load()


def test_pytest_entry_point_runs_the_shipped_modules(tmp_path):
    res = subprocess.run([sys.executable, "-m", "tensorweave.cli", "conformance", "--pytest",
                          "--device", "cpu", "--", "-q", "-k", "cpu-exp-float32 or views-int64"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 passed" in res.stdout  # exp's float32 forward and the int64 views


def test_unknown_device_and_bad_dtype_are_clear_errors(capsys):
    assert cli.main(["conformance", "--device", "nosuch"]) == 1
    assert "nosuch" in capsys.readouterr().err
    assert cli.main(["conformance", "--dtypes", "float99"]) == 2
    assert "float99" in capsys.readouterr().err
    assert cli.main(["conformance", "--ops", "no_such_op*"]) == 2
    assert "no check matches" in capsys.readouterr().err


def test_every_shipped_check_module_is_in_the_projects_run():
    here = Path(__file__).resolve().parents[1] / "conformance" / "test_suite.py"
    import tensorweave.conformance.tests as shipped

    modules = sorted(p.stem for p in Path(shipped.__file__).parent.glob("test_*.py"))
    assert all(f"tests.{m} import" in here.read_text() for m in modules)
