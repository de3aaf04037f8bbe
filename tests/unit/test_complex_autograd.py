"""Autograd through complex tensors: gradients of real losses with respect to real and
complex leaves equal PyTorch 2.13's (its convention: dL/dx + i dL/dy for z = x + iy), for
the holomorphic ops, the non-holomorphic ones (abs, angle, real, imag, conj, sgn), casts
between real and complex, the views, the fft family, and double backward."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
Z = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
W = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
M = RNG.standard_normal((4, 2)) + 1j * RNG.standard_normal((4, 2))

CASES = {
    "mul-abs": lambda m, x, z, w, a: (z * w).abs().sum(),
    "exp-times-real": lambda m, x, z, w, a: (z.exp() * x).real.sum(),
    "div-imag": lambda m, x, z, w, a: (z / (w + 3)).imag.sum(),
    "matmul": lambda m, x, z, w, a: (z @ a).abs().pow(2).sum(),
    "view_as_real": lambda m, x, z, w, a: (m.view_as_real(z.sin()) * 1.5).sum(),
    "view_as_complex": lambda m, x, z, w, a: m.view_as_complex(
        m.stack([x, x * x], -1)).log().imag.sum(),
    "complex-log": lambda m, x, z, w, a: m.complex(x, x * 2).log().abs().sum(),
    "polar": lambda m, x, z, w, a: m.polar(x.abs() + 0.1, x).sum().real,
    "conj": lambda m, x, z, w, a: (z.conj() * w).imag.sum(),
    "angle": lambda m, x, z, w, a: m.angle(z * 1j + w).sum(),
    "chain": lambda m, x, z, w, a: z.sqrt().tanh().sigmoid().abs().sum(),
    "pow-scalar-mix": lambda m, x, z, w, a: (x * 2j + z).pow(3).real.sum(),
    "pow-complex": lambda m, x, z, w, a: (z ** w).abs().sum(),
    "movement": lambda m, x, z, w, a: z.reshape(12)[::2].flip(0).cumsum(0).abs().sum(),
    "reductions": lambda m, x, z, w, a: (z.sum(1) * w.mean(0)[:3]).abs().sum(),
    "where-prod": lambda m, x, z, w, a: m.where(x > 0, z, w).prod(1).abs().sum(),
    "einsum": lambda m, x, z, w, a: m.einsum("ij,jk->ik", z, a).real.sum(),
    "linear": lambda m, x, z, w, a: m.nn.functional.linear(z, a.T, a[0]).abs().sum(),
    "linear-real-input": lambda m, x, z, w, a: m.nn.functional.linear(
        x.to(m.complex128), a.T).imag.sum(),
    "sgn": lambda m, x, z, w, a: (z.sgn() * w).imag.sum(),
    "to-complex64": lambda m, x, z, w, a: (z.to(m.complex64) * 2).abs().sum(),
    "real-to-complex": lambda m, x, z, w, a: x.to(m.complex128).exp().imag.sum(),
    "broadcast": lambda m, x, z, w, a: (z[:, :1] * w + x[0]).abs().sum(),
    "rfft": lambda m, x, z, w, a: m.fft.rfft(x * 2, dim=1).abs().sum(),
    "fft": lambda m, x, z, w, a: m.fft.fft(z).abs().pow(2).sum(),
    "rfft-irfft": lambda m, x, z, w, a: (m.fft.irfft(m.fft.rfft(x) * z[:, :3]) ** 2).sum(),
    "fftn-ihfft": lambda m, x, z, w, a: (m.fft.fftn(z, norm="ortho").real.sum()
                                         + m.fft.ihfft(x).imag.pow(2).sum()),
    "hfft": lambda m, x, z, w, a: m.fft.hfft(z, n=6).pow(2).sum(),
}


def _leaves(m, arrays):
    return [m.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_equal_pytorchs(name):
    fn = CASES[name]
    ours, theirs = _leaves(tw, (X, Z, W, M)), _leaves(torch, (X, Z, W, M))
    got, want = fn(tw, *ours), fn(torch, *theirs)
    tol = 1e-5 if "complex64" in name else 1e-10  # a float32 sum in another order
    np.testing.assert_allclose(got.item(), want.item(), rtol=tol)
    got.backward()
    want.backward()
    for o, t in zip(ours, theirs):
        assert (o.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert o.grad.dtype.name == str(t.grad.dtype).split(".")[1]
            np.testing.assert_allclose(o.grad.numpy(), t.grad.resolve_conj().numpy(), rtol=tol,
                                       atol=tol / 100)


def test_abs_angle_and_sgn_have_zero_gradient_at_zero():
    z0 = np.array([0j, complex(-0.0, 0.0), 1 - 2j])
    ours, theirs = tw.tensor(z0, requires_grad=True), torch.tensor(z0, requires_grad=True)
    for m, z in ((tw, ours), (torch, theirs)):
        (z.abs().sum() + m.angle(z).sum() + z.sgn().real.sum()).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours.grad.numpy()[:2], [0, 0])


def test_a_complex_output_needs_an_explicit_gradient():
    z = tw.tensor(Z, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for real scalar outputs"):
        (z * z).sum().backward()
    g = W.astype(np.complex128)
    (z * z).backward(gradient=tw.tensor(g))
    t = torch.tensor(Z, requires_grad=True)
    (t * t).backward(gradient=torch.tensor(g))
    np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_double_backward_through_complex_values():
    outs = []
    for m in (tw, torch):
        z = m.tensor(Z, requires_grad=True)
        loss = (z.exp() * z.conj()).abs().sum()
        (g,) = m.autograd.grad(loss, z, create_graph=True)
        (g.abs() ** 2).sum().backward()
        outs.append((g.detach().numpy(), z.grad.numpy()))
    for ours, theirs in zip(*outs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_complex_leaves_require_grad_and_integers_still_refuse():
    z = tw.zeros(2, dtype=tw.complex64).requires_grad_()
    assert z.requires_grad and z.grad is None
    assert (z * 1j).grad_fn is not None
    with pytest.raises(RuntimeError, match="floating point and complex dtype"):
        tw.zeros(2, dtype=tw.int64).requires_grad_()
