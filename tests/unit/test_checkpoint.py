"""`autograd.graph` saved-tensor hooks and `utils.checkpoint`.

Hooks: values and first and second derivatives under pack/unpack hooks equal PyTorch's;
`save_on_cpu` from another device; in-place changes are still caught; PyTorch's errors.
Checkpointing: outputs and gradients equal an ordinary run (dropout included, through the
preserved random state), the block reruns once per backward and stops early, gradients
reach parameters when no input requires grad, ``autograd.grad`` works, the determinism
errors, and `checkpoint_sequential` against PyTorch's with the same weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.autograd.graph import (
    Node,
    disable_saved_tensors_hooks,
    increment_version,
    save_on_cpu,
    saved_tensors_hooks,
)
from tensorweave.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

torch = pytest.importorskip("torch")


def _f(fw, x):
    return (x.sin() * x.exp()).sum() + (x * x).tanh().sum()


def test_hooks_keep_first_and_second_derivatives_equal_pytorchs():
    a = np.random.default_rng(0).standard_normal(4)
    out = []
    for fw in (tw, torch):
        x = fw.tensor(a, requires_grad=True)
        packed = []

        def pack(t, packed=packed):
            packed.append(t.shape)
            return t.clone()

        with fw.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = _f(fw, x)
        g, = fw.autograd.grad(y, x, create_graph=True)
        gg, = fw.autograd.grad(g.sum(), x)
        out.append((y.item(), g.detach().numpy(), gg.numpy(), bool(packed)))
    for mine, theirs in zip(*out):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


def test_save_on_cpu_moves_saved_tensors_and_back(device):
    x = tw.tensor([0.5, 1.0, 2.0], device=device, requires_grad=True)
    hooks = save_on_cpu()
    packed, pack = [], hooks.pack_hook
    hooks.pack_hook = lambda t: packed.append(pack(t)) or packed[-1]
    with hooks:
        y = (x.exp() * x).sum()
    assert packed and all(str(p[1].device) == "cpu" and p[0] == x.device for p in packed)
    y.backward()
    want = np.exp([0.5, 1.0, 2.0]) * (1 + np.array([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(x.grad.cpu().numpy(), want, rtol=1e-6)
    assert x.grad.device == x.device


def test_in_place_changes_are_still_caught():
    x = tw.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
        h = x * 2
        y = (h * h).sum()
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    z = x.detach().requires_grad_()
    w = (z * z).sum()
    increment_version(z)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.backward()


def test_hook_errors():
    x = tw.ones(2, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = (x * x).sum()
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got result "
                                        "of type int"):
        y.backward()
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="^no hooks here$"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    assert isinstance((x * 2).grad_fn, Node)


def _net(fw, seed=0):
    rng = np.random.default_rng(seed)
    m = fw.nn.Sequential(fw.nn.Linear(3, 5), fw.nn.Tanh(), fw.nn.Dropout(0.3),
                         fw.nn.Linear(5, 4), fw.nn.Sigmoid(), fw.nn.Linear(4, 2)).double()
    with fw.no_grad():
        for p in m.parameters():
            p.copy_(fw.tensor(rng.standard_normal(tuple(p.shape))))
    return m


@pytest.mark.parametrize("reentrant", [False, True])
def test_checkpoint_equals_an_ordinary_run(reentrant):
    m = _net(tw)
    x = tw.tensor(np.random.default_rng(1).standard_normal((6, 3)), requires_grad=True)
    tw.manual_seed(3)
    want = m(x)
    want.square().sum().backward()
    grads = [p.grad.clone() for p in (x, *m.parameters())]
    x.grad = None
    m.zero_grad()
    calls = []

    def block(t):
        calls.append(1)
        return m(t)

    tw.manual_seed(3)
    got = checkpoint(block, x, use_reentrant=reentrant)
    assert len(calls) == 1
    got.square().sum().backward()
    assert len(calls) == 2  # one rerun, in backward
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-14)
    for g, p in zip(grads, (x, *m.parameters())):
        np.testing.assert_allclose(p.grad.numpy(), g.numpy(), rtol=1e-12, atol=1e-14)


def test_non_reentrant_reaches_parameters_and_supports_grad_and_retain_graph():
    m = _net(tw).eval()
    x = tw.tensor(np.random.default_rng(2).standard_normal((4, 3)))  # needs no grad
    ref = tw.autograd.grad(m(x).sum(), list(m.parameters()))
    calls = []
    out = checkpoint(lambda t: calls.append(1) or m(t), x, use_reentrant=False)
    got = tw.autograd.grad(out.sum(), list(m.parameters()), retain_graph=True)
    again = tw.autograd.grad(out.sum(), list(m.parameters()))
    assert len(calls) == 3  # the run, then one rerun per backward
    for r, g, a in zip(ref, got, again):
        np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-13)
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-13)


def test_early_stop_skips_the_rest_of_the_block():
    x = tw.ones(3, requires_grad=True)
    after = []

    def block(t):
        y = t.exp()
        after.append(1)
        return y

    checkpoint(block, x, use_reentrant=False).sum().backward()
    assert after == [1]  # the rerun stopped once exp's saved output was back
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, np.e), rtol=1e-6)


def test_reentrant_rules_are_pytorchs():
    x = tw.ones(2)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        assert not checkpoint(lambda t: t * 2, x, use_reentrant=True).requires_grad
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: k$"):
        checkpoint(lambda t, k: t * k, x, use_reentrant=True, k=2)
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        checkpoint(lambda t: t, x, use_reentrant=True, context_fn=lambda: (None, None))
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        checkpoint(lambda t: t * 2, x.requires_grad_())
    assert checkpoint(lambda t, k: t * k, x, use_reentrant=False, k=3).tolist() == [3.0, 3.0]


def test_a_block_that_saves_other_tensors_on_rerun_is_an_error():
    x = tw.ones(3, requires_grad=True)
    state = {"n": 0}

    def block(t):
        state["n"] += 1
        return (t[:2] if state["n"] > 1 else t).exp().sum()

    y = checkpoint(block, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="different metadata than during the forward"):
        y.backward()
    state["n"] = 0

    def fewer(t):
        state["n"] += 1
        return t.exp().sum() if state["n"] > 1 else (t.exp() * t).sum()

    y = checkpoint(fewer, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="A different number of tensors was saved"):
        y.backward()


@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_equals_pytorchs(segments):
    x = np.random.default_rng(4).standard_normal((5, 3))
    res = []
    for fw in (tw, torch):
        m = _net(fw, seed=5).eval()
        xt = fw.tensor(x, requires_grad=True)
        fn = checkpoint_sequential if fw is tw else torch.utils.checkpoint.checkpoint_sequential
        out = fn(m, segments, xt, use_reentrant=False)
        out.sum().backward()
        res.append((out.detach().numpy(), xt.grad.numpy(), m[0].weight.grad.numpy()))
    for mine, theirs in zip(*res):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
