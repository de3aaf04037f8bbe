"""``tensorweave.special``: PyTorch's ``torch.special`` namespace.

The new functions are composite ops: those of `tensorweave.ops.special` (erfc, erfcx,
erfinv, ndtr, ndtri, log_ndtr, lgamma, digamma, polygamma, i0, i1, entr, xlog1py,
multigammaln), the incomplete gamma functions (``gammainc``, ``gammaincc``: `tw.igamma`,
`tw.igammac`) of `tensorweave.ops.gamma_incomplete`, the Bessel functions of
`tensorweave.ops.bessel` (``i0e``, ``i1e``, ``modified_bessel_*``,
``scaled_modified_bessel_k0/k1``, ``bessel_j0/j1/y0/y1``, ``spherical_bessel_j0``), the
Hurwitz ``zeta`` (`tensorweave.ops.zeta`) and the orthogonal polynomials of
`tensorweave.ops.polynomials`; the rest are the existing ops under their ``torch.special``
names (``expit`` is `sigmoid`, ``gammaln`` is `lgamma`, ``psi`` is `digamma`...). Not
implemented: ``airy_ai``.
"""

from __future__ import annotations

from .ops.bessel import (
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    i0e,
    i1e,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    spherical_bessel_j0,
)
from .ops.elementwise import erf, exp2, expm1, log1p, logit, round, sinc, xlogy
from .ops.elementwise import sigmoid as expit
from .ops.gamma_incomplete import igamma as gammainc
from .ops.gamma_incomplete import igammac as gammaincc
from .ops.nn import log_softmax, softmax
from .ops.polynomials import (
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
)
from .ops.reduction import logsumexp
from .ops.special import (
    digamma,
    entr,
    erfc,
    erfcx,
    erfinv,
    i0,
    i1,
    log_ndtr,
    ndtr,
    ndtri,
    polygamma,
    xlog1py,
)
from .ops.special import lgamma as gammaln
from .ops.special import mvlgamma as multigammaln
from .ops.zeta import zeta

psi = digamma

__all__ = ["erf", "erfc", "erfcx", "erfinv", "expit", "logit", "xlogy", "xlog1py", "entr",
           "ndtr", "ndtri", "log_ndtr", "log1p", "expm1", "exp2", "sinc", "round", "logsumexp",
           "softmax", "log_softmax", "gammaln", "psi", "digamma", "polygamma", "multigammaln",
           "i0", "i1", "gammainc", "gammaincc", "i0e", "i1e", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "bessel_j0", "bessel_j1",
           "bessel_y0", "bessel_y1", "spherical_bessel_j0", "zeta", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
           "legendre_polynomial_p"]
