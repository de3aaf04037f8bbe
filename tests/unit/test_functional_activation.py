"""nn.functional activations against PyTorch: values and gradients (kinks and large inputs
included), numerical gradients, in-place variants, and PyTorch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)
# The kinks of the piecewise functions (0, +-0.5, +-1, +-3, +-6) and magnitudes where naive
# formulas overflow, next to ordinary values.
SPECIAL = np.array([-1000.0, -60.0, -21.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0,
                    21.0, 60.0, 1000.0])


def inputs() -> np.ndarray:
    return np.concatenate([SPECIAL, RNG.normal(scale=3.0, size=25)]).reshape(5, 8)


# name -> a call with PyTorch's spelling, run with `F` = tensorweave's or torch's functional.
ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu(0.2)": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x),
    "elu(0.5)": lambda F, x: F.elu(x, alpha=0.5),
    "selu": lambda F, x: F.selu(x),
    "celu(2)": lambda F, x: F.celu(x, alpha=2.0),
    "gelu": lambda F, x: F.gelu(x),
    "gelu(tanh)": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus(2,1)": lambda F, x: F.softplus(x, beta=2.0, threshold=1.0),
    "softsign": lambda F, x: F.softsign(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh(-0.5,3)": lambda F, x: F.hardtanh(x, -0.5, 3.0),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, -2.0),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "softshrink": lambda F, x: F.softshrink(x, 1.0),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "rrelu(eval)": lambda F, x: F.rrelu(x),
    "softmax": lambda F, x: F.softmax(x, dim=1),
    "log_softmax": lambda F, x: F.log_softmax(x, dim=0),
    "softmin": lambda F, x: F.softmin(x, dim=-1),
    "glu": lambda F, x: F.glu(x),
    "glu(dim=0)": lambda F, x: F.glu(x[:4], 0),
}


# PyTorch's cpu kernels for these round a constant to float32 (1.0f / 6.0f) even in float64.
FLOAT32_CONSTANTS = {"hardsigmoid", "hardswish"}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_pytorch_with_gradients_in_float64(name):
    """Values and gradients equal PyTorch's at the kinks and at |x| up to 1000 too."""
    fn = ACTIVATIONS[name]
    rtol = 1e-7 if name in FLOAT32_CONSTANTS else 1e-8
    compare(lambda x: fn(F, x), lambda x: fn(TF, x), inputs(), rtol=rtol)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_pytorch_in_float32(name):
    fn = ACTIVATIONS[name]
    x = inputs().astype(np.float32)
    compare(lambda x: fn(F, x), lambda x: fn(TF, x), x, atol=2e-6, rtol=2e-6)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradients_match_finite_differences(name):
    """Away from the kinks (where finite differences straddle two pieces)."""
    fn = ACTIVATIONS[name]
    x = RNG.uniform(-4.0, 4.0, size=(4, 4))
    x[np.abs(np.abs(x) - np.round(np.abs(x) * 2) / 2) < 1e-3] += 0.01  # off the kinks
    leaf = tw.tensor(x, requires_grad=True)
    assert tw.autograd.gradcheck(lambda t: fn(F, t), (leaf,))


@pytest.mark.parametrize("name", ["elu", "selu", "softplus", "logsigmoid", "mish", "gelu(tanh)",
                                  "leaky_relu(0.2)", "hardtanh", "softmin", "glu"])
def test_activation_second_derivatives(name):
    fn = ACTIVATIONS[name]
    leaf = tw.tensor(RNG.uniform(-2.0, 2.0, size=(2, 4)) + 0.01, requires_grad=True)
    assert tw.autograd.gradgradcheck(lambda t: fn(F, t), (leaf,))


@pytest.mark.parametrize("fn", [F.softplus, F.logsigmoid, F.elu, F.selu, F.mish, F.silu])
@pytest.mark.parametrize("dtype", [tw.float32, tw.float64])
def test_large_inputs_give_finite_values_and_gradients_without_warnings(fn, dtype):
    x = tw.tensor([-1e4, -100.0, 100.0, 1e4], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = fn(x)
        (g,) = tw.autograd.grad(y.sum(), x)
    assert np.all(np.isfinite(y.detach().numpy())) and np.all(np.isfinite(g.numpy()))


def test_softplus_and_logsigmoid_are_exact_in_the_tails():
    x = tw.tensor([-1000.0, -30.0, 30.0, 1000.0], dtype=tw.float64)
    np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, np.exp(-30.0), 30.0, 1000.0],
                               rtol=1e-12)
    np.testing.assert_allclose(F.logsigmoid(x).numpy(),
                               [-1000.0, -30.0 - np.log1p(np.exp(-30.0)), -np.exp(-30.0), 0.0],
                               rtol=1e-12)
    # Above the threshold softplus is the identity, exactly as PyTorch.
    assert F.softplus(tw.tensor([25.0]), threshold=20).item() == 25.0


def test_softplus_never_overflows_even_with_a_large_threshold():
    """PyTorch's log1p(exp(bx)) gives inf here; the stable form gives bx."""
    x = tw.tensor([50.0, -50.0], dtype=tw.float64)
    out = F.softplus(x, beta=2, threshold=200).numpy()
    np.testing.assert_allclose(out, [50.0, np.log1p(np.exp(-100.0)) / 2], rtol=1e-6)


@pytest.mark.parametrize("name,call", [
    ("relu", lambda F, x: F.relu(x, inplace=True)),
    ("relu_", lambda F, x: F.relu_(x)),
    ("relu6", lambda F, x: F.relu6(x, inplace=True)),
    ("leaky_relu_", lambda F, x: F.leaky_relu_(x, 0.3)),
    ("elu_", lambda F, x: F.elu_(x, 0.7)),
    ("selu_", lambda F, x: F.selu_(x)),
    ("celu_", lambda F, x: F.celu_(x, 1.5)),
    ("hardtanh_", lambda F, x: F.hardtanh_(x, -0.5, 0.5)),
    ("threshold_", lambda F, x: F.threshold_(x, 0.1, 9.0)),
    ("silu", lambda F, x: F.silu(x, inplace=True)),
    ("mish", lambda F, x: F.mish(x, inplace=True)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x, inplace=True)),
    ("hardswish", lambda F, x: F.hardswish(x, inplace=True)),
])
def test_inplace_variants_write_into_the_input_and_backpropagate_like_pytorch(name, call):
    x = RNG.normal(size=(3, 4)) * 2

    def run(F, leaf):
        y = leaf * 1.0  # a non-leaf, so the in-place write is allowed under autograd
        out = call(F, y)
        assert out is y
        return out

    rtol = 1e-7 if name in FLOAT32_CONSTANTS else 1e-8
    compare(lambda t: run(F, t), lambda t: run(TF, t), x, rtol=rtol)


def test_inplace_on_a_leaf_that_requires_grad_raises():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        F.relu(tw.ones(2, requires_grad=True), inplace=True)


def test_inplace_bumps_the_version_so_saved_tensors_are_protected():
    x = tw.ones(3, requires_grad=True)
    y = x * 2.0
    z = y.sigmoid()  # saves its output
    F.relu_(z)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_integer_inputs_follow_pytorch():
    x = np.arange(-3, 8)
    compare(lambda t: F.hardtanh(t, -1.5, 1.5), lambda t: TF.hardtanh(t, -1.5, 1.5), x)
    compare(lambda t: F.relu6(t), lambda t: TF.relu6(t), x)
    compare(lambda t: F.threshold(t, 1, 7.9), lambda t: TF.threshold(t, 1, 7.9), x)
    for fn in (F.leaky_relu, F.elu, F.softplus, F.logsigmoid):
        with pytest.raises(NotImplementedError, match="not implemented for int64"):
            fn(tw.tensor(x))


def test_activation_errors_match_pytorch():
    x = tw.ones(3, 3)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(x, 0.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 "
                                           "is size 3"):
        F.glu(x)
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(tw.tensor(1.0))
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the "
                                           "upper bound"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel "
                                           "size. Found parameter numbers = 4 and channel "
                                           "size = 3."):
        F.prelu(x, tw.ones(4))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(x, 2)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, F.softmin])
def test_softmax_family_implicit_dim_warns_like_pytorch(fn):
    x = RNG.normal(size=(2, 3, 4))
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn.__name__} has "
                                         "been deprecated"):
        got = fn(tw.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(TF, fn.__name__)(torch.tensor(x))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_dtype_argument(fn):
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    compare(lambda t: getattr(F, fn)(t, 1, dtype=tw.float64),
            lambda t: getattr(TF, fn)(t, 1, dtype=torch.float64), x, grad=False, atol=1e-6)
    got = getattr(F, fn)(tw.arange(4), 0, dtype=tw.float32)
    assert got.dtype is tw.float32


@pytest.mark.parametrize("shape,weight", [((2, 3, 4), (3,)), ((2, 3), (1,)), ((5,), (1,)),
                                          ((), (1,)), ((4, 3), ())])
def test_prelu_matches_pytorch(shape, weight):
    x = RNG.normal(size=shape)
    w = RNG.uniform(0.1, 0.5, size=weight)
    compare(F.prelu, TF.prelu, x, w)


def test_rrelu_training_draws_reproducible_slopes_in_range():
    x = tw.tensor(RNG.normal(size=(50, 40)), requires_grad=True)
    tw.manual_seed(3)
    a = F.rrelu(x, 0.1, 0.3, training=True)
    tw.manual_seed(3)
    b = F.rrelu(x, 0.1, 0.3, training=True)
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    xn, an = x.detach().numpy(), a.detach().numpy()
    slopes = an[xn < 0] / xn[xn < 0]
    assert slopes.min() >= 0.1 and slopes.max() < 0.3 and slopes.std() > 0.03
    assert np.array_equal(an[xn > 0], xn[xn > 0])
    (g,) = tw.autograd.grad(a.sum(), x)  # the gradient is each element's slope
    np.testing.assert_allclose(g.numpy()[xn < 0], slopes)
    np.testing.assert_allclose(g.numpy()[xn > 0], 1.0)


def test_functional_reexports_the_ops():
    assert F.gelu is tw.gelu
    assert F.relu(tw.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert F.softplus.name == "softplus" and F.logsigmoid.name == "log_sigmoid"
