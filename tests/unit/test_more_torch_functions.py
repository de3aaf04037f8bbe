"""``torch.asarray``, the signal windows, ``torch.gradient``, the LU family
(``linalg.lu_solve``, ``lu``, ``lu_unpack``, ``lu_solve``), ``chain_matmul``, ``angle`` and
``detach``: values, dtypes and float64 gradients against PyTorch's."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(11)


def r(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def coords(n: int) -> np.ndarray:
    return np.cumsum(R.uniform(0.2, 1.0, n))


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_windows_match_pytorch(name, periodic, dtype):
    for n in (0, 1, 2, 7, 16):
        got = getattr(tw, name)(n, periodic, dtype=getattr(tw, dtype))
        want = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
        assert got.dtype.name == dtype and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6 if dtype == "float32"
                                   else 1e-14)


def test_window_options_and_errors():
    np.testing.assert_allclose(tw.hamming_window(9, False, 0.5, 0.5).numpy(),
                               torch.hamming_window(9, False, 0.5, 0.5).numpy(), atol=1e-6)
    np.testing.assert_allclose(tw.kaiser_window(8, True, 3.5, dtype=tw.float64).numpy(),
                               torch.kaiser_window(8, True, 3.5, dtype=torch.float64).numpy(),
                               rtol=1e-13)
    assert tw.hann_window(4).dtype is tw.float32
    assert tw.hann_window(3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="requires non-negative window_length"):
        tw.hann_window(-1)
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        tw.blackman_window(4, dtype=tw.int64)


GRADIENT_CASES = [
    ("even", lambda fw, y: fw.gradient(y), [r(4, 5)]),
    ("spacing-number", lambda fw, y: fw.gradient(y, spacing=0.5, edge_order=2), [r(4, 5)]),
    ("spacing-per-dim", lambda fw, y: fw.gradient(y, spacing=[2.0, 3.0]), [r(3, 4)]),
    ("one-dim", lambda fw, y: fw.gradient(y, dim=-1, edge_order=2), [r(2, 6)]),
    ("coordinates", lambda fw, y, x: fw.gradient(y, spacing=(x,), dim=1), [r(3, 5), coords(5)]),
    ("coordinates-second-order", lambda fw, y, a, b: fw.gradient(y, spacing=(a, b), edge_order=2),
     [r(4, 5), coords(4), coords(5)]),
]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradient_matches_pytorch(case):
    _, fn, inputs = case
    compare(functools.partial(fn, tw), functools.partial(fn, torch), *inputs)


def test_gradient_of_integers_and_errors():
    compare(tw.gradient, torch.gradient, np.array([1, 4, 9, 16]))
    with pytest.raises(RuntimeError, match="only supports edge_order=1 and edge_order=2"):
        tw.gradient(tw.ones(5), edge_order=3)
    with pytest.raises(RuntimeError, match="at least edge_order\\+1"):
        tw.gradient(tw.ones(2), edge_order=2)
    with pytest.raises(RuntimeError, match="a list of length 2"):
        tw.gradient(tw.ones(5), spacing=[1.0, 2.0])


def _square(*batch: int, n: int = 4) -> np.ndarray:
    return r(*batch, n, n) + 3 * np.eye(n)


LU_CASES = [
    ("linalg-lu-solve", lambda fw, a, b, c: (
        fw.linalg.lu_solve(*fw.linalg.lu_factor(a), b),
        fw.linalg.lu_solve(*fw.linalg.lu_factor(a), b, adjoint=True),
        fw.linalg.lu_solve(*fw.linalg.lu_factor(a), c, left=False),
        fw.linalg.lu_solve(*fw.linalg.lu_factor(a), c, left=False, adjoint=True)),
     [_square(2), r(2, 4, 3), r(2, 3, 4)]),
    ("broadcast-rhs", lambda fw, a, b: fw.linalg.lu_solve(*fw.linalg.lu_factor(a), b),
     [_square(3), r(4, 2)]),
    ("old-spellings", lambda fw, a, b: (*a.lu(), *fw.lu_unpack(*fw.lu(a)),
                                       fw.lu_solve(b, *fw.lu(a)), b.lu_solve(*a.lu())),
     [_square(2), r(2, 4, 1)]),
]


@pytest.mark.parametrize("case", LU_CASES, ids=[c[0] for c in LU_CASES])
def test_lu_family_matches_pytorch(case):
    _, fn, inputs = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.lu/lu_solve are deprecated
        compare(functools.partial(fn, tw), functools.partial(fn, torch), *inputs)


def test_lu_with_infos_reports_a_singular_matrix():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare(lambda t: tw.lu(t, get_infos=True), lambda t: torch.lu(t, get_infos=True), a,
                grad=False)
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        tw.linalg.lu_solve(*tw.linalg.lu_factor(tw.eye(3)), tw.ones(2, 1))


def test_asarray_shares_converts_or_refuses_like_pytorch():
    t = tw.ones(3, requires_grad=True) * 2
    assert tw.asarray(t) is t
    copied = tw.asarray(t, copy=True)
    assert copied is not t and copied.requires_grad and copied.tolist() == t.tolist()
    assert tw.asarray(t, dtype=tw.float64).dtype is tw.float64
    assert not tw.asarray(t, requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="can't alias"):
        tw.asarray(t, dtype=tw.float64, copy=False)
    a = np.ones(3)
    shared, fresh = tw.asarray(a), tw.asarray(a, copy=True)
    a[0] = 5.0
    assert shared.tolist() == [5.0, 1.0, 1.0] and fresh.tolist() == [1.0, 1.0, 1.0]
    assert shared.dtype is tw.float64
    for value in ([1.0, 2.0], 3, [[1, 2]], np.ones(2, dtype=np.float32)):
        got, want = tw.asarray(value), torch.asarray(value)
        assert got.dtype.name == str(want.dtype)[6:] and got.tolist() == want.tolist()
    assert tw.asarray([1, 2], dtype=tw.float64, requires_grad=True).requires_grad
    leaf = tw.ones(2)
    assert tw.asarray(leaf, requires_grad=True) is leaf and leaf.requires_grad


def test_chain_matmul_angle_and_detach():
    mats = [r(2, 3), r(3, 4), r(4, 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare(lambda *m: tw.chain_matmul(*m), lambda *m: torch.chain_matmul(*m), *mats)
        with pytest.raises(RuntimeError, match="Expected one or more matrices"):
            tw.chain_matmul()
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        tw.chain_matmul(tw.ones(2, 2))
    x = np.array([-2.0, 0.0, -0.0, 3.0, np.nan, -np.inf, np.inf])
    compare(tw.angle, torch.angle, x)
    compare(tw.angle, torch.angle, np.array([-3, 0, 4]))
    y = tw.ones(2, requires_grad=True) * 3
    assert not tw.detach(y).requires_grad and tw.detach(y).tolist() == [3.0, 3.0]


def test_new_functions_run_on_every_device(device):
    """Composites of backend ops: each device gives cpu's float64 values and gradients."""
    a, b, y = _square(2), r(2, 4, 3), r(4, 5)

    def run(dev: str) -> list[np.ndarray]:
        at = tw.tensor(a, device=dev, requires_grad=True)
        yt = tw.tensor(y, device=dev, requires_grad=True)
        outs = [tw.linalg.lu_solve(*tw.linalg.lu_factor(at), tw.tensor(b, device=dev),
                                   adjoint=True),
                *tw.gradient(yt, edge_order=2), tw.kaiser_window(6, device=dev, dtype=tw.float64),
                tw.asarray(y, device=dev)]
        tw.autograd.backward(outs[:3], [o.detach() * 0 + 1 for o in outs[:3]])
        return [o.detach().cpu().numpy() for o in outs] + [at.grad.cpu().numpy(),
                                                           yt.grad.cpu().numpy()]

    for got, want in zip(run(device), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
