"""``tw.poisson`` and ``tw.binomial``: sample moments of 20k draws against the exact ones
(bounds at 6 standard errors), generator reproducibility, dtypes and broadcasting,
PyTorch's zero gradient of ``poisson``, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

N = 20_000
Z = 6.0


def _within(x: np.ndarray, mean: np.ndarray, var: np.ndarray) -> None:
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), Z * np.sqrt(var / N) + 1e-12)


def test_poisson_moments_and_dtype(device):
    rates = np.array([0.0, 0.4, 3.0, 12.0, 300.0])
    x = tw.tensor(np.tile(rates, (N, 1)), dtype=tw.float64, device=device)
    out = tw.poisson(x, generator=tw.Generator(device).manual_seed(1)).cpu().numpy()
    assert out.dtype == np.float64 and out.shape == (N, 5)
    assert np.array_equal(out, np.floor(out)) and (out >= 0).all()
    _within(out, rates, rates)
    _within((out - rates) ** 2, rates, 2 * rates ** 2 + rates)  # the variance, too


def test_binomial_moments_and_broadcasting(device):
    count = tw.tensor([[0.0, 1.0, 7.0, 40.0]], device=device)
    prob = tw.tensor(np.tile([[0.3], [0.9]], (N, 1)), dtype=tw.float32, device=device)
    out = tw.binomial(count, prob).cpu().numpy()
    assert out.dtype == np.float32 and out.shape == (2 * N, 4)
    n, p = np.array([0.0, 1.0, 7.0, 40.0]), np.tile([[0.3], [0.9]], (N, 1))
    for rows in (slice(0, None, 2), slice(1, None, 2)):
        _within(out[rows], n * p[rows][0], n * p[rows][0] * (1 - p[rows][0]))
        assert (out[rows] <= n).all()


def test_a_generator_reproduces_its_draws():
    rate = tw.full((50,), 6.0)
    a = tw.poisson(rate, tw.Generator().manual_seed(7))
    b = tw.poisson(rate, tw.Generator().manual_seed(7))
    c = tw.poisson(rate, tw.Generator().manual_seed(8))
    assert a.equal(b) and not a.equal(c)
    p = tw.full((50,), 0.5)
    assert tw.binomial(rate, p, tw.Generator().manual_seed(3)).equal(
        tw.binomial(rate, p, tw.Generator().manual_seed(3)))


def test_poisson_has_a_zero_gradient_as_pytorch():
    rate = tw.tensor([2.0, 30.0], requires_grad=True)
    out = tw.poisson(rate)
    assert out.requires_grad
    (out * tw.tensor([3.0, 4.0])).sum().backward()
    assert rate.grad.tolist() == [0.0, 0.0]
    assert not tw.binomial(tw.tensor([3.0]), tw.tensor([0.5], requires_grad=True)).requires_grad


@pytest.mark.parametrize("call, error, match", [
    (lambda: tw.poisson(tw.tensor([-1.0])), RuntimeError, "invalid Poisson rate"),
    (lambda: tw.poisson(tw.tensor([float("nan")])), RuntimeError, "invalid Poisson rate"),
    (lambda: tw.poisson(tw.tensor([float("inf")])), RuntimeError, "non-negative and finite"),
    (lambda: tw.poisson(tw.tensor([1])), ValueError, "floating-point dtypes for input"),
    (lambda: tw.poisson([1.0]), TypeError, "argument 'input' must be Tensor"),
    (lambda: tw.binomial(tw.tensor([1]), tw.tensor([0.5])), ValueError,
     "floating-point dtypes for count, got: int64"),
    (lambda: tw.binomial(tw.tensor([3.0]), tw.tensor([0.5], dtype=tw.float64)), RuntimeError,
     "Found dtype float64 but expected float32"),
    (lambda: tw.binomial(tw.tensor([-1.0]), tw.tensor([0.5])), RuntimeError, "whole number"),
    (lambda: tw.binomial(tw.tensor([2.5]), tw.tensor([0.5])), RuntimeError, "whole number"),
    (lambda: tw.binomial(tw.tensor([2.0]), tw.tensor([1.5])), RuntimeError, r"in \[0, 1\]"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
