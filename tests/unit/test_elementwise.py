"""Elementwise ops: promotion, in-place variants, division semantics, activations, gradients.

Expected values are PyTorch's documented results or NumPy float64 computations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw


def _np(t):
    return t.detach().numpy()


# -- type promotion ---------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,dtype,want", [
    (tw.tensor([1, 2]), 2.5, tw.float32, [3.5, 4.5]),              # int tensor + float scalar
    (tw.tensor([1, 2], dtype=tw.int32), tw.tensor(5), tw.int32, [6, 7]),  # dim beats 0-d
    (tw.tensor([200], dtype=tw.uint8), tw.tensor([-100], dtype=tw.int8), tw.int16, [100]),
    (tw.tensor([True, False]), tw.tensor([True, False]), tw.bool, [True, False]),
    (tw.tensor([1.5], dtype=tw.float16), tw.tensor([0.25]), tw.float32, [1.75]),
    (tw.tensor([1], dtype=tw.uint8), 1000, tw.uint8, [233]),       # 1000 wraps to 232
    (tw.tensor([True]), 2, tw.int64, [3]),
    (tw.tensor([1.0]), tw.tensor(2.0, dtype=tw.float64), tw.float32, [3.0]),
])
def test_add_promotes_like_pytorch(a, b, dtype, want):
    r = a + b
    assert r.dtype is dtype
    np.testing.assert_array_equal(_np(r), want)


def test_bool_plus_bool_is_logical_or():
    np.testing.assert_array_equal(_np(tw.tensor([True, False, False]) +
                                      tw.tensor([True, True, False])), [True, True, False])


def test_out_of_range_python_int_wraps_like_pytorch():
    """PyTorch converts the scalar to the tensor's dtype: uint8 [1] + -1 -> 0."""
    np.testing.assert_array_equal(_np(tw.tensor([1, 5], dtype=tw.uint8) + -1), [0, 4])


@pytest.mark.parametrize("fn,want", [
    (lambda x: tw.sqrt(x), tw.float32), (lambda x: tw.sigmoid(x), tw.float32),
    (lambda x: tw.reciprocal(x), tw.float32), (lambda x: x / 2, tw.float32),
    (lambda x: x // 2, tw.int64), (lambda x: x % 2, tw.int64), (lambda x: abs(x), tw.int64),
    (lambda x: x.clamp(0.5, 2), tw.float32), (lambda x: x ** 2, tw.int64),
    (lambda x: x ** 0.5, tw.float32), (lambda x: 2 ** x, tw.int64),
    (lambda x: 2.0 ** x, tw.float32), (lambda x: tw.isnan(x), tw.bool),
    (lambda x: tw.logical_not(x), tw.bool), (lambda x: tw.square(x > 1), tw.int64),
])
def test_result_dtypes_of_int_inputs(fn, want):
    assert fn(tw.tensor([1, 2, 3])).dtype is want


# -- operators and pow with scalars on either side -----------------------------------------------

def test_rpow_and_pow_values_and_grads():
    x = tw.tensor([0.5, 1.0, 2.0], dtype=tw.float64, requires_grad=True)
    y = 2 ** x
    np.testing.assert_allclose(_np(y), 2 ** np.array([0.5, 1.0, 2.0]))
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), 2 ** np.array([0.5, 1.0, 2.0]) * math.log(2))
    np.testing.assert_array_equal(_np(tw.tensor([1, 2, 3]) ** 2), [1, 4, 9])
    np.testing.assert_array_equal(_np(tw.pow(3, tw.tensor([0, 1, 2]))), [1, 3, 9])


def test_floor_divide_and_remainder_follow_python_signs():
    a = tw.tensor([7, -7, 7, -7])
    b = tw.tensor([2, 2, -2, -2])
    np.testing.assert_array_equal(_np(a // b), [3, -4, -4, 3])
    np.testing.assert_array_equal(_np(a % b), [1, 1, -1, -1])
    np.testing.assert_array_equal(_np(tw.fmod(a, b)), [1, -1, 1, -1])
    af = tw.tensor([5.5, -5.5])
    np.testing.assert_allclose(_np(af % 2), [1.5, 0.5])
    np.testing.assert_allclose(_np(af // 2), [2.0, -3.0])
    np.testing.assert_array_equal(_np(7 % tw.tensor([-3, 3])), [-2, 1])


@pytest.mark.parametrize("fn", [lambda a: a // 0, lambda a: a % tw.tensor([1, 0]),
                                lambda a: tw.fmod(a, 0)])
def test_integer_division_by_zero_raises(fn):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(tw.tensor([1, 2]))


def test_float_division_by_zero_gives_inf_and_nan():
    x = tw.tensor([1.0, -1.0, 0.0])
    np.testing.assert_array_equal(_np(x / 0), [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(_np(tw.tensor([1, -1, 0]) / 0), [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(_np(x // 0.0), [np.inf, -np.inf, np.nan])
    assert np.isnan(_np(x % 0.0)).all()


def test_bitwise_and_shift_operators():
    a = tw.tensor([12, 10], dtype=tw.int32)
    b = tw.tensor([10, 6], dtype=tw.int32)
    np.testing.assert_array_equal(_np(a & b), [8, 2])
    np.testing.assert_array_equal(_np(a | b), [14, 14])
    np.testing.assert_array_equal(_np(a ^ b), [6, 12])
    np.testing.assert_array_equal(_np(~a), [-13, -11])
    np.testing.assert_array_equal(_np(~tw.tensor([5], dtype=tw.uint8)), [250])
    np.testing.assert_array_equal(_np(a << 2), [48, 40])
    np.testing.assert_array_equal(_np(tw.tensor([-8]) >> 1), [-4])
    assert (a & 1).dtype is tw.int32


def test_invert_of_bool_is_logical_not():
    r = ~tw.tensor([True, False])
    assert r.dtype is tw.bool
    np.testing.assert_array_equal(_np(r), [False, True])


def test_bitwise_of_floats_is_a_type_error():
    with pytest.raises(TypeError, match="bitwise_and: only integer and bool"):
        tw.tensor([1.0]) & tw.tensor([1.0])


def test_logical_ops_treat_nonzero_as_true():
    a = tw.tensor([0.0, 2.0, -1.0, 0.0])
    b = tw.tensor([0, 0, 3, 1])
    np.testing.assert_array_equal(_np(tw.logical_and(a, b)), [False, False, True, False])
    np.testing.assert_array_equal(_np(tw.logical_or(a, b)), [False, True, True, True])
    np.testing.assert_array_equal(_np(tw.logical_xor(a, b)), [False, True, False, True])
    np.testing.assert_array_equal(_np(tw.logical_not(a)), [True, False, False, True])


# -- in-place variants ---------------------------------------------------------------------------

def test_inplace_add_and_clamp():
    x = tw.tensor([-1.0, 0.5, 2.0])
    assert x.add_(1) is x
    np.testing.assert_array_equal(_np(x), [0.0, 1.5, 3.0])
    x.clamp_(0, 1)
    np.testing.assert_array_equal(_np(x), [0.0, 1.0, 1.0])
    y = tw.tensor([-3, 4, 9])
    y.clip_(min=0)
    np.testing.assert_array_equal(_np(y), [0, 4, 9])


def test_iadd_on_a_view_changes_the_base():
    base = tw.zeros(2, 3)
    row = base.as_strided((3,), (1,), 3)  # base[1]
    row += 1
    np.testing.assert_array_equal(_np(base), [[0, 0, 0], [1, 1, 1]])
    col = base.t()
    col.mul_(2)
    np.testing.assert_array_equal(_np(base), [[0, 0, 0], [2, 2, 2]])


def test_inplace_result_that_cannot_be_cast_raises():
    """PyTorch: "result type Float can't be cast to the desired output type Long"."""
    with pytest.raises(RuntimeError, match=r"result type Float\w* can't be cast to the "
                                           r"desired output type"):
        tw.tensor([1, 2]).add_(1.5)


# -- activations, math against formulas ----------------------------------------------------------

X = np.array([-3.0, -1.0, -0.25, 0.0, 0.25, 1.0, 3.0])


def test_relu_gelu_silu_values():
    x = tw.tensor(X, dtype=tw.float64)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(_np(tw.relu(x)), np.maximum(X, 0))
    np.testing.assert_allclose(_np(tw.gelu(x)), 0.5 * X * (1 + erf(X / math.sqrt(2))),
                               rtol=1e-12)
    tanh_form = 0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(_np(tw.gelu(x, approximate="tanh")), tanh_form, rtol=1e-12)
    np.testing.assert_allclose(_np(tw.silu(x)), X / (1 + np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(_np(tw.erf(x)), erf(X), rtol=1e-12)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        tw.gelu(x, approximate="fast")


def test_relu_gradient_at_zero_is_zero():
    x = tw.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    tw.relu(x).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0.0, 0.0, 1.0])


def test_relu_keeps_integer_dtype_and_nan():
    r = tw.relu(tw.tensor([-2, 3], dtype=tw.int8))
    assert r.dtype is tw.int8
    np.testing.assert_array_equal(_np(r), [0, 3])
    assert np.isnan(_np(tw.relu(tw.tensor([float("nan")])))).all()


def test_gelu_and_silu_gradients_match_formula():
    x = tw.tensor(X, dtype=tw.float64, requires_grad=True)
    tw.gelu(x).sum().backward()
    pdf = np.exp(-X ** 2 / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(X / math.sqrt(2)))
    np.testing.assert_allclose(_np(x.grad), cdf + X * pdf, rtol=1e-12)
    x.grad = None
    tw.silu(x).sum().backward()
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(_np(x.grad), s * (1 + X * (1 - s)), rtol=1e-12)


def test_log1p_expm1_are_precise_near_zero():
    x = tw.tensor([1e-10, -1e-12], dtype=tw.float64)
    np.testing.assert_allclose(_np(tw.log1p(x)), np.log1p([1e-10, -1e-12]), rtol=1e-15)
    np.testing.assert_allclose(_np(tw.expm1(x)), np.expm1([1e-10, -1e-12]), rtol=1e-15)


def test_rounding_family():
    x = tw.tensor([-2.5, -1.7, -0.5, 0.5, 1.5, 2.3])
    np.testing.assert_array_equal(_np(tw.round(x)), [-2, -2, -0, 0, 2, 2])  # halves to even
    np.testing.assert_array_equal(_np(tw.floor(x)), [-3, -2, -1, 0, 1, 2])
    np.testing.assert_array_equal(_np(tw.ceil(x)), [-2, -1, -0, 1, 2, 3])
    np.testing.assert_array_equal(_np(tw.trunc(x)), [-2, -1, -0, 0, 1, 2])
    np.testing.assert_allclose(_np(tw.frac(x)), [-0.5, -0.7, -0.5, 0.5, 0.5, 0.3], atol=1e-6)
    np.testing.assert_allclose(_np(tw.round(tw.tensor([1.2345, -2.5551]), decimals=2)),
                               [1.23, -2.56], rtol=1e-6)
    i = tw.tensor([-3, 4])
    assert tw.floor(i).dtype is tw.int64
    np.testing.assert_array_equal(_np(tw.floor(i)), [-3, 4])


def test_clamp_bounds_numbers_tensors_and_none():
    x = tw.tensor([-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(_np(x.clamp(min=0)), [0, 0.5, 3])
    np.testing.assert_array_equal(_np(x.clamp(max=1)), [-2, 0.5, 1])
    np.testing.assert_array_equal(_np(tw.clamp(x, tw.tensor([-3.0, 1.0, 0.0]), 2.0)),
                                  [-2, 1, 2])
    np.testing.assert_array_equal(_np(x.clamp(2, 1)), [1, 1, 1])  # min > max -> max
    np.testing.assert_array_equal(_np(tw.clip(x, -1, 1)), [-1, 0.5, 1])
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        x.clamp()


def test_clamp_gradient_is_inclusive_at_the_bounds():
    x = tw.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    x.clamp(0, 1).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0, 1, 1, 1, 0])


def test_maximum_ties_split_the_gradient():
    a = tw.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tw.tensor([2.0, 2.0, 2.0], requires_grad=True)
    tw.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(_np(a.grad), [0, 0.5, 1])
    np.testing.assert_array_equal(_np(b.grad), [1, 0.5, 0])


def test_lerp_scalar_and_tensor_weight():
    a, b = tw.tensor([0.0, 10.0]), tw.tensor([10.0, 20.0])
    np.testing.assert_allclose(_np(tw.lerp(a, b, 0.25)), [2.5, 12.5])
    np.testing.assert_allclose(_np(a.lerp(b, tw.tensor([1.0, 0.0]))), [10.0, 10.0])


def test_isnan_isinf_isfinite_nan_to_num():
    x = tw.tensor([float("nan"), float("inf"), -float("inf"), 1.0])
    np.testing.assert_array_equal(_np(tw.isnan(x)), [True, False, False, False])
    np.testing.assert_array_equal(_np(tw.isinf(x)), [False, True, True, False])
    np.testing.assert_array_equal(_np(tw.isfinite(x)), [False, False, False, True])
    big = np.finfo(np.float32).max
    np.testing.assert_array_equal(_np(tw.nan_to_num(x)), [0.0, big, -big, 1.0])
    np.testing.assert_array_equal(_np(x.nan_to_num(nan=2.0, posinf=9.0)), [2.0, 9.0, -big, 1.0])
    np.testing.assert_array_equal(_np(tw.isfinite(tw.tensor([1, 2]))), [True, True])


def test_piecewise_constant_ops_have_zero_gradient():
    x = tw.tensor([-1.3, 0.4, 2.6], requires_grad=True)
    (tw.floor(x) + tw.ceil(x) + tw.round(x) + tw.sign(x) + x // 2).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0, 0, 0])


def test_cast_gradient_is_cast_back_to_the_input_dtype():
    """float64 -> float32 -> loss: the gradient arrives as float64."""
    x = tw.tensor([1.5, -2.0], dtype=tw.float64, requires_grad=True)
    (x.to(tw.float32) * 2).sum().backward()
    assert x.grad.dtype is tw.float64
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0])


def test_integer_pow_to_negative_power_raises():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        tw.tensor([2]) ** -1


COMPOSITES = sorted({op.name: op for op in vars(tw.ops.elementwise).values()
                     if isinstance(op, tw.ops.OpDef) and op.kind is tw.ops.COMPOSITE}.values(),
                    key=lambda op: op.name)


@pytest.mark.parametrize("op", COMPOSITES, ids=lambda op: op.name)
def test_composites_pass_conformance_through_their_decomposition(op, monkeypatch):
    """A backend with only the primitives gets the same answers as the cpu fast kernels."""
    from tensorweave.conformance import runner

    monkeypatch.delitem(op.kernels, "cpu", raising=False)
    bad = [r for dt in op.dtypes for r in runner.check_forward(op, "cpu", dt) if not r.passed]
    bad += [r for r in runner.check_backward(op, "cpu") if not r.passed]
    assert not bad, "\n".join(f"{r.dtype} {r.check}: {r.detail}" for r in bad)
