"""``svd_lowrank`` and ``pca_lowrank`` against exact factorizations and PyTorch: exact
recovery of low-rank matrices (tall, wide, batched, with ``M``), singular values of
full-rank ones within the randomized error bound, orthonormal factors, PyTorch's shapes
for every ``q``, PCA's centering, gradients of a low-rank reconstruction, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")


def _low_rank(rng, shape, rank):
    return rng.standard_normal(shape[:-1] + (rank,)) @ rng.standard_normal(
        shape[:-2] + (rank, shape[-1]))


def _rebuild(u, s, v):
    return (u * s.unsqueeze(-2)) @ v.mT


@pytest.mark.parametrize("shape", [(9, 5), (5, 9), (2, 7, 6), (6, 6)])
def test_low_rank_matrices_are_recovered_exactly(shape, device):
    rng = np.random.default_rng(0)
    a = _low_rank(rng, shape, 3)
    tw.manual_seed(0)
    u, s, v = tw.svd_lowrank(tw.tensor(a, device=device), q=4)
    assert tuple(u.shape) == shape[:-1] + (4,) and tuple(v.shape) == shape[:-2] + (
        shape[-1], 4)
    np.testing.assert_allclose(_rebuild(u, s, v).cpu().numpy(), a, atol=1e-10)
    np.testing.assert_allclose(s.cpu().numpy()[..., :3],
                               np.linalg.svd(a, compute_uv=False)[..., :3], rtol=1e-10)
    eye = np.broadcast_to(np.eye(4), shape[:-2] + (4, 4))
    for f in (u, v):
        np.testing.assert_allclose((f.mT @ f).cpu().numpy(), eye, atol=1e-10)


def test_m_is_subtracted_and_q_beyond_the_rank_gives_pytorchs_shapes():
    rng = np.random.default_rng(1)
    a, m = _low_rank(rng, (8, 5), 2), rng.standard_normal((1, 5))
    u, s, v = tw.svd_lowrank(tw.tensor(a + m), q=2, M=tw.tensor(m))
    np.testing.assert_allclose(_rebuild(u, s, v).numpy(), a, atol=1e-10)
    for shape in ((5, 4), (4, 5), (3, 3), (8, 2)):
        ours = tw.svd_lowrank(tw.randn(*shape, dtype=tw.float64))
        theirs = torch.svd_lowrank(torch.randn(*shape, dtype=torch.float64))
        assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]


def test_full_rank_singular_values_within_the_power_iteration_bound():
    """With a decaying spectrum, two power iterations bring the top singular values to
    within 1e-6 relative (far below the gap-driven bound, but deterministic under the
    seed)."""
    rng = np.random.default_rng(2)
    q1, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    q2, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    sv = 2.0 ** -np.arange(30)
    a = q1[:, :30] * sv @ q2.T
    tw.manual_seed(3)
    _, s, _ = tw.svd_lowrank(tw.tensor(a), q=8, niter=2)
    np.testing.assert_allclose(s.numpy()[:4], sv[:4], rtol=1e-6)


def test_pca_centers_columns_and_matches_pytorchs_components():
    rng = np.random.default_rng(4)
    a = _low_rank(rng, (20, 6), 2) + rng.standard_normal(6) * 5
    u, s, v = tw.pca_lowrank(tw.tensor(a), q=2)
    tu, ts, tv = torch.pca_lowrank(torch.tensor(a), q=2)
    np.testing.assert_allclose(s.numpy(), ts.numpy(), rtol=1e-9)
    # the same principal directions, up to sign
    np.testing.assert_allclose(np.abs(v.numpy().T @ tv.numpy()), np.eye(2), atol=1e-9)
    np.testing.assert_allclose(_rebuild(u, s, v).numpy(), a - a.mean(0), atol=1e-9)
    assert [tuple(t.shape) for t in tw.pca_lowrank(tw.randn(6, 5))] == [
        tuple(t.shape) for t in torch.pca_lowrank(torch.randn(6, 5))]


def test_reconstruction_gradient_of_a_low_rank_matrix():
    """A low-rank A is rebuilt exactly, so the rebuild is the identity near A and its
    gradient is the cotangent itself."""
    rng = np.random.default_rng(5)
    a = tw.tensor(_low_rank(rng, (7, 5), 2), requires_grad=True)
    g = rng.standard_normal((7, 5))
    u, s, v = tw.svd_lowrank(a, q=2)
    (_rebuild(u, s, v) * tw.tensor(g)).sum().backward()
    proj_l, proj_r = u.detach().numpy(), v.detach().numpy()
    # the derivative of the rank-2 projection: the cotangent's part in the tangent space
    want = proj_l @ proj_l.T @ g + g @ proj_r @ proj_r.T - proj_l @ proj_l.T @ g @ proj_r @ \
        proj_r.T
    np.testing.assert_allclose(a.grad.numpy(), want, atol=1e-8)


@pytest.mark.parametrize("call, match", [
    (lambda: tw.pca_lowrank(tw.randn(5, 4), q=5), r"q\(=5\) must be non-negative integer and "
     r"not greater than min\(m, n\)=4"),
    (lambda: tw.pca_lowrank(tw.randn(5, 4), niter=-1), r"niter\(=-1\) must be non-negative"),
    (lambda: tw.svd_lowrank(tw.randn(5, 4), q=-1), r"q\(=-1\) must be non-negative integer$"),
    (lambda: tw.svd_lowrank(tw.randn(5, 4), q=2.5), r"q\(=2.5\)"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        tw.svd_lowrank(tw.randn(4))
