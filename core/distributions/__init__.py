"""``tensorweave.distributions``: PyTorch's ``torch.distributions``.

Probability distributions with ``sample``/``rsample``, ``log_prob``, ``entropy``, moments,
``cdf``/``icdf`` where closed-form, argument and value validation with PyTorch's messages
(`constraints`), and `kl_divergence` dispatched on the pair of types (`register_kl`).
Everything is written with tensor ops, so it runs (and differentiates) on every backend.

Gamma, Chi2, Beta, Dirichlet and StudentT ``rsample`` by implicit reparameterization
(first-order gradients; see `tensorweave.distributions.gamma`).

Also the count, mixture and matrix families: Multinomial, NegativeBinomial,
MixtureSameFamily, LowRankMultivariateNormal, FisherSnedecor, ContinuousBernoulli,
VonMises, Wishart and LKJCholesky.

`transforms` holds invertible maps with log-det-Jacobians; `TransformedDistribution` pushes
a base distribution through them (Gumbel, Weibull, Pareto, the half and relaxed families
are built so), and `biject_to`/`transform_to` (`constraint_registry`) give the transform
from the real line onto a constraint.
"""

from __future__ import annotations

from . import constraint_registry, constraints, kl_cross, transforms  # noqa: F401 (kl_cross registers pairs)
from .constraint_registry import biject_to, transform_to
from .continuous import Cauchy, Exponential, Laplace, LogNormal, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import (
    Bernoulli,
    Binomial,
    Categorical,
    Geometric,
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
    Poisson,
)
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .fishersnedecor import FisherSnedecor
from .gamma import Beta, Chi2, Dirichlet, Gamma, StudentT
from .generalized_pareto import GeneralizedPareto
from .independent import Independent
from .kl import kl_divergence, register_kl
from .lkj_cholesky import LKJCholesky
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .transformed import (
    Gumbel,
    HalfCauchy,
    HalfNormal,
    InverseGamma,
    Kumaraswamy,
    LogisticNormal,
    Pareto,
    Weibull,
)
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F403 - PyTorch exports every transform here too
from .von_mises import VonMises
from .wishart import Wishart

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ContinuousBernoulli",
    "Dirichlet", "Distribution", "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma",
    "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent",
    "InverseGamma", "Kumaraswamy", "LKJCholesky", "Laplace", "LogNormal", "LogisticNormal",
    "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "MultivariateNormal",
    "NegativeBinomial", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough",
    "Pareto", "Poisson", "RelaxedBernoulli", "RelaxedOneHotCategorical", "StudentT",
    "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart", "biject_to",
    "constraint_registry", "constraints", "kl_divergence", "register_kl", "transform_to",
    "transforms",
    *transforms.__all__,
]
