"""``nn.functional.linear_cross_entropy`` (the reference and the chunked path),
`LinearCrossEntropyOptions` and `LinearCrossEntropyLoss` against PyTorch 2.13, in float64."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare
from _raised import errors

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
N, IN, C = 5, 4, 3
X, W, B = rng.standard_normal((N, IN)), rng.standard_normal((C, IN)), rng.standard_normal(C)
T = np.array([0, 2, 1, 2, 0])
CW = np.array([0.5, 2.0, 1.5])


def _both(**kw):
    """The tensorweave and torch calls with keyword arguments ``kw`` (class weights as
    constants, so only input, linear_weight and linear_bias get gradients)."""
    def tw_fn(x, w, t, *b):
        k = dict(kw, weight=tw.tensor(kw["weight"]) if "weight" in kw else None)
        return F.linear_cross_entropy(x, w, t, linear_bias=b[0] if b else None, **k)

    def torch_fn(x, w, t, *b):
        k = dict(kw, weight=torch.tensor(kw["weight"]) if "weight" in kw else None)
        return torch.nn.functional.linear_cross_entropy(x, w, t, linear_bias=b[0] if b else None,
                                                        **k)
    return tw_fn, torch_fn


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"weight": CW}, {"ignore_index": 2},
                                {"weight": CW, "ignore_index": 0},
                                {"label_smoothing": 0.2, "weight": CW}])
def test_class_indices(reduction, kw):
    compare(*_both(reduction=reduction, **kw), X, W, T, B)


def test_unbatched_and_no_bias():
    compare(*_both(), X[0], W, np.array(1))
    compare(*_both(reduction="sum"), X, W, T)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_probabilities(reduction):
    p = rng.random((N, C))
    compare(*_both(reduction=reduction, label_smoothing=0.1), X, W, p / p.sum(1, keepdims=True),
            B)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_k_dimensional(reduction):
    w, b = rng.standard_normal((C, 2, 3, IN)), rng.standard_normal((C, 2, 3))
    t = rng.integers(0, C, (N, 2, 3))
    compare(*_both(reduction=reduction, weight=CW, ignore_index=1), X, w, t, b)


@pytest.mark.parametrize("args, kw", [
    ((np.zeros((2, 2, IN)), W, T), {}),
    ((X, np.zeros(IN), T), {}),
    ((X, np.zeros((C, IN + 1)), T), {}),
    ((X, W, T), {"linear_bias": np.zeros(C + 1)}),
    ((X[0], np.zeros((C, 2, IN)), np.array(0)), {}),
    ((X, W, np.full((N, C), 1.0 / C)), {"ignore_index": 0}),
])
def test_errors(args, kw):
    def call(fw, fn):
        k = {n: fw.tensor(v) if isinstance(v, np.ndarray) else v for n, v in kw.items()}
        return errors(fn, *[fw.tensor(a) for a in args], **k)
    assert call(tw, F.linear_cross_entropy) == call(torch, torch.nn.functional.linear_cross_entropy)


def test_options_must_be_linear_cross_entropy_options():
    with pytest.raises(TypeError, match="options must be a LinearCrossEntropyOptions"):
        F.linear_cross_entropy(tw.tensor(X), tw.tensor(W), tw.tensor(T), options=object())


# -- the chunked path ----------------------------------------------------------------------

NB, CB = 11, 7  # a batch that no chunk size below divides evenly
XB, WB, BB = (rng.standard_normal(s) for s in ((NB, IN), (CB, IN), (CB,)))
TB = np.array([0, 6, 3, -100, 2, 5, 6, 1, 0, -100, 4])


@pytest.mark.parametrize("size", [1, 3, 4, 11, 50])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_chunked_path_equals_pytorchs_reference(size, reduction, weighted):
    cw = rng.uniform(0.5, 2.0, CB) if weighted else None

    def ours(x, w, t, b):
        return F.linear_cross_entropy(
            x, w, t, linear_bias=b, weight=None if cw is None else tw.tensor(cw),
            reduction=reduction, options=tw.nn.LinearCrossEntropyOptions(
                batch_chunk_size=size))

    def theirs(x, w, t, b):
        return torch.nn.functional.linear_cross_entropy(
            x, w, t, linear_bias=b, weight=None if cw is None else torch.tensor(cw),
            reduction=reduction)

    compare(ours, theirs, XB, WB, TB, BB, atol=1e-12, rtol=1e-11)


def test_chunked_unbatched_input_and_fallback_warning():
    x, t = tw.tensor(XB[0]), tw.tensor(TB[0])
    opts = tw.nn.LinearCrossEntropyOptions(batch_chunk_size=1)
    got = F.linear_cross_entropy(x, tw.tensor(WB), t, options=opts)
    np.testing.assert_allclose(got.item(), F.linear_cross_entropy(x, tw.tensor(WB), t).item(),
                               rtol=1e-14)
    with pytest.warns(UserWarning, match="``options`` ignored; chunked path needs"):
        smooth = F.linear_cross_entropy(tw.tensor(XB), tw.tensor(WB), tw.tensor(TB),
                                        label_smoothing=0.1, options=opts)
    np.testing.assert_allclose(smooth.item(), F.linear_cross_entropy(
        tw.tensor(XB), tw.tensor(WB), tw.tensor(TB), label_smoothing=0.1).item(), rtol=1e-14)


@pytest.mark.parametrize("kw", [{}, {"chunking_method": "aspect_ratio"},
                                {"chunking_method": "aspect_ratio:3"},
                                {"batch_chunk_size": 5}, {"batch_chunk_size": 64},
                                {"chunking_method": None}])
@pytest.mark.parametrize("shape", [(100, 16, 1000), (7, 64, 10), (4096, 32, 32000)])
def test_chunk_sizes_resolve_as_pytorchs(kw, shape):
    ours = tw.nn.LinearCrossEntropyOptions(**kw).chunk_size(*shape)
    theirs = torch.nn.LinearCrossEntropyOptions(**kw)._adjust(*shape, torch.float32)
    assert ours == theirs.batch_chunk_size


@pytest.mark.parametrize("kw", [{"acc_policy": "fast"}, {"chunking_method": "square"},
                                {"chunking_method": "aspect_ratio:0"},
                                {"batch_chunk_size": 0}, {"batch_chunk_size": 2.5}])
def test_options_are_checked_as_pytorchs(kw):
    got = errors(tw.nn.LinearCrossEntropyOptions, **kw)
    want = errors(torch.nn.LinearCrossEntropyOptions, **kw)
    assert got == want
    with pytest.raises(ValueError, match="give different chunk sizes"):
        tw.nn.LinearCrossEntropyOptions(batch_chunk_size=3,
                                        chunking_method="aspect_ratio").chunk_size(100, 16, 1000)


# -- the module ----------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"bias": True, "reduction": "sum"},
                                {"out_features": (2,), "label_smoothing": 0.1},
                                {"weight": CW, "ignore_index": 1}])
def test_module_matches_pytorchs(kw):
    def make(fw):
        k = dict(kw, weight=fw.tensor(kw["weight"]) if "weight" in kw else None)
        return fw.nn.LinearCrossEntropyLoss(IN, C, **k).double()

    ours, theirs = make(tw), make(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert tuple(a.shape) == tuple(b.shape)
        with tw.no_grad():
            a.copy_(tw.tensor(b.detach().numpy()))
    t = rng.integers(0, C, (N, 2)) if "out_features" in kw else T
    got = ours(tw.tensor(X), tw.tensor(t))
    want = theirs(torch.tensor(X), torch.tensor(t))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)


def test_module_errors_are_pytorchs():
    for kw in ({"weight": np.ones(2)}, {"label_smoothing": 1.5}):
        def make(fw, kw=kw):
            k = dict(kw, weight=fw.tensor(kw["weight"]) if "weight" in kw else None)
            return fw.nn.LinearCrossEntropyLoss(IN, C, **k)
        assert errors(make, tw) == errors(make, torch)
