"""Behaviour across ops on the devices under test: views and aliasing, in-place writes and
version counters, type promotion, ``.to()`` round trips and dropout's statistics
(`tensorweave.conformance.semantics`)."""

from __future__ import annotations

import pytest

from tensorweave import dtypes as D
from tensorweave.conformance import semantics, suite

CASES = [pytest.param(check, dt, id=f"{name}-{dt.name}" if dt else name)
         for name, (check, dtypes) in semantics.CHECKS.items()
         for dt in (dtypes if dtypes is not None else (None,))]


@pytest.mark.parametrize("check,dtype", CASES)
def test_semantics(check, dtype, device):
    if dtype is None:  # the check spans every dtype the device supports
        usable = tuple(d for d in D.ALL_AND_COMPLEX if suite.supports(device, d))
        suite.pytest_verdict(device, None, check.__name__, lambda: check(device, usable))
    else:
        suite.pytest_verdict(device, dtype, check.__name__, lambda: check(device, dtype))
