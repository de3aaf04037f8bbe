"""`nn.utils.fusion` (conv/linear + eval BatchNorm folded into one layer), `skip_init` and
`stateless.functional_call`, against the unfused layers and against PyTorch: fused
outputs equal conv -> bn (float64, 1e-12) and PyTorch's fused parameters; functional_call's
outputs and gradients equal ``torch.func.functional_call``'s, and the module's own
tensors are back afterwards, also when the call raises."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _module_oracle import copy_parameters

import tensorweave as tw
from tensorweave.nn.utils import stateless

torch = pytest.importorskip("torch")
U = tw.nn.utils


def _eval_bn(fw, cls, n, rng, affine=True):
    """A BatchNorm in eval mode with non-trivial running statistics and affine weights."""
    bn = getattr(fw.nn, cls)(n, affine=affine, eps=1e-3).double()
    state = {"running_mean": rng.standard_normal(n), "running_var": rng.uniform(0.5, 2.0, n),
             "num_batches_tracked": np.array(3)}
    if affine:
        state.update(weight=rng.standard_normal(n), bias=rng.standard_normal(n))
    bn.load_state_dict({k: fw.tensor(v) for k, v in state.items()})
    return bn.eval()


@pytest.mark.parametrize("conv, args, bn, shape, transpose", [
    ("Conv2d", (2, 3, 2), "BatchNorm2d", (2, 2, 5, 5), False),
    ("Conv1d", (2, 3, 3), "BatchNorm1d", (2, 2, 6), False),
    ("ConvTranspose2d", (2, 3, 2), "BatchNorm2d", (1, 2, 3, 3), True),
])
@pytest.mark.parametrize("bias, affine", [(True, True), (False, True), (True, False)])
def test_fuse_conv_bn(conv, args, bn, shape, transpose, bias, affine):
    rng = np.random.default_rng(0)
    theirs = getattr(torch.nn, conv)(*args, bias=bias).double().eval()
    mine = getattr(tw.nn, conv)(*args, bias=bias).double().eval()
    copy_parameters(mine, theirs)
    bn_m = _eval_bn(tw, bn, args[1], rng, affine)
    bn_t = _eval_bn(torch, bn, args[1], np.random.default_rng(0), affine)
    fused = U.fuse_conv_bn_eval(mine, bn_m, transpose=transpose)
    fused_t = torch.nn.utils.fuse_conv_bn_eval(theirs, bn_t, transpose=transpose)
    assert type(fused) is type(mine) and fused is not mine and mine.bias is not fused.bias
    x = tw.tensor(rng.standard_normal(shape))
    np.testing.assert_allclose(fused(x).detach().numpy(), bn_m(mine(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    for name in ("weight", "bias"):
        p = getattr(fused, name)
        assert isinstance(p, tw.nn.Parameter)
        assert p.requires_grad == getattr(fused_t, name).requires_grad
        np.testing.assert_allclose(p.detach().numpy(), getattr(fused_t, name).detach().numpy(),
                                   rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("features, bias", [(3, True), (3, False), (1, True)])
def test_fuse_linear_bn(features, bias):
    rng = np.random.default_rng(1)
    out = 3
    mine = tw.nn.Linear(4, out, bias=bias).double().eval()
    theirs = torch.nn.Linear(4, out, bias=bias).double().eval()
    copy_parameters(mine, theirs)
    bn_m = _eval_bn(tw, "BatchNorm1d", features, rng)
    bn_t = _eval_bn(torch, "BatchNorm1d", features, np.random.default_rng(1))
    fused = U.fuse_linear_bn_eval(mine, bn_m)
    fused_t = torch.nn.utils.fuse_linear_bn_eval(theirs, bn_t)
    x = tw.tensor(rng.standard_normal((5, 4)))
    expected = bn_m(mine(x).unsqueeze(1)).squeeze(1) if features == 1 else bn_m(mine(x))
    np.testing.assert_allclose(fused(x).detach().numpy(), expected.detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(getattr(fused, name).detach().numpy(),
                                   getattr(fused_t, name).detach().numpy(), rtol=1e-13)


def test_fusion_errors():
    conv, bn = tw.nn.Conv2d(2, 2, 1), tw.nn.BatchNorm2d(2)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        U.fuse_conv_bn_eval(conv, bn)
    with pytest.raises(AssertionError, match="running_mean and bn.running_var"):
        U.fuse_conv_bn_eval(conv.eval(), tw.nn.BatchNorm2d(2, track_running_stats=False).eval())
    with pytest.raises(AssertionError, match="linear.out_features=3 and bn.num_features=2"):
        U.fuse_linear_bn_eval(tw.nn.Linear(2, 3).eval(), tw.nn.BatchNorm1d(2).eval())


def test_skip_init():
    m = U.skip_init(tw.nn.Linear, 5, out_features=2, dtype=tw.float64)
    assert isinstance(m, tw.nn.Linear) and isinstance(m.weight, tw.nn.Parameter)
    assert m.weight.shape == (2, 5) and m.weight.dtype == tw.float64
    assert m.weight.device == tw.device("cpu") and m.weight.requires_grad
    with pytest.raises(RuntimeError, match="Expected a Module"):
        U.skip_init(int)

    class NoDevice(tw.nn.Module):
        pass

    with pytest.raises(RuntimeError, match="must support a 'device' arg"):
        U.skip_init(NoDevice)


class _Net:
    """Linear -> BatchNorm1d -> Linear whose last weight is tied to ``tied``, built alike
    in both frameworks."""

    @staticmethod
    def build(fw):
        class Net(fw.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = fw.nn.Linear(3, 3)
                self.bn = fw.nn.BatchNorm1d(3)
                self.out = fw.nn.Linear(3, 3)
                self.tied = self.out.weight

            def forward(self, x, scale=1.0):
                return self.out(self.bn(self.lin(x)) * scale) + x @ self.tied

        return Net().double()


def _assert_same_objects(named, expected):
    named = dict(named)
    assert list(named) == list(expected)
    assert all(t is expected[k] for k, t in named.items())


def _call(fw, call, net, values, x, **kw):
    params = {k: fw.tensor(v).requires_grad_(k != "bn.running_mean") for k, v in values.items()}
    out = call(net, params, (fw.tensor(x),), {"scale": 2.0}, **kw)
    cot = np.random.default_rng(9).standard_normal(tuple(out.shape))
    (out * fw.tensor(cot)).sum().backward()  # not sum(): BatchNorm makes that gradient 0
    return out, params


def _values(rng, names):
    return {name: rng.standard_normal(shape) for name, shape in names.items()}


@pytest.mark.parametrize("names", [
    {"lin.weight": (3, 3), "out.bias": (3,), "bn.running_mean": (3,)},
    {"tied": (3, 3)},  # with tie_weights, out.weight takes it too
])
def test_functional_call_matches_pytorch(names):
    rng = np.random.default_rng(2)
    mine, theirs = _Net.build(tw), _Net.build(torch)
    copy_parameters(mine, theirs)
    values, x = _values(rng, names), rng.standard_normal((4, 3))
    own = dict(mine.named_parameters(remove_duplicate=False))
    own_buffers = dict(mine.named_buffers())
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out, params = _call(tw, stateless.functional_call, mine, values, x)
    out_t, params_t = _call(torch, torch.func.functional_call, theirs, values, x)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    for k, p in params.items():
        if p.requires_grad:
            np.testing.assert_allclose(p.grad.numpy(), params_t[k].grad.numpy(), rtol=1e-11,
                                       err_msg=k)
    # The module's own tensors are back, and only those not replaced got gradients.
    _assert_same_objects(mine.named_parameters(remove_duplicate=False), own)
    _assert_same_objects(mine.named_buffers(), own_buffers)
    assert mine.tied is mine.out.weight
    for k, p in mine.named_parameters():
        ref = theirs.get_parameter(k).grad
        assert (p.grad is None) == (ref is None), k
    # Train-mode BatchNorm updated the given running_mean, not the module's.
    sd_m, sd_t = mine.state_dict(), theirs.state_dict()
    for k in sd_t:
        np.testing.assert_allclose(sd_m[k].numpy(), sd_t[k].numpy(), rtol=1e-12, err_msg=k)


def test_functional_call_restores_on_error_and_checks_keys():
    mine = _Net.build(tw)
    own = dict(mine.named_parameters(remove_duplicate=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(RuntimeError):  # the wrong shape fails inside forward
            stateless.functional_call(mine, {"lin.weight": tw.zeros(2, 2)}, tw.zeros(4, 3))
        _assert_same_objects(mine.named_parameters(remove_duplicate=False), own)
        with pytest.raises(ValueError, match="multiple values for keys.*tied"):
            stateless.functional_call(mine, {"tied": tw.zeros(3, 3),
                                             "out.weight": tw.ones(3, 3)}, tw.zeros(1, 3))
        mine.eval()
        untied = stateless.functional_call(mine, {"tied": tw.zeros(3, 3, dtype=tw.float64)},
                                           tw.ones(1, 3, dtype=tw.float64), tie_weights=False)
        expected = mine.out(mine.bn(mine.lin(tw.ones(1, 3, dtype=tw.float64))))
        np.testing.assert_allclose(untied.detach().numpy(), expected.detach().numpy(),
                                   rtol=1e-12)
        with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Net:"
                                               "\n\tUnexpected key\\(s\\): 'nope'.\n\t"
                                               "Missing key\\(s\\): "):
            stateless.functional_call(mine, {"nope": tw.zeros(1)}, tw.zeros(1, 3),
                                      strict=True)
        _assert_same_objects(mine.named_parameters(remove_duplicate=False), own)
