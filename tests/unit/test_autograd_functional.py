"""`tensorweave.autograd.functional` (vjp, jvp, jacobian, hessian, vhp, hvp) against
`torch.autograd.functional` on the same float64 functions and inputs: structure (tuples where
PyTorch has tuples), shapes and values, the create_graph gradients, and strict mode."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.autograd.functional as AF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

R = np.random.default_rng(8)
A, B, V = R.standard_normal((2, 3)), R.standard_normal(3), R.standard_normal(2)


def pair(x, y):
    return (x * y).sin().sum(1), (x ** 2).sum()


def scalar(x, y):
    return (x.exp() * y).sum() + (y ** 3).sum()


def _fw(fw, *arrays):
    return tuple(fw.tensor(a) for a in arrays)


def _same(mine, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(mine, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            _same(m, t)
        return
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-12,
                               atol=1e-12)


CASES = [
    ("jacobian-tuple", lambda F, fw: F.jacobian(pair, _fw(fw, A, B))),
    ("jacobian-tensor", lambda F, fw: F.jacobian(lambda x: x.tanh() * 2, fw.tensor(A))),
    ("jacobian-tuple-out-single-in", lambda F, fw: F.jacobian(lambda x: (x.sum(), x * 3),
                                                               fw.tensor(B))),
    ("hessian-tuple", lambda F, fw: F.hessian(scalar, _fw(fw, A, B))),
    ("hessian-tensor", lambda F, fw: F.hessian(lambda x: (x ** 3).sum(), fw.tensor(B))),
    ("vjp", lambda F, fw: F.vjp(pair, _fw(fw, A, B), (fw.tensor(V), fw.tensor(1.5)))),
    ("vjp-scalar-default-v", lambda F, fw: F.vjp(lambda x: x.cos().sum(), fw.tensor(A))),
    ("jvp", lambda F, fw: F.jvp(pair, _fw(fw, A, B), _fw(fw, A + 1, B * 2))),
    ("hvp", lambda F, fw: F.hvp(scalar, _fw(fw, A, B), _fw(fw, A, B))),
    ("vhp", lambda F, fw: F.vhp(scalar, _fw(fw, A, B), _fw(fw, B[None] * A, B))),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(case):
    _, call = case
    _same(call(AF, tw), call(TF, torch))


@pytest.mark.parametrize("name", ["jacobian", "hessian", "hvp"])
def test_create_graph_results_are_differentiable(name):
    def run(F, fw):
        x = fw.tensor(B, requires_grad=True)
        f = (lambda t: (t ** 3).sum() * t.sum()) if name != "jacobian" else (lambda t: t.sin() * t)
        extra = (x.detach() + 1,) if name == "hvp" else ()
        out = getattr(F, name)(f, x, *extra, create_graph=True)
        out = out[1] if name == "hvp" else out
        (out * fw.tensor(np.arange(out.numel()).reshape(out.shape) * 0.1)).sum().backward()
        return x.grad

    _same(run(AF, tw), run(TF, torch))


def test_strict_mode_and_bad_arguments():
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(lambda x, y: x * 2, _fw(tw, B, B), strict=True)
    zero = AF.jacobian(lambda x, y: x * 2, _fw(tw, B, B))[1]
    assert zero.shape == (3, 3) and not zero.numpy().any()
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda x: x * 2, tw.tensor(B))
    with pytest.raises(RuntimeError, match="single element"):
        AF.hessian(lambda x: x * 2, tw.tensor(B))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda x: x, [1.0])
    assert tw.autograd.functional is AF
