"""Spectral normalization against PyTorch's, in both forms (the parametrization and the
hook with ``weight_orig``/``weight_u``/``weight_v``): from the same state, the power
iteration's buffers, the state dict, outputs and float64 gradients after several forwards
in training mode, the frozen buffers in eval mode, removal and the old checkpoint format."""

from __future__ import annotations

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw
import tensorweave.nn.utils.parametrizations as PZ
import tensorweave.nn.utils.parametrize as P

torch = pytest.importorskip("torch")

LAYERS = [  # (layer, args, input shape, spectral_norm kwargs)
    ("Linear", (3, 4), (2, 3), {}),
    ("Conv2d", (2, 3, 2), (1, 2, 4, 4), {"n_power_iterations": 2}),
    ("ConvTranspose2d", (2, 3, 2), (1, 2, 3, 3), {}),  # dim 1 by default
    ("Conv1d", (3, 2, 2), (2, 3, 5), {"dim": 2, "eps": 1e-6}),
]
NEGATIVE_DIM = [("Conv1d", (3, 2, 2), (2, 3, 5), {"dim": -2})]  # the hook form takes dim >= 0


def _same_state(mine, theirs):
    sd_m, sd_t = mine.state_dict(), theirs.state_dict()
    assert list(sd_m) == list(sd_t)
    for k in sd_t:
        np.testing.assert_allclose(sd_m[k].numpy(), sd_t[k].numpy(), rtol=1e-10, atol=1e-13,
                                   err_msg=k)


def _pair(layer, args, apply_mine, apply_theirs, kwargs):
    theirs = apply_theirs(getattr(torch.nn, layer)(*args).double(), **kwargs)
    mine = apply_mine(getattr(tw.nn, layer)(*args).double(), **kwargs)
    copy_parameters(mine, theirs)  # u and v included
    return mine, theirs


def _train_and_compare(mine, theirs, shape):
    rng = np.random.default_rng(0)
    for step in range(3):  # each training forward advances u and v
        x = rng.standard_normal(shape)
        mine.zero_grad()
        theirs.zero_grad()
        compare(mine, theirs, (x,), atol=1e-10, seed=step)
        _same_state(mine, theirs)


@pytest.mark.parametrize("layer, args, shape, kwargs", LAYERS + NEGATIVE_DIM)
def test_parametrization_matches_pytorch(layer, args, shape, kwargs):
    mine, theirs = _pair(layer, args, PZ.spectral_norm, torch.nn.utils.parametrizations.
                         spectral_norm, kwargs)
    _train_and_compare(mine, theirs, shape)
    mine.eval()
    theirs.eval()
    u = mine.parametrizations.weight[0]._u.numpy().copy()
    _train_and_compare(mine, theirs, shape)
    np.testing.assert_array_equal(mine.parametrizations.weight[0]._u.numpy(), u)
    P.remove_parametrizations(mine, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight")
    _same_state(mine, theirs)


def test_parametrization_sigma_is_the_spectral_norm():
    # Seeded: power iteration converges as (s2/s1)**2 per step, slowly for close s1, s2.
    tw.manual_seed(0)
    m = PZ.spectral_norm(tw.nn.Linear(5, 4).double())
    for _ in range(30):
        w = m.weight
    np.testing.assert_allclose(np.linalg.norm(w.detach().numpy(), 2), 1.0, rtol=1e-10)
    v = tw.nn.Module()
    v.weight = tw.nn.Parameter(tw.tensor([3.0, 4.0], dtype=tw.float64))
    PZ.spectral_norm(v)  # a vector is normalized
    np.testing.assert_allclose(v.weight.detach().numpy(), [0.6, 0.8], rtol=1e-15)
    with pytest.raises(IndexError, match="Dimension out of range"):
        PZ.spectral_norm(tw.nn.Linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        PZ.spectral_norm(tw.nn.Linear(2, 2), n_power_iterations=0)


@pytest.mark.parametrize("layer, args, shape, kwargs", LAYERS)
def test_hook_matches_pytorch(layer, args, shape, kwargs):
    mine, theirs = _pair(layer, args, tw.nn.utils.spectral_norm, torch.nn.utils.spectral_norm,
                         kwargs)
    _train_and_compare(mine, theirs, shape)
    assert mine.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    mine.eval()
    theirs.eval()
    _train_and_compare(mine, theirs, shape)
    tw.nn.utils.remove_spectral_norm(mine)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert not mine._forward_pre_hooks and not mine._state_dict_hooks
    assert not mine._load_state_dict_pre_hooks
    _same_state(mine, theirs)
    x = np.random.default_rng(5).standard_normal(shape)
    compare(mine, theirs, (x,), atol=1e-12)


def test_hook_loads_old_checkpoint_format():
    """Before version 1 the state held ``weight`` and no ``weight_v``: v is solved for."""
    theirs = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4).double())
    theirs(torch.zeros(1, 3, dtype=torch.float64))
    old = {k: v for k, v in theirs.state_dict().items() if k != "weight_v"}
    old["weight"] = theirs.weight.detach()
    theirs_new = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4).double())
    theirs_new.load_state_dict(old)
    mine = tw.nn.utils.spectral_norm(tw.nn.Linear(3, 4).double())
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in old.items()})
    _same_state(mine, theirs_new)


def test_hook_errors():
    m = tw.nn.utils.spectral_norm(tw.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        tw.nn.utils.spectral_norm(m)
    tw.nn.utils.remove_spectral_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        tw.nn.utils.remove_spectral_norm(m)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        tw.nn.utils.spectral_norm(tw.nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="parameter `bias` is None"):
        tw.nn.utils.spectral_norm(tw.nn.Linear(2, 2, bias=False), "bias")
