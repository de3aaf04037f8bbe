"""`ExponentialFamily`: the Bregman-divergence entropy and KL of every family built on it,
against their closed forms and PyTorch's, isinstance parity with PyTorch, and a
user-defined family."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.distributions as D
from tensorweave.distributions.exp_family import bregman_kl

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402


def _t(*values):
    return [tw.tensor(v, dtype=tw.float64) for v in values]


PAIRS = {
    "Normal": lambda: (D.Normal(*_t([0.3, -1.0], [1.5, 0.4])),
                       D.Normal(*_t([1.0, 0.0], [0.7, 2.0]))),
    "Exponential": lambda: (D.Exponential(*_t([0.5, 3.0])), D.Exponential(*_t([2.0, 1.0]))),
    "Bernoulli": lambda: (D.Bernoulli(*_t([0.2, 0.9])), D.Bernoulli(*_t([0.6, 0.3]))),
    "Poisson": lambda: (D.Poisson(*_t([0.5, 4.0])), D.Poisson(*_t([2.0, 3.0]))),
    "Gamma": lambda: (D.Gamma(*_t([2.0, 0.7], [1.5, 3.0])), D.Gamma(*_t([1.0, 2.0], [0.5, 1.0]))),
    "Beta": lambda: (D.Beta(*_t([2.0, 0.7], [1.5, 3.0])), D.Beta(*_t([1.0, 2.0], [0.5, 1.0]))),
    "Dirichlet": lambda: (D.Dirichlet(*_t([[2.0, 0.7, 1.0]])), D.Dirichlet(*_t([[1.0, 2.0, 0.5]]))),
}


@pytest.mark.parametrize("name", PAIRS)
def test_bregman_kl_and_entropy_equal_the_closed_forms(name):
    p, q = PAIRS[name]()
    assert isinstance(p, D.ExponentialFamily)
    assert issubclass(getattr(TD, name), TD.ExponentialFamily)
    np.testing.assert_allclose(bregman_kl(p, q).detach().numpy(), D.kl_divergence(p, q).numpy(),
                               rtol=1e-10, atol=1e-12)
    if name not in ("Poisson", "Beta", "Dirichlet"):  # no constant carrier mean (as PyTorch)
        np.testing.assert_allclose(D.ExponentialFamily.entropy(p).detach().numpy(),
                                   p.entropy().numpy(), rtol=1e-10, atol=1e-12)


class _Rayleighish(D.ExponentialFamily):
    """An exponential with rate ``lam``, defined only through the family's three pieces:
    entropy and KL come from the base class."""

    arg_constraints = {}

    def __init__(self, lam):
        self.lam = lam
        super().__init__(lam.shape, validate_args=False)

    @property
    def _natural_params(self):
        return (-self.lam,)

    def _log_normalizer(self, x):
        return -(-x).log()

    _mean_carrier_measure = 0


def test_a_user_family_gets_entropy_and_kl():
    a, b = _Rayleighish(tw.tensor([2.0], dtype=tw.float64)), _Rayleighish(
        tw.tensor([0.5], dtype=tw.float64))
    np.testing.assert_allclose(a.entropy().detach().numpy(), [1 - math.log(2.0)], rtol=1e-12)
    want = math.log(2.0 / 0.5) + 0.5 / 2.0 - 1  # KL of Exponential(2) || Exponential(0.5)
    np.testing.assert_allclose(D.kl_divergence(a, b).detach().numpy(), [want], rtol=1e-12)
    with pytest.raises(NotImplementedError, match="different exponential families"):
        bregman_kl(a, D.Exponential(tw.tensor([1.0], dtype=tw.float64)))
