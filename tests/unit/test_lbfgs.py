"""`tw.optim.LBFGS` against `torch.optim.LBFGS`: float64 parameters after every step, the
closure evaluations, the state (torch's keys, a state_dict round trip, torch's state loaded
into ours) and the constructor's and step's errors.

The loss is Rosenbrock's (its valley's walls scaled by 10, not 100, so that rounding
differences grow less per step) over the concatenation of a matrix, a vector and a scalar:
smooth, non-quadratic and curved, so line searches bracket and zoom. ``max_iter`` and
``history_size`` are small enough that the history wraps within the first steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

SHAPES = [(2, 2), (3,), ()]
STEPS = 10
TOL = {"rtol": 1e-10, "atol": 1e-10}
# The final state near the optimum holds differences of nearly equal gradients (y, ys and
# the scratch ``al``), where the dot products' summation order shows more.
STATE_TOL = {"rtol": 1e-7, "atol": 1e-10}

CASES = [
    pytest.param({"lr": 0.1, "max_iter": 4, "history_size": 2}, id="fixed"),
    pytest.param({"lr": 0.3, "max_iter": 3, "max_eval": 2, "history_size": 3}, id="max-eval"),
    pytest.param({"max_iter": 5, "history_size": 2, "line_search_fn": "strong_wolfe"},
                 id="strong-wolfe"),
    pytest.param({"lr": 0.5, "max_iter": 6, "max_eval": 9, "history_size": 3,
                  "line_search_fn": "strong_wolfe", "tolerance_change": 1e-12}, id="wolfe-lr"),
]


class Run:
    """The Rosenbrock loss over parameters of ``SHAPES`` and an LBFGS of them, in ``fw``;
    counts the closure's evaluations."""

    def __init__(self, fw: Any, kwargs: dict[str, Any],
                 start: list[np.ndarray] | None = None) -> None:
        rng = np.random.default_rng(0)
        values = start or [rng.uniform(-1.5, 1.5, s) for s in SHAPES]
        self.fw = fw
        self.params = [fw.tensor(v, dtype=fw.float64, requires_grad=True) for v in values]
        self.opt = fw.optim.LBFGS(self.params, **kwargs)
        self.evals = 0

    def closure(self) -> Any:
        self.evals += 1
        self.opt.zero_grad()
        x = self.fw.cat([p.reshape(-1) for p in self.params])
        loss = (10 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    def step(self) -> tuple[float, list[np.ndarray]]:
        """One step: its returned loss and the parameters after it."""
        loss = self.opt.step(self.closure)
        return float(loss.detach()), [p.detach().numpy().copy() for p in self.params]


def _assert_same_steps(ours: Run, theirs: Run, steps: int) -> None:
    for k in range(steps):
        (got_loss, got), (want_loss, want) = ours.step(), theirs.step()
        assert got_loss == pytest.approx(want_loss, rel=1e-10, abs=1e-10), f"step {k}"
        for i, (g, w) in enumerate(zip(got, want)):
            np.testing.assert_allclose(g, w, **TOL, err_msg=f"step {k}, parameter {i}")
        assert ours.evals == theirs.evals, f"closure evaluations after step {k}"


def _host_state(state: dict[str, Any]) -> dict[str, Any]:
    """A state's values as floats, arrays and lists of them."""
    def host(v: Any) -> Any:
        if isinstance(v, list):
            return [host(x) for x in v]
        return np.asarray(v.tolist()) if hasattr(v, "tolist") else v
    return {k: host(v) for k, v in state.items()}


def _assert_same_state(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours.keys() == theirs.keys()
    for key, want in theirs.items():
        got = ours[key]
        if isinstance(want, list):
            assert len(got) == len(want), key
            for g, w in zip(got, want):
                if w is None:
                    assert g is None, key
                else:
                    np.testing.assert_allclose(g, w, **STATE_TOL, err_msg=key)
        else:
            np.testing.assert_allclose(got, want, **STATE_TOL, err_msg=key)


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_and_evaluations_match_torch(kwargs: dict[str, Any]) -> None:
    """Losses and parameters after each of 10 steps, the number of closure evaluations and
    the final state (torch's keys, counters included) equal torch's."""
    ours, theirs = Run(tw, kwargs), Run(torch, kwargs)
    _assert_same_steps(ours, theirs, STEPS)
    state, their_state = ours.opt.state[ours.params[0]], theirs.opt.state[theirs.params[0]]
    assert len(state["old_dirs"]) == min(kwargs["history_size"], len(their_state["old_dirs"]))
    _assert_same_state(_host_state(state), _host_state(their_state))
    assert set(ours.opt.state) == {ours.params[0]}  # the state is global, under params[0]


def test_the_history_wraps() -> None:
    """With history_size 2 the history fills and then drops its oldest pair, as torch's."""
    kwargs = {"lr": 0.1, "max_iter": 4, "history_size": 2}
    ours, theirs = Run(tw, kwargs), Run(torch, kwargs)
    _assert_same_steps(ours, theirs, 2)
    state = ours.opt.state[ours.params[0]]
    assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) == 2
    assert state["n_iter"] == 8 > 2


@pytest.mark.parametrize("kwargs", [CASES[0], CASES[2]])
def test_state_dict_round_trip_continues_like_the_original(kwargs: dict[str, Any]) -> None:
    """Save after 4 steps, load into a fresh optimizer over copies of the parameters: the
    next 4 steps equal the uninterrupted run's exactly, evaluations included."""
    run = Run(tw, kwargs)
    for _ in range(4):
        run.step()
    resumed = Run(tw, kwargs, start=[p.detach().numpy() for p in run.params])
    resumed.opt.load_state_dict(run.opt.state_dict())
    for k in range(4):
        evals = run.evals, resumed.evals
        (_, want), (_, got) = run.step(), resumed.step()
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w, err_msg=f"step {k}")
        assert run.evals - evals[0] == resumed.evals - evals[1]


def test_torch_state_dict_loads_into_ours() -> None:
    """torch's state_dict after 3 steps, converted to tensorweave tensors, loads into our
    optimizer, which then continues like torch's."""
    kwargs = {"max_iter": 3, "history_size": 2, "line_search_fn": "strong_wolfe"}
    theirs = Run(torch, kwargs)
    for _ in range(3):
        theirs.step()

    def convert(v: Any) -> Any:
        if isinstance(v, list):
            return [convert(x) for x in v]
        if isinstance(v, dict):
            return {k: convert(x) for k, x in v.items()}
        return tw.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v

    ours = Run(tw, kwargs, start=[p.detach().numpy() for p in theirs.params])
    ours.opt.load_state_dict(convert(theirs.opt.state_dict()))
    ours.evals = theirs.evals
    _assert_same_steps(ours, theirs, 3)


def test_converged_step_evaluates_once_and_returns() -> None:
    """A gradient already within tolerance_grad: one evaluation, no move, as torch."""
    kwargs = {"tolerance_grad": 1e6}
    ours, theirs = Run(tw, kwargs), Run(torch, kwargs)
    start = [p.detach().numpy().copy() for p in ours.params]
    _assert_same_steps(ours, theirs, 2)
    assert ours.evals == 2
    for p, s in zip(ours.params, start):
        np.testing.assert_array_equal(p.detach().numpy(), s)


def test_errors_match_torch() -> None:
    p, q = tw.zeros(2, requires_grad=True), tw.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options "
                                         r"\(parameter groups\)"):
        tw.optim.LBFGS([{"params": [p]}, {"params": [q], "lr": 0.1}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        tw.optim.LBFGS([p], lr=-1)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        tw.optim.LBFGS([p], lr=tw.tensor([0.1, 0.2]))
    with pytest.raises(TypeError, match="closure"):
        tw.optim.LBFGS([p]).step()
    run = Run(tw, {"line_search_fn": "armijo"})
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        run.step()


def test_defaults_match_torch() -> None:
    """max_eval defaults to max_iter * 5 // 4; the group's keys are torch's."""
    ours = tw.optim.LBFGS([tw.zeros(2, requires_grad=True)], max_iter=7)
    theirs = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], max_iter=7)
    assert ours.defaults == theirs.defaults
    assert ours.defaults["max_eval"] == 8
