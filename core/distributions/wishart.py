"""`Wishart`: the distribution of ``sum_k x_k x_k^T`` over ``df`` normal vectors of
covariance ``V``, i.e. of sample scatter matrices (PyTorch's class, formulas and errors).

``rsample`` is Bartlett's decomposition: ``W = (L A)(L A)^T`` with ``L`` the Cholesky
factor of ``V`` and ``A`` lower triangular, ``A_ii = sqrt(Chi2(df - i))`` and standard
normals below the diagonal; the Chi2 draws carry Gamma's implicit reparameterization
gradients.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from .. import dtypes as D
from ..linalg import slogdet
from ..ops.creation import arange, tensor
from ..ops.elementwise import where
from ..ops.joining import broadcast_shapes
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .multivariate_normal import CholeskyFactored

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma function ``sum_{i<p} digamma(x - i/2)`` (the derivative
    of `mvlgamma`), defined for ``x > (p - 1) / 2``."""
    if not (x > (p - 1) / 2).all():
        raise AssertionError("Wrong domain for multivariate digamma function.")
    return (x.unsqueeze(-1) - arange(p, dtype=x.dtype, device=x.device) / 2).digamma().sum(-1)


class Wishart(CholeskyFactored, Distribution):
    """The Wishart distribution over ``p x p`` positive-definite matrices with ``df``
    (> p - 1) degrees of freedom and scale ``V`` given by exactly one of
    ``covariance_matrix``, ``precision_matrix`` (``V^-1``) or ``scale_tril`` (``V``'s
    lower Cholesky factor)."""

    support = constraints.positive_definite
    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:  # type: ignore[override]
        """``df`` must exceed ``p - 1``, so the constraint depends on the event shape."""
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df: Any, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        given = {"scale_tril": scale_tril, "covariance_matrix": covariance_matrix,
                 "precision_matrix": precision_matrix}
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or "
                                 "scale_tril may be specified.")
        (name, param), = given.items()
        if param.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if isinstance(df, numbers.Number):
            batch_shape = tuple(param.shape[:-2])
            self.df = tensor(df, dtype=param.dtype, device=param.device)
        else:
            batch_shape = tuple(broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape)))
            self.df = df.expand(batch_shape)
        p = param.shape[-1]
        if (self.df <= p - 1).any():
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        setattr(self, name, param.expand(batch_shape + (-1, -1)))
        if (self.df < p).any():
            warnings.warn("Low df values detected. Singular samples are highly likely to occur "
                          "for ndim - 1 < df < ndim.", stacklevel=2)
        super().__init__(batch_shape, param.shape[-2:], validate_args=validate_args)
        self._set_factor(name, param)
        self._dist_chi2 = self._bartlett_chi2()

    def _bartlett_chi2(self) -> Chi2:
        """The Chi2(df - i) laws of the squared diagonal of Bartlett's factor."""
        p = self._event_shape[-1]
        offsets = arange(p, dtype=self._unbroadcasted_scale_tril.dtype,
                         device=self._unbroadcasted_scale_tril.device)
        return Chi2(self.df.unsqueeze(-1) - offsets.expand(tuple(self._batch_shape) + (-1,)))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._expand_params(Wishart, batch_shape, _instance,
                                  {"df": 0, "covariance_matrix": 2, "precision_matrix": 2,
                                   "scale_tril": 2})
        cov_shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new._dist_chi2 = new._bartlett_chi2()
        return new

    def _matrix_shape(self) -> tuple[int, ...]:
        return tuple(self._batch_shape) + tuple(self._event_shape)

    def _batch_view(self, x: Tensor) -> Tensor:
        """A batch-shaped ``x`` with two trailing singleton dims, to scale matrices."""
        return x.reshape(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._batch_view(self.df) * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = where(factor <= 0, math.nan, factor)
        return self._batch_view(factor) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        V = self.covariance_matrix
        diag_V = V.diagonal(dim1=-2, dim2=-1)
        return self._batch_view(self.df) * (V.pow(2) + diag_V.unsqueeze(-1) * diag_V.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape: Any) -> Tensor:
        p = self._event_shape[-1]
        chi = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=D.finfo(self.df.dtype).eps)
        lower = chi.new_empty(tuple(chi.shape) + (p,)).normal_().tril(-1)
        chol = self._unbroadcasted_scale_tril @ (lower + chi.diag_embed())
        return chol @ chol.transpose(-2, -1)

    def rsample(self, sample_shape: Any = (), max_try_correction: int | None = None) -> Tensor:
        """Bartlett draws; a draw that is numerically singular (possible for df close to
        p - 1) is redrawn, up to ``max_try_correction`` (default 10) times, with a
        warning. (PyTorch checks the opposite condition here, so it redraws the valid
        samples and always warns.)"""
        tries = 10 if max_try_correction is None else max_try_correction
        sample_shape = tuple(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        batch_dims = tuple(range(len(sample_shape), len(sample_shape) + len(self._batch_shape)))
        singular = ~self.support.check(sample)
        if singular.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(tries):
                # a sample (over the whole batch) with any singular matrix is redrawn
                if batch_dims:
                    singular = singular.any(batch_dims, keepdim=True)
                sample = where(singular.unsqueeze(-1).unsqueeze(-1),
                               self._bartlett_sampling(sample_shape), sample)
                singular = ~self.support.check(sample)
                if not singular.any():
                    break
        return sample

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        trace = value.cholesky_solve(self._unbroadcasted_scale_tril).diagonal(
            dim1=-2, dim2=-1).sum(-1)
        return (-nu * (p * _LOG_2 / 2 + self._half_log_det()) - (nu / 2).mvlgamma(p)
                + (nu - p - 1) / 2 * slogdet(value).logabsdet - trace / 2)

    def entropy(self) -> Tensor:
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * (p * _LOG_2 / 2 + self._half_log_det()) + (nu / 2).mvlgamma(p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p) + nu * p / 2)
