"""`histogram` against `torch.histogram`: counts, edges, weights, density, tensor edges,
values on the edges, NaN and out-of-range elements, empty and constant inputs, dtypes and
PyTorch's errors; and the same results on every available device as on cpu."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
DATA = RNG.normal(size=(40, 5))


def _check(x, bins, **kw):
    """Compare hist exactly (densities to rounding) and bin_edges to rounding: PyTorch's
    linspace and tensorweave's may place an edge an ulp apart."""
    tw_bins = tw.tensor(bins) if isinstance(bins, np.ndarray) else bins
    th_bins = torch.tensor(bins) if isinstance(bins, np.ndarray) else bins
    w = kw.pop("weight", None)
    got = tw.histogram(tw.tensor(x), tw_bins, weight=None if w is None else tw.tensor(w), **kw)
    want = torch.histogram(torch.tensor(x), th_bins,
                           weight=None if w is None else torch.tensor(w), **kw)
    assert type(got).__name__ == "histogram" and got._fields == ("hist", "bin_edges")
    eps = np.finfo(x.dtype).eps
    for g, r, rtol in zip(got, want, (4 * eps if kw.get("density") else 0, 4 * eps)):
        assert g.dtype.name == str(r.dtype).removeprefix("torch.")
        np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=rtol, atol=4 * eps)
    return got


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins,kw", [(10, {}), (1, {}), (7, {"range": (-1.0, 2.0)}),
                                     (5, {"density": True}),
                                     (6, {"range": (0, 1), "density": True})])
def test_int_bins_match_torch(dtype, bins, kw):
    _check(DATA.astype(dtype), bins, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weights_and_density(dtype):
    x = DATA.astype(dtype)
    w = RNG.uniform(0, 2, x.shape).astype(dtype)
    _check(x, 8, weight=w)
    _check(x, 8, weight=w, density=True, range=(-2.0, 2.0))
    _check(x, np.array([-3.0, -0.5, 0.0, 0.25, 3.0], dtype=dtype), weight=w, density=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [10, 7, 3])
def test_values_on_the_edges_go_to_the_bin_they_open(dtype, n):
    """Elements equal to an edge (and an ulp either side) go to the bin that edge opens, the
    last edge to the last bin, as PyTorch's search of the edges: the linear estimate of the
    bin is corrected against the edges themselves."""
    edges = tw.histogram(tw.zeros(1, dtype=getattr(tw, np.dtype(dtype).name)), n,
                         range=(-1.3, 2.9)).bin_edges.numpy()
    x = np.concatenate([edges, np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf)])
    got = tw.histogram(tw.tensor(x), n, range=(-1.3, 2.9))
    np.testing.assert_array_equal(got.bin_edges.numpy(), edges)
    pos = np.minimum(np.searchsorted(edges, x, side="right") - 1, n - 1)
    inside = (x >= edges[0]) & (x <= edges[-1])
    np.testing.assert_array_equal(got.hist.numpy(), np.bincount(pos[inside], minlength=n))
    _check(x, np.asarray(torch.linspace(-1.3, 2.9, n + 1, dtype=getattr(torch, np.dtype(
        dtype).name))))


def test_tensor_edges_with_repeats_and_out_of_range_values():
    x = np.array([1.0, 2.0, 1.0, 4.0, 2.5, -7.0, 9.0, np.nan])
    _check(x, np.array([1.0, 1.0, 2.0, 4.0]))
    _check(x, np.array([0.0, 5.0]))
    _check(x, 3, range=(0.0, 3.0))  # NaN and the out-of-range values are not counted


def test_empty_and_constant_inputs():
    _check(np.zeros(0), 3)
    _check(np.zeros((0, 4), dtype=np.float32), 2, range=(1.0, 2.0))
    _check(np.full(5, 2.0), 3)  # the range widens by 1/2 on each side
    _check(np.full(5, 2.0), 3, range=(2.0, 2.0))
    _check(np.zeros(0), 3, density=True)  # 0 / 0: nan


def test_tensor_method_and_weight_gradient():
    x = tw.tensor(DATA)
    got = x.histogram(4, range=(-1.0, 1.0))
    want = torch.tensor(DATA).histogram(4, range=(-1.0, 1.0))
    np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
    w = tw.ones(DATA.shape, dtype=tw.float64, requires_grad=True)
    hist = tw.histogram(x, 4, range=(-1.0, 1.0), weight=w).hist
    (hist * tw.arange(4, dtype=tw.float64)).sum().backward()
    inside = (DATA >= -1) & (DATA <= 1)
    expect = np.where(inside, np.minimum(np.floor((DATA + 1) * 2), 3), 0)
    np.testing.assert_array_equal(w.grad.numpy(), expect)


def test_errors():
    x = tw.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match='"histogramdd" not implemented for int64'):
        tw.histogram(tw.tensor([1, 2]), 3)
    with pytest.raises(NotImplementedError, match="not implemented for float16"):
        tw.histogram(x.half(), 3)
    with pytest.raises(RuntimeError, match=r"torch.histogram\(\): bins must be > 0, but got 0 "
                                           "for dimension 0"):
        tw.histogram(x, 0)
    with pytest.raises(RuntimeError, match="min should not exceed max, but got min 3 max 1"):
        tw.histogram(x, 4, range=(3, 1))
    with pytest.raises(RuntimeError, match=r"dimension 0's range \[1, inf\] is not finite"):
        tw.histogram(tw.tensor([1.0, float("inf")]), 4)
    with pytest.raises(RuntimeError, match=r"range \[nan, nan\] is not finite"):
        tw.histogram(tw.tensor([1.0, float("nan")]), 4)
    with pytest.raises(RuntimeError, match="input tensor and bins tensors should have the same "
                                           "dtype, but got input with dtype float32 and bins"):
        tw.histogram(x, tw.tensor([0.0, 1.0], dtype=tw.float64))
    with pytest.raises(RuntimeError, match="bins tensor should have one dimension, but got 2"):
        tw.histogram(x, tw.tensor([[0.0, 1.0]]))
    with pytest.raises(RuntimeError, match="bins tensor should have at least 1 element"):
        tw.histogram(x, tw.tensor([]))
    with pytest.raises(RuntimeError, match="bins must be > 0, but got 0"):
        tw.histogram(x, tw.tensor([0.0]))
    with pytest.raises(TypeError, match="range= is only accepted with an int bins"):
        tw.histogram(x, tw.tensor([0.0, 1.0]), range=(0, 1))
    with pytest.raises(TypeError, match="argument 'bins' must be int or Tensor, not float"):
        tw.histogram(x, 2.5)
    with pytest.raises(RuntimeError, match=r"same shape as the input tensor .* input with "
                                           r"shape \[2\] and weight with shape \[3\]"):
        tw.histogram(x, 2, weight=tw.ones(3))
    with pytest.raises(RuntimeError, match=r"should have the same dtype, but got "
                                           r"input\(float32\), and weight\(float64\)"):
        tw.histogram(x, 2, weight=tw.ones(2, dtype=tw.float64))


def test_on_every_device_equal_cpu(device):
    x = DATA.astype(np.float32)
    w = RNG.uniform(0, 2, x.shape).astype(np.float32)
    res = []
    for dev in ("cpu", device):
        t = tw.tensor(x, device=dev)
        out = [*tw.histogram(t, 6), *tw.histogram(t, 5, range=(-1.0, 1.0), density=True,
                                                   weight=tw.tensor(w, device=dev)),
               tw.histogram(t, tw.tensor([-2.0, 0.0, 0.5, 2.0], device=dev)).hist]
        res.append([o.cpu().numpy() for o in out])
    for got, want in zip(res[1], res[0]):
        np.testing.assert_allclose(got, want, rtol=1e-6)
