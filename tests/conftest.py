"""The ``device`` fixture: every available device of every registered backend.

``TENSORWEAVE_TEST_DEVICES`` (comma-separated) restricts the run; unavailable
backends are skipped with their own reason (`tensorweave.conformance.targets`).
"""

from __future__ import annotations

import pytest

from tensorweave.conformance.targets import select

DEVICES = [pytest.param(name, id=name, marks=[pytest.mark.skip(reason=why)] if why else [])
           for name, why in select()]


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    return request.param
