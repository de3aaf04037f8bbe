"""`tw.nn.grad.conv{1,2,3}d_{input,weight}` against `torch.nn.grad` in float64: strides,
padding, dilation and groups, input sizes that need an output padding, second derivatives
through the other operands, and the shape error."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

CASES = [  # (dims, input shape, weight shape, options)
    (1, (2, 4, 9), (6, 2, 3), {"stride": 2, "padding": 1, "groups": 2}),
    (2, (2, 3, 7, 8), (4, 3, 3, 2), {"stride": (2, 3), "padding": (1, 0), "dilation": (1, 2)}),
    (2, (1, 4, 6, 6), (4, 1, 3, 3), {"groups": 4}),
    (3, (1, 2, 5, 4, 6), (3, 2, 2, 3, 2), {"stride": 2, "padding": (0, 1, 1)}),
]


def _out_shape(dims, x, w, options):
    conv = getattr(torch.nn.functional, f"conv{dims}d")
    return tuple(conv(torch.zeros(x, dtype=torch.float64), torch.zeros(w, dtype=torch.float64),
                      **options).shape)


@pytest.mark.parametrize("dims,x,w,options", CASES)
def test_conv_input_equals_pytorchs(dims, x, w, options):
    rng = np.random.default_rng(0)
    weight, g = rng.standard_normal(w), rng.standard_normal(_out_shape(dims, x, w, options))
    name = f"conv{dims}d_input"
    compare(lambda a, b: getattr(tw.nn.grad, name)(x, a, b, **options),
            lambda a, b: getattr(torch.nn.grad, name)(x, a, b, **options), weight, g)


@pytest.mark.parametrize("dims,x,w,options", CASES)
def test_conv_weight_equals_pytorchs(dims, x, w, options):
    rng = np.random.default_rng(1)
    inp, g = rng.standard_normal(x), rng.standard_normal(_out_shape(dims, x, w, options))
    name = f"conv{dims}d_weight"
    compare(lambda a, b: getattr(tw.nn.grad, name)(a, w, b, **options),
            lambda a, b: getattr(torch.nn.grad, name)(a, w, b, **options), inp, g)


def test_shape_mismatch_is_an_error():
    with pytest.raises(RuntimeError, match=r"conv2d_input: grad_output of shape \(1, 1, 2, 2\) "
                                           r"does not match .* \(1, 1, 3, 3\)"):
        tw.nn.grad.conv2d_input((1, 1, 5, 5), tw.ones(1, 1, 3, 3), tw.ones(1, 1, 2, 2))
