"""`gumbel_softmax` (its noise, its distribution, the straight-through gradient of
``hard=True``) and the deprecated `upsample`, `upsample_nearest` and `upsample_bilinear`
(PyTorch's values, gradients and warnings)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

RNG = np.random.default_rng(0)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _gumbel_noise(seed, shape):
    """The Gumbel(0, 1) noise `gumbel_softmax` draws after ``manual_seed(seed)``."""
    tw.manual_seed(seed)
    return -np.log(tw.empty(*shape, dtype=tw.float64).exponential_().numpy())


def _softmax(z, axis):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


# -- gumbel_softmax ---------------------------------------------------------------------------

@pytest.mark.parametrize("tau,dim", [(1, -1), (0.5, 0), (3.0, 1)])
def test_soft_sample_is_softmax_of_logits_plus_the_seeded_noise(tau, dim):
    """``softmax((logits + g) / tau, dim)`` with ``g = -log(Exponential(1))`` drawn from
    tensorweave's generator: the same seed gives the same sample."""
    logits = RNG.normal(size=(3, 4))
    g = _gumbel_noise(7, logits.shape)
    tw.manual_seed(7)
    got = F.gumbel_softmax(tw.tensor(logits), tau=tau, dim=dim)
    np.testing.assert_allclose(got.numpy(), _softmax((logits + g) / tau, dim), rtol=1e-12)


def test_soft_sample_gradient_matches_torch_with_the_same_noise(torch):
    """With the noise fixed, the logits' float64 gradient is that of PyTorch's
    ``softmax((logits + g) / tau)``."""
    logits = RNG.normal(size=(3, 5))
    g = torch.tensor(_gumbel_noise(3, logits.shape))

    def ours(t):
        tw.manual_seed(3)
        return F.gumbel_softmax(t, tau=0.7)

    compare(ours, lambda t: torch.softmax((t + g) / 0.7, -1), logits, atol=1e-12)


def test_hard_sample_is_one_hot_with_the_soft_samples_gradient():
    """``hard=True``: exactly one 1 per row, at the soft sample's largest entry, and the
    gradient of the soft sample (straight-through)."""
    logits = RNG.normal(size=(4, 6))
    cot = tw.tensor(RNG.normal(size=(4, 6)))
    grads, outs = [], []
    for hard in (False, True):
        x = tw.tensor(logits, requires_grad=True)
        tw.manual_seed(11)
        y = F.gumbel_softmax(x, tau=0.5, hard=hard)
        y.backward(cot)
        outs.append(y.detach().numpy())
        grads.append(x.grad.numpy())
    soft, hard = outs
    assert set(np.unique(hard)) == {0.0, 1.0}
    np.testing.assert_array_equal(hard.sum(-1), np.ones(4))
    np.testing.assert_array_equal(hard.argmax(-1), soft.argmax(-1))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-15)


def test_hard_samples_follow_the_categorical_distribution_of_the_logits():
    """The Gumbel-max trick: the one-hot samples' frequencies are ``softmax(logits)``
    whatever ``tau`` (4 standard errors of 20000 draws), and soft samples sum to 1."""
    logits = np.array([0.5, -1.0, 1.5, 0.0])
    p = _softmax(logits, 0)
    tw.manual_seed(0)
    batch = tw.tensor(np.tile(logits, (20000, 1)))
    for tau in (0.3, 2.0):
        freq = F.gumbel_softmax(batch, tau=tau, hard=True).numpy().mean(0)
        np.testing.assert_allclose(freq, p, atol=4 * np.sqrt(p * (1 - p) / 20000).max())
    soft = F.gumbel_softmax(batch[:100], tau=2.0, dim=1).numpy()
    np.testing.assert_allclose(soft.sum(1), np.ones(100), rtol=1e-12)


def test_gumbel_softmax_eps_is_deprecated_like_torch(torch):
    """A non-default ``eps`` warns with PyTorch's message (and changes nothing)."""
    with pytest.warns(UserWarning) as got:
        F.gumbel_softmax(tw.zeros(2, 3), eps=1e-5)
    with pytest.warns(UserWarning) as want:
        torch.nn.functional.gumbel_softmax(torch.zeros(2, 3), eps=1e-5)
    assert str(got[0].message) == str(want[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gumbel_softmax(tw.zeros(2, 3))


# -- deprecated upsample aliases ---------------------------------------------------------------

UPSAMPLE_CASES = [
    ("upsample", (1, 2, 3, 4), {"scale_factor": 2}),
    ("upsample", (1, 2, 5), {"size": 7, "mode": "linear", "align_corners": True}),
    ("upsample", (1, 2, 3, 4), {"size": (5, 3), "mode": "bilinear"}),
    ("upsample_nearest", (1, 2, 2, 3, 2), {"scale_factor": 2}),
    ("upsample_nearest", (1, 2, 3, 4), {"size": (4, 7)}),
    ("upsample_bilinear", (1, 2, 3, 4), {"scale_factor": 2}),
    ("upsample_bilinear", (2, 1, 4, 3), {"size": (5, 5)}),
]


@pytest.mark.parametrize("name,shape,kw", UPSAMPLE_CASES)
def test_upsample_aliases_match_torch_and_warn_like_it(torch, name, shape, kw):
    """Values and float64 gradients of PyTorch's alias (upsample_bilinear aligns the
    corners), and its deprecation warning, pointing at the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda x: getattr(F, name)(x, **kw),
                lambda x: getattr(torch.nn.functional, name)(x, **kw),
                RNG.normal(size=shape), atol=1e-12)
    with pytest.warns(UserWarning) as got:
        getattr(F, name)(tw.zeros(*shape), **kw)
    with pytest.warns(UserWarning) as want:
        getattr(torch.nn.functional, name)(torch.zeros(*shape), **kw)
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    assert got[0].filename == __file__


def test_upsample_bilinear_is_interpolate_with_aligned_corners():
    """The alias is ``interpolate(mode='bilinear', align_corners=True)``, not the
    default alignment."""
    x = tw.tensor(RNG.normal(size=(1, 1, 3, 3)))
    with pytest.warns(UserWarning):
        got = F.upsample_bilinear(x, scale_factor=2).numpy()
    want = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True).numpy()
    np.testing.assert_array_equal(got, want)
    assert not np.allclose(got, F.interpolate(x, scale_factor=2, mode="bilinear").numpy())
