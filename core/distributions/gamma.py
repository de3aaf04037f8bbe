"""The Gamma family and the distributions built on it: Gamma, Chi2, Beta, Dirichlet,
StudentT (PyTorch's classes, formulas, defaults and validation).

Samples come from Marsaglia and Tsang's rejection sampler written with tensor ops (there
is no gamma kernel). ``rsample`` differentiates them by implicit reparameterization, as
PyTorch does: at a fixed CDF level, ``dx/da = -(dP(a, x)/da) / p(x; a)``, computed from
the series of the regularized incomplete gamma function `P` (`_standard_gamma_grad`).
Beta, Dirichlet (normalized gammas), Chi2 and StudentT inherit it. The derivative is
first order: second derivatives with respect to the concentration are not recorded.
``Gamma.cdf`` (and so Chi2's) is the regularized incomplete gamma function.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..nn.functional._sparse import one_hot
from ..ops.creation import tensor
from ..ops.elementwise import where
from ..ops.gamma_incomplete import igamma
from ..ops.movement import stack
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Beta", "Chi2", "Dirichlet", "Gamma", "StudentT"]


def _standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws of ``concentration``'s shape (no autograd).

    Marsaglia & Tsang (2000): for a >= 1, with d = a - 1/3 and c = 1/sqrt(9d), propose
    d (1 + c x)^3 for standard normal x and accept with an exact log test (about 96% per
    round at worst); for a < 1, draw with a + 1 and multiply by u^(1/a).
    """
    with no_grad():
        a = concentration.detach()
        boost = a < 1
        d = where(boost, a + 1, a) - 1.0 / 3.0
        c = (9 * d).rsqrt()
        out = a.new_zeros(tuple(a.shape))
        pending = a == a
        while pending.any():
            x = a.new_empty(tuple(a.shape)).normal_()
            v = (1 + c * x) ** 3
            u = a.new_empty(tuple(a.shape)).uniform_()
            ok = (v > 0) & (u.log() < 0.5 * x * x + d - d * v + d * v.clamp(min=1e-300).log())
            accept = pending & ok
            out = where(accept, d * v, out)
            pending = pending & ~accept
        u = a.new_empty(tuple(a.shape)).uniform_()
        out = where(boost, out * u.pow(1.0 / a), out)
        return out.clamp(min=D.finfo(out.dtype).tiny)


def _standard_gamma_grad(a: Tensor, x: Tensor) -> Tensor:
    """``dx/da`` for ``x ~ Gamma(a, 1)`` held at its CDF level (no autograd).

    With ``P(a, x) = exp(-x) x^a sum_n x^n / Gamma(a + n + 1)``, dividing ``-dP/da`` by
    the density leaves ``-sum_n w_n (log x - digamma(a + n + 1))`` with
    ``w_n = x^(n+1) Gamma(a) / Gamma(a + n + 1)``; both factors follow a recurrence. The
    terms shrink geometrically once ``a + n > x``; the loop stops when every element's
    last term is below eps / 16 of its sum (about ``x - a + 9 sqrt(x)`` terms).
    """
    tol = D.finfo(x.dtype).eps / 16
    with no_grad():
        log_x = x.log()
        w = x / a
        psi = (a + 1).digamma()
        total = w * (log_x - psi)
        n = 1
        while True:
            w = w * x / (a + n)
            psi = psi + 1 / (a + n)
            term = w * (log_x - psi)
            total = total + term
            if ((a + n > x) & (term.abs() <= tol * total.abs())).all():
                return -total
            n += 1


def _rsample_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws whose gradient with respect to ``concentration`` is
    the implicit reparameterization one: ``x + (a - a.detach()) * dx/da`` has ``x``'s
    value and ``dx/da``'s derivative."""
    x = _standard_gamma(concentration)
    if not concentration.requires_grad:
        return x
    a = concentration.detach()
    return x + (concentration - a) * _standard_gamma_grad(a, x)


class Gamma(ExponentialFamily):
    """The Gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()

    _mean_carrier_measure = 0

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number)
        super().__init__(() if scalar else self.concentration.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(Gamma, batch_shape, _instance,
                                   {"concentration": 0, "rate": 0})

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return _rsample_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a, r = self.concentration, self.rate
        return a.xlogy(r) + (a - 1).xlogy(value) - r * value - a.lgamma()

    def cdf(self, value: Tensor) -> Tensor:
        """``P(concentration, rate * value)``, the regularized incomplete gamma function
        (`tensorweave.special.gammainc`; differentiable in ``value`` and ``rate``)."""
        if self._validate_args:
            self._validate_sample(value)
        return igamma(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1.0 - a) * a.digamma()


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return super().expand(batch_shape, self._get_checked_instance(Chi2, _instance))

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the simplex of the last dim of ``concentration``."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.lgamma().sum(-1) - x.sum(-1).lgamma()

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(Dirichlet, batch_shape, _instance, {"concentration": 1})

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        g = _rsample_gamma(self.concentration.expand(shape))
        return g / g.sum(-1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return (a - 1.0).xlogy(value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, True)
        # every concentration < 1: the density is unbounded at every vertex; PyTorch
        # picks the argmax of the (all-nan) row, i.e. the first vertex
        corner = one_hot(mode.argmax(-1), am1.shape[-1]).to(mode.dtype)
        return where((self.concentration < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        a0 = a.sum(-1, True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k, a0 = a.shape[-1], a.sum(-1)
        return (a.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((a - 1.0) * a.digamma()).sum(-1))


class Beta(ExponentialFamily):
    """The Beta distribution: the first coordinate of a two-event Dirichlet of
    ``(concentration1, concentration0)``."""

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration1, self.concentration0

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return x.lgamma() + y.lgamma() - (x + y).lgamma()

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0,
                                                                     numbers.Number):
            both = tensor([float(concentration1), float(concentration0)],
                          dtype=D.get_default_dtype())
        else:
            both = stack(list(broadcast_all(concentration1, concentration0)), -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()


class StudentT(Distribution):
    """Student's t with ``df`` degrees of freedom, location ``loc`` and scale ``scale``."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(StudentT, batch_shape, _instance,
                                   {"df": 0, "loc": 0, "scale": 0})

    @property
    def mean(self) -> Tensor:
        return where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / where(df > 2, df - 2, 1.0)
        return where(df > 2, finite, where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        x = self.df.new_empty(shape).normal_()
        z = 2 * _rsample_gamma(0.5 * self.df.expand(shape))  # a Chi2(df) draw
        return self.loc + self.scale * x * (z / self.df).rsqrt()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
             + (0.5 * df).lgamma() - (0.5 * (df + 1.0)).lgamma())
        return -0.5 * (df + 1.0) * (y ** 2.0 / df).log1p() - z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = (0.5 * df).lgamma() + math.lgamma(0.5) - (0.5 * (df + 1)).lgamma()
        return (self.scale.log()
                + 0.5 * (df + 1) * ((0.5 * (df + 1)).digamma() - (0.5 * df).digamma())
                + 0.5 * df.log() + lbeta)
