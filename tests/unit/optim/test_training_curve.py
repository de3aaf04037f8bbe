"""The headline check: a small MLP trained for 100 steps from the same initial weights on
the same batches follows PyTorch's loss curve, for each optimizer.

The network is written with raw parameter tensors and framework ops (``x @ W.T + b``,
``tanh``, ``log_softmax``), so only the optimizers and autograd are under test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

SIZES = [20, 32, 16, 3]
STEPS = 100
BATCH = 16


def _data() -> tuple[list[np.ndarray], list[tuple[np.ndarray, np.ndarray]]]:
    """Initial weights (torch's Linear init scale) and one batch per step: three Gaussian
    blobs, so the loss has something to learn."""
    rng = np.random.default_rng(0)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights += [rng.uniform(-bound, bound, (fan_out, fan_in)),
                    rng.uniform(-bound, bound, fan_out)]
    centers = rng.standard_normal((SIZES[-1], SIZES[0]))
    batches = []
    for _ in range(STEPS):
        y = rng.integers(0, SIZES[-1], BATCH)
        x = centers[y] + 0.8 * rng.standard_normal((BATCH, SIZES[0]))
        batches.append((x, np.eye(SIZES[-1])[y]))
    return weights, batches


def _train(fw: Any, name: str, kwargs: dict[str, Any]) -> np.ndarray:
    """The loss of every step of training in framework ``fw``."""
    weights, batches = _data()
    params = [fw.tensor(w, dtype=fw.float64, requires_grad=True) for w in weights]
    opt = getattr(fw.optim, name)(params, **kwargs)
    losses = []
    for x, onehot in batches:
        h = fw.tensor(x, dtype=fw.float64)
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = fw.tanh(h)
        loss = -(fw.tensor(onehot, dtype=fw.float64) * fw.log_softmax(h, dim=1)).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("Adam", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "amsgrad": True}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.5, "centered": True}),
])
def test_mlp_loss_curve_follows_torch(name: str, kwargs: dict[str, Any]) -> None:
    """100 training steps (float64) give torch's loss at every step, to 1e-9 relative (the
    frameworks differ only in rounding), and the network does learn."""
    ours, theirs = _train(tw, name, kwargs), _train(torch, name, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    assert ours[-10:].mean() < 0.5 * ours[:10].mean()
