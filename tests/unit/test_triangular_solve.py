"""The deprecated ``triangular_solve`` against PyTorch: solutions and float64 gradients
for each triangle, transpose and unit diagonal, broadcast batches, the cloned coefficient,
the deprecation warning and PyTorch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _functional_oracle import compare
from _raised import errors

import tensorweave as tw

torch = pytest.importorskip("torch")


def _triangular(rng, shape):
    a = rng.standard_normal(shape)
    return a + 3 * np.eye(shape[-1])  # well conditioned whichever triangle is read


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("unitriangular", [False, True])
@pytest.mark.parametrize("b_shape,a_shape", [((3, 2), (3, 3)), ((2, 3, 4), (3, 3)),
                                             ((3, 1), (2, 3, 3))])
def test_solution_and_gradients_equal_pytorchs(upper, transpose, unitriangular, b_shape,
                                               a_shape):
    rng = np.random.default_rng(0)
    b, a = rng.standard_normal(b_shape), _triangular(rng, a_shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare(lambda x, y: tw.triangular_solve(x, y, upper, transpose, unitriangular),
                lambda x, y: torch.triangular_solve(x, y, upper, transpose, unitriangular),
                b, a)


def test_method_fields_and_warning():
    rng = np.random.default_rng(1)
    b, a = tw.tensor(rng.standard_normal((3, 2))), tw.tensor(_triangular(rng, (3, 3)))
    with pytest.warns(UserWarning, match="triangular_solve is deprecated in favor of"):
        out = b.triangular_solve(a, upper=False)
    assert out.solution is out[0] and out.cloned_coefficient is out[1]
    assert np.array_equal(out.cloned_coefficient.numpy(), a.numpy())
    assert out.cloned_coefficient.data_ptr() != a.data_ptr()
    np.testing.assert_allclose(np.tril(a.numpy()) @ out.solution.numpy(), b.numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda fw: (fw.ones(3), fw.eye(3)),
    lambda fw: (fw.ones(3, 2), fw.ones(2, 3)),
    lambda fw: (fw.ones(4, 2), fw.eye(3)),
    lambda fw: (fw.ones(3, 2, dtype=fw.float64), fw.eye(3)),
])
def test_errors_are_pytorchs(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert errors(tw.triangular_solve, *make(tw)) == errors(torch.triangular_solve,
                                                                *make(torch))
