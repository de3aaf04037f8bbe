"""`tensorweave.fft` against `torch.fft` (values, dtypes, errors) and NumPy's float64 /
complex128 `np.fft`, over norms, n/s padding and trimming, dims, odd and even sizes; the
primitives' derivatives against PyTorch's autograd."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.fft as F
from tensorweave.ops import fft as P

torch = pytest.importorskip("torch")

NORMS = [None, "backward", "ortho", "forward"]
DTYPES = [np.float32, np.float64]
REAL_INPUT = {"rfft", "ihfft", "rfftn", "rfft2", "ihfftn", "ihfft2"}
NUMPY = {"fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "ifftn", "fft2", "ifft2",
         "rfftn", "irfftn", "rfft2", "irfft2"}


def _input(rng, shape, dtype, complex_):
    x = rng.uniform(-2, 2, shape).astype(dtype)
    if complex_:
        x = (x + 1j * rng.uniform(-2, 2, shape)).astype(np.result_type(dtype, np.complex64))
    return x


def _close(got, want, single):
    """FFT rounding scales with the largest coefficient: tolerances relative to it."""
    want = np.asarray(want)
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    tol = 2e-5 if single else 1e-11
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


def _check(name, x, **kw):
    """tw.fft.<name>(x, **kw) equals torch (values and dtype) and, in double precision, NumPy's
    complex128/float64 result."""
    got = getattr(F, name)(tw.tensor(x), **kw)
    want = getattr(torch.fft, name)(torch.from_numpy(x), **kw).resolve_conj()
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), (name, kw)
    assert tuple(got.shape) == tuple(want.shape), (name, kw)
    single = x.dtype in (np.float32, np.complex64)
    _close(got.numpy(), want.numpy(), single)
    if name in NUMPY and not single and -1 not in kw.get("s", ()):
        np_kw = {"norm": kw.get("norm")}
        if "n" in kw:
            np_kw["n"] = kw["n"]
        if "s" in kw:
            np_kw["s"] = kw["s"]
            np_kw["axes"] = kw.get("dim", tuple(range(x.ndim - len(kw["s"]), x.ndim)))
        if "dim" in kw:
            if name in {"fft", "ifft", "rfft", "irfft", "hfft", "ihfft"}:
                np_kw["axis"] = kw["dim"]
            else:
                np_kw["axes"] = np.atleast_1d(kw["dim"]).tolist()
        _close(got.numpy(), getattr(np.fft, name)(x, **np_kw), single)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"])
def test_one_dim_transforms_match_torch_and_numpy(name, norm, dtype):
    """Each 1-D transform, on odd and even sizes, with n padding and trimming, on either dim."""
    rng = np.random.default_rng(0)
    inputs = [False] if name in REAL_INPUT else [True] if name in {"irfft", "hfft"} \
        else [False, True]
    for complex_ in inputs:
        for shape in [(3, 6), (5, 7)]:
            x = _input(rng, shape, dtype, complex_)
            for n, dim in [(None, -1), (4, -1), (9, -1), (None, 0), (8, 0), (1, 0)]:
                if n == 1 and name in {"irfft", "hfft"}:
                    continue
                kw = {"norm": norm, "dim": dim} | ({} if n is None else {"n": n})
                _check(name, x, **kw)


ND_CASES = [{}, {"s": (3, 5)}, {"dim": (0, 2)}, {"s": (4, -1), "dim": (2, 0)},
            {"s": (7,), "dim": (1,)}, {"dim": -2}, {"s": (2, 5, 9)}]
TWO_D_CASES = [{}, {"s": (3, 5)}, {"dim": (0, 2)}, {"s": (5, 8), "dim": (2, 1)}]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn",
                                  "fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2"])
def test_n_dim_transforms_match_torch_and_numpy(name, norm, dtype):
    """Each N-D transform over all dims, chosen dims (in any order) and s padding/trimming."""
    rng = np.random.default_rng(1)
    complex_ = name not in REAL_INPUT and name not in {"fftn", "fft2"}
    for kw in (TWO_D_CASES if name.endswith("2") else ND_CASES):
        x = _input(rng, (3, 4, 6), dtype, complex_)
        _check(name, x, norm=norm, **kw)
    if name in {"fftn", "ifftn", "fft2", "ifft2"}:  # real input promotes to complex
        _check(name, _input(rng, (4, 5), dtype, not complex_), norm=norm)


@pytest.mark.parametrize("name", ["fft", "rfft", "fftn", "irfft", "ihfftn"])
def test_noncontiguous_inputs_match_torch(name):
    """Transposed and strided views transform like their contiguous copies."""
    x = _input(np.random.default_rng(2), (6, 8), np.float64, name in {"fft", "irfft"})
    for view in (lambda a: a.T, lambda a: a[:, ::2]):
        got = getattr(F, name)(view(tw.tensor(x)))
        want = getattr(torch.fft, name)(view(torch.from_numpy(x))).resolve_conj()
        _close(got.numpy(), want.numpy(), single=False)


def test_output_dtypes_follow_pytorch():
    """float64 gives complex128, float32 complex64; integers and bools promote to the default
    float dtype; the inverse real transforms return the real part's dtype."""
    cases = [(tw.float64, tw.complex128), (tw.float32, tw.complex64), (tw.int64, tw.complex64),
             (tw.bool, tw.complex64)]
    for dt, want in cases:
        x = tw.ones(4, dtype=dt)
        assert F.fft(x).dtype is want and F.rfft(x).dtype is want and F.fftn(x).dtype is want
        assert F.ihfft(x).dtype is want
    assert F.irfft(tw.ones(4, dtype=tw.complex128)).dtype is tw.float64
    assert F.hfft(tw.ones(4, dtype=tw.complex64)).dtype is tw.float32
    assert F.irfft(tw.ones(4, dtype=tw.int32)).dtype is tw.float32
    assert F.irfftn(tw.ones(3, 4, dtype=tw.float64)).dtype is tw.float64
    prev = tw.get_default_dtype()
    tw.set_default_dtype(tw.float64)
    try:
        assert F.fft(tw.arange(4)).dtype is tw.complex128
    finally:
        tw.set_default_dtype(prev)
    np.testing.assert_allclose(F.fft(tw.arange(4)).numpy(),
                               torch.fft.fft(torch.arange(4)).numpy())


def test_numpy_integers_are_accepted_as_sizes_and_dims():
    """n, s and dim take NumPy integers (anything with __index__), as PyTorch's do."""
    x = tw.tensor([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(F.fft(x, n=np.int64(5), dim=np.int64(1)).numpy(),
                               np.fft.fft([[1.0, 2.0, 3.0]], 5), atol=1e-6)
    np.testing.assert_allclose(F.rfftn(x, s=(np.int32(4),), dim=[np.int64(-1)]).numpy(),
                               np.fft.rfftn([[1.0, 2.0, 3.0]], (4,), axes=(-1,)), atol=1e-6)


def test_empty_dims_and_zero_dims():
    """fftn over no dims is a complex copy (also of a 0-d tensor); a size-0 dim that is not
    transformed gives an empty result."""
    x = tw.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = F.fftn(x, dim=())
    assert y.dtype is tw.complex64 and y.numpy().tolist() == x.numpy().tolist()
    assert F.fftn(tw.tensor(2.5)).numpy() == 2.5 + 0j
    z = F.fft(tw.tensor(x.numpy()[:0]))
    assert tuple(z.shape) == (0, 2) and z.dtype is tw.complex64
    src = tw.tensor([1 + 1j, 2 - 1j])
    out = P.fft_c2c(src, (), "backward", True)
    out[0] = 0
    assert src.numpy()[0] == 1 + 1j  # a copy, not the input's storage


def test_round_trips_recover_the_signal():
    """ifft(fft(x)), irfft(rfft(x), n), hfft(ihfft(x), n), irfftn(rfftn(x), s) give x back
    under every norm."""
    x = tw.tensor(np.random.default_rng(3).uniform(-1, 1, (3, 5)))
    for norm in NORMS:
        for back in (F.ifft(F.fft(x, norm=norm), norm=norm).real,
                     F.irfft(F.rfft(x, norm=norm), n=5, norm=norm),
                     F.hfft(F.ihfft(x, norm=norm), n=5, norm=norm),
                     F.irfftn(F.rfftn(x, norm=norm), s=(3, 5), norm=norm),
                     F.hfftn(F.ihfftn(x, norm=norm), s=(3, 5), norm=norm)):
            np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)


def _raises(exc, match, fn):
    with pytest.raises(exc, match=match or None):
        fn()


def test_errors_follow_pytorch():
    """PyTorch's error types and messages for bad arguments."""
    x = tw.ones(4, 5)
    c = tw.ones(4, 5, dtype=tw.complex64)
    cases = [
        (RuntimeError, 'Invalid normalization mode: "bad"', lambda: F.fft(x, norm="bad")),
        (RuntimeError, 'Invalid normalization mode: "ORTHO"', lambda: F.rfftn(x, norm="ORTHO")),
        (RuntimeError, r"Invalid number of data points \(0\)", lambda: F.fft(x, n=0)),
        (RuntimeError, r"Invalid number of data points \(-1\)", lambda: F.rfft(x, n=-1)),
        (RuntimeError, r"Invalid number of data points \(0\)", lambda: F.fftn(x, s=(3, 0))),
        (RuntimeError, r"Invalid number of data points \(0\)",
         lambda: F.irfft(tw.ones(1, dtype=tw.complex64))),
        (RuntimeError, r"Invalid number of data points \(0\)",
         lambda: F.hfftn(tw.ones(4, 1, dtype=tw.complex64))),
        (IndexError, "Dimension out of range", lambda: F.fft(x, dim=2)),
        (IndexError, "Dimension out of range", lambda: F.fft2(tw.ones(4))),
        (IndexError, "Dimension specified as -1 but tensor has no dimensions",
         lambda: F.fft(tw.tensor(1.0))),
        (RuntimeError, "FFT dims must be unique", lambda: F.fftn(x, dim=(0, 0))),
        (RuntimeError, "FFT dims must be unique", lambda: F.ifftn(x, dim=(1, -1))),
        (RuntimeError, "dim and shape arguments must have the same length",
         lambda: F.fftn(x, s=(3,), dim=(0, 1))),
        (RuntimeError, "Got shape with 3 values but input tensor only has 2 dimensions",
         lambda: F.fftn(x, s=(3, 4, 5))),
        (RuntimeError, "rfft expects a real input tensor, but got complex64",
         lambda: F.rfft(c)),
        (RuntimeError, "ihfft expects a real input tensor", lambda: F.ihfft(c)),
        (RuntimeError, "rfftn expects a real input tensor", lambda: F.rfftn(c)),
        (RuntimeError, "rfftn must transform at least one axis", lambda: F.rfftn(x, dim=())),
        (RuntimeError, "irfftn must transform at least one axis", lambda: F.irfftn(c, dim=())),
        (RuntimeError, "hfftn must transform at least one axis", lambda: F.hfftn(c, dim=())),
        (RuntimeError, "Unsupported dtype float16", lambda: F.fft(x.half())),
        (RuntimeError, "Unsupported dtype float16", lambda: F.irfft(x.half())),
        (TypeError, "argument 'n' must be int, not float", lambda: F.fft(x, n=3.0)),
        (TypeError, "argument 'dim' must be int, not tuple", lambda: F.fft(x, dim=(0,))),
        (TypeError, "argument 'input' \\(position 1\\) must be Tensor, not list",
         lambda: F.fft([1.0, 2.0])),
        (TypeError, "argument 's' must be int, not NoneType", lambda: F.fftn(x, s=[2, None])),
        (RuntimeError, "fftfreq requires a floating point or complex dtype",
         lambda: F.fftfreq(5, dtype=tw.int64)),
        (RuntimeError, "negative dimension -1", lambda: F.fftfreq(-1)),
        (RuntimeError, "out must have the result's dtype complex64 and shape",
         lambda: F.fft(x, out=tw.empty(2, dtype=tw.complex64))),
    ]
    for exc, match, fn in cases:
        _raises(exc, match, fn)
    # The same bad arguments fail in PyTorch with the same types.
    t = torch.ones(4, 5)
    for exc, fn in [(RuntimeError, lambda: torch.fft.fft(t, norm="bad")),
                    (RuntimeError, lambda: torch.fft.fft(t, n=0)),
                    (IndexError, lambda: torch.fft.fft(t, dim=2)),
                    (RuntimeError, lambda: torch.fft.fftn(t, dim=(0, 0))),
                    (RuntimeError, lambda: torch.fft.rfft(t + 0j)),
                    (RuntimeError, lambda: torch.fft.fft(t.half()))]:
        _raises(exc, "", fn)


@pytest.mark.parametrize("dtype", [None, tw.float64, tw.float32])
def test_fftfreq_and_rfftfreq_match_torch(dtype):
    """Sample frequencies for odd, even, 1 and 0 points and several spacings."""
    tdt = None if dtype is None else getattr(torch, dtype.name)
    for n in (0, 1, 4, 5, 8):
        for d in (1.0, 0.5, 3):
            for name in ("fftfreq", "rfftfreq"):
                with np.errstate(invalid="ignore"):  # rfftfreq(0) is [0 * inf], as in PyTorch
                    got = getattr(F, name)(n, d, dtype=dtype)
                want = getattr(torch.fft, name)(n, d, dtype=tdt)
                assert got.dtype.name == str(want.dtype).removeprefix("torch.")
                np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(F.fftfreq(5, 0.25, dtype=tw.float64).numpy(),
                                  np.fft.fftfreq(5, 0.25))
    np.testing.assert_array_equal(F.rfftfreq(6, 0.25, dtype=tw.float64).numpy(),
                                  np.fft.rfftfreq(6, 0.25))
    assert F.fftfreq(4, requires_grad=True).requires_grad
    with np.errstate(invalid="ignore"):  # 0 * inf, as in PyTorch
        np.testing.assert_array_equal(F.fftfreq(4, d=0.0).numpy(),
                                      torch.fft.fftfreq(4, d=0.0).numpy())
    out = tw.empty(3)
    assert F.rfftfreq(4, out=out) is out and out.numpy().tolist() == [0.0, 0.25, 0.5]


def test_fftshift_and_ifftshift_match_torch():
    """Shifts over all dims, one dim and several, for odd and even sizes; they invert each
    other."""
    x = np.arange(20.0).reshape(4, 5)
    for dim in (None, 0, -1, (0, 1), (1,)):
        for name in ("fftshift", "ifftshift"):
            got = getattr(F, name)(tw.tensor(x), dim=dim)
            want = getattr(torch.fft, name)(torch.from_numpy(x), dim=dim)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
        back = F.ifftshift(F.fftshift(tw.tensor(x), dim=dim), dim=dim)
        np.testing.assert_array_equal(back.numpy(), x)
    c = tw.tensor(np.arange(5) + 1j)
    np.testing.assert_array_equal(F.fftshift(c).numpy(), np.fft.fftshift(np.arange(5) + 1j))


def test_out_argument_is_written():
    """out= receives the result (and is returned)."""
    x = tw.tensor([1.0, 2.0, 3.0, 4.0])
    out = tw.empty(3, dtype=tw.complex64)
    assert F.rfft(x, out=out) is out
    np.testing.assert_allclose(out.numpy(), np.fft.rfft([1.0, 2.0, 3.0, 4.0]))
    out2 = tw.empty(2, 2, dtype=tw.float32)
    F.irfft2(tw.ones(2, 2, dtype=tw.complex64), out=out2)
    np.testing.assert_allclose(out2.numpy(), [[1.0, 0.0], [0.0, 0.0]])


VJP_CASES = [((6,), (0,), "backward"), ((3, 5), (1, 0), "ortho"), ((4, 6), (0, 1), "forward"),
             ((2, 3, 4), (2,), "ortho")]


@pytest.mark.parametrize("shape,dim,norm", VJP_CASES)
def test_primitive_vjps_match_torch_autograd(shape, dim, norm):
    """Each primitive's derivative rule equals PyTorch's gradient of the same transform
    (called directly: tensorweave's autograd refuses complex tensors for now)."""
    rng = np.random.default_rng(4)
    xc = _input(rng, shape, np.float64, True)
    for forward in (True, False):
        g = _input(rng, shape, np.float64, True)
        xt = torch.from_numpy(xc).requires_grad_()
        y = (torch.fft.fftn if forward else torch.fft.ifftn)(xt, dim=dim, norm=norm)
        (want,) = torch.autograd.grad(y, xt, torch.from_numpy(g))
        (got,) = P.fft_c2c.vjp(tw.tensor(g), None, tw.tensor(xc), dim=dim, norm=norm,
                               forward=forward)
        _close(got.numpy(), want.numpy(), single=False)
    xr = _input(rng, shape, np.float64, False)
    for onesided in (True, False):
        xt = torch.from_numpy(xr).requires_grad_()
        y = (torch.fft.rfftn(xt, dim=dim, norm=norm) if onesided
             else torch.fft.fftn(xt, dim=dim, norm=norm))
        g = _input(rng, tuple(y.shape), np.float64, True)
        (want,) = torch.autograd.grad(y, xt, torch.from_numpy(g))
        (got,) = P.fft_r2c.vjp(tw.tensor(g), None, tw.tensor(xr), dim=dim, norm=norm,
                               onesided=onesided)
        _close(got.numpy(), want.numpy(), single=False)
    for last in (shape[dim[-1]], shape[dim[-1]] + 1):
        half = list(shape)
        half[dim[-1]] = last // 2 + 1
        z = _input(rng, tuple(half), np.float64, True)
        zt = torch.from_numpy(z).requires_grad_()
        s = [z.shape[d] for d in dim[:-1]] + [last]
        y = torch.fft.irfftn(zt, s=s, dim=dim, norm=norm)
        g = _input(rng, tuple(y.shape), np.float64, False)
        (want,) = torch.autograd.grad(y, zt, torch.from_numpy(g))
        (got,) = P.fft_c2r.vjp(tw.tensor(g), None, tw.tensor(z), dim=dim, norm=norm,
                               last_dim_size=last)
        _close(got.numpy(), want.numpy(), single=False)


def test_primitives_pass_their_conformance_entries():
    """The three primitives' samples match their NumPy references on cpu (complex64 and
    complex128), real and imaginary parts alike."""
    from tensorweave.conformance import runner

    for op in (P.fft_c2c, P.fft_r2c, P.fft_c2r):
        for dt in op.dtypes:
            for s in runner.samples(op, dt):
                got = op(*runner.place(s, "cpu"), **s.kwargs)
                assert got.dtype is (dt.to_real() if op is P.fft_c2r else dt), s
                want = op.ref(*runner._ref_args(s), **s.kwargs)
                _close(got.numpy(), want, dt is tw.complex64)


def test_primitive_arguments_are_checked():
    """The primitives refuse the wrong dtype, repeated dims and a mismatched Hermitian size."""
    c = tw.ones(3, 4, dtype=tw.complex64)
    _raises(RuntimeError, "expects a complex input", lambda: P.fft_c2c(tw.ones(3), (0,),
                                                                       "backward", True))
    _raises(RuntimeError, "float32 or float64", lambda: P.fft_r2c(c, (0,), "backward", True))
    _raises(RuntimeError, "FFT dims must be unique", lambda: P.fft_c2c(c, (0, -2), "ortho",
                                                                       True))
    _raises(RuntimeError, "must hold last_dim_size // 2 \\+ 1 = 3",
            lambda: P.fft_c2r(c, (1,), "backward", 5))
    _raises(RuntimeError, 'Invalid normalization mode: "none"',
            lambda: P.fft_c2r(c, (1,), "none", 6))


def test_docstring_examples():
    """The module's examples run and print what they show."""
    result = doctest.testmod(F, extraglobs={"tw": tw})
    assert result.attempted > 0 and result.failed == 0
