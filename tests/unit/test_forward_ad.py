"""``autograd.forward_ad`` against PyTorch's forward mode: tangents of elementwise, matrix,
reduction and layer computations with several duals, duals of tensors that require grad
(reverse mode still reaches them), no tangent where there is no dependence, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.autograd.forward_ad as fwAD

torch = pytest.importorskip("torch")
import torch.autograd.forward_ad as tfwAD  # noqa: E402

R = np.random.default_rng(0)
A, B = R.standard_normal((3, 4)), R.standard_normal((4, 2))
VA, VB = R.standard_normal((3, 4)), R.standard_normal((4, 2))

FUNCS = {
    "elementwise": lambda fw, a, b: (a.sin() * a.exp()).tanh(),
    "matmul": lambda fw, a, b: a @ b,
    "both": lambda fw, a, b: fw.softmax(a @ b, 1).log() + (a ** 2).sum(),
    "layer": lambda fw, a, b: fw.nn.functional.layer_norm(a, (4,)).mean(0),
    "reduction": lambda fw, a, b: a.amax(1) + b.logsumexp(0).sum(),
}


@pytest.mark.parametrize("name", FUNCS)
def test_tangents_equal_pytorchs(name):
    fn = FUNCS[name]
    with fwAD.dual_level():
        a = fwAD.make_dual(tw.tensor(A), tw.tensor(VA))
        b = fwAD.make_dual(tw.tensor(B), tw.tensor(VB))
        primal, tangent = fwAD.unpack_dual(fn(tw, a, b))
    with tfwAD.dual_level():
        ta = tfwAD.make_dual(torch.tensor(A), torch.tensor(VA))
        tb = tfwAD.make_dual(torch.tensor(B), torch.tensor(VB))
        tprimal, ttangent = tfwAD.unpack_dual(fn(torch, ta, tb))
    np.testing.assert_allclose(primal.numpy(), tprimal.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent.numpy(), ttangent.numpy(), rtol=1e-10, atol=1e-12)


def test_duals_of_leaves_that_require_grad_still_backpropagate():
    x = tw.tensor(A, requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, tw.tensor(VA))
        y = (d * d).sum()
        assert fwAD.unpack_dual(d).tangent is not None
        np.testing.assert_allclose(fwAD.unpack_dual(y).tangent.item(), (2 * A * VA).sum())
        y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * A)


def test_no_tangent_without_dependence_or_level():
    with fwAD.dual_level():
        fwAD.make_dual(tw.ones(2), tw.ones(2))
        assert fwAD.unpack_dual(tw.ones(3) * 2).tangent is None
        const = fwAD.unpack_dual(fwAD.make_dual(tw.ones(2), tw.ones(2)) * 0)
        assert const.tangent is not None and const.tangent.tolist() == [0.0, 0.0]
    assert fwAD.unpack_dual(tw.ones(2)).tangent is None


def test_errors_are_pytorchs():
    with pytest.raises(RuntimeError, match="no level exists, make sure to enter_dual_level"):
        fwAD.make_dual(tw.ones(2), tw.ones(2))
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="Tensor is of size \\[2\\] while the given "
                           "forward gradient is of size \\[3\\]"):
            fwAD.make_dual(tw.ones(2), tw.ones(3))
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            fwAD.enter_dual_level()
