"""Layouts and memory formats against PyTorch: the strides of ``clone``, ``contiguous``,
``to`` and the ``*_like``/``empty`` factories in each memory format, ``is_contiguous`` in
a format, the ``layout``/``pin_memory`` keywords of every factory, the errors, and the
values and gradients through a channels-last copy on every device."""

from __future__ import annotations

import numpy as np
import pytest
from _raised import errors

import tensorweave as tw
from tensorweave import layouts as L

torch = pytest.importorskip("torch")

FORMATS = {"contiguous_format": (L.contiguous_format, torch.contiguous_format),
           "channels_last": (L.channels_last, torch.channels_last),
           "channels_last_3d": (L.channels_last_3d, torch.channels_last_3d),
           "preserve_format": (L.preserve_format, torch.preserve_format)}
# Inputs as (shape, permutation applied to a contiguous tensor, slice of the last dim).
INPUTS = {"contiguous": ((2, 3, 4, 5), (0, 1, 2, 3), None),
          "nhwc": ((2, 4, 5, 3), (0, 3, 1, 2), None),
          "transposed": ((3, 2), (1, 0), None),
          "strided": ((2, 3, 6), (0, 1, 2), 2),
          "5-d": ((2, 3, 2, 2, 2), (0, 1, 2, 3, 4), None)}


def make(fw, name):
    """The same tensor in tensorweave or PyTorch, with the same strides."""
    shape, perm, step = INPUTS[name]
    x = fw.arange(float(np.prod(shape))).reshape(shape).permute(perm)
    return x[..., ::step] if step else x


def outcome(fn, *args, **kwargs):
    """Strides of the result, or the error's type and message."""
    try:
        out = fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - compared below
        return errors(fn, *args, **kwargs)
    return tuple(out.stride()), out.shape[:]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("method", ["clone", "contiguous", "to"])
def test_copies_have_pytorchs_strides_or_errors(method, name, fmt):
    ours, theirs = FORMATS[fmt]
    x, t = make(tw, name), make(torch, name)
    got = outcome(getattr(x, method), memory_format=ours)
    want = outcome(getattr(t, method), memory_format=theirs)
    assert got[0] == want[0]
    if isinstance(want[0], tuple):
        assert tuple(got[1]) == tuple(want[1])
        out = getattr(x, method)(memory_format=ours)
        np.testing.assert_array_equal(out.numpy(), getattr(t, method)(
            memory_format=theirs).numpy())
    else:
        assert got[0] is want[0] and str(got[1]).replace("tensorweave.", "torch.") == want[1]


@pytest.mark.parametrize("name", INPUTS)
def test_default_clone_and_contiguous_strides(name):
    x, t = make(tw, name), make(torch, name)
    assert x.clone().stride() == t.clone().stride()
    assert x.contiguous().stride() == t.contiguous().stride()
    assert (x.contiguous() is x) == (t.contiguous() is t)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", INPUTS)
def test_is_contiguous_in_a_format(name, fmt):
    ours, theirs = FORMATS[fmt]
    assert make(tw, name).is_contiguous(memory_format=ours) == \
        make(torch, name).is_contiguous(memory_format=theirs)


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "rand_like",
                                "randn_like"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["contiguous", "nhwc", "transposed", "strided"])
def test_like_factories_lay_out_as_pytorchs(fn, name, fmt):
    ours, theirs = FORMATS[fmt]
    got = outcome(getattr(tw, fn), make(tw, name), memory_format=ours)
    want = outcome(getattr(torch, fn), make(torch, name), memory_format=theirs)
    assert got[0] == want[0] or (got[0] is want[0] and str(got[1]) == want[1]), (got, want)


def test_like_factories_values_dtype_and_grad():
    x = make(tw, "nhwc").double()
    out = tw.full_like(x, 2.5, requires_grad=True)
    assert out.stride() == torch.full_like(make(torch, "nhwc").double(), 2.5).stride()
    assert out.dtype is tw.float64 and out.requires_grad and out.is_leaf
    assert (out.detach() == 2.5).all()
    r = tw.randint_like(x, 3, 7, dtype=tw.int64)
    assert r.stride() == (60, 1, 15, 3) and r.dtype is tw.int64
    assert bool(((r >= 3) & (r < 7)).all())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3, 4, 5, 6), (2, 3)])
def test_empty_in_a_format(shape, fmt):
    ours, theirs = FORMATS[fmt]
    assert outcome(tw.empty, shape, memory_format=ours) == \
        outcome(torch.empty, shape, memory_format=theirs) or \
        errors(tw.empty, shape, memory_format=ours)[0] is errors(
            torch.empty, shape, memory_format=theirs)[0]


def test_channels_last_copy_is_differentiable_on_every_device(device):
    a = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    w = np.random.default_rng(1).standard_normal((2, 3, 2, 2))
    x = tw.tensor(a, device=device, requires_grad=True)
    y = x.to(memory_format=tw.channels_last)
    assert y.stride() == (12, 1, 6, 3) and y.is_contiguous(memory_format=tw.channels_last)
    assert not y.is_contiguous()
    np.testing.assert_array_equal(y.cpu().detach().numpy(), a)
    (y * tw.tensor(w, device=device)).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), w)
    c = y.clone()
    assert c.stride() == (12, 1, 6, 3) and np.array_equal(c.cpu().detach().numpy(), a)


FACTORIES = {
    "zeros": lambda fw, **k: fw.zeros(2, 3, **k), "ones": lambda fw, **k: fw.ones(2, **k),
    "empty": lambda fw, **k: fw.empty(2, **k), "full": lambda fw, **k: fw.full((2,), 1.5, **k),
    "arange": lambda fw, **k: fw.arange(4, **k),
    "linspace": lambda fw, **k: fw.linspace(0, 1, 5, **k),
    "logspace": lambda fw, **k: fw.logspace(0, 1, 3, **k), "eye": lambda fw, **k: fw.eye(3, **k),
    "scalar_tensor": lambda fw, **k: fw.scalar_tensor(2.0, **k),
    "tril_indices": lambda fw, **k: fw.tril_indices(3, 3, **k),
    "triu_indices": lambda fw, **k: fw.triu_indices(3, 4, 1, **k),
    "empty_strided": lambda fw, **k: fw.empty_strided((2, 3), (1, 2), **k),
    "empty_permuted": lambda fw, **k: fw.empty_permuted((2, 3), (1, 0), **k),
    "hann_window": lambda fw, **k: fw.hann_window(5, **k),
    "kaiser_window": lambda fw, **k: fw.kaiser_window(5, **k),
    "zeros_like": lambda fw, **k: fw.zeros_like(fw.ones(2, 3), **k),
    "full_like": lambda fw, **k: fw.full_like(fw.ones(2, 3), 4.0, **k),
    "new_zeros": lambda fw, **k: fw.ones(2).new_zeros((3,), **k),
    "new_ones": lambda fw, **k: fw.ones(2).new_ones(3, **k),
    "new_full": lambda fw, **k: fw.ones(2).new_full((3,), 2.0, **k),
    "new_empty": lambda fw, **k: fw.ones(2).new_empty(3, **k),
    "new_empty_strided": lambda fw, **k: fw.ones(2).new_empty_strided((2, 2), (1, 2), **k),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_take_layout_and_pin_memory(name):
    """``layout=strided`` and ``pin_memory=False`` change nothing, as in PyTorch; a value
    that is no layout is refused with a TypeError naming the argument."""
    make_ = FACTORIES[name]
    got = make_(tw, layout=tw.strided, pin_memory=False)
    want = make_(torch, layout=torch.strided, pin_memory=False)
    assert got.layout is tw.strided and got.stride() == want.stride()
    assert str(got.dtype) == str(want.dtype).replace("torch", "tensorweave")
    if not name.startswith(("empty", "new_empty")):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match=r"argument 'layout' must be tensorweave\.layout"):
        make_(tw, layout="strided")


@pytest.mark.parametrize("name", ["rand", "randn", "randperm", "randint", "normal"])
def test_random_factories_take_layout_and_pin_memory(name):
    make_ = {"rand": lambda **k: tw.rand(2, 3, **k), "randn": lambda **k: tw.randn(4, **k),
             "randperm": lambda **k: tw.randperm(5, **k),
             "randint": lambda **k: tw.randint(3, (2,), **k),
             "normal": lambda **k: tw.normal(0.0, 1.0, (3,), **k)}[name]
    tw.manual_seed(0)
    a = make_()
    tw.manual_seed(0)
    b = make_(layout=tw.strided, pin_memory=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_new_factories_take_requires_grad():
    for out in (tw.ones(2).new_zeros(3, requires_grad=True),
                tw.ones(2).new_ones(3, requires_grad=True),
                tw.ones(2).new_full((3,), 1.0, requires_grad=True),
                tw.ones(2).new_empty(3, requires_grad=True),
                tw.scalar_tensor(1.0, requires_grad=True)):
        assert out.requires_grad and out.is_leaf


def test_names_reprs_and_pickling():
    import pickle

    for name in ("strided", "contiguous_format", "preserve_format", "channels_last",
                 "channels_last_3d"):
        obj = getattr(tw, name)
        assert repr(obj) == repr(getattr(torch, name)).replace("torch", "tensorweave")
        assert pickle.loads(pickle.dumps(obj)) is obj
    assert isinstance(tw.channels_last, tw.memory_format) and isinstance(tw.strided, tw.layout)
    assert tw.ones(2).layout is tw.strided


def test_memory_format_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match=r"clone\(\): argument 'memory_format' must be "
                       r"tensorweave\.memory_format, not layout"):
        tw.ones(2).clone(memory_format=tw.strided)


def test_dense_layout_queries_and_sparse_conversions_refused():
    x, t = tw.ones(2, 3), torch.ones(2, 3)
    assert x.to_dense() is x and x.to_dense(tw.float64).dtype is tw.float64
    assert (x.sparse_dim(), x.dense_dim()) == (t.sparse_dim(), t.dense_dim())
    for name in ("to_sparse", "to_sparse_csr", "coalesce", "is_coalesced"):
        with pytest.raises(RuntimeError, match=f"{name}: tensorweave has no sparse layouts"):
            getattr(x, name)()


@pytest.mark.parametrize("dims", [2, 3])
def test_convert_conv_weight_memory_format_matches_torch(dims):
    def build(fw):
        fw.manual_seed(0)
        conv, convt = getattr(fw.nn, f"Conv{dims}d"), getattr(fw.nn, f"ConvTranspose{dims}d")
        return fw.nn.Sequential(conv(3, 4, 3), fw.nn.ReLU(), fw.nn.Sequential(convt(4, 2, 2)))

    ours, theirs = build(tw), build(torch)
    for a, b in zip(ours.parameters(), theirs.parameters()):
        with tw.no_grad():
            a.copy_(tw.tensor(b.detach().numpy()))
    weights = [p for p in ours.parameters()]
    fmt = "channels_last" if dims == 2 else "channels_last_3d"
    out = getattr(tw.nn.utils, f"convert_conv{dims}d_weight_memory_format")(
        ours, getattr(tw, fmt))
    getattr(torch.nn.utils, f"convert_conv{dims}d_weight_memory_format")(
        theirs, getattr(torch, fmt))
    assert out is ours and all(p is q for p, q in zip(ours.parameters(), weights))
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert a.stride() == b.stride()
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    x = np.random.default_rng(0).standard_normal((1, 3) + (5,) * dims).astype(np.float32)
    np.testing.assert_allclose(ours(tw.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
