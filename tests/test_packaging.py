"""Packaging: the wheel holds every package and the entry points; the README's commands work.

Building the wheel takes a few seconds (setuptools in a child process), so it stays in the
default run: a wheel missing a backend or its entry point would otherwise only show up
after a release.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tensorweave as tw

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources, and
    # other test runs may share the checkout.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("core", "backends", "plugins"):
        shutil.copytree(ROOT / folder, src / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                          "--no-build-isolation", "-q", "-w", str(out), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    (path,) = out.glob("tensorweave-*.whl")
    return zipfile.ZipFile(path)


def _dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    (member,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(member).decode()


def test_wheel_holds_core_backends_and_plugins(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for path in ("tensorweave/__init__.py", "tensorweave/cli.py",
                 "tensorweave/plugin/hookspecs.py", "tensorweave/backends/__init__.py",
                 "tensorweave/backends/cpu/__init__.py", "tensorweave/backends/cpu/kernels.py",
                 "tensorweave/plugins/__init__.py", "tensorweave/conformance/samples.py",
                 "tensorweave/conformance/tests/test_ops.py"):  # the suite ships
        assert path in names, path
    # Every module of the source tree is in the wheel, under the import name only.
    for folder, package in (("core", "tensorweave"), ("backends", "tensorweave/backends"),
                            ("plugins", "tensorweave/plugins")):
        for py in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in py.parts:
                assert f"{package}/{py.relative_to(ROOT / folder).as_posix()}" in names
    # So is every kernel source the backends compile at run time.
    for src in [*(ROOT / "backends").rglob("*.cl"), *(ROOT / "backends").rglob("*.cu")]:
        assert f"tensorweave/backends/{src.relative_to(ROOT / 'backends').as_posix()}" in names
    assert not [n for n in names if n.split("/")[0] in ("core", "backends", "plugins", "tests")]


def test_wheel_entry_points(wheel: zipfile.ZipFile) -> None:
    eps = configparser.ConfigParser(delimiters=("=",))
    eps.read_string(_dist_info(wheel, "entry_points.txt"))
    assert eps["tensorweave"]["cpu"] == "tensorweave.backends.cpu"
    assert eps["console_scripts"]["tensorweave"] == "tensorweave.cli:main"


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    meta = _dist_info(wheel, "METADATA")
    assert "Name: tensorweave\n" in meta
    assert f"Version: {tw.__version__}\n" in meta
    # PyTorch is an optional test oracle, pinned, and never a runtime requirement.
    assert 'Requires-Dist: torch==2.13.0; extra == "oracle"' in meta
    runtime = [line for line in meta.splitlines()
               if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert sorted(r.split()[1].split(">")[0] for r in runtime) == [
        "ml_dtypes", "numpy", "pluggy", "tqdm"]


# -- the README's commands ---------------------------------------------------------------------


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_readme_quick_start_has_two_commands_and_ci_runs_the_second() -> None:
    run, tests = _quick_start_commands()
    assert run == ("python3 -m venv .venv && . .venv/bin/activate && pip install -e "
                   "\".[vision]\" && tensorweave train")
    assert tests.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci


def test_tox_runs_the_same_pytest_command() -> None:
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    assert tox["testenv"]["commands"].strip() == "python -m pytest -q -n auto {posargs}"
    # The same installs as the README's command: the dev and oracle extras, the example plugin.
    assert tox["testenv"]["extras"].strip() == "dev, oracle, vision"
    assert "examples/squareplus-plugin" in tox["testenv"]["commands_pre"]
    assert "examples/minimal-backend" in tox["testenv"]["commands_pre"]
    assert "cpu" in tox["tox"]["envlist"]


def test_quickstart_example_converges() -> None:
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    last = res.stdout.splitlines()[-1]
    assert last.startswith("final loss: ")
    assert float(last.split(": ")[1]) < 1e-4
