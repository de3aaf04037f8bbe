"""`LowRankMultivariateNormal`: a multivariate normal whose covariance is
``cov_factor @ cov_factor.mT + diag(cov_diag)`` (PyTorch's class, formulas and errors),
and its KL divergences with itself and with `MultivariateNormal`.

With ``W`` of shape ``n x m`` (``m << n``) and ``D = diag(cov_diag)``, everything goes
through the ``m x m`` capacitance matrix ``C = I + W^T D^-1 W`` (Woodbury's identity for
the inverse, the matrix determinant lemma for the log-determinant), so ``log_prob`` costs
``O(n m^2)`` rather than ``O(n^3)``.
"""

from __future__ import annotations

import math
from typing import Any

from ..linalg import cholesky, solve_triangular
from ..ops.creation import eye
from ..ops.joining import broadcast_shapes, broadcast_tensors
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .kl import register_kl
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis
from .utils import lazy_property

__all__ = ["LowRankMultivariateNormal"]


def _batch_mv(bmat: Tensor, bvec: Tensor) -> Tensor:
    """Matrix-vector products over broadcast batches."""
    return (bmat @ bvec.unsqueeze(-1)).squeeze(-1)


def _batch_capacitance_tril(W: Tensor, D: Tensor) -> Tensor:
    """The Cholesky factor of ``C = I + W^T D^-1 W``."""
    m = W.shape[-1]
    K = (W.transpose(-2, -1) / D.unsqueeze(-2)) @ W
    return cholesky(K + eye(m, dtype=W.dtype, device=W.device))


def _batch_lowrank_logdet(D: Tensor, capacitance_tril: Tensor) -> Tensor:
    """``log det(W W^T + D) = log det(C) + log det(D)`` (the matrix determinant lemma)."""
    return (2 * capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
            + D.log().sum(-1))


def _batch_lowrank_mahalanobis(W: Tensor, D: Tensor, x: Tensor,
                               capacitance_tril: Tensor) -> Tensor:
    """``x^T (W W^T + D)^-1 x = x^T D^-1 x - |L_C^-1 W^T D^-1 x|^2`` (Woodbury)."""
    Wt_Dinv_x = _batch_mv(W.transpose(-2, -1) / D.unsqueeze(-2), x)
    return (x.pow(2) / D).sum(-1) - _batch_mahalanobis(capacitance_tril, Wt_Dinv_x)


def _batch_trace_XXT(bmat: Tensor) -> Tensor:
    """``trace(X X^T)``, the sum of squares of each matrix of a batch."""
    return bmat.pow(2).sum(-1).sum(-1)


class LowRankMultivariateNormal(Distribution):
    """The multivariate normal with mean ``loc`` and covariance
    ``cov_factor @ cov_factor.mT + diag(cov_diag)``.

    Args:
        loc: the mean, ``batch_shape + (n,)``.
        cov_factor: the low-rank factor ``W``, ``batch_shape + (n, m)``.
        cov_diag: the diagonal part (> 0), ``batch_shape + (n,)``.
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor,
                 validate_args: bool | None = None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = Size(loc.shape[-1:])
        if cov_factor.dim() < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != tuple(event_shape):
            raise ValueError("cov_factor must be a batch of matrices with shape "
                             f"{event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != tuple(event_shape):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            loc_, self.cov_factor, cov_diag_ = broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1))
        except RuntimeError as e:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor "
                             f"{cov_factor.shape}, cov_diag {cov_diag.shape}") from e
        self.loc = loc_[..., 0]
        self.cov_diag = cov_diag_[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        super().__init__(self.loc.shape[:-1], event_shape, validate_args=validate_args)
        # after the argument checks: a non-positive cov_diag gets their error, not
        # a failed factorization
        self._capacitance_tril = _batch_capacitance_tril(cov_factor, cov_diag)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        loc_shape = tuple(batch_shape) + tuple(self._event_shape)
        new.loc = self.loc.expand(loc_shape)
        new.cov_diag = self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self) -> tuple[int, ...]:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:  # type: ignore[override]
        return (self._unbroadcasted_cov_factor.pow(2).sum(-1)
                + self._unbroadcasted_cov_diag).expand(
            tuple(self._batch_shape) + tuple(self._event_shape))

    @lazy_property
    def scale_tril(self) -> Tensor:
        """``D^1/2 chol(I + D^-1/2 W W^T D^-1/2)``: its product with its transpose is the
        covariance, and it stays well conditioned when ``W W^T`` is rank-deficient."""
        n = self._event_shape[0]
        sqrt_d = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        Dinvsqrt_W = self._unbroadcasted_cov_factor / sqrt_d
        K = Dinvsqrt_W @ Dinvsqrt_W.transpose(-2, -1)
        eye_n = eye(n, dtype=K.dtype, device=K.device)
        return (sqrt_d * cholesky(K + eye_n)).expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        W = self._unbroadcasted_cov_factor
        cov = W @ W.transpose(-2, -1) + self._unbroadcasted_cov_diag.diag_embed()
        return cov.expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """Woodbury: ``D^-1 - A^T A`` with ``A = L_C^-1 W^T D^-1``."""
        Wt_Dinv = (self._unbroadcasted_cov_factor.transpose(-2, -1)
                   / self._unbroadcasted_cov_diag.unsqueeze(-2))
        A = solve_triangular(self._capacitance_tril, Wt_Dinv, upper=False)
        precision = (self._unbroadcasted_cov_diag.reciprocal().diag_embed()
                     - A.transpose(-2, -1) @ A)
        return precision.expand(self._matrix_shape())

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        eps_W = self.loc.new_empty(shape[:-1] + tuple(self.cov_factor.shape[-1:])).normal_()
        eps_D = self.loc.new_empty(shape).normal_()
        return (self.loc + _batch_mv(self._unbroadcasted_cov_factor, eps_W)
                + self._unbroadcasted_cov_diag.sqrt() * eps_D)

    def _log_det(self) -> Tensor:
        return _batch_lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_lowrank_mahalanobis(self._unbroadcasted_cov_factor,
                                       self._unbroadcasted_cov_diag, value - self.loc,
                                       self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + self._log_det() + M)

    def entropy(self) -> Tensor:
        H = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return H.expand(tuple(self._batch_shape)) if len(self._batch_shape) else H


def _q_mahalanobis_and_A(p: Distribution, q: LowRankMultivariateNormal) -> tuple[Tensor, Tensor]:
    """For a low-rank ``q``: the Mahalanobis term of ``q.loc - p.loc`` and
    ``A = L_C^-1 W^T D^-1``, with ``inv(q.cov) = D^-1 - A^T A``."""
    W, D = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
    term3 = _batch_lowrank_mahalanobis(W, D, q.loc - p.loc, q._capacitance_tril)
    A = solve_triangular(q._capacitance_tril, W.transpose(-2, -1) / D.unsqueeze(-2),
                         upper=False)
    return term3, A


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p: LowRankMultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Low Rank Multivariate Normals with "
                         "different event shapes cannot be computed")
    term1 = q._log_det() - p._log_det()
    term3, A = _q_mahalanobis_and_A(p, q)
    # trace(inv(q.cov) p.cov) = trace((qD^-1 - A^T A)(pD + pW pW^T)), term by term
    pW, pD, qD = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag, q._unbroadcasted_cov_diag
    term2 = ((pD / qD).sum(-1) + _batch_trace_XXT(pW * qD.rsqrt().unsqueeze(-1))
             - _batch_trace_XXT(A * pD.sqrt().unsqueeze(-2)) - _batch_trace_XXT(A @ pW))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p: MultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with "
                         "different event shapes cannot be computed")
    pL = p._unbroadcasted_scale_tril
    term1 = q._log_det() - 2 * pL.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    term3, A = _q_mahalanobis_and_A(p, q)
    # trace(inv(q.cov) pL pL^T) = |qD^-1/2 pL|^2 - |A pL|^2
    term2 = (_batch_trace_XXT(pL * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1))
             - _batch_trace_XXT(A @ pL))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p: LowRankMultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with "
                         "different event shapes cannot be computed")
    qL = q._unbroadcasted_scale_tril
    term1 = 2 * qL.diagonal(dim1=-2, dim2=-1).log().sum(-1) - p._log_det()
    term3 = _batch_mahalanobis(qL, q.loc - p.loc)
    # trace(inv(qL qL^T) (pW pW^T + pD)) = |qL^-1 pW|^2 + |qL^-1 pD^1/2|^2
    n = p.event_shape[0]
    pW, pD = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag
    # (PyTorch leaves out cov_diag's batch dims here, and fails where they are wider)
    batch = tuple(broadcast_shapes(tuple(qL.shape[:-2]), tuple(pW.shape[:-2]),
                                   tuple(pD.shape[:-1])))
    qL = qL.expand(batch + (n, n))
    sqrt_pD = pD.sqrt().diag_embed().expand(batch + (n, n))
    term2 = (_batch_trace_XXT(solve_triangular(qL, pW.expand(batch + tuple(pW.shape[-2:])),
                                               upper=False))
             + _batch_trace_XXT(solve_triangular(qL, sqrt_pD, upper=False)))
    return 0.5 * (term1 + term2 + term3 - n)
