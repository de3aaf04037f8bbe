"""FFT kernels: NumPy's pocketfft (``np.fft``), which keeps single precision (complex64 in,
complex64 out) since NumPy 2.0. The results are cast to the dtype the op's meta rule
declares, so a NumPy that widens would still give the tensor's dtype.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _complex_of(x: np.ndarray) -> np.dtype[Any]:
    return np.dtype(np.complex128 if x.dtype == np.float64 else np.complex64)


def fft_c2c(x: np.ndarray, *, dim: tuple[int, ...], norm: str, forward: bool) -> np.ndarray:
    if not dim:
        return x.copy()  # np.fft.fftn over no axes hands back its input, not a new array
    fn = np.fft.fftn if forward else np.fft.ifftn
    return fn(x, axes=dim, norm=norm).astype(x.dtype, copy=False)


def fft_r2c(x: np.ndarray, *, dim: tuple[int, ...], norm: str, onesided: bool) -> np.ndarray:
    if not dim:
        return x.astype(_complex_of(x))
    fn = np.fft.rfftn if onesided else np.fft.fftn
    return fn(x, axes=dim, norm=norm).astype(_complex_of(x), copy=False)


def fft_c2r(x: np.ndarray, *, dim: tuple[int, ...], norm: str, last_dim_size: int) -> np.ndarray:
    # irfftn resizes every axis to `s`: the leading ones keep their sizes.
    s = [x.shape[d] for d in dim[:-1]] + [last_dim_size]
    out = np.fft.irfftn(x, s=s, axes=dim, norm=norm)
    return out.astype(x.real.dtype, copy=False)


KERNELS: dict[str, Callable[..., Any]] = {"fft_c2c": fft_c2c, "fft_r2c": fft_r2c,
                                          "fft_c2r": fft_c2r}
