"""The registry-driven checks of layers, losses, optimizers and schedulers
(`tensorweave.conformance.modules`), on small classes defined here: what they catch, what
they report and that a third party's registered class is picked up with no test code.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.conformance import modules
from tensorweave.conformance.modules import ModuleSample, OptimizerSample, SchedulerSample
from tensorweave.plugin.manager import load


@pytest.fixture(autouse=True)
def real_registry_afterwards() -> Any:
    yield
    load()


def by_check(results: list) -> dict[str, Any]:
    return {r.check.split()[0]: r for r in results}


# -- fake layers -------------------------------------------------------------------------------


class Affine(tw.nn.Module):
    """``x * weight + bias``, per last-dim feature: a correct layer with two parameters."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.weight = tw.nn.Parameter(tw.randn(n))
        self.bias = tw.nn.Parameter(tw.randn(n))

    def forward(self, x: Any) -> Any:
        return x * self.weight + self.bias

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [ModuleSample(args=(3,), inputs=(rng.standard_normal((2, 3)),), name="2x3"),
                ModuleSample(args=(40,), inputs=(rng.standard_normal(40),), name="wide")]


class _DoubledGrad(tw.autograd.Function):
    """``x ** 3`` whose backward is twice too large."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * 6 * x * x


class WrongCube(tw.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = tw.nn.Parameter(tw.ones(3))

    def forward(self, x: Any) -> Any:
        return _DoubledGrad.apply(x * self.scale)


class Dropish(tw.nn.Module):
    """A random forward: ``x * weight`` times a fresh random mask of the current seed."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = tw.nn.Parameter(tw.randn(4))

    def forward(self, x: Any) -> Any:
        if not self.training:
            return x * self.weight
        return x * self.weight * (tw.rand(4, dtype=x.dtype, device=x.device) > 0.5)


class Linear(tw.nn.Module):
    """PyTorch's Linear, written here (so it can be compared with torch.nn.Linear)."""

    weight_name = "weight"

    def __init__(self, n_in: int, n_out: int, bias: bool = True) -> None:
        super().__init__()
        self.register_parameter(self.weight_name, tw.nn.Parameter(tw.randn(n_out, n_in)))
        self.bias = tw.nn.Parameter(tw.randn(n_out)) if bias else None

    def weight_t(self) -> Any:
        return getattr(self, self.weight_name).t()

    def forward(self, x: Any) -> Any:
        y = x @ self.weight_t()
        return y if self.bias is None else y + self.bias


class UntransposedLinear(Linear):
    """A Linear bug: ``x @ W`` instead of ``x @ W.T``."""

    def weight_t(self) -> Any:
        return self.weight


class RenamedLinear(Linear):
    """A Linear whose weight is registered as ``w``: state_dicts do not load into PyTorch's."""

    weight_name = "w"


LINEAR = ModuleSample(args=(3, 3), inputs=(np.random.default_rng(0).standard_normal((2, 3)),),
                      name="3to3")


def test_correct_layer_passes_the_gradient_check() -> None:
    for sample in Affine.conformance_samples(np.random.default_rng(0)):
        results = by_check(modules.check_module(Affine, sample, "cpu"))
        assert results["grad"].passed and not results["grad"].skipped, results["grad"].detail
        assert results["torch"].skipped
        assert results["torch"].detail in ("PyTorch has no torch.nn.Affine", modules.NO_TORCH)


def test_wrong_backward_is_reported_with_input_parameter_and_errors() -> None:
    sample = ModuleSample(inputs=(np.array([[0.5, -1.0, 2.0]]),), name="one")
    r = by_check(modules.check_module(WrongCube, sample, "cpu"))["grad"]
    assert not r.passed and r.op == "WrongCube" and r.check == "grad one"
    assert "gradient of input 0: max abs error" in r.detail
    assert "gradient of parameter scale: max abs error" in r.detail
    assert "max rel error 1 " in r.detail  # twice too large
    # The worst input element is the largest, x = 2; the analytical value is twice the true.
    got, want = map(float, re.search(r"worst at \(0, 2\): got (\S+), expected (\S+?);",
                                     r.detail).groups())
    assert math.isclose(got, 2 * want, rel_tol=1e-6)


def test_wrong_gradient_in_a_large_tensor_is_caught_by_the_probes() -> None:
    sample = ModuleSample(inputs=(np.random.default_rng(1).standard_normal((20, 3)),))
    r = by_check(modules.check_module(WrongCube, sample, "cpu"))["grad"]
    assert not r.passed and "(8 of 60 elements probed)" in r.detail


def test_random_forward_is_reseeded_for_every_numerical_gradient() -> None:
    x = np.random.default_rng(2).standard_normal((3, 4))
    results = by_check(modules.check_module(Dropish, ModuleSample(inputs=(x,), random=True),
                                            "cpu"))
    assert results["grad"].passed and not results["grad"].skipped, results["grad"].detail


def test_grad_false_and_forward_errors() -> None:
    r = by_check(modules.check_module(Affine, ModuleSample(args=(3,), inputs=(
        np.ones((2, 3)),), grad=False), "cpu"))["grad"]
    assert r.skipped and r.detail == "the sample sets grad=False"
    (bad,) = modules.check_module(Affine, ModuleSample(args=(3,), inputs=(np.ones((2, 4)),),
                                                       name="bad-shape"), "cpu")
    assert not bad.passed and bad.check == "forward bad-shape" and bad.error == math.inf


def test_layer_matches_pytorch_given_the_same_state() -> None:
    torch = pytest.importorskip("torch")
    assert torch.nn.Linear
    results = by_check(modules.check_module(Linear, LINEAR, "cpu"))
    assert results["torch"].passed and not results["torch"].skipped, results["torch"].detail
    assert results["grad"].passed


def test_layer_differing_from_pytorch_names_the_output() -> None:
    pytest.importorskip("torch")
    r = by_check(modules.check_module(UntransposedLinear, LINEAR, "cpu", name="Linear"))["torch"]
    assert not r.passed and r.detail.startswith("output 0: max abs error")
    assert "gradient of input 0" in r.detail


def test_state_dict_keys_differing_from_pytorch_are_reported() -> None:
    pytest.importorskip("torch")
    r = by_check(modules.check_module(RenamedLinear, LINEAR, "cpu", name="Linear"))["torch"]
    assert not r.passed
    assert r.detail == ("state_dict keys differ from torch.nn.Linear's: missing ['weight'], "
                        "unexpected ['w']")


def test_random_training_forward_is_not_compared_with_pytorch() -> None:
    pytest.importorskip("torch")
    sample = ModuleSample(args=(3, 3), inputs=LINEAR.inputs, random=True)
    r = by_check(modules.check_module(Linear, sample, "cpu"))["torch"]
    assert r.skipped and r.detail == "random forward in training mode: PyTorch's random " \
                                     "stream differs"


# -- registry cases ----------------------------------------------------------------------------


class NoSamples(tw.nn.Module):
    def forward(self, x: Any) -> Any:
        return x


class BrokenSamples(NoSamples):
    @classmethod
    def conformance_samples(cls, rng: Any) -> list[Any]:
        raise ValueError("oops")


class WrongSampleType(NoSamples):
    @classmethod
    def conformance_samples(cls, rng: Any) -> list[Any]:
        return [OptimizerSample()]


class FakeLayers:
    @staticmethod
    @tw.hookimpl
    def tensorweave_layers() -> dict[str, type]:
        return {"TwFakeAffine": Affine, "TwFakeNoSamples": NoSamples,
                "TwFakeBroken": BrokenSamples, "TwFakeWrongType": WrongSampleType}


def test_registered_third_party_layers_become_cases() -> None:
    load(extra=[("fake_layers", FakeLayers)])
    found = {c.id: c for c in modules.cases("layers") if c.name.startswith("TwFake")}
    assert sorted(found) == ["TwFakeAffine-2x3", "TwFakeAffine-wide", "TwFakeBroken",
                             "TwFakeNoSamples", "TwFakeWrongType-0"]
    assert [r.passed for r in modules.check(found["TwFakeAffine-wide"])] == [True, True]

    (skip,) = modules.check(found["TwFakeNoSamples"])
    assert skip.skipped and skip.passed and skip.detail == "no conformance_samples"
    (broken,) = modules.check(found["TwFakeBroken"])
    assert not broken.passed and broken.detail.startswith(
        "conformance_samples raised ValueError: oops (at ")
    (wrong,) = modules.check(found["TwFakeWrongType-0"])
    assert not wrong.passed and wrong.detail == (
        "conformance_samples returned a OptimizerSample at position 0; layers give "
        "ModuleSamples (tensorweave.conformance.modules)")


# -- optimizers --------------------------------------------------------------------------------


class SGD(tw.optim.Optimizer):
    """Heavy-ball SGD, written here (so it can be compared with torch.optim.SGD)."""

    def __init__(self, params: Any, lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @tw.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = None
        if closure is not None:
            with tw.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if group["momentum"]:
                    buf = self.state[p].get("momentum_buffer")
                    buf = d.clone() if buf is None else buf.mul_(group["momentum"]).add_(d)
                    self.state[p]["momentum_buffer"] = buf
                    d = buf
                p.add_(d, alpha=-group["lr"])
        return loss



class ForgetfulSGD(SGD):
    """A resume bug: ``load_state_dict`` drops the momentum buffers."""

    def load_state_dict(self, state_dict: Any) -> None:
        super().load_state_dict(state_dict)
        self.state.clear()


def test_optimizer_matches_pytorch_and_resumes_from_its_state_dict() -> None:
    sample = OptimizerSample({"lr": 0.05, "momentum": 0.9}, groups=({}, {"lr": 0.01}))
    results = by_check(modules.check_optimizer(SGD, sample, "cpu"))
    assert all(r.passed for r in results.values()), results
    assert not results["state_dict"].skipped and not results["finite"].skipped
    torch_ran = modules._torch() is not None
    assert results["torch"].skipped != torch_ran


def test_optimizer_differing_from_pytorch_names_step_and_parameter() -> None:
    pytest.importorskip("torch")
    # Our SGD against torch.optim.Adagrad: the first step already differs.
    r = by_check(modules.check_optimizer(SGD, OptimizerSample({"lr": 0.05}, name="lr"), "cpu",
                                         name="Adagrad"))["torch"]
    assert not r.passed and r.op == "Adagrad" and r.check == "torch lr"
    assert r.detail.startswith("step 1, parameter 0 [3, 4]: max abs error")


def test_optimizer_losing_its_state_on_load_fails_the_round_trip() -> None:
    sample = OptimizerSample({"lr": 0.05, "momentum": 0.9})
    r = by_check(modules.check_optimizer(ForgetfulSGD, sample, "cpu"))["state_dict"]
    assert not r.passed and r.detail.startswith("step 9, parameter 0 [3, 4]: max abs error")


# -- lr schedulers -----------------------------------------------------------------------------


class StepLR:
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: a minimal scheduler with
    PyTorch's interface, written here.
    """

    late = 0  # epochs of delay (a bug)

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1) -> None:
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def step(self) -> None:
        self.last_epoch += 1
        e = self.last_epoch - self.late
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = base * self.gamma ** (max(e, 0) // self.step_size)

    def get_last_lr(self) -> list[float]:
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.last_epoch, self.base_lrs = state["last_epoch"], list(state["base_lrs"])


class LateStepLR(StepLR):
    late = 1


def test_scheduler_matches_pytorch_and_resumes() -> None:
    sample = SchedulerSample({"step_size": 3, "gamma": 0.5})
    results = by_check(modules.check_scheduler(StepLR, sample))
    assert all(r.passed for r in results.values()), results
    assert not results["get_last_lr"].skipped and not results["state_dict"].skipped


def test_scheduler_differing_from_pytorch_names_the_epoch() -> None:
    pytest.importorskip("torch")
    sample = SchedulerSample({"step_size": 3, "gamma": 0.5}, name="late")
    r = by_check(modules.check_scheduler(LateStepLR, sample, name="StepLR"))["torch"]
    assert not r.passed and r.check == "torch late"
    assert r.detail.startswith("lr at epoch 3: max abs error 0.05")


def test_scheduler_with_too_few_metrics_is_a_failed_sample() -> None:
    (r,) = modules.check_scheduler(StepLR, SchedulerSample({"step_size": 2}, metrics=(1.0,),
                                                           steps=3))
    assert not r.passed and r.detail == "the sample has 1 metrics for 3 epochs"
