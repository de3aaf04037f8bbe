"""The built-in optimizers against ``torch.optim`` step for step: identical float64
parameters, identical gradients, every option (each class's ``conformance_samples`` plus
the combinations below), parameter groups, state_dict round trips and constructor errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
         "Rprop", "ASGD"]
SHAPES = [(3, 4), (5,), ()]
STEPS = 10

# Combinations the conformance samples leave out.
EXTRA = {
    "SGD": [{"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05,
             "maximize": True}],
    "Adam": [{"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}],
    "AdamW": [{"lr": 0.05, "betas": (0.5, 0.6), "eps": 1e-3}],
    "RMSprop": [{"lr": 0.01, "centered": True}, {"lr": 0.01, "momentum": 0.5}],
    "Adagrad": [{"lr": 0.2, "lr_decay": 0.5}],
    "Adadelta": [{"lr": 0.3, "rho": 0.5, "maximize": True, "weight_decay": 0.2}],
    "Adamax": [{"lr": 0.05, "weight_decay": 0.1, "maximize": True}, {"betas": (0.0, 0.5)}],
    "NAdam": [{"lr": 0.05, "momentum_decay": 0.0}, {"lr": 0.05, "weight_decay": 0.2},
              {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True}],
    # The default betas: rho_t passes 5 at step 6, so both of RAdam's branches run.
    "RAdam": [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True},
              {"lr": 0.05, "betas": (0.5, 0.99), "weight_decay": 0.2, "maximize": True}],
    "Rprop": [{"lr": 0.1, "etas": (0.2, 2.0), "step_sizes": (0.05, 0.3), "maximize": True}],
    "ASGD": [{"lr": 0.05, "lambd": 0.5, "t0": 0.0}, {"lr": 0.3, "alpha": 1.5, "t0": 4.0},
             {"lr": 0.05, "t0": 2.0, "weight_decay": 0.1, "maximize": True}],
}


def _cases() -> list[Any]:
    rng = np.random.default_rng(0)
    cases = []
    for name in NAMES:
        cls = getattr(tw.optim, name)
        for sample in cls.conformance_samples(rng):
            cases.append(pytest.param(name, sample.kwargs, id=f"{name}-{sample.name}"))
        for i, kwargs in enumerate(EXTRA[name]):
            cases.append(pytest.param(name, kwargs, id=f"{name}-extra{i}"))
    return cases


class Run:
    """Parameters of ``SHAPES`` (from a fixed seed) and an optimizer of them in ``fw``; the
    last parameter never gets a gradient, so the optimizer must skip it."""

    def __init__(self, fw: Any, name: str, kwargs: dict[str, Any], groups: Any = None,
                 start: list[np.ndarray] | None = None) -> None:
        rng = np.random.default_rng(1)
        values = start or [rng.standard_normal(s) for s in SHAPES] + [rng.standard_normal(2)]
        self.fw = fw
        self.params = [fw.tensor(v, dtype=fw.float64, requires_grad=True) for v in values]
        self.opt = getattr(fw.optim, name)(groups(self.params) if groups else self.params,
                                           **kwargs)

    def step(self, k: int) -> list[np.ndarray]:
        """Step ``k`` with gradients drawn from seed ``k`` (the same in both frameworks)."""
        rng = np.random.default_rng(100 + k)
        for p in self.params[:-1]:
            p.grad = self.fw.tensor(rng.standard_normal(tuple(p.shape)), dtype=self.fw.float64)
        self.opt.step()
        return [p.detach().numpy().copy() for p in self.params]

    def state(self) -> list[dict[str, np.ndarray]]:
        return [{k: np.asarray(v.numpy() if hasattr(v, "numpy") else v)
                 for k, v in self.opt.state[p].items()} for p in self.params]


def _assert_same_path(ours: Run, theirs: Run, steps: range) -> None:
    for k in steps:
        for i, (got, want) in enumerate(zip(ours.step(k), theirs.step(k))):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14,
                                       err_msg=f"step {k}, parameter {i}")


def _assert_same_state(ours: Run, theirs: Run) -> None:
    for i, (got, want) in enumerate(zip(ours.state(), theirs.state())):
        assert got.keys() == want.keys(), f"parameter {i}"
        for key in got:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-14,
                                       err_msg=f"parameter {i}, state {key!r}")


@pytest.mark.parametrize("name, kwargs", _cases())
def test_steps_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    """Parameters after each of 10 steps, and the final state, equal torch's."""
    ours, theirs = Run(tw, name, kwargs), Run(torch, name, kwargs)
    _assert_same_path(ours, theirs, range(STEPS))
    _assert_same_state(ours, theirs)


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_their_own_options_match_torch(name: str) -> None:
    """Two groups with different lrs (and the second with weight decay) follow torch."""
    def groups(ps: list[Any]) -> list[dict[str, Any]]:
        return [{"params": ps[:2], "lr": 0.02}, {"params": ps[2:], "lr": 0.3,
                                                 "weight_decay": 0.1}]

    ours, theirs = Run(tw, name, {}, groups), Run(torch, name, {}, groups)
    _assert_same_path(ours, theirs, range(STEPS))


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1}),
    ("Adadelta", {"lr": 0.5}),
    ("Adamax", {"lr": 0.05}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Rprop", {"lr": 0.05}),
])
def test_state_dict_round_trip_continues_like_the_original(name: str,
                                                           kwargs: dict[str, Any]) -> None:
    """Save after 5 steps, load into a fresh optimizer over copies of the parameters: the
    next 5 steps equal the uninterrupted run's exactly."""
    run = Run(tw, name, kwargs)
    for k in range(5):
        run.step(k)
    resumed = Run(tw, name, {"lr": 123.0}, start=[p.detach().numpy() for p in run.params])
    resumed.opt.load_state_dict(run.opt.state_dict())
    assert resumed.opt.param_groups[0]["lr"] == kwargs["lr"]
    for k in range(5, 10):
        for got, want in zip(resumed.step(k), run.step(k)):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name, kwargs", [
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}), ("ASGD", {"lr": 0.05, "t0": 2.0}),
    ("Rprop", {"lr": 0.05}), ("RAdam", {"lr": 0.05}), ("Adamax", {"lr": 0.05}),
])
def test_state_dict_round_trip_continues_like_torchs(name: str, kwargs: dict[str, Any]) -> None:
    """Both frameworks stop after 5 steps and each resumes from its own state_dict: the
    resumed runs agree. (NAdam's ``mu_product`` and ASGD's ``eta``/``mu`` are float32 and,
    loaded, take the parameter's float64, as in torch, so they continue slightly differently
    from an uninterrupted run -- but like torch's resumed run.)"""
    resumed = []
    for fw in (tw, torch):
        run = Run(fw, name, kwargs)
        for k in range(5):
            run.step(k)
        again = Run(fw, name, {"lr": 123.0}, start=[p.detach().numpy() for p in run.params])
        again.opt.load_state_dict(run.opt.state_dict())
        resumed.append(again)
    _assert_same_state(*resumed)
    _assert_same_path(*resumed, range(5, 10))
    _assert_same_state(*resumed)


def test_scalar_states_are_float32_like_torchs() -> None:
    """NAdam's ``mu_product`` and ASGD's ``eta`` and ``mu`` are 0-d float32 tensors (their
    roundings are part of torch's numerics: ASGD's first step uses the lr in float32)."""
    for name, keys in (("NAdam", ("step", "mu_product")), ("ASGD", ("step", "eta", "mu"))):
        ours, theirs = Run(tw, name, {"lr": 0.1}), Run(torch, name, {"lr": 0.1})
        ours.step(0)
        theirs.step(0)
        for key in keys:
            got, want = ours.opt.state[ours.params[0]][key], theirs.opt.state[theirs.params[0]][key]
            assert got.shape == () and got.dtype == tw.float32, (name, key)
            assert got.item() == want.item(), (name, key)


def test_state_dict_loads_into_torch_shape() -> None:
    """A tensorweave Adam state_dict, converted to torch tensors, loads into torch's Adam and
    continues like tensorweave's optimizer."""
    kwargs = {"lr": 0.05, "amsgrad": True}
    ours = Run(tw, "Adam", kwargs)
    for k in range(3):
        ours.step(k)
    sd = ours.opt.state_dict()
    state = {i: {k: torch.tensor(v.numpy()) for k, v in s.items()} for i, s in sd["state"].items()}
    theirs = Run(torch, "Adam", kwargs, start=[p.detach().numpy() for p in ours.params])
    theirs.opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})
    _assert_same_path(ours, theirs, range(3, 8))


def test_adam_step_is_a_float32_scalar_tensor() -> None:
    """Adam keeps torch's ``step`` state: a 0-d float32 tensor counting the steps."""
    run = Run(tw, "Adam", {})
    for k in range(3):
        run.step(k)
    step = run.opt.state[run.params[0]]["step"]
    assert isinstance(step, tw.Tensor) and step.shape == () and step.dtype == tw.float32
    assert step.item() == 3.0
    assert run.params[-1] not in run.opt.state  # never had a gradient


def test_adagrad_creates_its_state_at_construction() -> None:
    """Adagrad's ``sum`` starts at initial_accumulator_value before any step, as torch's."""
    p = tw.zeros(3, dtype=tw.float64, requires_grad=True)
    opt = tw.optim.Adagrad([p], initial_accumulator_value=0.25)
    np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), np.full(3, 0.25))
    assert opt.state[p]["step"].item() == 0.0


def test_closure_loss_is_returned_by_every_optimizer() -> None:
    """``step(closure)`` evaluates the closure (with grad) and returns its loss."""
    for name in NAMES:
        p = tw.tensor([1.0, -2.0], dtype=tw.float64, requires_grad=True)
        opt = getattr(tw.optim, name)([p], lr=0.1)

        def closure() -> Any:
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        with tw.no_grad():
            assert opt.step(closure).item() == 5.0, name
        assert p.grad is not None, name


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": -0.1}), ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1.0}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adam", {"lr": -1.0}), ("Adam", {"eps": -1e-8}), ("Adam", {"betas": (1.0, 0.9)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"betas": (0.9, 1.5)}), ("RMSprop", {"alpha": -0.5}),
    ("RMSprop", {"momentum": -1.0}), ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -1.0}), ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"eps": -1.0}), ("Adamax", {"lr": -1.0}), ("Adamax", {"eps": -1.0}),
    ("Adamax", {"betas": (0.9, 1.0)}), ("Adamax", {"weight_decay": -0.5}),
    ("NAdam", {"betas": (-0.1, 0.9)}), ("NAdam", {"momentum_decay": -1e-3}),
    ("NAdam", {"weight_decay": -1.0}), ("RAdam", {"eps": -1.0}), ("RAdam", {"betas": (1.0, 0.9)}),
    ("RAdam", {"weight_decay": -1.0}), ("Rprop", {"lr": -0.1}), ("Rprop", {"etas": (1.0, 1.2)}),
    ("Rprop", {"etas": (0.5, 1.0)}), ("Rprop", {"etas": (0.0, 1.2)}), ("ASGD", {"lr": -0.1}),
    ("ASGD", {"weight_decay": -0.1}),
])
def test_invalid_hyper_parameters_raise_torchs_errors(name: str, kwargs: dict[str, Any]) -> None:
    """Bad constructor arguments raise the exception type and message torch raises."""
    with pytest.raises(Exception) as want:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(want.type) as got:
        getattr(tw.optim, name)([tw.zeros(2, requires_grad=True)], **kwargs)
    assert str(got.value) == str(want.value)


def test_differentiable_steps_are_refused() -> None:
    """``differentiable=True`` is not supported and says so rather than silently ignoring."""
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        tw.optim.Adam([tw.zeros(2, requires_grad=True)], differentiable=True)
