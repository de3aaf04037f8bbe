"""A pytest plugin that runs the shipped conformance modules against chosen devices.

A backend package's own test run uses it with two lines -- in ``conftest.py``
``pytest_plugins = ["tensorweave.conformance.pytest_plugin"]``, and in a test module
``from tensorweave.conformance.tests.test_ops import *`` (and ``test_modules``,
``test_semantics``) -- then ``pytest --tw-device mydev``. ``tensorweave conformance
--pytest --device X`` does exactly that in a temporary folder. Without ``--tw-device`` the
devices come from ``TENSORWEAVE_TEST_DEVICES``, or are every available device.
"""

from __future__ import annotations

import pytest

from tensorweave.conformance.targets import select


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--tw-device", action="append", default=[], metavar="DEVICE",
                     help="a tensorweave device to check (repeatable; default: every "
                          "available device, or TENSORWEAVE_TEST_DEVICES)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "device" not in metafunc.fixturenames:
        return
    named = metafunc.config.getoption("tw_device") or None
    params = [pytest.param(name, id=name, marks=[pytest.mark.skip(reason=why)] if why else [])
              for name, why in select(named)]
    if named and not params:
        raise pytest.UsageError(f"--tw-device {named}: no such registered device "
                                "(`tensorweave devices` lists them)")
    metafunc.parametrize("device", params)


def run_pytest(devices: list[str], args: list[str]) -> int:
    """Run the shipped modules under pytest against ``devices`` in a fresh process (what
    ``tensorweave conformance --pytest`` does); returns pytest's exit status."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="tw-conformance-") as tmp:
        root = Path(tmp)
        (root / "conftest.py").write_text(
            'pytest_plugins = ["tensorweave.conformance.pytest_plugin"]\n')
        (root / "test_conformance.py").write_text("".join(
            f"from tensorweave.conformance.tests.{m} import *  # noqa: F403\n"
            for m in ("test_ops", "test_modules", "test_semantics")))
        cmd = [sys.executable, "-m", "pytest", str(root), "-p", "no:cacheprovider",
               "--rootdir", str(root), *[f"--tw-device={d}" for d in devices], *args]
        return subprocess.call(cmd)
