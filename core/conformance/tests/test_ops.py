"""Every op's conformance entry on the devices under test: forward in every dtype the
device supports, backward and second derivatives in float64 (`tensorweave.conformance.runner`).
A backend's known failures skip with their reason (`suite.apply_known`)."""

from __future__ import annotations

import pytest

from tensorweave import dtypes as D
from tensorweave.conformance import runner, suite
from tensorweave.plugin.manager import get_registry

OPS = sorted(get_registry().ops.values(), key=lambda op: op.name)
FORWARD = [pytest.param(op, dt, id=f"{op.name}-{dt.name}") for op in OPS for dt in op.dtypes
           if op.samples is not None]
BACKWARD = [pytest.param(op, id=op.name) for op in OPS
            if op.samples is not None and op.differentiable and op.ref is not None]


@pytest.mark.parametrize("op,dtype", FORWARD)
def test_forward_matches_numpy_float64_reference(op, dtype, device):
    """Each sample's result equals the NumPy float64 reference within the dtype's tolerance."""
    suite.pytest_verdict(device, dtype, op.name, lambda: runner.check_forward(op, device, dtype))


@pytest.mark.parametrize("op", BACKWARD)
def test_backward_matches_numerical_gradient(op, device):
    """float64 gradients equal central differences of the forward."""
    suite.pytest_verdict(device, D.float64, op.name, lambda: runner.check_backward(op, device))


def test_every_op_has_a_conformance_entry():
    """An op without samples or reference would silently escape the suite."""
    missing = [op.name for op in OPS if op.samples is None or op.ref is None]
    allowed = {"to_device", "assign"}  # exercised by the device round-trip and in-place tests
    assert sorted(set(missing) - allowed) == []


GRADGRAD = [pytest.param(op, id=op.name) for op in OPS
            if op.samples is not None and op.differentiable and op.gradgrad]


@pytest.mark.parametrize("op", GRADGRAD)
def test_second_derivatives_match_gradgradcheck(op, device):
    """Ops declared with gradgrad=True: the vjp's own derivative matches finite differences."""
    suite.pytest_verdict(device, D.float64, op.name, lambda: runner.check_gradgrad(op, device))
