"""Training with complex parameters: every optimizer steps a complex parameter as PyTorch
2.13's does (real and imaginary parts as two real parameters; state kept complex), norms of
complex tensors and gradient clipping equal PyTorch's, with their gradients."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

Z = np.array([[1 + 2j, -0.5 + 0.3j], [0.2 - 1j, 2 + 0j]])

OPTIMIZERS = {
    "SGD": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    "Adam": {"amsgrad": True, "weight_decay": 0.1},
    "AdamW": {},
    "RMSprop": {"centered": True, "momentum": 0.5},
    "Adagrad": {"lr_decay": 0.01},
    "Adadelta": {},
    "Adamax": {},
    "NAdam": {},
    "RAdam": {},
    "Rprop": {},
    "ASGD": {},
}


def _loss(p):
    return (p * p.conj() * (p + 1)).abs().sum()


def _run(m, name, kwargs, steps=4):
    p = m.tensor(Z, requires_grad=True)
    opt = getattr(m.optim, name)([p], lr=0.1, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        _loss(p).backward()
        opt.step()
    return p, opt


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_step_complex_parameters_as_pytorch(name):
    (p, opt), (q, ref) = _run(tw, name, OPTIMIZERS[name]), _run(torch, name, OPTIMIZERS[name])
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours, theirs = opt.state[p], ref.state[q]
    assert sorted(ours) == sorted(theirs)
    for k, v in theirs.items():
        if isinstance(v, torch.Tensor):
            assert ours[k].dtype.name == str(v.dtype).split(".")[1], k
            np.testing.assert_allclose(ours[k].numpy(), v.numpy(), rtol=1e-10, atol=1e-12)


def test_complex_optimizer_state_survives_a_state_dict_round_trip(tmp_path):
    p, opt = _run(tw, "Adam", {})
    tw.save(opt.state_dict(), tmp_path / "opt.tw")
    fresh = tw.optim.Adam([p], lr=0.1)
    fresh.load_state_dict(tw.load(tmp_path / "opt.tw"))
    assert fresh.state[p]["exp_avg"].dtype is tw.complex128
    for o in (opt, fresh):
        o.zero_grad()
        _loss(p).backward()
    before = p.detach().clone()
    opt.step()
    stepped = p.detach().clone()
    p.data.copy_(before)
    fresh.step()
    np.testing.assert_array_equal(p.detach().numpy(), stepped.numpy())


def test_lbfgs_steps_complex_parameters_as_pytorch():
    out = []
    for m in (tw, torch):
        p = m.tensor(Z, requires_grad=True)
        opt = m.optim.LBFGS([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = _loss(p)
            loss.backward()
            return loss

        for _ in range(2):
            opt.step(closure)
        out.append(p.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_optimizers_without_complex_support_say_so_as_pytorch(name):
    for m in (tw, torch):
        p = m.tensor(Z, requires_grad=True)
        opt = getattr(m.optim, name)([p], lr=0.1)
        _loss(p).backward()
        with pytest.raises(RuntimeError, match=f"{name} does not support complex parameters"):
            opt.step()


NORMS = {
    "vector_norm": lambda m, z: m.linalg.vector_norm(z),
    "vector_norm-inf": lambda m, z: m.linalg.vector_norm(z, ord=float("inf")),
    "vector_norm-3-dim": lambda m, z: m.linalg.vector_norm(z, ord=3, dim=1).sum(),
    "linalg.norm": lambda m, z: m.linalg.norm(z),
    "matrix_norm-fro": lambda m, z: m.linalg.matrix_norm(z),
    "matrix_norm-1": lambda m, z: m.linalg.matrix_norm(z, ord=1),
    "matrix_norm-inf": lambda m, z: m.linalg.matrix_norm(z, ord=float("inf")),
    "matrix_norm-2": lambda m, z: m.linalg.matrix_norm(z, ord=2),
    "matrix_norm-nuc": lambda m, z: m.linalg.matrix_norm(z, ord="nuc"),
    "matrix_norm--2": lambda m, z: m.linalg.matrix_norm(z, ord=-2),
    "Tensor.norm": lambda m, z: z.norm(),
    "norm-p": lambda m, z: m.norm(z, p=3, dim=0).sum(),
}


@pytest.mark.parametrize("name", list(NORMS))
def test_norms_of_complex_tensors_and_their_gradients_equal_pytorchs(name):
    z, t = tw.tensor(Z, requires_grad=True), torch.tensor(Z, requires_grad=True)
    got, want = NORMS[name](tw, z), NORMS[name](torch, t)
    assert got.dtype is tw.float64
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    got.backward()
    want.backward()
    np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=1e-10)




def test_clip_grad_norm_of_complex_gradients_equals_pytorchs():
    out = []
    for m in (tw, torch):
        p = m.tensor(Z, requires_grad=True)
        _loss(p).backward()
        total = m.nn.utils.clip_grad_norm_([p], 1.0)
        out.append((total.item(), p.grad.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


def test_a_complex_linear_layer_trains_as_pytorchs():
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 2, dtype=torch.complex128)
    layer = tw.nn.Linear(3, 2, dtype=tw.complex128)
    assert layer.weight.dtype is tw.complex128
    layer.load_state_dict({k: tw.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    x = (np.arange(6).reshape(2, 3) + 1j).astype(np.complex128)
    for m, mod in ((tw, layer), (torch, ref)):
        opt = m.optim.Adam(mod.parameters(), lr=0.05)
        for _ in range(3):
            opt.zero_grad()
            mod(m.tensor(x)).abs().pow(2).mean().backward()
            opt.step()
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(layer.state_dict()[k].numpy(), v.numpy(), rtol=1e-10)


_RNG = np.random.default_rng(11)


def _cplx(*shape):
    return _RNG.standard_normal(shape) + 1j * _RNG.standard_normal(shape)


CONVS = {
    "conv1d": (lambda m, x, w, b: m.nn.functional.conv1d(x, w, b, stride=2, padding=1),
               (2, 3, 9), (4, 3, 3), (4,)),
    "conv2d": (lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, padding=1, dilation=2),
               (2, 3, 7, 6), (4, 3, 3, 2), (4,)),
    "conv2d-groups": (lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, groups=2),
                      (1, 4, 5, 5), (6, 2, 3, 3), (6,)),
    "conv3d": (lambda m, x, w, b: m.nn.functional.conv3d(x, w, b), (1, 2, 4, 4, 4),
               (3, 2, 2, 2, 2), (3,)),
    "conv_transpose2d": (lambda m, x, w, b: m.nn.functional.conv_transpose2d(
        x, w, b, stride=2, output_padding=1), (2, 3, 4, 4), (3, 2, 3, 3), (2,)),
    "conv_transpose1d": (lambda m, x, w, b: m.nn.functional.conv_transpose1d(x, w, b, stride=2),
                         (2, 3, 5), (3, 2, 3), (2,)),
    "unfold-fold": (lambda m, x, w, b: m.nn.functional.fold(
        m.nn.functional.unfold(x, (2, 2)) * w, (4, 4), (2, 2)), (1, 2, 4, 4), (8, 9), (1,)),
}


@pytest.mark.parametrize("name", list(CONVS))
def test_complex_convolutions_and_their_gradients_equal_pytorchs(name):
    fn, *shapes = CONVS[name]
    arrays = [_cplx(*s) for s in shapes]
    out = []
    for m in (tw, torch):
        x, w, b = (m.tensor(a, requires_grad=True) for a in arrays)
        y = fn(m, x, w, b)
        (y.abs() ** 2).sum().backward()
        out.append([y.detach().numpy()] + [t.grad.numpy() if t.grad is not None else None
                                            for t in (x, w, b)])
    for got, want in zip(*out):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
