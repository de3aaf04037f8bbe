"""`linalg.pinv`, `pinverse`, `linalg.matrix_rank`, `linalg.matrix_exp`, `cholesky_inverse`,
`linalg.cond` and the older `qr` / `svd` against PyTorch: values and float64 gradients (on
the cpu backend's LAPACK kernels and on the tensor-op decompositions other backends run),
float32, empty and batched inputs, and PyTorch's errors; and the same results on every
available device as on cpu."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _functional_oracle import compare
from _linalg_helpers import assert_device_equals_cpu, decomposition_path, well_conditioned

import tensorweave as tw
from tensorweave.ops import decompositions as dec

torch = pytest.importorskip("torch")

DECOMPOSED = [dec.inverse, dec.linalg_lu_factor, dec.linalg_eigh, dec.linalg_svd,
              dec.linalg_qr, dec.cholesky_solve, dec.linalg_pinv]


path = decomposition_path(DECOMPOSED)


def _low_rank(rng, shape, rank):
    return rng.uniform(-1, 1, (*shape[:-1], rank)) @ rng.uniform(-1, 1, (*shape[:-2], rank,
                                                                          shape[-1]))


def _spd(rng, shape):
    m = rng.uniform(-1, 1, shape)
    return m @ np.swapaxes(m, -1, -2) + np.eye(shape[-1])


def _same(got, want, **kw):
    np.testing.assert_allclose(got.numpy(), want.numpy(), **kw)


# -- pinv, pinverse -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 5), (2, 4, 4), (2, 1, 3, 2)])
def test_pinv_of_full_rank_matches_torch_with_gradients(path, shape):
    a = np.random.default_rng(0).uniform(-1, 1, shape)
    compare(tw.linalg.pinv, torch.linalg.pinv, a)
    compare(tw.pinverse, torch.pinverse, a)
    compare(lambda x: x.pinverse(rcond=1e-10), lambda x: x.pinverse(rcond=1e-10), a)


def test_pinv_hermitian_gradient_is_torchs_general_one(path):
    """With ``hermitian=True`` the value comes from eigh, but the gradient is PyTorch's
    (that of a general matrix, not only of the triangle eigh reads)."""
    a = _spd(np.random.default_rng(1), (2, 4, 4)) - 1.2 * np.eye(4)  # indefinite
    compare(lambda x: tw.linalg.pinv(x, hermitian=True),
            lambda x: torch.linalg.pinv(x, hermitian=True), a)


@pytest.mark.parametrize("kw", [{}, {"rtol": 0.3}, {"atol": 0.5}, {"atol": 0.5, "rtol": 0.9},
                                {"atol": 0.0}, {"hermitian": True}])
def test_pinv_tolerances_drop_small_singular_values(path, kw):
    rng = np.random.default_rng(2)
    a = np.stack([_low_rank(rng, (4, 4), 2), np.diag([3.0, 1.0, 0.4, 1e-9])])
    a = a + np.swapaxes(a, -1, -2) if kw.get("hermitian") else a
    # The gradient is PyTorch's too: that of the matrix with the small values dropped.
    compare(lambda x: tw.linalg.pinv(x, **kw), lambda x: torch.linalg.pinv(x, **kw), a,
            atol=1e-8)


def test_pinv_tensor_tolerances_broadcast_over_the_batch(path):
    a = np.stack([np.diag([3.0, 1.0, 0.4]), np.diag([2.0, 0.5, 0.1])])
    for kw in ({"atol": [0.3, 0.6]}, {"rtol": [0.05, 0.2]}, {"atol": [0.0, 0.2]}):
        got = tw.linalg.pinv(tw.tensor(a), **{k: tw.tensor(v) for k, v in kw.items()})
        want = torch.linalg.pinv(torch.tensor(a), **{k: torch.tensor(v) for k, v in kw.items()})
        _same(got, want, atol=1e-12)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0), (0, 2, 3)])
def test_pinv_of_empty_matrices(shape):
    got = tw.linalg.pinv(tw.zeros(shape))
    assert tuple(got.shape) == tuple(torch.linalg.pinv(torch.zeros(shape)).shape)


def test_pinv_float32():
    a = np.random.default_rng(3).uniform(-1, 1, (2, 5, 3)).astype(np.float32)
    got = tw.linalg.pinv(tw.tensor(a))
    assert got.dtype is tw.float32
    _same(got, torch.linalg.pinv(torch.tensor(a)), atol=1e-5, rtol=1e-5)


def test_pinv_errors():
    with pytest.raises(RuntimeError, match=r"linalg.pinv\(Float\{\[3\]\}\): expected a tensor "
                                           r"with 2 or more dimensions of float, double"):
        tw.linalg.pinv(tw.zeros(3))
    with pytest.raises(RuntimeError, match=r"linalg.pinv\(Long\{\[2, 2\]\}\)"):
        tw.pinverse(tw.zeros((2, 2), dtype=tw.int64))
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        tw.linalg.pinv(tw.zeros((2, 3)), hermitian=True)
    with pytest.raises(TypeError, match="atol must be a float or a Tensor; got str"):
        tw.linalg.pinv(tw.eye(2), atol="a")


# -- matrix_rank ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"rtol": 0.3}, {"atol": 0.5}, {"atol": 0.5, "rtol": 0.9},
                                {"hermitian": True}, {"hermitian": True, "atol": 1.0}])
def test_matrix_rank_matches_torch(path, kw):
    rng = np.random.default_rng(4)
    a = np.stack([_low_rank(rng, (5, 5), r) for r in (1, 3, 5)] + [np.diag([3.0, 1, 0.4, 0.1,
                                                                            0])])
    a = a + np.swapaxes(a, -1, -2) if kw.get("hermitian") else a
    got = tw.linalg.matrix_rank(tw.tensor(a), **kw)
    want = torch.linalg.matrix_rank(torch.tensor(a), **kw)
    assert got.dtype is tw.int64 and got.tolist() == want.tolist()


def test_matrix_rank_of_rectangular_empty_and_tensor_tolerances():
    rng = np.random.default_rng(5)
    for a in (_low_rank(rng, (4, 6), 2), _low_rank(rng, (6, 4), 3).astype(np.float32)):
        assert tw.linalg.matrix_rank(tw.tensor(a)).item() == torch.linalg.matrix_rank(
            torch.tensor(a)).item()
    assert tw.linalg.matrix_rank(tw.zeros((0, 3))).tolist() == 0
    assert tw.linalg.matrix_rank(tw.zeros((2, 0, 3))).tolist() == [0, 0]
    d = np.stack([np.diag([3.0, 1.0, 0.4]), np.diag([2.0, 0.5, 0.1])])
    got = tw.linalg.matrix_rank(tw.tensor(d), atol=tw.tensor([0.3, 0.6]))
    assert got.tolist() == torch.linalg.matrix_rank(torch.tensor(d),
                                                    atol=torch.tensor([0.3, 0.6])).tolist()


def test_matrix_rank_errors():
    with pytest.raises(RuntimeError, match="torch.linalg.matrix_rank: The input tensor input must "
                                           "have at least 2 dimensions."):
        tw.linalg.matrix_rank(tw.zeros(3))
    with pytest.raises(RuntimeError, match="Expected a floating point"):
        tw.linalg.matrix_rank(tw.zeros((2, 2), dtype=tw.int64))
    with pytest.raises(RuntimeError, match="linalg.eigh: A must be batches of square matrices, "
                                           "but they are 2 by 3 matrices"):
        tw.linalg.matrix_rank(tw.zeros((2, 3)), hermitian=True)


# -- matrix_exp -----------------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [0.0, 0.01, 0.4, 1.5, 6.0])
def test_matrix_exp_matches_torch_with_gradients(scale):
    """Each matrix of the batch (norms a factor 30 apart) gets its own scaling; values to
    1e-12 of the largest entry, gradients to 1e-8."""
    a = np.random.default_rng(6).standard_normal((3, 4, 4)) * scale
    a[1] /= 30.0
    out = compare(tw.linalg.matrix_exp, torch.linalg.matrix_exp, a, atol=1e-10, rtol=1e-8)
    want = torch.linalg.matrix_exp(torch.tensor(a)).numpy()
    err = np.abs(out.detach().numpy() - want).max(axis=(-2, -1)) / np.abs(want).max(axis=(-2, -1))
    assert err.max() <= 1e-12
    compare(tw.matrix_exp, torch.matrix_exp, a[0], atol=1e-10, rtol=1e-8)
    compare(lambda x: x.matrix_exp(), lambda x: x.matrix_exp(), a[:2], atol=1e-10, rtol=1e-8)


def test_matrix_exp_closed_forms():
    """exp of a nilpotent, a diagonal and a rotation generator, in float64."""
    t = 2.5
    cases = [([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]],
              [[1.0, 1.0, 3.5], [0.0, 1.0, 3.0], [0.0, 0.0, 1.0]]),
             ([[-20.0, 0.0], [0.0, 3.0]], [[math.exp(-20.0), 0.0], [0.0, math.exp(3.0)]]),
             ([[0.0, -t], [t, 0.0]], [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])]
    for a, want in cases:
        got = tw.linalg.matrix_exp(tw.tensor(a, dtype=tw.float64)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


def test_matrix_exp_dtypes_and_shapes():
    a = np.random.default_rng(7).standard_normal((2, 3, 3)).astype(np.float32) * 2
    got = tw.linalg.matrix_exp(tw.tensor(a))
    assert got.dtype is tw.float32
    _same(got, torch.linalg.matrix_exp(torch.tensor(a)), rtol=2e-5, atol=1e-5)
    # Float16 runs in float32 (PyTorch 2.13's float16 kernel gives nan and inf here).
    half = tw.linalg.matrix_exp(tw.tensor(a[0]).half())
    assert half.dtype is tw.float16
    _same(half.float(), torch.linalg.matrix_exp(torch.tensor(a[0]).half().float()), rtol=2e-3,
          atol=2e-3)
    for shape in [(0, 0), (2, 0, 0), (0, 3, 3)]:
        assert tuple(tw.linalg.matrix_exp(tw.zeros(shape)).shape) == shape
    assert tw.linalg.matrix_exp(tw.tensor([[2.0]])).item() == pytest.approx(math.exp(2.0))


def test_matrix_exp_errors():
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: The input tensor A must have at "
                                           "least 2 dimensions."):
        tw.linalg.matrix_exp(tw.zeros(3))
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: A must be batches of square "
                                           "matrices, but they are 2 by 3 matrices"):
        tw.matrix_exp(tw.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: Expected a floating point"):
        tw.matrix_exp(tw.zeros((2, 2), dtype=tw.int64))


# -- cholesky_inverse -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_matches_torch_with_gradients(path, shape, upper):
    low = np.linalg.cholesky(_spd(np.random.default_rng(8), shape))
    f = np.swapaxes(low, -1, -2).copy() if upper else low
    compare(lambda x: tw.cholesky_inverse(x, upper), lambda x: torch.cholesky_inverse(x, upper),
            f)
    compare(lambda x: x.cholesky_inverse(upper=upper),
            lambda x: x.cholesky_inverse(upper=upper), f)


def test_cholesky_inverse_edge_cases_and_errors():
    assert tuple(tw.cholesky_inverse(tw.zeros((0, 0))).shape) == (0, 0)
    low = np.linalg.cholesky(_spd(np.random.default_rng(9), (3, 3))).astype(np.float32)
    _same(tw.cholesky_inverse(tw.tensor(low)), torch.cholesky_inverse(torch.tensor(low)),
          rtol=1e-4, atol=1e-4)
    with pytest.raises(RuntimeError, match="cholesky_inverse: The input tensor A must have at "
                                           "least 2 dimensions."):
        tw.cholesky_inverse(tw.zeros(3))
    with pytest.raises(RuntimeError, match="cholesky_inverse: A must be batches of square "
                                           "matrices, but they are 2 by 3 matrices"):
        tw.cholesky_inverse(tw.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="cholesky_inverse: Expected a floating point"):
        tw.cholesky_inverse(tw.zeros((2, 2), dtype=tw.int64))


# -- cond -----------------------------------------------------------------------------------------

ORDS = [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1]


@pytest.mark.parametrize("p", ORDS)
def test_cond_matches_torch_with_gradients(path, p):
    """PyTorch 2.13 cannot differentiate the norms that go through its inverse (an in-place
    fill of a saved tensor); those gradients are checked against central differences."""
    a = well_conditioned(np.random.default_rng(10), (2, 3, 3))
    svd_based = p in (None, 2, -2, "nuc")
    compare(lambda x: tw.linalg.cond(x, p), lambda x: torch.linalg.cond(x, p), a,
            grad=svd_based)
    if not svd_based:
        assert tw.autograd.gradcheck(lambda x: tw.linalg.cond(x, p),
                                     (tw.tensor(a, requires_grad=True),))


@pytest.mark.parametrize("p", ORDS)
def test_cond_of_singular_and_empty_matrices(p):
    a = np.stack([np.diag([1.0, 0.0]), np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)])
    got = tw.linalg.cond(tw.tensor(a), p)
    want = torch.linalg.cond(torch.tensor(a), p)
    assert got.dtype is tw.float64
    # An exact zero pivot (the first two) gives inf with the inverse's norms, as in PyTorch;
    # the singular values of the second are 5 and ~1e-16 (rounding decides their ratio).
    keep = [0, 2] if p in (None, 2, -2, "nuc") else [0, 1, 2]
    _same(got[keep], want[keep], rtol=1e-12)
    for shape in [(0, 0), (2, 0, 0)]:
        _same(tw.linalg.cond(tw.zeros(shape), p), torch.linalg.cond(torch.zeros(shape), p))


def test_cond_of_rectangular_matrices_and_float32():
    a = np.random.default_rng(11).uniform(-1, 1, (2, 3, 5))
    compare(tw.linalg.cond, torch.linalg.cond, a)
    compare(lambda x: tw.linalg.cond(x, -2), lambda x: torch.linalg.cond(x, -2), a)
    _same(tw.linalg.cond(tw.zeros((2, 0, 3))), torch.linalg.cond(torch.zeros((2, 0, 3))))
    b = well_conditioned(np.random.default_rng(12), (3, 3)).astype(np.float32)
    for p in ORDS:
        got = tw.linalg.cond(tw.tensor(b), p)
        assert got.dtype is tw.float32
        _same(got, torch.linalg.cond(torch.tensor(b), p), rtol=1e-5)


def test_cond_errors():
    with pytest.raises(RuntimeError, match="linalg.cond: The input tensor must have at least 2 "
                                           "dimensions."):
        tw.linalg.cond(tw.zeros(3))
    for p in (3, 2.5, "foo", 0):
        with pytest.raises(RuntimeError, match=f"linalg.cond got an invalid norm type: {p}"):
            tw.linalg.cond(tw.eye(2), p)
    for p, name in [("fro", "fro"), (1, "1"), (1.0, "1.000000"), (-math.inf, "-inf")]:
        with pytest.raises(RuntimeError, match=f"linalg.cond\\(ord={name}\\): A must be batches "
                                               "of square matrices, but they are 2 by 3"):
            tw.linalg.cond(tw.zeros((2, 3)), p)
    with pytest.raises(RuntimeError, match="linalg.svd: Expected a floating point"):
        tw.linalg.cond(tw.zeros((2, 2), dtype=tw.int64))


# -- the older qr and svd -------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_qr_some_is_linalg_qr_reduced_or_complete(path, shape):
    a = np.random.default_rng(13).uniform(-1, 1, shape)
    for some in (True, False):
        if not some and shape[-2] > shape[-1]:
            compare(lambda x: tuple(tw.qr(x, some)), lambda x: tuple(torch.qr(x, some)), a,
                    grad=False)
            continue
        compare(lambda x: tuple(x.qr(some=some)), lambda x: tuple(x.qr(some=some)), a)
    out = tw.qr(tw.tensor(a))
    assert type(out).__name__ == "qr" and out._fields == ("Q", "R")


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_svd_returns_v_and_matches_torch(path, shape):
    """Singular vectors differ from LAPACK's by a sign per pair, so the comparison is of S
    and of the sign-free products U V^T and U diag(S) V^T, with gradients."""
    a = np.random.default_rng(14).uniform(-1, 1, shape)

    def polar(svd):
        def fn(x):
            u, s, v = svd(x)
            return s, u @ v.mT
        return fn

    def product(svd):
        def fn(x):
            u, s, v = svd(x)
            return (u * s.unsqueeze(-2)) @ v.mT
        return fn

    compare(polar(tw.svd), polar(torch.svd), a)
    compare(product(lambda x: x.svd(some=True)), product(lambda x: x.svd(some=True)), a)
    out = tw.svd(tw.tensor(a))
    lin = tw.linalg.svd(tw.tensor(a), full_matrices=False)
    assert type(out).__name__ == "svd" and out._fields == ("U", "S", "V")
    _same(out.V, lin.Vh.mT)
    full = tw.svd(tw.tensor(a), some=False)
    assert [tuple(t.shape) for t in full] == [tuple(t.shape) for t in torch.svd(
        torch.tensor(a), some=False)]


def test_svd_without_uv_gives_zero_matrices():
    a = np.random.default_rng(15).uniform(-1, 1, (2, 3, 4))
    got, want = tw.svd(tw.tensor(a), compute_uv=False), torch.svd(torch.tensor(a),
                                                                   compute_uv=False)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape)
    assert got.U.abs().sum().item() == 0 and got.V.abs().sum().item() == 0
    compare(lambda x: tw.svd(x, compute_uv=False).S, lambda x: torch.svd(x, compute_uv=False).S,
            a)


# -- every device ---------------------------------------------------------------------------------

CASES = {
    "pinv": lambda t: tw.linalg.pinv(t),
    "pinv_hermitian": lambda t: tw.linalg.pinv(t + t.mT, hermitian=True),
    "matrix_exp": lambda t: tw.linalg.matrix_exp(t * 2.0),
    "cholesky_inverse": lambda t: tw.cholesky_inverse(tw.linalg.cholesky(t @ t.mT + 0.5)),
    "cond_fro": lambda t: tw.linalg.cond(t, "fro"),
    "cond_2": lambda t: tw.linalg.cond(t),
}


@pytest.mark.parametrize("case", list(CASES))
def test_on_every_device_equal_cpu(device, case):
    """Forward values and input gradients on ``device`` equal cpu's (float32)."""
    assert_device_equals_cpu(device, CASES[case],
                             well_conditioned(np.random.default_rng(16), (3, 3)))
    ranks = [tw.linalg.matrix_rank(tw.tensor(_low_rank(np.random.default_rng(17), (4, 4), 2),
                                             dtype=tw.float32, device=d)).item()
             for d in ("cpu", device)]
    assert ranks == [2, 2]
