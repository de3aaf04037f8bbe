"""`tw.optim.Adafactor` against `torch.optim.Adafactor` (torch 2.13): float64 parameters of
0, 1, 2 and 3 dims after every step on a smooth non-quadratic loss, every option, parameter
groups, the factored state (its keys and shapes), a state_dict round trip and the
constructor's errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

SHAPES = [(2, 3, 4), (3, 4), (5,), ()]
STEPS = 10
TOL = {"rtol": 1e-10, "atol": 1e-10}

CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"lr": 0.2}, id="lr"),
    pytest.param({"lr": 0.1, "weight_decay": 0.3}, id="weight-decay"),
    pytest.param({"lr": 0.1, "maximize": True}, id="maximize"),
    pytest.param({"lr": 0.1, "beta2_decay": -0.3, "eps": (1e-4, 1e-1), "d": 1.2},
                 id="eps-d-decay"),
    pytest.param({"lr": 0.1, "beta2_decay": 0.0, "weight_decay": 0.1, "maximize": True,
                  "foreach": False}, id="combined"),
]


class Run:
    """Parameters of ``SHAPES`` plus one that never gets a gradient (it must be skipped),
    the loss ``sum(c * (p - t)**2 + sin(3 p))`` over them, and an Adafactor, in ``fw``."""

    def __init__(self, fw: Any, kwargs: dict[str, Any], groups: Any = None,
                 start: list[np.ndarray] | None = None) -> None:
        rng = np.random.default_rng(2)
        values = [rng.standard_normal(s) for s in SHAPES] + [rng.standard_normal(2)]
        self.fw = fw
        self.params = [fw.tensor(v, dtype=fw.float64, requires_grad=True)
                       for v in (start or values)]
        self.targets = [fw.tensor(rng.standard_normal(s), dtype=fw.float64) for s in SHAPES]
        self.opt = fw.optim.Adafactor(groups(self.params) if groups else self.params, **kwargs)

    def step(self) -> list[np.ndarray]:
        self.opt.zero_grad()
        terms = [((p - t) ** 2 * (1 + i) + self.fw.sin(3 * p)).sum()
                 for i, (p, t) in enumerate(zip(self.params, self.targets))]
        sum(terms[1:], terms[0]).backward()
        self.opt.step()
        return [p.detach().numpy().copy() for p in self.params]


def _assert_same_path(ours: Run, theirs: Run, steps: int) -> None:
    for k in range(steps):
        for i, (got, want) in enumerate(zip(ours.step(), theirs.step())):
            np.testing.assert_allclose(got, want, **TOL, err_msg=f"step {k}, parameter {i}")


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_and_state_match_torch(kwargs: dict[str, Any]) -> None:
    """Parameters after each of 10 steps equal torch's, and so does the state: factored
    ``row_var``/``col_var`` for the 2-d and 3-d parameters, ``variance`` for the others."""
    ours, theirs = Run(tw, kwargs), Run(torch, kwargs)
    _assert_same_path(ours, theirs, STEPS)
    assert ours.params[-1] not in ours.opt.state
    for i, (p, q) in enumerate(zip(ours.params[:-1], theirs.params[:-1])):
        mine, want = ours.opt.state[p], theirs.opt.state[q]
        assert mine.keys() == want.keys(), f"parameter {i}"
        for key, value in want.items():
            assert tuple(mine[key].shape) == tuple(value.shape), (i, key)
            np.testing.assert_allclose(mine[key].numpy(), value.numpy(), **TOL,
                                       err_msg=f"parameter {i}, state {key!r}")
    assert set(ours.opt.state[ours.params[0]]) == {"step", "row_var", "col_var"}
    assert tuple(ours.opt.state[ours.params[0]]["row_var"].shape) == (2, 3, 1)
    assert tuple(ours.opt.state[ours.params[0]]["col_var"].shape) == (2, 1, 4)


def test_param_groups_with_their_own_options_match_torch() -> None:
    def groups(ps: list[Any]) -> list[dict[str, Any]]:
        return [{"params": ps[:2], "lr": 0.05},
                {"params": ps[2:], "lr": 0.3, "weight_decay": 0.1, "eps": (1e-3, 1e-2)}]

    _assert_same_path(Run(tw, {}, groups), Run(torch, {}, groups), STEPS)


def test_state_dict_round_trip_continues_like_the_original() -> None:
    kwargs = {"lr": 0.1, "weight_decay": 0.1}
    run = Run(tw, kwargs)
    for _ in range(4):
        run.step()
    resumed = Run(tw, {"lr": 5.0}, start=[p.detach().numpy() for p in run.params])
    resumed.opt.load_state_dict(run.opt.state_dict())
    assert resumed.opt.param_groups[0]["lr"] == 0.1
    for _ in range(4):
        for got, want in zip(resumed.step(), run.step()):
            np.testing.assert_array_equal(got, want)


def test_defaults_match_torch() -> None:
    ours = tw.optim.Adafactor([tw.zeros(2, requires_grad=True)])
    theirs = torch.optim.Adafactor([torch.zeros(2, requires_grad=True)])
    assert ours.defaults == theirs.defaults


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "Learning rate should be >= 0 but is: -0.1"),
    ({"beta2_decay": 0.5}, "beta2_decay should be <= 0 but is: 0.5"),
    ({"eps": (-1.0, 1e-3)}, "epsilon1 should be >= 0 but is: -1.0"),
    ({"eps": (None, -1e-3)}, "epsilon2 should be >= 0 but is: -0.001"),
    ({"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
    ({"weight_decay": -1.0}, "weight_decay should be >= 0 but is: -1.0"),
])
def test_errors_match_torch(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as theirs:
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs)
    assert str(theirs.value) == message
    with pytest.raises(ValueError) as ours:
        tw.optim.Adafactor([tw.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == message
