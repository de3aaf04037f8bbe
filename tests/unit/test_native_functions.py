"""The torch-level ATen functions: ``native_*`` normalizations and dropout, the legacy norms,
``segment_reduce``, the in-place and feature dropouts, ``convolution``, ``conv_tbc``,
``grid_sampler*`` and ``affine_grid_generator``, against PyTorch's values, dtypes, float64
gradients and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _functional_oracle import compare
from _raised import errors

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(7)
TOL = {"rtol": 1e-12, "atol": 1e-12}


def same_error(name: str, make_args: object, *, suffix: bool = False) -> None:
    """``tw.<name>`` and ``torch.<name>`` raise the same type and message (with ``suffix``,
    tensorweave's message may name the function first)."""
    got = errors(getattr(tw, name), *make_args(tw))  # type: ignore[operator]
    want = errors(getattr(torch, name), *make_args(torch))  # type: ignore[operator]
    assert got[0] is want[0], (got, want)
    assert got[1].endswith(want[1]) if suffix else got[1] == want[1], (got, want)


def t(fw: object, a: np.ndarray) -> object:
    return fw.tensor(a)  # type: ignore[attr-defined]


# -- native normalizations ------------------------------------------------------------------------

@pytest.mark.parametrize("shape,normalized,affine", [((2, 3, 4), [4], True),
                                                     ((2, 3, 4), [3, 4], False)])
def test_native_layer_norm(shape: tuple[int, ...], normalized: list[int], affine: bool) -> None:
    """Output (with gradients) and the constant mean and rstd, shaped (*, 1, ..., 1)."""
    x = R.standard_normal(shape)
    w = R.standard_normal(normalized) if affine else None
    b = R.standard_normal(normalized) if affine else None

    def call(fw: object) -> object:
        return lambda x, w, b: fw.native_layer_norm(x, normalized, w, b, 1e-5)  # type: ignore

    out = compare(call(tw), call(torch), x, w, b, **TOL)
    assert not out[1].requires_grad and not out[2].requires_grad


@pytest.mark.parametrize("case", ["trailing", "weight", "empty", "bias"])
def test_native_layer_norm_errors(case: str) -> None:
    def args(fw: object) -> tuple[object, ...]:
        x, w = fw.zeros(2, 3, 4), fw.zeros(3)  # type: ignore[attr-defined]
        return {"trailing": (x, [3], None, None, 1e-5), "weight": (x, [4], w, None, 1e-5),
                "empty": (x, [], None, None, 1e-5), "bias": (x, [4], None, w, 1e-5)}[case]

    same_error("native_layer_norm", args, suffix=True)


@pytest.mark.parametrize("affine", [True, False])
def test_native_group_norm(affine: bool) -> None:
    """Output, mean and rstd (N, group), all three differentiable as in PyTorch."""
    x = R.standard_normal((2, 6, 2, 3))
    w = R.standard_normal(6) if affine else None
    b = R.standard_normal(6) if affine else None

    def call(fw: object) -> object:
        return lambda x, w, b: fw.native_group_norm(x, w, b, 2, 6, 6, 3, 1e-5)  # type: ignore

    out = compare(call(tw), call(torch), x, w, b, **TOL)
    assert tuple(out[1].shape) == (2, 3)


@pytest.mark.parametrize("case", ["groups", "divisible", "weight", "bias", "numel"])
def test_native_group_norm_errors(case: str) -> None:
    def args(fw: object) -> tuple[object, ...]:
        x, four = fw.zeros(2, 3, 4), fw.ones(4)  # type: ignore[attr-defined]
        return {"groups": (x, None, None, 2, 3, 4, 0, 1e-5),
                "divisible": (x, None, None, 2, 3, 4, 2, 1e-5),
                "weight": (x, four, None, 2, 3, 4, 1, 1e-5),
                "bias": (x, None, four, 2, 3, 4, 3, 1e-5),
                "numel": (x, None, None, 2, 3, 5, 3, 1e-5)}[case]

    same_error("native_group_norm", args)


@pytest.mark.parametrize("training", [True, False])
def test_native_batch_norm(training: bool) -> None:
    """Output (with gradients), the saved statistics (empty in evaluation), and the running
    statistics updated in place as PyTorch's."""
    x, w, b = R.standard_normal((4, 3, 5)), R.standard_normal(3), R.standard_normal(3)
    rm, rv = R.standard_normal(3), R.uniform(0.5, 2.0, 3)
    running = {fw: (t(fw, rm), t(fw, rv)) for fw in (tw, torch)}

    def call(fw: object) -> object:
        return lambda x, w, b: fw.native_batch_norm(x, w, b, *running[fw], training,  # type: ignore
                                                    0.1, 1e-5)

    out = compare(call(tw), call(torch), x, w, b, **TOL)
    assert tuple(out[1].shape) == ((3,) if training else (0,))
    for got, want in zip(running[tw], running[torch]):
        np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)


def test_native_batch_norm_without_running_stats() -> None:
    x = R.standard_normal((4, 3))
    compare(lambda x: tw.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5),
            lambda x: torch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5),
            x, **TOL)
    same_error("native_batch_norm", lambda fw: (fw.zeros(4, 3), None, None, fw.zeros(3), None,
                                                True, 0.1, 1e-5))


# -- dropout --------------------------------------------------------------------------------------

def test_native_dropout_masks_and_scales() -> None:
    """The output is ``x * mask / (1 - p)`` and the gradient flows through the same mask."""
    x = tw.tensor(R.standard_normal((50, 40)), requires_grad=True)
    out, mask = tw.native_dropout(x, 0.25, True)
    assert mask.dtype is tw.bool and 0.6 < mask.to(tw.float64).mean().item() < 0.9
    keep = mask.numpy()
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() * keep / 0.75, **TOL)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), keep / 0.75, **TOL)


@pytest.mark.parametrize("p,train", [(0.0, True), (1.0, True), (0.5, False), (1.5, False),
                                     (0.5, None)])
def test_native_dropout_deterministic_cases(p: float, train: bool | None) -> None:
    """p=0 keeps all, p=1 drops all, ``train=False`` copies: as PyTorch."""
    if train is None:  # None trains: only the mask's dtype and shape are deterministic
        out, mask = tw.native_dropout(tw.ones(3, 4), p, None)
        assert mask.dtype is tw.bool and set(np.unique(out.numpy())) <= {0.0, 2.0}
        return
    x = R.standard_normal((3, 4))
    (o, m), (ro, rm) = (fw.native_dropout(t(fw, x), p, train) for fw in (tw, torch))
    np.testing.assert_allclose(o.numpy(), ro.numpy(), **TOL)
    np.testing.assert_array_equal(m.numpy(), rm.numpy())
    a = tw.tensor(x)
    assert tw.native_dropout(a, 0.5, False)[0] is not a


@pytest.mark.parametrize("p", [1.5, -0.5])
def test_native_dropout_errors(p: float) -> None:
    same_error("native_dropout", lambda fw: (fw.zeros(3), p, True))


INPLACE_DROPOUTS = ["dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_"]


@pytest.mark.parametrize("name", INPLACE_DROPOUTS)
def test_inplace_dropouts_write_input(name: str) -> None:
    """The result is ``input`` itself: zeros for p=1, unchanged out of training or for p=0."""
    x = R.standard_normal((2, 3, 4))
    for p, train in ((1.0, True), (0.5, False), (0.0, True)):
        a, b = tw.tensor(x), torch.tensor(x)
        assert getattr(tw, name)(a, p, train) is a and getattr(torch, name)(b, p, train) is b
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)


@pytest.mark.parametrize("name", [*INPLACE_DROPOUTS, "feature_dropout"])
def test_dropout_errors(name: str) -> None:
    same_error(name, lambda fw: (fw.zeros(2, 3), 1.5, True))
    if name.startswith("feature"):
        same_error(name, lambda fw: (fw.zeros(3), 0.5, True))


def test_feature_dropout_drops_whole_channels() -> None:
    x = tw.ones(20, 30, 4, dtype=tw.float64)
    out = tw.feature_dropout(x, 0.5, True).numpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    assert (out == out[:, :, :1]).all()  # one draw per (sample, channel)


# -- legacy norms ---------------------------------------------------------------------------------

NORMS = [
    ("frobenius_norm", ([1],)), ("frobenius_norm", ([0, 2], True)),
    ("nuclear_norm", ()), ("nuclear_norm", (True,)), ("nuclear_norm", ([0, 2],)),
    ("nuclear_norm", ([2, 1], True)),
    ("norm_except_dim", ()), ("norm_except_dim", (3, 1)), ("norm_except_dim", (2, 2)),
    ("norm_except_dim", (1, -1)), ("norm_except_dim", (2, -2)),
]


@pytest.mark.parametrize("name,args", NORMS)
def test_legacy_norms(name: str, args: tuple[object, ...]) -> None:
    x = R.standard_normal((2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare(lambda x: getattr(tw, name)(x, *args), lambda x: getattr(torch, name)(x, *args),
                x, **TOL)


def test_deprecated_norms_warn_and_check_dims() -> None:
    for name in ("frobenius_norm", "nuclear_norm"):
        with pytest.warns(UserWarning, match=f"at::{name} is deprecated"):
            getattr(tw, name)(tw.ones(2, 2), [0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        same_error("frobenius_norm", lambda fw: (fw.ones(2, 2, 2), [0, 1, 2]))
    same_error("norm_except_dim", lambda fw: (fw.ones(2, 2), 2.0, 1))


def test_embedding_renorm_():
    """Rows named in ``indices`` (negative from the end) above ``max_norm`` are rescaled in
    place; the others are untouched."""
    w = R.standard_normal((5, 3)) * 3
    idx = np.array([[0, 2], [2, -1]])
    for norm_type in (2.0, 1.0):
        a, b = tw.tensor(w), torch.tensor(w)
        assert tw.embedding_renorm_(a, tw.tensor(idx), 1.0, norm_type) is a
        torch.embedding_renorm_(b, torch.tensor(idx), 1.0, norm_type)
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)


@pytest.mark.parametrize("case", ["rank", "dtype", "range", "leaf"])
def test_embedding_renorm_errors(case: str) -> None:
    def args(fw: object) -> tuple[object, ...]:
        w, i = fw.ones(5, 3), fw.tensor([0, 2])  # type: ignore[attr-defined]
        return {"rank": (w[0], i, 1.0, 2.0), "dtype": (w, i.float(), 1.0, 2.0),
                "range": (w, fw.tensor([1, 7]), 1.0, 2.0),  # type: ignore[attr-defined]
                "leaf": (fw.ones(5, 3).requires_grad_(), i, 1.0, 2.0)}[case]  # type: ignore

    same_error("embedding_renorm_", args)


# -- segment_reduce -------------------------------------------------------------------------------

REDUCTIONS = ["sum", "mean", "max", "min", "prod"]


@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("initial", [None, 0.5])
def test_segment_reduce_lengths_and_offsets(reduce: str, initial: float | None) -> None:
    """Empty segments hold ``initial`` or the identity (NaN for the mean); gradients too."""
    data = R.standard_normal((6, 2))
    lengths, offsets = np.array([2, 0, 3, 1]), np.array([0, 2, 2, 5, 6])
    for key, segs in (("lengths", lengths), ("offsets", offsets)):
        compare(lambda d, s: tw.segment_reduce(d, reduce, **{key: s}, initial=initial),
                lambda d, s: torch.segment_reduce(d, reduce, **{key: s}, initial=initial),
                data, segs, **TOL)


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_segment_reduce_inner_axis(reduce: str) -> None:
    """``axis=1`` with one row of lengths per leading index, and offsets covering only part
    of the data (unsafe lengths too)."""
    data = R.standard_normal((2, 6, 3))
    lengths = np.array([[2, 0, 3, 1], [1, 1, 1, 3]])
    compare(lambda d, s: tw.segment_reduce(d, reduce, lengths=s, axis=1),
            lambda d, s: torch.segment_reduce(d, reduce, lengths=s, axis=1),
            data, lengths, **TOL)
    compare(lambda d, s: tw.segment_reduce(d, reduce, offsets=s, axis=-2),
            lambda d, s: torch.segment_reduce(d, reduce, offsets=s, axis=-2),
            data, np.array([[1, 3, 4], [0, 2, 5]]), **TOL)
    compare(lambda d, s: tw.segment_reduce(d, reduce, lengths=s, axis=1, unsafe=True),
            lambda d, s: torch.segment_reduce(d, reduce, lengths=s, axis=1, unsafe=True),
            data, np.array([[2, 3], [1, 1]]), **TOL)


SEGMENT_ERRORS = {
    "axis range": ({"lengths": [6]}, {"axis": 2}),
    "indices": ({"indices": [6]}, {}),
    "no segments": ({}, {}),
    "reduce": ({"lengths": [6]}, {"reduce": "bad"}),
    "axis not last": ({"lengths": [6]}, {"axis": 1}),
    "negative": ({"lengths": [2, -1, 3]}, {}),
    "sum": ({"lengths": [2, 0, 3]}, {}),
    "decreasing offsets": ({"offsets": [0, 3, 2, 6]}, {}),
    "unsafe negative": ({"lengths": [7, -1, 0]}, {"unsafe": True}),
    "float lengths": ({"lengths": [6.0]}, {}),
    "int data": ({"lengths": [6]}, {"data": "int"}),
}


@pytest.mark.parametrize("case", SEGMENT_ERRORS)
def test_segment_reduce_errors(case: str) -> None:
    segs, options = SEGMENT_ERRORS[case]
    options = dict(options)
    reduce = options.pop("reduce", "sum")
    as_int = options.pop("data", None) == "int"

    def call(fw: object) -> tuple[type, str]:
        data = fw.ones(6, 2, dtype=fw.int32 if as_int else fw.float64)  # type: ignore
        kw = {k: fw.tensor(v) for k, v in segs.items()}  # type: ignore[attr-defined]
        return errors(fw.segment_reduce, data, reduce, **kw, **options)  # type: ignore

    assert call(tw) == call(torch)


# -- splitting, shuffling -------------------------------------------------------------------------

def test_unsafe_split_with_sizes_and_native_channel_shuffle() -> None:
    x = R.standard_normal((2, 6, 3))
    compare(lambda x: tw.unsafe_split_with_sizes(x, [1, 2, 3], 1),
            lambda x: torch.unsafe_split_with_sizes(x, [1, 2, 3], 1), x, **TOL)
    compare(lambda x: tw.native_channel_shuffle(x, 3),  # PyTorch has no derivative for it
            lambda x: torch.native_channel_shuffle(x, 3), x, grad=False, **TOL)
    same_error("unsafe_split_with_sizes", lambda fw: (fw.zeros(2, 3), [1, 1], 1))
    for groups, shape in ((4, (1, 6, 2)), (0, (1, 6, 2)), (2, (6, 2))):
        same_error("native_channel_shuffle", lambda fw: (fw.zeros(*shape), groups))


# -- convolution ----------------------------------------------------------------------------------

CONVS = [  # input shape, weight shape, stride, padding, dilation, transposed, out_pad, groups
    ((2, 4, 7), (6, 2, 3), [2], [1], [1], False, [0], 2),
    ((1, 2, 5, 6), (3, 2, 2, 3), [1, 2], [1, 0], [2, 1], False, [0], 1),
    ((1, 4, 3, 4, 3), (4, 2, 2, 2, 1), [1], [0, 1, 0], [1], False, [0, 0, 0], 2),
    ((2, 4, 5), (4, 3, 3), [2], [1], [1], True, [1], 2),
    ((1, 2, 4, 3), (2, 3, 2, 2), [2, 1], [0], [1, 2], True, [1, 0], 1),
    ((1, 2, 3, 2, 2), (2, 1, 2, 2, 2), [2], [1], [1], True, [1], 2),
]


@pytest.mark.parametrize("xs,ws,stride,padding,dilation,transposed,out_pad,groups", CONVS)
def test_convolution(xs: tuple[int, ...], ws: tuple[int, ...], stride: list[int],
                     padding: list[int], dilation: list[int], transposed: bool,
                     out_pad: list[int], groups: int) -> None:
    x, w = R.standard_normal(xs), R.standard_normal(ws)
    b = R.standard_normal(ws[1] * groups if transposed else ws[0])

    def call(fw: object) -> object:
        return lambda x, w, b: fw.convolution(x, w, b, stride, padding,  # type: ignore
                                              dilation, transposed, out_pad, groups)

    compare(call(tw), call(torch), x, w, b, **TOL)


CONV_ERRORS = {
    "weight rank": {"weight": (6, 2)}, "groups": {"groups": 0},
    "stride type": {"stride": 1}, "padding type": {"padding": "same"},
    "stride length": {"stride": [1, 1]}, "output_padding length": {"output_padding": [0, 0]},
    "negative padding": {"padding": [-1]}, "negative output_padding": {"output_padding": [-1]},
    "stride": {"stride": [0]}, "dilation": {"dilation": [-1]},
    "unbatched": {"input": (4, 5)}, "channels": {"groups": 3},
    "divisible": {"weight": (4, 2, 3), "groups": 3},
    "transposed channels": {"transposed": True, "weight": (3, 2, 3)},
    "bias": {"bias": (5,)}, "transposed bias": {"transposed": True, "weight": (4, 2, 3),
                                                "bias": (3,)},
}


@pytest.mark.parametrize("case", CONV_ERRORS)
def test_convolution_errors(case: str) -> None:
    def args(fw: object) -> tuple[object, ...]:
        a = {"input": (2, 4, 5), "weight": (6, 2, 3), "bias": None, "stride": [1],
             "padding": [1], "dilation": [1], "transposed": False, "output_padding": [0],
             "groups": 2, **CONV_ERRORS[case]}
        for k in ("input", "weight", "bias"):
            a[k] = None if a[k] is None else fw.zeros(*a[k])  # type: ignore[attr-defined]
        return tuple(a.values())

    same_error("convolution", args)


@pytest.mark.parametrize("pad", [0, 2, -1])
def test_conv_tbc(pad: int) -> None:
    x, w, b = R.standard_normal((7, 2, 3)), R.standard_normal((3, 3, 4)), R.standard_normal(4)
    compare(lambda x, w, b: tw.conv_tbc(x, w, b, pad),
            lambda x, w, b: torch.conv_tbc(x, w, b, pad), x, w, b, **TOL)


@pytest.mark.parametrize("case", ["bias type", "input", "weight", "bias", "channels",
                                  "bias size"])
def test_conv_tbc_errors(case: str) -> None:
    def args(fw: object) -> tuple[object, ...]:
        x, w, b = fw.zeros(7, 2, 3), fw.zeros(3, 3, 4), fw.zeros(4)  # type: ignore
        return {"bias type": (x, w, None), "input": (x[0], w, b), "weight": (x, w[0], b),
                "bias": (x, w, b[None]), "channels": (x, w[:, :2], b),
                "bias size": (x, w, b[:3])}[case]

    same_error("conv_tbc", args)


# -- grid sampling --------------------------------------------------------------------------------

@pytest.mark.parametrize("interpolation", [0, 1, 2])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_grid_sampler_2d(interpolation: int, padding: int) -> None:
    x = R.standard_normal((1, 2, 4, 5))
    grid = R.uniform(-1.2, 1.2, (1, 3, 2, 2))
    for name in ("grid_sampler", "grid_sampler_2d"):
        compare(lambda x, g: getattr(tw, name)(x, g, interpolation, padding, False),
                lambda x, g: getattr(torch, name)(x, g, interpolation, padding, False),
                x, grid, grad=interpolation != 1, **TOL)


@pytest.mark.parametrize("interpolation,padding", [(0, 0), (1, 2), (0, 1)])
def test_grid_sampler_3d(interpolation: int, padding: int) -> None:
    x = R.standard_normal((1, 2, 3, 4, 3))
    grid = R.uniform(-1.1, 1.1, (1, 2, 2, 2, 3))
    for name in ("grid_sampler", "grid_sampler_3d"):
        compare(lambda x, g: getattr(tw, name)(x, g, interpolation, padding, True),
                lambda x, g: getattr(torch, name)(x, g, interpolation, padding, True),
                x, grid, grad=interpolation != 1, **TOL)


def test_grid_sampler_errors() -> None:
    same_error("grid_sampler_3d", lambda fw: (fw.zeros(1, 2, 4, 5), fw.zeros(1, 3, 3, 2), 0, 0,
                                              False))
    same_error("grid_sampler_2d", lambda fw: (fw.zeros(1, 2, 2, 4, 5), fw.zeros(1, 2, 3, 3, 3),
                                              0, 0, False))
    same_error("grid_sampler", lambda fw: (fw.zeros(1, 2, 4, 5), fw.zeros(1, 3, 3, 1), 0, 0,
                                           False))
    assert errors(tw.grid_sampler, tw.zeros(1, 2, 4, 5), tw.zeros(1, 3, 3, 2), 3, 0,
                  False)[0] is RuntimeError


@pytest.mark.parametrize("size,align", [([2, 3, 4, 5], False), ((1, 2, 3, 4, 2), True)])
def test_affine_grid_generator(size: list[int], align: bool) -> None:
    theta = R.standard_normal((size[0], len(size) - 2, len(size) - 1))
    compare(lambda th: tw.affine_grid_generator(th, size, align),
            lambda th: torch.affine_grid_generator(th, size, align), theta, **TOL)
    same_error("affine_grid_generator", lambda fw: (fw.zeros(1, 2, 3), [1, 2, 4], False))
