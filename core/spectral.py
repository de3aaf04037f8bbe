"""Short-time Fourier transforms, as ``torch.stft`` and ``torch.istft``.

Both are tensor ops over `tensorweave.fft` (ATen's ``SpectralOps.cpp`` algorithm), so they
run, and differentiate, wherever complex tensors do:

* ``stft`` pads the signal by ``n_fft // 2`` at both ends when ``center`` (``pad_mode``,
  as `nn.functional.pad`), cuts it into frames of ``n_fft`` every ``hop_length`` (default
  ``n_fft // 4``), multiplies each by the window (``win_length`` values, default ``n_fft``,
  zero-padded to ``n_fft`` around its centre; all ones when None) and transforms them:
  ``rfft`` when the signal and the window are real and ``onesided`` (the default then),
  ``fft`` otherwise; ``normalized`` scales by ``n_fft ** -0.5``. The result is ``(B?, N,
  T)``: frequencies, then frames.
* ``istft`` inverts each frame, multiplies it by the window again, overlap-adds the frames
  and divides by the overlap-added squared window (the least-squares inverse); the squared
  window must not vanish anywhere in the kept span (the NOLA condition), else it raises.
"""

from __future__ import annotations

import warnings

from . import fft
from .nn.functional import pad
from .ops.complex_numbers import view_as_real
from .ops.creation import arange, ones, zeros
from .tensor import Tensor

__all__ = ["stft", "istft"]


def _describe(op: str, x: Tensor, n_fft: int) -> str:
    """The start of PyTorch's error messages: the call, with the (padded) input's shape."""
    return f"{op}(Tensor{list(x.shape)}, n_fft={n_fft})"


def _window(where: str, window: Tensor | None, win_length: int, n_fft: int,
            like: Tensor) -> Tensor:
    """The window at ``n_fft`` values: ``win_length`` of them (ones when None) centred in
    zeros, as ATen pads it."""
    if window is None:
        window = ones(win_length, dtype=like.dtype.to_real(), device=like.device)
    elif window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"{where} : expected a 1D window tensor of size equal to "
                           f"win_length={win_length}, but got window with size "
                           f"{list(window.shape)}")
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return pad(window, (left, n_fft - win_length - left))


def _lengths(where: str, n_fft: int, hop_length: int | None,
             win_length: int | None) -> tuple[int, int]:
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if hop <= 0:
        raise RuntimeError(f"{where} : expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{where} : expected 0 < win_length <= n_fft, but got "
                           f"win_length={win}")
    return hop, win


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,  # noqa: A002
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """The short-time Fourier transform of ``input`` (``(L,)`` or ``(B, L)``), as
    `torch.stft` (see the module docstring): ``(B?, N, T)`` complex, ``N = n_fft // 2 + 1``
    when one-sided, else ``n_fft``.

    ``return_complex`` must be given for a real input (False, deprecated, returns
    ``view_as_real`` of the result). ``align_to_window`` (only with ``center=False``) starts
    each frame's window, rather than its ``n_fft`` span, at ``t * hop_length``.

    Raises:
        RuntimeError: PyTorch's errors: a missing ``return_complex``, an input that is not
            1-D or 2-D, ``n_fft`` outside ``(0, L]``, a bad hop or window length, a window of
            the wrong size, a one-sided transform of complex values.

    Example:
        >>> import tensorweave as tw
        >>> spec = tw.stft(tw.ones(8), 4, hop_length=2, window=tw.ones(4), return_complex=True)
        >>> spec.shape
        tensorweave.Size([3, 5])
        >>> tw.istft(spec, 4, hop_length=2, window=tw.ones(4))
        tensor([1., 1., 1., 1., 1., 1., 1., 1.])
    """
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    cplx = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None:
        if not cplx:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True "
                               "in a future PyTorch release.")
        return_complex = True
    elif not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.\nNote: you can still call "
                      "torch.view_as_real on the complex output to recover the old return "
                      "format.", UserWarning, stacklevel=2)
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which "
                      "is known to cause spectral leakage. Other windows such as "
                      "torch.hann_window or torch.hamming_window are recommended to reduce "
                      "spectral leakage.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    if input.ndim not in (1, 2):
        raise RuntimeError(f"{_describe('stft', input, n_fft)} : expected a 1D "
                           "or 2D tensor")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    if center:
        half = n_fft // 2
        x = pad(x.unsqueeze(1), (half, half), mode=pad_mode).squeeze(1)
    length = x.shape[-1]
    where = _describe("stft", x if input.ndim == 2 else x[0], n_fft)
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(f"{where} : expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    hop, win = _lengths(where, n_fft, hop_length, win_length)
    w = _window(where, window, win, n_fft, x)
    if align_to_window:
        left = (n_fft - win) // 2
        x = pad(x, (left, n_fft - win - left))
    if onesided is None:
        onesided = not cplx
    if cplx and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    frames = x.unfold(-1, n_fft, hop) * w  # (B, T, n_fft)
    norm = "ortho" if normalized else "backward"
    out = (fft.fft(frames, norm=norm) if cplx or not onesided
           else fft.rfft(frames, norm=norm))
    out = out.transpose(1, 2)
    if input.ndim == 1:
        out = out.squeeze(0)
    return out if return_complex else view_as_real(out)


def _overlap_add(frames: Tensor, hop: int, length: int) -> Tensor:
    """``y[..., t * hop + k] = sum of frames[..., t, k]``: the frames laid back on a signal
    of ``length`` values, overlaps summed."""
    *batch, n_frames, n = frames.shape
    at = (arange(n_frames, device=frames.device).unsqueeze(1) * hop
          + arange(n, device=frames.device)).reshape(-1)
    out = zeros(*batch, length, dtype=frames.dtype, device=frames.device)
    return out.index_add(-1, at, frames.reshape(*batch, n_frames * n))


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,  # noqa: A002
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """The inverse of `stft`, as `torch.istft`: ``input`` is its complex ``(B?, N, T)``
    result; the signal comes back with ``length`` values when given (zero-padded at the
    end if the frames do not reach that far), else as far as the frames reach (less the
    centre padding).

    Raises:
        RuntimeError: PyTorch's errors: a real or empty input, one that is not 2-D or 3-D,
            a frequency count that does not match ``n_fft`` and ``onesided``, a bad hop or
            window length, a window of the wrong size, a complex window with a real output,
            and a window whose overlap-added square vanishes (NOLA).
    """
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    if input.numel() == 0:
        raise RuntimeError("istft input tensor cannot be empty")
    where = _describe("istft", input, n_fft)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{where} : expected a tensor with 2 or 3 dimensions of complex "
                           f"dtype, but got {input.ndim}")
    hop, win = _lengths(where, n_fft, hop_length, win_length)
    if hop > win:
        raise RuntimeError(f"{where} : expected 0 < hop_length <= win_length")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    n_freq, n_frames = x.shape[-2], x.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    if onesided and n_freq != n_fft // 2 + 1:
        raise RuntimeError(f"{where} : expected the frequency dimension (3rd to the last) of "
                           "the input tensor to match n_fft / 2 + 1 when onesided=True, but "
                           f"got {n_freq}")
    if not onesided and n_freq != n_fft:
        raise RuntimeError(f"{where} : expected the frequency dimension (3rd to the last) of "
                           "the input tensor to match n_fft when onesided=False, but got "
                           f"{n_freq}")
    w = _window(where, window, win, n_fft, x)
    frames = x.transpose(1, 2)  # (B, T, N)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = fft.ifft(frames, norm=norm)
    else:
        if w.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        frames = fft.irfft(frames[..., :n_fft // 2 + 1], n=n_fft, norm=norm)
    expected = n_fft + hop * (n_frames - 1)
    y = _overlap_add(frames * w, hop, expected)
    envelope = _overlap_add((w * w).expand(n_frames, n_fft), hop, expected)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else expected - start if center else expected
    y, envelope = y[..., start:min(end, expected)], envelope[start:min(end, expected)]
    if bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError(f"{where} : window overlap add min: 1e-11 (the squared window, "
                           "overlap-added every hop_length, vanishes somewhere: pick a window "
                           "and hop_length that satisfy NOLA)")
    y = y / envelope
    if input.ndim == 2:
        y = y.squeeze(0)
    if end > expected:
        warnings.warn("The length of signal is shorter than the length parameter. Result is "
                      "being padded with zeros in the tail. Please check your center and "
                      "hop_length settings.", UserWarning, stacklevel=2)
        y = pad(y, (0, end - expected))
    return y


Tensor.stft = stft  # type: ignore[attr-defined]
Tensor.istft = istft  # type: ignore[attr-defined]
