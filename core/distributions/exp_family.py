"""`ExponentialFamily`: the base class of distributions with density
``exp(<t(x), theta> - F(theta) + k(x))``, as ``torch.distributions.ExponentialFamily``.

A subclass gives its natural parameters ``theta`` (`_natural_params`), the log normalizer
``F`` (`_log_normalizer`) and ``E[k(x)]`` (`_mean_carrier_measure`); the entropy and the
KL divergence between two members of one family then follow from the Bregman divergence
of ``F``, whose gradient autograd supplies (Nielsen and Nock, "Entropies and
cross-entropies of exponential families"). Families with closed forms override them.
"""

from __future__ import annotations

from typing import Any

from ..autograd.engine import grad
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from .distribution import Distribution
from .utils import sum_rightmost

__all__ = ["ExponentialFamily", "bregman_kl"]


class ExponentialFamily(Distribution):
    """A distribution of an exponential family (see the module's note)."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError

    def _normalizer_at_params(self) -> tuple[list[Tensor], Tensor, tuple[Any, ...]]:
        """``(theta, F(theta), grad F(theta))``, theta detached as fresh leaves (what the
        Bregman formulas of `entropy` and `bregman_kl` differentiate)."""
        with enable_grad():
            params = [p.detach().requires_grad_() for p in self._natural_params]
            log_norm = self._log_normalizer(*params)
            grads = grad(log_norm.sum(), params, create_graph=True)
        return params, log_norm, grads

    def entropy(self) -> Tensor:
        """``F(theta) - <theta, grad F(theta)> - E[k(x)]``."""
        params, log_norm, grads = self._normalizer_at_params()
        result = log_norm - self._mean_carrier_measure
        for p, g in zip(params, grads):
            result = result - (p * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result


def bregman_kl(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    """KL(p || q) for two members of one family: the Bregman divergence of the log
    normalizer, ``F(theta_q) - F(theta_p) - <theta_q - theta_p, grad F(theta_p)>``.

    Raises:
        NotImplementedError: ``p`` and ``q`` are of different families.
    """
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential "
                                  "families cannot be computed using Bregman divergences")
    p_params, log_norm, grads = p._normalizer_at_params()
    q_params = q._natural_params
    result = q._log_normalizer(*q_params) - log_norm
    for pp, qp, g in zip(p_params, q_params, grads):
        result = result - sum_rightmost((qp - pp) * g, len(q.event_shape))
    return result
