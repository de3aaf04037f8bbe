"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest
import twin_backend

from tensorweave.plugin.manager import load


@pytest.fixture(scope="module")
def twin():
    """The test device ``twin`` (cpu's kernels on a device of its own), for one module."""
    reg = load(extra=[("twin", twin_backend)])
    yield reg
    load()
