"""`GeneralizedPareto`: the peaks-over-threshold family of extreme-value statistics
(PyTorch's class, parameterization and formulas).

With ``z = (x - loc) / scale`` and concentration ``c``, the survival function is
``(1 + c z) ** (-1 / c)``, and ``exp(-z)`` at ``c = 0`` (the Exponential); ``c = -1`` is
the Uniform on ``[loc, loc + scale]``. Every formula takes the ``c = 0`` limit where ``c``
is (close to) zero, through a safe stand-in for ``c`` in the other branch, so neither
branch produces NaN that a `where` would then propagate into gradients.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.elementwise import isclose, where
from ..tensor import Tensor
from . import constraints
from .continuous import _scalar_batch
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution with ``loc``, ``scale`` (> 0) and
    ``concentration`` (any real: heavier tails as it grows; bounded support below 0).

    Sampling is the inverse cdf of uniform noise, so ``rsample`` differentiates in all
    three parameters.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, concentration: Any,
                 validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        batch = () if _scalar_batch(loc, scale, concentration) else self.loc.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(GeneralizedPareto, batch_shape, _instance,
                                   {"loc": 0, "scale": 0, "concentration": 0})

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        c = self.concentration
        upper = where(c < 0, self.loc - self.scale / where(c < 0, c, -1.0), math.inf)
        return constraints.interval(self.loc, upper)

    def _zero_and_safe(self) -> tuple[Tensor, Tensor]:
        """Where the concentration is (close to) 0, and the concentration with 1 there."""
        zero = isclose(self.concentration, self.concentration.new_zeros(()))
        return zero, where(zero, 1.0, self.concentration)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = self.loc.new_empty(tuple(self._extended_shape(sample_shape))).uniform_()
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, c = self._zero_and_safe()
        power = 1 / c + 1
        # (1/c + 1) log1p(c z); at c = -1 the density is flat (power 0), even at the bound
        tail = where(power == 0, 0.0, power * (c * z).log1p())
        return -self.scale.log() - where(zero, z, tail)

    def log_survival_function(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, c = self._zero_and_safe()
        return where(zero, -z, -(c * z).log1p() / c)

    def log_cdf(self, value: Tensor) -> Tensor:
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        zero, c = self._zero_and_safe()
        log_u = (-value).log1p()
        return where(zero, self.loc - self.scale * log_u,
                     self.loc + self.scale / c * (-c * log_u).expm1())

    @property
    def mean(self) -> Tensor:
        c = self.concentration
        finite = c < 1
        return where(finite, self.loc + self.scale / (1 - where(finite, c, 0.5)), math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        finite = c < 0.5
        safe = where(finite, c, 0.25)
        return where(finite, self.scale ** 2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    def entropy(self) -> Tensor:
        return self.scale.log() + self.concentration + 1
