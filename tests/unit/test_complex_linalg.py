"""Complex matrices in the holomorphic linear algebra (LU, the solves, inverse,
determinant, matrix exponential and powers): values and gradients equal PyTorch 2.13's,
the decompositions (what a backend without LAPACK runs) equal NumPy's complex128, LU
pivots as LAPACK's; the Hermitian decompositions refuse complex matrices clearly."""

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


@pytest.mark.parametrize("name", ["linalg_lu_factor", "linalg_solve_triangular",
                                  "linalg_solve", "inverse", "det"])
def test_decompositions_pass_conformance_in_complex_dtypes(name, monkeypatch):
    op = getattr(dec, name)
    monkeypatch.delitem(op.kernels, "cpu", raising=False)
    bad = [r for dt in (tw.complex64, tw.complex128)
           for r in runner.check_forward(op, "cpu", dt) if not r.passed]
    assert not bad, "\n".join(f"{r.dtype} {r.check}: {r.detail}" for r in bad)


@pytest.mark.parametrize("call", [lambda m: m.linalg.cholesky(m.eye(2, dtype=m.complex128)),
                                  lambda m: m.linalg.eigh(m.eye(2, dtype=m.complex128)),
                                  lambda m: m.linalg.svd(m.eye(2, dtype=m.complex128)),
                                  lambda m: m.linalg.qr(m.eye(2, dtype=m.complex128)),
                                  lambda m: m.linalg.slogdet(m.eye(2, dtype=m.complex128))])
def test_hermitian_decompositions_refuse_complex_matrices_clearly(call):
    with pytest.raises(RuntimeError, match="complex matrices are not supported yet"):
        call(tw)
