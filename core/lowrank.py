"""Randomized low-rank SVD and PCA, as ``torch.svd_lowrank`` and ``torch.pca_lowrank``.

Halko, Martinsson and Tropp (2009), algorithms 4.4 and 5.1: a Gaussian sketch ``A R`` of
``q`` columns, orthonormalized by QR and refined by ``niter`` power iterations, spans
(nearly) the top-``q`` range of ``A``; the SVD of the small projection ``Q^T A`` gives the
factors. Like PyTorch, the sketch is taken of ``A^T`` when ``A`` is wide or ``q`` is below
its width, so the dense SVD is always of a matrix with ``q`` rows or columns. Everything
is tensor ops (matmul, QR, SVD), so it runs and differentiates on every backend; the
sketch draws from the global generator (`tensorweave.manual_seed` reproduces it), so the
factors match PyTorch's in what they span and in their singular values, not bit for bit.
"""

from __future__ import annotations

from typing import Any

from .linalg import qr, svd
from .ops.linalg import matmul
from .random import randn
from .tensor import Tensor

__all__ = ["svd_lowrank", "pca_lowrank"]


def _check(op: str, A: Tensor, q: Any, niter: Any, capped: bool) -> None:  # noqa: N803
    """PyTorch's argument checks, and clear errors where PyTorch fails deeper down (a
    negative or fractional ``q``, a 1-d ``A``); ``capped``: ``q <= min(m, n)`` too."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor for A, got {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: expected A to have at least 2 dimensions, got {A.ndim}")
    m, n = A.shape[-2:]
    if not isinstance(q, int) or q < 0 or (capped and q > min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer"
                         + (f" and not greater than min(m, n)={min(m, n)}" if capped else ""))
    if not isinstance(niter, int) or niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")


def _basis(A: Tensor, q: int, niter: int) -> Tensor:  # noqa: N803
    """An orthonormal (..., m, q) basis approximating the top-``q`` range of ``A``
    (randomized range finder with ``niter`` power iterations, re-orthonormalized after
    every product, as algorithm 4.4)."""
    sketch = randn(*A.shape[-1:], q, dtype=A.dtype, device=A.device)
    Q = qr(matmul(A, sketch)).Q  # noqa: N806
    for _ in range(niter):
        Q = qr(matmul(A.mT, Q)).Q  # noqa: N806
        Q = qr(matmul(A, Q)).Q  # noqa: N806
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int = 2,  # noqa: N803
                M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    """``(U, S, V)`` with ``U S V^T`` the rank-``k`` approximation of ``A - M`` (``M``
    broadcast to ``A``; None: zero), ``k = min(q, m, n)``: U (..., m, k), S (..., k),
    V (..., n, k).

    Raises:
        ValueError: ``q`` or ``niter`` out of range (PyTorch's messages).
    """
    q = 6 if q is None else q
    _check("svd_lowrank", A, q, niter, capped=False)
    if M is not None:
        A = A - M  # noqa: N806
    m, n = A.shape[-2:]
    if m < n or n > q:  # A ~ (A Q) Q^T with Q spanning A^T's range: SVD of (m, q) A Q
        Q = _basis(A.mT, q, niter)  # noqa: N806
        U, S, Vh = svd(matmul(A, Q), full_matrices=False)  # noqa: N806
        return U, S, matmul(Q, Vh.mT)
    Q = _basis(A, q, niter)  # A ~ Q (Q^T A): SVD of (q, n) Q^T A  # noqa: N806
    U, S, Vh = svd(matmul(Q.mT, A), full_matrices=False)  # noqa: N806
    return matmul(Q, U), S, Vh.mT


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True,  # noqa: N803
                niter: int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """Principal components of the rows of ``A`` (observations by features): ``(U, S, V)``
    of `svd_lowrank` of ``A`` less its column means (if ``center``); ``V``'s columns are
    the principal directions, ``S**2 / (m - 1)`` the variances along them. ``q`` defaults
    to ``min(6, m, n)``.

    Raises:
        ValueError: ``q`` or ``niter`` out of range (PyTorch's messages).
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank: expected a Tensor for A, got {type(A).__name__}")
    q = min(6, *A.shape[-2:]) if q is None else q
    _check("pca_lowrank", A, q, niter, capped=True)
    if center:
        A = A - A.mean(-2, keepdim=True)  # noqa: N806
    return svd_lowrank(A, q, niter)
