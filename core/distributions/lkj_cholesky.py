"""`LKJCholesky`: the LKJ distribution over correlation matrices, on their lower
Cholesky factors (PyTorch's class, formulas, sampler and validation)."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..ops.creation import arange
from ..ops.elementwise import where
from ..ops.joining import cat
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .gamma import Beta
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """Lower Cholesky factors ``L`` of ``dim x dim`` correlation matrices ``L L^T`` whose
    density is proportional to ``det(L L^T)^(concentration - 1)`` (Lewandowski, Kurowicka
    & Joe, 2009): 1 is uniform over correlation matrices, larger values favor the
    identity.

    Sampling is the onion method of the LKJ paper (section 3.2): row ``i`` of ``L`` is
    ``sqrt(y_i)`` times a uniform direction in its first ``i`` coordinates, with
    ``y_i ~ Beta(i / 2, concentration + (dim - 2 - i) / 2)``, and the diagonal completes
    the unit norm. There is no ``rsample``.
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        if dim < 2:
            raise ValueError("Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        c = self.concentration
        offset = arange(dim - 1, dtype=c.dtype, device=c.device)
        offset = cat([offset.new_zeros((1,)), offset])
        marginal_conc = c + 0.5 * (dim - 2)
        # row i >= 1 takes Beta(i / 2, marginal_conc - (i - 1) / 2); row 0's draw is unused.
        # (PyTorch's first concentration is offset + 0.5, i.e. i - 1/2, which skews the
        # correlations of rows 2 and up away from their exchangeable LKJ marginals)
        self._beta = Beta(0.5 * offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(c.shape, (dim, dim), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = self._expand_params(LKJCholesky, batch_shape, _instance, {"concentration": 0})
        new.dim = self.dim
        new._beta = self._beta.expand(tuple(Size(batch_shape)) + (self.dim,))
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u = y.new_empty(tuple(self._extended_shape(sample_shape))).normal_().tril(-1)
            # row 0 has no coordinates below the diagonal (and a 0/0 norm): it stays 0
            first_row = (arange(self.dim, device=u.device) == 0).unsqueeze(-1)
            u_sphere = where(first_row, 0.0, u / u.pow(2).sum(-1, keepdim=True).sqrt())
            w = y.sqrt() * u_sphere
            tiny = D.finfo(w.dtype).tiny
            return w + (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt().diag_embed()

    def log_prob(self, value: Tensor) -> Tensor:
        """``sum_i (2 (concentration - 1) + dim - i) log L_ii`` over ``i = 2..dim``, less
        the log normalizer of the LKJ paper (eq. 16)."""
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = arange(2, self.dim + 1, dtype=self.concentration.dtype,
                       device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalize = (0.5 * dm1 * math.log(math.pi) + (alpha - 0.5).mvlgamma(dm1)
                     - alpha.lgamma() * dm1)
        return unnormalized - normalize
