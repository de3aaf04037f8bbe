"""`histogramdd` against `torch.histogramdd`: counts and edges for int, per-dim and tensor
bins, ranges, weights, density, points outside the edges and NaN, batched input, PyTorch's
errors, and the same results on every device as on cpu."""

from __future__ import annotations

import numpy as np
import pytest
from _raised import errors

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1)
POINTS = RNG.normal(size=(60, 3))


def _both(x, bins, **kw):
    def conv(fw, v):
        if isinstance(v, np.ndarray):
            return fw.tensor(v)
        if isinstance(v, list) and v and isinstance(v[0], np.ndarray):
            return [fw.tensor(e) for e in v]
        return v
    got = tw.histogramdd(conv(tw, x), conv(tw, bins), **{k: conv(tw, v) for k, v in kw.items()})
    want = torch.histogramdd(conv(torch, x), conv(torch, bins),
                             **{k: conv(torch, v) for k, v in kw.items()})
    return got, want


@pytest.mark.parametrize("bins, kw", [
    (4, {}), ([2, 3, 5], {}), (3, {"range": [-1.0, 1.0, -2.0, 2.0, 0.0, 3.0]}),
    ([np.array([-1.0, 0.0, 2.0]), np.array([-3.0, 3.0]), np.array([-1.0, -0.5, 0.5, 1.0])], {}),
    (3, {"weight": RNG.uniform(size=60)}), ([2, 4, 3], {"density": True}),
    (2, {"weight": RNG.uniform(size=60), "density": True}),
])
def test_matches_torch(bins, kw):
    got, want = _both(POINTS, bins, **kw)
    assert type(got).__name__ == "histogramdd" and got._fields == ("hist", "bin_edges")
    assert tuple(got.hist.shape) == tuple(want.hist.shape)
    np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-12)
    assert len(got.bin_edges) == len(want.bin_edges) == 3
    for g, w in zip(got.bin_edges, want.bin_edges):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-14)


def test_outside_nan_batched_and_float32():
    x = POINTS.copy()
    x[3, 1], x[7, 0] = np.nan, 50.0
    got, want = _both(x.reshape(3, 20, 3).astype(np.float32),
                      [np.array([-1.0, 0.0, 1.0], np.float32)] * 3)
    assert got.hist.dtype is tw.float32
    np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
    got, want = _both(np.zeros((0, 2)), 2)  # no points: the default [0, 1] range
    np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
    for g, w in zip(got.bin_edges, want.bin_edges):
        np.testing.assert_allclose(g.numpy(), w.numpy())


@pytest.mark.parametrize("make", [
    lambda fw: ((fw.ones(5), 2), {}),
    lambda fw: ((fw.ones(5, 2), [3]), {}),
    lambda fw: ((fw.ones(5, 2), [fw.tensor([0.0, 1.0])]), {}),
    lambda fw: ((fw.ones(5, 2), 3), {"range": [0.0, 1.0]}),
    lambda fw: ((fw.ones(5, 2), 3), {"weight": fw.ones(5, 2)}),
    lambda fw: ((fw.ones(5, 2), 0), {}),
])
def test_errors_are_pytorchs(make):
    (args, kw), (targs, tkw) = make(tw), make(torch)
    got, want = errors(tw.histogramdd, *args, **kw), errors(torch.histogramdd, *targs, **tkw)
    assert got[0] is want[0] and got[1] == want[1]


def test_on_every_device_equal_cpu(device):
    x = tw.tensor(POINTS)
    want = tw.histogramdd(x, [3, 2, 4], weight=tw.tensor(POINTS[:, 0] ** 2))
    got = tw.histogramdd(x.to(device), [3, 2, 4],
                         weight=tw.tensor(POINTS[:, 0] ** 2, device=device))
    np.testing.assert_allclose(got.hist.cpu().numpy(), want.hist.numpy(), rtol=1e-12)
