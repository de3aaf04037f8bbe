"""`Tensor.cauchy_`, `log_normal_` and `geometric_`: their distributions (Kolmogorov-Smirnov
statistics against the exact CDFs, and the geometric pmf, from large fixed-seed samples),
dtypes, generators, in-place semantics and PyTorch's errors, on every available device."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw

N = 100_000
# The KS statistic of N samples from the right law exceeds 0.0085 with probability < 1e-6.
KS_LIMIT = 0.0085

_erf = np.vectorize(math.erf)


def _np(t):
    return t.detach().cpu().numpy().astype(np.float64)


def _ks(x, cdf):
    """sup |F_n - F| of the sample ``x`` against the CDF ``cdf``."""
    x = np.sort(x)
    f = cdf(x)
    i = np.arange(1, len(x) + 1)
    return max(np.max(i / len(x) - f), np.max(f - (i - 1) / len(x)))


@pytest.mark.parametrize("median,sigma", [(0.0, 1.0), (-2.0, 0.5)])
def test_cauchy_law(device, median, sigma):
    tw.manual_seed(0)
    x = _np(tw.empty(N, dtype=tw.float64, device=device).cauchy_(median, sigma))
    assert _ks(x, lambda v: 0.5 + np.arctan((v - median) / sigma) / np.pi) < KS_LIMIT
    # The quartiles are median -+ sigma (the mean does not exist).
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]),
                               [median - sigma, median, median + sigma], atol=0.03 * sigma)


@pytest.mark.parametrize("mean,std", [(1.0, 2.0), (-0.5, 0.25)])
def test_log_normal_law(device, mean, std):
    tw.manual_seed(1)
    x = _np(tw.empty(N, dtype=tw.float64, device=device).log_normal_(mean, std))
    assert x.min() > 0
    cdf = lambda v: 0.5 * (1 + _erf((np.log(v) - mean) / (std * math.sqrt(2))))  # noqa: E731
    assert _ks(x, cdf) < KS_LIMIT
    assert abs(np.median(x) - math.exp(mean)) < 0.02 * math.exp(mean) * max(std, 1)


@pytest.mark.parametrize("p", [0.2, 0.7, 1e-3])
def test_geometric_law(device, p):
    tw.manual_seed(2)
    x = _np(tw.empty(N, dtype=tw.float64, device=device).geometric_(p))
    assert x.min() >= 1 and np.all(x == np.round(x))
    # Each of the first values' frequency within 5 standard deviations of its probability.
    for k in range(1, 6):
        pk = p * (1 - p) ** (k - 1)
        assert abs(np.mean(x == k) - pk) < 5 * math.sqrt(pk * (1 - pk) / N)
    sd = math.sqrt(1 - p) / p
    assert abs(x.mean() - 1 / p) < 5 * sd / math.sqrt(N)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dtype_and_shape_are_kept(device, dtype):
    dt = getattr(tw, dtype)
    for fill in (lambda t: t.cauchy_(), lambda t: t.log_normal_(), lambda t: t.geometric_(0.5)):
        x = tw.zeros((30, 40), dtype=dt, device=device)
        v = x._version
        assert fill(x) is x and x._version == v + 1
        assert x.dtype is dt and tuple(x.shape) == (30, 40)
    assert _np(x).min() >= 1


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8"])
def test_geometric_fills_integer_tensors(device, dtype):
    tw.manual_seed(3)
    x = tw.zeros(20_000, dtype=getattr(tw, dtype), device=device).geometric_(0.5)
    assert x.dtype is getattr(tw, dtype)
    v = _np(x)
    assert v.min() >= 1 and abs(np.mean(v == 1) - 0.5) < 0.02 and abs(v.mean() - 2) < 0.05


def test_noncontiguous_views_are_filled_in_place():
    base = tw.zeros((6, 4), dtype=tw.float64)
    base[:, 1].cauchy_()
    base[::2, 2].log_normal_()
    base[1::2, 3].geometric_(0.3)
    b = _np(base)
    assert np.all(b[:, 0] == 0) and np.all(b[:, 1] != 0)
    assert np.all(b[::2, 2] > 0) and np.all(b[1::2, 2] == 0)
    assert np.all(b[1::2, 3] >= 1) and np.all(b[::2, 3] == 0)


def test_generator_reproduces_and_is_independent():
    g = tw.Generator()
    for fill in (lambda t, g: t.cauchy_(1.0, 2.0, generator=g),
                 lambda t, g: t.log_normal_(0.0, 1.0, generator=g),
                 lambda t, g: t.geometric_(0.3, generator=g)):
        a = fill(tw.empty(50), g.manual_seed(5))
        tw.manual_seed(99)
        b = fill(tw.empty(50), g.manual_seed(5))
        assert np.array_equal(_np(a), _np(b))
        assert not np.array_equal(_np(a), _np(fill(tw.empty(50), g)))
    with pytest.raises(TypeError, match="generator must be a tensorweave.Generator"):
        tw.empty(2).cauchy_(generator=0)


def test_errors():
    x = tw.zeros(3)
    for sigma in (0, -1):
        with pytest.raises(RuntimeError, match=f"cauchy_ expects sigma > 0.0, but found "
                                               f"sigma={sigma}"):
            x.cauchy_(0, sigma)
    with pytest.raises(RuntimeError, match="Cauchy distribution is a continuous probability "
                                           "distribution. dtype must be a floating point"):
        tw.zeros(3, dtype=tw.int64).cauchy_()
    with pytest.raises(RuntimeError, match="log_normal_ expects std > 0.0, but found std=0"):
        x.log_normal_(1, 0)
    with pytest.raises(RuntimeError, match="log_normal_: not implemented for tensorweave.int64"):
        tw.zeros(3, dtype=tw.int64).log_normal_()
    for p in (0, 1, 1.5, -0.1):
        with pytest.raises(RuntimeError, match=f"geometric_ expects p to be in \\(0, 1\\), but "
                                               f"got p={p}"):
            x.geometric_(p)
    with pytest.raises(RuntimeError, match="geometric_: not implemented for tensorweave.bool"):
        tw.zeros(3, dtype=tw.bool).geometric_(0.5)
    with pytest.raises(TypeError):
        x.geometric_()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        tw.zeros(2, requires_grad=True).cauchy_()
