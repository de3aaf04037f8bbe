"""The 3-d convolution and pooling family (conv3d, conv_transpose3d, max/avg/adaptive/lp
pooling, max_unpool3d) and their modules, lazy ones included, against PyTorch in float64:
values, indices, gradients (and second derivatives of the convolutions), PyTorch's errors,
reprs and state dicts. (Each layer's conformance samples also run in the registry-driven
module suite on every device.)
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from _functional_oracle import compare
from _module_oracle import compare as compare_modules
from _module_oracle import copy_parameters

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

RNG = np.random.default_rng(3)


def rand(*shape):
    return RNG.standard_normal(shape)


def distinct(*shape):
    """Distinct values: one maximum per pooling window, so indices are unambiguous."""
    return RNG.permutation(int(np.prod(shape))).reshape(shape) / 8.0 - 2.0


def raises_like_torch(ours, theirs):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as want:
        theirs()
    # PyTorch appends where in its C++ sources an internal check fired; the text is before it
    message = str(want.value).split("\n")[0]
    with pytest.raises(type(want.value), match=re.escape(message)):
        ours()


# -- conv3d / conv_transpose3d ----------------------------------------------------------------

CONV3D = [
    ((2, 3, 4, 5, 4), (4, 3, 2, 3, 2), True, {}),
    ((1, 2, 6, 5, 6), (3, 2, 3, 2, 2), False,
     {"stride": (2, 1, 2), "padding": (1, 0, 2), "dilation": (1, 2, 1)}),
    ((2, 4, 4, 4, 4), (6, 2, 3, 3, 3), True, {"groups": 2, "padding": 1}),
    ((1, 2, 5, 4, 5), (2, 2, 2, 3, 2), True, {"padding": "same", "dilation": (3, 1, 2)}),
    ((1, 2, 4, 4, 4), (2, 2, 3, 2, 2), False, {"padding": "valid", "stride": 2}),
    ((3, 4, 5, 4), (2, 3, 2, 2, 2), True, {"stride": (1, 2, 1)}),  # unbatched
    ((0, 2, 3, 3, 3), (2, 2, 2, 2, 2), True, {}),  # empty batch
]


@pytest.mark.parametrize("xs,ws,bias,kw", CONV3D, ids=[str(c[3]) or "plain" for c in CONV3D])
def test_conv3d_matches_torch(xs, ws, bias, kw):
    """Values and the gradients of input, weight and bias equal PyTorch's."""
    args = (rand(*xs), rand(*ws), rand(ws[0]) if bias else None)
    out = compare(lambda *a: F.conv3d(*a, **kw), lambda *a: TF.conv3d(*a, **kw), *args)
    assert out.is_contiguous() or out.numel() == 0  # a view after conv3d works as in torch


CONV_TRANSPOSE3D = [
    ((2, 3, 3, 4, 3), (3, 2, 2, 3, 2), True, {}),
    ((1, 2, 3, 2, 3), (2, 3, 3, 2, 3),
     False, {"stride": (2, 3, 1), "padding": (1, 0, 1), "output_padding": (1, 2, 0)}),
    ((2, 4, 2, 3, 2), (4, 1, 2, 2, 3), True,
     {"stride": 2, "groups": 2, "dilation": (2, 1, 2), "padding": 1}),
    # output_padding >= stride (allowed below the dilation): rows no window reaches
    ((1, 2, 2, 2, 2), (2, 2, 2, 2, 2), True, {"dilation": 3, "output_padding": 2}),
    ((2, 3, 2, 3), (2, 3, 2, 2, 2), True, {"stride": 2, "padding": (0, 1, 0)}),  # unbatched
    ((0, 2, 2, 2, 2), (2, 3, 2, 2, 2), True, {}),  # empty batch
]


@pytest.mark.parametrize("xs,ws,bias,kw", CONV_TRANSPOSE3D,
                         ids=[str(c[3]) or "plain" for c in CONV_TRANSPOSE3D])
def test_conv_transpose3d_matches_torch(xs, ws, bias, kw):
    """Values and the gradients of input, weight and bias equal PyTorch's."""
    cout = ws[1] * kw.get("groups", 1)
    args = (rand(*xs), rand(*ws), rand(cout) if bias else None)
    compare(lambda *a: F.conv_transpose3d(*a, **kw), lambda *a: TF.conv_transpose3d(*a, **kw),
            *args)


def test_top_level_names_are_the_functional_ones():
    """tw.conv3d / tw.conv_transpose3d / tw.max_pool3d exist, as in torch."""
    x, w = tw.tensor(rand(1, 1, 3, 3, 3)), tw.tensor(rand(1, 1, 2, 2, 2))
    assert tw.conv3d(x, w).tolist() == F.conv3d(x, w).tolist()
    assert tw.conv_transpose3d(x, w).tolist() == F.conv_transpose3d(x, w).tolist()
    assert tw.max_pool3d(x, 2).tolist() == F.max_pool3d(x, 2).tolist()


@pytest.mark.parametrize("fn", [tw.conv3d, tw.conv_transpose3d], ids=["conv3d", "transpose"])
def test_conv3d_second_derivatives_match_finite_differences(fn):
    """Gradients of gradients (of input and weight) are right: the 2-d ops they run on are
    differentiable at every order."""
    x = tw.tensor(rand(1, 2, 3, 3, 2), requires_grad=True)
    w = tw.tensor(rand(2, 1, 2, 2, 1), requires_grad=True)

    def f(a, b):
        return fn(a, b, stride=(2, 1, 1), padding=(1, 0, 0), groups=2)

    assert tw.autograd.gradcheck(f, (x, w))
    assert tw.autograd.gradgradcheck(f, (x, w))


CONV_ERRORS = [
    (lambda m, x, w: m.conv3d(x, w, stride=(1, 2)), (1, 2, 4, 4, 4), (3, 2, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w), (4, 4, 4), (3, 2, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w), (1, 2, 4, 4, 4), (3, 1, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w), (1, 2, 4, 4, 4), (3, 2, 5, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w, groups=2), (1, 2, 4, 4, 4), (3, 1, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w, stride=2, padding="same"), (1, 2, 4, 4, 4),
     (3, 2, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w, padding=-1), (1, 2, 4, 4, 4), (3, 2, 2, 2, 2)),
    (lambda m, x, w: m.conv3d(x, w, m.zeros(2, dtype=x.dtype)), (1, 2, 4, 4, 4),
     (3, 2, 2, 2, 2)),
    (lambda m, x, w: m.conv_transpose3d(x, w, stride=2, output_padding=2), (1, 2, 3, 3, 3),
     (2, 3, 2, 2, 2)),
    (lambda m, x, w: m.conv_transpose3d(x, w), (1, 2, 3, 3, 3), (3, 3, 2, 2, 2)),
    (lambda m, x, w: m.conv_transpose3d(x, w, padding=2), (1, 2, 1, 1, 1), (2, 3, 2, 2, 2)),
    (lambda m, x, w: m.conv_transpose3d(x, w, padding="same"), (1, 2, 3, 3, 3),
     (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("call,xs,ws", CONV_ERRORS, ids=range(len(CONV_ERRORS)))
def test_conv3d_errors_match_torch(call, xs, ws):
    x, w = rand(*xs), rand(*ws)
    raises_like_torch(lambda: call(tw, tw.tensor(x), tw.tensor(w)),
                      lambda: call(torch, torch.tensor(x), torch.tensor(w)))


def test_conv3d_dtype_mismatch_names_both_types():
    with pytest.raises(RuntimeError, match=r"Input type .* and weight type .* should be the "):
        tw.conv3d(tw.randn(1, 1, 2, 2, 2), tw.randn(1, 1, 1, 1, 1, dtype=tw.float64))


# -- max pooling --------------------------------------------------------------------------------

MAX_POOL3D = [
    ((2, 2, 4, 5, 4), 2, {}),
    ((1, 2, 7, 6, 5), (3, 2, 2), {"stride": (2, 1, 2), "padding": (1, 1, 0),
                                  "dilation": (2, 1, 2)}),
    ((1, 2, 7, 6, 5), 3, {"stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 5, 4, 4), 2, {"stride": 1}),  # unbatched, overlapping windows
    ((0, 2, 4, 4, 4), 2, {}),  # empty batch
]


@pytest.mark.parametrize("shape,k,kw", MAX_POOL3D, ids=[str(c[2]) or "k2" for c in MAX_POOL3D])
def test_max_pool3d_values_indices_and_gradient_match_torch(shape, k, kw):
    """Values, the flat D*H*W indices and the gradient (to the maxima only) equal PyTorch's."""
    compare(lambda x: F.max_pool3d(x, k, return_indices=True, **kw),
            lambda x: TF.max_pool3d(x, k, return_indices=True, **kw), distinct(*shape))
    compare(lambda x: F.max_pool3d_with_indices(x, k, **kw),
            lambda x: TF.max_pool3d_with_indices(x, k, **kw), distinct(*shape))


def test_max_pool3d_nan_and_all_lowest_windows_index_like_torch():
    """The last NaN of a window wins; a window of nothing but -inf (padding included)
    reports its first element inside the input, as PyTorch's cpu kernel does."""
    x = distinct(1, 2, 4, 4, 4)
    x[0, 0, 1, 2, 3] = x[0, 0, 0, 1, 1] = x[0, 0, 3, 3, 3] = np.nan
    x[0, 1] = -np.inf
    x[0, 1, 2, 2, 2] = 1.0
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
               {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": (2, 1, 1)}):
        out, idx = F.max_pool3d(tw.tensor(x), return_indices=True, **kw)
        want, widx = TF.max_pool3d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(idx.numpy(), widx.numpy())
        np.testing.assert_array_equal(out.numpy(), want.numpy())


def test_max_pool3d_module_returns_indices_for_max_unpool3d():
    """MaxPool3d(return_indices=True) then MaxUnpool3d puts each maximum back in place."""
    x = tw.tensor(distinct(1, 1, 2, 2, 2))
    out, idx = tw.nn.MaxPool3d(2, return_indices=True)(x)
    back = tw.nn.MaxUnpool3d(2)(out, idx)
    flat = x.reshape(-1).tolist()
    best = max(flat)
    assert back.reshape(-1).tolist() == [v if v == best else 0.0 for v in flat]


POOL_ERRORS = [
    lambda m, x: m.nn.functional.max_pool3d(x, (2, 2)),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, stride=(1, 2)),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, padding=(1, 2)),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, dilation=(1, 2)),
    lambda m, x: m.nn.functional.max_pool3d(x, 0),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, stride=-1),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, dilation=0),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, padding=-1),
    lambda m, x: m.nn.functional.max_pool3d(x, 2, padding=2),
    lambda m, x: m.nn.functional.max_pool3d(x, 5),
    lambda m, x: m.nn.functional.max_pool3d(x[0, 0], 2),
    lambda m, x: m.nn.functional.avg_pool3d(x, (2, 2)),
    lambda m, x: m.nn.functional.avg_pool3d(x, 2, stride=(1, 2)),
    lambda m, x: m.nn.functional.avg_pool3d(x, 2, padding=(1, 2)),
    lambda m, x: m.nn.functional.avg_pool3d(x, 2, stride=0),
    lambda m, x: m.nn.functional.avg_pool3d(x, 2, padding=2),
    lambda m, x: m.nn.functional.avg_pool3d(x, 5, padding=2),
    lambda m, x: m.nn.functional.avg_pool3d(x, 2, divisor_override=0),
    lambda m, x: m.nn.functional.avg_pool3d(x[0, 0], 2),
    lambda m, x: m.nn.functional.adaptive_avg_pool3d(x, (2, 2)),
    lambda m, x: m.nn.functional.adaptive_max_pool3d(x[0, 0], 2),
    lambda m, x: m.nn.functional.adaptive_avg_pool3d(x[:, :, :0], 2),
    lambda m, x: m.nn.functional.adaptive_max_pool3d(x[:, :, :0], 2),
]


@pytest.mark.parametrize("call", POOL_ERRORS, ids=range(len(POOL_ERRORS)))
def test_pool3d_errors_match_torch(call):
    x = rand(1, 2, 4, 5, 5)
    raises_like_torch(lambda: call(tw, tw.tensor(x)), lambda: call(torch, torch.tensor(x)))


def test_adaptive_pool3d_input_and_empty_output():
    """A 3-D input raises; an output size of 0 gives an empty result, as in PyTorch."""
    with pytest.raises(RuntimeError, match=r"adaptive_avg_pool3d\(\): Expected 4D or 5D tensor, "
                                           r"but got: \[4, 5, 5\]"):
        F.adaptive_avg_pool3d(tw.randn(4, 5, 5), 2)
    x = tw.randn(1, 2, 3, 3, 3)
    assert F.adaptive_avg_pool3d(x, 0).shape == (1, 2, 0, 0, 0)
    vals, idx = F.adaptive_max_pool3d(x, (0, 2, 2), return_indices=True)
    assert vals.shape == idx.shape == (1, 2, 0, 2, 2)


def test_pool3d_empty_plane_errors_name_the_op():
    for fn in (F.max_pool3d, F.avg_pool3d):
        with pytest.raises(RuntimeError, match=r"Expected input's non-batch dimensions to have "
                                               r"positive length, but input has a shape of "
                                               r"\[1, 2, 0, 4, 4\]"):
            fn(tw.randn(1, 2, 0, 4, 4), 2)


# -- average, adaptive and power-average pooling -------------------------------------------------

AVG_POOL3D = [
    ((2, 2, 4, 5, 4), 2, {}),
    ((1, 2, 7, 6, 5), (3, 2, 2), {"stride": (2, 1, 2), "padding": (1, 1, 0),
                                  "count_include_pad": False}),
    ((1, 2, 7, 6, 5), 3, {"stride": 2, "padding": 1, "ceil_mode": True}),
    ((1, 2, 7, 6, 5), 3, {"stride": 2, "padding": 1, "ceil_mode": True,
                          "count_include_pad": False}),
    ((2, 5, 4, 4), 2, {"stride": 1, "divisor_override": 3}),  # unbatched
    ((0, 2, 4, 4, 4), 2, {}),
]


@pytest.mark.parametrize("shape,k,kw", AVG_POOL3D, ids=[str(c[2]) or "k2" for c in AVG_POOL3D])
def test_avg_pool3d_matches_torch(shape, k, kw):
    compare(lambda x: F.avg_pool3d(x, k, **kw), lambda x: TF.avg_pool3d(x, k, **kw),
            rand(*shape))


@pytest.mark.parametrize("shape,size", [
    ((2, 2, 5, 6, 7), (3, 4, 2)),  # overlapping windows
    ((2, 5, 6, 7), (3, None, 2)),  # unbatched, None keeps a size
    ((2, 2, 4, 6, 4), (2, 3, 1)),  # windows that tile the input
    ((2, 2, 3, 3, 3), 1),  # global
], ids=["overlapping", "unbatched-None", "tiles", "global"])
def test_adaptive_pool3d_matches_torch(shape, size):
    """Average and max (values, indices, gradients) over PyTorch's adaptive windows."""
    compare(lambda x: F.adaptive_avg_pool3d(x, size),
            lambda x: TF.adaptive_avg_pool3d(x, size), rand(*shape))
    compare(lambda x: F.adaptive_max_pool3d(x, size, return_indices=True),
            lambda x: TF.adaptive_max_pool3d(x, size, return_indices=True), distinct(*shape))
    compare(lambda x: F.adaptive_max_pool3d_with_indices(x, size),
            lambda x: TF.adaptive_max_pool3d_with_indices(x, size), distinct(*shape))


@pytest.mark.parametrize("args,kw", [
    ((2, 2), {}),
    ((3, (2, 3, 2), (1, 2, 2)), {}),
    ((1.5, 2), {"stride": 2, "ceil_mode": True}),
], ids=["p2", "p3-rect-stride", "p1.5-ceil"])
def test_lp_pool3d_matches_torch(args, kw):
    x = RNG.uniform(0.3, 2.0, (2, 2, 4, 5, 5))
    compare(lambda v: F.lp_pool3d(v, *args, **kw), lambda v: TF.lp_pool3d(v, *args, **kw), x)
    compare(lambda v: F.lp_pool3d(v, *args, **kw), lambda v: TF.lp_pool3d(v, *args, **kw), x[0])


@pytest.mark.parametrize("shape,kw,output_size", [
    ((2, 2, 4, 4, 6), {"kernel_size": 2}, None),
    ((1, 2, 5, 5, 7), {"kernel_size": 3, "stride": 2, "padding": 1}, None),
    ((1, 2, 5, 5, 7), {"kernel_size": 2}, (5, 5, 7)),
    ((2, 5, 4, 7), {"kernel_size": (1, 2, 3), "stride": (1, 2, 2)}, [5, 4, 7]),
], ids=["k2", "k3-s2-p1", "output_size", "unbatched-rect"])
def test_max_unpool3d_inverts_max_pool3d_like_torch(shape, kw, output_size):
    """Unpooling tensorweave's max_pool3d output at its indices (PyTorch's own) equals
    PyTorch's unpooling: values and gradient."""
    x = distinct(*shape)
    _, idx = F.max_pool3d(tw.tensor(x), return_indices=True, **kw)
    pooled, tidx = TF.max_pool3d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    compare(lambda v: F.max_unpool3d(v, idx, output_size=output_size, **kw),
            lambda v: TF.max_unpool3d(v, tidx, output_size=output_size, **kw), pooled.numpy())


@pytest.mark.parametrize("call", [
    lambda m, v, i: m.nn.functional.max_unpool3d(v, i + 100, 2),
    lambda m, v, i: m.nn.functional.max_unpool3d(v, i[0], 2),
    lambda m, v, i: m.nn.functional.max_unpool3d(v, i, 2, output_size=(5, 5)),
    lambda m, v, i: m.nn.functional.max_unpool3d(v, i, 2, output_size=[9, 5, 5]),
], ids=["out-of-range", "shape", "output_size-length", "output_size-range"])
def test_max_unpool3d_errors_match_torch(call):
    v, i = rand(1, 2, 2, 2, 2), np.zeros((1, 2, 2, 2, 2), np.int64)
    raises_like_torch(lambda: call(tw, tw.tensor(v), tw.tensor(i)),
                      lambda: call(torch, torch.tensor(v), torch.tensor(i)))


# -- modules ------------------------------------------------------------------------------------

MODULES = [
    ("Conv3d", (4, 2, (3, 2, 2)), {"stride": (2, 1, 1), "padding": 1, "groups": 2},
     (2, 4, 5, 4, 4)),
    ("Conv3d", (2, 3, 2), {"padding": "same", "dilation": (1, 2, 1), "bias": False,
                           "padding_mode": "circular"}, (2, 4, 5, 4)),
    ("ConvTranspose3d", (4, 2, (2, 3, 2)), {"stride": 2, "padding": (1, 0, 1),
                                            "output_padding": (1, 0, 0), "groups": 2},
     (2, 4, 2, 3, 2)),
    ("MaxPool3d", ((3, 2, 2),), {"stride": (2, 1, 2), "padding": 1, "ceil_mode": True},
     (2, 2, 4, 5, 5)),
    ("AvgPool3d", (2,), {"stride": 1, "padding": 1, "count_include_pad": False},
     (2, 3, 3, 4)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 2, 4, 5, 5)),
    ("AdaptiveMaxPool3d", (2,), {}, (2, 2, 4, 5, 5)),
    ("LPPool3d", (2, (2, 3, 2)), {"stride": 1}, (2, 2, 3, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", MODULES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(MODULES)])
def test_module_matches_torch(name, args, kwargs, shape):
    """Repr, state_dict keys and shapes as PyTorch's; with PyTorch's parameters, the output
    and the input and parameter gradients."""
    ref = getattr(torch.nn, name)(*args, **kwargs)
    mod = getattr(tw.nn, name)(*args, **kwargs)
    assert repr(mod) == repr(ref)
    assert {k: tuple(v.shape) for k, v in mod.state_dict().items()} == {
        k: tuple(v.shape) for k, v in ref.state_dict().items()}
    copy_parameters(mod, ref)
    x = RNG.uniform(0.3, 2.0, shape) if name.startswith("LP") else distinct(*shape)
    compare_modules(mod, ref, (x,))


def test_conv_transpose3d_output_size_picks_the_output_padding_like_torch():
    ref = torch.nn.ConvTranspose3d(2, 3, 3, stride=(2, 3, 2))
    mod = tw.nn.ConvTranspose3d(2, 3, 3, stride=(2, 3, 2))
    copy_parameters(mod, ref)
    compare_modules(mod, ref, (rand(1, 2, 2, 2, 3),), {"output_size": [6, 8, 8]})
    with pytest.raises(ValueError, match=re.escape("requested an output size of [9, 8, 8]")):
        mod(tw.randn(1, 2, 2, 2, 3, dtype=tw.float64), output_size=[9, 8, 8])


@pytest.mark.parametrize("name,args", [
    ("LPPool3d", (1.5, (2, 3, 2), 1)),
    ("MaxUnpool3d", ((2, 3, 1),)),
    ("MaxUnpool3d", (2, 1, 1)),
    ("ConvTranspose3d", (2, 4, 3)),
])
def test_repr_and_state_dict_match_torch(name, args):
    mod, ref = getattr(tw.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(mod) == repr(ref)
    assert list(mod.state_dict()) == list(ref.state_dict())


def test_conv3d_default_init_is_torchs_uniform_bound():
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kD * kH * kW."""
    tw.manual_seed(0)
    for mod, fan_in in ((tw.nn.Conv3d(8, 64, (3, 2, 2), groups=2), 4 * 12),
                        (tw.nn.ConvTranspose3d(8, 64, 2, groups=4), 16 * 8)):
        bound = 1 / np.sqrt(fan_in)
        for p in (mod.weight, mod.bias):
            v = p.detach().numpy()
            assert np.abs(v).max() <= bound and np.abs(v).max() > 0.9 * bound


# -- lazy modules ------------------------------------------------------------------------------

LAZY = [
    ("LazyConv3d", (4, 3), {"padding": 1, "groups": 2}, (2, 2, 3, 4, 3)),
    ("LazyConv3d", (2, (2, 1, 2)), {"stride": 2}, (3, 4, 3, 4)),
    ("LazyConvTranspose3d", (4, 2), {"stride": (2, 1, 1), "groups": 2}, (1, 2, 2, 3, 2)),
    ("LazyBatchNorm3d", (), {}, (4, 3, 2, 2, 2)),
    ("LazyBatchNorm3d", (), {"affine": False, "momentum": None}, (3, 2, 2, 3, 2)),
    ("LazyInstanceNorm3d", (), {}, (2, 3, 2, 3, 2)),
    ("LazyInstanceNorm3d", (), {"affine": False}, (1, 3, 2, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", LAZY,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAZY)])
def test_lazy_module_matches_torch(name, args, kwargs, shape):
    """PyTorch's repr and state_dict keys before and after the first forward, which turns it
    into the concrete class; then, with PyTorch's state, outputs, gradients and statistics."""
    mine, ref = getattr(tw.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict())
    x = rand(*shape)
    mine(tw.tensor(x, dtype=tw.float32))
    ref(torch.tensor(x, dtype=torch.float32))
    assert type(mine).__name__ == type(ref).__name__ == name.removeprefix("Lazy")
    assert repr(mine) == repr(ref)
    assert {k: tuple(v.shape) for k, v in mine.state_dict().items()} == {
        k: tuple(v.shape) for k, v in ref.state_dict().items()}
    copy_parameters(mine, ref)
    compare_modules(mine, ref, (rand(*shape),))
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[k].numpy(), v.numpy(), atol=1e-10,
                                   err_msg=k)


def test_lazy_conv3d_rejects_a_4d_kernel_input_like_its_concrete_layer():
    m = tw.nn.LazyConv3d(2, 2)
    with pytest.raises(RuntimeError, match=r"Expected 4D \(unbatched\) or 5D \(batched\) input "
                                           r"to LazyConv3d, but got input of size"):
        m(tw.randn(2, 3, 4))
    assert m.has_uninitialized_params()
