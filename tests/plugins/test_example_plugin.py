"""The example third-party plugin (examples/squareplus-plugin), installed by the README's
test command, is used with no wiring: ``tw.squareplus``, ``tw.nn.Squareplus``,
``tw.nn.LogCoshLoss`` and ``tw.optim.Lion``. Its pieces also run through the
registry-driven conformance tests like the built-in ones; these tests check the rest.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tw

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tw_squareplus") is None,
    reason="the example plugin is not installed: pip install -e examples/squareplus-plugin "
           "(the README's test command does)")


def test_plugin_is_loaded_from_its_distribution() -> None:
    out = subprocess.run([sys.executable, "-m", "tensorweave.cli", "plugins", "--json"],
                         capture_output=True, text=True, check=True).stdout
    info = {p["plugin"]: p for p in json.loads(out)["plugins"]}["squareplus"]
    assert info["distribution"] == "tensorweave-squareplus"
    assert info["registered"] == {"ops": ["squareplus"], "layers": ["Squareplus"],
                                  "losses": ["LogCoshLoss"], "optimizers": ["Lion"],
                                  "kernels": ["cpu:squareplus"]}


def test_op_values_and_gradient() -> None:
    x = np.linspace(-3, 3, 7)
    t = tw.tensor(x, requires_grad=True)
    y = tw.squareplus(t, b=2.0)
    np.testing.assert_allclose(y.detach().numpy(), (x + np.sqrt(x * x + 2)) / 2, rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), (1 + x / np.sqrt(x * x + 2)) / 2, rtol=1e-15)
    assert t.squareplus().shape == (7,)  # a Tensor method too
    with pytest.raises(ValueError, match="squareplus: b must be >= 0"):
        tw.squareplus(t, b=-1.0)


def test_layer_and_loss_are_nn_members() -> None:
    from tw_squareplus import LogCoshLoss, Squareplus

    assert tw.nn.Squareplus is Squareplus and tw.nn.LogCoshLoss is LogCoshLoss
    assert repr(tw.nn.Squareplus(b=1.0)) == "Squareplus(b=1.0)"
    d = np.array([-800.0, -1.0, 0.0, 0.5, 800.0])
    loss = tw.nn.LogCoshLoss(reduction="none")(tw.tensor(d), tw.zeros(5, dtype=tw.float64))
    # log(cosh(d)) without overflow: for |d| = 800, cosh overflows but the loss is |d| - log 2.
    want = np.where(np.abs(d) > 50, np.abs(d) - np.log(2), np.log(np.cosh(d)))
    np.testing.assert_allclose(loss.numpy(), want, rtol=1e-14, atol=1e-15)


def test_lion_follows_its_published_update() -> None:
    rng = np.random.default_rng(0)
    p0, grads = rng.standard_normal(4), rng.standard_normal((5, 4))
    p = tw.nn.Parameter(tw.tensor(p0))
    opt = tw.optim.Lion([p], lr=0.1, betas=(0.9, 0.99), weight_decay=0.5)
    want, m = p0.copy(), np.zeros(4)
    for g in grads:
        p.grad = tw.tensor(g)
        opt.step()
        want = want * (1 - 0.1 * 0.5) - 0.1 * np.sign(0.9 * m + 0.1 * g)
        m = 0.99 * m + 0.01 * g
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-14)


def test_plugin_pieces_train_a_model() -> None:
    tw.manual_seed(0)
    x = tw.randn(64, 3)
    y = (x[:, :1] * 2 - x[:, 1:2]).abs()
    model = tw.nn.Sequential(tw.nn.Linear(3, 16), tw.nn.Squareplus(), tw.nn.Linear(16, 1))
    opt = tw.optim.Lion(model.parameters(), lr=1e-2)
    criterion = tw.nn.LogCoshLoss()
    losses = []
    for _ in range(200):
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
