"""Convolutions, padding and fold/unfold: values and gradients against PyTorch, PyTorch's
errors, float32/float16 kernels, and the decompositions a primitive-only backend runs."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F
from tensorweave.conformance import runner
from tensorweave.plugin.manager import get_registry

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape)


@pytest.fixture
def TF():
    return pytest.importorskip("torch").nn.functional


# -- against PyTorch (float64 values and gradients of every input) ---------------------------

CONV2D = [
    ((2, 3, 7, 8), (4, 3, 3, 2), True, {}),
    ((2, 3, 7, 8), (4, 3, 3, 2), True, {"padding": "same"}),  # asymmetric: even kernel
    ((2, 3, 7, 8), (4, 3, 2, 2), False, {"padding": "same", "dilation": (2, 3)}),
    ((2, 3, 7, 8), (4, 3, 3, 3), True, {"padding": "valid", "stride": (2, 3)}),
    ((2, 3, 9, 8), (4, 3, 3, 2), True, {"stride": 2, "padding": (2, 1), "dilation": (1, 2)}),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((1, 3, 6, 5), (6, 1, 3, 3), False, {"groups": 3, "stride": 2}),  # depthwise
    ((3, 7, 8), (4, 3, 3, 2), True, {}),  # unbatched
    ((0, 3, 5, 5), (4, 3, 3, 3), True, {"padding": 1}),  # empty batch
    ((2, 4, 24, 24), (4, 2, 3, 3), True, {"padding": 1, "groups": 2}),  # per-image GEMMs
]


@pytest.mark.parametrize("xs,ws,bias,kw", CONV2D, ids=[str(c[3]) or "plain" for c in CONV2D])
def test_conv2d_matches_torch(TF, xs, ws, bias, kw):
    args = (rand(*xs), rand(*ws), rand(ws[0]) if bias else None)
    compare(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), *args)


CONV1D = [
    ((2, 3, 9), (4, 3, 4), {"padding": "same"}),
    ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1, "dilation": 2}),
    ((2, 4, 9), (6, 2, 3), {"groups": 2, "stride": (3,), "padding": (1,)}),
    ((3, 9), (4, 3, 3), {}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV1D, ids=[str(c[2]) or "plain" for c in CONV1D])
def test_conv1d_matches_torch(TF, xs, ws, kw):
    compare(lambda *a: F.conv1d(*a, **kw), lambda *a: TF.conv1d(*a, **kw), rand(*xs),
            rand(*ws), rand(ws[0]))


CONV_T2D = [
    ((2, 3, 4, 5), (3, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 3, 4, 5), (3, 2, 3, 3), {"stride": 1, "dilation": 3, "output_padding": 2,
                                  "padding": 1}),  # output_padding >= stride
    ((2, 3, 4, 5), (3, 1, 2, 3), {"groups": 3, "stride": (2, 1)}),
    ((2, 4, 3, 3), (4, 3, 2, 2), {"groups": 2, "stride": 3, "output_padding": (2, 1),
                                  "dilation": 2}),
    ((3, 4, 5), (3, 2, 3, 3), {"padding": 2}),  # unbatched, output smaller than input
    ((0, 3, 4, 5), (3, 2, 3, 3), {"stride": 2}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV_T2D, ids=[str(c[2]) for c in CONV_T2D])
def test_conv_transpose2d_matches_torch(TF, xs, ws, kw):
    out_channels = ws[1] * kw.get("groups", 1)
    compare(lambda *a: F.conv_transpose2d(*a, **kw), lambda *a: TF.conv_transpose2d(*a, **kw),
            rand(*xs), rand(*ws), rand(out_channels))


def test_conv_transpose1d_matches_torch(TF):
    kw = {"stride": 3, "padding": 1, "output_padding": 2}
    compare(lambda *a: F.conv_transpose1d(*a, **kw), lambda *a: TF.conv_transpose1d(*a, **kw),
            rand(2, 3, 9), rand(3, 2, 4), rand(2))
    compare(F.conv_transpose1d, TF.conv_transpose1d, rand(3, 5), rand(3, 2, 2))


def test_same_padding_with_an_even_kernel_warns_like_torch():
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths") as rec:
        F.conv2d(tw.zeros(1, 1, 4, 4), tw.zeros(1, 1, 2, 2), padding="same")
    assert rec[0].filename == __file__  # pointed at the caller


def test_conv_skips_the_input_gradient_nobody_asked_for(TF):
    """A frozen input (the image) costs no input-gradient work, yet the weight's is right."""
    x, w = rand(2, 3, 6, 6), rand(4, 3, 3, 3)
    tx, tww = tw.tensor(x), tw.tensor(w, requires_grad=True)
    out = F.conv2d(tx, tww, padding=1)
    out.sum().backward()
    torch = pytest.importorskip("torch")
    ref = torch.tensor(w, requires_grad=True)
    TF.conv2d(torch.tensor(x), ref, padding=1).sum().backward()
    np.testing.assert_allclose(tww.grad.numpy(), ref.grad.numpy(), rtol=1e-10)
    assert out.grad_fn.next_functions[0] is None


def test_conv2d_float32_and_float16_kernels(TF):
    """float32 stays float32 (one BLAS GEMM); float16 computes in float32 and rounds once."""
    torch = pytest.importorskip("torch")
    x, w, b = rand(4, 3, 9, 9), rand(5, 3, 3, 3), rand(5)
    want = TF.conv2d(*(torch.tensor(a) for a in (x, w, b)), stride=2, padding=1).numpy()
    for dt, tol in ((tw.float32, 1e-5), (tw.float16, 3e-2)):
        got = F.conv2d(*(tw.tensor(a, dtype=dt) for a in (x, w, b)), stride=2, padding=1)
        assert got.dtype is dt and got.is_contiguous()
        np.testing.assert_allclose(got.float().numpy(), want, atol=tol * 10, rtol=tol)


def test_conv2d_second_derivative():
    """Double backward runs through conv2d's vjp ops (conv_transpose2d, conv2d_weight)."""
    x = tw.tensor(rand(1, 2, 5, 5), requires_grad=True)
    w = tw.tensor(rand(3, 2, 3, 3), requires_grad=True)
    b = tw.tensor(rand(3), requires_grad=True)
    assert tw.autograd.gradgradcheck(lambda *a: F.conv2d(*a, stride=2, padding=1), (x, w, b))


# -- padding ---------------------------------------------------------------------------------

PADS = [
    ((2, 3, 4, 5), (2, -1, 3, 1), "reflect"),
    ((2, 3, 4, 5), (2, -1, 3, 9), "replicate"),
    ((2, 3, 4, 5), (-1, 2, 3, 1), "circular"),
    ((2, 3, 4, 5), (5, 5, 4, 4), "circular"),
    ((2, 3, 5), (3, 2), "reflect"),
    ((3, 5), (4, 1), "replicate"),
    ((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 1), "reflect"),
    ((0, 3, 4), (1, 2), "replicate"),
]


@pytest.mark.parametrize("xs,pad,mode", PADS, ids=[f"{c[2]}{c[1]}" for c in PADS])
def test_pad_modes_match_torch(TF, xs, pad, mode):
    compare(lambda x: F.pad(x, pad, mode=mode), lambda x: TF.pad(x, pad, mode=mode), rand(*xs))


def test_constant_pad_matches_torch(TF):
    compare(lambda x: F.pad(x, (-1, 2, 3, 1, 0, 1), value=2.5),
            lambda x: TF.pad(x, (-1, 2, 3, 1, 0, 1), value=2.5), rand(2, 3, 4, 5))
    compare(lambda x: F.pad(x, [1, 1]), lambda x: TF.pad(x, [1, 1]), rand(3))
    compare(lambda x: F.pad(x, (-2, -3)), lambda x: TF.pad(x, (-2, -3)), rand(2, 5))


def test_constant_pad_values():
    x = tw.tensor([[1, 2, 3]])
    assert F.pad(x, (1, -1), value=2.7).tolist() == [[2, 1, 2]]  # ints truncate, like torch
    assert tw.constant_pad_nd(x, (0, 0, 1, 0)).tolist() == [[0, 0, 0], [1, 2, 3]]
    out = F.pad(tw.ones(2), (0, 0))
    out[0] = 5.0
    assert F.pad(tw.ones(2), (0, 0)).tolist() == [1.0, 1.0]  # a copy, never a view


# -- unfold / fold ---------------------------------------------------------------------------


@pytest.mark.parametrize("xs,kw", [
    ((2, 3, 7, 8), {"kernel_size": 2}),
    ((2, 3, 7, 8), {"kernel_size": (2, 3), "dilation": (2, 1), "padding": 1,
                    "stride": (1, 2)}),
    ((3, 5, 5), {"kernel_size": 3, "stride": 2}),
    ((0, 3, 4, 4), {"kernel_size": 2}),
])
def test_unfold_matches_torch(TF, xs, kw):
    compare(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), rand(*xs))


@pytest.mark.parametrize("cs,kw", [
    ((2, 12, 12), {"output_size": (4, 5), "kernel_size": 2}),
    ((2, 12, 24), {"output_size": (5, 6), "kernel_size": (3, 2), "dilation": (1, 2),
                   "padding": (1, 2), "stride": (2, 1)}),
    ((8, 6), {"output_size": (4, 5), "kernel_size": 2, "stride": (1, 2)}),
])
def test_fold_matches_torch(TF, cs, kw):
    compare(lambda c: F.fold(c, **kw), lambda c: TF.fold(c, **kw), rand(*cs))


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), c> == <x, fold(c)>: overlapping windows add."""
    x, c = rand(2, 3, 6, 7), rand(2, 3 * 6, 16)
    geometry = {"kernel_size": (2, 3), "padding": 1, "stride": 2}
    u = F.unfold(tw.tensor(x), **geometry).numpy()
    f = F.fold(tw.tensor(c), (6, 7), **geometry).numpy()
    assert np.isclose(np.sum(u * c), np.sum(x * f), rtol=1e-12)


# -- errors: PyTorch's texts -----------------------------------------------------------------

X = tw.zeros(2, 4, 5, 5)

ERRORS = [
    (lambda: F.conv2d(X, tw.zeros(8, 3, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 "
     "channels, but got 4 channels instead"),
    (lambda: F.conv2d(tw.zeros(2, 5, 5), tw.zeros(8, 4, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [8, 4, 3, 3], expected input[1, 2, 5, 5] to have 4 "
     "channels, but got 2 channels instead"),
    (lambda: F.conv2d(tw.zeros(4, 5), tw.zeros(8, 4, 3, 3)), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 5]"),
    (lambda: F.conv1d(tw.zeros(4, 5, 5, 5), tw.zeros(4, 3, 3)), RuntimeError,
     "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
     "[4, 5, 5, 5]"),
    (lambda: F.conv2d(tw.zeros(2, 4, 2, 2), tw.zeros(8, 4, 3, 3)), RuntimeError,
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
     "can't be greater than actual input size"),
    (lambda: F.conv1d(tw.zeros(2, 4, 2), tw.zeros(8, 4, 3)), RuntimeError,
     "Calculated padded input size per channel: (2). Kernel size: (3). Kernel size can't be "
     "greater than actual input size"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), groups=3), RuntimeError,
     "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of "
     "size [[8, 4, 3, 3]] instead"),
    (lambda: F.conv2d(X, tw.zeros(0, 4, 3, 3)), RuntimeError,
     "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size "
     "[0, 4, 3, 3] instead"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), groups=0), RuntimeError,
     "non-positive groups is not supported"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), stride=0), RuntimeError,
     "non-positive stride is not supported"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), padding=-1), RuntimeError,
     "negative padding is not supported"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), dilation=0), RuntimeError,
     "non-positive dilation is not supported"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), stride=(1, 2, 3)), RuntimeError,
     "expected stride to be a single integer value or a list of 2 values to match the "
     "convolution dimensions, but got stride=[1, 2, 3]"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), padding="same", stride=2), RuntimeError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), padding="foo"), RuntimeError,
     "Invalid padding string: 'foo'"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3), tw.zeros(7)), RuntimeError,
     "Given weight of size [8, 4, 3, 3], expected bias to be 1-dimensional with 8 elements, "
     "but got bias of size [7] instead"),
    (lambda: F.conv2d(X, tw.zeros(8, 4, 3, 3, dtype=tw.float64)), RuntimeError,
     "Input type (tensorweave.FloatTensor) and weight type (tensorweave.DoubleTensor) should be "
     "the same"),
    (lambda: F.conv_transpose2d(X, tw.zeros(4, 3, 3, 3), stride=2, output_padding=2),
     RuntimeError, "output padding must be smaller than either stride or dilation, but got "
     "output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 "
     "dilation_height: 1 dilation_width: 1"),
    (lambda: F.conv_transpose2d(tw.zeros(2, 5, 5, 5), tw.zeros(4, 3, 3, 3)), RuntimeError,
     "Given transposed=1, weight of size [4, 3, 3, 3], expected input[2, 5, 5, 5] to have 4 "
     "channels, but got 5 channels instead"),
    (lambda: F.conv_transpose2d(X, tw.zeros(4, 3, 3, 3), tw.zeros(4)), RuntimeError,
     "Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with "
     "3 elements, but got bias of size [4] instead"),
    (lambda: F.conv_transpose2d(X, tw.zeros(4, 3, 3, 3), padding=4), RuntimeError,
     "Given input size per channel: (5 x 5). Calculated output size per channel: (-1 x -1). "
     "Output size is too small"),
    (lambda: F.conv_transpose2d(X, tw.zeros(4, 3, 3, 3), padding="same"), TypeError,
     "conv_transpose2d(): argument 'padding' must be tuple of ints, not str"),
    (lambda: F.pad(X, (1, 2, 3)), RuntimeError, "Padding length must be divisible by 2"),
    (lambda: F.pad(X, (1,) * 10), RuntimeError,
     "Padding length should be less than or equal to two times the input dimension but got "
     "padding length 10 and input of dimension 4"),
    (lambda: F.pad(X, (-3, -3)), RuntimeError,
     "The input size 5, plus negative padding -3 and -3 resulted in a negative output size"),
    (lambda: F.pad(X, (1, 1), mode="reflect"), NotImplementedError,
     "Padding size 2 is not supported for 4D input tensor."),
    (lambda: F.pad(X, (5, 1, 1, 1), mode="reflect"), RuntimeError,
     "Argument #4: Padding size should be less than the corresponding input dimension, but "
     "got: padding (5, 1) at dimension 3 of input [2, 4, 5, 5]"),
    (lambda: F.pad(X, (6, 1, 1, 1), mode="circular"), RuntimeError,
     "Padding value causes wrapping around more than once."),
    (lambda: F.pad(tw.zeros(2, 3, 0), (1, 1), mode="reflect"), RuntimeError,
     "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero "
     "dimensions for input, but got: [2, 3, 0]"),
    (lambda: F.pad(X, (1, 1), mode="foo"), NotImplementedError, "Unrecognised padding mode foo"),
    (lambda: F.pad(X, (1, 1, 1, 1), mode="reflect", value=2.0), RuntimeError,
     'Padding mode "reflect" doesn\'t take in value argument'),
    (lambda: F.unfold(tw.zeros(2, 3, 4, 5), 6), RuntimeError,
     "Given input with spatial size (4, 5), kernel_size=(6, 6), dilation=(1, 1), "
     "padding=(0, 0), calculated shape of the array of sliding blocks as (-1, 0), but its "
     "components must be at least one."),
    (lambda: F.unfold(tw.zeros(2, 3, 4, 5), (2, 2, 2)), RuntimeError,
     "It is expected kernel_size equals to 2, but got size 3"),
    (lambda: F.unfold(tw.zeros(2, 3, 4, 5), 2, stride=0), RuntimeError,
     "stride should be greater than zero, but got stride_height: 0 stride_width: 0"),
    (lambda: F.fold(tw.zeros(2, 12, 11), (4, 5), 2), RuntimeError,
     "Given output_size=(4, 5), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
     "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
     "sliding blocks 3 * 4 = 12, but got input.size(2)=11."),
    (lambda: F.fold(tw.zeros(2, 13, 12), (4, 5), 2), RuntimeError,
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
     "got input.size(1)=13 and kernel_size=(2, 2)."),
    (lambda: F.fold(tw.zeros(2, 2, 12, 12), (4, 5), 2), RuntimeError,
     "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
     "dimensions for input, but got: [2, 2, 12, 12]"),
]


@pytest.mark.parametrize("call,exc,message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors_carry_pytorchs_text(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


# -- the decompositions (what a backend with only the primitives runs) ----------------------

OPS = ["constant_pad_nd", "im2col", "col2im", "conv2d", "conv_transpose2d", "conv2d_weight"]


@pytest.mark.parametrize("name", OPS)
def test_composites_pass_conformance_without_cpu_fast_kernels(name, monkeypatch):
    op = get_registry().ops[name]
    monkeypatch.delitem(op.kernels, "cpu")
    bad = [r for dt in (tw.float64, tw.float32) for r in runner.check_forward(op, "cpu", dt)
           if not r.passed]
    bad += [r for r in runner.check_backward(op, "cpu") if not r.passed]
    assert not bad, "\n".join(f"{r.check}: {r.detail}" for r in bad)


def test_conv_decomposition_matches_the_cpu_kernel(monkeypatch):
    """The fused kernel and the im2col + matmul decomposition agree in float32, gradients
    included (the vjp ops run their own kernels or decompositions)."""
    x, w, b = (tw.tensor(a, dtype=tw.float32, requires_grad=True)
               for a in (rand(2, 4, 7, 6), rand(6, 2, 3, 2), rand(6)))

    def run():
        out = F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
        return [out, *tw.autograd.grad(out.square().sum(), (x, w, b))]

    fast = run()
    for name in OPS:
        monkeypatch.delitem(get_registry().ops[name].kernels, "cpu")
    for a, c in zip(fast, run()):
        np.testing.assert_allclose(a.detach().numpy(), c.detach().numpy(), rtol=1e-4,
                                   atol=1e-4)
