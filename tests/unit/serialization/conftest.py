"""Fixtures for the serialization tests: ``fake``, the fake backend's two devices (transfers
only, no kernels), shared with the device tests rather than copied.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/unit: fake_backend

from test_devices import fake  # noqa: E402, F401 - the fixture, found here by pytest
