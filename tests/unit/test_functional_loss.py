"""`tensorweave.nn.functional` losses: values and gradients against PyTorch (float64), against
NumPy references, numerical gradients, stability at extreme logits, warnings and errors.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")


def _rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def _probs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.uniform(0.05, 0.95, shape)


def _simplex(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.dirichlet(np.ones(c), size=n)


def _signs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.where(rng.standard_normal(shape) > 0, 1, -1).astype(np.int64)


def _with_ignored(t: np.ndarray, value: int = -100) -> np.ndarray:
    t = t.copy()
    t.flat[1] = value
    return t


# Each case: (id, function name, positional arrays from a generator, keyword arguments
# (arrays become tensors that never require grad), indices of the positional arrays that
# require grad (PyTorch differentiates them too)).
Case = tuple[str, str, Callable[[np.random.Generator], tuple[Any, ...]], dict[str, Any],
             tuple[int, ...]]


def _cases() -> list[Case]:
    n = np.random.default_rng(7)
    w5 = n.uniform(0.5, 2.0, 5)
    w4 = n.uniform(0.5, 2.0, 4)
    x45 = lambda r: r.standard_normal((4, 5))  # noqa: E731
    cls4 = lambda r: r.integers(0, 5, 4)  # noqa: E731
    return [
        ("ce", "cross_entropy", lambda r: (x45(r), cls4(r)), {}, (0,)),
        ("ce-ignore", "cross_entropy", lambda r: (x45(r), _with_ignored(cls4(r))), {}, (0,)),
        ("ce-weight-ignore", "cross_entropy", lambda r: (x45(r), _with_ignored(cls4(r))),
         {"weight": w5}, (0,)),
        ("ce-smoothing", "cross_entropy", lambda r: (x45(r), cls4(r)),
         {"label_smoothing": 0.2}, (0,)),
        ("ce-weight-ignore-smoothing", "cross_entropy",
         lambda r: (x45(r), _with_ignored(cls4(r))), {"weight": w5, "label_smoothing": 0.3},
         (0,)),
        ("ce-ignore_index=1-smoothing", "cross_entropy",
         lambda r: (x45(r), np.array([1, 0, 1, 4])),
         {"ignore_index": 1, "label_smoothing": 0.1, "weight": w5}, (0,)),
        ("ce-smoothing=1", "cross_entropy", lambda r: (x45(r), cls4(r)),
         {"label_smoothing": 1.0}, (0,)),
        ("ce-uint8", "cross_entropy", lambda r: (x45(r), cls4(r).astype(np.uint8)), {}, (0,)),
        ("ce-probs", "cross_entropy", lambda r: (x45(r), _simplex(r, 4, 5)), {}, (0, 1)),
        ("ce-probs-weight-smoothing", "cross_entropy", lambda r: (x45(r), _probs(r, 4, 5)),
         {"weight": w5, "label_smoothing": 0.25}, (0, 1)),
        ("ce-3d", "cross_entropy",
         lambda r: (r.standard_normal((2, 5, 3)), _with_ignored(r.integers(0, 5, (2, 3)))),
         {"weight": w5, "label_smoothing": 0.1}, (0,)),
        ("ce-4d", "cross_entropy",
         lambda r: (r.standard_normal((2, 5, 3, 2)), r.integers(0, 5, (2, 3, 2))),
         {"weight": w5}, (0,)),
        ("ce-4d-probs", "cross_entropy",
         lambda r: (r.standard_normal((2, 5, 2, 2)), _probs(r, 2, 5, 2, 2)),
         {"weight": w5}, (0, 1)),
        ("ce-unbatched", "cross_entropy", lambda r: (r.standard_normal(5), np.array(3)),
         {"weight": w5, "label_smoothing": 0.1}, (0,)),
        ("ce-unbatched-probs", "cross_entropy",
         lambda r: (r.standard_normal(5), _simplex(r, 1, 5)[0]), {}, (0, 1)),
        ("nll", "nll_loss", lambda r: (x45(r), cls4(r)), {}, (0,)),
        ("nll-weight-ignore", "nll_loss", lambda r: (x45(r), _with_ignored(cls4(r))),
         {"weight": w5}, (0,)),
        ("nll-ignore_index=2", "nll_loss", lambda r: (x45(r), np.array([2, 2, 0, 1])),
         {"ignore_index": 2}, (0,)),
        ("nll-3d", "nll_loss",
         lambda r: (r.standard_normal((2, 5, 3)), r.integers(0, 5, (2, 3))), {"weight": w5},
         (0,)),
        ("nll-5d", "nll_loss",
         lambda r: (r.standard_normal((2, 5, 2, 1, 2)), r.integers(0, 5, (2, 2, 1, 2))), {},
         (0,)),
        ("nll-unbatched", "nll_loss", lambda r: (r.standard_normal(5), np.array(4)), {}, (0,)),
        ("bce", "binary_cross_entropy", lambda r: (_probs(r, 3, 4), _probs(r, 3, 4)), {},
         (0, 1)),
        ("bce-weight", "binary_cross_entropy", lambda r: (_probs(r, 3, 4), _probs(r, 3, 4)),
         {"weight": w4}, (0, 1)),
        ("bce-0d", "binary_cross_entropy", lambda r: (np.array(0.3), np.array(0.8)), {},
         (0, 1)),
        ("bcel", "binary_cross_entropy_with_logits",
         lambda r: (3 * r.standard_normal((3, 4)), _probs(r, 3, 4)), {}, (0, 1)),
        ("bcel-weight-pos_weight", "binary_cross_entropy_with_logits",
         lambda r: (3 * r.standard_normal((3, 4)), _probs(r, 3, 4)),
         {"weight": w4, "pos_weight": w4[::-1].copy() * 2}, (0, 1)),
        ("bcel-pos_weight-column", "binary_cross_entropy_with_logits",
         lambda r: (r.standard_normal((3, 4)), _probs(r, 3, 4)),
         {"pos_weight": np.array([[0.5], [2.0], [3.0]])}, (0, 1)),
        ("kl", "kl_div", lambda r: (np.log(_simplex(r, 3, 4)), _simplex(r, 3, 4)), {}, (0, 1)),
        ("kl-log_target", "kl_div",
         lambda r: (np.log(_simplex(r, 3, 4)), np.log(_simplex(r, 3, 4))),
         {"log_target": True}, (0, 1)),
        ("kl-broadcast", "kl_div", lambda r: (np.log(_simplex(r, 3, 4)), _simplex(r, 1, 4)),
         {}, (0, 1)),
        ("mse", "mse_loss", lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4))),
         {}, (0, 1)),
        ("mse-weight", "mse_loss",
         lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4))),
         {"weight": n.uniform(0.5, 2.0, (3, 4))}, (0, 1)),
        ("l1", "l1_loss", lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4))), {},
         (0, 1)),
        ("l1-weight", "l1_loss", lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4))),
         {"weight": n.uniform(0.5, 2.0, (3, 4))}, (0, 1)),
        ("smooth_l1", "smooth_l1_loss",
         lambda r: (2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))), {}, (0, 1)),
        ("smooth_l1-beta=0.5", "smooth_l1_loss",
         lambda r: (2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))), {"beta": 0.5},
         (0, 1)),
        ("smooth_l1-beta=0", "smooth_l1_loss",
         lambda r: (2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))), {"beta": 0.0},
         (0, 1)),
        ("huber", "huber_loss",
         lambda r: (2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))), {}, (0, 1)),
        ("huber-delta=0.5-weight", "huber_loss",
         lambda r: (2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))),
         {"delta": 0.5, "weight": n.uniform(0.5, 2.0, (3, 4))}, (0, 1)),
        ("poisson", "poisson_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.uniform(0, 4, (3, 4))), {}, (0, 1)),
        ("poisson-full", "poisson_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.uniform(0, 4, (3, 4))), {"full": True},
         (0, 1)),
        ("poisson-rate", "poisson_nll_loss",
         lambda r: (r.uniform(0.1, 3, (3, 4)), r.uniform(0, 4, (3, 4))), {"log_input": False},
         (0, 1)),
        ("gaussian", "gaussian_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)),
                    r.uniform(0.5, 2, (3, 4))), {}, (0, 1, 2)),
        ("gaussian-homoscedastic-full", "gaussian_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)), r.uniform(0.5, 2, 3)),
         {"full": True}, (0, 1, 2)),
        ("gaussian-shared-dim", "gaussian_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)),
                    r.uniform(0.5, 2, (1, 4))), {}, (0, 1, 2)),
        ("gaussian-clamped", "gaussian_nll_loss",
         lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)),
                    r.uniform(0.0, 0.2, (3, 4))), {"eps": 0.1}, (0, 1, 2)),
        ("soft_margin", "soft_margin_loss",
         lambda r: (r.standard_normal((3, 4)), _signs(r, 3, 4)), {}, (0,)),
        ("multilabel_soft_margin", "multilabel_soft_margin_loss",
         lambda r: (r.standard_normal((3, 4)), (r.standard_normal((3, 4)) > 0).astype(float)),
         {"weight": w4}, (0, 1)),
        ("margin_ranking", "margin_ranking_loss",
         lambda r: (r.standard_normal(6), r.standard_normal(6), _signs(r, 6)), {"margin": 0.3},
         (0, 1)),
        ("hinge_embedding", "hinge_embedding_loss",
         lambda r: (r.uniform(0, 2, (3, 4)), _signs(r, 3, 4)), {"margin": 1.5}, (0,)),
        ("cosine_embedding", "cosine_embedding_loss",
         lambda r: (r.standard_normal((4, 3)), r.standard_normal((4, 3)), _signs(r, 4)),
         {"margin": 0.2}, (0, 1)),
        ("cosine_embedding-unbatched", "cosine_embedding_loss",
         lambda r: (r.standard_normal(3), r.standard_normal(3), np.array(1)), {}, (0, 1)),
    ]


CASES = _cases()


def _reductions(fn: str) -> tuple[str, ...]:
    return (*REDUCTIONS, "batchmean") if fn == "kl_div" else REDUCTIONS


PARAMS = [pytest.param(case, red, id=f"{case[0]}-{red}") for case in CASES
          for red in _reductions(case[1])]


def _make(fw: Any, arrays: tuple[Any, ...], kwargs: dict[str, Any],
          diff: tuple[int, ...]) -> tuple[list[Any], dict[str, Any]]:
    args = [fw.tensor(a) for a in arrays]
    for i in diff:
        args[i].requires_grad_(True)
    kw = {k: fw.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    return args, kw


def _close(a: Any, b: Any, atol: float = 1e-10) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=1e-9)


@pytest.mark.parametrize("case,reduction", PARAMS)
def test_matches_torch(case: Case, reduction: str) -> None:
    """Forward and the gradients of every differentiable input, against PyTorch in float64."""
    torch = pytest.importorskip("torch")
    _, fn, make, kwargs, diff = case
    arrays = make(_rng())
    kwargs = {**kwargs, "reduction": reduction}
    args, kw = _make(tw, arrays, kwargs, diff)
    targs, tkw = _make(torch, arrays, kwargs, diff)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning (tested below)
        out = getattr(F, fn)(*args, **kw)
        ref = getattr(torch.nn.functional, fn)(*targs, **tkw)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype is tw.float64
    _close(out.detach().numpy(), ref.detach().numpy())
    cot = np.random.default_rng(5).standard_normal(tuple(ref.shape))
    out.backward(tw.tensor(cot))
    ref.backward(torch.tensor(cot))
    for i in diff:
        _close(args[i].grad.numpy(), targs[i].grad.numpy())


# The numerical checks run each case once, with the reduction that mixes every element.
# gaussian_nll_loss clamps the variance for the value only (the gradient flows as if it were
# not clamped, as in PyTorch), so finite differences disagree there by design.
GRAD_PARAMS = [pytest.param(case, id=case[0]) for case in CASES if case[0] != "gaussian-clamped"]


@pytest.mark.parametrize("case", GRAD_PARAMS)
def test_gradcheck(case: Case) -> None:
    _, fn, make, kwargs, diff = case
    args, kw = _make(tw, make(_rng()), {**kwargs, "reduction": "sum"}, diff)
    assert tw.autograd.gradcheck(lambda *a: getattr(F, fn)(*a, **kw), tuple(args))


@pytest.mark.parametrize("fn,make,kwargs", [
    ("cross_entropy", lambda r: (r.standard_normal((3, 4)), _with_ignored(r.integers(0, 4, 3))),
     {"weight": np.array([0.5, 1.0, 2.0, 1.5]), "label_smoothing": 0.2}),
    ("cross_entropy", lambda r: (r.standard_normal((3, 4)), _simplex(r, 3, 4)), {}),
    ("binary_cross_entropy", lambda r: (_probs(r, 3, 2), _probs(r, 3, 2)), {}),
    ("binary_cross_entropy_with_logits", lambda r: (r.standard_normal((3, 2)), _probs(r, 3, 2)),
     {"pos_weight": np.array([2.0, 0.5])}),
    ("kl_div", lambda r: (np.log(_simplex(r, 2, 3)), _simplex(r, 2, 3)),
     {"reduction": "batchmean"}),
], ids=["ce-index", "ce-probs", "bce", "bcel", "kl"])
def test_gradgradcheck(fn: str, make: Any, kwargs: dict[str, Any]) -> None:
    """Second derivatives (binary_cross_entropy's custom backward is written in ops too)."""
    arrays = make(_rng())
    diff = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f")
    args, kw = _make(tw, arrays, kwargs, diff)
    assert tw.autograd.gradgradcheck(lambda *a: getattr(F, fn)(*a, **kw), tuple(args))


# -- NumPy references (these run without PyTorch) ---------------------------------------------


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def test_cross_entropy_reference_formula() -> None:
    """Weighted mean over non-ignored targets plus label smoothing, spelled out in NumPy."""
    r = _rng()
    x, t = r.standard_normal((5, 4)), np.array([0, 3, -100, 1, 3])
    w, eps = np.array([0.5, 1.0, 2.0, 1.5]), 0.2
    logp = _log_softmax(x, 1)
    keep = t != -100
    tk = np.where(keep, t, 0)
    wt = np.where(keep, w[tk], 0.0)
    nll = -(logp[np.arange(5), tk] * wt).sum() / wt.sum()
    smooth = (-(logp * w).sum(1) * keep).sum() / wt.sum()
    expected = (1 - eps) * nll + eps / 4 * smooth
    out = F.cross_entropy(tw.tensor(x), tw.tensor(t), weight=tw.tensor(w), label_smoothing=eps)
    _close(out.item(), expected)
    none = F.cross_entropy(tw.tensor(x), tw.tensor(t), reduction="none")
    _close(none.numpy(), np.where(keep, -logp[np.arange(5), tk], 0.0))


def test_cross_entropy_probability_reference() -> None:
    r = _rng()
    x, p = r.standard_normal((2, 3, 4)), _probs(r, 2, 3, 4)
    expected = -(_log_softmax(x, 1) * p).sum(1)
    out = F.cross_entropy(tw.tensor(x), tw.tensor(p), reduction="none")
    _close(out.numpy(), expected)
    _close(F.cross_entropy(tw.tensor(x), tw.tensor(p)).item(), expected.mean())


def test_binary_losses_reference() -> None:
    r = _rng()
    x, t, pw = 4 * r.standard_normal((3, 2)), _probs(r, 3, 2), np.array([3.0, 0.5])
    p = 1 / (1 + np.exp(-x))
    expected = -(pw * t * np.log(p) + (1 - t) * np.log1p(-p))
    out = F.binary_cross_entropy_with_logits(tw.tensor(x), tw.tensor(t),
                                             pos_weight=tw.tensor(pw), reduction="none")
    _close(out.numpy(), expected)
    bce = F.binary_cross_entropy(tw.tensor(p), tw.tensor(t), reduction="sum")
    _close(bce.item(), -(t * np.log(p) + (1 - t) * np.log1p(-p)).sum())


def test_kl_div_batchmean_reference() -> None:
    r = _rng()
    q, p = _simplex(r, 3, 4), _simplex(r, 3, 4)
    q[0, 1] = 0.0  # 0 * log 0 counts as 0
    out = F.kl_div(tw.tensor(np.log(p)), tw.tensor(q), reduction="batchmean")
    terms = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0) - q * np.log(p)
    _close(out.item(), terms.sum() / 3)


def test_regression_reference() -> None:
    r = _rng()
    x, y = 2 * r.standard_normal((3, 4)), r.standard_normal((3, 4))
    d = x - y
    X, Y = tw.tensor(x), tw.tensor(y)
    _close(F.mse_loss(X, Y).item(), (d ** 2).mean())
    _close(F.l1_loss(X, Y, reduction="sum").item(), np.abs(d).sum())
    huber = np.where(np.abs(d) < 0.7, 0.5 * d ** 2, 0.7 * (np.abs(d) - 0.35))
    _close(F.huber_loss(X, Y, reduction="none", delta=0.7).numpy(), huber)
    _close(F.smooth_l1_loss(X, Y, reduction="none", beta=0.7).numpy(), huber / 0.7)


# -- stability --------------------------------------------------------------------------------


def test_cross_entropy_large_logits_are_finite() -> None:
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [5.0, 5.0, -1000.0]])
    t = np.array([1, 2, 2])
    X = tw.tensor(x, requires_grad=True)
    loss = F.cross_entropy(X, tw.tensor(t), reduction="none")
    _close(loss.detach().numpy(), [2000.0, 1.0 + np.log1p(np.exp(-1.0)), 1005.0 + np.log(2.0)])
    loss.sum().backward()
    assert np.isfinite(X.grad.numpy()).all()
    _close(X.grad.numpy(), np.exp(_log_softmax(x, 1)) - np.eye(3)[t])


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.1},
                                    {"weight": np.array([1.0, 2.0, 0.5])}], ids=str)
def test_cross_entropy_large_logits_match_torch(kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    for target in (np.array([1, 0]), np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])):
        diff = (0,)
        args, kw = _make(tw, (x, target), kwargs, diff)
        targs, tkw = _make(torch, (x, target), kwargs, diff)
        out, ref = F.cross_entropy(*args, **kw), torch.nn.functional.cross_entropy(*targs, **tkw)
        _close(out.item(), ref.item())
        out.backward()
        ref.backward()
        _close(args[0].grad.numpy(), targs[0].grad.numpy())


def test_bce_with_logits_large_logits_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0])
    t = np.array([1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0])
    pw = np.full(7, 2.5)
    args, kw = _make(tw, (x, t), {"pos_weight": pw, "reduction": "none"}, (0, 1))
    targs, tkw = _make(torch, (x, t), {"pos_weight": pw, "reduction": "none"}, (0, 1))
    out = F.binary_cross_entropy_with_logits(*args, **kw)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(*targs, **tkw)
    assert np.isfinite(out.detach().numpy()).all()
    _close(out.detach().numpy(), ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    _close(args[0].grad.numpy(), targs[0].grad.numpy())
    _close(args[1].grad.numpy(), targs[1].grad.numpy())


def test_bce_at_exact_zero_and_one_matches_torch() -> None:
    """Saturated probabilities: the logs clamp at -100 and the gradient stays finite."""
    torch = pytest.importorskip("torch")
    x = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    t = np.array([0.0, 0.0, 1.0, 1.0, 0.3])
    args, kw = _make(tw, (x, t), {"reduction": "none"}, (0,))
    targs, tkw = _make(torch, (x, t), {"reduction": "none"}, (0,))
    out = F.binary_cross_entropy(*args, **kw)
    ref = torch.nn.functional.binary_cross_entropy(*targs, **tkw)
    _close(out.detach().numpy(), [0.0, 100.0, 0.0, 100.0, ref[4].item()])
    _close(out.detach().numpy(), ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    _close(args[0].grad.numpy(), targs[0].grad.numpy(), atol=1e-3)
    assert args[0].grad.numpy()[1] == pytest.approx(1e12)


def test_bce_of_saturated_float32_sigmoid_has_finite_gradient() -> None:
    z = tw.tensor([40.0, -200.0], requires_grad=True)
    p = tw.sigmoid(z)
    assert p.tolist() == [1.0, 0.0]
    loss = F.binary_cross_entropy(p, tw.tensor([0.0, 1.0]), reduction="none")
    assert loss.tolist() == [100.0, 100.0]
    loss.sum().backward()
    assert z.grad.tolist() == [0.0, 0.0]


def test_ignored_target_at_minus_inf_log_probability_gives_no_nan() -> None:
    logp = tw.tensor([[-float("inf"), 0.0], [-0.5, -0.9]], dtype=tw.float64,
                     requires_grad=True)
    loss = F.nll_loss(logp, tw.tensor([-100, 1]), weight=tw.tensor([1.0, 2.0],
                                                                     dtype=tw.float64))
    _close(loss.item(), 0.9)
    loss.backward()
    _close(logp.grad.numpy(), [[0.0, 0.0], [0.0, -1.0]])


def test_kl_div_zero_target_has_finite_gradient() -> None:
    """At a zero target ``t log t`` adds no gradient (PyTorch's xlogy gives NaN there), so
    the target's gradient is ``log t + 1 - input`` elsewhere and ``-input`` at 0."""
    inp = tw.tensor([-1.0, -2.0], dtype=tw.float64, requires_grad=True)
    t = tw.tensor([0.0, 0.5], dtype=tw.float64, requires_grad=True)
    F.kl_div(inp, t, reduction="sum").backward()
    _close(t.grad.numpy(), [1.0, np.log(0.5) + 1 + 2.0])
    _close(inp.grad.numpy(), [0.0, -0.5])


# -- mean over nothing, dtypes ----------------------------------------------------------------


def test_means_over_no_target_are_nan() -> None:
    x = tw.randn(3, 4)
    assert np.isnan(F.cross_entropy(x, tw.tensor([-100, -100, -100])).item())
    assert F.cross_entropy(x, tw.tensor([-100, -100, -100]), reduction="sum").item() == 0.0
    assert np.isnan(F.cross_entropy(tw.zeros(0, 4), tw.zeros(0, dtype=tw.int64)).item())
    assert np.isnan(F.cross_entropy(tw.zeros(0, 4), tw.zeros(0, 4)).item())
    assert np.isnan(F.mse_loss(tw.zeros(0), tw.zeros(0)).item())


def test_float32_and_promotion() -> None:
    x = tw.randn(3, 4)
    assert F.cross_entropy(x, tw.tensor([0, 1, 2])).dtype is tw.float32
    assert F.mse_loss(x, x.double()).dtype is tw.float64


def test_unbatched_input_with_one_target() -> None:
    """A ``(C)`` input takes a ``(1)`` target like a ``()`` one (PyTorch's backward fails
    there, so only the forward is compared with it)."""
    x = tw.tensor([0.1, -0.3, 0.7], requires_grad=True)
    out = F.nll_loss(x, tw.tensor([2]), reduction="none")
    assert out.shape == () and out.item() == pytest.approx(-0.7)
    out.backward()
    assert x.grad.tolist() == [0.0, 0.0, -1.0]


def test_gaussian_nll_loss_with_a_float_variance() -> None:
    x = tw.tensor([[0.5, 1.0], [2.0, -1.0]], dtype=tw.float64)
    out = F.gaussian_nll_loss(x, tw.zeros_like(x), 0.7, full=True)
    expected = (0.5 * (np.log(0.7) + x.numpy() ** 2 / 0.7) + 0.5 * np.log(2 * np.pi)).mean()
    _close(out.item(), expected)


def test_ignore_index_outside_the_classes_is_not_an_error() -> None:
    x = tw.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 0.0]])
    out = F.cross_entropy(x, tw.tensor([0, 3]), ignore_index=3, reduction="none")
    _close(out.numpy(), [-_log_softmax(x.numpy(), 1)[0, 0], 0.0])


# -- warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_broadcasting_target_warns(fn: str) -> None:
    x, t = tw.randn(3), tw.randn(3, 1)
    msg = (r"Using a target size \(tensorweave.Size\(\[3, 1\]\)\) that is different to the "
           r"input size \(tensorweave.Size\(\[3\]\)\). This will likely lead to incorrect "
           "results due to broadcasting. Please ensure they have the same size.")
    with pytest.warns(UserWarning, match=msg):
        out = getattr(F, fn)(x, t, reduction="none")
    assert tuple(out.shape) == (3, 3)


def test_kl_div_mean_warns() -> None:
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both "
                                         "the batch size and the support size"):
        F.kl_div(tw.randn(2, 3), tw.rand(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(tw.randn(2, 3), tw.rand(2, 3), reduction="batchmean")


def test_legacy_size_average_and_reduce() -> None:
    x, y = tw.tensor([1.0, 2.0]), tw.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert F.mse_loss(x, y, size_average=False).item() == 5.0
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert F.l1_loss(x, y, reduce=False).tolist() == [1.0, 2.0]
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert F.mse_loss(x, y, reduction="elementwise_mean").item() == 2.5


# -- errors -----------------------------------------------------------------------------------


def _t(*values: Any, **kw: Any) -> tw.Tensor:
    return tw.tensor(list(values), **kw)


X34 = tw.zeros(3, 4)

ERRORS = [
    ("reduction", lambda: F.mse_loss(X34, X34, reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    ("kl-reduction", lambda: F.kl_div(X34, X34, reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
    ("target-out-of-range", lambda: F.nll_loss(X34, _t(0, 1, 5)), IndexError,
     r"^Target 5 is out of bounds\.$"),
    ("negative-target", lambda: F.cross_entropy(X34, _t(0, -1, 2)), IndexError,
     r"^Target -1 is out of bounds\.$"),
    ("out-of-range-beside-ignored", lambda: F.cross_entropy(X34, _t(-100, 4, 2)), IndexError,
     r"^Target 4 is out of bounds\.$"),
    ("float-class-target", lambda: F.nll_loss(X34, _t(0.0, 1.0, 2.0)), RuntimeError,
     "expected target dtype to be Long or Byte, but got float32"),
    ("int32-class-target", lambda: F.cross_entropy(X34, _t(0, 1, 2, dtype=tw.int32)),
     RuntimeError, "expected target dtype to be Long or Byte, but got int32"),
    ("float-target-wrong-shape", lambda: F.cross_entropy(X34, tw.zeros(3, 5)), RuntimeError,
     r"cross_entropy: expected class probabilities \(floating point\) of the input's shape "
     r"\[3, 4\] or class indices \(int64\) of shape \[3\]; got a float32 target of shape "
     r"\[3, 5\]"),
    ("int-probabilities", lambda: F.cross_entropy(X34, tw.zeros(3, 4, dtype=tw.int64)),
     RuntimeError, "Expected floating point type for target with class probabilities, got "
     "int64"),
    ("probabilities-ignore_index", lambda: F.cross_entropy(X34, X34, ignore_index=1),
     RuntimeError, "ignore_index is not supported for floating point target"),
    ("batch-size", lambda: F.cross_entropy(X34, _t(0, 1)), ValueError,
     r"Expected input batch_size \(3\) to match target batch_size \(2\)\."),
    ("multi-target", lambda: F.nll_loss(X34, tw.zeros(3, 2, dtype=tw.int64)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("1d-input-target-size", lambda: F.nll_loss(tw.zeros(4), _t(0, 1)), ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    ("0d-input", lambda: F.nll_loss(tw.tensor(1.0), tw.tensor(0)), ValueError,
     r"Expected 1 or more dimensions \(got 0\)"),
    ("k-dim-target", lambda: F.cross_entropy(tw.zeros(2, 3, 4), tw.zeros(2, 5, dtype=tw.int64)),
     RuntimeError, r"Expected target size \[2, 4\], got \[2, 5\]"),
    ("weight-size", lambda: F.nll_loss(X34, _t(0, 1, 2), weight=tw.ones(3)), RuntimeError,
     r"^weight tensor should be defined either for all 4 classes or no classes but got weight "
     r"tensor of shape: \[3\]"),
    ("ce-weight-size", lambda: F.cross_entropy(X34, X34, weight=tw.ones(3)), RuntimeError,
     r"^cross_entropy: weight tensor should be defined either for all 4 classes"),
    ("weight-dtype", lambda: F.cross_entropy(X34, _t(0, 1, 2), weight=tw.ones(4).double()),
     RuntimeError, "cross_entropy: expected scalar type float32 but found float64"),
    ("label_smoothing", lambda: F.cross_entropy(X34, _t(0, 1, 2), label_smoothing=1.5),
     RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    ("integer-logits", lambda: F.cross_entropy(X34.long(), _t(0, 1, 2)), RuntimeError,
     "log_softmax: expected a floating-point input"),
    ("bce-range", lambda: F.binary_cross_entropy(_t(0.5, 1.5), _t(0.0, 1.0)), RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("bce-nan", lambda: F.binary_cross_entropy(_t(0.5, float("nan")), _t(0.0, 1.0)),
     RuntimeError, "all elements of input should be between 0 and 1"),
    ("bce-target-range", lambda: F.binary_cross_entropy(_t(0.5, 0.5), _t(0.0, 2.0)),
     RuntimeError, "all elements of target should be between 0 and 1"),
    ("bce-size", lambda: F.binary_cross_entropy(tw.rand(3), tw.rand(3, 1)), ValueError,
     r"Using a target size \(tensorweave.Size\(\[3, 1\]\)\) that is different to the input "
     r"size \(tensorweave.Size\(\[3\]\)\) is deprecated. Please ensure they have the same "
     "size."),
    ("bce-dtype", lambda: F.binary_cross_entropy(tw.rand(3), tw.rand(3).double()), RuntimeError,
     "Found dtype float64 but expected float32"),
    ("bce-integer", lambda: F.binary_cross_entropy(_t(0, 1), _t(0, 1)), NotImplementedError,
     "\"binary_cross_entropy\" not implemented for 'int64'"),
    ("bcel-size", lambda: F.binary_cross_entropy_with_logits(tw.rand(3), tw.rand(3, 1)),
     ValueError, r"Target size \(tensorweave.Size\(\[3, 1\]\)\) must be the same as input size "
     r"\(tensorweave.Size\(\[3\]\)\)"),
    ("kl-integer", lambda: F.kl_div(_t(1, 2), _t(0.5, 0.5), reduction="sum"), RuntimeError,
     "kl_div: Integral inputs not supported."),
    ("mse-integer", lambda: F.mse_loss(_t(1, 2), _t(1, 3)), NotImplementedError,
     "\"mse_loss\" not implemented for 'int64'"),
    ("mse-weight-size", lambda: F.mse_loss(X34, X34, weight=tw.ones(4)), ValueError,
     "Weights and input must have the same size."),
    ("target-not-tensor", lambda: F.mse_loss(X34, 1.0), TypeError,
     "mse_loss\\(\\): argument 'target' must be Tensor, not float"),
    ("beta", lambda: F.smooth_l1_loss(X34, X34, beta=-1.0), RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    ("delta", lambda: F.huber_loss(X34, X34, delta=0.0), RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("gaussian-var", lambda: F.gaussian_nll_loss(X34, X34, -tw.ones(3, 4)), ValueError,
     "var has negative entry/entries"),
    ("gaussian-var-size", lambda: F.gaussian_nll_loss(X34, X34, tw.ones(2, 2)), ValueError,
     "var is of incorrect size"),
    ("margin-ranking-dims", lambda: F.margin_ranking_loss(tw.zeros(3), tw.zeros(3, 1),
                                                         tw.ones(3)), RuntimeError,
     "margin_ranking_loss : All input tensors should have same dimension"),
    ("cosine-dims", lambda: F.cosine_embedding_loss(tw.zeros(3), tw.zeros(3), tw.ones(3)),
     RuntimeError, r"1D target tensor expects 2D input tensors, but found inputs with sizes "
     r"\[3\] and \[3\]\."),
]


@pytest.mark.parametrize("call,exc,match", [pytest.param(*e[1:], id=e[0]) for e in ERRORS])
def test_errors(call: Callable[[], Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_error_types_match_torch() -> None:
    """Each error above is raised with the exception type PyTorch raises for it."""
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    z = torch.zeros(3, 4)
    calls = {
        "target-out-of-range": (lambda: TF.nll_loss(z, torch.tensor([0, 1, 5])), IndexError),
        "batch-size": (lambda: TF.cross_entropy(z, torch.tensor([0, 1])), ValueError),
        "1d-input-target-size": (lambda: TF.nll_loss(torch.zeros(4), torch.tensor([0, 1])),
                                 ValueError),
        "bce-size": (lambda: TF.binary_cross_entropy(torch.rand(3), torch.rand(3, 1)),
                     ValueError),
        "reduction": (lambda: TF.mse_loss(z, z, reduction="avg"), ValueError),
        "bce-range": (lambda: TF.binary_cross_entropy(torch.tensor([0.5, 1.5]),
                                                      torch.tensor([0.0, 1.0])), RuntimeError),
    }
    ours = {e[0]: e[2] for e in ERRORS}
    for name, (call, exc) in calls.items():
        with pytest.raises(exc):
            call()
        assert ours[name] is exc, name
