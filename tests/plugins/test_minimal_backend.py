"""The example third-party backend (examples/minimal-backend), once installed, is loaded from
its distribution with no wiring and adds the device type ``minimal``. It registers kernels
for exactly the primitive ops, on natives that are not NumPy arrays, so the conformance suite
(which runs on it through the ``device`` fixture) checks every composite's decomposition and
core's backend-agnostic paths. These tests check the backend's own promises.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.ops import PRIMITIVE
from tensorweave.plugin.manager import get_registry

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tw_minimal") is None,
    reason="the example backend is not installed: pip install -e examples/minimal-backend")

# Every primitive it must provide: those of complex dtypes only are not, as it lists none.
PRIMITIVES = sorted(name for name, op in get_registry().ops.items()
                    if op.kind is PRIMITIVE and get_registry().backends["minimal"].needs_kernel(op))


def test_backend_is_loaded_from_its_distribution() -> None:
    """`tensorweave plugins` names the distribution and exactly what it registered."""
    out = subprocess.run([sys.executable, "-m", "tensorweave.cli", "plugins", "--json"],
                         capture_output=True, text=True, check=True).stdout
    info = {p["plugin"]: p for p in json.loads(out)["plugins"]}["minimal"]
    assert info["distribution"] == "tensorweave-minimal-backend"
    assert sorted(info["registered"]) == ["backends", "kernels"]
    assert info["registered"]["backends"] == ["minimal"]
    assert sorted(info["registered"]["kernels"]) == [f"minimal:{name}" for name in PRIMITIVES]


def test_kernel_table_holds_exactly_the_primitives() -> None:
    """One kernel per primitive op and none for a composite: composites decompose."""
    reg = get_registry()
    assert PRIMITIVES and sorted(reg.backends["minimal"].kernels()) == PRIMITIVES
    overridden = [op.name for op in reg.ops.values()
                  if op.kind is not PRIMITIVE and "minimal" in op.kernels]
    assert overridden == []


def test_one_device_is_listed() -> None:
    """``minimal`` is available with the single device ``minimal:0``."""
    info = {b["type"]: b for b in tw.devices()}["minimal"]
    assert info["available"] and [d["name"] for d in info["devices"]] == ["minimal:0"]
    assert tw.tensor([1.0], device="minimal").device == tw.device("minimal:0")


def test_natives_are_not_numpy_and_views_write_through_to_their_base() -> None:
    """A strided view shares its base's storage: an in-place op on it changes the base."""
    x = tw.arange(6.0, device="minimal")
    assert not isinstance(x._data, np.ndarray)
    column = x.view(2, 3)[:, 1]
    assert column.stride() == (3,) and column.storage_offset() == 1
    column.mul_(10)
    np.testing.assert_array_equal(x.cpu().numpy(), [0.0, 10.0, 2.0, 3.0, 40.0, 5.0])
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        tw.zeros(1, device="minimal").expand(3).add_(1)


def test_composite_runs_from_its_decomposition_with_gradients() -> None:
    """log_softmax has no minimal kernel; its values and gradient still match the math."""
    v = np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 0.0]])
    x = tw.tensor(v, device="minimal", requires_grad=True)
    out = tw.log_softmax(x, 1)
    want = v - v.max(1, keepdims=True)
    want -= np.log(np.exp(want).sum(1, keepdims=True))
    np.testing.assert_allclose(out.detach().cpu().numpy(), want, rtol=1e-14)
    out[:, 0].sum().backward()
    grad = np.eye(3)[0] - np.exp(want)
    np.testing.assert_allclose(x.grad.cpu().numpy(), grad, rtol=1e-14, atol=1e-15)


def test_conformance_command_passes_on_it_with_only_primitives(capsys) -> None:
    """`tensorweave conformance --device minimal` (a sample of ops, checks and modules; the
    pytest run covers all of them on this device): passes, with every composite decomposed."""
    from tensorweave import cli

    assert cli.main(["conformance", "--device", "minimal", "--ops",
                     "log_softmax,conv2d,matmul,views,promotion,Linear,LSTM,Adam"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out.splitlines()[-1]
    assert "kernels: 61 of 61 primitives native, 0 of " in out
