"""Complex matrices in linear algebra: the holomorphic functions (LU, the solves, inverse,
determinant and slogdet, matrix exponential and powers), Cholesky, cholesky_solve and eigh of
Hermitian matrices, SVD, pinv, QR and eig: values and gradients equal PyTorch 2.13's, the
decompositions (what a backend without LAPACK runs) equal NumPy's complex128, LU pivots as
LAPACK's; lstsq, geqrf, householder_product and ormqr; what does not take complex matrices
yet (ldl_factor) says so."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.conformance import runner
from tensorweave.ops import decompositions as dec

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)


def _c(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


A = _c(3, 3) + 2 * np.eye(3)
B = _c(3, 2)

CASES = {
    "inv": lambda m, a, b: m.linalg.inv(a),
    "inverse": lambda m, a, b: m.inverse(a),
    "det": lambda m, a, b: m.linalg.det(a),
    "solve": lambda m, a, b: m.linalg.solve(a, b),
    "solve-right": lambda m, a, b: m.linalg.solve(a, b.mT, left=False),
    "solve_triangular": lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
    "solve_triangular-right-unit": lambda m, a, b: m.linalg.solve_triangular(
        a, b.mT, upper=False, left=False, unitriangular=True),
    "lu_factor": lambda m, a, b: m.linalg.lu_factor(a)[0],
    "lu": lambda m, a, b: m.linalg.lu(a)[2],
    "lu_solve": lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b),
    "lu_solve-adjoint": lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b,
                                                          adjoint=True),
    "lu_solve-right": lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b.mT,
                                                        left=False),
    "lu_solve-right-adjoint": lambda m, a, b: m.linalg.lu_solve(
        *m.linalg.lu_factor(a), b.mT, left=False, adjoint=True),
    "matrix_exp": lambda m, a, b: m.linalg.matrix_exp(a * 0.5),
    "matrix_power": lambda m, a, b: m.linalg.matrix_power(a, -2),
    "slogdet-logabsdet": lambda m, a, b: m.linalg.slogdet(a)[1],
    "logdet": lambda m, a, b: m.logdet(a),
    "pinv": lambda m, a, b: m.linalg.pinv(a),
    "pinv-tall": lambda m, a, b: m.linalg.pinv(b) @ a,
    "pinv-hermitian-atol-wide": lambda m, a, b: m.linalg.pinv(
        a @ a.mH, hermitian=True, atol=0.1) @ m.linalg.pinv(b.mT),
    "cholesky_solve": lambda m, a, b: m.cholesky_solve(b, m.linalg.cholesky(a @ a.mH)),
    "cholesky_solve-upper": lambda m, a, b: m.cholesky_solve(
        b, m.linalg.cholesky(a @ a.mH, upper=True), upper=True),
    "cholesky_inverse": lambda m, a, b: m.cholesky_inverse(m.linalg.cholesky(a @ a.mH)),
}


def _np(t):
    return t.resolve_conj().numpy() if isinstance(t, torch.Tensor) else t.numpy()


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_equal_pytorchs(name):
    out = []
    for m in (tw, torch):
        a, b = (m.tensor(x, requires_grad=True) for x in (A, B))
        y = CASES[name](m, a, b)
        (y.abs() ** 2).sum().backward()
        out.append([_np(y.detach()), _np(a.grad), None if b.grad is None else _np(b.grad)])
    for got, want in zip(*out):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


def test_lu_pivots_by_lapacks_measure():
    # |3| > |2 + 2j|, but LAPACK pivots on |re| + |im|: 3 < 4.
    a = np.array([[3 + 0j, 1], [2 + 2j, 1]])
    lu, piv = tw.linalg.lu_factor(tw.tensor(a))
    want_lu, want_piv = torch.linalg.lu_factor(torch.tensor(a))
    np.testing.assert_array_equal(piv.numpy(), want_piv.numpy())
    np.testing.assert_allclose(lu.numpy(), want_lu.numpy(), rtol=1e-12)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_of_complex_matrices_equals_pytorchs(driver):
    tall, rhs = _c(5, 3), _c(5, 2)
    out = []
    for m in (tw, torch):
        a, b = m.tensor(tall, requires_grad=True), m.tensor(rhs, requires_grad=True)
        r = m.linalg.lstsq(a, b, driver=driver)
        loss = (r.solution.abs() ** 2).sum() + r.residuals.sum()
        loss.backward()
        out.append([_np(v.detach()) for v in r] + [_np(a.grad), _np(b.grad)])
    for got, want in zip(*out):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


def test_slogdet_sign_gradient_and_matrix_rank_equal_pytorchs():
    out = []
    for m in (tw, torch):
        a = m.tensor(A, requires_grad=True)
        sign, logabsdet = m.linalg.slogdet(a)
        ((sign * (0.3 - 2j)).real + 0.5 * logabsdet).backward()
        low = m.tensor(B) @ m.tensor(B).mH  # rank 2 of 3
        out.append((_np(sign.detach()), _np(logabsdet.detach()), _np(a.grad),
                    m.linalg.matrix_rank(low).item(), m.linalg.matrix_rank(a).item()))
    for got, want in zip(*out):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["linalg_lu_factor", "linalg_solve_triangular",
                                  "linalg_solve", "inverse", "det", "cholesky", "slogdet",
                                  "cholesky_solve"])
def test_decompositions_pass_conformance_in_complex_dtypes(name, monkeypatch):
    op = getattr(dec, name)
    monkeypatch.delitem(op.kernels, "cpu", raising=False)
    bad = [r for dt in (tw.complex64, tw.complex128)
           for r in runner.check_forward(op, "cpu", dt) if not r.passed]
    assert not bad, "\n".join(f"{r.dtype} {r.check}: {r.detail}" for r in bad)


def test_geqrf_equals_lapacks_and_householder_products_and_ormqr_equal_pytorchs():
    tall, other = _c(2, 4, 3), _c(2, 4, 2)
    for mat in (tall, np.array([[1 + 1j, 2], [0, 3j]])):  # the second: x = 0, alpha complex
        a, tau = tw.geqrf(tw.tensor(mat))
        want_a, want_tau = torch.geqrf(torch.tensor(mat))
        np.testing.assert_allclose(a.numpy(), want_a.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(tau.numpy(), want_tau.numpy(), rtol=1e-12, atol=1e-14)
    a0, tau0 = (t.numpy() for t in torch.geqrf(torch.tensor(tall)))
    for left in (True, False):
        for transpose in (False, True):
            out = []
            for m in (tw, torch):
                a, tau = m.tensor(a0, requires_grad=True), m.tensor(tau0, requires_grad=True)
                c = m.tensor(other if left else np.swapaxes(other, -1, -2), requires_grad=True)
                y = m.ormqr(a, tau, c, left=left, transpose=transpose)
                q = m.linalg.householder_product(a, tau)
                ((y.abs() ** 2) * m.arange(y.shape[-1], dtype=m.float64)).sum().backward(
                    retain_graph=True)
                (q.abs() ** 2 * m.arange(3, dtype=m.float64)).sum().backward()
                out.append([_np(v) for v in (y.detach(), q.detach(), a.grad, tau.grad, c.grad)])
            for got, want in zip(*out):
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("call", [lambda m: m.linalg.ldl_factor(m.eye(2, dtype=m.complex128))])
def test_what_does_not_take_complex_matrices_yet_says_so(call):
    call(torch)  # PyTorch takes them
    with pytest.raises(RuntimeError, match="complex matrices are not supported yet"):
        call(tw)


# -- eig ------------------------------------------------------------------------------------------

EIG_MATRICES = {"real": RNG.standard_normal((4, 4)), "complex-batch": _c(2, 3, 3),
                "rotation": np.array([[0.0, -1.0], [1.0, 0.0]])}


def _phase_free_loss(m, vals, vecs):
    weights = m.arange(vecs.shape[-1], dtype=m.float64) + 1
    return (vals * vals).real.sum() + vals.abs().sum() + (vecs.abs() ** 2 * weights).sum()


@pytest.mark.parametrize("name", list(EIG_MATRICES))
def test_eig_values_vectors_and_gradients_equal_pytorchs(name):
    out = []
    for m in (tw, torch):
        a = m.tensor(EIG_MATRICES[name], requires_grad=True)
        vals, vecs = m.linalg.eig(a)
        _phase_free_loss(m, vals, vecs).backward()
        out.append((_np(vals.detach()), _np(vecs.detach()), _np(a.grad)))
    (vals, vecs, grad), (want_vals, want_vecs, want_grad) = out
    assert vals.dtype == want_vals.dtype and vecs.dtype == want_vecs.dtype
    np.testing.assert_allclose(vals, want_vals, rtol=1e-10, atol=1e-12)
    # LAPACK fixes each column up to a sign (largest component real): compare up to it.
    phase = np.sum(np.conj(want_vecs) * vecs, axis=-2, keepdims=True)
    np.testing.assert_allclose(np.abs(phase), 1, rtol=1e-10)
    np.testing.assert_allclose(vecs, want_vecs * phase, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-9, atol=1e-12)


def test_eigvals_gradient_and_the_ill_defined_phase_error_are_pytorchs():
    a0 = EIG_MATRICES["real"]
    grads = []
    for m in (tw, torch):
        a = m.tensor(a0, requires_grad=True)
        m.linalg.eigvals(a).abs().sum().backward()
        grads.append(_np(a.grad))
        with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
            m.linalg.eig(m.tensor(a0, requires_grad=True))[1].real.sum().backward()
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_eig_refuses_what_it_cannot_decompose():
    with pytest.raises(RuntimeError, match="should not contain infs or NaNs"):
        tw.linalg.eig(tw.tensor([[1.0, float("nan")], [0.0, 1.0]]))
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        tw.linalg.eig(tw.ones(2, 3))
    vals, vecs = tw.linalg.eig(tw.zeros(0, 0))
    assert vals.shape == (0,) and vecs.shape == (0, 0) and vals.dtype is tw.complex64


def test_eig_passes_conformance_on_cpu():
    bad = [r for dt in dec.D.COMPLEX for r in runner.check_forward(
        tw.ops.eig.linalg_eig, "cpu", dt) if not r.passed]
    assert not bad, "\n".join(f"{r.dtype} {r.check}: {r.detail}" for r in bad)


# -- Hermitian: cholesky, eigh ------------------------------------------------------------------

_M = _c(2, 3, 3)
HERMITIAN = _M @ np.conj(np.swapaxes(_M, -1, -2)) + np.eye(3)

HERMITIAN_CASES = {
    "cholesky": lambda m, a: m.linalg.cholesky(a),
    "cholesky-upper": lambda m, a: m.linalg.cholesky(a, upper=True),
    "cholesky_ex": lambda m, a: m.linalg.cholesky_ex(a)[0],
    "eigvalsh": lambda m, a: m.linalg.eigvalsh(a),
    "eigvalsh-upper": lambda m, a: m.linalg.eigvalsh(a, UPLO="U"),
    "eigh-moduli": lambda m, a: m.linalg.eigh(a)[1].abs(),  # independent of the phases
}


@pytest.mark.parametrize("name", list(HERMITIAN_CASES))
def test_hermitian_decompositions_and_gradients_equal_pytorchs(name):
    out = []
    for m in (tw, torch):
        a = m.tensor(HERMITIAN, requires_grad=True)
        y = HERMITIAN_CASES[name](m, a)
        weights = m.arange(y.numel(), dtype=m.float64).reshape(y.shape)
        ((y.abs() ** 2 if y.is_complex() else y) * weights).sum().backward()
        out.append((_np(y.detach()), _np(a.grad)))
    for got, want in zip(*out):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


def test_eigh_vectors_are_unitary_and_phase_dependent_losses_raise():
    vals, vecs = tw.linalg.eigh(tw.tensor(HERMITIAN))
    v = vecs.numpy()
    np.testing.assert_allclose(np.conj(np.swapaxes(v, -1, -2)) @ v, np.broadcast_to(
        np.eye(3), v.shape), atol=1e-12)
    np.testing.assert_allclose(v @ (vals.numpy()[..., None] * np.conj(np.swapaxes(v, -1, -2))),
                               HERMITIAN, atol=1e-12)
    big = np.take_along_axis(v, np.argmax(np.abs(v), -2)[..., None, :], -2)
    np.testing.assert_allclose(big.imag, 0, atol=1e-15)  # the phase tensorweave fixes
    assert (big.real > 0).all()
    for m in (tw, torch):
        with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
            m.linalg.eigh(m.tensor(HERMITIAN, requires_grad=True))[1].real.sum().backward()


# -- SVD ----------------------------------------------------------------------------------------

SVD_MATRICES = {"tall": _c(4, 3), "wide": _c(3, 5), "batch": _c(2, 3, 3)}
SVD_LOSSES = {
    "svdvals": lambda m, a: m.linalg.svdvals(a).sum(),
    "U-moduli": lambda m, a: (m.linalg.svd(a, full_matrices=False)[0].abs() ** 2
                              * (m.arange(a.shape[-2], dtype=m.float64) + 1).unsqueeze(-1)).sum(),
    "Vh-moduli": lambda m, a: (m.linalg.svd(a, full_matrices=False)[2].abs() ** 3).sum(),
    "U-Vh-products": lambda m, a: (lambda u, s, vh: (u @ vh).real.sum()
                                   + ((u * s.unsqueeze(-2)) @ vh).imag.sum())(
        *m.linalg.svd(a, full_matrices=False)),
    "full-S": lambda m, a: (m.linalg.svd(a)[1] ** 2).sum(),
}


def test_svd_factors_and_the_ill_defined_phase_error():
    a = SVD_MATRICES["tall"]
    u, s, vh = tw.linalg.svd(tw.tensor(a))
    assert s.dtype is tw.float64 and u.dtype is tw.complex128
    np.testing.assert_allclose((u.numpy()[:, :3] * s.numpy()) @ vh.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(s.numpy(), torch.linalg.svdvals(torch.tensor(a)).numpy(),
                               rtol=1e-12)
    for m in (tw, torch):
        with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
            m.linalg.svd(m.tensor(a, requires_grad=True), full_matrices=False)[0].real.sum(
            ).backward()


# -- QR -----------------------------------------------------------------------------------------

QR_LOSSES = {
    "R": lambda m, a: (m.linalg.qr(a)[1].abs() ** 2).sum(),
    "Q": lambda m, a: (m.linalg.qr(a)[0] * (1 + 0.5j)).real.sum(),
    "Q-and-R": lambda m, a: (lambda q, r: (q.sum(-1).abs() ** 2).sum() + r.imag.sum()
                             + r.real.sum())(*m.linalg.qr(a)),
    "complete-square": lambda m, a: (m.linalg.qr(a[..., :3, :3], mode="complete")[0].real
                                     ** 2).sum(),
}


DECOMPOSITION_LOSSES = {**{f"svd-{k}": v for k, v in SVD_LOSSES.items()},
                        **{f"qr-{k}": v for k, v in QR_LOSSES.items()}}


@pytest.mark.parametrize("loss", list(DECOMPOSITION_LOSSES))
@pytest.mark.parametrize("shape", list(SVD_MATRICES))
def test_svd_and_qr_gradients_equal_pytorchs(shape, loss):
    out = []
    for m in (tw, torch):
        a = m.tensor(SVD_MATRICES[shape], requires_grad=True)
        value = DECOMPOSITION_LOSSES[loss](m, a)
        value.backward()
        out.append((value.item(), _np(a.grad)))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", list(SVD_MATRICES))
def test_qr_factors_equal_pytorchs(shape):
    (q, r), (want_q, want_r) = (m.linalg.qr(m.tensor(SVD_MATRICES[shape])) for m in (tw, torch))
    np.testing.assert_allclose(q.numpy(), _np(want_q), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(r.numpy(), _np(want_r), rtol=1e-9, atol=1e-11)
