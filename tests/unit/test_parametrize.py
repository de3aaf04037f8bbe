"""`nn.utils.parametrize` and `nn.utils.parametrizations.{orthogonal, weight_norm}` against
PyTorch's: state-dict keys and values, the parametrized tensor, outputs and float64
gradients w.r.t. the originals, assignment through ``right_inverse``, chaining, removal and
the class swap."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw
import tensorweave.nn.utils.parametrizations as PZ
import tensorweave.nn.utils.parametrize as P

torch = pytest.importorskip("torch")
TP = torch.nn.utils.parametrize
TPZ = torch.nn.utils.parametrizations


def _modules(nn):
    """The same parametrizations written for ``nn`` (tw.nn or torch.nn)."""

    class Symmetric(nn.Module):
        def forward(self, X):  # noqa: N803 - PyTorch's docs' name
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):  # noqa: N803
            return A.triu()

    class Scale(nn.Module):
        def forward(self, X):  # noqa: N803
            return 2.0 * X

        def right_inverse(self, A):  # noqa: N803
            return A / 2.0

    class Halves(nn.Module):  # two originals: original0, original1
        def forward(self, a, b):
            return a + b.exp()

        def right_inverse(self, w):
            return w / 2.0, (w / 2.0).abs().log()

    return Symmetric, Scale, Halves


def _same_state(mine, theirs):
    sd_m, sd_t = mine.state_dict(), theirs.state_dict()
    assert list(sd_m) == list(sd_t)
    for k in sd_t:
        np.testing.assert_allclose(sd_m[k].numpy(), sd_t[k].numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=k)


def _pair(chain):
    """A Linear(4, 4) in each framework with the same weights and the parametrizations
    named in ``chain`` (indices into `_modules`) registered on its weight."""
    theirs = torch.nn.Linear(4, 4).double()
    mine = tw.nn.Linear(4, 4).double()
    copy_parameters(mine, theirs)
    tm, mm = _modules(torch.nn), _modules(tw.nn)
    for i in chain:
        TP.register_parametrization(theirs, "weight", tm[i]())
        P.register_parametrization(mine, "weight", mm[i]())
    return mine, theirs


@pytest.mark.parametrize("chain", [(0,), (0, 1), (2,), (2, 1)])
def test_register_matches_pytorch(chain):
    mine, theirs = _pair(chain)
    assert type(mine).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    assert P.type_before_parametrizations(mine) is tw.nn.Linear
    assert P.is_parametrized(mine) and P.is_parametrized(mine, "weight")
    assert not P.is_parametrized(mine, "bias")
    _same_state(mine, theirs)
    np.testing.assert_allclose(mine.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-12)
    x = np.random.default_rng(0).standard_normal((3, 4))
    compare(mine, theirs, (x,), atol=1e-12)  # gradients w.r.t. original / original0, 1


@pytest.mark.parametrize("chain", [(0,), (0, 1), (2,)])
def test_assignment_runs_right_inverse(chain):
    mine, theirs = _pair(chain)
    a = np.random.default_rng(1).uniform(0.5, 1.5, (4, 4))
    a = a + a.T
    original = (mine.parametrizations.weight.original if len(chain) == 1 and chain[0] == 0
                else None)
    mine.weight = tw.tensor(a)
    theirs.weight = torch.tensor(a)
    _same_state(mine, theirs)
    np.testing.assert_allclose(mine.weight.detach().numpy(), a, rtol=1e-12)
    if original is not None:  # the parameter object is kept, for optimizers
        assert mine.parametrizations.weight.original is original


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    mine, theirs = _pair((0, 1))
    weight = mine.parametrizations.weight.original
    P.remove_parametrizations(mine, "weight", leave_parametrized=leave)
    TP.remove_parametrizations(theirs, "weight", leave_parametrized=leave)
    assert type(mine) is tw.nn.Linear and not hasattr(mine, "parametrizations")
    assert mine.weight is weight and isinstance(mine.weight, tw.nn.Parameter)
    _same_state(mine, theirs)


def test_remove_multi_tensor_and_one_of_two():
    mine, theirs = _pair((2,))
    P.register_parametrization(mine, "bias", _modules(tw.nn)[1]())
    TP.register_parametrization(theirs, "bias", _modules(torch.nn)[1]())
    P.remove_parametrizations(mine, "weight")
    TP.remove_parametrizations(theirs, "weight")
    assert type(mine).__name__ == "ParametrizedLinear" and P.is_parametrized(mine, "bias")
    _same_state(mine, theirs)
    P.remove_parametrizations(mine, "bias", leave_parametrized=False)
    TP.remove_parametrizations(theirs, "bias", leave_parametrized=False)
    assert type(mine) is tw.nn.Linear
    _same_state(mine, theirs)
    mine, _ = _pair((2,))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(mine, "weight", leave_parametrized=False)


def test_cached_computes_once():
    calls = []

    class Counted(tw.nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 3.0

    m = P.register_parametrization(tw.nn.Linear(2, 2), "weight", Counted())
    calls.clear()
    with P.cached():
        w1, w2 = m.weight, m.weight
    assert len(calls) == 1 and w1 is w2
    m.weight  # noqa: B018 - the read is the test
    assert len(calls) == 2


def test_errors():
    Symmetric, _, _ = _modules(tw.nn)

    class Grow(tw.nn.Module):
        def forward(self, x):
            return tw.cat([x, x])

    m = tw.nn.Linear(3, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'w'"):
        P.register_parametrization(m, "w", Symmetric())
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(m, "weight", Grow())
    assert type(m) is tw.nn.Linear
    P.register_parametrization(m, "weight", Grow(), unsafe=True)
    assert m.weight.shape == (6, 3)
    with pytest.raises(ValueError, match="does not have a parametrization on bias"):
        P.remove_parametrizations(m, "bias")
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        m.weight = tw.zeros(6, 3)
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        m.__getstate__()
    assert type(copy.deepcopy(m)).__name__ == "ParametrizedLinear"


# -- parametrizations.weight_norm ----------------------------------------------------------

@pytest.mark.parametrize("layer, args, dim, shape", [
    ("Linear", (3, 2), 0, (4, 3)),
    ("Conv2d", (2, 3, 2), 1, (1, 2, 4, 4)),
    ("Conv1d", (2, 3, 2), None, (2, 2, 5)),
    ("Linear", (3, 2), -2, (4, 3)),
])
def test_weight_norm_matches_pytorch(layer, args, dim, shape):
    theirs = TPZ.weight_norm(getattr(torch.nn, layer)(*args).double(), dim=dim)
    mine = PZ.weight_norm(getattr(tw.nn, layer)(*args).double(), dim=dim)
    copy_parameters(mine, theirs)
    _same_state(mine, theirs)
    x = np.random.default_rng(2).standard_normal(shape)
    compare(mine, theirs, (x,), atol=1e-12)
    P.remove_parametrizations(mine, "weight")
    TP.remove_parametrizations(theirs, "weight")
    _same_state(mine, theirs)


def test_weight_norm_loads_hook_style_checkpoint():
    with pytest.warns(FutureWarning):
        old = tw.nn.utils.weight_norm(tw.nn.Linear(3, 2).double())
    new = PZ.weight_norm(tw.nn.Linear(3, 2).double())
    new.load_state_dict(old.state_dict())
    np.testing.assert_allclose(new.weight.detach().numpy(), old.weight.detach().numpy(),
                               rtol=1e-14)


# -- parametrizations.orthogonal -----------------------------------------------------------

@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("triv", [True, False])
def test_orthogonal_matches_pytorch(omap, shape, triv):
    rng = np.random.default_rng(3)
    w = rng.standard_normal(shape)

    def build(fw, nn_utils):
        m = fw.nn.Module()
        m.weight = fw.nn.Parameter(fw.tensor(w))
        return nn_utils.orthogonal(m, orthogonal_map=omap, use_trivialization=triv)

    theirs, mine = build(torch, TPZ), build(tw, PZ)
    sd = theirs.state_dict()
    # Tall/wide bases are completed with random columns: take PyTorch's.
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in sd.items()})
    _same_state(mine, theirs)
    Q = mine.weight.detach().numpy()
    np.testing.assert_allclose(Q, theirs.weight.detach().numpy(), rtol=1e-11, atol=1e-12)
    if triv or shape[-2] == shape[-1]:
        gram = Q.swapaxes(-1, -2) @ Q if shape[-2] >= shape[-1] else Q @ Q.swapaxes(-1, -2)
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(min(shape[-2:])), gram.shape),
                                   atol=1e-12)
    cot = rng.standard_normal(shape)
    (mine.weight * tw.tensor(cot)).sum().backward()
    (theirs.weight * torch.tensor(cot)).sum().backward()
    np.testing.assert_allclose(mine.parametrizations.weight.original.grad.numpy(),
                               theirs.parametrizations.weight.original.grad.numpy(),
                               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3)])
def test_householder_without_trivialization_keeps_the_compact_qr(shape):
    """The default map of non-square weights: with no base, the original is the weight's
    compact QR form (diagonal +-1), equal to PyTorch's, and the weight is its Q."""
    w = np.random.default_rng(7).standard_normal(shape)
    made = []
    for fw, nn_utils in ((tw, PZ), (torch, TPZ)):
        m = fw.nn.Module()
        m.weight = fw.nn.Parameter(fw.tensor(w))
        made.append(nn_utils.orthogonal(m, orthogonal_map="householder" if shape[-1] ==
                                        shape[-2] else None, use_trivialization=False))
    mine, theirs = made
    _same_state(mine, theirs)
    np.testing.assert_allclose(mine.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-11, atol=1e-12)


def test_orthogonal_assign_and_errors():
    m = PZ.orthogonal(tw.nn.Linear(4, 4).double())
    q = np.linalg.qr(np.random.default_rng(4).standard_normal((4, 4)))[0]
    m.weight = tw.tensor(q)  # orthogonal already: kept as it is
    np.testing.assert_allclose(m.weight.detach().numpy(), q, atol=1e-13)
    with pytest.raises(ValueError, match='orthogonal_map has to be one of'):
        PZ.orthogonal(tw.nn.Linear(3, 3), orthogonal_map="qr")
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices"):
        PZ.orthogonal(tw.nn.Linear(3, 3), "bias")


def test_buffer_parametrization_and_training_mode():
    """A buffer's original stays a buffer; the parametrization takes the module's mode."""
    out = {}
    for fw, p in ((tw, P), (torch, TP)):
        bn = fw.nn.BatchNorm1d(3).double().eval()
        scale = _modules(fw.nn)[1]()
        p.register_parametrization(bn, "running_var", scale)
        out[fw] = bn
        assert not scale.training
        assert p.is_parametrized(bn, "running_var")
    mine, theirs = out[tw], out[torch]
    assert [k for k, _ in mine.named_buffers()] == [k for k, _ in theirs.named_buffers()]
    assert "parametrizations.running_var.original" in dict(mine.named_buffers())
    _same_state(mine, theirs)
    x = np.random.default_rng(6).standard_normal((4, 3))
    np.testing.assert_allclose(mine(tw.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)


def test_transfer_parametrizations_and_params():
    src_t = torch.nn.Linear(4, 4).double()
    src_m = tw.nn.Linear(4, 4).double()
    copy_parameters(src_m, src_t)
    TP.register_parametrization(src_t, "weight", _modules(torch.nn)[2]())
    P.register_parametrization(src_m, "weight", _modules(tw.nn)[2]())
    dst_t = TP.transfer_parametrizations_and_params(src_t, torch.nn.Linear(4, 4).double())
    dst_m = P.transfer_parametrizations_and_params(src_m, tw.nn.Linear(4, 4).double())
    assert list(dst_m.state_dict()) == list(dst_t.state_dict())  # its own bias stays
    for i in range(2):
        np.testing.assert_allclose(
            getattr(dst_m.parametrizations.weight, f"original{i}").detach().numpy(),
            getattr(dst_t.parametrizations.weight, f"original{i}").detach().numpy(), rtol=1e-14)
    assert dst_m.parametrizations.weight.original1 is src_m.parametrizations.weight.original1
    np.testing.assert_allclose(dst_m.weight.detach().numpy(), src_m.weight.detach().numpy(),
                               rtol=1e-14)
