"""The cuda backend without a GPU (CI): registered, unavailable with the reason and the fix,
its tests skipped with that reason, and ``tw.cuda`` answering as ``torch.cuda`` does.
`DeviceModule`'s functions are checked against the two-device fake backend."""

from __future__ import annotations

import importlib.util

import fake_backend
import pytest

import tensorweave as tw
from tensorweave.conformance.targets import select
from tensorweave.device_module import DeviceModule
from tensorweave.plugin.manager import get_registry, load

pytestmark = pytest.mark.skipif(importlib.util.find_spec("cupy") is not None,
                                reason="CuPy is installed: these tests are for machines "
                                       "without it")


def test_registered_but_unavailable_with_the_fix():
    info = {b["type"]: b for b in tw.devices()}["cuda"]
    assert info["available"] is False and info["devices"] == []
    assert info["reason"].startswith("CuPy is not installed")
    assert 'pip install -e ".[cuda]"' in info["reason"] and "cupy-cuda13x" in info["reason"]


def test_the_test_runs_skip_cuda_with_that_reason():
    assert ("cuda", f"cuda unavailable: {get_registry().backends['cuda'].availability()[1]}") \
        in select(["cuda"])


def test_tw_cuda_answers_like_torch_cuda_without_a_gpu():
    assert tw.cuda.is_available() is False and tw.cuda.device_count() == 0
    for call in (tw.cuda.synchronize, tw.cuda.current_device, tw.cuda.empty_cache,
                 tw.cuda.memory_allocated):
        with pytest.raises(RuntimeError, match="cuda is unavailable: CuPy is not installed"):
            call()


def test_moving_a_tensor_or_module_to_cuda_is_a_clear_error():
    with pytest.raises(tw.DeviceError, match="'cuda' is unavailable: CuPy is not installed"):
        tw.ones(2).cuda()
    with pytest.raises(tw.DeviceError, match="unavailable: CuPy is not installed"):
        tw.nn.Linear(2, 2).cuda()


@pytest.fixture
def fake():
    load(extra=[("fake", fake_backend)])
    yield DeviceModule("fake")
    load()


def test_device_module_functions_on_an_available_backend(fake):
    assert fake.is_available() and fake.device_count() == 2
    assert fake.get_device_name(1) == "Fake Device 1" and fake.get_device_name() == \
        "Fake Device 0"
    assert fake.current_device() == 0
    fake.set_device(1)
    assert fake.current_device() == 1 and tw.ones(2).to("fake").device == tw.device("fake:1")
    fake.set_device("fake:0")
    assert tw.ones(2).to("fake").device == tw.device("fake:0")
    assert fake.memory_allocated() == 0 and fake.max_memory_allocated("fake:1") == 0
    fake.synchronize()
    with pytest.raises(ValueError, match="device index 2 is out of range: there are 2 fake"):
        fake.synchronize(2)
    with pytest.raises(ValueError, match="expected a fake device; got cpu"):
        fake.get_device_name("cpu")


def test_a_device_type_nobody_registered():
    m = DeviceModule("tpu")
    assert m.is_available() is False and m.device_count() == 0
    with pytest.raises(RuntimeError, match="no 'tpu' backend is registered"):
        m.synchronize()
