"""`linalg.lstsq`, `tensorinv`, `tensorsolve`, `householder_product`, `vander`, the ``_ex``
variants (`cholesky_ex`, `inv_ex`, `solve_ex`) and the LDL^T functions against PyTorch:
float64 values and gradients (on the cpu backend's LAPACK kernels and on the tensor-op
decompositions other backends run), batched and broadcast inputs, the info outputs of
singular and non-positive-definite inputs, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare
from _linalg_helpers import assert_device_equals_cpu, decomposition_path, well_conditioned

import tensorweave as tw
from tensorweave.ops import decompositions as dec

torch = pytest.importorskip("torch")

DECOMPOSED = [dec.inverse, dec.linalg_solve, dec.cholesky, dec.linalg_lu_factor,
              dec.linalg_svd, dec.linalg_pinv, dec.linalg_solve_triangular]
DRIVERS = ["gels", "gelsy", "gelsd", "gelss"]


path = decomposition_path(DECOMPOSED)


def _u(rng, shape):
    return rng.uniform(-1, 1, shape)


def _sym(rng, shape):
    a = _u(rng, shape)
    return a + np.swapaxes(a, -1, -2)


def _spd(rng, shape):
    m = _u(rng, shape)
    return m @ np.swapaxes(m, -1, -2) + np.eye(shape[-1])


def _raises_like_torch(tw_call, torch_call, exc=RuntimeError):
    with pytest.raises(Exception) as want:
        torch_call()
    with pytest.raises(exc) as got:
        tw_call()
    # tensorweave may add how to fix it after PyTorch's message.
    assert str(got.value).startswith(str(want.value))


# -- lstsq ----------------------------------------------------------------------------------------

LSTSQ_SHAPES = [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((4, 4), (4, 1)),
                ((2, 1, 5, 3), (1, 3, 5, 2)), ((3, 5, 2), (3, 5)), ((5, 3), (5,))]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("sa,sb", LSTSQ_SHAPES)
def test_lstsq_matches_torch_with_gradients(path, sa, sb, driver):
    rng = np.random.default_rng(0)
    compare(lambda a, b: tuple(tw.linalg.lstsq(a, b, driver=driver)),
            lambda a, b: tuple(torch.linalg.lstsq(a, b, driver=driver)), _u(rng, sa), _u(rng, sb))


def test_lstsq_defaults_to_gelsy():
    rng = np.random.default_rng(1)
    a, b = tw.tensor(_u(rng, (5, 3))), tw.tensor(_u(rng, (5, 2)))
    out = tw.linalg.lstsq(a, b)
    assert out.residuals.shape == (0,) and out.singular_values.shape == (0,)
    assert out.rank.dtype is tw.int64 and int(out.rank) == 3


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_of_rank_deficient_input_gives_torchs_rank_and_minimum_norm_solution(path, driver):
    rng = np.random.default_rng(2)
    a = _u(rng, (2, 5, 2)) @ _u(rng, (2, 2, 3))  # rank 2 < n = 3: no residuals
    b = _u(rng, (2, 5, 2))
    got = tw.linalg.lstsq(tw.tensor(a), tw.tensor(b), driver=driver)
    want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    np.testing.assert_array_equal(got.rank.numpy(), want.rank.numpy())
    assert got.rank.numpy().tolist() == [2, 2]
    np.testing.assert_allclose(got.solution.numpy(), want.solution.numpy(), atol=1e-9)
    assert got.residuals.shape == want.residuals.shape == (0,)
    np.testing.assert_allclose(got.singular_values.numpy(), want.singular_values.numpy(),
                               atol=1e-12)
    # A larger rcond drops the second singular value too.
    sv = np.linalg.svd(a[0], compute_uv=False)
    big = sv[1] / sv[0] * 1.01
    got = tw.linalg.lstsq(tw.tensor(a[0]), tw.tensor(b[0]), rcond=big, driver=driver)
    want = torch.linalg.lstsq(torch.tensor(a[0]), torch.tensor(b[0]), rcond=big, driver="gelsd")
    assert int(got.rank) == int(want.rank) == 1
    np.testing.assert_allclose(got.solution.numpy(), want.solution.numpy(), atol=1e-9)


def test_lstsq_residuals_need_every_matrix_of_full_rank_for_gelsd_not_gels():
    rng = np.random.default_rng(3)
    a = np.stack([_u(rng, (5, 3)), _u(rng, (5, 2)) @ _u(rng, (2, 3))])
    b = _u(rng, (2, 5, 2))
    for driver in ["gelsd", "gels"]:
        got = tw.linalg.lstsq(tw.tensor(a), tw.tensor(b), driver=driver).residuals
        want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver).residuals
        assert got.shape == want.shape == ((0,) if driver == "gelsd" else (2, 2))


@pytest.mark.parametrize("sa,sb", [((0, 3), (0, 2)), ((3, 0), (3, 2))])
def test_lstsq_of_empty_matrices(sa, sb):
    a, b = np.zeros(sa), np.zeros(sb)
    compare(lambda x, y: tuple(tw.linalg.lstsq(x, y, driver="gelsd")),
            lambda x, y: tuple(torch.linalg.lstsq(x, y, driver="gelsd")), a, b, grad=False)


@pytest.mark.parametrize("sa,sb,kw", [((3,), (3, 2), {}), ((3, 2), (3, 2, 1, 1), {}),
                                      ((4, 3), (5, 2), {}), ((4, 3), (5,), {}),
                                      ((4, 3), (4, 2), {"driver": "lapack"})])
def test_lstsq_errors_are_torchs(sa, sb, kw):
    a, b = np.ones(sa), np.ones(sb)
    _raises_like_torch(lambda: tw.linalg.lstsq(tw.tensor(a), tw.tensor(b), **kw),
                       lambda: torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), **kw))


def test_lstsq_dtype_errors():
    a = np.ones((4, 3))
    _raises_like_torch(lambda: tw.linalg.lstsq(tw.tensor(a), tw.tensor(a, dtype=tw.float32)),
                       lambda: torch.linalg.lstsq(torch.tensor(a), torch.tensor(a).float()))
    with pytest.raises(RuntimeError, match="doesn't handle types other than float and double"):
        tw.linalg.lstsq(tw.ones(4, 3, dtype=tw.int64), tw.ones(4, 3, dtype=tw.int64))


# -- tensorinv, tensorsolve -----------------------------------------------------------------------

@pytest.mark.parametrize("shape,ind", [((4, 6, 8, 3), 2), ((4, 2, 2), 1), ((6, 2, 3), 1)])
def test_tensorinv_matches_torch_with_gradients(shape, ind):
    a = np.random.default_rng(4).uniform(-1, 1, shape)
    compare(lambda x: tw.linalg.tensorinv(x, ind=ind), lambda x: torch.linalg.tensorinv(x, ind=ind),
            a, atol=1e-8)


def test_tensorinv_errors():
    _raises_like_torch(lambda: tw.linalg.tensorinv(tw.ones(4, 6, dtype=tw.float64), ind=0),
                       lambda: torch.linalg.tensorinv(torch.ones(4, 6, dtype=torch.float64), ind=0))
    _raises_like_torch(lambda: tw.linalg.tensorinv(tw.ones(4, 6, 8, dtype=tw.float64)),
                       lambda: torch.linalg.tensorinv(torch.ones(4, 6, 8, dtype=torch.float64)))


@pytest.mark.parametrize("sa,sb,dims", [((2, 3, 6), (2, 3), None), ((6, 2, 3), (2, 3), (0,)),
                                        ((6, 2, 3), (6,), None), ((2, 3, 3, 2), (3, 2), (0, 1))])
def test_tensorsolve_matches_torch_with_gradients(sa, sb, dims):
    rng = np.random.default_rng(5)
    compare(lambda a, b: tw.linalg.tensorsolve(a, b, dims=dims),
            lambda a, b: torch.linalg.tensorsolve(a, b, dims=dims), _u(rng, sa), _u(rng, sb),
            atol=1e-8)


def test_tensorsolve_shape_error_is_torchs():
    a, b = np.ones((2, 3, 5)), np.ones((2, 3))
    _raises_like_torch(lambda: tw.linalg.tensorsolve(tw.tensor(a), tw.tensor(b)),
                       lambda: torch.linalg.tensorsolve(torch.tensor(a), torch.tensor(b)))


# -- householder_product --------------------------------------------------------------------------

@pytest.mark.parametrize("sa,st", [((4, 3), (2,)), ((2, 5, 3), (2, 3)), ((3, 3), (3,)),
                                   ((4, 1), (1,))])
def test_householder_product_matches_torch_with_gradients(sa, st):
    rng = np.random.default_rng(6)
    compare(tw.linalg.householder_product, torch.linalg.householder_product, _u(rng, sa),
            _u(rng, st))


def test_householder_product_of_geqrf_is_the_q_of_qr():
    a = torch.tensor(np.random.default_rng(7).uniform(-1, 1, (2, 5, 3)))
    packed, tau = torch.geqrf(a)
    got = tw.linalg.householder_product(tw.tensor(packed.numpy()), tw.tensor(tau.numpy()))
    np.testing.assert_allclose(got.numpy(), torch.linalg.qr(a).Q.numpy(), atol=1e-12)
    # No reflections: the first n columns of the identity.
    np.testing.assert_array_equal(
        tw.linalg.householder_product(tw.ones(4, 2, dtype=tw.float64),
                                      tw.zeros(0, dtype=tw.float64)).numpy(), np.eye(4, 2))


@pytest.mark.parametrize("sa,st,tau_dtype", [((3,), (1,), None), ((3, 4), (2,), None),
                                             ((4, 3), (4,), None), ((4, 3), (1, 2), None),
                                             ((2, 4, 3), (3, 2), None),
                                             ((4, 3), (2,), "float32")])
def test_householder_product_errors_are_torchs(sa, st, tau_dtype):
    a, t = np.ones(sa), np.ones(st, dtype=tau_dtype or np.float64)
    _raises_like_torch(lambda: tw.linalg.householder_product(tw.tensor(a), tw.tensor(t)),
                       lambda: torch.linalg.householder_product(torch.tensor(a), torch.tensor(t)))


# -- vander ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,n", [((3,), None), ((2, 3), 4), ((), 2), ((4,), 2)])
def test_vander_matches_torch_with_gradients(shape, n):
    x = np.random.default_rng(8).uniform(-2, 2, shape)
    compare(lambda t: tw.linalg.vander(t, N=n), lambda t: torch.linalg.vander(t, N=n), x)


def test_vander_of_integers_is_int64_and_errors_are_torchs():
    x = np.array([[1, 2, 3], [-1, 0, 4]], dtype=np.int32)
    compare(tw.linalg.vander, torch.linalg.vander, x, grad=False)
    for arr, kw in [(np.array([1.0, 2.0]), {"N": 1}), (np.array(1.0), {}),
                    (np.array([True, False]), {}), (np.array([1.0, 2.0], np.float16), {})]:
        _raises_like_torch(lambda: tw.linalg.vander(tw.tensor(arr), **kw),
                           lambda: torch.linalg.vander(torch.tensor(arr), **kw))


# -- cholesky_ex, inv_ex, solve_ex -----------------------------------------------------------------

def test_ex_variants_of_good_inputs_match_torch_with_gradients(path):
    rng = np.random.default_rng(9)
    spd, a, b = _spd(rng, (2, 3, 3)), well_conditioned(rng, (2, 3, 3)), _u(rng, (2, 3, 2))
    for upper in [False, True]:
        compare(lambda x: tuple(tw.linalg.cholesky_ex(x, upper=upper)),
                lambda x: tuple(torch.linalg.cholesky_ex(x, upper=upper)), spd)
    compare(lambda x: tuple(tw.linalg.inv_ex(x)), lambda x: tuple(torch.linalg.inv_ex(x)), a)
    for left in [True, False]:
        compare(lambda x, y: tuple(tw.linalg.solve_ex(x, y, left=left)),
                lambda x, y: tuple(torch.linalg.solve_ex(x, y, left=left)), a,
                b if left else np.swapaxes(b, -1, -2))
    compare(lambda x, y: tuple(tw.linalg.solve_ex(x, y)),
            lambda x, y: tuple(torch.linalg.solve_ex(x, y)), a, b[..., 0])


def _check_ex(tw_fn, torch_fn, bad, good, *rest):
    """info as torch's for a batch [bad, good]; nan for bad, torch's values and gradients
    (compared on the good matrix alone) for good."""
    batch = np.stack([bad, good])
    got = tw_fn(tw.tensor(batch), *[tw.tensor(r) for r in rest])
    want = torch_fn(torch.tensor(batch), *[torch.tensor(r) for r in rest])
    assert got.info.dtype is tw.int32
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    assert np.isnan(got[0].numpy()[0]).all()
    np.testing.assert_allclose(got[0].numpy()[1], want[0].numpy()[1], atol=1e-12)
    x = tw.tensor(batch, requires_grad=True)
    tw_fn(x, *[tw.tensor(r) for r in rest])[0][1].sum().backward()
    xt = torch.tensor(good, requires_grad=True)
    torch_fn(xt, *[torch.tensor(r[1]) if r.ndim > 1 else torch.tensor(r) for r in rest])[0].sum(
    ).backward()
    np.testing.assert_array_equal(x.grad.numpy()[0], 0.0)
    np.testing.assert_allclose(x.grad.numpy()[1], xt.grad.numpy(), atol=1e-10)


def test_ex_variants_report_torchs_info_for_failing_matrices(path):
    rng = np.random.default_rng(10)
    not_pd = np.array([[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    _check_ex(tw.linalg.cholesky_ex, torch.linalg.cholesky_ex, not_pd, _spd(rng, (3, 3)))
    _check_ex(tw.linalg.cholesky_ex, torch.linalg.cholesky_ex, -np.eye(3), _spd(rng, (3, 3)))
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    _check_ex(tw.linalg.inv_ex, torch.linalg.inv_ex, singular, well_conditioned(rng, (3, 3)))
    _check_ex(tw.linalg.solve_ex, torch.linalg.solve_ex, singular, well_conditioned(rng, (3, 3)),
              _u(rng, (2, 3, 2)))
    _check_ex(tw.linalg.solve_ex, torch.linalg.solve_ex, singular, well_conditioned(rng, (3, 3)),
              _u(rng, (3,)))


def test_ex_variants_raise_torchs_errors_with_check_errors(path):
    not_pd = np.array([[[4.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])
    singular = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])
    cases = [(lambda m, fw: fw.linalg.cholesky_ex(m, check_errors=True), not_pd),
             (lambda m, fw: fw.linalg.cholesky_ex(m[0], check_errors=True), not_pd),
             (lambda m, fw: fw.linalg.inv_ex(m, check_errors=True), singular),
             (lambda m, fw: fw.linalg.inv_ex(m[1], check_errors=True), singular),
             (lambda m, fw: fw.linalg.solve_ex(m, m, check_errors=True), singular)]
    for call, m in cases:
        _raises_like_torch(lambda: call(tw.tensor(m), tw), lambda: call(torch.tensor(m), torch),
                           tw.linalg.LinAlgError)


def test_ex_variants_keep_the_shape_errors_of_their_base():
    a = np.ones((3, 4))
    for name in ["cholesky_ex", "inv_ex"]:
        _raises_like_torch(lambda: getattr(tw.linalg, name)(tw.tensor(a)),
                           lambda: getattr(torch.linalg, name)(torch.tensor(a)))
    _raises_like_torch(lambda: tw.linalg.solve_ex(tw.tensor(np.eye(3)), tw.tensor(a.T)),
                       lambda: torch.linalg.solve_ex(torch.tensor(np.eye(3)), torch.tensor(a.T)))


# -- ldl_factor, ldl_solve ------------------------------------------------------------------------

LDL_CASES = {
    "2x2 pivots": np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]),
    "swap": np.array([[0.1, 2.0, 0.0], [2.0, 5.0, 1.0], [0.0, 1.0, -3.0]]),
    "definite": _spd(np.random.default_rng(11), (4, 4)),
}


def _ldl_inputs():
    rng = np.random.default_rng(12)
    small_diag = _sym(rng, (6, 5, 5)) * np.where(np.eye(5), 0.05, 1.0)  # mixes 1x1 and 2x2
    return [*LDL_CASES.values(), small_diag, _sym(rng, (2, 3, 4, 4)), np.ones((1, 1))]


@pytest.mark.parametrize("k", range(6))
def test_ldl_factor_matches_torchs_packed_format(k):
    a = _ldl_inputs()[k]
    got = tw.linalg.ldl_factor_ex(tw.tensor(a))
    want = torch.linalg.ldl_factor_ex(torch.tensor(a))
    np.testing.assert_array_equal(got.pivots.numpy(), want.pivots.numpy())
    assert got.pivots.dtype is tw.int32 and got.info.dtype is tw.int32
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), atol=1e-12)
    np.testing.assert_array_equal(got.info.numpy(), 0)
    ld, piv = tw.linalg.ldl_factor(tw.tensor(a))
    np.testing.assert_array_equal(ld.numpy(), got.LD.numpy())
    # Only the lower triangle is read.
    junk = np.tril(a) + np.triu(np.full_like(a, 7.0), 1)
    np.testing.assert_array_equal(tw.linalg.ldl_factor(tw.tensor(junk)).LD.numpy(), ld.numpy())


@pytest.mark.parametrize("k", range(6))
def test_ldl_solve_matches_torch(k):
    a = _ldl_inputs()[k]
    b = np.random.default_rng(13).uniform(-1, 1, (*a.shape[:-1], 2))
    ld, piv = torch.linalg.ldl_factor(torch.tensor(a))
    want = torch.linalg.ldl_solve(ld, piv, torch.tensor(b))
    got = tw.linalg.ldl_solve(*tw.linalg.ldl_factor(tw.tensor(a)), tw.tensor(b))
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)
    np.testing.assert_allclose(a @ got.numpy(), b, atol=1e-10)


def test_ldl_solve_broadcasts_b_and_differentiates_in_b_as_solve():
    a = LDL_CASES["2x2 pivots"]
    b = np.random.default_rng(14).uniform(-1, 1, (2, 3, 2))
    ld, piv = tw.linalg.ldl_factor(tw.tensor(a))
    compare(lambda y: tw.linalg.ldl_solve(ld, piv, y),
            lambda y: torch.linalg.solve(torch.tensor(a), y), b)


def test_ldl_factor_of_singular_matrix_reports_info():
    s = np.stack([LDL_CASES["swap"], np.diag([1.0, 0.0, 0.0])])
    got = tw.linalg.ldl_factor_ex(tw.tensor(s))
    want = torch.linalg.ldl_factor_ex(torch.tensor(s))
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    np.testing.assert_array_equal(got.pivots.numpy(), want.pivots.numpy())
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), atol=1e-12)
    msg = r"\(Batch element 1\): The factorization found a zero block of D at D\[2,2\]"
    with pytest.raises(tw.linalg.LinAlgError, match=msg):
        tw.linalg.ldl_factor(tw.tensor(s))
    with pytest.raises(tw.linalg.LinAlgError, match="ldl_factor_ex: " + msg):
        tw.linalg.ldl_factor_ex(tw.tensor(s), check_errors=True)


def test_ldl_errors_are_torchs():
    ld, piv = torch.linalg.ldl_factor(torch.tensor(LDL_CASES["definite"]))
    twld = tw.tensor(ld.numpy())
    for a in [np.ones((3, 4)), np.ones(3)]:
        _raises_like_torch(lambda: tw.linalg.ldl_factor_ex(tw.tensor(a)),
                           lambda: torch.linalg.ldl_factor_ex(torch.tensor(a)))
    with pytest.raises(RuntimeError, match="ldl_factor_ex: Expected a floating point or complex "
                                           "tensor as input. Got int32"):
        tw.linalg.ldl_factor_ex(tw.ones(3, 3, dtype=tw.int32))
    for b, p in [(np.ones((3, 2)), piv.numpy()), (np.ones((4, 2), np.float32), piv.numpy()),
                 (np.ones((4, 2)), piv.numpy()[:3])]:
        _raises_like_torch(lambda: tw.linalg.ldl_solve(twld, tw.tensor(p), tw.tensor(b)),
                           lambda: torch.linalg.ldl_solve(ld, torch.tensor(p), torch.tensor(b)))


# -- every device ---------------------------------------------------------------------------------

def _not_pd_first(t):
    """A batch whose first matrix is not positive-definite: its factor is nan."""
    return tw.linalg.cholesky_ex(tw.stack([-(t @ t.mT), t @ t.mT + 0.5]))[0][1]


DEVICE_CASES = {
    "lstsq": lambda t: tw.linalg.lstsq(tw.cat([t, t * 0.5]), tw.cat([t, -t]),
                                       driver="gelsd").solution,
    "lstsq_residuals": lambda t: tw.linalg.lstsq(tw.cat([t, t * 0.5]), tw.cat([t, -t]),
                                                 driver="gels").residuals,
    "tensorinv": lambda t: tw.linalg.tensorinv(t.reshape(3, 3, 1), ind=1),
    "householder_product": lambda t: tw.linalg.householder_product(t, t[0]),
    "vander": lambda t: tw.linalg.vander(t, N=4),
    "cholesky_ex": _not_pd_first,
    "inv_ex": lambda t: tw.linalg.inv_ex(tw.stack([t, t * 0.0]))[0][0],
    "ldl_solve": lambda t: tw.linalg.ldl_solve(*tw.linalg.ldl_factor(t + t.mT), t),
}


@pytest.mark.parametrize("case", list(DEVICE_CASES))
def test_on_every_device_equal_cpu(device, case):
    """Forward values and input gradients on ``device`` equal cpu's (float32)."""
    assert_device_equals_cpu(device, DEVICE_CASES[case],
                             well_conditioned(np.random.default_rng(15), (3, 3)))
    sym = tw.tensor(LDL_CASES["2x2 pivots"], dtype=tw.float32, device=device)
    assert tw.linalg.ldl_factor(sym).pivots.cpu().numpy().tolist() == [-3, -3, 3]
