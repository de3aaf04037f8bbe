"""``tw.accelerator``, ``tw.cpu``, `get_device_module`, and the top-level names PyTorch code
reaches for beside them (constants, ``default_generator``, ``GradScaler``,
``OutOfMemoryError``), against PyTorch where it has an answer on this machine."""

from __future__ import annotations

import math
from typing import Any

import fake_backend
import numpy as np
import pytest
from _raised import errors
from fake_backend import other_backends

import tensorweave as tw
from tensorweave.device import resolve
from tensorweave.plugin.manager import load

torch = pytest.importorskip("torch")


def _other_backend_plugins() -> list[str]:
    return [p.name for p in tw.get_registry().plugins
            if set(p.registered.get("backends", [])) & set(other_backends())]


@pytest.fixture
def cpu_only() -> Any:
    """Only cpu (and cuda, unavailable without CuPy or a GPU) registered: no accelerator."""
    if tw.cuda.is_available():
        pytest.skip("a GPU is the accelerator here")
    load(blocked=_other_backend_plugins())
    yield
    load()


@pytest.fixture
def fake() -> Any:
    """Besides cpu, only the fake backend (two devices) and the unavailable "missing" one."""
    if tw.cuda.is_available():
        pytest.skip("a GPU is the accelerator here")
    load(extra=[("fake", fake_backend)], blocked=_other_backend_plugins())
    yield
    tw.set_default_device(None)
    load()


def test_no_accelerator_answers_as_torch_without_one(cpu_only: None) -> None:
    assert tw.accelerator.current_accelerator() is None
    assert torch.accelerator.current_accelerator() is None
    assert tw.accelerator.is_available() is torch.accelerator.is_available() is False
    assert tw.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert errors(tw.accelerator.current_device_index) == errors(
        torch.accelerator.current_device_index)
    with pytest.raises(RuntimeError, match="none is available"):
        tw.accelerator.synchronize()
    assert tw.get_device_module() is tw.cpu


def test_the_first_available_backend_is_the_accelerator(fake: None) -> None:
    assert tw.accelerator.current_accelerator() == tw.device("fake")  # "missing" is skipped
    assert tw.accelerator.is_available() and tw.accelerator.device_count() == 2
    assert tw.get_device_module() is tw.get_device_module("fake:1")
    assert tw.accelerator.current_device_index() == 0
    with tw.accelerator.device_index(1):
        assert tw.accelerator.current_device_idx() == 1
        assert resolve("fake")[0] == tw.device("fake:1")
        with tw.accelerator.device_index(None):
            assert tw.accelerator.current_device_index() == 1
    assert tw.accelerator.current_device_index() == 0
    tw.accelerator.set_device_idx(1)
    assert tw.get_device_module("fake").current_device() == 1
    tw.accelerator.set_device_index(0)
    with pytest.raises(ValueError, match="device index 2 is out of range"):
        tw.accelerator.set_device_index(2)
    tw.accelerator.synchronize()  # the fake backend has nothing queued


def test_accelerator_lists_torchs_core_functions() -> None:
    assert all(hasattr(torch.accelerator, n) for n in tw.accelerator.__all__)
    assert tw.accelerator.current_accelerator() in (None, *(
        tw.device(t) for t in tw.get_registry().backends if t != "cpu"))


def test_cpu_module_answers_as_torch_cpu() -> None:
    assert tw.cpu.is_available() is torch.cpu.is_available() is True
    assert tw.cpu.device_count() == torch.cpu.device_count() == 1
    assert tw.cpu.current_device() == torch.cpu.current_device() == "cpu"
    assert tw.cpu.is_initialized() is torch.cpu.is_initialized()
    tw.cpu.set_device("cpu")
    tw.cpu.synchronize()
    assert tw.cpu.current_device() == "cpu"
    assert tw.get_device_module("cpu") is tw.get_device_module(tw.device("cpu")) is tw.cpu
    assert tw.get_device_module("cuda:0") is tw.cuda
    assert tw.get_device_module("opencl") is tw.opencl
    with pytest.warns(FutureWarning, match="cpu.amp.autocast"), tw.cpu.amp.autocast():
        assert tw.is_autocast_enabled("cpu")


def test_get_device_module_refuses_a_bad_device_string() -> None:
    with pytest.raises(RuntimeError):
        tw.get_device_module("cpu:x")


def test_constants_are_torchs() -> None:
    assert (tw.pi, tw.e, tw.inf) == (torch.pi, torch.e, torch.inf) == (math.pi, math.e, math.inf)
    assert math.isnan(tw.nan) and tw.newaxis is torch.newaxis is None
    x = tw.arange(6.0).view(2, 3)
    assert x[:, tw.newaxis].shape == (2, 1, 3)


def test_default_generator_is_the_cpu_default() -> None:
    tw.default_generator.manual_seed(3)
    a = tw.rand(4)
    tw.manual_seed(3)
    np.testing.assert_array_equal(a.numpy(), tw.rand(4).numpy())
    assert tw.default_generator.initial_seed() == 3
    assert tw.default_generator.device == tw.device("cpu")


def test_top_level_aliases() -> None:
    assert tw.GradScaler is tw.amp.GradScaler
    assert issubclass(tw.OutOfMemoryError, RuntimeError)
    assert issubclass(torch.OutOfMemoryError, RuntimeError)
    assert tw.is_storage(tw.ones(1)) is torch.is_storage(torch.ones(1)) is False


def test_an_allocation_that_cannot_fit_is_an_out_of_memory_error() -> None:
    """NumPy's MemoryError reaches the user as PyTorch's exception type, naming the op."""
    with pytest.raises(tw.OutOfMemoryError, match="^full: Unable to allocate"):
        tw.empty(2**40, 2**20)
    with pytest.raises(MemoryError):  # still a MemoryError for code that catches that
        tw.zeros(2**40, 2**20)


def test_set_multithreading_enabled_keeps_gradients() -> None:
    x = tw.tensor([1.0, 2.0], requires_grad=True)
    with tw.autograd.set_multithreading_enabled(False):
        (x ** 3).sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]
    assert tw.autograd.set_multithreading_enabled(True).clone().mode is True


def test_functionalize_keeps_results_and_input_mutations() -> None:
    def f(a: Any) -> Any:
        b = a.clone()
        b.add_(1)
        a.mul_(2)
        return b.view(-1)

    for fw in (tw, torch):
        x = fw.tensor([[1.0, 2.0]])
        out = fw.func.functionalize(f)(x)
        assert out.tolist() == [2.0, 3.0] and x.tolist() == [[2.0, 4.0]]
    assert (errors(tw.func.functionalize, f, remove="views")
            == errors(torch.func.functionalize, f, remove="views"))
