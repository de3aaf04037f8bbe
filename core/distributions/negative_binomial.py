"""`NegativeBinomial`: the number of successes before ``total_count`` failures (PyTorch's
class, formulas and validation)."""

from __future__ import annotations

from typing import Any

from ..autograd.grad_mode import no_grad
from ..nn.functional import logsigmoid
from ..ops.elementwise import where
from ..tensor import Tensor
from . import constraints
from .discrete import CountedBinaryParams, Poisson
from .gamma import Gamma

__all__ = ["NegativeBinomial"]


class NegativeBinomial(CountedBinaryParams):
    """Successes of Bernoulli(``probs``) trials before the ``total_count``-th failure.

    ``total_count`` may be any real >= 0 (the Gamma-Poisson mixture the distribution is).
    Sampling is that mixture: a Poisson draw whose rate is a
    Gamma(``total_count``, ``exp(-logits)``) draw.
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            gamma = Gamma(self.total_count, (-self.logits).exp(), validate_args=False)
            return Poisson(gamma.sample(sample_shape), validate_args=False).sample()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_unnormalized = n * logsigmoid(-logits) + value * logsigmoid(logits)
        log_normalization = -(n + value).lgamma() + (1.0 + value).lgamma() + n.lgamma()
        # n + value == 0 (no failures needed, none seen): probability 1
        log_normalization = where(n + value == 0.0, 0.0, log_normalization)
        return log_unnormalized - log_normalization
