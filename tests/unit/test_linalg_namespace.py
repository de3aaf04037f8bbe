"""`tensorweave.linalg` against `torch.linalg`: values and gradients in float64 (on the cpu
backend's LAPACK kernels and on the tensor-op decompositions every other backend runs),
float32 tolerances, and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _functional_oracle import compare
from _linalg_helpers import decomposition_path, well_conditioned

import tensorweave as tw
from tensorweave.ops import decompositions as dec

torch = pytest.importorskip("torch")

DECOMPOSED = [dec.inverse, dec.det, dec.slogdet, dec.linalg_solve, dec.cholesky,
              dec.cholesky_solve, dec.linalg_solve_triangular, dec.linalg_lu_factor,
              dec.linalg_qr, dec.linalg_eigh, dec.linalg_svd]


path = decomposition_path(DECOMPOSED)


def _hilbert(n):
    """Ill-conditioned but non-singular (condition number ~5e5 for n = 5)."""
    i = np.arange(n)
    return 1.0 / (i[:, None] + i[None, :] + 1.0)


PIVOTING = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0], [4.0, 1.0, 0.0]])
SHAPES = [(3, 3), (2, 4, 4), (1, 1), (2, 1, 3, 3)]


def _spd(rng, shape):
    m = rng.uniform(-1, 1, shape)
    return m @ np.swapaxes(m, -1, -2) + np.eye(shape[-1])


# -- inverse, determinants, solve -----------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_inv_det_slogdet_match_torch_with_gradients(path, shape):
    """inv, det and slogdet agree with PyTorch in float64, forward and backward."""
    a = well_conditioned(np.random.default_rng(0), shape)
    compare(tw.linalg.inv, torch.linalg.inv, a)
    compare(tw.linalg.det, torch.linalg.det, a)
    compare(lambda x: tuple(tw.linalg.slogdet(x)), lambda x: tuple(torch.linalg.slogdet(x)), a)
    compare(tw.inverse, torch.inverse, a)
    compare(tw.det, torch.det, a)


def test_pivoting_matrix_needs_row_swaps(path):
    """A matrix with a zero leading pivot factors, inverts and solves like PyTorch."""
    compare(tw.linalg.inv, torch.linalg.inv, PIVOTING)
    compare(tw.linalg.det, torch.linalg.det, PIVOTING)
    compare(tw.linalg.solve, torch.linalg.solve, PIVOTING, np.arange(3.0))
    compare(lambda x: tuple(tw.linalg.lu_factor(x)), lambda x: tuple(torch.linalg.lu_factor(x)),
            PIVOTING)


def test_ill_conditioned_matrices_keep_their_accuracy(path):
    """A Hilbert matrix (condition ~5e5) inverts and solves to PyTorch's LAPACK accuracy."""
    h = _hilbert(5)
    compare(tw.linalg.inv, torch.linalg.inv, h, atol=1e-5, rtol=1e-6)
    compare(tw.linalg.solve, torch.linalg.solve, h, np.ones((5, 2)), atol=1e-5, rtol=1e-6)
    compare(tw.linalg.det, torch.linalg.det, h, atol=1e-15, rtol=1e-6)


@pytest.mark.parametrize("sa,sb,left", [((3, 3), (3, 2), True), ((3, 3), (3,), True),
                                        ((2, 4, 4), (2, 4), True), ((2, 1, 3, 3), (4, 3, 1), True),
                                        ((3, 3), (2, 3), False), ((2, 3, 3), (2, 4, 3), False)])
def test_solve_matches_torch_with_broadcasting_and_vectors(path, sa, sb, left):
    """solve: matrix and vector right-hand sides, broadcast batches, left=False."""
    rng = np.random.default_rng(1)
    a, b = well_conditioned(rng, sa), rng.standard_normal(sb)
    compare(lambda x, y: tw.linalg.solve(x, y, left=left),
            lambda x, y: torch.linalg.solve(x, y, left=left), a, b)


def test_det_of_singular_matrix_is_zero(path):
    """An exactly singular matrix has det 0 and slogdet (0, -inf), as in PyTorch."""
    s = tw.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=tw.float64)
    assert float(tw.linalg.det(s)) == 0.0
    sign, logabs = tw.linalg.slogdet(s)
    assert float(sign) == 0.0 and float(logabs) == -math.inf
    assert float(tw.logdet(s)) == -math.inf
    assert math.isnan(float(tw.logdet(tw.tensor([[0.0, 1.0], [1.0, 0.0]]))))


def test_logdet_matches_torch(path):
    """logdet of a matrix with a positive determinant, with its gradient."""
    compare(tw.logdet, torch.logdet, _spd(np.random.default_rng(2), (2, 3, 3)))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power_matches_torch(path, n):
    """Positive, zero and negative powers (through the inverse), with gradients."""
    a = well_conditioned(np.random.default_rng(3), (2, 3, 3))
    compare(lambda x: tw.linalg.matrix_power(x, n), lambda x: torch.linalg.matrix_power(x, n),
            a, grad=n != 0)
    assert tw.tensor(a).matrix_power(2).shape == (2, 3, 3)


def test_float32_within_tolerance(path):
    """float32 results stay within float32 rounding of PyTorch's."""
    a = well_conditioned(np.random.default_rng(4), (3, 4, 4)).astype(np.float32)
    b = np.random.default_rng(5).standard_normal((3, 4, 2)).astype(np.float32)
    for f, g in [(tw.linalg.inv, torch.linalg.inv), (tw.linalg.det, torch.linalg.det)]:
        compare(f, g, a, atol=1e-5, rtol=1e-4)
    compare(tw.linalg.solve, torch.linalg.solve, a, b, atol=1e-5, rtol=1e-4)
    compare(tw.linalg.cholesky, torch.linalg.cholesky, _spd(np.random.default_rng(6),
                                                            (2, 3, 3)).astype(np.float32),
            atol=1e-5, rtol=1e-4)


# -- LU -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_lu_factor_and_lu_match_torch_with_gradients(path, shape):
    """lu_factor's packed factors and pivots, and lu's P, L, U, with gradients."""
    a = np.random.default_rng(7).standard_normal(shape)
    compare(lambda x: tuple(tw.linalg.lu_factor(x)), lambda x: tuple(torch.linalg.lu_factor(x)),
            a)
    compare(lambda x: tuple(tw.linalg.lu(x)), lambda x: tuple(torch.linalg.lu(x)), a)


def test_lu_factors_singular_matrices_and_lu_factor_ex_reports_info():
    """lu (and lu_factor_ex, with LAPACK's info) factor a singular matrix; lu_factor refuses."""
    s = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])
    compare(lambda x: tuple(tw.linalg.lu(x)), lambda x: tuple(torch.linalg.lu(x)), s, grad=False)
    got = tw.linalg.lu_factor_ex(tw.tensor(s))
    want = torch.linalg.lu_factor_ex(torch.tensor(s))
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    np.testing.assert_allclose(got.LU.numpy(), want.LU.numpy())
    with pytest.raises(RuntimeError, match=r"torch\.linalg\.lu_factor: \(Batch element 1\): "
                                           r"U\[2,2\] is zero"):
        tw.linalg.lu_factor(tw.tensor(s))


# -- Cholesky and triangular solves ---------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_torch_with_gradients(path, shape, upper):
    """cholesky (lower and upper) and its symmetric gradient, as PyTorch's."""
    a = _spd(np.random.default_rng(8), shape)
    compare(lambda x: tw.linalg.cholesky(x, upper=upper),
            lambda x: torch.linalg.cholesky(x, upper=upper), a)
    compare(lambda x: tw.cholesky(x, upper), lambda x: torch.cholesky(x, upper), a)


def test_cholesky_reads_only_the_lower_triangle(path):
    """The upper triangle of the input is ignored, as LAPACK's potrf('L') does."""
    a = _spd(np.random.default_rng(9), (3, 3))
    a[0, 2] += 5.0
    compare(tw.linalg.cholesky, torch.linalg.cholesky, a)


@pytest.mark.parametrize("kw", [{"upper": True}, {"upper": False},
                                {"upper": False, "unitriangular": True},
                                {"upper": True, "left": False},
                                {"upper": False, "left": False, "unitriangular": True}])
def test_solve_triangular_matches_torch_with_gradients(path, kw):
    """solve_triangular in every mode, batched and broadcast, with gradients for A and B."""
    rng = np.random.default_rng(10)
    a = well_conditioned(rng, (2, 1, 3, 3))
    b = rng.standard_normal((4, 2, 3) if kw.get("left") is False else (4, 3, 2))
    compare(lambda x, y: tw.linalg.solve_triangular(x, y, **kw),
            lambda x, y: torch.linalg.solve_triangular(x, y, **kw), a, b)


def test_cholesky_solve_matches_torch(path):
    """cholesky_solve with a lower and an upper factor."""
    rng = np.random.default_rng(11)
    low = np.linalg.cholesky(_spd(rng, (2, 3, 3)))
    b = rng.standard_normal((2, 3, 2))
    compare(tw.cholesky_solve, torch.cholesky_solve, b, low)
    up = np.swapaxes(low, -1, -2).copy()
    compare(lambda x, y: tw.cholesky_solve(x, y, upper=True),
            lambda x, y: torch.cholesky_solve(x, y, upper=True), b, up)


# -- QR -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,mode", [((4, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 4, 4), "reduced"), ((1, 1), "reduced"),
                                        ((2, 3, 3), "complete"), ((2, 1, 2, 4), "complete")])
def test_qr_matches_torch_with_gradients(path, shape, mode):
    """Q and R (LAPACK's signs) and the gradients through both, tall, wide and batched."""
    a = np.random.default_rng(17).standard_normal(shape)
    compare(lambda x: tuple(tw.linalg.qr(x, mode)), lambda x: tuple(torch.linalg.qr(x, mode)),
            a)


def test_qr_forward_only_modes_and_errors(path):
    """'complete' for tall and 'r' match PyTorch forward; their backward is PyTorch's error."""
    a = np.random.default_rng(18).standard_normal((4, 2))
    compare(lambda x: tuple(tw.linalg.qr(x, "complete")),
            lambda x: tuple(torch.linalg.qr(x, "complete")), a, grad=False)
    compare(lambda x: tuple(tw.linalg.qr(x, "r")), lambda x: tuple(torch.linalg.qr(x, "r")), a,
            grad=False)
    x = tw.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows "
                                           "> ncols"):
        tw.linalg.qr(x, "complete").Q.sum().backward()
    with pytest.raises(RuntimeError, match="which is not computed when mode='r'"):
        tw.linalg.qr(x, "r").R.sum().backward()
    with pytest.raises(RuntimeError, match="qr received unrecognized mode 'x'"):
        tw.linalg.qr(x, "x")


# -- eigh -----------------------------------------------------------------------------------------

def _sign_free(w, v):
    """Functions of an eigendecomposition that do not depend on the eigenvectors' signs."""
    return w, v * v, (v * w.unsqueeze(-2).exp()) @ v.mT


@pytest.mark.parametrize("shape", [(3, 3), (2, 5, 5), (1, 1), (2, 1, 2, 2), (8, 8)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_matches_torch_with_gradients(path, shape, uplo):
    """Eigenvalues, eigenvectors (up to sign) and PyTorch's symmetric gradient."""
    a = np.random.default_rng(19).standard_normal(shape)
    compare(lambda x: _sign_free(*tw.linalg.eigh(x, uplo)),
            lambda x: _sign_free(*torch.linalg.eigh(x, uplo)), a, atol=1e-9, rtol=1e-7)
    compare(lambda x: tw.linalg.eigvalsh(x, uplo), lambda x: torch.linalg.eigvalsh(x, uplo), a,
            atol=1e-12, rtol=1e-10)


def test_eigh_eigenvectors_are_orthonormal_with_fixed_signs(path):
    """A V = V diag(w), V^T V = I, and each column's largest entry is positive."""
    a = tw.tensor(_spd(np.random.default_rng(20), (3, 4, 4)))
    w, v = tw.linalg.eigh(a)
    np.testing.assert_allclose((a @ v).numpy(), (v * w.unsqueeze(-2)).numpy(), atol=1e-12)
    np.testing.assert_allclose((v.mT @ v).numpy(), np.broadcast_to(np.eye(4), (3, 4, 4)),
                               atol=1e-12)
    vn = v.numpy()
    big = np.take_along_axis(vn, np.abs(vn).argmax(-2)[:, None, :], -2)
    assert (big > 0).all()
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U', but got X"):
        tw.linalg.eigh(a, "X")


# -- SVD ------------------------------------------------------------------------------------------

def _svd_sign_free(u, sv, vh):
    """Functions of an SVD that do not depend on the singular vectors' signs."""
    k = sv.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return sv, u * u, vh * vh, (u * sv.unsqueeze(-2).exp()) @ vh


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (3, 3), (2, 4, 4), (1, 1), (2, 1, 2, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_matches_torch_with_gradients(path, shape, full):
    """Singular values, vectors (up to sign) and gradients, tall, wide and batched."""
    a = np.random.default_rng(21).standard_normal(shape)
    compare(lambda x: _svd_sign_free(*tw.linalg.svd(x, full)),
            lambda x: _svd_sign_free(*torch.linalg.svd(x, full)), a, atol=1e-9, rtol=1e-7)
    compare(tw.linalg.svdvals, torch.linalg.svdvals, a, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_svd_full_and_rank_deficient_factors_are_orthogonal(path, shape):
    """Complete U/Vh and the vectors of a zero singular value are still orthonormal."""
    a = np.random.default_rng(22).standard_normal(shape)
    a[..., 2] = a[..., 0] - a[..., 1]  # rank 2
    u, sv, vh = tw.linalg.svd(tw.tensor(a))
    m, n = shape
    np.testing.assert_allclose((u.mT @ u).numpy(), np.eye(m), atol=1e-12)
    np.testing.assert_allclose((vh @ vh.mT).numpy(), np.eye(n), atol=1e-12)
    k = min(m, n)
    np.testing.assert_allclose(((u[:, :k] * sv) @ vh[:k]).numpy(), a, atol=1e-12)
    np.testing.assert_allclose(sv.numpy(), np.linalg.svd(a, compute_uv=False), atol=1e-12)
    un = u[:, :k].numpy()
    assert (np.take_along_axis(un, np.abs(un).argmax(0)[None], 0) > 0).all()


# -- errors ---------------------------------------------------------------------------------------

def test_singular_matrix_errors_are_torchs(path):
    """inv and solve of a singular matrix raise LinAlgError with PyTorch's message."""
    s = tw.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(tw.linalg.LinAlgError, match=r"^linalg\.inv: The diagonal element 2 is "
                       r"zero, the inversion could not be completed because the input matrix "
                       r"is singular\.$"):
        tw.linalg.inv(s)
    batch = tw.stack([tw.eye(2), s])
    with pytest.raises(RuntimeError, match=r"linalg\.inv: \(Batch element 1\): The diagonal "
                                           r"element 2 is zero"):
        tw.linalg.inv(batch)
    with pytest.raises(tw.linalg.LinAlgError, match=r"torch\.linalg\.solve: \(Batch element "
                                                    r"1\): The solver failed because the input "
                                                    r"matrix is singular\."):
        tw.linalg.solve(batch, tw.ones(2, 2, 1))
    with pytest.raises(tw.linalg.LinAlgError, match="diagonal element 2 is zero"):
        tw.linalg.matrix_power(s, -1)


def test_cholesky_of_non_positive_definite_input_raises_torchs_error(path):
    """The error names the first leading minor that is not positive-definite."""
    with pytest.raises(tw.linalg.LinAlgError, match=r"^linalg\.cholesky: The factorization "
                       r"could not be completed because the input is not positive-definite "
                       r"\(the leading minor of order 2 is not positive-definite\)\.$"):
        tw.linalg.cholesky(tw.tensor([[1.0, 2.0], [2.0, 1.0]]))
    batch = tw.tensor([[[1.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]])
    with pytest.raises(RuntimeError, match=r"\(Batch element 1\): .* leading minor of order 1"):
        tw.linalg.cholesky(batch)


@pytest.mark.parametrize("fn", [tw.linalg.inv, tw.linalg.det, tw.linalg.slogdet,
                                tw.linalg.cholesky, tw.linalg.lu_factor])
def test_shape_and_dtype_errors_name_the_function(fn):
    """Non-square, 1-D and integer inputs are refused with PyTorch's wording."""
    with pytest.raises(RuntimeError, match="must be batches of square matrices, but they are 2 "
                                           "by 3 matrices"):
        fn(tw.ones(2, 3))
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        fn(tw.ones(3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as "
                                           "input. Got int64"):
        fn(tw.ones(2, 2, dtype=tw.int64))


def test_solve_shape_errors():
    """Right-hand sides that do not fit the equation name both shapes."""
    with pytest.raises(RuntimeError, match=r"linalg\.solve: Incompatible shapes of A and B for "
                                           r"the equation AX = B \(3x3 and 2x1\)"):
        tw.linalg.solve(tw.eye(3), tw.ones(2))
    with pytest.raises(RuntimeError, match=r"linalg\.solve_triangular: The input tensor B must "
                                           r"have at least 2 dimensions"):
        tw.linalg.solve_triangular(tw.eye(3), tw.ones(3), upper=True)
    with pytest.raises(RuntimeError, match="Vector broadcasting of the left hand side is not "
                                           "supported for left=False"):
        tw.linalg.solve(tw.eye(3), tw.ones(3), left=False)
    with pytest.raises(RuntimeError, match="same dtype"):
        tw.linalg.solve(tw.eye(2), tw.ones(2, dtype=tw.float64))


# -- norms and products ---------------------------------------------------------------------------

@pytest.mark.parametrize("ord", [2, 1, 0, 3, 0.5, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm_matches_torch(ord, dim, keepdim):
    """vector_norm for every kind of ord, over all elements or some dims."""
    x = np.random.default_rng(12).uniform(0.5, 2.0, (2, 3, 4)) * np.where(
        np.random.default_rng(13).random((2, 3, 4)) < 0.5, -1, 1)
    compare(lambda t: tw.linalg.vector_norm(t, ord, dim, keepdim),
            lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim), x, grad=ord != 0)


def test_vector_norm_dtype_and_integer_inputs():
    """dtype= converts first; integer inputs without it are refused."""
    got = tw.linalg.vector_norm(tw.tensor([3, 4]), dtype=tw.float64)
    assert got.dtype is tw.float64 and float(got) == 5.0
    with pytest.raises(RuntimeError, match=r"linalg\.vector_norm: Expected a floating point"):
        tw.linalg.vector_norm(tw.tensor([3, 4]))


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((0, 2), True), ((2, 1), False)])
def test_matrix_norm_matches_torch(ord, dim, keepdim):
    """matrix_norm's orders over any pair of dims."""
    x = np.random.default_rng(14).standard_normal((2, 3, 4))
    compare(lambda t: tw.linalg.matrix_norm(t, ord, dim, keepdim),
            lambda t: torch.linalg.matrix_norm(t, ord, dim, keepdim), x)


def test_matrix_norm_errors():
    """Unknown orders and vectors get PyTorch's errors."""
    with pytest.raises(RuntimeError, match=r"linalg\.matrix_norm: Order 3 not supported"):
        tw.linalg.matrix_norm(tw.ones(2, 2), 3)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        tw.linalg.matrix_norm(tw.ones(2))


@pytest.mark.parametrize("shape,ord,dim", [((5,), None, None), ((2, 3), None, None),
                                           ((2, 3, 4), None, None), ((2, 3), "fro", None),
                                           ((2, 3), math.inf, None), ((2, 3), 1, 1),
                                           ((2, 3, 4), -1, (0, 1)), ((5,), 3, None),
                                           ((2, 3), "nuc", None), ((2, 3, 4), 2, (2, 0))])
def test_norm_dispatches_like_torch(shape, ord, dim):
    """linalg.norm picks the vector or the matrix norm as PyTorch does."""
    x = np.random.default_rng(15).standard_normal(shape)
    compare(lambda t: tw.linalg.norm(t, ord, dim), lambda t: torch.linalg.norm(t, ord, dim), x)


def test_norm_with_ord_needs_1d_or_2d():
    with pytest.raises(RuntimeError, match="must be 1D or 2D. Got 3D"):
        tw.linalg.norm(tw.ones(2, 2, 2), 2)


def test_products_match_torch():
    """vecdot, multi_dot (with vector ends), matmul, diagonal and cross."""
    rng = np.random.default_rng(16)
    x, y = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4))
    compare(tw.linalg.vecdot, torch.linalg.vecdot, x, y)
    compare(lambda a, b: tw.linalg.vecdot(a, b, dim=1), lambda a, b: torch.linalg.vecdot(
        a, b, dim=1), x, rng.standard_normal((2, 3, 1)))
    mats = [rng.standard_normal(s) for s in [(3,), (3, 4), (4, 2), (2,)]]
    compare(lambda *m: tw.linalg.multi_dot(m), lambda *m: torch.linalg.multi_dot(m), *mats)
    compare(lambda *m: tw.linalg.multi_dot(m), lambda *m: torch.linalg.multi_dot(m),
            *[rng.standard_normal(s) for s in [(2, 3), (3, 4), (4, 5)]])
    compare(tw.linalg.matmul, torch.linalg.matmul, x, rng.standard_normal((4, 2)))
    compare(lambda a: tw.linalg.diagonal(a, offset=1), lambda a: torch.linalg.diagonal(
        a, offset=1), x)
    compare(tw.linalg.cross, torch.linalg.cross, rng.standard_normal((1, 4, 3)),
            rng.standard_normal((2, 1, 3)))
    with pytest.raises(RuntimeError, match="inputs must have the same number of dimensions"):
        tw.linalg.cross(tw.ones(3), tw.ones(2, 3))
    with pytest.raises(RuntimeError, match="expected at least 2 tensors but got 1"):
        tw.linalg.multi_dot([tw.ones(2, 2)])
    with pytest.raises(RuntimeError, match="tensor 1 must be 2D but got 1D"):
        tw.linalg.multi_dot([tw.ones(2, 2), tw.ones(2), tw.ones(2, 2)])
