"""``AdaptiveLogSoftmaxWithLoss`` against PyTorch's, loaded with PyTorch's weights: the
``_ASMoutput`` of the forward and its float64 gradients (input and every parameter),
``log_prob``, ``predict`` on each of its three paths, the printed form, state-dict keys and
shapes, and the constructor and forward errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.plugins.layers.adaptive import AdaptiveLogSoftmaxWithLoss

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def pair(*args, **kwargs):
    """Ours and PyTorch's in float64, ours loaded with PyTorch's state dict."""
    torch.manual_seed(0)
    ref = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs).double()
    ours = AdaptiveLogSoftmaxWithLoss(*args, **kwargs).double()
    ours.load_state_dict({k: tw.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    return ours, ref


@pytest.mark.parametrize("args,kwargs,batch", [
    ((8, 10, [3, 6]), {"div_value": 2.0}, 7),
    ((8, 12, (2, 5, 9)), {"head_bias": True, "div_value": 1.5}, 9),
    ((6, 5, [4]), {}, 3),                    # every target in the shortlist or the one cluster
])
def test_forward_and_gradients_match_torch(args, kwargs, batch):
    ours, ref = pair(*args, **kwargs)
    x = RNG.standard_normal((batch, args[0]))
    target = RNG.integers(0, args[1], batch)
    xt, rx = tw.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, rout = ours(xt, tw.tensor(target)), ref(rx, torch.tensor(target))
    assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
    np.testing.assert_allclose(out.output.detach().numpy(), rout.output.detach().numpy(),
                               rtol=1e-12)
    assert out.loss.item() == pytest.approx(rout.loss.item(), rel=1e-12)
    cot = RNG.standard_normal(batch)
    (out.output * tw.tensor(cot)).sum().add(out.loss * 3).backward()
    ((rout.output * torch.tensor(cot)).sum() + rout.loss * 3).backward()
    np.testing.assert_allclose(xt.grad.numpy(), rx.grad.numpy(), rtol=1e-10, atol=1e-14)
    theirs = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        assert (p.grad is None) == (theirs[name].grad is None), name  # a cluster no row uses
        if p.grad is not None:
            np.testing.assert_allclose(p.grad.numpy(), theirs[name].grad.numpy(),
                                       rtol=1e-10, atol=1e-14, err_msg=name)


def test_unbatched_forward_matches_torch():
    ours, ref = pair(6, 9, [3, 7], div_value=2.0, head_bias=True)
    x = RNG.standard_normal(6)
    for t in (1, 5, 8):
        out, rout = ours(tw.tensor(x), tw.tensor(t)), ref(torch.tensor(x), torch.tensor(t))
        assert out.output.shape == () and out.loss.shape == ()
        assert out.output.item() == pytest.approx(rout.output.item(), rel=1e-12)
        assert out.loss.item() == pytest.approx(rout.loss.item(), rel=1e-12)


def test_log_prob_matches_torch_and_normalizes():
    ours, ref = pair(8, 11, [2, 6], div_value=2.0)
    x = RNG.standard_normal((4, 8))
    lp = ours.log_prob(tw.tensor(x)).detach().numpy()
    np.testing.assert_allclose(lp, ref.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.exp(lp).sum(1), 1.0, rtol=1e-12)


def test_predict_matches_torch_on_every_path():
    """All rows in the shortlist, all outside it, and a mix (the head's bias steers them)."""
    ours, ref = pair(4, 8, [3], head_bias=True)
    x = RNG.standard_normal((6, 4))
    for bias in ([9.0, 0, 0, 0], [0, 0, 0, 9.0], [0, 0, 0, 0]):
        with torch.no_grad():
            ref.head.bias.copy_(torch.tensor(bias))
            ref.head.weight.mul_(4 if bias == [0, 0, 0, 0] else 1)
        ours.load_state_dict({k: tw.tensor(v.numpy()) for k, v in ref.state_dict().items()})
        want = ref.predict(torch.tensor(x))
        assert ours.predict(tw.tensor(x)).tolist() == want.tolist()
        assert want.tolist() == ref.log_prob(torch.tensor(x)).argmax(1).tolist()
    assert 0 < (want >= 3).sum() < 6  # the last pass mixes shortlist and cluster rows


def test_repr_state_dict_and_attributes_match_torch():
    ours, ref = pair(16, 20, [4, 10, 15], div_value=2.0, head_bias=True)
    assert repr(ours) == repr(ref)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in ref.state_dict().items()]
    for attr in ("in_features", "n_classes", "cutoffs", "div_value", "head_bias",
                 "shortlist_size", "n_clusters", "head_size"):
        assert getattr(ours, attr) == getattr(ref, attr), attr
    m = AdaptiveLogSoftmaxWithLoss(4, 6, [2], dtype=tw.float64)
    assert all(p.dtype is tw.float64 for p in m.parameters())


@pytest.mark.parametrize("cutoffs", [[], [3, 2], [0, 3], [3, 10], [3, 3], [2.5]])
def test_constructor_errors_match_torch(cutoffs):
    with pytest.raises(ValueError) as theirs:
        torch.nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs)
    with pytest.raises(ValueError) as ours:
        AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("x_shape,target", [
    ((3, 4), [0, 1]), ((3, 4, 1), [0, 1, 2]), ((3, 4), 1), ((4,), [[1]]), ((3, 4), [0, 6, 1]),
    ((3, 4), [0, -1, 1]),
])
def test_forward_errors_match_torch(x_shape, target):
    ours, ref = pair(4, 6, [2])
    x = np.zeros(x_shape)
    with pytest.raises(RuntimeError) as theirs:
        ref(torch.tensor(x), torch.tensor(target))
    with pytest.raises(RuntimeError) as mine:
        ours(tw.tensor(x), tw.tensor(target))
    assert str(mine.value) == str(theirs.value).replace("torch.Size", "tensorweave.Size")
