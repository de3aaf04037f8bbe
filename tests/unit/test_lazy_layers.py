"""The lazy layers against PyTorch's: reprs and state_dict keys before and after the first
forward, the class they become, outputs and gradients once PyTorch's weights are copied in,
dtype placement, optimizers built before the first forward, loading a state_dict into
placeholders, and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.nn import UninitializedParameter
from tensorweave.nn.parameter import is_lazy

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)

CASES = [
    ("LazyLinear", (3,), {}, (2, 4)),
    ("LazyLinear", (3,), {"bias": False}, (2, 5, 4)),
    ("LazyConv1d", (4, 3), {"padding": 1, "groups": 2}, (2, 2, 6)),
    ("LazyConv1d", (2, 3), {}, (3, 6)),
    ("LazyConv2d", (4, 3), {"stride": 2, "bias": False}, (2, 2, 5, 5)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 2, 5)),
    ("LazyConvTranspose2d", (4, (2, 3)), {"groups": 2}, (1, 2, 3, 4)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm1d", (), {"affine": False, "momentum": None}, (4, 3, 2)),
    ("LazyBatchNorm2d", (), {"track_running_stats": False}, (4, 3, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"affine": False}, (2, 3, 4, 4)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _pair(name, args, kwargs):
    torch.manual_seed(0)
    return getattr(tw.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs,shape", CASES, ids=IDS)
def test_lazy_layer_matches_torch(name, args, kwargs, shape):
    """Before the first forward: PyTorch's repr and state_dict keys; after it: the concrete
    class and repr, and, with PyTorch's weights copied in, its outputs, input and parameter
    gradients and running statistics."""
    mine, ref = _pair(name, args, kwargs)
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict())
    mine.double()
    ref.double()
    x = RNG.standard_normal(shape)
    mine(tw.tensor(x))
    ref(torch.tensor(x))
    assert type(mine).__name__ == type(ref).__name__ == name.removeprefix("Lazy")
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict())
    assert not any(isinstance(p, UninitializedParameter) for p in mine.parameters())
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in ref.state_dict().items()})

    x2 = RNG.standard_normal(shape)
    a, b = tw.tensor(x2, requires_grad=True), torch.tensor(x2, requires_grad=True)
    out, want = mine(a), ref(b)
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), atol=1e-10)
    cot = RNG.standard_normal(tuple(want.shape))
    out.backward(tw.tensor(cot))
    want.backward(torch.tensor(cot))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)
    for (n, p), (m, q) in zip(mine.named_parameters(), ref.named_parameters()):
        assert n == m
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-10, err_msg=n)
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[k].numpy(), v.numpy(), atol=1e-10,
                                   err_msg=k)


@pytest.mark.parametrize("name,args,shape", [("LazyLinear", (3,), (2, 4)),
                                             ("LazyConv2d", (2, 3), (1, 2, 4, 4)),
                                             ("LazyBatchNorm1d", (), (4, 3))])
def test_parameters_are_placeholders_until_the_first_forward(name, args, shape):
    """Placeholders print as PyTorch's, follow .to(dtype) and become Parameters in place."""
    m = getattr(tw.nn, name)(*args)
    before = list(m.parameters())
    assert all(isinstance(p, UninitializedParameter) and is_lazy(p) for p in before)
    assert repr(before[0]) == "<UninitializedParameter>"
    assert m.has_uninitialized_params()
    m.double()
    m(tw.randn(*shape, dtype=tw.float64))
    after = list(m.parameters())
    assert all(p is q for p, q in zip(before, after))
    assert all(type(p) is tw.nn.Parameter and p.dtype is tw.float64 for p in after)
    assert not any(is_lazy(p) for p in after)


def test_running_statistics_are_buffer_placeholders_until_the_first_forward():
    """As PyTorch's: UninitializedBuffer objects that follow .to() and become plain tensors
    of num_features in place (the buffer objects stay the same)."""
    m = tw.nn.LazyBatchNorm2d()
    before = [m.running_mean, m.running_var]
    assert all(type(b) is tw.nn.UninitializedBuffer and is_lazy(b) for b in before)
    assert repr(before[0]) == repr(torch.nn.LazyBatchNorm2d().running_mean)
    assert m.num_batches_tracked.shape == () and not is_lazy(m.num_batches_tracked)
    m.double()
    assert m.running_mean is before[0] and m.running_mean.dtype is tw.float64
    m(tw.randn(2, 3, 2, 2, dtype=tw.float64))
    assert m.running_mean is before[0] and m.running_var is before[1]
    assert all(type(b) is tw.Tensor and b.shape == (3,) and b.dtype is tw.float64
               for b in before)
    assert type(m) is tw.nn.BatchNorm2d


def test_linear_initialization_follows_the_concrete_layer():
    """Materialized weights are initialized as Linear's: U(-1/sqrt(in), 1/sqrt(in))."""
    m = tw.nn.LazyLinear(200)
    m(tw.randn(1, 16))
    w = m.weight.detach().numpy()
    assert w.shape == (200, 16) and np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2


@pytest.mark.parametrize("opt,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                        ("Adam", {"lr": 0.01})])
def test_optimizer_built_before_the_first_forward_steps_as_torchs(opt, kwargs):
    """As in PyTorch, an optimizer built on the placeholders updates the materialized
    parameters (they are the same objects)."""
    mine, ref = tw.nn.LazyLinear(2).double(), torch.nn.LazyLinear(2).double()
    mine_opt = getattr(tw.optim, opt)(mine.parameters(), **kwargs)
    ref_opt = getattr(torch.optim, opt)(ref.parameters(), **kwargs)
    x = RNG.standard_normal((5, 3))
    ref(torch.tensor(x))
    mine(tw.tensor(x))
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    for _ in range(3):
        for m, o, fw in ((mine, mine_opt, tw), (ref, ref_opt, torch)):
            o.zero_grad()
            (m(fw.tensor(x)) ** 2).sum().backward()
            o.step()
    np.testing.assert_allclose(mine.weight.detach().numpy(), ref.weight.detach().numpy(),
                               atol=1e-10)


def test_load_state_dict_materializes_placeholders():
    """Loading a concrete layer's state gives the shapes; the first forward then keeps the
    loaded values and turns the layer concrete, as in PyTorch."""
    src = tw.nn.BatchNorm1d(3)
    src.running_mean.fill_(0.5)
    lazy = tw.nn.LazyBatchNorm1d()
    lazy.load_state_dict(src.state_dict())
    assert type(lazy).__name__ == "LazyBatchNorm1d" and not lazy.has_uninitialized_params()
    lazy.eval()
    lazy(tw.randn(2, 3))
    assert type(lazy) is tw.nn.BatchNorm1d and lazy.num_features == 0  # as PyTorch leaves it
    assert lazy.running_mean.tolist() == [0.5, 0.5, 0.5]


def test_unbatched_instance_norm_reads_the_channel_dim():
    """An unbatched (C, L) input gives C features (PyTorch's lazy instance norm reads L)."""
    m = tw.nn.LazyInstanceNorm1d()
    m(tw.randn(3, 5))
    assert m.num_features == 3 and m.weight.shape == (3,)


@pytest.mark.parametrize("make,x,exc,match", [
    (lambda: tw.nn.LazyConv1d(4, 3, groups=2), (1, 3, 5), ValueError,
     "in_channels must be divisible by groups"),
    (lambda: tw.nn.LazyConv1d(4, 3), (5,), RuntimeError,
     r"Expected 2D \(unbatched\) or 3D \(batched\) input to LazyConv1d, but got input of size"),
    (lambda: tw.nn.LazyBatchNorm2d(), (2, 3), ValueError, r"expected 4D input \(got 2D input\)"),
    (lambda: tw.nn.LazyInstanceNorm2d(), (2, 3), ValueError,
     r"expected 3D or 4D input \(got 2D input\)"),
], ids=["groups", "conv-dims", "batch-norm-dims", "instance-norm-dims"])
def test_bad_first_input_raises_and_keeps_the_layer_lazy(make, x, exc, match):
    m = make()
    with pytest.raises(exc, match=match):
        m(tw.randn(*x))
    assert m.has_uninitialized_params() and type(m).__name__.startswith("Lazy")
