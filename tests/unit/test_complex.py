"""complex64/complex128 on the cpu backend: dtypes and promotion, creation and printing, the
view_as_real/view_as_complex views and what is written over them, the ops that take complex
tensors, and the clear refusals (ops written for real numbers, backends without complex
dtypes). Values against PyTorch 2.13 and NumPy complex128; gradients are in
test_complex_autograd.py."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave import dtypes as D

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _c(shape, dtype=np.complex128):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)


def _both(a):
    return tw.tensor(a), torch.tensor(a)


def _close(got, want, dtype=None, tol=1e-12):
    want = want.detach().numpy() if isinstance(want, torch.Tensor) else np.asarray(want)
    got_np = got.numpy()
    assert got_np.dtype == want.dtype and got_np.shape == want.shape
    np.testing.assert_allclose(got_np, want, rtol=tol, atol=tol)


# -- dtypes ---------------------------------------------------------------------------------------


def test_promotion_equals_pytorchs_for_every_pair_with_complex():
    for a in D.ALL_AND_COMPLEX:
        for b in D.COMPLEX:
            want = torch.promote_types(getattr(torch, a.name), getattr(torch, b.name))
            assert str(want).split(".")[1] == D.promote_types(a, b).name == \
                D.promote_types(b, a).name


@pytest.mark.parametrize("tdt,operand", [("float32", 1j), ("float64", 1j), ("int64", 2j)])
def test_scalar_promotion_with_complex_numbers(tdt, operand):
    t = tw.ones(3, dtype=getattr(tw, tdt))
    want = torch.ones(3, dtype=getattr(torch, tdt)) * operand
    got = t * operand
    assert got.dtype.name == str(want.dtype).split(".")[1]
    _close(got, want)


def test_a_numpy_complex_scalar_promotes_like_a_python_one():
    # PyTorch 2.13 casts np.complex64 to the tensor's real dtype here (zeros and a
    # ComplexWarning); NumPy and a Python complex both give a complex result.
    got = tw.ones(3) * np.complex64(1j)
    assert got.dtype is tw.complex64
    np.testing.assert_array_equal(got.numpy(), np.full(3, 1j, np.complex64))


def test_dtype_attributes_and_aliases():
    assert tw.cfloat is tw.complex64 and tw.cdouble is tw.complex128
    assert tw.complex64.is_complex and not tw.complex64.is_floating_point
    assert tw.complex64.to_real() is tw.float32 and tw.float64.to_complex() is tw.complex128
    assert tw.complex64.is_signed and tw.complex128.itemsize == 16
    assert tw.finfo(tw.complex64).eps == torch.finfo(torch.complex64).eps
    assert not tw.can_cast(tw.complex64, tw.float64) and tw.can_cast(tw.float64, tw.complex64)
    with pytest.raises(TypeError, match="floating-point"):
        tw.set_default_dtype(tw.complex64)


def test_creation_infers_pytorchs_dtypes():
    assert tw.tensor([1 + 2j, 3]).dtype is tw.complex64
    assert tw.tensor(np.array([1j])).dtype is tw.complex128
    assert tw.tensor(np.complex128(1j)).dtype is tw.complex128
    old = tw.get_default_dtype()
    tw.set_default_dtype(tw.float64)
    try:
        assert tw.tensor([1j]).dtype is tw.complex128
    finally:
        tw.set_default_dtype(old)
    z = tw.zeros(2, 3, dtype=tw.cdouble)
    assert z.dtype is tw.complex128 and z.is_complex() and tw.is_complex(z)
    assert tw.full((2,), 1 + 1j).dtype is tw.complex64
    assert tw.tensor([1 + 2j]).item() == 1 + 2j and tw.tensor([[1j]]).tolist() == [[1j]]


@pytest.mark.parametrize("values", [
    np.array([1 + 2j, 3 - 1j], np.complex64),
    np.array(1.5 - 0.25j, np.complex64),
    _c((3, 4)),
    np.array([1e-6 + 1e5j, -0.0 - 0.0j, -2 + 0j], np.complex64),
    _c((2000,), np.complex64),
    np.zeros((0, 3), np.complex64),
    np.array([complex("nan") + 1j, complex("inf") - 2j], np.complex64),
], ids=["vector", "0-d", "complex128", "sci", "summarized", "empty", "nonfinite"])
def test_repr_is_pytorchs(values):
    want = repr(torch.from_numpy(values.copy())).replace("torch.", "tensorweave.")
    assert repr(tw.from_numpy(values.copy())) == want


# -- views and parts -----------------------------------------------------------------------------


def test_real_and_imag_are_views_with_pytorchs_strides():
    a = _c((3, 4))
    x, t = _both(a)
    for part in ("real", "imag"):
        got, want = getattr(x, part), getattr(t, part)
        _close(got, want)
        assert got.stride() == want.stride()
        assert got.storage_offset() == want.storage_offset()
    x.real.mul_(2.0)
    x.imag[0, 0] = 7.0
    t.real.mul_(2.0)
    t.imag[0, 0] = 7.0
    _close(x, t)
    r = tw.tensor([1.0, 2.0])
    assert r.real is r and tw.real(r) is r
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with "
                                           "non-complex dtypes"):
        r.imag  # noqa: B018


def test_view_as_real_and_view_as_complex_share_memory():
    a = _c((2, 3))
    x, t = _both(a)
    _close(tw.view_as_real(x), torch.view_as_real(t))
    _close(x.transpose(0, 1).view_as_real(), torch.view_as_real(t.transpose(0, 1)))
    pairs = tw.tensor([[1.0, 2.0], [3.0, 4.0]])
    c = tw.view_as_complex(pairs)
    c.mul_(1j)
    np.testing.assert_array_equal(pairs.numpy(), [[-2.0, 1.0], [-4.0, 3.0]])
    assert tw.view_as_complex(tw.zeros(2, dtype=tw.float64)).dtype is tw.complex128


@pytest.mark.parametrize("make,msg", [
    (lambda m: m.ones(3, 3), "last dimension of size 2"),
    (lambda m: m.ones(2, 3).t(), "last dimension with stride 1"),
    (lambda m: m.ones(3, 3)[:, :2], "stride divisible by 2"),
    (lambda m: m.ones(5)[1:3], "storage_offset divisible by 2"),
    (lambda m: m.ones(()), "one or more dimensions"),
])
def test_view_as_complex_refuses_what_pytorch_refuses(make, msg):
    with pytest.raises(RuntimeError, match=msg):
        torch.view_as_complex(make(torch))
    with pytest.raises(RuntimeError, match=msg):
        tw.view_as_complex(make(tw))


def test_view_as_complex_of_float16_says_there_is_no_complex32():
    # PyTorch makes a complex32 view here; tensorweave has no complex32.
    with pytest.raises(RuntimeError, match="float and double.*float16.*no complex32"):
        tw.view_as_complex(tw.ones(3, 2, dtype=tw.float16))


def test_view_as_real_refuses_a_real_tensor():
    with pytest.raises(RuntimeError, match="only supported for complex tensors"):
        tw.view_as_real(tw.ones(2))


def test_conj_abs_angle_sgn_isreal_and_conjugate_transposes():
    a = _c((3, 4))
    a[0, 0], a[0, 1], a[1, 1] = 0, 2.5, -1j
    x, t = _both(a)
    _close(x.conj(), t.conj().resolve_conj())
    _close(tw.conj_physical(x), torch.conj_physical(t))
    _close(abs(x), t.abs())
    _close(x.abs(), t.abs())
    _close(x.angle(), t.angle())
    _close(tw.sgn(x), torch.sgn(t))
    _close(tw.isreal(x), torch.isreal(t))
    _close(x.H, t.H.resolve_conj())
    _close(x.mH, t.mH.resolve_conj())
    _close(tw.adjoint(x), t.adjoint().resolve_conj())
    assert not x.conj().is_conj()
    y, u = _both(a.copy())
    y.conj_physical_()
    _close(y, u.conj_physical_())
    r = tw.tensor([-1.0, 2.0])
    assert r.conj() is r and tw.isreal(r).all().item()


def test_complex_and_polar_build_from_real_parts():
    re, im = RNG.standard_normal((2, 3)), RNG.standard_normal((3,))
    _close(tw.complex(tw.tensor(re), tw.tensor(im)),
           torch.complex(torch.tensor(re), torch.tensor(im)))
    m, th = np.abs(re), im
    _close(tw.polar(tw.tensor(m), tw.tensor(th)), torch.polar(torch.tensor(m), torch.tensor(th)))
    f = tw.complex(tw.ones(2), tw.zeros(2))
    assert f.dtype is tw.complex64
    with pytest.raises(RuntimeError, match="Expected object of scalar type"):
        tw.complex(tw.ones(2), tw.ones(2, dtype=tw.float64))
    with pytest.raises(RuntimeError, match="Float or Double"):
        tw.complex(tw.ones(2, dtype=tw.int64), tw.ones(2, dtype=tw.int64))


# -- ops on complex tensors ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh",
                                  "cosh", "reciprocal", "log10", "expm1", "sigmoid", "neg",
                                  "square", "asinh", "atan"])
def test_unary_ops_equal_pytorchs(name):
    x, t = _both(_c((3, 5)))
    _close(getattr(tw, name)(x), getattr(torch, name)(t), tol=1e-10)


# Both sides of each branch cut (the sign of a zero imaginary or real part picks the side),
# the cuts' ends, small values, and a spread over the plane.
_CUTS = np.array([complex(a, b) for a in (2.0, -2.0, 0.0, -0.0, 0.5, -0.5, 1.0, -1.0)
                  for b in (0.0, -0.0, 3.0, -3.0, 1.0, -1.0, 0.5)] +
                 [1e-7 + 1e-7j, -3e-6 + 2e-7j])
_SPREAD = np.concatenate([_CUTS, _c(200) * 3])


@pytest.mark.parametrize("name", ["asin", "acos", "atan", "asinh", "acosh", "atanh", "log1p"])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("path", ["kernel", "decomposition"])
def test_inverse_functions_take_pytorchs_branches(name, dtype, path):
    """The cpu kernels, and the decompositions a backend with only primitives gets, give
    PyTorch's principal values on both sides of every cut, to the dtype's precision."""
    op = getattr(tw.ops.elementwise, name)
    if path == "decomposition":
        if op.decomp is None:
            pytest.skip(f"{name} is a primitive")
        got = op.decomp(tw.tensor(_SPREAD.astype(dtype))).numpy()
    else:
        got = getattr(tw, name)(tw.tensor(_SPREAD.astype(dtype))).numpy()
    want = getattr(torch, name)(torch.from_numpy(_SPREAD.astype(dtype))).numpy()
    ref = getattr(torch, name)(torch.from_numpy(_SPREAD)).numpy()
    eps = np.finfo(dtype).eps
    # Within a few ulps of |value| (a wrong side of a cut is off by ~|value|); where the value
    # is 0, within a few ulps of 1.
    # Poles (atan(1j), log1p(-1)) give PyTorch's infinite parts.
    finite = np.isfinite(ref)
    np.testing.assert_array_equal(got[~finite], want[~finite])
    ref, at = ref[finite], _SPREAD[finite]
    scale = np.where(ref == 0, 1.0, np.abs(ref))
    for values in (got[finite], want[finite]):  # PyTorch's own results are within the bound
        err = np.abs(values - ref) / scale
        worst = np.argmax(err)
        assert err[worst] < 64 * eps, (at[worst], values[worst], ref[worst])


def test_arithmetic_reductions_and_matmul_equal_pytorchs():
    a, b = _c((3, 4)), _c((4, 2))
    (x, t), (y, u) = _both(a), _both(b)
    r = RNG.standard_normal((3, 4))
    _close(x + tw.tensor(r), t + torch.tensor(r))
    _close(x * 2j - 1, t * 2j - 1)
    _close(x / (x + 3), t / (t + 3))
    _close(x ** 2, t ** 2, tol=1e-10)
    _close(x @ y, t @ u)
    _close(x.sum(1), t.sum(1))
    _close(x.mean(), t.mean())
    _close(x.prod(0), t.prod(0))
    _close(x.cumsum(1), t.cumsum(1))
    _close(x == x.conj(), t == t.conj())
    _close(tw.where(x.real > 0, x, 0), torch.where(t.real > 0, t, 0))
    _close(x.reshape(12)[::5], t.reshape(12)[::5])
    _close(tw.cat([x, x]).flip(0), torch.cat([t, t]).flip(0))
    _close(x.to(tw.complex64), t.to(torch.complex64))
    _close(tw.tensor(r).to(tw.complex128), torch.tensor(r).to(torch.complex128))


def test_save_and_load_round_trip(tmp_path):
    x = tw.tensor(_c((2, 3)))
    tw.save({"x": x}, tmp_path / "c.tw")
    y = tw.load(tmp_path / "c.tw")["x"]
    assert y.dtype is tw.complex128
    np.testing.assert_array_equal(y.numpy(), x.numpy())


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [lambda x: x < x, lambda x: x.max(), lambda x: tw.sort(x),
                                lambda x: tw.floor(x), lambda x: tw.relu(x),
                                lambda x: tw.maximum(x, x), lambda x: tw.clamp(x, 0, 1)])
def test_ops_written_for_real_numbers_refuse_complex(fn):
    x = tw.tensor([1 + 1j, 2 - 1j])
    with pytest.raises(TypeError, match="complex tensors are not supported by this op"):
        fn(x)


def test_a_backend_without_complex_dtypes_refuses_them():
    try:
        dev = tw.device("opencl:0")
        tw.zeros(1, device=dev)
    except Exception as e:  # noqa: BLE001 - no OpenCL here: the minimal backend stands in
        pytest.skip(f"no opencl device: {e}")
    msg = "is not supported on opencl:0"
    with pytest.raises(TypeError, match=msg):
        tw.tensor([1j], device=dev)
    with pytest.raises(TypeError, match=msg):
        tw.tensor([1j]).to(dev)
    with pytest.raises(TypeError, match=msg):
        tw.ones(2, device=dev) * 1j
    with pytest.raises(TypeError, match=msg):
        tw.zeros(2, dtype=tw.complex64, device=dev)
    with pytest.raises(TypeError, match=msg):  # a cast on the device (was a KeyError)
        tw.ones(2, device=dev).to(tw.complex64)


# -- conjugating reductions, moments, random draws, ranges -----------------------------------


def test_vdot_and_vecdot_conjugate_their_first_argument():
    a, b = _c(5), _c(5)
    _close(tw.vdot(tw.tensor(a), tw.tensor(b)), torch.vdot(torch.tensor(a), torch.tensor(b)))
    m, n = _c((3, 5)), _c((5,))
    _close(tw.linalg.vecdot(tw.tensor(m), tw.tensor(n)),
           torch.linalg.vecdot(torch.tensor(m), torch.tensor(n)))
    _close(tw.dot(tw.tensor(a), tw.tensor(b)), torch.dot(torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize("fn", [lambda m, x: x.var(), lambda m, x: x.std(1, keepdim=True),
                                lambda m, x: m.var_mean(x, 0, correction=0)[0],
                                lambda m, x: m.std(x, (0, 1), unbiased=False)])
def test_variance_of_complex_tensors_is_real_as_pytorchs(fn):
    a = _c((3, 4))
    out = []
    for m in (tw, torch):
        x = m.tensor(a, requires_grad=True)
        y = fn(m, x)
        y.sum().backward()
        out.append((y.detach(), x.grad))
    _close(out[0][0], out[1][0])
    _close(out[0][1], out[1][1])


def test_complex_random_draws_have_pytorchs_distributions():
    tw.manual_seed(0)
    n = 100_000
    z = tw.randn(n, dtype=tw.complex128).numpy()
    assert z.dtype == np.complex128
    for part in (z.real, z.imag):  # each part N(0, 1/2)
        assert abs(part.mean()) < 0.01 and abs(part.var() - 0.5) < 0.01
    u = tw.rand(n, dtype=tw.complex64).numpy()
    assert u.dtype == np.complex64 and u.real.min() >= 0 and u.imag.max() < 1
    assert abs(u.real.mean() - 0.5) < 0.01 and abs(u.imag.mean() - 0.5) < 0.01
    v = tw.empty(n, dtype=tw.complex128).uniform_(-2, 3).numpy()
    assert v.real.min() >= -2 and v.imag.min() >= -2 and v.real.max() < 3 and v.imag.max() < 3
    for w in (tw.empty(n, dtype=tw.complex128).normal_(1, 2).numpy(),
              tw.normal(1.0, 2.0, (n,), dtype=tw.complex128).numpy()):
        for part in (w.real, w.imag):  # PyTorch: mean on both parts, std / sqrt(2) each
            assert abs(part.mean() - 1) < 0.02 and abs(part.std() - 2 ** 0.5) < 0.02
    g = tw.Generator().manual_seed(3)
    first = tw.randn(4, dtype=tw.complex64, generator=g)
    g.manual_seed(3)
    np.testing.assert_array_equal(first.numpy(), tw.randn(4, dtype=tw.complex64,
                                                          generator=g).numpy())


@pytest.mark.parametrize("args,dtype", [((0, 1 + 1j, 5), None), ((1j, -2 + 3j, 4), "complex128"),
                                        ((0, 1, 3), "complex64"), ((2.5, -1j, 1), None)])
def test_linspace_with_complex_endpoints_or_dtype(args, dtype):
    kw = {} if dtype is None else {"dtype": getattr(tw, dtype)}
    kt = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    _close(tw.linspace(*args, **kw), torch.linspace(*args, **kt), tol=1e-6)
    with pytest.raises(RuntimeError, match="complex endpoints need a complex dtype"):
        tw.linspace(0, 1j, 3, dtype=tw.float32)


def test_an_in_place_op_cannot_make_a_real_tensor_complex():
    for m in (tw, torch):
        with pytest.raises(RuntimeError, match="result type ComplexFloat can't be cast to the "
                                               "desired output type Float"):
            m.ones(2).mul_(1j)
