"""Matrix decompositions and the solvers built on them: LU with partial pivoting, Cholesky,
triangular and general solves, inverse, determinants (`tensorweave.linalg` exposes them
under PyTorch's ``torch.linalg`` names).

Every op here is a composite whose decomposition is a loop over columns of batched vector
ops (argmax, gather, where, matmul), so it runs on every backend, the primitives-only one
included; the loops are O(n) Python steps of O(n^2) work each, meant for the small matrices
of a deep-learning model. A backend may register LAPACK-backed kernels instead (the cpu
backend does, with NumPy's ``np.linalg``). Each op has an explicit, analytic ``vjp`` written
with these same ops (differentiating the pivoting loop would be slow and its derivative of
``argmax`` meaningless).

Failures that LAPACK reports through ``info`` (a singular matrix, a matrix that is not
positive-definite) raise `LinAlgError` with PyTorch's message; detecting one costs a single
device-to-host read per call.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, Tol, defop, method
from .creation import arange, eye, ones_like, scalar_tensor, tril, triu, zeros, zeros_like
from .elementwise import abs as _abs
from .elementwise import (
    angle,
    ceil,
    eq,
    exp2,
    fmod,
    gt,
    isfinite,
    log,
    log2,
    logical_and,
    logical_not,
    logical_or,
    lt,
    maximum,
    minimum,
    ne,
    sgn,
    sign,
    sqrt,
    where,
)
from .indexing import gather, take_along_dim
from .inplace import _TORCH_NAME
from .joining import broadcast_shapes, cat
from .linalg import diag_embed, matmul
from .movement import diagonal, stack
from .reduction import amax, amin, argmax, argsort, prod, sort
from .reduction import sum as _sum

# The ``tensorweave.<name>`` functions; the rest is reached through `tensorweave.linalg`.
__all__ = ["inverse", "det", "slogdet", "logdet", "cholesky", "cholesky_solve",
           "cholesky_inverse", "matrix_power", "matrix_exp", "pinverse", "qr", "svd", "lu",
           "lu_unpack", "lu_solve", "triangular_solve"]

LINALG_DTYPES = (D.float32, D.float64)
# The holomorphic ones (LU, solves, inverse, determinant, exponential) also take complex
# matrices: their decompositions are the same arithmetic, and autograd's conjugation rule
# (autograd.engine) turns their real derivatives into PyTorch's. Cholesky and eigh (of
# Hermitian matrices), SVD and QR take them with vjps written for complex values
# (conjugate transposes; their complex decompositions are the backend's: the Jacobi
# rotations and Householder reflections here are real).
LINALG_COMPLEX_DTYPES = LINALG_DTYPES + D.COMPLEX
# Float32 rounding is amplified by the condition number of the samples (up to ~100).
_TOL = {D.float32: Tol(atol=1e-4, rtol=1e-4)}

_Slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
_LuFactor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
_LuFactorEx = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_Qr = namedtuple("qr", ["Q", "R"])
_Svd = namedtuple("svd", ["U", "S", "V"])


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle (singular, not positive-definite), like
    ``torch.linalg.LinAlgError``; a subclass of RuntimeError, as PyTorch's."""

    _tw_checked = True  # the dispatcher re-raises it as is, without wrapping


# -- argument checks ------------------------------------------------------------------------------

def check_matrix(op: str, a: Any, name: str = "A", square: bool = True,
                 complex_ok: bool = False) -> None:
    """Raise PyTorch's error unless ``a`` is a float32/float64 tensor of (square) matrices."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor for {name}; got {type(a).__name__}. Wrap it "
                        "with tensorweave.tensor(...)")
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if a.dtype is D.float16 or a.dtype is D.bfloat16:
        name = "Half" if a.dtype is D.float16 else "BFloat16"
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {name}; convert "
                           "with .float() first.")
    if a.dtype.is_complex and not complex_ok:
        raise RuntimeError(f"{op}: complex matrices are not supported yet (got "
                           f"{a.dtype.name}); inv, det, slogdet, solve, solve_triangular, "
                           "lu_factor, lu_solve, matrix_exp, eig, cholesky, cholesky_solve, "
                           "eigh, svd, pinv, lstsq, qr, geqrf and householder_product take "
                           "them.")
    if a.dtype not in LINALG_COMPLEX_DTYPES:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{a.dtype.name}; convert with .double() or .float() first.")


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{a.dtype.name} and B of type {b.dtype.name} instead. Convert one "
                           "with .to(dtype).")


def _batch_prefix(ndim: int, b: int) -> str:
    return f"(Batch element {b}): " if ndim > 2 else ""


def _first_true(bad: Tensor) -> tuple[int, int] | None:
    """(flat batch index, column) of the first True of ``bad`` (..., n), or None: one
    device-to-host read, however large the batch."""
    n = bad.shape[-1]
    if bad.numel() == 0:
        return None
    flat = bad.reshape(-1)
    total = flat.shape[0]
    first = int(amin(where(flat, arange(total, device=bad.device), total)).item())
    return None if first == total else divmod(first, n)


def singular_error(op: str, ndim: int, batch: int, col: int) -> LinAlgError:
    """PyTorch's error for a zero pivot ``U[col, col]`` (0-based) in batch element ``batch``."""
    pre = _batch_prefix(ndim, batch)
    if op.startswith("linalg.inv"):  # linalg.inv, linalg.inv_ex
        return LinAlgError(f"{op}: {pre}The diagonal element {col + 1} is zero, the "
                           "inversion could not be completed because the input matrix is "
                           "singular.")
    return LinAlgError(f"{op}: {pre}The solver failed because the input matrix is singular.")


def not_pd_error(ndim: int, batch: int, col: int, op: str = "linalg.cholesky") -> LinAlgError:
    """PyTorch's error for a leading minor of order ``col + 1`` that is not positive."""
    return LinAlgError(f"{op}: {_batch_prefix(ndim, batch)}The factorization could "
                       "not be completed because the input is not positive-definite (the "
                       f"leading minor of order {col + 1} is not positive-definite).")


# -- the kernels of the decompositions, in tensor ops ---------------------------------------------

def _pivot_size(z: Tensor) -> Tensor:
    """LAPACK's measure of a complex pivot candidate: ``|re| + |im|``."""
    from .complex_numbers import view_as_real

    return _sum(_abs(view_as_real(z)), -1)


def _lu(a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Doolittle LU with partial pivoting (LAPACK getrf's choice: the first largest pivot,
    by ``|re| + |im|`` for a complex matrix, as LAPACK's izamax measures).

    Returns the packed factors (unit L below the diagonal, U on and above it), the 0-based
    pivot of each step (row k was swapped with row ``piv[k]``) and the resulting row order
    ``perm`` (row i of ``P^T A`` is row ``perm[i]`` of A). A zero pivot leaves its column
    as it is (LAPACK does the same and reports it through ``info``).
    """
    n = a.shape[-1]
    idx = arange(n, device=a.device)
    rows = idx.unsqueeze(-1)
    perm = idx.expand(*a.shape[:-1])
    pivs = []
    size = _pivot_size if a.dtype.is_complex else _abs
    for k in range(n):
        cand = where(idx >= k, size(a[..., :, k]), -1.0)
        p = argmax(cand, -1, keepdim=True)
        pivs.append(p)
        src = where(eq(idx, k), p, where(eq(idx, p), k, idx))  # swap rows k and p
        a = gather(a, -2, src.unsqueeze(-1).expand(*a.shape))
        perm = gather(perm, -1, src)
        piv = a[..., k:k + 1, k:k + 1]
        zero = eq(piv, 0)
        below = logical_and(gt(rows, k), logical_not(zero))
        lcol = where(below, a[..., :, k:k + 1] / where(zero, 1.0, piv), 0.0)
        urow = where(gt(idx, k), a[..., k:k + 1, :], 0.0)
        a = where(logical_and(eq(idx, k), gt(rows, k)), lcol, a - lcol * urow)
    piv = stack([p.squeeze(-1) for p in pivs], -1) if pivs else perm.clone()
    return a, piv, perm


def _substitute(a: Tensor, b: Tensor, upper: bool, unit: bool) -> Tensor:
    """Solve ``T X = B`` by substitution, T the upper or lower triangle of ``a`` (its other
    triangle is never read); ``a`` and ``b`` have the same batch shape."""
    n = a.shape[-1]
    rows = arange(n, device=a.device).unsqueeze(-1)
    off = triu(a, 1) if upper else tril(a, -1)
    x = zeros_like(b)
    for i in (reversed(range(n)) if upper else range(n)):
        # Unsolved rows of x are still zero, so the full row product sums the solved ones.
        r = b[..., i:i + 1, :] - matmul(off[..., i:i + 1, :], x)
        if not unit:
            r = r / a[..., i:i + 1, i:i + 1]
        x = where(eq(rows, i), r, x)
    return x


def _lu_solve(lu: Tensor, perm: Tensor, b: Tensor) -> Tensor:
    """``A^{-1} B`` from A's packed LU factors and row order (B of A's batch shape)."""
    pb = gather(b, -2, perm.unsqueeze(-1).expand(*b.shape))
    return _substitute(lu, _substitute(lu, pb, upper=False, unit=True), upper=True, unit=False)


def _raw_inverse(a: Tensor) -> Tensor:
    """``A^{-1}`` without the singularity check (inf/nan for a singular A): the gradients of
    det and slogdet use it, masking what a singular A gives."""
    lu, _, perm = _lu(a)
    return _lu_solve(lu, perm, _identity_like(a))


def _identity_like(a: Tensor) -> Tensor:
    n = a.shape[-1]
    return eye(n, dtype=a.dtype, device=a.device).expand(*a.shape).clone()


def perm_matrix(perm: Tensor, dtype: D.dtype) -> Tensor:
    """The permutation matrix P with ``(P^T A)[i] = A[perm[i]]``: ``P[perm[c], c] = 1``."""
    n = perm.shape[-1]
    return eq(arange(n, device=perm.device).unsqueeze(-1), perm.unsqueeze(-2)).to(dtype)


def perm_from_pivots(piv: Tensor) -> Tensor:
    """The row order produced by applying LAPACK's (1-based) pivots in turn."""
    n = piv.shape[-1]
    idx = arange(n, device=piv.device)
    perm = idx.expand(*piv.shape)
    p0 = piv.to(D.int64) - 1
    for k in range(n):
        p = p0[..., k:k + 1]
        perm = gather(perm, -1, where(eq(idx, k), p, where(eq(idx, p), k, idx)))
    return perm


def _parity_sign(piv: Tensor, dtype: D.dtype) -> Tensor:
    """``det(P)``: -1 to the number of actual row swaps."""
    swaps = _sum(ne(piv, arange(piv.shape[-1], device=piv.device)), -1)
    return 1.0 - 2.0 * fmod(swaps, 2).to(dtype)


def _mT(x: Tensor) -> Tensor:
    return x.transpose(-2, -1)


# -- conformance samples ---------------------------------------------------------------------------

def _square(rng: np.random.Generator, shape: tuple[int, ...], dt: D.dtype) -> np.ndarray:
    """Random matrices kept away from singular: condition numbers stay below ~100."""
    n = shape[-1]
    a = S.make(rng, shape, dt, -1.0, 1.0).astype(np.complex128 if dt.is_complex else np.float64)
    return (a + np.eye(n) * np.where(rng.random(shape[:-1]) < 0.5, -1.5, 1.5)[..., None]
            ).astype(dt.np)


def _pivoting(dt: D.dtype) -> np.ndarray:
    """A matrix whose elimination needs row swaps at every step (zero leading pivots)."""
    return np.array([[0.0, 2.0, 1.0, 0.5], [1.0, 0.0, 3.0, -1.0], [0.5, 1.0, 0.0, 2.0],
                     [2.0, -1.0, 0.5, 0.0]], dtype=dt.np)


def _matrix_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for shape in [(3, 3), (2, 4, 4), (1, 1), (2, 1, 2, 2), (0, 0), (2, 0, 0)]:
        yield S.SampleInput((S.Arg(_square(rng, shape, dt)),), name=f"shape{shape}")
    yield S.SampleInput((S.Arg(_pivoting(dt)),), name="pivoting")
    yield S.SampleInput((S.Arg(_square(rng, (4, 4), dt), noncontig=True),),
                        name="noncontiguous")


def _det_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield from _matrix_samples(dt, rng)
    # The gradient at a singular matrix is where PyTorch's and central differences part.
    yield S.SampleInput((S.Arg(np.array([[1.0, 2.0], [2.0, 4.0]], dtype=dt.np),
                               differentiable=False),), name="singular")


def _spd(rng: np.random.Generator, shape: tuple[int, ...], dt: D.dtype) -> np.ndarray:
    """Random symmetric (for a complex dtype, Hermitian) positive-definite matrices."""
    m = rng.uniform(-1.0, 1.0, shape)
    if dt.is_complex:
        m = m + 1j * rng.uniform(-1.0, 1.0, shape)
    return (m @ np.conj(np.swapaxes(m, -1, -2)) + np.eye(shape[-1]) * 0.5).astype(dt.np)


# -- LU -------------------------------------------------------------------------------------------

def _lu_factor_decomp(a: Tensor) -> tuple[Tensor, Tensor]:
    lu, piv, _ = _lu(a)
    return lu, (piv + 1).to(D.int32)


def _lu_factor_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], a: Tensor) -> tuple[Any]:
    # A = P L U, so L^{-1} P^T dA U^{-1} = L^{-1} dL + dU U^{-1} (strictly lower + upper):
    # dL = L tril(M, -1), dU = triu(M) U, and the gradient is P L^{-T} phi U^{-T} with
    # phi = tril(L^T gL, -1) + triu(gU U^T).
    glu = g[0]
    if glu is None:
        return (None,)
    lu, piv = out
    n = a.shape[-1]
    lo = tril(lu, -1) + eye(n, dtype=lu.dtype, device=lu.device)
    up = triu(lu)
    phi = tril(matmul(_mT(lo), tril(glu, -1)), -1) + triu(matmul(triu(glu), _mT(up)))
    z = linalg_solve_triangular.bind(_mT(lo), phi, upper=True, unitriangular=True)
    y = _mT(linalg_solve_triangular.bind(up, _mT(z), upper=True, unitriangular=False))
    return (matmul(perm_matrix(perm_from_pivots(piv), lu.dtype), y),)


def lu_reference(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """getrf in NumPy, one matrix at a time: the conformance reference of `linalg_lu_factor`
    (and where the cpu backend looks up the zero pivot that LAPACK does not name)."""
    cplx = np.iscomplexobj(a)
    a = np.array(a, dtype=np.complex128 if cplx else np.float64)
    n = a.shape[-1]
    flat = a.reshape(int(np.prod(a.shape[:-2])), n, n)
    piv = np.zeros((flat.shape[0], n), dtype=np.int32)
    for m, p in zip(flat, piv):
        for k in range(n):
            col = m[k:, k]
            r = k + int(np.argmax(np.abs(col.real) + np.abs(col.imag) if cplx else np.abs(col)))
            p[k] = r + 1
            m[[k, r]] = m[[r, k]]
            if m[k, k] != 0:
                m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
    return flat.reshape(a.shape), piv.reshape(a.shape[:-1])


@defop(COMPOSITE, decomp=_lu_factor_decomp, vjp=_lu_factor_vjp, n_outputs=2, save_out=True,
       meta=lambda a: (a.dtype, D.int32), ref=lu_reference, samples=_det_samples,
       dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False, method=False)
def linalg_lu_factor(A: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803 - torch's name
    """Packed LU factorization with partial pivoting: ``(LU, pivots)``; see `linalg.lu_factor`.

    This op never fails: a singular matrix gives a zero on U's diagonal.
    """
    check_matrix("torch.linalg.lu_factor", A, complex_ok=True)
    return linalg_lu_factor.bind(A)


def lapack_info(bad: Tensor) -> Tensor:
    """LAPACK's ``info`` (int32) over the last dim of ``bad`` (..., n): 1 + the index of its
    first True, 0 when there is none."""
    n = bad.shape[-1]
    pos = where(bad, arange(1, n + 1, device=bad.device), n + 1)
    first = amin(pos, -1) if n else zeros(tuple(bad.shape[:-1]), dtype=D.int64,
                                          device=bad.device)
    return where(gt(first, n), 0, first).to(D.int32)


def _lu_info(lu: Tensor) -> Tensor:
    """getrf's ``info``: 1 + the first zero of U's diagonal, 0 when there is none."""
    return lapack_info(eq(diagonal(lu, 0, -2, -1), 0))


def lu_factor_ex(A: Tensor, *, pivot: bool = True,  # noqa: N803 - torch's name
                 check_errors: bool = False) -> Any:
    """``(LU, pivots, info)`` of `linalg.lu_factor`, with LAPACK's ``info`` (1 + the index of
    the first zero pivot, 0 if none) instead of an error, as ``torch.linalg.lu_factor_ex``.

    Raises:
        RuntimeError: for ``pivot=False`` (not implemented: partial pivoting is always done),
            and with ``check_errors=True`` for a singular matrix.
    """
    if not pivot:
        raise RuntimeError("linalg.lu_factor_ex: LU without pivoting is not implemented; pass "
                           "pivot=True")
    lu, piv = linalg_lu_factor(A)
    info = _lu_info(lu)
    if check_errors:
        _raise_zero_pivot(lu, A.ndim)
    return _LuFactorEx(lu, piv, info)


_LuUnpack = namedtuple("lu_unpack", ["P", "L", "U"])


@method
def lu(A: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:  # noqa: N803
    """``(LU, pivots)`` (and LAPACK's ``infos`` with ``get_infos=True``, instead of an error
    for a singular matrix), as the older `torch.lu`: `lu_factor` / `lu_factor_ex`."""
    if get_infos:
        return tuple(lu_factor_ex(A, pivot=pivot))
    return tuple(lu_factor(A, pivot=pivot))


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,  # noqa: N803
              unpack_pivots: bool = True) -> Any:
    """``(P, L, U)`` with ``A = P L U`` from the packed factors of `lu_factor`, as
    `torch.lu_unpack`; a part not unpacked is an empty tensor."""
    empty = LU_data.new_zeros((0,))
    n = LU_data.shape[-1]
    low = (tril(LU_data, -1) + eye(n, dtype=LU_data.dtype, device=LU_data.device)
           if unpack_data else empty)
    up = triu(LU_data) if unpack_data else empty
    p = perm_matrix(perm_from_pivots(LU_pivots), LU_data.dtype) if unpack_pivots else empty
    return _LuUnpack(p, low, up)


def _rows(b: Tensor, order: Tensor) -> Tensor:
    """``b[..., order, :]`` with the batch dims of ``order`` (``(..., n)``) broadcast."""
    nd = max(b.ndim, order.ndim + 1)
    b = b.reshape(*([1] * (nd - b.ndim)), *b.shape)
    return take_along_dim(b, order.reshape(*([1] * (nd - 1 - order.ndim)), *order.shape, 1), -2)


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
                    adjoint: bool = False) -> Tensor:
    """The X of ``A X = B`` from A's `lu_factor` (``X A = B`` with ``left=False``, ``A^H``
    for A with ``adjoint=True``), as `torch.linalg.lu_solve`: since ``A[perm] = L U``, two
    triangular solves and a row permutation, each differentiable.

    Raises:
        RuntimeError: for shapes that do not fit.
    """
    check_matrix("torch.linalg.lu_solve", LU, "LU", complex_ok=True)
    if B.ndim < 2 or B.shape[-2 if left else -1] != LU.shape[-1]:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({LU.shape[-2]}x{LU.shape[-1]} "
                           f"and {'x'.join(map(str, B.shape[-2:]))})")
    # ^H is the conjugate transpose (the transpose of a real matrix), which adjoint= means.
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return linalg_lu_solve(LU, pivots, B.mH, adjoint=not adjoint).mH
    perm = perm_from_pivots(pivots)
    if not adjoint:  # L U X = B[perm]
        y = linalg_solve_triangular(LU, _rows(B, perm), upper=False, unitriangular=True)
        return linalg_solve_triangular(LU, y, upper=True)
    # A^H = U^H L^H P^T: U^H L^H W = B, then X = P W (row perm[i] of X is row i of W)
    v = linalg_solve_triangular(LU.mH, B, upper=False)
    w = linalg_solve_triangular(LU.mH, v, upper=True, unitriangular=True)
    return _rows(w, argsort(perm, stable=True))


@method
def lu_solve(input: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: A002, N803
    """The X of ``A X = input`` from A's packed LU factors, as the older `torch.lu_solve`
    (`linalg.lu_solve` with the right-hand side first)."""
    return linalg_lu_solve(LU_data, LU_pivots, input)


def _raise_zero_pivot(lu: Tensor, ndim: int) -> None:
    bad = _first_true(eq(diagonal(lu, 0, -2, -1), 0))
    if bad is not None:
        b, c = bad
        raise LinAlgError(f"torch.linalg.lu_factor: {_batch_prefix(ndim, b)}U[{c + 1},{c + 1}] "
                          "is zero and using it on lu_solve would result in a division by "
                          "zero. If you still want to perform the factorization, consider "
                          "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803 - torch's name
    """LU factorization with partial pivoting, packed as LAPACK's getrf: ``(LU, pivots)``.

    ``LU`` holds U on and above the diagonal and the unit-diagonal L below it; ``pivots``
    (int32, 1-based) says row ``i`` was swapped with row ``pivots[i]``. Batched over leading
    dims; differentiable in ``LU``. Square matrices only (PyTorch also factors rectangular
    ones).

    Raises:
        RuntimeError: for non-square or non-float inputs, ``pivot=False``, or a singular
            matrix (as PyTorch: use `lu_factor_ex` or `linalg.lu` to factor one anyway).

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.lu_factor(tw.tensor([[1.0, 2.0], [3.0, 4.0]])).pivots
        tensor([2, 2], dtype=tensorweave.int32)
    """
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented; pass "
                           "pivot=True")
    lu, piv = linalg_lu_factor(A)
    _raise_zero_pivot(lu, A.ndim)
    return _LuFactor(lu, piv)


# -- triangular and general solves ----------------------------------------------------------------

def _solve_triangular_vjp(g: Tensor, x: Tensor, a: Tensor, b: Tensor, upper: bool,
                          unitriangular: bool) -> tuple[Tensor, Tensor]:
    # X = T^{-1} B: gB = T^{-T} g, gT = -gB X^T, kept on T's (strict, if unit) triangle.
    gb = linalg_solve_triangular.bind(_mT(a), g, upper=not upper, unitriangular=unitriangular)
    ga = -matmul(gb, _mT(x))
    k = 1 if unitriangular else 0
    return (triu(ga, k) if upper else tril(ga, -k)), gb


def _solve_triangular_ref(a: np.ndarray, b: np.ndarray, *, upper: bool, left: bool = True,
                          unitriangular: bool = False) -> np.ndarray:
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        t = t - np.eye(a.shape[-1]) * np.diagonal(t, 0, -2, -1)[..., None] + np.eye(a.shape[-1])
    if left:
        return np.linalg.solve(t, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _triangular_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    cases = [((3, 3), (3, 2), {"upper": True}), ((3, 3), (3, 2), {"upper": False}),
             ((2, 4, 4), (2, 4, 1), {"upper": False, "unitriangular": True}),
             ((4, 4), (2, 4), {"upper": True, "left": False}),
             ((2, 1, 3, 3), (4, 3, 2), {"upper": False}), ((1, 1), (1, 3), {"upper": True}),
             ((0, 0), (0, 2), {"upper": True})]
    for sa, sb, kw in cases:
        yield S.SampleInput((S.Arg(_square(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))), kw,
                            name=f"{sa}\\{sb}")
    yield S.SampleInput((S.Arg(_square(rng, (3, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 2), dt), noncontig=True)), {"upper": True},
                        name="noncontiguous")


def _broadcast_batch(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    batch = broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    return (a.expand(*batch, *a.shape[-2:]) if tuple(a.shape[:-2]) != batch else a,
            b.expand(*batch, *b.shape[-2:]) if tuple(b.shape[:-2]) != batch else b)


def _incompatible(op: str, a: Tensor, b: Tensor, left: bool) -> RuntimeError:
    eqn = "AX = B" if left else "XA = B"
    return RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eqn} "
                        f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")


@defop(COMPOSITE, decomp=lambda a, b, upper, unitriangular: _substitute(a, b, upper,
                                                                        unitriangular),
       vjp=_solve_triangular_vjp, save_out=True, ref=_solve_triangular_ref,
       samples=_triangular_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False,
       method=False, gradgrad=True)
def linalg_solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                            unitriangular: bool = False) -> Tensor:
    """Solve ``T X = B`` (or ``X T = B``) for the triangle T of ``A``; see
    `linalg.solve_triangular`."""
    op = "linalg.solve_triangular"
    check_matrix(op, A, complex_ok=True)
    check_matrix(op, B, "B", square=False, complex_ok=True)
    _same_dtype(op, A, B)
    if not left:
        return _mT(linalg_solve_triangular(_mT(A), _mT(B), upper=not upper,
                                           unitriangular=unitriangular))
    if B.shape[-2] != A.shape[-1]:
        raise _incompatible(op, A, B, left)
    A, B = _broadcast_batch(A, B)
    return linalg_solve_triangular.bind(A, B, upper=bool(upper),
                                        unitriangular=bool(unitriangular))


def _solve_decomp(a: Tensor, b: Tensor) -> Tensor:
    lu, _, perm = _lu(a)
    bad = _first_true(eq(diagonal(lu, 0, -2, -1), 0))
    if bad is not None:
        raise singular_error("torch.linalg.solve", a.ndim, *bad)
    return _lu_solve(lu, perm, b)


def _solve_vjp(g: Tensor, x: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # X = A^{-1} B: gB = A^{-T} g, gA = -gB X^T.
    gb = linalg_solve.bind(_mT(a), g)
    return -matmul(gb, _mT(x)), gb


def _solve_ref(a: np.ndarray, b: np.ndarray, *, left: bool = True) -> np.ndarray:
    if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):
        return np.linalg.solve(a, b[..., None])[..., 0]
    if left:
        return np.linalg.solve(a, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _solve_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    cases = [((3, 3), (3, 2), {}), ((3, 3), (3,), {}), ((2, 4, 4), (2, 4), {}),
             ((2, 1, 3, 3), (4, 3, 1), {}), ((4, 4), (2, 4), {"left": False}),
             ((1, 1), (1, 1), {}), ((0, 0), (0, 2), {})]
    for sa, sb, kw in cases:
        yield S.SampleInput((S.Arg(_square(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))), kw,
                            name=f"{sa}\\{sb}")
    yield S.SampleInput((S.Arg(_pivoting(dt)), S.Arg(S.make(rng, (4, 3), dt))),
                        name="pivoting")
    yield S.SampleInput((S.Arg(_square(rng, (3, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 2), dt), noncontig=True)), name="noncontiguous")


@defop(COMPOSITE, decomp=_solve_decomp, vjp=_solve_vjp, save_out=True, ref=_solve_ref,
       samples=_solve_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False,
       method=False, gradgrad=True)
def linalg_solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """Solve ``A X = B`` (or ``X A = B``) by LU with partial pivoting; see `linalg.solve`."""
    op = "linalg.solve"
    check_matrix(op, A, complex_ok=True)
    if not isinstance(B, Tensor) or B.ndim < 1:
        raise RuntimeError(f"{op}: The input tensor B must have at least 1 dimensions; got "
                           f"{getattr(B, 'ndim', type(B).__name__)}")
    _same_dtype(op, A, B)
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if vec:
        if not left:
            raise RuntimeError(f"{op}: Vector broadcasting of the left hand side is not "
                               "supported for left=False. In this case linalg.solve is "
                               "equivalent to B / A.squeeze(-1)")
        B = B.unsqueeze(-1)
    if B.shape[-2 if left else -1] != A.shape[-1]:
        raise _incompatible(op, A, B, left)
    if left:
        A, B = _broadcast_batch(A, B)
        x = linalg_solve.bind(A, B)
    else:
        A, B = _broadcast_batch(_mT(A), _mT(B))
        x = _mT(linalg_solve.bind(A, B))
    return x.squeeze(-1) if vec else x


# -- inverse, determinants ------------------------------------------------------------------------

def _inverse_decomp(a: Tensor) -> Tensor:
    lu, _, perm = _lu(a)
    bad = _first_true(eq(diagonal(lu, 0, -2, -1), 0))
    if bad is not None:
        raise singular_error("linalg.inv", a.ndim, *bad)
    return _lu_solve(lu, perm, _identity_like(a))


@defop(COMPOSITE, decomp=_inverse_decomp, save_out=True, save_inputs=False,
       vjp=lambda g, out, a: (-matmul(_mT(out), matmul(g, _mT(out))),),
       ref=np.linalg.inv, samples=_matrix_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL,
       gradgrad=True)
def inverse(input: Tensor) -> Tensor:  # noqa: A002
    """The inverse of each square matrix (LU with partial pivoting), as `torch.inverse`.

    Raises:
        LinAlgError: for a singular matrix, naming the zero pivot (PyTorch's message).
        RuntimeError: for non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.inverse(tw.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    check_matrix("linalg.inv", input, complex_ok=True)
    return inverse.bind(input)


def _det_decomp(a: Tensor) -> Tensor:
    lu, piv, _ = _lu(a)
    return prod(diagonal(lu, 0, -2, -1), -1) * _parity_sign(piv, a.dtype)


def _det_vjp(g: Tensor, out: Tensor, a: Tensor) -> tuple[Tensor]:
    # d det(A) = det(A) tr(A^{-1} dA); at a singular A PyTorch's LU path gives 0 as well.
    scale = (g * out).unsqueeze(-1).unsqueeze(-1)
    singular = eq(out, 0).unsqueeze(-1).unsqueeze(-1)
    return (where(singular, 0.0, scale * _mT(_raw_inverse(a))),)


@defop(COMPOSITE, decomp=_det_decomp, vjp=_det_vjp, save_out=True, ref=np.linalg.det,
       samples=_det_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, gradgrad=True)
def det(input: Tensor) -> Tensor:  # noqa: A002
    """Determinant of each square matrix (0 for a singular one), as `torch.det`.

    Raises:
        RuntimeError: for non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.det(tw.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    check_matrix("linalg.det", input, complex_ok=True)
    return det.bind(input)


def _slogdet_decomp(a: Tensor) -> tuple[Tensor, Tensor]:
    lu, piv, _ = _lu(a)
    d = diagonal(lu, 0, -2, -1)
    signs = sgn(d) if a.dtype.is_complex else sign(d)
    return _parity_sign(piv, a.dtype) * prod(signs, -1), _sum(log(_abs(d)), -1)


def _slogdet_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], a: Tensor) -> tuple[Any]:
    # With z = log det A (holomorphic; dz = tr(A^{-1} dA)), logabsdet = Re z and sign =
    # exp(i Im z): z's gradient is g_logabsdet + i Im(conj(sign) g_sign), and A's is that
    # times A^{-H}. A real sign is piecewise constant. Written for complex values.
    g_sign, g_abs = g
    cplx = a.dtype.is_complex
    if g_abs is None and (g_sign is None or not cplx):
        return (None,)
    gz = zeros_like(out[1]) if g_abs is None else g_abs
    if cplx:
        gz = gz.to(a.dtype)
        if g_sign is not None:
            gz = gz + 1j * (out[0].conj() * g_sign).imag
    return (gz.unsqueeze(-1).unsqueeze(-1) * _raw_inverse(a).mH,)


@defop(COMPOSITE, decomp=_slogdet_decomp, vjp=_slogdet_vjp, n_outputs=2, save_out=True,
       meta=lambda a: (a.dtype, a.dtype.to_real()), ref=lambda a: tuple(np.linalg.slogdet(a)),
       samples=_matrix_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, real_vjp=False)
def slogdet(input: Tensor) -> Any:  # noqa: A002
    """``(sign, logabsdet)`` of the determinant of each square matrix, as `torch.slogdet`:
    no overflow for large determinants; a singular matrix gives ``(0, -inf)``. A complex
    matrix's sign is complex (of modulus 1), its logabsdet real.

    Raises:
        RuntimeError: for non-square or non-float inputs.
    """
    check_matrix("linalg.slogdet", input, complex_ok=True)
    return _Slogdet(*slogdet.bind(input))


@method
def logdet(input: Tensor) -> Tensor:  # noqa: A002
    """``log(det(input))``: nan for a negative determinant, -inf for a singular matrix, as
    `torch.logdet`; for a complex matrix the complex logarithm ``logabsdet + i angle``."""
    s, la = slogdet(input)
    if input.dtype.is_complex:
        return la.to(input.dtype) + 1j * angle(s)
    return where(lt(s, 0), float("nan"), la)


# -- Cholesky -------------------------------------------------------------------------------------

def _cholesky_lower(a: Tensor) -> Tensor:
    """Column-by-column Cholesky of the lower triangle of ``a``; a column whose pivot is not
    positive gets nan (or 0) on the diagonal, which the caller turns into the error."""
    n = a.shape[-1]
    rows = arange(n, device=a.device).unsqueeze(-1)
    low = zeros_like(a)
    for j in range(n):
        # Column j of A minus what the finished columns explain (they are zero beyond j).
        c = a[..., :, j:j + 1] - matmul(low, low[..., j:j + 1, :].mH)
        pivot = c[..., j:j + 1, :]
        d = sqrt(pivot.real).to(a.dtype) if a.dtype.is_complex else sqrt(pivot)
        col = where(eq(rows, j), d, c / where(eq(d, 0), 1.0, d))
        low = where(logical_and(eq(arange(n, device=a.device), j), rows >= j), col, low)
    return low


def _cholesky_decomp(a: Tensor, upper: bool) -> Tensor:
    low = _cholesky_lower(a)
    bad = _first_true(logical_not(gt(diagonal(low, 0, -2, -1).real, 0)))
    if bad is not None:
        raise not_pd_error(a.ndim, *bad)
    return low.mH if upper else low


def _cholesky_vjp(g: Tensor, out: Tensor, a: Tensor, upper: bool) -> tuple[Tensor]:
    # A = L L^H: with S = tril(L^H gL), gA = L^{-H} (S + tril(S, -1)^H) / 2 L^{-1}, the
    # Hermitian gradient PyTorch returns (A is taken to be Hermitian). Written for complex
    # values (^H is ^T for real ones).
    low, gl = (out.mH, g.mH) if upper else (out, g)
    s = tril(matmul(low.mH, gl))
    phi = 0.5 * (s + tril(s, -1).mH)
    z = linalg_solve_triangular.bind(low.mH, phi, upper=True, unitriangular=False)
    return (linalg_solve_triangular.bind(low.mH, z.mH, upper=True, unitriangular=False).mH,)


def _cholesky_ref(a: np.ndarray, upper: bool = False) -> np.ndarray:
    low = np.linalg.cholesky(a)
    return np.conj(np.swapaxes(low, -1, -2)) if upper else low


def _cholesky_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # Not differentiable here: PyTorch's gradient is the symmetric one (A is assumed
    # symmetric), which central differences of the lower triangle alone do not give; the
    # unit tests compare it with PyTorch instead.
    for shape, kw in [((3, 3), {}), ((2, 4, 4), {}), ((1, 1), {}), ((3, 3), {"upper": True}),
                      ((0, 0), {})]:
        yield S.SampleInput((S.Arg(_spd(rng, shape, dt), differentiable=False),), kw,
                            name=f"shape{shape}")
    yield S.SampleInput((S.Arg(_spd(rng, (3, 3), dt), noncontig=True, differentiable=False),),
                        name="noncontiguous")


@defop(COMPOSITE, decomp=_cholesky_decomp, vjp=_cholesky_vjp, real_vjp=False, save_out=True,
       ref=_cholesky_ref, samples=_cholesky_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL)
def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """The Cholesky factor of each symmetric (Hermitian) positive-definite matrix: lower L
    with ``A = L L^H`` (or upper ``U = L^H``), as `torch.cholesky`; only the lower
    triangle of ``input`` is read.

    Raises:
        LinAlgError: for a matrix that is not positive-definite, naming the first leading
            minor that is not (PyTorch's message).
        RuntimeError: for non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.cholesky(tw.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    check_matrix("linalg.cholesky", input, complex_ok=True)
    return cholesky.bind(input, upper=bool(upper))


def _cholesky_solve_decomp(b: Tensor, f: Tensor, upper: bool) -> Tensor:
    low = f.mH if upper else f
    y = _substitute(low, b, upper=False, unit=False)
    return _substitute(low.mH, y, upper=True, unit=False)


def _cholesky_solve_vjp(g: Tensor, x: Tensor, b: Tensor, f: Tensor,
                        upper: bool) -> tuple[Tensor, Tensor]:
    # X = (L L^H)^{-1} B: gB = (L L^H)^{-1} g and, for every entry of the factor (PyTorch
    # does not restrict it to the triangle), gL = -(gB X^H + X gB^H) L (U times it if
    # upper). Written for complex values (^H is ^T for real ones).
    gb = cholesky_solve.bind(g, f, upper=upper)
    common = matmul(gb, x.mH)
    common = common + common.mH
    return gb, (-matmul(f, common) if upper else -matmul(common, f))


def _cholesky_solve_ref(b: np.ndarray, f: np.ndarray, upper: bool = False) -> np.ndarray:
    t = np.triu(f) if upper else np.tril(f)
    th = np.conj(np.swapaxes(t, -1, -2))
    return np.linalg.solve(t @ th if not upper else th @ t, b)


def _cholesky_solve_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # The factor is not differentiable here: its gradient covers every entry, as PyTorch's,
    # while central differences see only the triangle the solve reads.
    for sb, sf, kw in [((3, 2), (3, 3), {}), ((2, 4, 1), (2, 4, 4), {"upper": True}),
                       ((2, 3, 2), (3, 3), {}), ((1, 1), (1, 1), {})]:
        low = np.linalg.cholesky(_spd(rng, sf, dt).astype(np.complex128 if dt.is_complex
                                                          else np.float64)).astype(dt.np)
        f = np.ascontiguousarray(np.conj(np.swapaxes(low, -1, -2))) if kw else low
        yield S.SampleInput((S.Arg(S.make(rng, sb, dt)), S.Arg(f, differentiable=False)), kw,
                            name=f"{sb},{sf}")


@defop(COMPOSITE, decomp=_cholesky_solve_decomp, vjp=_cholesky_solve_vjp, save_out=True,
       ref=_cholesky_solve_ref, samples=_cholesky_solve_samples, dtypes=LINALG_COMPLEX_DTYPES,
       tol=_TOL, real_vjp=False)
def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """Solve ``A X = B`` given the Cholesky factor of A (``input`` is B; ``input2`` the
    lower factor L, or the upper U with ``upper=True``), as `torch.cholesky_solve`: two
    triangular solves; batch dims broadcast.

    Raises:
        RuntimeError: for shapes or dtypes that do not fit, as `linalg.solve_triangular`.
    """
    op = "cholesky_solve"
    check_matrix(op, input2, "input2", complex_ok=True)
    check_matrix(op, input, "input", square=False, complex_ok=True)
    _same_dtype(op, input2, input)
    if input.shape[-2] != input2.shape[-1]:
        raise _incompatible(op, input2, input, True)
    f, b = _broadcast_batch(input2, input)
    return cholesky_solve.bind(b, f, upper=bool(upper))


# -- QR -------------------------------------------------------------------------------------------

def _householder(a: Tensor) -> tuple[Tensor, Tensor]:
    """Householder QR as LAPACK's geqrf + orgqr: ``(Q, R)`` with Q m x m and R m x n.

    Reflection k maps column k below row k onto ``beta e_k`` with ``beta = -sign(alpha)
    ||x||`` (alpha the diagonal entry), and is skipped when there is nothing below the
    diagonal to annihilate, so the signs of R's diagonal are LAPACK's (and PyTorch's).
    """
    m, n = a.shape[-2], a.shape[-1]
    rows = arange(m, device=a.device)
    q = eye(m, dtype=a.dtype, device=a.device).expand(*a.shape[:-2], m, m)
    for k in range(min(m, n)):
        x = where(rows >= k, a[..., :, k], 0.0)
        alpha = a[..., k:k + 1, k]
        sub = _sum(where(gt(rows, k), x * x, 0.0), -1, keepdim=True)
        norm = sqrt(alpha * alpha + sub)
        beta = where(alpha >= 0, -norm, norm)
        v = where(eq(rows, k), x - beta, x)
        vv = _sum(v * v, -1, keepdim=True)
        skip = eq(sub, 0)
        scale = where(skip, 0.0, 2.0 / where(skip, 1.0, vv)).unsqueeze(-1)
        vc = v.unsqueeze(-1)
        a = a - scale * vc * matmul(_mT(vc), a)
        q = q - scale * matmul(q, vc) * _mT(vc)
    return q, triu(a)


def _qr_decomp(a: Tensor, mode: str) -> tuple[Tensor, Tensor]:
    if a.dtype.is_complex:
        raise RuntimeError(f"linalg.qr: a complex matrix needs a kernel of the {a.device.type} "
                           "backend (the Householder reflections here are real)")
    q, r = _householder(a)
    k = min(a.shape[-2], a.shape[-1])
    if mode == "complete":
        return q, r
    if mode == "r":
        return zeros((0,), dtype=a.dtype, device=a.device), r[..., :k, :]
    return q[..., :, :k], r[..., :k, :]


def _qr_square_grad(gq: Tensor, gr: Tensor, q: Tensor, r: Tensor) -> Tensor:
    # A = QR (m >= n): with M = R gR^H - gQ^H Q, gA = (gQ + Q copyltu(M)) R^{-H}, where
    # copyltu(M) mirrors M's strict lower triangle above the diagonal (conjugated) and keeps
    # the real part of its diagonal. Written for complex values (^H is ^T for real ones).
    m_ = matmul(r, gr.mH) - matmul(gq.mH, q)
    low = tril(m_, -1)
    sym = low + low.mH + diag_embed(diagonal(m_, 0, -2, -1).real.to(m_.dtype))
    z = gq + matmul(q, sym)
    return linalg_solve_triangular.bind(r, z.mH, upper=True, unitriangular=False).mH


def _qr_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], a: Tensor,
            mode: str) -> tuple[Tensor]:
    m, n = a.shape[-2], a.shape[-1]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                           "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are "
                           "going to differentiate through linalg.qr.")
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                           "and nrows > ncols.")
    q, r = out
    gq = zeros_like(q) if g[0] is None else g[0]
    gr = zeros_like(r) if g[1] is None else g[1]
    if m >= n:
        return (_qr_square_grad(gq, gr, q, r),)
    # m < n: A = [X | Y] with X = Q U square and Y = Q V; V = Q^T Y feeds back into Q.
    y, gu, gv = a[..., :, m:], gr[..., :, :m], gr[..., :, m:]
    gx = _qr_square_grad(gq + matmul(y, gv.mH), gu, q, r[..., :, :m])
    return (cat([gx, matmul(q, gv)], -1),)


def _qr_ref(a: np.ndarray, mode: str = "reduced") -> tuple[np.ndarray, np.ndarray]:
    if mode == "r":
        return np.zeros((0,)), np.linalg.qr(a, mode="r")
    return tuple(np.linalg.qr(a, mode=mode))


def _qr_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for shape, kw in [((4, 3), {}), ((3, 3), {}), ((2, 3, 5), {}), ((2, 4, 4), {}),
                      ((1, 1), {}), ((4, 2), {"mode": "complete"}), ((3, 3), {"mode": "complete"}),
                      ((2, 4, 3), {"mode": "r"})]:
        # PyTorch has no derivative for mode='r', nor for 'complete' with m > n.
        grad = kw.get("mode") != "r" and not (kw.get("mode") == "complete" and
                                              shape[-2] > shape[-1])
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt), differentiable=grad),), kw,
                            name=f"shape{shape}{kw.get('mode', '')}")
    yield S.SampleInput((S.Arg(_square(rng, (4, 4), dt), noncontig=True),), name="noncontiguous")


@defop(COMPOSITE, decomp=_qr_decomp, vjp=_qr_vjp, real_vjp=False, n_outputs=2, save_out=True,
       meta=lambda a, mode: (a.dtype, a.dtype), ref=_qr_ref, samples=_qr_samples,
       dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False, method=False)
def linalg_qr(A: Tensor, mode: str = "reduced") -> tuple[Tensor, Tensor]:  # noqa: N803
    """Householder QR ``(Q, R)``; see `linalg.qr`."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrix("linalg.qr", A, square=False, complex_ok=True)
    return linalg_qr.bind(A, mode=mode)


# -- symmetric eigendecomposition ------------------------------------------------------------------

_JACOBI_SWEEPS = 30  # cyclic Jacobi converges quadratically: small matrices need 5 to 10


def _symmetric(a: Tensor, uplo: str) -> Tensor:
    """The symmetric matrix that the ``uplo`` triangle of ``a`` stands for."""
    t = tril(a) if uplo == "L" else triu(a)
    return t + _mT(tril(t, -1) if uplo == "L" else triu(t, 1))


def _fix_signs(v: Tensor) -> Tensor:
    """Eigenvectors are defined up to sign: make each column's largest-magnitude entry
    positive, so that every backend (and LAPACK) returns the same ones."""
    if v.shape[-1] == 0:
        return v
    big = argmax(_abs(v), -2, keepdim=True)
    return v * where(gather(v, -2, big) < 0, -1.0, 1.0)


def _jacobi_tangent(app: Tensor, aqq: Tensor, apq: Tensor) -> Tensor:
    """tan of the smaller Jacobi angle that zeroes ``apq`` of the 2 x 2 symmetric
    ``[[app, apq], [apq, aqq]]`` (0 when it already is zero)."""
    zero = eq(apq, 0)
    tau = (aqq - app) / (2.0 * where(zero, 1.0, apq))
    # For |tau| past 1e15 t = 1 / (2 tau) to rounding, and tau * tau overflows.
    tc = maximum(minimum(tau, 1e15), -1e15)
    t = where(tc >= 0, 1.0, -1.0) / (_abs(tc) + sqrt(1.0 + tc * tc))
    return where(zero, 0.0, where(_abs(tau) > 1e15, 0.5 / tau, t))


def _rotation(t: Tensor, idx: Tensor, p: int, q: int) -> Tensor:
    """The plane rotation J: the identity but ``J[p,p] = J[q,q] = c``, ``J[p,q] = s``,
    ``J[q,p] = -s``, with ``c = 1/sqrt(1+t^2)``, ``s = t c`` (``t`` of shape (..., 1, 1))."""
    c = 1.0 / sqrt(1.0 + t * t)
    sn = t * c
    rows = idx.unsqueeze(-1)
    diag = eq(rows, idx)
    j = where(logical_and(diag, logical_or(eq(idx, p), eq(idx, q))), c, where(diag, 1.0, 0.0))
    j = where(logical_and(eq(rows, p), eq(idx, q)), sn, j)
    return where(logical_and(eq(rows, q), eq(idx, p)), -sn, j)


def _jacobi_eigh(a: Tensor) -> tuple[Tensor, Tensor]:
    """Cyclic Jacobi rotations of a symmetric ``a``: ``(eigenvalues ascending, eigenvectors)``.

    Each rotation zeroes ``a[p, q]`` (the classical, stable choice of the smaller angle);
    a sweep over all pairs is followed by one device-to-host read of the remaining
    off-diagonal mass, stopping at rounding level.
    """
    n = a.shape[-1]
    idx = arange(n, device=a.device)
    rows = idx.unsqueeze(-1)
    v = eye(n, dtype=a.dtype, device=a.device).expand(*a.shape).clone()
    eps = D.finfo(a.dtype).eps
    scale = float(_sum(a * a).item()) if a.numel() else 0.0
    for _ in range(_JACOBI_SWEEPS if n > 1 else 0):
        off = float(_sum(where(eq(rows, idx), 0.0, a * a)).item())
        if off <= (eps * eps) * scale * 1e-2 or off == 0:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                app, aqq = a[..., p:p + 1, p:p + 1], a[..., q:q + 1, q:q + 1]
                apq = a[..., p:p + 1, q:q + 1]
                j = _rotation(_jacobi_tangent(app, aqq, apq), idx, p, q)
                a = matmul(_mT(j), matmul(a, j))
                v = matmul(v, j)
    w, order = sort(diagonal(a, 0, -2, -1), -1)
    v = gather(v, -1, order.unsqueeze(-2).expand(*v.shape))
    return w, _fix_signs(v)


def _eigh_decomp(a: Tensor, uplo: str) -> tuple[Tensor, Tensor]:
    if a.dtype.is_complex:
        raise RuntimeError(f"linalg.eigh: a complex Hermitian matrix needs a kernel of the "
                           f"{a.device.type} backend (the Jacobi rotations here are real)")
    return _jacobi_eigh(_symmetric(a, uplo))


def _eigh_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], a: Tensor,
              uplo: str) -> tuple[Tensor]:
    # A = V diag(w) V^H: gA = V (diag(gw) + skew(V^H gV) / E) V^H, E[i, j] = w[j] - w[i]
    # (the Hermitian gradient PyTorch returns; infinite for repeated eigenvalues, as there).
    # Written for complex values (^H is ^T for real ones).
    w, v = out
    n = a.shape[-1]
    inner = zeros_like(v)
    if g[1] is not None:
        vg = matmul(v.mH, g[1])
        if vg.dtype.is_complex and bool((diagonal(vg, 0, -2, -1).imag.abs() > 1e-2).any()):
            raise RuntimeError("linalg_eigh_backward: The eigenvectors in the complex case "
                               "are specified up to multiplication by e^{i phi}. The "
                               "specified loss function depends on this quantity, so it is "
                               "ill-defined.")
        diff = w.unsqueeze(-2) - w.unsqueeze(-1)
        on_diag = eq(arange(n, device=a.device).unsqueeze(-1), arange(n, device=a.device))
        inner = where(on_diag, 0.0, 0.5 * (vg - vg.mH) / where(on_diag, 1.0, diff))
    if g[0] is not None:
        inner = inner + g[0].unsqueeze(-1) * eye(n, dtype=v.dtype, device=v.device)
    return (matmul(v, matmul(inner, v.mH)),)


def eigh_reference(a: np.ndarray, UPLO: str = "L") -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
    """``np.linalg.eigh`` with `_fix_signs`' convention (a complex column's largest entry is
    made real and positive): the conformance reference of `linalg_eigh`, and the cpu
    backend's kernel."""
    w, v = np.linalg.eigh(a, UPLO=UPLO)
    if v.shape[-1] == 0:
        return w, v
    big = np.take_along_axis(v, np.argmax(np.abs(v), axis=-2)[..., None, :], -2)
    if np.iscomplexobj(v):
        return w, v * (np.conj(big) / np.abs(big))
    return w, v * np.where(big < 0, -1.0, 1.0)


def _eigh_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # Not differentiable here, as cholesky: PyTorch's gradient is the symmetric one.
    for shape, kw in [((3, 3), {}), ((2, 4, 4), {}), ((1, 1), {}), ((3, 3), {"UPLO": "U"}),
                      ((0, 0), {}), ((2, 1, 2, 2), {})]:
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt), differentiable=False),), kw,
                            name=f"shape{shape}{kw.get('UPLO', '')}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 4), dt), noncontig=True,
                               differentiable=False),), name="noncontiguous")


@defop(COMPOSITE, decomp=_eigh_decomp, vjp=_eigh_vjp, n_outputs=2, save_out=True,
       save_inputs=False, meta=lambda a, uplo: (a.dtype.to_real(), a.dtype), real_vjp=False,
       ref=eigh_reference, samples=_eigh_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL,
       function=False, method=False)
def linalg_eigh(A: Tensor, UPLO: str = "L") -> tuple[Tensor, Tensor]:  # noqa: N803
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices; see `linalg.eigh`."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_matrix("linalg.eigh", A, complex_ok=True)
    return linalg_eigh.bind(A, uplo=UPLO)


# -- SVD ------------------------------------------------------------------------------------------

def _one_sided_jacobi(a: Tensor) -> tuple[Tensor, Tensor]:
    """Hestenes' one-sided Jacobi on a tall ``a`` (m >= n): rotations ``J`` of column pairs
    until the columns of ``a J...`` are orthogonal. Returns those columns (``U S``) and the
    accumulated rotations (``V``); one device-to-host read per sweep, as `_jacobi_eigh`."""
    n = a.shape[-1]
    idx = arange(n, device=a.device)
    v = eye(n, dtype=a.dtype, device=a.device).expand(*a.shape[:-2], n, n).clone()
    eps = D.finfo(a.dtype).eps
    for _ in range(_JACOBI_SWEEPS if n > 1 else 0):
        g = matmul(_mT(a), a)
        diag = diagonal(g, 0, -2, -1)
        off = float(_sum(where(eq(idx.unsqueeze(-1), idx), 0.0, g * g)).item())
        if off <= (eps * eps) * float(_sum(diag).item()) ** 2 * 1e-2 or off == 0:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                cp, cq = a[..., :, p:p + 1], a[..., :, q:q + 1]
                alpha = _sum(cp * cp, -2, keepdim=True)
                beta = _sum(cq * cq, -2, keepdim=True)
                gamma = _sum(cp * cq, -2, keepdim=True)
                j = _rotation(_jacobi_tangent(alpha, beta, gamma), idx, p, q)
                a = matmul(a, j)
                v = matmul(v, j)
    return a, v


def _svd_decomp(a: Tensor, full_matrices: bool) -> tuple[Tensor, Tensor, Tensor]:
    if a.dtype.is_complex:
        raise RuntimeError(f"linalg.svd: a complex matrix needs a kernel of the "
                           f"{a.device.type} backend (the Jacobi rotations here are real)")
    m, n = a.shape[-2], a.shape[-1]
    tall = m >= n
    us, v = _one_sided_jacobi(a if tall else _mT(a))
    sv, order = sort(_sum(us * us, -2).sqrt(), -1, descending=True)
    us = gather(us, -1, order.unsqueeze(-2).expand(*us.shape))
    v = gather(v, -1, order.unsqueeze(-2).expand(*v.shape))
    # The tall side's (U S) / S; its columns for zero singular values, and the complement
    # full_matrices asks for, come from a complete QR of it (Householder leaves a zero
    # column alone, so its Q column is a unit vector orthogonal to the others). The other
    # side is the square k x k V.
    k = sv.shape[-1]
    zero = eq(sv, 0).unsqueeze(-2)
    w = where(zero, 0.0, us / where(zero, 1.0, sv.unsqueeze(-2)))
    q, r = _householder(w)
    w = q[..., :, :k] * where(diagonal(r, 0, -2, -1) < 0, -1.0, 1.0).unsqueeze(-2)
    if full_matrices:
        w = cat([w, q[..., :, k:]], -1)
    u, v = (w, v) if tall else (v, w)
    # Singular vectors are unique up to a sign per pair: U's columns get `_fix_signs`' one.
    flip = _sign_of_largest(u[..., :, :k])
    u = cat([u[..., :, :k] * flip, u[..., :, k:]], -1)
    v = cat([v[..., :, :k] * flip, v[..., :, k:]], -1)
    return u, sv, _mT(v)


def _sign_of_largest(v: Tensor) -> Tensor:
    """+-1 per column: the sign of its largest-magnitude entry (1 for an empty matrix)."""
    if v.shape[-1] == 0 or v.shape[-2] == 0:
        return ones_like(v[..., :1, :])
    return where(gather(v, -2, argmax(_abs(v), -2, keepdim=True)) < 0, -1.0, 1.0)


def _svd_vjp(g: tuple[Any, Any, Any], out: tuple[Tensor, Tensor, Tensor], a: Tensor,
             full_matrices: bool) -> tuple[Tensor]:
    # Townsend's formula for A = U S V^H (k = min(m, n)), with F[i, j] = 1 / (s_j^2 - s_i^2):
    # gA = U [(F o (U^H gU - gU^H U)) S + diag(gS) + S (F o (V^H gV - gV^H V))] V^H
    #      + (I - U U^H) gU S^-1 V^H + U S^-1 gV^H (I - V V^H),
    # plus, for complex U, i imag(diag(U^H gU)) / S inside the brackets. Written for complex
    # values (^H is ^T for real ones). The complement columns of full_matrices carry no
    # gradient, as in PyTorch.
    u, sv, vh = out
    k = sv.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    gu = None if g[0] is None else g[0][..., :, :k]
    gv = None if g[2] is None else g[2][..., :k, :].mH
    idx = arange(k, device=a.device)
    on_diag = eq(idx.unsqueeze(-1), idx)
    s2 = sv * sv
    f = where(on_diag, 0.0, 1.0 / where(on_diag, 1.0, s2.unsqueeze(-2) - s2.unsqueeze(-1)))
    srow = sv.unsqueeze(-2)
    inner = zeros_like(f)
    if g[1] is not None:
        inner = inner + g[1].unsqueeze(-1) * on_diag.to(a.dtype)
    extra = zeros_like(a)
    ug = None if gu is None else matmul(u.mH, gu)
    vg = None if gv is None else matmul(vh, gv)
    if u.dtype.is_complex:
        _check_svd_phase(ug, vg)
    if ug is not None:
        inner = inner + (f * (ug - ug.mH)) * srow
        if u.dtype.is_complex:
            inner = inner + diag_embed(1j * diagonal(ug, 0, -2, -1).imag / sv)
        proj = gu - matmul(u, ug)
        extra = extra + matmul(proj / srow, vh)
    if vg is not None:
        inner = inner + sv.unsqueeze(-1) * (f * (vg - vg.mH))
        proj = gv.mH - matmul(vg.mH, vh)
        extra = extra + matmul(u / srow, proj)
    return (matmul(u, matmul(inner, vh)) + extra,)


def _check_svd_phase(ug: Tensor | None, vg: Tensor | None) -> None:
    """PyTorch's check that a loss does not depend on the phases of complex singular vector
    pairs (u_i e^{i phi}, v_i e^{i phi}): then imag(diag(U^H gU)) = -imag(diag(V^H gV))."""
    du = None if ug is None else diagonal(ug, 0, -2, -1).imag
    dv = None if vg is None else -diagonal(vg, 0, -2, -1).imag
    if du is None and dv is None:
        return
    du = zeros_like(dv) if du is None else du
    dv = zeros_like(du) if dv is None else dv
    if bool(((du - dv).abs() > 1e-2 + 1e-2 * dv.abs()).any()):
        raise RuntimeError("svd_backward: The singular vectors in the complex case are "
                           "specified up to multiplication by e^{i phi}. The specified loss "
                           "function depends on this phase term, making it ill-defined.")


def svd_reference(a: np.ndarray, full_matrices: bool = True) -> tuple[np.ndarray, ...]:
    """``np.linalg.svd`` with `_svd_decomp`'s sign convention (each of U's first k columns
    has its largest entry real and positive; Vh's rows take the conjugate phase): the
    conformance reference of `linalg_svd` (square or reduced: a complement basis is not
    unique) and the cpu kernel."""
    u, sv, vh = np.linalg.svd(a, full_matrices=full_matrices)
    k = sv.shape[-1]
    if u.shape[-2] and k:
        big = np.take_along_axis(u[..., :, :k], np.abs(u[..., :, :k]).argmax(-2)[..., None, :],
                                 -2)
        with np.errstate(invalid="ignore", divide="ignore"):
            phase = np.where(big == 0, 1.0, np.conj(big) / np.abs(big))
        u = np.concatenate([u[..., :, :k] * phase, u[..., :, k:]], -1)
        vh = np.concatenate([vh[..., :k, :] * np.conj(np.swapaxes(phase, -1, -2)),
                             vh[..., k:, :]], -2)
    return u, sv, vh


def _svd_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for shape, kw in [((4, 3), {"full_matrices": False}), ((3, 5), {"full_matrices": False}),
                      ((3, 3), {}), ((2, 4, 4), {}), ((1, 1), {}),
                      ((2, 1, 2, 3), {"full_matrices": False})]:
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt)),), kw, name=f"shape{shape}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 4), dt), noncontig=True),), name="noncontiguous")


@defop(COMPOSITE, decomp=_svd_decomp, vjp=_svd_vjp, real_vjp=False, n_outputs=3,
       save_out=True, save_inputs=True, ref=svd_reference,
       meta=lambda a, full_matrices: (a.dtype, a.dtype.to_real(), a.dtype),
       samples=_svd_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False,
       method=False)
def linalg_svd(A: Tensor, full_matrices: bool = True) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    """Singular value decomposition ``(U, S, Vh)``; see `linalg.svd`."""
    check_matrix("linalg.svd", A, square=False, complex_ok=True)
    return linalg_svd.bind(A, full_matrices=bool(full_matrices))


@method
def qr(input: Tensor, some: bool = True) -> Any:  # noqa: A002
    """``(Q, R)`` of `linalg.qr`, as the older `torch.qr`: reduced (``some=True``) or
    complete."""
    return _Qr(*linalg_qr(input, "reduced" if some else "complete"))


@method
def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """``(U, S, V)`` with ``input = U diag(S) V^T``, as the older `torch.svd`: V, not `Vh` as
    `linalg.svd` returns, and reduced unless ``some=False``. With ``compute_uv=False`` only S
    is computed and U, V are zero-filled m x m and n x n matrices, as in PyTorch.
    """
    if compute_uv:
        u, sv, vh = linalg_svd(input, full_matrices=not some)
        return _Svd(u, sv, _mT(vh))
    sv = linalg_svd(input, full_matrices=False)[1]
    batch, (m, n) = tuple(input.shape[:-2]), input.shape[-2:]
    return _Svd(zeros((*batch, m, m), dtype=input.dtype, device=input.device), sv,
                zeros((*batch, n, n), dtype=input.dtype, device=input.device))


@method
def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """``(L L^H)^{-1}`` from the lower Cholesky factor L (``U^H U`` from the upper U with
    ``upper=True``), as `torch.cholesky_inverse`: `cholesky_solve` of the identity, so the
    gradient is PyTorch's (for every entry of the factor, not only its triangle).

    Raises:
        RuntimeError: for non-square or non-float inputs.
    """
    check_matrix("cholesky_inverse", input, complex_ok=True)
    return cholesky_solve(_identity_like(input), input, upper)


# -- pseudo-inverse -------------------------------------------------------------------------------

def pinv_tolerances(op: str, a: Tensor, atol: Any, rtol: Any) -> tuple[Tensor, Tensor]:
    """PyTorch's tolerances of `linalg.pinv` and `linalg.matrix_rank`, as tensors of the
    dtype of ``a``'s singular values (real) that broadcast against them (a trailing dim of
    1): ``atol`` is 0 unless given; ``rtol`` is ``eps * max(m, n)`` unless given, or 0 where
    a positive ``atol`` is given. Either may be a number or a tensor of batch shape."""
    real = a.dtype.to_real()

    def as_tensor(name: str, v: Any) -> Tensor:
        if isinstance(v, Tensor):
            return v.to(real).unsqueeze(-1)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{op}: {name} must be a float or a Tensor; got {type(v).__name__}")
        return scalar_tensor(float(v), a.device, real).unsqueeze(-1)

    default = scalar_tensor(D.finfo(real).eps * max(a.shape[-2:]), a.device,
                            real).unsqueeze(-1)
    atol_t = zeros((1,), dtype=real, device=a.device) if atol is None else as_tensor("atol",
                                                                                      atol)
    if rtol is not None:
        rtol_t = as_tensor("rtol", rtol)
    else:
        rtol_t = default if atol is None else where(gt(atol_t, 0), 0.0, default)
    return atol_t, rtol_t


def _pinv_decomp(a: Tensor, atol: Tensor, rtol: Tensor, hermitian: bool) -> Tensor:
    # Singular values (or eigenvalue magnitudes) at or below max(atol, rtol * largest) count
    # as zero: A^+ = V diag(1 / s) U^H over the others.
    if hermitian:
        sv, u = linalg_eigh.bind(a, uplo="L")
        v, mag = u, _abs(sv)
    else:
        u, sv, vh = linalg_svd.bind(a, full_matrices=False)
        v, mag = vh.mH, sv
    keep = gt(mag, maximum(atol, rtol * amax(mag, -1, keepdim=True)))
    inv = where(keep, 1.0 / where(keep, sv, 1.0), 0.0)
    return matmul(v * inv.unsqueeze(-2).to(a.dtype), u.mH)


def _pinv_vjp(g: Tensor, p: Tensor, a: Tensor, atol: Tensor, rtol: Tensor,
              hermitian: bool) -> tuple[Tensor, None, None]:
    # PyTorch's pinv_backward: Golub and Pereyra's derivative of the pseudo-inverse P (exact
    # where the rank is locally constant), whichever decomposition the forward used,
    # gA = -P^H g P^H + (I - A P) g^H P P^H + P^H P g^H (I - P A), with the products
    # ordered to keep the intermediates min(m, n) wide. Written for complex values.
    m, n = a.shape[-2], a.shape[-1]
    ph, gh = p.mH, g.mH
    if m <= n:
        k = matmul(gh, p)
        kph = matmul(k, ph)
        ga = (-matmul(p, k).mH + kph - matmul(matmul(a, p), kph)
              + matmul(matmul(ph, p), gh - matmul(k, a)))
    else:
        k = matmul(p, gh)
        phk = matmul(ph, k)
        ga = (-matmul(k, p).mH + matmul(matmul(gh - matmul(a, k), p), ph) + phk
              - matmul(matmul(phk, p), a))
    return ga, None, None


def _pinv_ref(a: np.ndarray, *, atol: Any = None, rtol: Any = None,
              hermitian: bool = False) -> np.ndarray:
    u, sv, vh = np.linalg.svd(a, full_matrices=False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(a.dtype).eps * max(a.shape[-2:])
    tol = np.maximum(0.0 if atol is None else atol, rtol * sv[..., :1])
    inv = np.where(sv > tol, 1.0 / np.where(sv > tol, sv, 1.0), 0.0)
    return np.conj(np.swapaxes(vh, -1, -2)) * inv[..., None, :] @ np.conj(np.swapaxes(u, -1,
                                                                                      -2))


def _pinv_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for shape in [(3, 3), (4, 3), (3, 5), (2, 4, 4), (2, 1, 3, 2), (1, 1)]:
        a = _square(rng, shape, dt) if shape[-1] == shape[-2] else S.make(rng, shape, dt, -1, 1)
        yield S.SampleInput((S.Arg(a),), name=f"shape{shape}")
    # Not differentiable here: where singular values are dropped (a rank-2 matrix, a large
    # atol) PyTorch's gradient is that of the truncated matrix, which central differences of
    # the input do not give; and the eigenvector path reads one triangle only (as eigh).
    low = (S.make(rng, (4, 2), D.float64, -1, 1) @ S.make(rng, (2, 4), D.float64, -1, 1))
    yield S.SampleInput((S.Arg(low.astype(dt.np), differentiable=False),), {"rtol": 1e-4},
                        name="rank2")
    sym = _spd(rng, (3, 3), dt) - 1.5 * np.eye(3, dtype=dt.np)
    yield S.SampleInput((S.Arg(sym, differentiable=False),), {"hermitian": True},
                        name="hermitian")
    yield S.SampleInput((S.Arg(_square(rng, (3, 3), dt), differentiable=False),),
                        {"atol": 0.5}, name="atol")
    yield S.SampleInput((S.Arg(_square(rng, (4, 4), dt), noncontig=True),), name="noncontiguous")


@defop(COMPOSITE, decomp=_pinv_decomp, vjp=_pinv_vjp, save_out=True, ref=_pinv_ref,
       samples=_pinv_samples, dtypes=LINALG_COMPLEX_DTYPES, tol=_TOL, function=False,
       method=False, real_vjp=False)
def linalg_pinv(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
                hermitian: bool = False) -> Tensor:
    """The pseudo-inverse; see `linalg.pinv`."""
    if not isinstance(A, Tensor) or A.ndim < 2 or A.dtype not in LINALG_COMPLEX_DTYPES:
        what = (f"{_TORCH_NAME[A.dtype.name]}{{{list(A.shape)}}}" if isinstance(A, Tensor)
                else type(A).__name__)
        raise RuntimeError(f"linalg.pinv({what}): expected a tensor with 2 or more dimensions "
                           "of float, double, cfloat or cdouble types")
    if hermitian:
        check_matrix("linalg.pinv", A, complex_ok=True)
    if A.numel() == 0:
        return zeros((*A.shape[:-2], A.shape[-1], A.shape[-2]), dtype=A.dtype, device=A.device)
    atol_t, rtol_t = pinv_tolerances("linalg.pinv", A, atol, rtol)
    return linalg_pinv.bind(A, atol_t, rtol_t, hermitian=bool(hermitian))


@method
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """The pseudo-inverse with singular values at or below ``rcond`` times the largest taken
    as zero, as `torch.pinverse` (`linalg.pinv` with ``rtol=rcond``, ``atol=0``)."""
    return linalg_pinv(input, atol=0.0, rtol=rcond)


_TriangularSolve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


@method
def triangular_solve(input: Tensor, A: Tensor, upper: bool = True,  # noqa: A002, N803
                     transpose: bool = False, unitriangular: bool = False) -> Any:
    """The deprecated ``torch.triangular_solve(b, A)``: ``(solution, cloned_coefficient)``
    with ``solution`` solving ``op(T) X = b`` for the upper (or lower) triangle T of ``A``
    (``op`` the transpose if ``transpose``), batch dims broadcast, and a copy of ``A`` at
    the broadcast batch shape. Warns as PyTorch: `linalg.solve_triangular` replaces it.

    Raises:
        RuntimeError: PyTorch's checks (ranks, square ``A``, sizes, one dtype).
    """
    warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular and "
        "will be removed in a future PyTorch release. torch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs. "
        "X = torch.triangular_solve(B, A).solution should be replaced with "
        "X = torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    for name, t in (("b", input), ("A", A)):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {t.ndim} dimensions instead")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if input.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{A.shape[-2]} by {A.shape[-1]} but each b matrix is "
                           f"{input.shape[-2]} by {input.shape[-1]}")
    if input.dtype is not A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_TORCH_NAME[input.dtype.name]} and A of type "
                           f"{_TORCH_NAME[A.dtype.name]} "
                           "instead.")
    A, b = _broadcast_batch(A, input)
    T = _mT(A) if transpose else A
    x = linalg_solve_triangular(T, b, upper=bool(upper) != bool(transpose),
                                unitriangular=unitriangular)
    return _TriangularSolve(x, A.clone())


# -- matrix exponential ---------------------------------------------------------------------------

# The largest 1-norm for which the degree-18 Taylor polynomial of exp has a backward error
# below the unit roundoff (Bader, Blanes and Casas 2019; PyTorch's thresholds). Larger
# matrices are scaled down by powers of 2 first and the result squared back.
_EXP_THETA = {D.float32: 3.010066362817634, D.float64: 1.090863719290036}
_EXP_DEGREE = 18
_EXP_BLOCK = 4  # Paterson-Stockmeyer: X^2..X^4 once, then Horner in X^4 (7 products in all)


def _taylor_exp(x: Tensor) -> Tensor:
    """``sum_{k <= 18} X^k / k!`` by Paterson-Stockmeyer."""
    powers = [_identity_like(x), x]
    while len(powers) <= _EXP_BLOCK:
        powers.append(matmul(powers[-1], x))
    coef = [1.0 / float(np.prod(np.arange(1, k + 1))) for k in range(_EXP_DEGREE + 1)]
    y = powers.pop()
    out = None
    for start in reversed(range(0, _EXP_DEGREE + 1, _EXP_BLOCK)):
        block = sum((coef[start + i] * powers[i] for i in range(_EXP_BLOCK)
                     if start + i <= _EXP_DEGREE), zeros_like(x))
        out = block if out is None else matmul(out, y) + block
    return out


@method
def matrix_exp(input: Tensor) -> Tensor:  # noqa: A002
    """The exponential of each square matrix, as `torch.linalg.matrix_exp`: the degree-18
    Taylor polynomial of ``A / 2^s``, squared ``s`` times, with each matrix's own ``s`` the
    smallest that brings its 1-norm under the dtype's threshold. Differentiable through
    those ops (the derivative of the approximation, accurate to rounding). Float16 is
    computed in float32. Reads the largest ``s`` of the batch from the device (one
    transfer).

    Raises:
        RuntimeError: for non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.matrix_exp(tw.tensor([[0.0, 1.0], [0.0, 0.0]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    if isinstance(input, Tensor) and input.dtype is D.float16:
        return matrix_exp(input.float()).half()
    check_matrix("linalg.matrix_exp", input, complex_ok=True)
    if input.numel() == 0:
        return _identity_like(input)
    norm = amax(_sum(_abs(input.detach()), -2), -1)
    steps = maximum(ceil(log2(norm / _EXP_THETA[input.dtype.to_real()])), 0.0)
    steps = where(isfinite(steps), steps, 0.0)  # inf and nan propagate without scaling
    out = _taylor_exp(input * exp2(-steps).unsqueeze(-1).unsqueeze(-1))
    square = steps.unsqueeze(-1).unsqueeze(-1)
    for k in range(int(amax(steps).item())):
        out = where(gt(square, k), matmul(out, out), out)
    return out


@method
def matrix_power(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """``input`` multiplied by itself ``n`` times (by repeated squaring); ``n = 0`` gives the
    identity and a negative ``n`` the power of the inverse, as `torch.linalg.matrix_power`.

    Raises:
        RuntimeError: for non-square inputs, a non-integer ``n``, or (``n < 0``) a singular
            matrix.
    """
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {input.shape[-2]} by {input.shape[-1]} matrices")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg.matrix_power: n must be an int; got {type(n).__name__}")
    if n == 0:
        return eye(input.shape[-1], dtype=input.dtype, device=input.device).expand(
            *input.shape).clone()
    base = inverse(input) if n < 0 else input
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result
