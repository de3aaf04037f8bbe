"""`Multinomial`: the counts of ``total_count`` draws from a `Categorical` (PyTorch's
class, formulas and validation)."""

from __future__ import annotations

import math
from typing import Any

from ..ops.elementwise import where
from ..tensor import Size, Tensor
from . import constraints
from .discrete import Binomial, Categorical
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """The counts in each of ``K`` categories (the last dim of ``probs``/``logits``, which
    are normalized as `Categorical`'s) of ``total_count`` independent draws.

    ``total_count`` is one int shared by the whole batch; ``log_prob`` takes the count of
    each value from the value itself (so ``total_count`` is needed only to sample).
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._get_checked_instance(Multinomial, _instance)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, Size(batch_shape), self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> constraints.Constraint:
        return constraints.multinomial(self.total_count)

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        # total_count category draws per sample, moved to the last dim and counted
        draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
        draws = draws.movedim(0, -1)
        counts = draws.new_zeros(tuple(self._extended_shape(sample_shape)))
        return counts.scatter_add(-1, draws, draws.new_ones(tuple(draws.shape))).to(
            self.probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        # a zero count of an impossible category contributes 0, not 0 * -inf
        logits = where((value == 0) & (logits == -math.inf), 0.0, logits)
        return ((value.sum(-1) + 1).lgamma() - (value + 1).lgamma().sum(-1)
                + (logits * value).sum(-1))

    def entropy(self) -> Tensor:
        """PyTorch's formula: ``n H(probs) - log n!`` plus ``E[sum_k log x_k!]``, the
        latter from the Binomial(n, p_k) marginals of the counts (enumerated, 1..n)."""
        n = self.total_count
        binomial = Binomial(n, probs=self.probs, validate_args=False)
        support = binomial.enumerate_support(expand=False)[1:]
        weights = binomial.log_prob(support).exp() * (support + 1).lgamma()
        return n * self._categorical.entropy() - math.lgamma(n + 1) + weights.sum(0).sum(-1)
