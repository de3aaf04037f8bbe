"""The ``device`` fixture: every available device of every registered backend.

``TENSORWEAVE_TEST_DEVICES`` (comma-separated) restricts the run; unavailable
backends are skipped with their own reason.
"""

from __future__ import annotations

import os

import pytest

import tensorweave as tw


def _device_params() -> list:
    only = [d.strip() for d in os.environ.get("TENSORWEAVE_TEST_DEVICES", "").split(",")
            if d.strip()]
    params = []
    for b in tw.devices():
        if only and b["type"] not in only and not any(d.startswith(b["type"]) for d in only):
            continue
        if not b["available"]:
            params.append(pytest.param(b["type"], marks=pytest.mark.skip(
                reason=f"{b['type']} unavailable: {b['reason']}"), id=b["type"]))
            continue
        for d in b["devices"]:
            if only and d["name"] not in only and b["type"] not in only:
                continue
            params.append(pytest.param(d["name"], id=d["name"]))
    return params


DEVICES = _device_params()


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    return request.param
