"""LAPACK-backed kernels (through ``np.linalg``) for the decomposition composites of
`tensorweave.ops.decompositions`.

LAPACK reports a singular or non-positive-definite matrix without saying where; on that
(rare) path the kernels find the failing pivot or minor themselves, so the error is
PyTorch's, the same as the decompositions raise on other backends.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tensorweave.ops.decompositions import (
    eigh_reference,
    lu_reference,
    not_pd_error,
    singular_error,
    svd_reference,
)


def _first_zero_pivot(a: np.ndarray) -> tuple[int, int]:
    """(flat batch index, column) of the first zero on U's diagonal of getrf's LU."""
    lu, _ = lu_reference(a)
    diag = np.abs(np.diagonal(lu, 0, -2, -1).reshape(-1, a.shape[-1]))
    zeros = np.argwhere(diag == 0)
    # LAPACK's blocked getrf may round differently: then name its smallest pivot.
    b, c = zeros[0] if len(zeros) else np.unravel_index(np.argmin(diag), diag.shape)
    return int(b), int(c)


def _solve(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise singular_error(op, a.ndim, *_first_zero_pivot(a)) from None


def inverse(a: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise singular_error("linalg.inv", a.ndim, *_first_zero_pivot(a)) from None


def linalg_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _solve("torch.linalg.solve", a, b)


def det(a: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.det(a), dtype=a.dtype)


def slogdet(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, la = np.linalg.slogdet(a)
    return np.asarray(s, dtype=a.dtype), np.asarray(la, dtype=a.real.dtype)


def cholesky(a: np.ndarray, upper: bool) -> np.ndarray:
    try:
        low = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        n = a.shape[-1]
        for i, m in enumerate(a.reshape(-1, n, n)):
            for k in range(1, n + 1):
                try:
                    np.linalg.cholesky(m[:k, :k])
                except np.linalg.LinAlgError:
                    raise not_pd_error(a.ndim, i, k - 1) from None
        raise
    return np.conj(np.swapaxes(low, -1, -2)) if upper else low


def linalg_qr(a: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    if mode == "r":
        return np.zeros((0,), dtype=a.dtype), np.linalg.qr(a, mode="r")
    q, r = np.linalg.qr(a, mode=mode)
    return q, r


def linalg_eigh(a: np.ndarray, uplo: str) -> tuple[np.ndarray, np.ndarray]:
    w, v = eigh_reference(a, uplo)
    return w.astype(a.real.dtype), v.astype(a.dtype)


def linalg_svd(a: np.ndarray, full_matrices: bool) -> tuple[np.ndarray, ...]:
    u, sv, vh = svd_reference(a, full_matrices)
    return u.astype(a.dtype), sv.astype(a.real.dtype), vh.astype(a.dtype)


def linalg_eig(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK's geev (what PyTorch calls): real input gives the complex results too."""
    ct = np.complex128 if a.dtype in (np.float64, np.complex128) else np.complex64
    if a.size == 0:
        return np.zeros(a.shape[:-1], ct), np.zeros(a.shape, ct)
    if not np.all(np.isfinite(a)):
        raise RuntimeError("linalg.eig: input tensor should not contain infs or NaNs.")
    w, v = np.linalg.eig(a)
    return w.astype(ct, copy=False), v.astype(ct, copy=False)


KERNELS: dict[str, Callable[..., Any]] = {
    "inverse": inverse, "linalg_solve": linalg_solve, "det": det, "slogdet": slogdet,
    "cholesky": cholesky, "linalg_qr": linalg_qr,
    "linalg_eigh": linalg_eigh, "linalg_svd": linalg_svd, "linalg_eig": linalg_eig}
