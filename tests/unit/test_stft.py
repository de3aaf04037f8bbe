"""tw.stft / tw.istft against PyTorch 2.13: values for every padding mode, window length,
hop, normalization and sidedness, batched and not, real and complex; the inverse with and
without ``length``; PyTorch's errors and warnings; gradients of a spectral loss."""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 40))
XC = X + 1j * RNG.standard_normal((2, 40))
HANN8, HANN6 = np.hanning(9)[:8], np.hanning(7)[:6]

STFT_CASES = [
    {"n_fft": 8},
    {"n_fft": 8, "hop_length": 3, "win_length": 6, "window": HANN6},
    {"n_fft": 8, "center": False},
    {"n_fft": 8, "pad_mode": "constant", "normalized": True},
    {"n_fft": 8, "onesided": False, "window": HANN8},
    {"n_fft": 8, "pad_mode": "replicate"},
    {"n_fft": 7, "pad_mode": "circular", "hop_length": 2},
    {"n_fft": 8, "center": False, "win_length": 6, "window": HANN6, "align_to_window": True},
    {"n_fft": 40, "center": False},
]


def _args(m, kwargs):
    out = dict(kwargs)
    if "window" in out:
        out["window"] = m.tensor(out["window"])
    return out


def _close(got, want):
    want = want.resolve_conj().numpy()
    assert tuple(got.shape) == want.shape and got.dtype.name == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("signal", [X, X[0], XC], ids=["batch", "1-d", "complex"])
@pytest.mark.parametrize("kwargs", STFT_CASES, ids=lambda k: "-".join(map(str, k.values()))[:40])
def test_stft_equals_pytorchs(kwargs, signal):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the rectangular-window advice
        want = torch.stft(torch.tensor(signal), return_complex=True, **_args(torch, kwargs))
        got = tw.stft(tw.tensor(signal), return_complex=True, **_args(tw, kwargs))
    _close(got, want)
    assert got.dtype is tw.complex128


ISTFT_CASES = [
    {"n_fft": 8, "window": HANN8},
    {"n_fft": 8, "window": HANN8, "length": 40},
    {"n_fft": 8, "window": HANN8, "length": 45},
    {"n_fft": 8, "window": HANN8, "normalized": True},
    {"n_fft": 8, "window": HANN8, "onesided": False},
    {"n_fft": 8, "hop_length": 3, "win_length": 6, "window": HANN6},
    {"n_fft": 8, "window": HANN8, "onesided": False, "return_complex": True},
    {"n_fft": 8, "center": False, "hop_length": 2},
]


@pytest.mark.parametrize("kwargs", ISTFT_CASES, ids=lambda k: "-".join(
    str(v) for v in k.values() if not isinstance(v, np.ndarray)))
def test_istft_equals_pytorchs_and_inverts_stft(kwargs):
    forward = {k: v for k, v in kwargs.items() if k not in ("length", "return_complex")}
    if kwargs.get("return_complex"):
        forward["onesided"] = False
    results = []
    for m in (tw, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            spec = m.stft(m.tensor(X), return_complex=True, **_args(m, forward))
            results.append(m.istft(spec, **_args(m, kwargs)))
    got, want = results
    _close(got, want)
    n = min(40, got.shape[-1])
    np.testing.assert_allclose(got.numpy()[..., :n].real, X[..., :n], atol=1e-12)


def test_methods_and_the_deprecated_real_output():
    x = tw.tensor(X[0])
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        old = x.stft(8, window=tw.ones(8), return_complex=False)
    new = x.stft(8, window=tw.ones(8), return_complex=True)
    assert old.shape == (5, 21, 2)
    np.testing.assert_array_equal(old.numpy(), tw.view_as_real(new).numpy())
    np.testing.assert_allclose(new.istft(8, window=tw.ones(8)).numpy(), X[0], atol=1e-12)
    with pytest.warns(UserWarning, match="A window was not provided"):
        tw.stft(x, 8, return_complex=True)


@pytest.mark.parametrize("call,msg", [
    (lambda m, x: m.stft(x, 8), "requires the return_complex parameter"),
    (lambda m, x: m.stft(x, 0, return_complex=True), "expected 0 < n_fft < 40, but got n_fft=0"),
    (lambda m, x: m.stft(x, 100, center=False, return_complex=True), "but got n_fft=100"),
    (lambda m, x: m.stft(x, 8, hop_length=0, return_complex=True), "expected hop_length > 0"),
    (lambda m, x: m.stft(x, 8, win_length=9, return_complex=True),
     "expected 0 < win_length <= n_fft"),
    (lambda m, x: m.stft(x, 8, window=m.ones(5), return_complex=True),
     "1D window tensor of size equal to win_length=8"),
    (lambda m, x: m.stft(x.reshape(1, 1, 40), 8, return_complex=True), "expected a 1D or 2D"),
    (lambda m, x: m.stft(x, 8, return_complex=True, align_to_window=True),
     "align_to_window should only be set when center = false"),
    (lambda m, x: m.stft(x * 1j, 8, onesided=True, return_complex=True),
     "Cannot have onesided output"),
    (lambda m, x: m.istft(x, 8), "requires a complex-valued input"),
    (lambda m, x: m.istft(m.ones(5, 3, dtype=m.complex128), 16),
     r"to match n_fft / 2 \+ 1 when onesided=True, but got 5"),
    (lambda m, x: m.istft(m.ones(5, 3, dtype=m.complex128), 8, hop_length=2,
                          window=m.hann_window(8, periodic=True, dtype=m.float64) * 0,
                          center=False),
     "window overlap add min"),
])
def test_errors_are_pytorchs(call, msg):
    for m in (torch, tw):
        x = m.tensor(X[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            with pytest.raises(RuntimeError, match=msg):
                call(m, x)


def test_gradients_of_a_spectral_loss_equal_pytorchs():
    grads = []
    for m in (tw, torch):
        x = m.tensor(X, requires_grad=True)
        w = m.tensor(HANN8)
        spec = m.stft(x, 8, hop_length=2, window=w, return_complex=True)
        back = m.istft(spec * 0.5, 8, hop_length=2, window=w, length=40)
        loss = spec.abs().log1p().sum() + (back ** 2).sum()
        loss.backward()
        grads.append((loss.item(), x.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-9, atol=1e-12)


def test_docstring_examples():
    from tensorweave import spectral

    result = doctest.testmod(spectral, extraglobs={"tw": tw})
    assert result.attempted > 0 and result.failed == 0
