"""``tensorweave.distributions``: PyTorch's ``torch.distributions``.

Probability distributions with ``sample``/``rsample``, ``log_prob``, ``entropy``, moments,
``cdf``/``icdf`` where closed-form, argument and value validation with PyTorch's messages
(`constraints`), and `kl_divergence` dispatched on the pair of types (`register_kl`).
Everything is written with tensor ops, so it runs (and differentiates) on every backend.

Gamma, Chi2, Beta, Dirichlet and StudentT ``rsample`` by implicit reparameterization
(first-order gradients; see `tensorweave.distributions.gamma`).
"""

from __future__ import annotations

from . import constraints
from .continuous import Cauchy, Exponential, Laplace, LogNormal, Normal, Uniform
from .discrete import Bernoulli, Binomial, Categorical, Geometric, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma import Beta, Chi2, Dirichlet, Gamma, StudentT
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet",
    "Distribution", "Exponential", "Gamma", "Geometric", "Independent", "Laplace",
    "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "StudentT",
    "Uniform", "constraints", "kl_divergence", "register_kl",
]
