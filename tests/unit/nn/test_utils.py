"""`tensorweave.nn.utils`: gradient clipping and parameter/vector conversion against
PyTorch (float64, so the values agree to rounding).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.nn import utils

SHAPES = [(3, 4), (5,), (2, 2, 2), ()]


def _grads(seed: int = 0, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * scale for s in SHAPES]


def _params(fw: Any, grads: list[np.ndarray], with_grad: tuple[bool, ...] = ()) -> list[Any]:
    """Parameters (zeros) whose ``.grad`` holds ``grads`` (None where ``with_grad`` is False)."""
    out = []
    for i, g in enumerate(grads):
        p = fw.nn.Parameter(fw.zeros(g.shape, dtype=fw.float64))
        if not with_grad or with_grad[i]:
            p.grad = fw.tensor(g)
        out.append(p)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    torch = pytest.importorskip("torch")
    grads = _grads(1, scale=2.0)
    tp, mp = _params(torch, grads), _params(tw, grads)
    expected = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    got = utils.clip_grad_norm_(mp, max_norm, norm_type)
    assert isinstance(got, tw.Tensor) and got.shape == () and got.dtype == tw.float64
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-12)
    for t, m in zip(tp, mp):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_against_numpy_reference() -> None:
    grads = _grads(2)
    params = _params(tw, grads)
    flat = np.concatenate([g.ravel() for g in grads])
    total = np.linalg.norm(flat)
    assert utils.clip_grad_norm_(iter(params), max_norm=1.0).item() == pytest.approx(total)
    clipped = np.concatenate([p.grad.numpy().ravel() for p in params])
    np.testing.assert_allclose(clipped, flat / (total + 1e-6), rtol=1e-12)
    assert np.linalg.norm(clipped) <= 1.0


def test_clip_grad_norm_skips_missing_grads_and_accepts_one_tensor() -> None:
    torch = pytest.importorskip("torch")
    grads = _grads(3)
    mask = (True, False, True, False)
    tp, mp = _params(torch, grads, mask), _params(tw, grads, mask)
    expected = torch.nn.utils.clip_grad_norm_(tp, 0.1)
    assert utils.clip_grad_norm_(mp, 0.1).item() == pytest.approx(expected.item(), rel=1e-12)
    assert mp[1].grad is None and mp[3].grad is None
    single_t, single_m = _params(torch, grads[:1]), _params(tw, grads[:1])
    expected = torch.nn.utils.clip_grad_norm_(single_t[0], 0.2, norm_type=1)
    assert utils.clip_grad_norm_(single_m[0], 0.2, norm_type=1).item() == pytest.approx(
        expected.item(), rel=1e-12)
    np.testing.assert_allclose(single_m[0].grad.numpy(), single_t[0].grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_empty_input() -> None:
    out = utils.clip_grad_norm_([], 1.0)
    assert out.item() == 0.0 and out.dtype == tw.float32
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_nonfinite() -> None:
    torch = pytest.importorskip("torch")
    grads = _grads(4)
    grads[0][0, 0] = np.inf
    with pytest.raises(RuntimeError) as expected:
        torch.nn.utils.clip_grad_norm_(_params(torch, grads), 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as got:
        utils.clip_grad_norm_(_params(tw, grads), 1.0, error_if_nonfinite=True)
    assert str(got.value) == str(expected.value)
    assert math.isinf(utils.clip_grad_norm_(_params(tw, grads), 1.0).item())


def test_get_total_norm_and_clip_grads_with_norm_match_torch() -> None:
    torch = pytest.importorskip("torch")
    grads = _grads(5)
    tp, mp = _params(torch, grads), _params(tw, grads)
    t_norm = torch.nn.utils.get_total_norm([p.grad for p in tp], 3.0)
    m_norm = utils.get_total_norm([p.grad for p in mp], 3.0)
    assert m_norm.item() == pytest.approx(t_norm.item(), rel=1e-12)
    torch.nn.utils.clip_grads_with_norm_(tp, 0.3, t_norm)
    utils.clip_grads_with_norm_(mp, 0.3, m_norm)
    for t, m in zip(tp, mp):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_deprecated_clip_grad_norm_warns() -> None:
    params = _params(tw, _grads(6))
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        utils.clip_grad_norm(params, 1.0)


@pytest.mark.parametrize("clip_value", [0.3, 5.0])
def test_clip_grad_value_matches_torch(clip_value: float) -> None:
    torch = pytest.importorskip("torch")
    grads = _grads(7, scale=2.0)
    mask = (True, True, False, True)
    tp, mp = _params(torch, grads, mask), _params(tw, grads, mask)
    torch.nn.utils.clip_grad_value_(tp, clip_value)
    assert utils.clip_grad_value_(mp, clip_value) is None
    for t, m in zip(tp, mp):
        if t.grad is None:
            assert m.grad is None
            continue
        np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())
        assert np.abs(m.grad.numpy()).max() <= clip_value


def test_clip_under_a_graph_does_not_record() -> None:
    w = tw.nn.Parameter(tw.tensor([3.0, 4.0]))
    (w * w).sum().backward()
    norm = utils.clip_grad_norm_([w], 1.0)
    assert not norm.requires_grad and w.grad.grad_fn is None
    np.testing.assert_allclose(w.grad.numpy(), np.array([6.0, 8.0]) / (10.0 + 1e-6), rtol=1e-6)


def test_parameters_to_vector_and_back_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    values = [rng.standard_normal(s) for s in SHAPES]
    tp = [torch.nn.Parameter(torch.tensor(v)) for v in values]
    mp = [tw.nn.Parameter(tw.tensor(v)) for v in values]
    vec_t = torch.nn.utils.parameters_to_vector(tp)
    vec_m = utils.parameters_to_vector(mp)
    assert vec_m.shape == (26,)
    np.testing.assert_array_equal(vec_m.detach().numpy(), vec_t.detach().numpy())
    vec_m.sum().backward()  # differentiable, as in torch
    np.testing.assert_array_equal(mp[0].grad.numpy(), np.ones((3, 4)))

    new = np.arange(26.0)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tp)
    source = tw.tensor(new)
    utils.vector_to_parameters(source, mp)
    for t, m in zip(tp, mp):
        assert type(m) is tw.nn.Parameter and m.shape == t.shape
        np.testing.assert_array_equal(m.detach().numpy(), t.detach().numpy())
    source.mul_(2.0)  # the parameters now view the vector's storage
    np.testing.assert_array_equal(mp[1].detach().numpy(), 2 * new[12:17])


def test_vector_to_parameters_errors() -> None:
    params = [tw.nn.Parameter(tw.zeros(2, 2))]
    with pytest.raises(TypeError, match="expected tensorweave.Tensor, but got: list"):
        utils.vector_to_parameters([1.0] * 4, params)
    with pytest.raises(RuntimeError, match="expected a 1-d vector of at least 4 elements"):
        utils.vector_to_parameters(tw.zeros(3), params)
