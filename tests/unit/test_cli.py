"""The ``tensorweave`` command, run as users run it: in a child process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_backend import (
    FAKE_DIST,
    drop_backend_blocks,
    install_fake,
    other_backends,
    subprocess_env,
    write_distribution,
)

import tensorweave as tw
from tensorweave.conformance.manifest import capabilities
from tensorweave.ops import CORE_OPS

VERSION = tw.__version__


def cli(*args: str, root: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tensorweave.cli", *args], capture_output=True,
                          text=True, timeout=60, env=subprocess_env(root, **env))


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "tensorweave"
    if not script.exists():
        script = Path(shutil.which("tensorweave") or "tensorweave")
    res = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60,
                         env=subprocess_env())
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"tensorweave {VERSION}\n"


def test_devices_lists_cpu() -> None:
    res = cli("devices")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "cpu: available, 1 device(s)"
    assert lines[1].startswith("  cpu: ")


def test_devices_lists_third_party_and_unavailable_backends(tmp_path: Path) -> None:
    res = cli("devices", root=install_fake(tmp_path))
    assert res.returncode == 0, res.stderr
    lines = drop_backend_blocks(res.stdout.splitlines(), other_backends())
    n = capabilities(tw.get_registry().backends["cpu"])["counts"]
    assert lines[2] == (f"  kernels: {n['native']} of {n['primitives']} primitives native, "
                        f"{n['overridden_composites']} composites overridden")
    fake = lines[lines.index("fake: available, 2 device(s)"):]
    assert fake[:3] == ["fake: available, 2 device(s)", "  fake:0: Fake Device 0",
                        "  fake:1: Fake Device 1"]
    assert fake[4] == ("missing: unavailable: the missingdriver package is not installed; run "
                       "`pip install tensorweave[missing]`")
    for kernels in (fake[3], fake[5]):  # neither backend has a kernel
        assert kernels == ("  kernels: 0 of 61 primitives native (missing: abs, add, amax, "
                           "arange, argmax, as_strided, assign, atan2, ...), 0 composites "
                           "overridden")
    assert fake[6:] == ["fallback policy: 'error'"]


def test_devices_json(tmp_path: Path) -> None:
    res = cli("devices", "--json", root=install_fake(tmp_path))
    assert res.returncode == 0, res.stderr
    info = {b["type"]: b for b in json.loads(res.stdout)}
    assert [t for t in info if t not in other_backends()] == ["cpu", "fake", "missing"]
    assert info["cpu"]["available"] is True and info["cpu"]["reason"] == ""
    assert info["cpu"]["devices"][0]["name"] == "cpu"
    assert [d["name"] for d in info["fake"]["devices"]] == ["fake:0", "fake:1"]
    assert info["missing"]["available"] is False
    assert "pip install tensorweave[missing]" in info["missing"]["reason"]


def test_plugins_lists_plugin_distribution_version_and_items(tmp_path: Path) -> None:
    res = cli("plugins", root=install_fake(tmp_path))
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    assert out[0] == f"core  (tensorweave {VERSION})"
    assert out[1].startswith("  ops: ") and "add" in out[1] and "in all)" in out[1]
    cpu = out.index(f"cpu  (tensorweave {VERSION})")
    assert out[cpu + 1] == "  backends: cpu"
    assert out[cpu + 2].startswith("  kernels: cpu:")
    fake = out.index(f"fake  ({FAKE_DIST[0]} {FAKE_DIST[1]})")
    assert out[fake + 1] == "  backends: fake, missing"
    assert fake + 2 == len(out) or not out[fake + 2].startswith(" ")  # the next plugin's header


def test_plugins_json() -> None:
    res = cli("plugins", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["blocked"] == []
    rows = {p["plugin"]: p for p in data["plugins"]}
    assert rows["cpu"]["distribution"] == "tensorweave"
    assert rows["cpu"]["version"] == VERSION
    assert rows["cpu"]["registered"]["backends"] == ["cpu"]
    assert {op.name for op in CORE_OPS} == set(rows["core"]["registered"]["ops"])
    assert {f"cpu:{op.name}" for op in CORE_OPS
            if "cpu" in op.kernels} == set(rows["cpu"]["registered"]["kernels"])


def test_disable_env_var_blocks_a_plugin() -> None:
    res = cli("plugins", "--json", TENSORWEAVE_DISABLE_PLUGINS="cpu")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert "cpu" not in [p["plugin"] for p in data["plugins"]]
    assert data["blocked"] == ["cpu"]
    assert cli("plugins", TENSORWEAVE_DISABLE_PLUGINS="cpu").stdout.endswith("blocked: cpu\n")

    # Every backend plugin that may be installed, blocked: none is left.
    res = cli("devices", TENSORWEAVE_DISABLE_PLUGINS="cpu,opencl,cuda,minimal")
    assert res.returncode == 1
    assert res.stderr.startswith("no backends registered")


def test_plugin_errors_exit_1_without_a_traceback(tmp_path: Path) -> None:
    write_distribution(tmp_path, "tw-broken", "0.3", {"broken": "tw_broken"},
                       {"tw_broken": "raise ImportError('needs libfoo')\n"})
    for command in ("devices", "plugins"):
        res = cli(command, root=tmp_path)
        assert res.returncode == 1
        assert res.stderr.startswith(
            f"tensorweave {command}: error: plugin 'broken' (distribution tw-broken 0.3) failed "
            "to import: ImportError('needs libfoo').")
        assert "Traceback" not in res.stderr
    assert cli("plugins", root=tmp_path, TENSORWEAVE_DISABLE_PLUGINS="broken").returncode == 0


@pytest.mark.parametrize("args", [(), ("nosuch",)])
def test_usage_errors(args: Any) -> None:
    res = cli(*args)
    assert res.returncode == 2
    assert "usage: tensorweave" in res.stderr
