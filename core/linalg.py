"""``tensorweave.linalg``: PyTorch's ``torch.linalg`` namespace.

Norms and products are helpers over existing ops (`norm`, `matmul`, `cross`...); the
factorizations and solvers are the composite ops of `tensorweave.ops.decompositions`.
Not implemented yet: ``eig``, ``lstsq``, ``inv_ex``, ``cholesky_ex``, ``lu_solve``.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

from . import dtypes as D
from .ops import decompositions as _dec
from .ops.creation import eye, zeros
from .ops.decompositions import LinAlgError, lu_factor, lu_factor_ex, matrix_exp, matrix_power
from .ops.elementwise import gt, maximum, nan_to_num, where
from .ops.linalg import cross as _cross
from .ops.linalg import matmul
from .ops.movement import diagonal as _diagonal
from .ops.reduction import amax, amin
from .ops.reduction import norm as _norm
from .ops.reduction import sum as _sum
from .tensor import Tensor

__all__ = ["vector_norm", "matrix_norm", "norm", "vecdot", "multi_dot", "matmul", "diagonal",
           "cross", "matrix_power", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "solve", "inv",
           "det",
           "slogdet", "cholesky", "solve_triangular", "qr", "eigh", "eigvalsh", "svd", "svdvals",
           "pinv", "matrix_rank", "matrix_exp", "cond", "LinAlgError"]

_Lu = namedtuple("linalg_lu", ["P", "L", "U"])
_Eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
_Svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
_Qr = namedtuple("linalg_qr", ["Q", "R"])


def _float_input(op: str, x: Any, dtype: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor; got {type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if not x.dtype.is_floating_point:
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
    x = _float_input("linalg.vector_norm", x, dtype)
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
    A = _float_input(op, A, dtype)
    d0, d1 = _matrix_dims(op, A, dim)
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
    """Dot products of the vectors along ``dim`` (shapes broadcast), as
    `torch.linalg.vecdot` (no conjugation: tensorweave has no complex dtypes).

    Raises:
        RuntimeError: if the sizes along ``dim`` differ.
    """
    if x.shape[dim] != y.shape[dim]:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same size along dim "
                           f"{dim}; got shapes {list(x.shape)} and {list(y.shape)}")
    return _sum(x * y, dim)


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
    _dec.check_matrix("linalg.eigh" if hermitian else "linalg.svd", A, square=hermitian)
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
