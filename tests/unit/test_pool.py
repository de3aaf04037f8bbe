"""Max, average and adaptive pooling: values, indices and gradients against PyTorch,
PyTorch's tie/NaN/padding index rules, its errors, and the decompositions."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F
from tensorweave.conformance import runner
from tensorweave.plugin.manager import get_registry

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape)


@pytest.fixture
def TF():
    return pytest.importorskip("torch").nn.functional


GEOMETRIES = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "ceil_mode": True},
    {"kernel_size": 3, "stride": 1, "padding": 1},  # overlapping windows
    {"kernel_size": (2, 4), "stride": (3, 2), "padding": (1, 2)},
]


@pytest.mark.parametrize("kw", GEOMETRIES + [
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "dilation": (2, 1),
     "ceil_mode": True}])
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 9, 6), (0, 2, 5, 5)])
def test_max_pool2d_values_indices_gradients_match_torch(TF, kw, shape):
    compare(lambda x: F.max_pool2d(x, return_indices=True, **kw),
            lambda x: TF.max_pool2d(x, return_indices=True, **kw), rand(*shape))


@pytest.mark.parametrize("kw", [{"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                                {"kernel_size": 2, "dilation": 3}])
def test_max_pool1d_matches_torch(TF, kw):
    compare(lambda x: F.max_pool1d(x, return_indices=True, **kw),
            lambda x: TF.max_pool1d(x, return_indices=True, **kw), rand(2, 3, 11))
    compare(lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), rand(3, 11))
    compare(lambda x: tw.max_pool1d_with_indices(x, **kw),
            lambda x: TF.max_pool1d_with_indices(x, **kw), rand(2, 3, 11))


def test_max_pool_ties_nans_and_padding_follow_torchs_cpu_kernel():
    """Ties: the first maximum; NaN: the last NaN; a window of -inf next to padding: its
    first real element (PyTorch's cpu kernel) -- in the fast kernel and the decomposition."""
    inf, nan = float("inf"), float("nan")
    x = tw.tensor([[[[1.0, 3.0, 3.0, nan, 0.0, nan, nan, 5.0, -inf, -inf, 7.0, 7.0]]]])
    want_idx = [[[[1, 5, 6, 10]]]]
    for kernels in (True, False):
        ops = [get_registry().ops[n] for n in ("max_pool2d_with_indices",)]
        saved = [op.kernels.pop("cpu") for op in ops] if not kernels else []
        try:
            vals, idx = F.max_pool2d(x, (1, 3), return_indices=True)
            pad_vals, pad_idx = F.max_pool2d(tw.full((1, 1, 1, 3), -inf), (1, 3),
                                             padding=(0, 1), return_indices=True)
        finally:
            for op, k in zip(ops, saved):
                op.kernels["cpu"] = k
        assert idx.tolist() == want_idx
        assert str(vals.tolist()) == "[[[[3.0, nan, nan, 7.0]]]]"
        assert pad_idx.tolist() == [[[[0]]]] and pad_vals.tolist() == [[[[-inf]]]]


def test_max_pool2d_sends_the_gradient_to_the_index_only():
    x = tw.tensor([[[[2.0, 2.0], [1.0, 2.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_max_pool2d_float32_and_integer_inputs(TF):
    torch = pytest.importorskip("torch")
    x = rand(2, 3, 8, 9)
    for dt in (tw.float32, tw.float16, tw.int64):
        got = F.max_pool2d(tw.tensor(x * 10, dtype=dt), 3, 2, 1, return_indices=True)
        want = TF.max_pool2d(torch.tensor(x * 10).to(getattr(torch, dt.name)), 3, 2, 1,
                             return_indices=True)
        assert got[0].dtype is dt
        np.testing.assert_array_equal(got[0].numpy(), want[0].numpy())
        np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())


@pytest.mark.parametrize("kw", GEOMETRIES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch(TF, kw, count_include_pad):
    compare(lambda x: F.avg_pool2d(x, count_include_pad=count_include_pad, **kw),
            lambda x: TF.avg_pool2d(x, count_include_pad=count_include_pad, **kw),
            rand(2, 3, 7, 8))


def test_avg_pool_divisor_override_unbatched_and_1d(TF):
    compare(lambda x: F.avg_pool2d(x, 3, 2, 1, True, divisor_override=5),
            lambda x: TF.avg_pool2d(x, 3, 2, 1, True, divisor_override=5), rand(3, 7, 8))
    for args in [(3, 2, 1, True, False), (2,), (4, 3, 2, True, True)]:
        compare(lambda x: F.avg_pool1d(x, *args), lambda x: TF.avg_pool1d(x, *args),
                rand(2, 3, 11))
    compare(lambda x: tw.avg_pool1d(x, 3), lambda x: TF.avg_pool1d(x, 3), rand(3, 11))


@pytest.mark.parametrize("size", [(3, 5), (7, 8), (4, 3), (1, 1), (2, None), (10, 11), 5])
def test_adaptive_pools_2d_match_torch(TF, size):
    """Non-divisible sizes use PyTorch's overlapping windows [floor(i*n/o), ceil((i+1)*n/o))."""
    x = rand(2, 3, 7, 8)
    compare(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size),
            x)
    compare(lambda x: F.adaptive_max_pool2d(x, size, return_indices=True),
            lambda x: TF.adaptive_max_pool2d(x, size, return_indices=True), x)
    compare(lambda x: F.adaptive_max_pool2d(x, size), lambda x: TF.adaptive_max_pool2d(x, size),
            x[0])


def test_adaptive_pools_to_an_empty_size(TF):
    for fn, ref in ((F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d),
                    (F.adaptive_max_pool2d, TF.adaptive_max_pool2d)):
        compare(lambda x: fn(x, (0, 2)), lambda x: ref(x, (0, 2)), rand(2, 3, 7, 8), grad=False)


@pytest.mark.parametrize("size", [4, 1, 11, 13])
def test_adaptive_pools_1d_match_torch(TF, size):
    x = rand(2, 3, 11)
    compare(lambda x: F.adaptive_avg_pool1d(x, size), lambda x: TF.adaptive_avg_pool1d(x, size),
            x)
    compare(lambda x: F.adaptive_max_pool1d(x, size, return_indices=True),
            lambda x: TF.adaptive_max_pool1d(x, size, return_indices=True), x)
    torch = pytest.importorskip("torch")
    compare(lambda x: tw.adaptive_max_pool1d(x, size),
            lambda x: torch.adaptive_max_pool1d(x, size), x[0])


def test_adaptive_max_pool_nan_is_the_last_nan():
    x = tw.tensor([[[[1.0, float("nan"), float("nan"), 2.0, 0.0]]]])
    vals, idx = F.adaptive_max_pool2d(x, (1, 2), return_indices=True)
    assert idx.tolist() == [[[[2, 2]]]]


X = tw.zeros(2, 3, 7, 7)

ERRORS = [
    (lambda: F.max_pool2d(X, 2, padding=2), "pad should be at most half of effective kernel "
     "size, but got pad=2, kernel_size=2 and dilation=1"),
    (lambda: F.max_pool2d(X, 0), "stride should not be zero"),
    (lambda: F.max_pool2d(X, -1), "kernel size should be greater than zero, but got kH: -1 "
     "kW: -1"),
    (lambda: F.max_pool2d(X, 2, stride=-1), "stride should be greater than zero, but got dH: -1 "
     "dW: -1"),
    (lambda: F.max_pool2d(X, 2, dilation=0), "dilation should be greater than zero, but got "
     "dilationH: 0 dilationW: 0"),
    (lambda: F.max_pool2d(X, 8), "Given input size: (3x7x7). Calculated output size: (3x0x0). "
     "Output size is too small"),
    (lambda: F.max_pool2d(tw.zeros(7, 7), 2), "non-empty 3D or 4D (batch mode) tensor expected "
     "for input"),
    (lambda: F.max_pool2d(tw.zeros(2, 0, 7, 7), 2), "Expected 3D or 4D (batch mode) tensor with "
     "optional 0 dim batch size for input, but got:[2, 0, 7, 7]"),
    (lambda: F.max_pool2d(X, (2, 2, 2)), "max_pool2d: kernel_size must either be a single int, "
     "or a tuple of two ints"),
    (lambda: F.max_pool2d(X, 2, stride=(1, 2, 3)), "max_pool2d: stride must either be omitted, "
     "a single int, or a tuple of two ints"),
    (lambda: F.max_pool2d(X, 2, padding=-1), "pad must be non-negative, but got pad: -1"),
    (lambda: F.max_pool1d(tw.zeros(2, 3, 7, 3), 2), "max_pool1d: Expected 2D or 3D (batch "
     "mode) tensor with optional 0 dim batch size for input, but got:[2, 3, 7, 3]"),
    (lambda: F.max_pool1d(tw.zeros(2, 3, 1), 2), "max_pool1d() Invalid computed output size: 0"),
    (lambda: F.max_pool1d(tw.zeros(2, 3, 7), 2, padding=2), "max_pool1d() padding should be at "
     "most half of kernel size, but got padding=2 and kernel_size=2"),
    (lambda: F.max_pool1d(tw.zeros(2, 3, 7), (2, 2)), "max_pool1d() kernel_size must be an int, "
     "list of ints or tuple of ints of size 1 but got size 2"),
    (lambda: F.avg_pool2d(X, 2, divisor_override=0), "divisor must be not zero"),
    (lambda: F.avg_pool2d(X, (2, 2, 2)), "avg_pool2d: kernel_size must either be a single int, "
     "or a tuple of two ints"),
    (lambda: F.avg_pool1d(tw.zeros(2, 3, 7, 7), 2), "Expected 2 to 3 dimensions, but got "
     "4-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)"),
    (lambda: F.avg_pool1d(tw.zeros(2, 3, 7), (2, 2)), "avg_pool1d() argument 'kernel_size' "
     "should contain one int (got 2)"),
    (lambda: F.avg_pool1d(tw.zeros(2, 3, 1), 2), "Given input size: (3x1x1). Calculated output "
     "size: (3x1x0). Output size is too small"),
    (lambda: F.adaptive_avg_pool2d(X, (1, 2, 3)), "adaptive_avg_pool2d: output_size must be 2"),
    (lambda: F.adaptive_avg_pool2d(X, -1), "adaptive_avg_pool2d: elements of output_size must "
     "be greater than or equal to 0 but received {-1, -1}"),
    (lambda: F.adaptive_avg_pool2d(tw.zeros(2, 3, 0, 4), 2), "adaptive_avg_pool2d(): Expected "
     "input to have non-zero size for non-batch dimensions, but input has sizes [2, 3, 0, 4] "
     "with dimension 2 being empty"),
    (lambda: F.adaptive_max_pool2d(tw.zeros(3, 7), 2), "adaptive_max_pool2d(): Expected 3D or "
     "4D tensor, but got: [3, 7]"),
    (lambda: F.adaptive_max_pool1d(tw.zeros(3, 7), (2, 2)), "adaptive_max_pool1d() argument "
     "'output_size' should contain one int (got 2)"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_errors_carry_pytorchs_text(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert message in str(info.value)


def test_avg_pool_of_integers_is_not_implemented():
    with pytest.raises(NotImplementedError, match='"avg_pool2d" not implemented for'):
        F.avg_pool2d(tw.zeros(1, 2, 4, 4, dtype=tw.int32), 2)


OPS = ["max_pool2d_with_indices", "max_pool2d_with_indices_backward"]


@pytest.mark.parametrize("name", OPS)
def test_composites_pass_conformance_without_cpu_fast_kernels(name, monkeypatch):
    op = get_registry().ops[name]
    monkeypatch.delitem(op.kernels, "cpu")
    bad = [r for dt in (tw.float64, tw.float32) for r in runner.check_forward(op, "cpu", dt)
           if not r.passed]
    bad += [r for r in runner.check_backward(op, "cpu") if not r.passed]
    bad += [r for r in runner.check_gradgrad(op, "cpu") if not r.passed]
    assert not bad, "\n".join(f"{r.check}: {r.detail}" for r in bad)


def test_pooling_without_any_fast_kernel_matches_torch(TF, monkeypatch):
    """Avg and adaptive pooling ride on im2col/col2im/matmul: check them on decompositions."""
    for name in ("im2col", "col2im", "constant_pad_nd", *OPS):
        monkeypatch.delitem(get_registry().ops[name].kernels, "cpu")
    x = rand(2, 3, 7, 8)
    kw = {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}
    compare(lambda x: F.avg_pool2d(x, count_include_pad=False, **kw),
            lambda x: TF.avg_pool2d(x, count_include_pad=False, **kw), x)
    compare(lambda x: F.max_pool2d(x, return_indices=True, **kw),
            lambda x: TF.max_pool2d(x, return_indices=True, **kw), x)
    compare(lambda x: F.adaptive_max_pool2d(x, (3, 5), True),
            lambda x: TF.adaptive_max_pool2d(x, (3, 5), True), x)
