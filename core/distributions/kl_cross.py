"""KL divergences PyTorch registers between different families (Beta || Normal, Uniform ||
Gamma, Normal || Laplace, ...), with Cauchy || Cauchy.

Most closed forms are ``-H(p) + H(p, q)``, and the cross-entropy ``H(p, q) = -E_p[log q]``
of an exponential-family ``q`` needs only a few expectations under ``p``: its mean (and
variance, for a Normal ``q``), or ``E_p[log x]`` for a Gamma or Beta ``q``. Each target
family gets one cross-entropy helper taking those moments, so every pair is a line.

Where the support of ``p`` is not inside that of ``q`` the divergence is infinite; the
support checks are PyTorch's, boundaries included (ContinuousBernoulli against Uniform
counts a shared endpoint as a mismatch, Beta against Uniform does not).
"""

from __future__ import annotations

import math

from ..ops.elementwise import where
from ..tensor import Tensor
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import Bernoulli, Binomial, Poisson
from .gamma import Beta, Gamma
from .kl import register_kl
from .transformed import (
    Gumbel,
    Pareto,
    _infinite_like,
    _kl_exponential_pareto,
    _kl_gamma_pareto,
    _kl_gumbel_infinity,
    _kl_loc_pareto,
    _kl_pareto_infinity,
)
from .utils import euler_constant

__all__: list[str] = []


# Cross-entropies H(p, q) = -E_p[log q(x)] from the moments of p they depend on


def _normal_cross_entropy(mean: Tensor, variance: Tensor, q: Normal) -> Tensor:
    # E_p[(x - loc)^2] = Var_p + (E_p[x] - loc)^2
    var_q = q.scale.pow(2)
    return 0.5 * (2 * math.pi * var_q).log() + (variance + (mean - q.loc).pow(2)) / (2 * var_q)


def _exponential_cross_entropy(mean: Tensor, q: Exponential) -> Tensor:
    return q.rate * mean - q.rate.log()


def _gamma_cross_entropy(mean: Tensor, mean_log: Tensor, q: Gamma) -> Tensor:
    k = q.concentration
    return k.lgamma() - k * q.rate.log() - (k - 1) * mean_log + q.rate * mean


def _beta_cross_entropy(mean_log: Tensor, mean_log1m: Tensor, q: Beta) -> Tensor:
    a, b = q.concentration1, q.concentration0
    log_beta_fn = a.lgamma() + b.lgamma() - (a + b).lgamma()
    return log_beta_fn - (a - 1) * mean_log - (b - 1) * mean_log1m


def _continuous_bernoulli_cross_entropy(mean: Tensor, q: ContinuousBernoulli) -> Tensor:
    # log q(x) = x * logits + log(1 - probs) + log C(probs)
    return -(mean * q.logits + (-q.probs).log1p() + q._cont_bern_log_norm())


def _uniform_mean_log(low: Tensor, high: Tensor) -> Tensor:
    """E[log x] for x ~ Uniform(low, high), 0 <= low: the mean of log over [low, high]."""
    return (high.xlogy(high) - low.xlogy(low)) / (high - low) - 1


def _beta_mean_log(p: Beta) -> Tensor:
    return p.concentration1.digamma() - (p.concentration1 + p.concentration0).digamma()


# q Normal


@register_kl(Beta, Normal)
@register_kl(ContinuousBernoulli, Normal)
@register_kl(Exponential, Normal)
@register_kl(Gamma, Normal)
@register_kl(Laplace, Normal)
@register_kl(Uniform, Normal)
def _kl_moments_normal(p: Beta | ContinuousBernoulli | Exponential | Gamma | Laplace | Uniform,
                       q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


# q Exponential


@register_kl(Beta, Exponential)
@register_kl(ContinuousBernoulli, Exponential)
@register_kl(Gamma, Exponential)
def _kl_positive_exponential(p: Beta | ContinuousBernoulli | Gamma, q: Exponential) -> Tensor:
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = -p.entropy() + _exponential_cross_entropy(p.mean, q)
    return where(p.low < 0, math.inf, result)


# q Gamma


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    return -p.entropy() + _gamma_cross_entropy(p.mean, _beta_mean_log(p), q)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    # E[log x] = -euler_constant - log(rate) for x ~ Exponential(rate)
    mean_log = -euler_constant - p.rate.log()
    return -p.entropy() + _gamma_cross_entropy(p.mean, mean_log, q)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    result = -p.entropy() + _gamma_cross_entropy(p.mean, _uniform_mean_log(p.low, p.high), q)
    return where(p.low < 0, math.inf, result)


# q Beta


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    # 1 - x ~ Uniform(1 - high, 1 - low)
    mean_log1m = _uniform_mean_log(1 - p.high, 1 - p.low)
    result = -p.entropy() + _beta_cross_entropy(_uniform_mean_log(p.low, p.high), mean_log1m, q)
    return where((p.high > 1) | (p.low < 0), math.inf, result)


# q ContinuousBernoulli


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p: Beta, q: ContinuousBernoulli) -> Tensor:
    return -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    result = -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)
    return where((p.high >= 1) | (p.low <= 0), math.inf, result)


# q Uniform: H(p, q) = log(high - low) on the support


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return where((q.low > 0) | (q.high < 1), math.inf, result)


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return where((q.low >= 0) | (q.high <= 1), math.inf, result)


# Pairs outside the moment forms


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    # log q(x) = x log(rate) - rate on {0, 1} (log 0! = log 1! = 0)
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    # E_p|x - q.loc| is the mean of a folded normal
    diff = p.loc - q.loc
    z = diff / p.scale
    mean_abs = (math.sqrt(2 / math.pi) * p.scale * (-0.5 * z.pow(2)).exp()
                + diff * (z * math.sqrt(0.5)).erf())
    return -p.entropy() + (2 * q.scale).log() + mean_abs / q.scale


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    # closed form of Chyzak & Nielsen (arXiv:1905.10965)
    t1 = ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
    return t1 - (4 * p.scale * q.scale).log()


# Infinite: p puts mass where q has none (the functions PyTorch extends to these pairs)


@register_kl(ContinuousBernoulli, Pareto)
def _kl_continuous_bernoulli_infinity(p: ContinuousBernoulli, q: Pareto) -> Tensor:
    return _infinite_like(p.probs)


@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_poisson_infinity(p: Poisson, q: Bernoulli | Binomial) -> Tensor:
    return _infinite_like(p.rate)


for _q in (Beta, ContinuousBernoulli, Uniform):
    register_kl(Exponential, _q)(_kl_exponential_pareto)
    register_kl(Gamma, _q)(_kl_gamma_pareto)
for _q in (Beta, ContinuousBernoulli, Exponential, Gamma, Uniform):
    register_kl(Laplace, _q)(_kl_loc_pareto)
    register_kl(Normal, _q)(_kl_loc_pareto)
register_kl(Gumbel, ContinuousBernoulli)(_kl_gumbel_infinity)
register_kl(Pareto, ContinuousBernoulli)(_kl_pareto_infinity)
del _q
