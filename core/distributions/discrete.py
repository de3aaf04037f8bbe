"""Discrete distributions: Bernoulli, Categorical, OneHotCategorical, Binomial, Geometric,
Poisson (PyTorch's classes, formulas, defaults and validation).

The ones parameterized by ``probs`` or ``logits`` keep the one given and derive the other
lazily (`lazy_property`), so gradients flow to the parameter the user holds.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..nn.functional._loss import binary_cross_entropy_with_logits
from ..nn.functional._sparse import one_hot
from ..ops.creation import arange, eye, full
from ..ops.elementwise import where
from ..ops.joining import broadcast_tensors
from ..random import bernoulli, multinomial
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli", "Binomial", "Categorical", "Geometric", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Poisson"]


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _enumerate(values: Tensor, batch_shape: Size, expand: bool, event: tuple = ()) -> Tensor:
    """``values`` (the support along dim 0) viewed against ``batch_shape`` for
    ``enumerate_support``: expanded over it, or with singleton batch dims."""
    values = values.reshape((-1,) + (1,) * len(batch_shape) + event)
    return values.expand((-1,) + tuple(batch_shape) + event) if expand else values


class _BinaryParams(Distribution):
    """Bernoulli's and Geometric's ``probs``/``logits`` handling."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        setattr(self, "probs" if probs is not None else "logits", param)
        self._param = param
        super().__init__(() if isinstance(given, numbers.Number) else param.shape,
                         validate_args=validate_args)

    _expanded = {"probs": 0, "logits": 0}  # the parameters `expand` broadcasts

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._expand_params(type(self), batch_shape, _instance, self._expanded)
        new._param = new.__dict__.get("probs", new.__dict__.get("logits"))
        return new

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()


class CountedBinaryParams(_BinaryParams):
    """Binomial's and NegativeBinomial's parameters: a ``total_count`` beside
    ``probs``/``logits``, broadcast together (the count in the parameter's dtype)."""

    _expanded = {"total_count": 0, "probs": 0, "logits": 0}

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        count, param = broadcast_all(total_count, probs if probs is not None else logits)
        self.total_count = count.to(param.dtype)
        setattr(self, "probs" if probs is not None else "logits", param)
        self._param = param
        Distribution.__init__(self, param.shape, validate_args=validate_args)


class Bernoulli(_BinaryParams, ExponentialFamily):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""

    support = constraints.boolean
    has_enumerate_support = True

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.logits,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.exp().log1p()

    _mean_carrier_measure = 0

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return where(self.probs == 0.5, math.nan, mode)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return bernoulli(self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = arange(2, dtype=self._param.dtype, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)


class Geometric(_BinaryParams):
    """The number of failures before the first success of Bernoulli(``probs``) trials."""

    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        super().__init__(probs, logits, validate_args)
        if self._validate_args and probs is not None and not (self.probs > 0).all():
            raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                             f"{tuple(self.probs.shape)}) of distribution {self!r} to satisfy "
                             "the constraint Interval(lower_bound=0.0, upper_bound=1.0), but "
                             f"found invalid values:\n{self.probs}")

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return self.probs.new_zeros(tuple(self.probs.shape))

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        tiny = D.finfo(self.probs.dtype).tiny
        with no_grad():
            u = self.probs.new_empty(shape).uniform_().clamp(min=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # 0 * log(0) is 0 at probs == 1, value == 0 (a sure first success)
        probs = where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs


class Categorical(Distribution):
    """One of ``K`` categories, with the (unnormalized) ``probs`` or ``logits`` of the last
    dim; samples are int64 indices of shape ``sample_shape + batch_shape``."""

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._expand_params(type(self), batch_shape, _instance, {"probs": 1, "logits": 1})
        new._param = new.__dict__.get("probs", new.__dict__.get("logits"))
        new._num_events = self._num_events
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def _nan(self) -> Tensor:
        return full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype,
                    device=self.probs.device)

    @property
    def mean(self) -> Tensor:
        return self._nan()

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        return self._nan()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        n = math.prod(tuple(sample_shape))
        with no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples_2d = multinomial(probs_2d, n, True).t()
            return samples_2d.reshape(tuple(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        # clamp -inf logits (zero probs) so that 0 * logit is 0, not nan
        logits = self.logits.clamp(min=D.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = arange(self._num_events, dtype=D.int64, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)


class OneHotCategorical(Distribution):
    """A `Categorical` whose samples are one-hot vectors of length ``K`` (the event)."""

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        param = self._categorical.param_shape
        super().__init__(self._categorical.batch_shape, param[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._get_checked_instance(OneHotCategorical, _instance)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self) -> Tensor:
        return self._categorical._param

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        return self._categorical.probs

    @property
    def mode(self) -> Tensor:
        probs = self._categorical.probs
        return one_hot(probs.argmax(-1), probs.shape[-1]).to(probs.dtype)

    @property
    def variance(self) -> Tensor:
        p = self._categorical.probs
        return p * (1 - p)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        probs = self._categorical.probs
        indices = self._categorical.sample(sample_shape)
        return one_hot(indices, self._categorical._num_events).to(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = self._event_shape[0]
        values = eye(n, dtype=self._param.dtype, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand, (n,))


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A `OneHotCategorical` with the straight-through ``rsample`` (Bengio et al. 2013):
    the one-hot sample forward, the identity to ``probs`` backward."""

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        probs = self._categorical.probs
        return self.sample(sample_shape) + (probs - probs.detach())


class Binomial(CountedBinaryParams):
    """The number of successes in ``total_count`` Bernoulli(``probs``) trials.

    Sampling sums ``max(total_count)`` Bernoulli draws per sample (there is no binomial
    kernel): memory grows with ``total_count``.
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        super().__init__(total_count, probs, logits, validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return binomial_sample(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        # n * log(1 + exp(logits)), written so that neither sign of logits overflows
        clamp_by_zero = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalize = n * clamp_by_zero + n * (-logits.abs()).exp().log1p() - (n + 1).lgamma()
        return value * logits - (value + 1).lgamma() - (n - value + 1).lgamma() - normalize

    def _homogeneous_count(self, what: str) -> int:
        count = int(self.total_count.max().item())
        if not (self.total_count == count).all():
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return count

    def entropy(self) -> Tensor:
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        count = self._homogeneous_count("enumerate_support")
        values = arange(1 + count, dtype=self._param.dtype, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)


def binomial_sample(count: Tensor, probs: Tensor, generator: Any = None) -> Tensor:
    """Binomial(``count``, ``probs``) draws of their common shape: the sum of ``max(count)``
    Bernoulli draws per element, the trials past an element's count masked (there is no
    binomial kernel; memory grows with ``max(count)``)."""
    n_max = int(count.max().item()) if count.numel() else 0
    trials = arange(n_max, dtype=probs.dtype, device=probs.device)
    active = trials < count.unsqueeze(-1)
    draws = bernoulli(probs.unsqueeze(-1).expand(tuple(probs.shape) + (n_max,)),
                      generator=generator)
    return (draws * active.to(draws.dtype)).sum(-1)


def poisson_sample(rate: Tensor, generator: Any = None) -> Tensor:
    """Poisson(``rate``) draws of ``rate``'s shape: Knuth's method below rate 10, Hörmann's
    PTRS above."""
    rate = rate.contiguous()
    small = rate < 10
    return where(small, _poisson_small(where(small, rate, 0.0), generator),
                 _poisson_large(where(small, 10.0, rate), generator))


def _poisson_small(rate: Tensor, generator: Any) -> Tensor:
    """Knuth's method (count uniforms until their product drops below ``exp(-rate)``);
    the loop runs about ``max(rate) + a few sqrt(max(rate))`` times, so used for rate < 10."""
    limit = (-rate).exp()
    count = rate.new_zeros(tuple(rate.shape))
    prod = rate.new_empty(tuple(rate.shape)).uniform_(generator=generator)
    active = prod > limit
    while active.any():
        count = count + active.to(count.dtype)
        prod = where(active, prod * rate.new_empty(tuple(rate.shape)).uniform_(
            generator=generator), prod)
        active = prod > limit
    return count


def _poisson_large(rate: Tensor, generator: Any) -> Tensor:
    """Hörmann's transformed rejection with squeeze (PTRS, 1993), NumPy's method for
    rate >= 10: each round accepts about 90% of the pending draws."""
    slam, loglam = rate.sqrt(), rate.log()
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    out = rate.new_zeros(tuple(rate.shape))
    pending = rate == rate
    while pending.any():
        u = rate.new_empty(tuple(rate.shape)).uniform_(generator=generator) - 0.5
        v = rate.new_empty(tuple(rate.shape)).uniform_(generator=generator)
        us = 0.5 - u.abs()
        k = ((2 * a / us + b) * u + rate + 0.43).floor()
        squeeze = (us >= 0.07) & (v <= vr)
        log_ratio = (v * inv_alpha / (a / (us * us) + b)).log()
        exact = (k >= 0) & ~((us < 0.013) & (v > us)) & (
            log_ratio <= -rate + k * loglam - (k + 1).lgamma())
        accept = pending & (squeeze | exact)
        out = where(accept, k, out)
        pending = pending & ~accept
    return out


class Poisson(ExponentialFamily):
    """The Poisson distribution with ``rate`` (>= 0).

    Sampling is Knuth's product method below rate 10 and Hörmann's PTRS above, written
    with tensor ops (there is no Poisson kernel).
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.rate.log(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.exp()

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch = () if isinstance(rate, numbers.Number) else self.rate.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(Poisson, batch_shape, _instance, {"rate": 0})

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return poisson_sample(self.rate.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()
