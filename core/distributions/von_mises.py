"""`VonMises`: the circular normal distribution on ``[-pi, pi)`` (PyTorch's class,
formulas and sampler).

The normalizer ``2 pi I0(concentration)`` is taken in log space with the polynomial
approximations of Abramowitz & Stegun (9.8.1-9.8.4, relative error below ~2e-7), as
PyTorch does: the values match PyTorch's, and ``log I0`` stays finite for concentrations
where ``I0`` itself overflows (about 88 in float32).
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..ops.creation import zeros
from ..ops.elementwise import where
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

__all__ = ["VonMises"]

# A&S 9.8.1-9.8.4: I_k(x) for x < 3.75 as a polynomial in (x / 3.75)^2 (times x for
# k = 1), and x^(1/2) e^(-x) I_k(x) for x >= 3.75 as a polynomial in 3.75 / x
_COEF_SMALL = ([1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2],
               [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2,
                0.32411e-3])
_COEF_LARGE = ([0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
                -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2],
               [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
                0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2])


def _eval_poly(y: Tensor, coef: list[float]) -> Tensor:
    """``sum_i coef[i] y^i`` by Horner's rule."""
    result = y.new_full(tuple(y.shape), coef[-1])
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x: Tensor, order: int = 0) -> Tensor:
    """``log I_order(x)`` for ``x > 0`` and ``order`` 0 or 1."""
    if order not in (0, 1):
        raise AssertionError(f"order must be 0 or 1, got {order}")
    small = _eval_poly((x / 3.75).pow(2), _COEF_SMALL[order])
    if order == 1:
        small = x.abs() * small
    large = x - 0.5 * x.log() + _eval_poly(3.75 / x, _COEF_LARGE[order]).log()
    return where(x < 3.75, small.log(), large)


def _rejection_sample(loc: Tensor, concentration: Tensor, proposal_r: Tensor) -> Tensor:
    """Best & Fisher's (1979) wrapped-Cauchy envelope rejection sampler: each round
    accepts at least ~66% of the pending draws (all inputs of the sample's shape)."""
    x = loc.new_zeros(tuple(loc.shape))
    done = zeros(tuple(loc.shape), dtype=D.bool, device=loc.device)
    while not done.all():
        u1, u2, u3 = (x.new_empty(tuple(x.shape)).uniform_() for _ in range(3))
        z = (math.pi * u1).cos()
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        x = where(accept & ~done, (u3 - 0.5).sign() * f.acos(), x)
        done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution: density ``exp(concentration cos(x - loc)) /
    (2 pi I0(concentration))``, wrapped to ``[-pi, pi)``.

    Sampling runs in float64 whatever the parameters' dtype (the rejection test loses
    accuracy at small concentrations in float32), as PyTorch does; there is no ``rsample``.
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        return self._expand_params(VonMises, batch_shape, _instance,
                                   {"loc": 0, "concentration": 0})

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration * (value - self.loc).cos() - math.log(2 * math.pi)
                - _log_modified_bessel_fn(self.concentration, order=0))

    @lazy_property
    def _proposal_r(self) -> Tensor:
        """The envelope's parameter ``r = (1 + rho^2) / (2 rho)``; its closed form is 0/0
        as the concentration ``k`` -> 0, where ``1/k + k`` takes over."""
        kappa = self.concentration.to(D.float64)
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        return where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            loc = self.loc.to(D.float64).expand(shape)
            kappa = self.concentration.to(D.float64).expand(shape)
            return _rejection_sample(loc, kappa, self._proposal_r.expand(shape)).to(
                self.loc.dtype)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:  # type: ignore[override]
        """The circular variance ``1 - I1(k) / I0(k)``."""
        k = self.concentration
        return 1 - (_log_modified_bessel_fn(k, order=1)
                    - _log_modified_bessel_fn(k, order=0)).exp()
