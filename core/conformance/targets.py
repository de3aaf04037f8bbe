"""Which devices a conformance run targets: every available device of every registered
backend, or those named, with each unavailable backend kept as a reasoned skip."""

from __future__ import annotations

import os
from typing import Sequence

__all__ = ["ENV", "select"]

ENV = "TENSORWEAVE_TEST_DEVICES"
"""Comma-separated device types or names that restrict a pytest run (``cpu,opencl:0``)."""


def select(only: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """``(device, skip reason)`` pairs; the reason is "" for a device that can run.

    Args:
        only: device types (``"opencl"``) or names (``"opencl:1"``) to keep; default
            from `ENV`, and every registered device when that is empty too.
    """
    import tensorweave as tw

    if only is None:
        only = [d.strip() for d in os.environ.get(ENV, "").split(",") if d.strip()]
    out = []
    for b in tw.devices():
        if only and b["type"] not in only and not any(d.startswith(b["type"]) for d in only):
            continue
        if not b["available"]:
            out.append((b["type"], f"{b['type']} unavailable: {b['reason']}"))
            continue
        for d in b["devices"]:
            if only and d["name"] not in only and b["type"] not in only:
                continue
            out.append((d["name"], ""))
    return out
