"""`geqrf`, `orgqr` and `ormqr` (the compact Householder form of QR) against PyTorch's
LAPACK: the compact factor and tau of tall, wide, square, batched, empty and rank-deficient
inputs, Q @ C / Q^T @ C / C @ Q / C @ Q^T with float64 gradients in all three inputs, the
error messages, geqrf's backward error, and the same values on every device as on cpu."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
from tensorweave.householder import geqrf, orgqr, ormqr

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 5, 3), (1, 1), (0, 2), (2, 0)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_geqrf_equals_lapack(shape, dtype):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    mine, theirs = geqrf(tw.tensor(a)), torch.geqrf(torch.tensor(a))
    tol = 1e-12 if dtype == "float64" else 1e-5
    for got, want in zip(mine, theirs):
        assert got.dtype.name == dtype and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol)
    assert mine.a is mine[0] and mine.tau is mine[1]
    q = orgqr(*mine).numpy() if shape[-2] >= shape[-1] else None
    if q is not None:  # Q R rebuilds the input
        r = np.triu(mine.a.numpy())[..., :shape[-1], :]
        np.testing.assert_allclose(q @ r, a, atol=10 * tol)


def test_geqrf_of_columns_that_need_no_reflection():
    """LAPACK leaves a column alone (tau = 0, beta = alpha, even negative) when everything
    below its diagonal is zero."""
    a = np.array([[0.0, 1.0, 2.0], [0.0, -2.0, 1.0], [0.0, 0.0, -3.0]])
    for got, want in zip(geqrf(tw.tensor(a)), torch.geqrf(torch.tensor(a))):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("shape,other", [((5, 3), (5, 2)), ((3, 4), (3, 2)),
                                         ((2, 4, 4), (2, 4, 3))])
def test_ormqr_equals_pytorch_with_gradients(left, transpose, shape, other):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape)
    tau = torch.geqrf(torch.tensor(a)).tau.numpy()
    c = rng.standard_normal(other if left else other[:-2] + other[:-3:-1])
    compare(lambda *x: ormqr(*x, left=left, transpose=transpose),
            lambda *x: torch.ormqr(*x, left=left, transpose=transpose), a, tau, c)


def test_ormqr_applies_q_and_its_transpose():
    """op(Q) C with Q from orgqr: the four sides and orientations, and Q^T Q C = C."""
    rng = np.random.default_rng(2)
    a, tau = geqrf(tw.tensor(rng.standard_normal((4, 4))))
    q = orgqr(a, tau).numpy()
    c = rng.standard_normal((4, 4))
    ct = tw.tensor(c)
    np.testing.assert_allclose(ormqr(a, tau, ct).numpy(), q @ c, atol=1e-13)
    np.testing.assert_allclose(ormqr(a, tau, ct, transpose=True).numpy(), q.T @ c, atol=1e-13)
    np.testing.assert_allclose(ormqr(a, tau, ct, left=False).numpy(), c @ q, atol=1e-13)
    np.testing.assert_allclose(ormqr(a, tau, ct, left=False, transpose=True).numpy(), c @ q.T,
                               atol=1e-13)
    back = ormqr(a, tau, ormqr(a, tau, ct), transpose=True)
    np.testing.assert_allclose(back.numpy(), c, atol=1e-13)


def test_geqrf_backward_raises_as_pytorch():
    x = tw.tensor(np.ones((3, 2)), requires_grad=True)
    a, tau = geqrf(x)
    assert a.requires_grad and tau.requires_grad
    with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not "):
        (a.sum() + tau.sum()).backward()


def _errors(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except (RuntimeError, NotImplementedError) as e:
        return type(e), str(e)
    return None


D64 = np.float64


@pytest.mark.parametrize("case", [
    ("geqrf", [(3,)], {}),
    ("ormqr", [(3,), (3,), (3, 2)], {}),
    ("ormqr", [(4, 3), (3,), (4,)], {}),
    ("ormqr", [(4, 3), (3,), (3, 2)], {}),
    ("ormqr", [(4, 3), (3,), (2, 3)], {"left": False}),
    ("ormqr", [(4, 3), (4,), (4, 2)], {}),
    ("ormqr", [(4, 3), (2,), (4, 2)], {}),
    ("ormqr", [(3, 4), (4,), (3, 5)], {}),
    ("ormqr", [(4, 3), (2, 3), (4, 2)], {}),
    ("ormqr", [(4, 3), (3,), (2, 4, 2)], {}),
    ("ormqr", [(2, 4, 3), (3, 3), (2, 4, 2)], {}),
    ("ormqr", [(2, 4, 3), (2, 3), (3, 4, 2)], {}),
])
def test_errors_are_pytorchs(case):
    name, shapes, kwargs = case
    arrays = [np.ones(s, D64) for s in shapes]
    mine = _errors(getattr(tw.householder, name), *(tw.tensor(a) for a in arrays), **kwargs)
    theirs = _errors(getattr(torch, name), *(torch.tensor(a) for a in arrays), **kwargs)
    assert theirs is not None and mine == theirs


def test_dtype_errors():
    with pytest.raises(NotImplementedError, match="\"geqrf_cpu\" not implemented for 'Long'"):
        geqrf(tw.ones(3, 2, dtype=tw.int64))
    a, tau = geqrf(tw.ones(4, 3, dtype=tw.float64))
    theirs = _errors(torch.ormqr, torch.ones(4, 3, dtype=torch.float64),
                     torch.ones(3, dtype=torch.float32), torch.ones(4, 2, dtype=torch.float64))
    assert _errors(ormqr, a, tau.float(), tw.ones(4, 2, dtype=tw.float64)) == theirs
    theirs = _errors(torch.ormqr, torch.ones(4, 3, dtype=torch.float64),
                     torch.ones(3, dtype=torch.float64), torch.ones(4, 2))
    assert _errors(ormqr, a, tau, tw.ones(4, 2)) == theirs


def test_on_every_device_equal_cpu(device):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 5, 3)).astype(np.float32)
    c = rng.standard_normal((2, 5, 2)).astype(np.float32)
    want = [t.numpy() for t in geqrf(tw.tensor(a))]
    got = [t.cpu().numpy() for t in geqrf(tw.tensor(a, device=device))]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
    ref = ormqr(*(tw.tensor(w) for w in want), tw.tensor(c), transpose=True).numpy()
    out = ormqr(*(tw.tensor(w, device=device) for w in want), tw.tensor(c, device=device),
                transpose=True)
    np.testing.assert_allclose(out.cpu().numpy(), ref, rtol=1e-4, atol=1e-5)


def test_torch_level_functions_and_methods():
    """``tw.geqrf`` / ``x.geqrf()``, ``orgqr`` and ``ormqr`` as PyTorch spells them."""
    a = np.random.default_rng(3).standard_normal((4, 3))
    c = np.random.default_rng(4).standard_normal((4, 2))
    x, t = tw.tensor(a), torch.tensor(a)
    (qa, qt), (ta, tt) = x.geqrf(), t.geqrf()
    assert tw.geqrf is geqrf and tw.orgqr is orgqr and tw.ormqr is ormqr
    np.testing.assert_allclose(qa.orgqr(qt).numpy(), ta.orgqr(tt).numpy(), atol=1e-12)
    np.testing.assert_allclose(qa.ormqr(qt, tw.tensor(c), True, True).numpy(),
                               ta.ormqr(tt, torch.tensor(c), True, True).numpy(), atol=1e-12)
