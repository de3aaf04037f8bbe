"""`tw.optim.Muon` against `torch.optim.Muon` (torch 2.13) run in float64: torch casts the
Newton-Schulz iterate to bfloat16, which tensorweave lacks, so the tests make torch's cast
a copy and then require the same parameters after every step to 1e-12 (the conformance
samples compare with the unpatched torch at bfloat16 tolerances). Also PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")


@pytest.fixture
def torch_in_float64(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())


def _trajectory(fw, kwargs, shapes, steps=6):
    rng = np.random.default_rng(0)
    params = [fw.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    opt = fw.optim.Muon(params, **kwargs)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        sum(((p - 0.5) ** 2).sum() + (3 * p).sin().sum() for p in params).backward()
        opt.step()
        path.append([p.detach().numpy().copy() for p in params])
    return path, opt


@pytest.mark.parametrize("kwargs", [
    {},
    {"lr": 0.05, "weight_decay": 0.0, "momentum": 0.8, "nesterov": False},
    {"lr": 0.02, "ns_steps": 2, "ns_coefficients": (2.0, -1.5, 0.5), "eps": 1e-3,
     "adjust_lr_fn": "match_rms_adamw"},
    {"lr": 0.02, "adjust_lr_fn": "original"},
])
def test_steps_equal_pytorchs_in_float64(torch_in_float64, kwargs):
    shapes = ((3, 4), (5, 2), (1, 3))
    mine, _ = _trajectory(tw, kwargs, shapes)
    theirs, _ = _trajectory(torch, kwargs, shapes)
    for step, (got, want) in enumerate(zip(mine, theirs)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=f"step {step}")


def test_update_is_nearly_orthogonal_and_state_is_the_buffer():
    """Without momentum or decay the step is ``lr * sqrt(rows / cols) * O`` for the
    orthogonalized gradient O, whose singular values the iteration puts in ~[0.5, 1.5]."""
    g = np.random.default_rng(1).standard_normal((6, 3))
    p = tw.zeros(6, 3, dtype=tw.float64, requires_grad=True)
    opt = tw.optim.Muon([p], lr=0.1, weight_decay=0.0, momentum=0.0, nesterov=False)
    (p * tw.tensor(g)).sum().backward()
    opt.step()
    assert list(opt.state[p]) == ["momentum_buffer"]
    o = -p.detach().numpy() / (0.1 * np.sqrt(2.0))
    s = np.linalg.svd(o, compute_uv=False)
    assert 0.5 < s.min() and s.max() < 1.5
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    assert np.abs(o - u @ vt).max() < 0.5  # near U V^T, not equal (by design)


@pytest.mark.parametrize("kwargs,shape", [
    ({"lr": -1.0}, (2, 2)), ({"momentum": -0.1}, (2, 2)), ({"weight_decay": -1.0}, (2, 2)),
    ({"adjust_lr_fn": "spectral"}, (2, 2)), ({}, (3,)), ({}, (2, 2, 2)),
])
def test_constructor_errors_are_pytorchs(kwargs, shape):
    with pytest.raises(ValueError) as theirs:
        torch.optim.Muon([torch.zeros(shape, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as mine:
        tw.optim.Muon([tw.zeros(shape, requires_grad=True)], **kwargs)
    assert str(mine.value) == str(theirs.value).replace("torch.Size", "tensorweave.Size")


def test_too_many_newton_schulz_steps():
    p = tw.ones(2, 2, requires_grad=True)
    opt = tw.optim.Muon([p], ns_steps=100)
    p.sum().backward()
    with pytest.raises(ValueError, match="Number of steps must be less than 100"):
        opt.step()
