"""``tensorweave.special``: PyTorch's ``torch.special`` namespace.

The new functions are the composite ops of `tensorweave.ops.special` (erfc, erfcx, erfinv,
ndtr, ndtri, log_ndtr, lgamma, digamma, polygamma, i0, i1, entr, xlog1py, multigammaln);
the rest are the existing ops under their ``torch.special`` names (``expit`` is `sigmoid`,
``gammaln`` is `lgamma`, ``psi`` is `digamma`...). Not implemented: the exp-scaled Bessel
functions (``i0e``, ``i1e``), zeta, the Airy and Bessel J/Y/K families and the orthogonal
polynomials.
"""

from __future__ import annotations

from .ops.elementwise import erf, exp2, expm1, log1p, logit, round, sinc, xlogy
from .ops.elementwise import sigmoid as expit
from .ops.nn import log_softmax, softmax
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

psi = digamma

__all__ = ["erf", "erfc", "erfcx", "erfinv", "expit", "logit", "xlogy", "xlog1py", "entr",
           "ndtr", "ndtri", "log_ndtr", "log1p", "expm1", "exp2", "sinc", "round", "logsumexp",
           "softmax", "log_softmax", "gammaln", "psi", "digamma", "polygamma", "multigammaln",
           "i0", "i1"]
