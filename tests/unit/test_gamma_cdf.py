"""``Gamma.cdf`` (and Chi2's, and InverseGamma's through its transform) against PyTorch:
values, float64 gradients in ``value`` and ``rate``, and PyTorch's error for the
gradient in ``concentration``."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.distributions as D

torch = pytest.importorskip("torch")
import torch.distributions as TD  # noqa: E402

A, R, X = np.array([2.0, 0.5, 7.0]), np.array([1.5, 3.0, 0.7]), np.array([1.0, 0.2, 9.0])


@pytest.mark.parametrize("family", ["Gamma", "InverseGamma"])
def test_cdf_values_and_gradients_equal_pytorchs(family):
    rate, value = (tw.tensor(v, requires_grad=True) for v in (R, X))
    trate, tvalue = (torch.tensor(v, requires_grad=True) for v in (R, X))
    ours = getattr(D, family)(tw.tensor(A), rate).cdf(value)
    theirs = getattr(TD, family)(torch.tensor(A), trate).cdf(tvalue)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), trate.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(value.grad.numpy(), tvalue.grad.numpy(), rtol=1e-10)


def test_chi2_cdf_and_the_concentration_gradient_error():
    df = np.array([1.0, 3.0, 10.0])
    got = D.Chi2(tw.tensor(df)).cdf(tw.tensor([0.5, 2.0, 12.0], dtype=tw.float64))
    want = TD.Chi2(torch.tensor(df)).cdf(torch.tensor([0.5, 2.0, 12.0], dtype=torch.float64))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    conc = tw.tensor(A, requires_grad=True)
    out = D.Gamma(conc, tw.tensor(R)).cdf(tw.tensor(X))
    with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input' is not "
                       "implemented"):
        out.sum().backward()
