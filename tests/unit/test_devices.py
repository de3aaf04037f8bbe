"""Device values, device strings, resolution errors, the default device, and tw.devices()."""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import fake_backend
import pytest
from fake_backend import install_fake, other_backends, subprocess_env

import tensorweave as tw
from tensorweave.plugin.manager import load


@pytest.fixture
def fake() -> Any:
    """The fake backend (2 devices, no kernels) and the unavailable "missing" one."""
    load(extra=[("fake", fake_backend)])
    yield
    tw.set_default_device(None)
    load()


# -- device values -----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "type_", "index", "text", "rep"), [
    (("cpu",), "cpu", None, "cpu", "device(type='cpu')"),
    (("cpu:0",), "cpu", 0, "cpu:0", "device(type='cpu', index=0)"),
    (("opencl:1",), "opencl", 1, "opencl:1", "device(type='opencl', index=1)"),
    (("cuda", 0), "cuda", 0, "cuda:0", "device(type='cuda', index=0)"),
    (("cuda",), "cuda", None, "cuda", "device(type='cuda')"),
])
def test_device_parses_like_torch(args: tuple[Any, ...], type_: str, index: Any, text: str,
                                  rep: str) -> None:
    # Parsing needs no registered backend: opencl and cuda are not installed here.
    d = tw.device(*args)
    assert (d.type, d.index, str(d), repr(d)) == (type_, index, text, rep)


def test_device_equality_hash_and_immutability() -> None:
    d = tw.device("cuda", 1)
    assert d == "cuda:1" and d == tw.device("cuda:1")
    assert d != "cuda:0" and d != "cuda" and d != "not a device!" and d != 1
    assert tw.device("cpu") == "cpu" and tw.device("cpu") != "cpu:0"
    assert {d: 1}[tw.device("cuda:1")] == 1
    assert tw.device(d) is d
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(AttributeError, match="device is immutable"):
        d.index = 2


@pytest.mark.parametrize(("args", "exc", "match"), [
    (("cpu:x",), tw.DeviceError, r"^invalid device string 'cpu:x': expected 'type' or "
                                 r"'type:index'.*Registered device types: cpu \(available\)"),
    (("",), tw.DeviceError, "invalid device string ''"),
    (("cuda:-1",), tw.DeviceError, "invalid device string 'cuda:-1'"),
    (("cuda", -1), tw.DeviceError, "index must be a non-negative int; got -1"),
    (("cuda:0", 0), ValueError, r"index given twice in 'cuda:0' and index=0"),
    ((3,), TypeError, r"expected a string like 'cpu' or 'opencl:0'; got 3"),
])
def test_malformed_devices_raise(args: tuple[Any, ...], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        tw.device(*args)


def test_device_errors_are_runtime_errors_like_torch() -> None:
    assert issubclass(tw.DeviceError, RuntimeError)


# -- resolution --------------------------------------------------------------------------------


def test_unknown_device_type_lists_registered_types() -> None:
    with pytest.raises(tw.DeviceError, match=r"^unknown device type 'nosuch'\. Registered "
                                             r"device types: cpu \(available\)"):
        tw.zeros(2, device="nosuch")


def test_cpu_has_one_device() -> None:
    assert tw.zeros(2, device="cpu:0").device == "cpu"
    assert tw.zeros(2, device=tw.device("cpu", 0)).device == tw.device("cpu")
    with pytest.raises(tw.DeviceError, match=r"^device index 3 is out of range for 'cpu': it "
                                             r"has one device, 'cpu' \(or 'cpu:0'\)"):
        tw.zeros(2, device="cpu:3")


def test_out_of_range_index_lists_the_devices(fake: None) -> None:
    with pytest.raises(tw.DeviceError, match=r"^device index 2 is out of range for 'fake': it "
                                             r"has 2 device\(s\), fake:0, fake:1$"):
        tw.tensor([1.0], device="fake:2")


def test_bare_type_means_the_current_device(fake: None) -> None:
    assert tw.tensor([1.0], device="fake").device == tw.device("fake", 0)


def test_unavailable_backend_gives_its_reason(fake: None) -> None:
    with pytest.raises(tw.DeviceError, match=r"^device 'missing' is unavailable: the "
                                             r"missingdriver package is not installed; run "
                                             r"`pip install tensorweave\[missing\]`"):
        tw.tensor([1.0], device="missing")


def test_devices_lists_every_backend_with_availability(fake: None) -> None:
    info = {b["type"]: b for b in tw.devices()}
    assert [t for t in info if t not in other_backends()] == ["cpu", "fake", "missing"]
    assert info["cpu"]["available"] and [d["name"] for d in info["cpu"]["devices"]] == ["cpu"]
    assert info["fake"]["devices"] == [{"name": "fake:0", "description": "Fake Device 0"},
                                       {"name": "fake:1", "description": "Fake Device 1"}]
    assert info["missing"] == {
        "type": "missing", "available": False, "devices": [],
        "reason": "the missingdriver package is not installed; run "
                  "`pip install tensorweave[missing]`"}


# -- tensors on devices ------------------------------------------------------------------------


def test_transfer_round_trip_keeps_values_and_dtype(fake: None) -> None:
    x = tw.tensor([[1, 2], [3, 4]], dtype=tw.int32)
    y = x.to("fake:1")
    assert (y.device, y.dtype, y.shape, y.get_device()) == ("fake:1", tw.int32, (2, 2), 1)
    assert isinstance(y._data, fake_backend.FakeArray)
    assert y.cpu().tolist() == [[1, 2], [3, 4]]
    assert y.to("fake:1") is y
    assert x.get_device() == -1


def test_device_mismatch_names_both_devices(fake: None) -> None:
    a = tw.tensor([1.0, 2.0])
    b = tw.tensor([1.0, 2.0], device="fake:1")
    with pytest.raises(tw.DeviceMismatchError, match=r"^add: Expected all tensors to be on the "
                                                     r"same device, but found tensors on cpu "
                                                     r"and fake:1\."):
        a + b
    with pytest.raises(tw.DeviceMismatchError, match="on fake:0 and fake:1"):
        tw.mul(b.to("fake:0"), b)
    assert issubclass(tw.DeviceMismatchError, RuntimeError)


# -- the default device ------------------------------------------------------------------------


def test_set_default_device(fake: None) -> None:
    assert tw.get_default_device() == tw.device("cpu")
    tw.set_default_device("fake:1")
    assert tw.get_default_device() == tw.device("fake", 1)
    assert tw.tensor([1.0, 2.0]).device == "fake:1"
    with pytest.raises(tw.DeviceError, match="unknown device type 'nosuch'"):
        tw.set_default_device("nosuch")
    assert tw.get_default_device() == "fake:1"  # a failed call changes nothing
    tw.set_default_device(None)
    assert tw.tensor([1.0]).device == "cpu"


def _child(code: str, **env: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=subprocess_env(**env))


def test_default_device_env_var(tmp_path: Any) -> None:
    res = _child("import tensorweave as tw; x = tw.tensor([1.0]); "
                 "print(tw.get_default_device(), x.device, x.cpu().tolist())",
                 root=install_fake(tmp_path), TENSORWEAVE_DEVICE="fake:1")
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["fake:1", "fake:1", "[1.0]"]


def test_bad_default_device_env_var_names_the_variable() -> None:
    res = _child("import tensorweave as tw; tw.zeros(1)", TENSORWEAVE_DEVICE="cpu:7")
    assert res.returncode == 1
    assert ("DeviceError: the default device comes from TENSORWEAVE_DEVICE='cpu:7', which is "
            "not usable: device index 7 is out of range for 'cpu'") in res.stderr
