"""The built-in lr schedulers against ``torch.optim.lr_scheduler``: the lr of every group
after every epoch (exactly equal: the same float arithmetic), momentum cycling, metrics
for ReduceLROnPlateau, state_dict resumption, warnings and errors.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import pytest

import tensorweave as tw
from tensorweave.optim import lr_scheduler

torch = pytest.importorskip("torch")

EPOCHS = 25


class Halve:
    """``0.5 ** (epoch // 3)``: a LambdaLR factor that is a callable object with state."""

    def __init__(self) -> None:
        self.period = 3

    def __call__(self, epoch: int) -> float:
        return 0.5 ** (epoch // self.period)


def _sequential(ls: Any, opt: Any) -> dict[str, Any]:
    return {"schedulers": [ls.LinearLR(opt, start_factor=0.1, total_iters=5),
                           ls.CosineAnnealingLR(opt, T_max=10, eta_min=0.001),
                           ls.ExponentialLR(opt, gamma=0.9)],
            "milestones": [5, 15]}


# (name, constructor kwargs, or a builder of kwargs from the lr_scheduler namespace)
CASES: list[tuple[str, dict[str, Any] | Callable[[Any, Any], dict[str, Any]]]] = [
    ("StepLR", {"step_size": 4}),
    ("StepLR", {"step_size": 1, "gamma": 0.7}),
    ("MultiStepLR", {"milestones": [3, 8, 8, 20], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.85}),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (1 + e)}),
    ("LambdaLR", {"lr_lambda": [Halve(), lambda e: 0.9 ** e]}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 10}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.005}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": EPOCHS}),
    ("OneCycleLR", {"max_lr": [0.4, 2.0], "epochs": 5, "steps_per_epoch": 5,
                    "anneal_strategy": "linear", "pct_start": 0.4}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": EPOCHS + 3, "three_phase": True,
                    "div_factor": 10.0, "final_div_factor": 100.0}),
    ("SequentialLR", _sequential),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 12}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("MultiplicativeLR", {"lr_lambda": [Halve(), lambda e: 1.0 - 0.01 * e]}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("PolynomialLR", {"total_iters": 7, "power": 0.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3, "eta_min": 0.01}),
]


class Schedule:
    """SGD with momentum over two groups (lr 0.1 and 0.02) driven by a scheduler in ``fw``."""

    def __init__(self, fw: Any, name: str, spec: Any, optimizer: str = "SGD") -> None:
        a, b = fw.zeros(2, requires_grad=True), fw.zeros(3, requires_grad=True)
        groups = [{"params": [a]}, {"params": [b], "lr": 0.02}]
        if optimizer == "SGD":
            self.opt = fw.optim.SGD(groups, lr=0.1, momentum=0.9)
        else:
            self.opt = getattr(fw.optim, optimizer)(groups, lr=0.1)
        ls = fw.optim.lr_scheduler
        kwargs = spec(ls, self.opt) if callable(spec) else spec
        self.sched = getattr(ls, name)(self.opt, **kwargs)

    def groups(self, key: str = "lr") -> list[Any]:
        return [g[key] for g in self.opt.param_groups]

    def epoch(self, metric: float | None = None) -> list[float]:
        self.opt.step()
        self.sched.step() if metric is None else self.sched.step(metric)
        return self.groups()


def _run(fw: Any, name: str, spec: Any, epochs: int = EPOCHS, key: str = "lr",
         optimizer: str = "SGD", strict: bool = True) -> list[list[Any]]:
    with warnings.catch_warnings():
        if strict:  # the right call order warns about nothing
            warnings.simplefilter("error")
        run = Schedule(fw, name, spec, optimizer)
        seen = [run.groups(key)]
        for _ in range(epochs):
            run.epoch()
            seen.append(run.groups(key))
            assert run.sched.get_last_lr() == run.groups("lr")
    return seen


@pytest.mark.parametrize("name, spec", [pytest.param(n, s, id=f"{n}-{i}")
                                        for i, (n, s) in enumerate(CASES)])
def test_lr_sequence_equals_torch(name: str, spec: Any) -> None:
    """Every group's lr after construction and after each of 25 epochs equals torch's
    exactly."""
    epochs = EPOCHS if name != "OneCycleLR" else min(EPOCHS, _total(spec))
    assert _run(tw, name, spec, epochs) == _run(torch, name, spec, epochs)


def _total(spec: dict[str, Any]) -> int:
    return spec.get("total_steps") or spec["epochs"] * spec["steps_per_epoch"]


def test_nested_sequential_lr_equals_torch() -> None:
    """A SequentialLR inside a SequentialLR (torch's recursive undo) matches torch (both
    warn at construction: the inner one steps its first scheduler again)."""
    def nested(ls: Any, opt: Any) -> dict[str, Any]:
        inner = ls.SequentialLR(opt, [ls.ExponentialLR(opt, gamma=0.5),
                                      ls.StepLR(opt, step_size=2)], milestones=[3])
        return {"schedulers": [inner, ls.LinearLR(opt, start_factor=0.5)], "milestones": [9]}

    runs = []
    for fw in (tw, torch):
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            runs.append(_run(fw, "SequentialLR", nested, strict=False))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("optimizer, key", [("SGD", "momentum"), ("Adam", "betas")])
def test_one_cycle_cycles_momentum_like_torch(optimizer: str, key: str) -> None:
    """OneCycleLR moves SGD's momentum (or Adam's beta1) inversely to the lr, as torch."""
    spec = {"max_lr": 1.0, "total_steps": 20, "base_momentum": [0.8, 0.7],
            "max_momentum": 0.95}
    ours = _run(tw, "OneCycleLR", spec, 20, key, optimizer)
    assert ours == _run(torch, "OneCycleLR", spec, 20, key, optimizer)
    first = ours[0][0] if key == "momentum" else ours[0][0][0]
    assert first == 0.95


class Scale:
    """A custom CyclicLR ``scale_fn`` that is a callable object with state."""

    def __init__(self) -> None:
        self.rate = 0.7

    def __call__(self, x: float) -> float:
        return self.rate ** x


CYCLIC = [
    {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
    {"base_lr": [0.01, 0.001], "max_lr": [0.1, 0.05], "step_size_up": 2, "step_size_down": 5,
     "mode": "triangular2", "base_momentum": [0.85, 0.7], "max_momentum": 0.95},
    {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 4, "step_size_down": 1,
     "mode": "exp_range", "gamma": 0.97},
    {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "scale_fn": lambda x: 1 / x},
    {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "scale_fn": Scale(),
     "scale_mode": "iterations"},
    {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "unknown",
     "scale_fn": Scale()},
    {"base_lr": 0.05, "max_lr": 0.5, "step_size_up": 3, "cycle_momentum": False},
]


@pytest.mark.parametrize("optimizer, key", [("SGD", "momentum"), ("Adam", "betas")])
@pytest.mark.parametrize("spec", CYCLIC, ids=[f"cyclic{i}" for i in range(len(CYCLIC))])
def test_cyclic_lr_and_momentum_equal_torch(spec: dict[str, Any], optimizer: str,
                                            key: str) -> None:
    """CyclicLR's lrs and momenta (SGD's momentum, Adam's betas) over 40 steps -- several
    cycles of each mode -- equal torch's exactly."""
    ours = [_run(tw, "CyclicLR", spec, 40, k, optimizer) for k in ("lr", key)]
    assert ours == [_run(torch, "CyclicLR", spec, 40, k, optimizer) for k in ("lr", key)]
    assert len(set(map(tuple, ours[0]))) > 3  # the lr does move
    if spec.get("cycle_momentum", True):
        assert ours[1][0] == [g[key] for g in Schedule(tw, "CyclicLR", spec, optimizer)
                              .opt.param_groups]


def test_cyclic_lr_needs_an_optimizer_with_momentum_for_cycle_momentum() -> None:
    """cycle_momentum with Adagrad (no momentum, no betas) raises torch's ValueError; without
    it, Adagrad is fine."""
    spec = {"base_lr": 0.01, "max_lr": 0.1}
    with pytest.raises(ValueError) as want:
        Schedule(torch, "CyclicLR", spec, "Adagrad")
    with pytest.raises(ValueError) as got:
        Schedule(tw, "CyclicLR", spec, "Adagrad")
    assert str(got.value) == str(want.value)
    spec["cycle_momentum"] = False
    assert _run(tw, "CyclicLR", spec, 5, optimizer="Adagrad") == _run(
        torch, "CyclicLR", spec, 5, optimizer="Adagrad")


def test_cyclic_lr_state_dict_keeps_a_callable_scale_fn_state() -> None:
    """A callable object's attributes are saved and restored, a lambda's are not; the
    built-in scale is rebuilt on load (and stays out of the state_dict, as torch's)."""
    run = Schedule(tw, "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "scale_fn": Scale()})
    run.sched._scale_fn_custom.rate = 0.5
    sd = run.sched.state_dict()
    assert sd["_scale_fn_custom"] == {"rate": 0.5} and "_scale_fn_ref" not in sd
    other = Schedule(tw, "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "scale_fn": Scale()})
    other.sched.load_state_dict(sd)
    assert other.sched._scale_fn_custom.rate == 0.5
    sd = Schedule(tw, "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1,
                                   "scale_fn": lambda x: 1.0}).sched.state_dict()
    assert sd["_scale_fn_custom"] is None
    exp = Schedule(tw, "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "exp_range",
                                    "gamma": 0.5, "step_size_up": 2})
    for _ in range(3):
        exp.epoch()
    resumed = Schedule(tw, "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "exp_range",
                                        "gamma": 0.5, "step_size_up": 2})
    resumed.sched.load_state_dict(exp.sched.state_dict())
    assert [resumed.epoch() for _ in range(6)] == [exp.epoch() for _ in range(6)]


def _chained(ls: Any, opt: Any) -> list[Any]:
    return [ls.ConstantLR(opt, factor=0.1, total_iters=3), ls.ExponentialLR(opt, gamma=0.9),
            ls.StepLR(opt, 4, 0.5)]


@pytest.mark.parametrize("build", [
    _chained,
    lambda ls, opt: [ls.LinearLR(opt, start_factor=0.2, total_iters=6),
                     ls.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3)],
    lambda ls, opt: [ls.PolynomialLR(opt, total_iters=10, power=2.0),
                     ls.MultiplicativeLR(opt, lr_lambda=lambda e: 0.98),
                     ls.ConstantLR(opt, factor=0.5, total_iters=4)],
], ids=["constant-exponential-step", "linear-cyclic", "polynomial-multiplicative-constant"])
def test_chained_scheduler_equals_torch(build: Callable[[Any, Any], list[Any]]) -> None:
    """ChainedScheduler steps its schedulers together: the product of their factors, as
    torch's, over 25 epochs (and get_last_lr is the last one's lrs)."""
    def run(fw: Any) -> list[list[float]]:
        sched = Schedule(fw, "StepLR", {"step_size": 1000})  # just for the optimizer
        opt, ls = sched.opt, fw.optim.lr_scheduler
        chained = ls.ChainedScheduler(build(ls, opt), optimizer=opt)
        seen = [[g["lr"] for g in opt.param_groups]]
        for _ in range(EPOCHS):
            opt.step()
            chained.step()
            seen.append(chained.get_last_lr())
            assert seen[-1] == [g["lr"] for g in opt.param_groups]
        return seen

    assert run(tw) == run(torch)


def test_chained_scheduler_state_dict_resumes_and_has_torchs_keys() -> None:
    """Saved halfway, a fresh chain loaded with the optimizer's and its own state dicts
    continues like the original; the keys (and the wrapped ones' keys) are torch's."""
    def chain(fw: Any) -> tuple[Any, Any]:
        opt = fw.optim.SGD([fw.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
        return opt, fw.optim.lr_scheduler.ChainedScheduler(_chained(fw.optim.lr_scheduler,
                                                                    opt))

    opt, sched = chain(tw)
    for _ in range(6):
        opt.step()
        sched.step()
    saved = opt.state_dict(), sched.state_dict()
    theirs = chain(torch)[1].state_dict()
    assert saved[1].keys() == theirs.keys()
    assert [s.keys() for s in saved[1]["_schedulers"]] == [s.keys() for s in
                                                           theirs["_schedulers"]]
    opt2, sched2 = chain(tw)
    opt2.load_state_dict(saved[0])
    sched2.load_state_dict(saved[1])
    for _ in range(10):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()


def test_chained_scheduler_validates_its_schedulers() -> None:
    """No scheduler, a foreign optimizer, ReduceLROnPlateau and an entry without an
    optimizer are rejected with torch's errors."""
    def build(fw: Any, case: str) -> None:
        ls = fw.optim.lr_scheduler
        opt = fw.optim.SGD([fw.zeros(2, requires_grad=True)], lr=0.1)
        other = fw.optim.SGD([fw.zeros(2, requires_grad=True)], lr=0.1)
        schedulers = {"none": [], "foreign": [ls.StepLR(opt, 2), ls.StepLR(other, 3)],
                      "plateau": [ls.StepLR(opt, 2), ls.ReduceLROnPlateau(opt)],
                      "no-optimizer": [ls.StepLR(opt, 2), object()]}[case]
        ls.ChainedScheduler(schedulers, optimizer=opt)

    for case in ("none", "foreign", "plateau", "no-optimizer"):
        with pytest.raises(Exception) as want:
            build(torch, case)
        with pytest.raises(want.type) as got:
            build(tw, case)
        mine, theirs = str(got.value), str(want.value)
        if case == "foreign":  # the message embeds the optimizers' reprs
            mine, theirs = mine.split(" has ")[0], theirs.split(" has ")[0]
        assert mine == theirs, case


@pytest.mark.parametrize("spec", [{"T_0": 3}, {"T_0": 2, "T_mult": 2, "eta_min": 0.01},
                                  {"T_0": 1, "T_mult": 3}])
def test_warm_restarts_take_fractional_epochs_like_torch(spec: dict[str, Any]) -> None:
    """``step(epoch + i / iters)`` after each batch (PyTorch's documented use) and jumps
    back and forth give torch's lrs, T_cur, T_i and last_epoch, without a warning."""
    epochs = [e + i / 4 for e in range(12) for i in range(4)] + [0.5, 7.3, 2.0, 30.9, 14.0]

    def run(fw: Any) -> list[Any]:
        s = Schedule(fw, "CosineAnnealingWarmRestarts", spec)
        seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for epoch in epochs:
                s.opt.step()
                s.sched.step(epoch)
                seen.append((s.groups(), s.sched.get_last_lr(), s.sched.T_cur, s.sched.T_i,
                             s.sched.last_epoch))
            s.opt.step()
            s.sched.step()  # and on from the last jump
            seen.append((s.groups(), s.sched.T_cur, s.sched.T_i, s.sched.last_epoch))
        return seen

    assert run(tw) == run(torch)


def test_warm_restarts_negative_epoch_raises() -> None:
    """A negative epoch is torch's ValueError."""
    s = Schedule(tw, "CosineAnnealingWarmRestarts", {"T_0": 3})
    with pytest.raises(ValueError, match="^Expected non-negative epoch, but got -1$"):
        s.sched.step(-1)


def test_closed_forms_equal_torch() -> None:
    """``step(epoch)`` jumps of ConstantLR and PolynomialLR use the closed form, as torch's."""
    def run(fw: Any, name: str, spec: dict[str, Any]) -> list[list[float]]:
        s = Schedule(fw, name, spec)
        out = []
        for e in (2, 6, 3, 9, 0):
            s.opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter"):
                s.sched.step(e)
            out.append(s.groups())
        return out

    for name, spec in (("ConstantLR", {"factor": 0.5, "total_iters": 4}),
                       ("PolynomialLR", {"total_iters": 5, "power": 1.5})):
        assert run(tw, name, spec) == run(torch, name, spec), name


def test_one_cycle_stepping_past_the_end_raises() -> None:
    """Stepping more than total_steps raises torch's ValueError."""
    run = Schedule(tw, "OneCycleLR", {"max_lr": 1.0, "total_steps": 3})
    for _ in range(2):
        run.epoch()
    with pytest.raises(ValueError, match="^Tried to step 4 times. The specified number of "
                                         "total steps is 3$"):
        run.epoch()
        run.epoch()


METRICS = [1.0, 0.9, 0.95, 0.92, 0.9, 0.91, 0.93, 0.94, 0.6, 0.61, 0.6, 0.62, 0.63, 0.64,
           0.65, 0.7, 0.59] + [0.6] * 14


@pytest.mark.parametrize("kwargs", [
    {},
    {"patience": 1},
    {"patience": 0, "factor": 0.5, "threshold": 0.05, "threshold_mode": "abs"},
    {"mode": "max", "patience": 1, "cooldown": 2},
    {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.0, "factor": 0.2,
     "min_lr": [0.01, 0.0]},
    {"patience": 0, "factor": 0.5, "min_lr": 0.009, "eps": 1e-3},
], ids=["default", "patience", "abs", "max-cooldown", "max-min_lr-list", "min_lr-eps"])
def test_reduce_on_plateau_equals_torch(kwargs: dict[str, Any]) -> None:
    """Given the same metric sequence, ReduceLROnPlateau cuts the lrs at the same epochs and
    to the same values as torch's."""
    def run(fw: Any) -> list[list[float]]:
        s = Schedule(fw, "ReduceLROnPlateau", kwargs)
        return [s.epoch(m) for m in METRICS] + [s.sched.get_last_lr()]

    ours = run(tw)
    assert ours == run(torch)
    assert ours[-1] != ours[0]  # the sequence does trigger reductions


def test_reduce_on_plateau_takes_a_tensor_metric() -> None:
    """A 0-d tensor metric is read with float(), as in torch."""
    s = Schedule(tw, "ReduceLROnPlateau", {"patience": 0})
    s.epoch(tw.tensor(1.0))
    assert s.epoch(tw.tensor(2.0)) == [0.010000000000000002, 0.002]


@pytest.mark.parametrize("name, spec", [
    ("StepLR", {"step_size": 3}), ("CosineAnnealingLR", {"T_max": 6}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 20}),
    ("LambdaLR", {"lr_lambda": Halve()}),
    ("SequentialLR", _sequential),
    ("ReduceLROnPlateau", {"patience": 1}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 10}),
    ("MultiplicativeLR", {"lr_lambda": Halve()}),
    ("PolynomialLR", {"total_iters": 12, "power": 2.0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "exp_range",
                  "gamma": 0.9}),
])
def test_state_dict_resumes_the_schedule(name: str, spec: Any) -> None:
    """Halfway, save optimizer and scheduler; a fresh pair loaded with both gives the same
    remaining lrs as the uninterrupted run. The keys of the state dict are torch's."""
    def epoch(run: Schedule, e: int) -> list[float]:
        return run.epoch(METRICS[e] if name == "ReduceLROnPlateau" else None)

    run = Schedule(tw, name, spec)
    for e in range(8):
        epoch(run, e)
    saved = run.opt.state_dict(), run.sched.state_dict()
    theirs = Schedule(torch, name, spec)
    assert saved[1].keys() == theirs.sched.state_dict().keys()
    resumed = Schedule(tw, name, spec)
    resumed.opt.load_state_dict(saved[0])
    resumed.sched.load_state_dict(saved[1])
    for e in range(8, 16):
        assert epoch(resumed, e) == epoch(run, e)


def test_lambda_state_dict_keeps_callable_objects_state() -> None:
    """A callable object's attributes are saved and restored; plain functions are not."""
    run = Schedule(tw, "LambdaLR", {"lr_lambda": [Halve(), lambda e: 1.0]})
    run.sched.lr_lambdas[0].period = 5
    sd = run.sched.state_dict()
    assert sd["lr_lambdas"] == [{"period": 5}, None]
    other = Schedule(tw, "LambdaLR", {"lr_lambda": [Halve(), lambda e: 1.0]})
    other.sched.load_state_dict(sd)
    assert other.sched.lr_lambdas[0].period == 5
    assert "lr_lambdas" in sd


def test_step_with_epoch_uses_the_closed_form_like_torch() -> None:
    """The deprecated ``step(epoch)`` jumps with the closed form and warns, as torch."""
    def run(fw: Any) -> list[list[float]]:
        s = Schedule(fw, "CosineAnnealingLR", {"T_max": 10})
        out = []
        for e in (3, 7, 12):
            s.opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter"):
                s.sched.step(e)
            out.append(s.groups())
        return out

    assert run(tw) == run(torch)


def test_scheduler_step_before_optimizer_step_warns() -> None:
    """Stepping the scheduler before any optimizer step gives torch's warning."""
    run = Schedule(tw, "StepLR", {"step_size": 2})
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                         "`optimizer.step\\(\\)`"):
        run.sched.step()


def test_get_lr_outside_step_warns() -> None:
    """Calling get_lr() directly points to get_last_lr()."""
    run = Schedule(tw, "ExponentialLR", {"gamma": 0.5})
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        run.sched.get_lr()


def test_initial_lr_is_recorded_and_required_to_resume() -> None:
    """A new schedule records each group's initial_lr; resuming (last_epoch >= 0) without it
    is a KeyError naming the group."""
    run = Schedule(tw, "StepLR", {"step_size": 2})
    assert run.groups("initial_lr") == [0.1, 0.02] and run.sched.base_lrs == [0.1, 0.02]
    opt = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                       "param_groups\\[0\\] when resuming"):
        tw.optim.lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)


@pytest.mark.parametrize("name, kwargs", [
    ("LinearLR", {"start_factor": 0.0}), ("LinearLR", {"end_factor": 2.0}),
    ("OneCycleLR", {"max_lr": 1.0}), ("OneCycleLR", {"max_lr": 1.0, "total_steps": 0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 5, "pct_start": 1}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 5, "anneal_strategy": "exp"}),
    ("OneCycleLR", {"max_lr": [1.0, 2.0, 3.0], "total_steps": 5}),
    ("ReduceLROnPlateau", {"factor": 1.0}), ("ReduceLROnPlateau", {"mode": "median"}),
    ("ReduceLROnPlateau", {"threshold_mode": "log"}),
    ("ReduceLROnPlateau", {"min_lr": [0.1]}),
    ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}),
    ("ConstantLR", {"factor": 1.5}), ("ConstantLR", {"factor": -0.1}),
    ("MultiplicativeLR", {"lr_lambda": [lambda e: 1.0]}),
    ("MultiplicativeLR", {"lr_lambda": [lambda e: 1.0, 0.5]}),
    ("MultiplicativeLR", {"lr_lambda": 0.9}),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}), ("CosineAnnealingWarmRestarts", {"T_0": 2.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 1.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "eta_min": "0.1"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "cosine"}),
    ("CyclicLR", {"base_lr": [0.01], "max_lr": 0.1}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.2, 0.3]}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "max_momentum": [0.9]}),
])
def test_invalid_arguments_raise_torchs_errors(name: str, kwargs: dict[str, Any]) -> None:
    """Bad constructor arguments raise the exception type and message torch raises."""
    with pytest.raises(Exception) as want:
        Schedule(torch, name, kwargs)
    with pytest.raises(want.type) as got:
        Schedule(tw, name, kwargs)
    assert str(got.value) == str(want.value)


def test_sequential_lr_validates_its_schedulers() -> None:
    """Milestone count, a foreign optimizer and ReduceLROnPlateau are rejected."""
    ls = tw.optim.lr_scheduler
    opt = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=0.1)
    other = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="number of schedulers 2 and the number of milestones "
                                         "to be equal to 2"):
        ls.SequentialLR(opt, [ls.StepLR(opt, 2), ls.StepLR(opt, 3)], milestones=[1, 2])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same"):
        ls.SequentialLR(opt, [ls.StepLR(opt, 2), ls.StepLR(other, 3)], milestones=[1])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        ls.SequentialLR(opt, [ls.StepLR(opt, 2), ls.ReduceLROnPlateau(opt)], milestones=[1])


def test_scheduler_needs_an_optimizer() -> None:
    """Anything but an Optimizer is a TypeError naming its type."""
    with pytest.raises(TypeError, match="^dict is not an Optimizer$"):
        tw.optim.lr_scheduler.StepLR({}, step_size=1)


def test_namespace_exposes_the_registry_and_the_base() -> None:
    """``lr_scheduler.<Name>`` comes from the registry; unknown names say so; the legacy
    ``_LRScheduler`` base still subclasses."""
    assert lr_scheduler.StepLR is tw.optim.lr_scheduler.StepLR
    assert issubclass(lr_scheduler.StepLR, lr_scheduler.LRScheduler)
    assert "OneCycleLR" in dir(lr_scheduler)
    with pytest.raises(AttributeError, match="no installed plugin registers an lr scheduler "
                                             "of that name"):
        lr_scheduler.NoSuchLR  # noqa: B018

    class Constant(lr_scheduler._LRScheduler):
        def get_lr(self) -> list[float]:
            return list(self.base_lrs)

    opt = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=0.3)
    sched = Constant(opt)
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.3] and sched.last_epoch == 1
