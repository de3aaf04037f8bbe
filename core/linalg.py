"""``tensorweave.linalg``: PyTorch's ``torch.linalg`` namespace.

Norms and products are helpers over existing ops (`norm`, `matmul`, `cross`...); the
factorizations and solvers are the composite ops of `tensorweave.ops.decompositions`;
`lstsq`, `tensorinv`, `tensorsolve`, `householder_product`, the LDL^T functions and the
``_ex`` variants are functions over those, so they differentiate and run on every backend.
Not implemented: ``eig``, ``eigvals`` (their results are complex, and tensorweave has no
complex dtype).
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

from . import dtypes as D
from .householder import householder_product
from .ops import decompositions as _dec
from .ops import eig as _eig
from .ops.creation import arange as _arange
from .ops.creation import eye, zeros
from .ops.creation import tril as _tril
from .ops.decompositions import LinAlgError, lu_factor, lu_factor_ex, matrix_exp, matrix_power
from .ops.elementwise import (
    eq,
    gt,
    isnan,
    logical_and,
    logical_not,
    logical_or,
    lt,
    maximum,
    nan_to_num,
    ne,
    where,
)
from .ops.elementwise import fmod as _fmod
from .ops.indexing import gather as _gather
from .ops.inplace import _TORCH_NAME
from .ops.linalg import cross as _cross
from .ops.linalg import matmul
from .ops.movement import cat as _cat
from .ops.movement import diagonal as _diagonal
from .ops.movement import stack as _stack
from .ops.reduction import amax, amin, argmax, argsort
from .ops.reduction import cumprod as _cumprod
from .ops.reduction import norm as _norm
from .ops.reduction import sum as _sum
from .tensor import Tensor

__all__ = ["vector_norm", "matrix_norm", "norm", "vecdot", "multi_dot", "matmul", "diagonal",
           "cross", "matrix_power", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "solve", "inv",
           "det",
           "slogdet", "cholesky", "solve_triangular", "qr", "eig", "eigvals", "eigh", "eigvalsh",
           "svd", "svdvals",
           "pinv", "matrix_rank", "matrix_exp", "cond", "cholesky_ex", "inv_ex", "solve_ex",
           "lstsq", "tensorinv", "tensorsolve", "householder_product", "vander", "ldl_factor",
           "ldl_factor_ex", "ldl_solve", "LinAlgError"]

_Lu = namedtuple("linalg_lu", ["P", "L", "U"])
_Eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
_Eig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
_Svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
_Qr = namedtuple("linalg_qr", ["Q", "R"])


def _norm_input(op: str, x: Any, dtype: Any) -> Tensor:
    """A norm's input: floating or complex (after ``dtype``)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor; got {type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if not x.dtype.is_differentiable:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype.name}; pass dtype= or convert with .float() first.")
    return x


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (every element when None), as
    `torch.linalg.vector_norm`: ``inf``/``-inf`` are the largest/smallest magnitude, 0 the
    number of nonzeros, any other real ``ord`` is ``sum(|x|**ord)**(1/ord)``.

    Raises:
        RuntimeError: for integer inputs (without ``dtype``), a non-numeric ``ord``, or an
            infinity norm of an empty tensor.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.vector_norm(tw.tensor([3.0, -4.0]), ord=1)
        tensor(7.)
    """
    x = _norm_input("linalg.vector_norm", x, dtype)
    if x.dtype.is_complex:  # a complex vector's norms are those of its magnitudes
        x = x.abs()
    if isinstance(ord, str) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number; got {ord!r}. Use "
                           "linalg.matrix_norm for 'fro' and 'nuc'.")
    if math.isinf(ord) and x.numel() == 0 and (dim is None or dim == () or dim == []):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                           "tensor because the operation does not have an identity")
    return _norm(x, float(ord), dim, keepdim)


def _matrix_dims(op: str, a: Tensor, dim: Any) -> tuple[int, int]:
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (d % a.ndim if -a.ndim <= d < a.ndim else None for d in dim)
    if d0 is None or d1 is None:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[{-a.ndim}, {a.ndim - 1}], but got {tuple(dim)})")
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002, N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The matrix norm of the matrices in ``dim``, as `torch.linalg.matrix_norm`:
    ``'fro'`` (Frobenius), ``'nuc'`` (sum of the singular values), ``2``/``-2`` (largest/
    smallest singular value), ``inf``/``-inf`` (largest/smallest row sum of magnitudes) and
    ``1``/``-1`` (largest/smallest column sum).

    Raises:
        RuntimeError: for fewer than 2 dims, integer inputs or an unknown ``ord``.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.matrix_norm(tw.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1)
        tensor(6.)
    """
    op = "linalg.matrix_norm"
    A = _norm_input(op, A, dtype)
    d0, d1 = _matrix_dims(op, A, dim)
    if A.dtype.is_complex and ord not in (2, -2, "nuc"):
        A = A.abs()  # the norms other than the singular values' are those of the magnitudes
    if ord == "fro":
        return _norm(A, 2.0, (d0, d1), keepdim)
    if ord in (2, -2, "nuc"):
        # Singular values of the matrices moved to the last two dims.
        rest = [d for d in range(A.ndim) if d not in (d0, d1)]
        sv = svdvals(A.permute(*rest, d0, d1))
        out = _sum(sv, -1) if ord == "nuc" else (amax if ord == 2 else amin)(sv, -1)
        return out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else out
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    # inf: the largest row sum (sum over columns d1, then across rows d0); 1: the columns.
    inner, outer = (d1, d0) if math.isinf(ord) else (d0, d1)
    sums = _sum(A.abs(), inner, keepdim=True)
    out = (amax if ord > 0 else amin)(sums, outer, keepdim=True)
    return out if keepdim else out.squeeze((d0, d1))


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002, N803
         dtype: Any = None) -> Tensor:
    """A vector or a matrix norm, as `torch.linalg.norm`: with ``dim`` an int, or ``ord`` and
    ``dim`` both None, a vector norm (of the flattened input); with a 2-tuple ``dim``, or
    ``ord`` given for a 2-D input, a matrix norm.

    Raises:
        RuntimeError: for ``ord`` without ``dim`` on an input that is not 1-D or 2-D, and as
            `vector_norm` and `matrix_norm`.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.norm(tw.tensor([[3.0, 0.0], [0.0, 4.0]]))
        tensor(5.)
    """
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or (dim is None and ord is not None and
                                             getattr(A, "ndim", 0) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim,
                           keepdim, dtype=dtype)
    if dim is None and ord is not None and getattr(A, "ndim", 1) != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Dot products of the vectors along ``dim`` (shapes broadcast), ``x`` conjugated, as
    `torch.linalg.vecdot`.

    Raises:
        RuntimeError: if the sizes along ``dim`` differ.
    """
    if x.shape[dim] != y.shape[dim]:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same size along dim "
                           f"{dim}; got shapes {list(x.shape)} and {list(y.shape)}")
    return _sum(x.conj() * y, dim)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of a chain of matrices, as `torch.linalg.multi_dot`; the first may be a
    1-D row vector and the last a 1-D column vector. Multiplied left to right: PyTorch
    picks the cheapest order, which changes the rounding but not the result.

    Raises:
        RuntimeError: for fewer than 2 tensors or a middle tensor that is not 2-D.
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        end = i in (0, len(ts) - 1)
        if t.ndim != 2 and not (end and t.ndim == 1):
            which = "first" if i == 0 else "last" if i == len(ts) - 1 else None
            raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                               f"{t.ndim}D" if which else
                               f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    out = ts[0]
    for t in ts[1:]:
        out = matmul(out, t)
    return out


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """A view of the ``offset``-th diagonals of the matrices in (``dim1``, ``dim2``), as
    `torch.linalg.diagonal` (`tensorweave.diagonal` with matrix-first defaults)."""
    return _diagonal(A, offset, dim1, dim2)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (-1 by default; shapes broadcast), as
    `torch.linalg.cross`.

    Raises:
        RuntimeError: if the dim does not have size 3.
    """
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions; got "
                           f"shapes {list(input.shape)} and {list(other.shape)}. Unsqueeze the "
                           "smaller one.")
    return _cross(input, other, dim)


def lu(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803 - torch's name
    """``(P, L, U)`` with ``A = P L U``: the permutation matrix, the unit lower and the upper
    factor, as `torch.linalg.lu` (singular matrices are factored too). Square matrices only.

    Raises:
        RuntimeError: for non-square or non-float inputs, or ``pivot=False``.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.lu(tw.tensor([[0.0, 1.0], [1.0, 0.0]])).P
        tensor([[0., 1.],
                [1., 0.]])
    """
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented; pass pivot=True")
    return _Lu(*_dec.lu_unpack(*_dec.linalg_lu_factor(A)))


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             adjoint: bool = False) -> Tensor:
    """The solution X of ``A X = B`` from A's `lu_factor` (``X A = B`` with ``left=False``;
    ``A^T`` in place of A with ``adjoint=True``), as `torch.linalg.lu_solve`.

    Raises:
        RuntimeError: for shapes that do not fit the equation.
    """
    return _dec.linalg_lu_solve(LU, pivots, B, left=left, adjoint=adjoint)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """The solution X of ``A X = B`` (``X A = B`` with ``left=False``), by LU with partial
    pivoting, as `torch.linalg.solve`. ``B`` is a batch of vectors when it is 1-D or has
    ``A``'s shape without the last dim; batch dims broadcast.

    Raises:
        LinAlgError: for a singular ``A`` (PyTorch's message).
        RuntimeError: for shapes that do not fit the equation or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.solve(tw.tensor([[2.0, 0.0], [0.0, 4.0]]), tw.tensor([2.0, 2.0]))
        tensor([1.0000, 0.5000])
    """
    return _dec.linalg_solve(A, B, left=left)


def inv(A: Tensor) -> Tensor:  # noqa: N803
    """The inverse of each square matrix, as `torch.linalg.inv` (see `tensorweave.inverse`).

    Raises:
        LinAlgError: for a singular matrix (PyTorch's message, naming the zero pivot).
    """
    return _dec.inverse(A)


def det(A: Tensor) -> Tensor:  # noqa: N803
    """The determinant of each square matrix, as `torch.linalg.det` (see `tensorweave.det`)."""
    return _dec.det(A)


def slogdet(A: Tensor) -> Any:  # noqa: N803
    """``(sign, logabsdet)`` of each determinant, as `torch.linalg.slogdet`."""
    return _dec.slogdet(A)


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """The Cholesky factor of each symmetric positive-definite matrix (lower; upper with
    ``upper=True``), as `torch.linalg.cholesky`; only the lower triangle of ``A`` is read.

    Raises:
        LinAlgError: for a matrix that is not positive-definite (PyTorch's message).
    """
    return _dec.cholesky(A, upper)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False) -> Tensor:
    """The solution X of ``T X = B`` (``X T = B`` with ``left=False``) for the upper or lower
    triangle T of ``A`` (its other triangle is not read; ``unitriangular`` takes T's
    diagonal as ones), by substitution, as `torch.linalg.solve_triangular`. A zero on T's
    diagonal gives inf/nan, as in PyTorch.

    Raises:
        RuntimeError: for ``B`` with fewer than 2 dims, shapes that do not fit, or non-float
            inputs.
    """
    return _dec.linalg_solve_triangular(A, B, upper=upper, left=left,
                                        unitriangular=unitriangular)


def qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """``(Q, R)`` with ``A = Q R``, Q orthonormal columns and R upper triangular, by
    Householder reflections, as `torch.linalg.qr` (R's diagonal has LAPACK's signs).

    Args:
        A: (..., m, n) float matrices.
        mode: ``'reduced'`` (Q m x k, R k x n, k = min(m, n)), ``'complete'`` (Q m x m, R
            m x n) or ``'r'`` (R only; Q is empty).

    Raises:
        RuntimeError: for an unknown mode or non-float inputs; backward through ``mode='r'``
            or through ``'complete'`` with m > n, as in PyTorch.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.qr(tw.tensor([[3.0], [4.0]])).R
        tensor([[-5.]])
    """
    return _Qr(*_dec.linalg_qr(A, mode))


def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices,
    by cyclic Jacobi rotations, as `torch.linalg.eigh`. Only the ``UPLO`` triangle (``'L'``
    or ``'U'``) of ``A`` is read.

    Eigenvectors are unique only up to sign; tensorweave fixes it (each column's
    largest-magnitude entry is positive) so that every backend returns the same ones, where
    PyTorch returns LAPACK's. The gradient is infinite for repeated eigenvalues, as in
    PyTorch.

    Raises:
        RuntimeError: for a bad ``UPLO``, non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.eigh(tw.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
        tensor([1., 3.])
    """
    return _Eigh(*_dec.linalg_eigh(A, UPLO))


def eig(A: Tensor) -> Any:  # noqa: N803
    """Eigenvalues and eigenvectors (columns) of general square matrices, complex, as
    `torch.linalg.eig`: LAPACK's geev (on the backends that hold complex tensors), each
    eigenvector of unit norm with its largest component real. Differentiable (PyTorch's
    gradient), for losses that do not depend on the eigenvectors' phases.

    Raises:
        RuntimeError: for non-square or non-float inputs, infs or NaNs, a device without
            complex dtypes, a loss that depends on an eigenvector's phase (at backward).

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.eig(tw.tensor([[0.0, -1.0], [1.0, 0.0]])).eigenvalues
        tensor([0.+1.j, 0.-1.j])
    """
    return _Eig(*_eig.linalg_eig(A))


def eigvals(A: Tensor) -> Tensor:  # noqa: N803
    """The eigenvalues of general square matrices (complex), as `torch.linalg.eigvals`."""
    return _eig.linalg_eig(A)[0]


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues (ascending) of symmetric matrices, as `torch.linalg.eigvalsh`."""
    return _dec.linalg_eigh(A, UPLO)[0]


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:  # noqa: N803
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending, by one-sided
    (Hestenes) Jacobi rotations, as `torch.linalg.svd`. ``full_matrices`` completes U or Vh
    to square orthogonal matrices (their extra rows/columns get no gradient, as in PyTorch);
    ``driver`` (a cuSOLVER choice in PyTorch) is accepted and ignored.

    Singular vectors are unique up to a sign per pair; tensorweave fixes it (each column of U
    has its largest-magnitude entry positive) so that every backend agrees. The gradient is
    infinite for repeated singular values, as in PyTorch.

    Raises:
        RuntimeError: for non-float inputs or fewer than 2 dims.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.svd(tw.tensor([[3.0, 0.0], [0.0, -4.0]])).S
        tensor([4., 3.])
    """
    return _Svd(*_dec.linalg_svd(A, full_matrices))


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:  # noqa: N803
    """The singular values (descending), as `torch.linalg.svdvals`."""
    return _dec.linalg_svd(A, False)[1]


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
         hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, as `torch.linalg.pinv`: from `svd`
    (from `eigh` with ``hermitian=True``, reading the lower triangle only), with the
    singular values at or below ``max(atol, rtol * largest)`` taken as zero.

    ``atol`` is 0 unless given; ``rtol`` is ``eps * max(m, n)`` unless given, and 0 when a
    positive ``atol`` is; either may be a float or a tensor of batch shape. The gradient is
    PyTorch's (exact where the rank does not change), whichever decomposition ran.

    Raises:
        RuntimeError: for non-float inputs, fewer than 2 dims, or non-square inputs with
            ``hermitian=True``.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.pinv(tw.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    return _dec.linalg_pinv(A, atol=atol, rtol=rtol, hermitian=hermitian)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
                hermitian: bool = False) -> Tensor:
    """The number of singular values (eigenvalue magnitudes with ``hermitian=True``) above
    ``max(atol, rtol * largest)``, as `torch.linalg.matrix_rank` (int64; 0 for empty
    matrices); the tolerances as `pinv`'s.

    Raises:
        RuntimeError: for non-float inputs, fewer than 2 dims, or non-square inputs with
            ``hermitian=True``.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.matrix_rank(tw.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
    """
    op = "torch.linalg.matrix_rank"
    if isinstance(A, Tensor) and A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor input must have at least 2 dimensions.")
    _dec.check_matrix("linalg.eigh" if hermitian else "linalg.svd", A, square=hermitian,
                      complex_ok=True)
    if A.numel() == 0:
        return zeros(tuple(A.shape[:-2]), dtype=D.int64, device=A.device)
    atol_t, rtol_t = _dec.pinv_tolerances(op, A, atol, rtol)
    sv = eigvalsh(A).abs() if hermitian else svdvals(A)
    return _sum(gt(sv, maximum(atol_t, rtol_t * amax(sv, -1, keepdim=True))), -1)


def _cond_ord_name(p: Any) -> str:
    """``p`` as PyTorch's messages print it (``std::to_string`` of a double or an int)."""
    return f"{p:f}" if isinstance(p, float) else str(p)


def cond(A: Tensor, p: Any = None) -> Tensor:  # noqa: N803
    """The condition number of each matrix in the norm ``p``, as `torch.linalg.cond`:
    ``None``/``2`` (largest over smallest singular value, any shape), ``-2`` (its
    reciprocal), and for square matrices ``'nuc'`` (``sum(s) * sum(1 / s)`` of the singular
    values) and ``'fro'``, ``inf``, ``-inf``, ``1``, ``-1`` (``matrix_norm(A, p) *
    matrix_norm(inv(A), p)``, inf for a singular matrix). Empty matrices give 0.

    Raises:
        RuntimeError: for another ``p``, fewer than 2 dims, a non-square matrix with a norm
            that needs the inverse, or a non-float input.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.cond(tw.tensor([[2.0, 0.0], [0.0, 0.5]]))
        tensor(4.)
    """
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    named = isinstance(p, str)
    if named and p not in ("fro", "nuc") or not named and p is not None and (
            isinstance(p, bool) or not isinstance(p, (int, float)) or
            abs(p) not in (1, 2, math.inf)):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    square = A.shape[-1] == A.shape[-2]
    if named and not square:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if A.numel() == 0:
        return zeros(tuple(A.shape[:-2]), dtype=A.dtype, device=A.device)
    if p is None or not named and abs(p) == 2:
        sv = svdvals(A)
        big, small = sv[..., 0], sv[..., -1]
        return small / big if p == -2 else big / small
    if not square:
        raise RuntimeError(f"linalg.cond(ord={_cond_ord_name(p)}): A must be batches of square "
                           f"matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if p == "nuc":  # from the singular values, as PyTorch: sum(s) * sum(1 / s)
        sv = svdvals(A)
        return _sum(sv, -1) * _sum(1.0 / sv, -1)
    # A singular matrix (an exact zero pivot, as inv finds it) has condition number inf: its
    # inverse is taken of the identity instead, and the product replaced.
    singular = gt(lu_factor_ex(A).info, 0)
    flag = singular.unsqueeze(-1).unsqueeze(-1)
    inverse = inv(where(flag, eye(A.shape[-1], dtype=A.dtype, device=A.device), A))
    out = matrix_norm(A, p) * matrix_norm(inverse, p)
    return where(singular, math.inf, nan_to_num(out, math.inf, math.inf, -math.inf))


# -- the _ex variants: LAPACK's info instead of an error -------------------------------------------

_CholeskyEx = namedtuple("linalg_cholesky_ex", ["L", "info"])
_InvEx = namedtuple("linalg_inv_ex", ["inverse", "info"])
_SolveEx = namedtuple("linalg_solve_ex", ["result", "info"])


def _no_info(A: Tensor) -> Tensor:  # noqa: N803
    return zeros(tuple(A.shape[:-2]), dtype=D.int32, device=A.device)


def _first_failure(info: Tensor) -> tuple[int, int]:
    """(flat batch index, 0-based column) of the first matrix with a nonzero ``info``."""
    b = _dec._first_true(gt(info, 0).reshape(-1, 1))[0]
    return b, int(info.reshape(-1)[b].item()) - 1


def _retry_masked(fn: Any, A: Tensor, info: Tensor, out_ndim: int) -> Tensor:  # noqa: N803
    """``fn`` of A with each failing matrix (``info > 0``) replaced by the identity, and its
    result there replaced by nan: the matrices that factor keep their values and gradients,
    and a failed one cannot pass for a result."""
    bad = gt(info, 0)
    mask = bad.unsqueeze(-1).unsqueeze(-1)
    out = fn(where(mask, _dec._identity_like(A), A))
    for _ in range(out_ndim):
        bad = bad.unsqueeze(-1)
    return where(bad, math.nan, out)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``(L, info)``: `cholesky` with LAPACK potrf's ``info`` (the order of the first leading
    minor that is not positive-definite, 0 where the matrix is) instead of an error, as
    `torch.linalg.cholesky_ex`.

    Where ``info > 0`` the factor is nan: PyTorch returns LAPACK's partial factorization
    there, which its documentation leaves unspecified; the other matrices of the batch get
    their factor and gradient. Detecting a failure costs one device-to-host read.

    Raises:
        LinAlgError: with ``check_errors=True``, for a matrix that is not positive-definite
            (PyTorch's message).
        RuntimeError: for non-square or non-float inputs (as `cholesky`).

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.cholesky_ex(tw.tensor([[1.0, 2.0], [2.0, 1.0]])).info
        tensor(2, dtype=tensorweave.int32)
    """
    try:
        return _CholeskyEx(cholesky(A, upper=upper), _no_info(A))
    except LinAlgError:
        pass
    info = _dec.lapack_info(logical_not(gt(_diagonal(_dec._cholesky_lower(A.detach()), 0, -2,
                                                               -1), 0)))
    if check_errors:
        raise _dec.not_pd_error(A.ndim, *_first_failure(info), op="linalg.cholesky_ex")
    return _CholeskyEx(_retry_masked(lambda a: cholesky(a, upper=upper), A, info, 2), info)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:  # noqa: N803
    """``(inverse, info)``: `inv` with LAPACK getrf's ``info`` (1 + the index of the first
    zero pivot, 0 for an invertible matrix) instead of an error, as `torch.linalg.inv_ex`.
    A singular matrix's inverse is nan (PyTorch's is LAPACK's inf/nan garbage).

    Raises:
        LinAlgError: with ``check_errors=True``, for a singular matrix (PyTorch's message).
        RuntimeError: for non-square or non-float inputs (as `inv`).

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.inv_ex(tw.tensor([[1.0, 2.0], [2.0, 4.0]])).info
        tensor(2, dtype=tensorweave.int32)
    """
    try:
        return _InvEx(inv(A), _no_info(A))
    except LinAlgError:
        pass
    info = lu_factor_ex(A.detach()).info
    if check_errors:
        raise _dec.singular_error("linalg.inv_ex", A.ndim, *_first_failure(info))
    return _InvEx(_retry_masked(inv, A, info, 2), info)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             check_errors: bool = False) -> Any:
    """``(result, info)``: `solve` with LAPACK getrf's ``info`` of each ``A`` (``A``'s batch
    shape, as PyTorch's) instead of an error, as `torch.linalg.solve_ex`. The solutions of a
    singular ``A`` are nan (PyTorch's are LAPACK's inf/nan garbage).

    Raises:
        LinAlgError: with ``check_errors=True``, for a singular ``A`` (PyTorch's message).
        RuntimeError: as `solve`, for shapes or dtypes that do not fit.
    """
    try:
        return _SolveEx(solve(A, B, left=left), _no_info(A))
    except LinAlgError:
        pass
    info = lu_factor_ex(A.detach()).info
    if check_errors:
        raise _dec.singular_error("torch.linalg.solve_ex", A.ndim, *_first_failure(info))
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    return _SolveEx(_retry_masked(lambda a: solve(a, B, left=left), A, info, 1 if vec else 2),
                    info)


# -- least squares, tensor equations, Householder products, Vandermonde ---------------------------

_Lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _check_lstsq(A: Any, B: Any, driver: Any) -> str:  # noqa: N803
    op = "torch.linalg.lstsq"
    if not isinstance(A, Tensor) or not isinstance(B, Tensor):
        raise TypeError(f"{op}: expected Tensors for input and other; got "
                        f"{type(A).__name__} and {type(B).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError(f"{op}: other must have at least 1 dimension.")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_TORCH_NAME[A.dtype.name]} and other's dtype "
                           f"{_TORCH_NAME[B.dtype.name]}")
    if A.dtype not in _dec.LINALG_COMPLEX_DTYPES:
        # (PyTorch's words, though it takes complex matrices too)
        raise RuntimeError(f"{op}: This function doesn't handle types other than float and "
                           f"double; got {_TORCH_NAME[A.dtype.name]}. Convert with .double().")
    if not (0 <= A.ndim - B.ndim <= 1):
        raise RuntimeError(f"{op}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vec = B.ndim == A.ndim - 1
    if A.shape[-2] != B.shape[-1 if vec else -2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size("
                           f"{-1 if vec else -2})")
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of "
                           f"({', '.join(_LSTSQ_DRIVERS)})")
    return driver


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *,  # noqa: N803
          driver: str | None = None) -> Any:
    """The least-squares solution X of ``A X = B`` (the minimum-norm one where ``A`` is wide
    or rank-deficient), as `torch.linalg.lstsq` on the CPU: ``(solution, residuals, rank,
    singular_values)``, of complex matrices too (residuals and singular values real).
    ``B`` is (..., m, k), or (..., m) when it has one dim fewer than ``A``; batch dims
    broadcast.

    The solution is ``pinv(A) @ B`` with the singular values at or below ``rcond`` times the
    largest taken as zero (``rcond`` defaults to ``eps * max(m, n)``; ``gels`` ignores it and
    drops only exact zeros), so it is differentiable, with PyTorch's gradient. What else is
    returned follows the LAPACK ``driver`` (``'gelsy'`` by default, as PyTorch's CPU):

    - ``residuals``, ``||A X - B||^2`` per column (differentiable): only for tall inputs
      (m > n), and not with ``'gelsy'``; with ``'gelsd'``/``'gelss'`` only if every matrix
      has full rank n. Otherwise an empty tensor.
    - ``rank`` (int64, ``A``'s batch shape): the number of singular values above ``rcond``
      times the largest, for all drivers but ``'gels'`` (empty). PyTorch's ``'gelsy'``
      estimates it from a pivoted QR instead, which agrees except for singular values
      within rounding of the threshold.
    - ``singular_values`` (``A``'s batch shape, min(m, n)): with ``'gelsd'``/``'gelss'``
      only (empty otherwise), not differentiable, as in PyTorch.

    Raises:
        RuntimeError: for fewer than 2 dims in ``A``, shapes that do not fit, different or
            non-float dtypes, or an unknown ``driver`` (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> A = tw.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        >>> tw.linalg.lstsq(A, tw.tensor([1.0, 2.0, 3.0]), driver="gelsd").residuals
        tensor([9.])
    """
    driver = _check_lstsq(A, B, driver)
    vec = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vec else B
    m, n = A.shape[-2], A.shape[-1]
    if rcond is None:
        rcond = D.finfo(A.dtype).eps * max(m, n)
    x = matmul(_dec.linalg_pinv(A, atol=0.0, rtol=0.0 if driver == "gels" else rcond), b)
    empty = A.new_zeros((0,), dtype=A.dtype.to_real())
    batch = tuple(A.shape[:-2])
    rank = sv = None
    if driver != "gels":
        sv = svdvals(A.detach())
        if A.numel() == 0:
            rank = zeros(batch, dtype=D.int64, device=A.device)
        else:
            rank = _sum(gt(sv, rcond * amax(sv, -1, keepdim=True)), -1)
    # PyTorch's empty residuals are an output of the differentiable op too (zero gradient).
    residuals = x.reshape(-1)[:0]
    if residuals.dtype.is_complex:
        residuals = residuals.abs()  # real, as PyTorch's
    if m > n and driver != "gelsy" and (rank is None or bool(eq(rank, n).all().item())):
        r = matmul(A, x) - b
        residuals = _sum(r.abs() ** 2 if r.dtype.is_complex else r ** 2, -2)
    return _Lstsq(x.squeeze(-1) if vec else x, residuals,
                  A.new_zeros((0,), dtype=D.int64) if rank is None else rank,
                  sv if driver in ("gelsd", "gelss") else empty)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:  # noqa: N803
    """The inverse of ``A`` as a tensor operator: the X with ``tensordot(X, A, ind)`` the
    identity, shaped ``A.shape[ind:] + A.shape[:ind]``, as `torch.linalg.tensorinv` (`inv`
    of ``A`` reshaped to a square matrix, so differentiable).

    Raises:
        RuntimeError: for ``ind <= 0`` or a shape whose two parts hold different numbers of
            elements (PyTorch's messages); `LinAlgError` when the matrix is singular.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.tensorinv(2.0 * tw.eye(4).reshape(4, 2, 2), ind=1).shape
        tensorweave.Size([2, 2, 4])
    """
    if isinstance(ind, bool) or not isinstance(ind, int) or ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {math.prod(cols)} != "
                           f"{math.prod(rows)}")
    return inv(A.reshape(math.prod(rows), -1)).reshape(*cols, *rows)


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None) -> Tensor:  # noqa: N803
    """The X with ``tensordot(A, X, X.ndim) = B``, shaped ``A.shape[B.ndim:]``, as
    `torch.linalg.tensorsolve`: `solve` of ``A`` reshaped to a square matrix (after moving
    ``dims`` of ``A`` to the end), so differentiable.

    Raises:
        RuntimeError: for shapes whose parts do not hold equal numbers of elements (PyTorch's
            message), and as `solve`.
    """
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    rows, cols = tuple(A.shape[:B.ndim]), tuple(A.shape[B.ndim:])
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError("Expected self to satisfy the requirement "
                           "prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but got"
                           f" {math.prod(cols)} != "
                           f"{math.prod(rows)}")
    return solve(A.reshape(math.prod(rows), -1), B.reshape(-1)).reshape(cols)


def vander(x: Tensor, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrices of the vectors in the last dim of ``x``: column j holds
    ``x**j`` for j < N (N = ``x.shape[-1]`` by default), increasing powers, as
    `torch.linalg.vander` (`tensorweave.vander` follows NumPy: decreasing powers, 1-D only).
    The powers are running products, as PyTorch's; integers are computed in int64.

    Raises:
        RuntimeError: for bool or float16 inputs, or N < 2 (PyTorch's messages).

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.vander(tw.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [1, 2, 4],
                [1, 3, 9]])
    """
    if x.dtype in (D.bool, D.float16):
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {_TORCH_NAME[x.dtype.name]}")
    x = x.unsqueeze(-1) if x.ndim == 0 else x
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = _cumprod(x.unsqueeze(-1).expand(*x.shape, n - 1), -1)
    return _cat([powers.new_ones((*x.shape, 1)), powers], -1)


# -- symmetric indefinite LDL^T (Bunch-Kaufman, as LAPACK sytrf) ---------------------------------

_LdlFactor = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
_LdlFactorEx = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
_BK_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0  # Bunch-Kaufman's bound on element growth


def _bunch_kaufman(a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """LAPACK sytf2's lower Bunch-Kaufman factorization of the symmetric ``a`` (full, both
    triangles), batched: ``(LD, pivots, info)`` in sytrf's packed format.

    Column k takes a 1 x 1 pivot (maybe after swapping k with the row of its largest
    subdiagonal entry) or a 2 x 2 pivot with that row, by sytf2's tests; each matrix of the
    batch decides for itself, so a 2 x 2 step marks its second column as done. The trailing
    block is kept symmetric (its lower triangle mirrored), and the columns of L already
    computed are not permuted (LAPACK's product form ``P1 L1 P2 L2 ...``).
    """
    n = a.shape[-1]
    dev = a.device
    idx = _arange(n, device=dev)
    rows = idx.unsqueeze(-1)
    batch = tuple(a.shape[:-2])
    done = zeros(batch, dtype=D.bool, device=dev)  # column k was the 2nd of a 2 x 2 pivot
    pair = zeros(batch, dtype=D.int32, device=dev)
    pivs, zero_cols = [], []
    for k in range(n):
        absakk = a[..., k, k].abs()
        below = where(gt(idx, k), a[..., :, k].abs(), -1.0)
        imax = argmax(below, -1, keepdim=True)
        colmax = maximum(amax(below, -1), 0.0)
        row = _gather(a, -2, imax.unsqueeze(-1).expand(*batch, 1, n)).squeeze(-2).abs()
        rowmax = amax(where(logical_and(idx >= k, ne(idx, imax)), row, 0.0), -1)
        aii = _gather(row, -1, imax).squeeze(-1)
        zero = logical_or(eq(maximum(absakk, colmax), 0), isnan(absakk))
        ratio = colmax / where(eq(rowmax, 0), 1.0, rowmax)
        keep = logical_or(zero, logical_or(absakk >= _BK_ALPHA * colmax,
                                           absakk >= _BK_ALPHA * colmax * ratio))
        two = logical_and(logical_not(keep), lt(aii, _BK_ALPHA * rowmax))
        kp = where(keep, k, imax.squeeze(-1))
        kk = where(two, k + 1, k).unsqueeze(-1)
        # Swap rows and columns kk and kp of the trailing block.
        kpc = kp.unsqueeze(-1)
        src = where(eq(idx, kk), kpc, where(eq(idx, kpc), kk, idx))
        sw = _gather(a, -2, src.unsqueeze(-1).expand(*a.shape))
        sw = _gather(sw, -1, src.unsqueeze(-2).expand(*a.shape))
        a1 = where(logical_and(rows >= k, idx >= k), sw, a)
        # 1 x 1 pivot: A22 -= x (x / d)^T (sytf2's syr), x /= d.
        d = a1[..., k:k + 1, k:k + 1]
        d11 = 1.0 / where(eq(d, 0), 1.0, d)
        x = where(gt(rows, k), a1[..., :, k:k + 1], 0.0)
        one = a1 + x * (x.mT * -d11)
        one = where(logical_and(gt(rows, k), eq(idx, k)), x * d11, one)
        new = where(zero.unsqueeze(-1).unsqueeze(-1), a1, one)
        if k + 1 < n:  # 2 x 2 pivot on columns k, k+1: sytf2's update of rows k+2...
            d21 = a1[..., k + 1:k + 2, k:k + 1]
            d21 = where(eq(d21, 0), 1.0, d21)
            e11, e22 = a1[..., k + 1:k + 2, k + 1:k + 2] / d21, a1[..., k:k + 1, k:k + 1] / d21
            t = e11 * e22 - 1.0
            d21 = (1.0 / where(eq(t, 0), 1.0, t)) / d21
            c0 = where(gt(rows, k + 1), a1[..., :, k:k + 1], 0.0)
            c1 = where(gt(rows, k + 1), a1[..., :, k + 1:k + 2], 0.0)
            wk, wkp1 = d21 * (e11 * c0 - c1), d21 * (e22 * c1 - c0)
            blk = a1 - c0 * wk.mT - c1 * wkp1.mT
            blk = where(logical_and(gt(rows, k + 1), eq(idx, k)), wk, blk)
            blk = where(logical_and(gt(rows, k + 1), eq(idx, k + 1)), wkp1, blk)
            new = where(two.unsqueeze(-1).unsqueeze(-1), blk, new)
        new = _tril(new) + _tril(new, -1).mT
        a = where(done.unsqueeze(-1).unsqueeze(-1), a, new)
        one_based = (kp + 1).to(D.int32)
        pivs.append(where(done, pair, where(two, -one_based, one_based)))
        zero_cols.append(logical_and(zero, logical_not(done)))
        pair = -one_based
        done = logical_and(two, logical_not(done))
    if not n:
        return a, zeros((*batch, 0), dtype=D.int32, device=dev), zeros(batch, dtype=D.int32,
                                                                         device=dev)
    return _tril(a), _stack(pivs, -1), _dec.lapack_info(_stack(zero_cols, -1))


def _check_ldl(op: str, A: Any) -> None:  # noqa: N803
    if isinstance(A, Tensor) and A.dtype is D.float16:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half; convert with "
                           ".float() first.")
    _dec.check_matrix(op, A)


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False,  # noqa: N803
                  check_errors: bool = False) -> Any:
    """``(LD, pivots, info)``: the Bunch-Kaufman factorization ``A = L D L^T`` of symmetric
    (possibly indefinite) matrices from their lower triangle, in LAPACK sytrf's packed
    format, as `torch.linalg.ldl_factor_ex`.

    ``LD`` holds the unit lower L below the diagonal and the 1 x 1 and 2 x 2 blocks of D on
    and next to it (the upper triangle is zero); ``pivots`` (int32, 1-based) is positive for
    a 1 x 1 block (row k swapped with ``pivots[k]``) and ``-p`` on both columns of a 2 x 2
    block (row k+1 swapped with p); ``info`` is 1 + the first column whose D block is
    exactly zero (0 when none is), and the factorization runs to the end regardless.

    The algorithm is sytf2's, column by column in tensor ops, so ``LD`` and ``pivots`` are
    PyTorch's for matrices LAPACK factors unblocked (n up to 64), up to rounding: a pivot
    choice can differ only where two candidates tie to rounding. ``hermitian`` is accepted
    (real matrices: the same). Not differentiable, as in PyTorch.

    Raises:
        LinAlgError: with ``check_errors=True``, where ``info > 0``.
        RuntimeError: for non-square or non-float inputs.
    """
    op = "torch.linalg.ldl_factor_ex"
    _check_ldl(op, A)
    ld, piv, info = _bunch_kaufman(_dec._symmetric(A.detach(), "L"))
    if check_errors:
        _raise_ldl_singular(op, A.ndim, info)
    return _LdlFactorEx(ld, piv, info)


def _raise_ldl_singular(op: str, ndim: int, info: Tensor) -> None:
    if bool(gt(info, 0).any().item()):
        b, c = _first_failure(info)
        raise LinAlgError(f"{op}: {_dec._batch_prefix(ndim, b)}The factorization found a zero "
                          f"block of D at D[{c + 1},{c + 1}]: the input matrix is singular and "
                          "ldl_solve would divide by zero. Use linalg.ldl_factor_ex to factor "
                          "it anyway.")


def ldl_factor(A: Tensor, *, hermitian: bool = False) -> Any:  # noqa: N803
    """``(LD, pivots)`` of `ldl_factor_ex`, raising for a singular D, as
    `torch.linalg.ldl_factor` (whose own check hits an internal assert in PyTorch 2.13).

    Raises:
        LinAlgError: for a zero block of D (a singular matrix).
        RuntimeError: for non-square or non-float inputs.

    Example:
        >>> import tensorweave as tw
        >>> tw.linalg.ldl_factor(tw.tensor([[0.0, 1.0], [1.0, 0.0]])).pivots
        tensor([-2, -2], dtype=tensorweave.int32)
    """
    op = "torch.linalg.ldl_factor"
    _check_ldl(op, A)
    ld, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    _raise_ldl_singular(op, A.ndim, info)
    return _LdlFactor(ld, piv)


def _ldl_unpack(ld: Tensor, pivots: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(perm, L, D)`` with ``A[perm][:, perm] = L D L^T``, L unit lower triangular and D
    block diagonal, from sytrf's product form: each later interchange is applied to the
    rows of the columns of L before it (as LAPACK's syconv)."""
    n = ld.shape[-1]
    idx = _arange(n, device=ld.device)
    piv = pivots.to(D.int64)
    neg = lt(piv, 0)
    partner = where(neg, -piv, piv) - 1
    run = zeros(tuple(piv.shape[:-1]), dtype=D.int64, device=ld.device)
    firsts = []
    for k in range(n):  # a 2 x 2 block is an odd then an even member of a run of negatives
        run = where(neg[..., k], run + 1, 0)
        firsts.append(logical_and(neg[..., k], eq(_fmod(run, 2), 1)))
    first = _stack(firsts, -1) if n else neg
    # D: the diagonal, and the subdiagonal entry of each 2 x 2 block (mirrored).
    sub = eq(rows := idx.unsqueeze(-1), idx + 1)
    off = logical_and(sub, first.unsqueeze(-2))
    d = where(logical_or(eq(rows, idx), logical_or(off, off.mT)),
              where(off.mT, ld.mT, ld), 0.0)
    low = where(logical_or(off, logical_not(gt(rows, idx))), 0.0, ld)
    low = low + eye(n, dtype=ld.dtype, device=ld.device)
    perm = idx.expand(*piv.shape)
    for k in range(n):
        fk = first[..., k:k + 1]
        tgt = where(fk, k, partner[..., k:k + 1])
        src = where(eq(idx, k), tgt, where(eq(idx, tgt), k, idx))
        # Columns of earlier steps: before k, or before k-1 for a block's second column.
        second = logical_and(neg[..., k:k + 1], logical_not(fk))
        limit = where(second, k - 1, k).unsqueeze(-1)
        swapped = _gather(low, -2, src.unsqueeze(-1).expand(*low.shape))
        low = where(lt(idx, limit), swapped, low)
        perm = _gather(perm, -1, src)
    return perm, low, d


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *,  # noqa: N803
              hermitian: bool = False) -> Tensor:
    """The X of ``A X = B`` from A's `ldl_factor`, as `torch.linalg.ldl_solve`: the packed
    factors are unpacked into ``P L D L^T P^T`` and solved with two unit-triangular solves
    and a (block-diagonal) `solve` of D, so batch dims broadcast and, unlike PyTorch's, the
    result is differentiable in ``LD`` and ``B``.

    Raises:
        RuntimeError: for shapes or dtypes that do not fit (PyTorch's messages).
    """
    op = "torch.linalg.ldl_solve"
    _dec.check_matrix(op, LD, "LD")
    if not isinstance(pivots, Tensor) or tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape {list(getattr(pivots, 'shape', []))} instead")
    if pivots.dtype.is_floating_point or pivots.dtype is D.bool:
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got "
                           f"{_TORCH_NAME[pivots.dtype.name]}")
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    if B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is "
                           f"{LD.shape[-2]} by {LD.shape[-1]} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    if B.dtype is not LD.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_TORCH_NAME[B.dtype.name]} and A of type "
                           f"{_TORCH_NAME[LD.dtype.name]} instead.")
    perm, low, d = _ldl_unpack(LD, pivots)
    y = solve_triangular(low, _dec._rows(B, perm), upper=False, unitriangular=True)
    z = solve_triangular(low.mT, solve(d, y), upper=True, unitriangular=True)
    return _dec._rows(z, argsort(perm, stable=True))
