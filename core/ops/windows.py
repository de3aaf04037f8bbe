"""Signal windows, as `torch.hann_window` and its siblings: factories over `arange` and the
elementwise ops, computed in float64 and returned in the requested float dtype.

``periodic=True`` (the default, as PyTorch's) gives the first ``N`` points of the symmetric
window of length ``N + 1``, the form spectral analysis (`stft`) wants.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .. import dtypes as D
from ..layouts import factory
from ..tensor import Tensor
from .creation import arange, ones
from .elementwise import cos, sqrt
from .special import i0

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def _window(op: str, window_length: int, periodic: bool, dtype: Any, device: Any,
            requires_grad: bool, shape: Callable[[Tensor, int], Tensor]) -> Tensor:
    """``shape(n, N)`` at the points ``n = 0 .. N - 1`` of a symmetric window of length
    ``N`` (``window_length + 1`` when periodic), cut to ``window_length``; a length-1 window
    is ``[1.0]``."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{op}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{op} expects floating point dtypes, got: {dt.name}")
    if window_length <= 1:
        out = ones(window_length, dtype=dt, device=device)
    else:
        length = window_length + 1 if periodic else window_length
        n = arange(window_length, dtype=D.float64, device=device)
        out = shape(n, length).to(dt)
    return out.requires_grad_() if requires_grad else out


def _cosine_sum(*coefficients: float) -> Callable[[Tensor, int], Tensor]:
    """``sum_k (-1)^k a_k cos(2 pi k n / (N - 1))``, the generalized cosine window."""
    def shape(n: Tensor, length: int) -> Tensor:
        phase = n * (2.0 * math.pi / (length - 1))
        out = n * 0.0 + coefficients[0]
        for k, a in enumerate(coefficients[1:], 1):
            out = out + (-1) ** k * a * cos(phase * k)
        return out
    return shape


@factory
def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                device: Any = None, requires_grad: bool = False) -> Tensor:
    """``0.5 - 0.5 cos(2 pi n / (N - 1))``.

    Example:
        >>> import tensorweave as tw
        >>> tw.hann_window(4, dtype=tw.float64).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(0.5, 0.5))


@factory
def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(alpha, beta))


@factory
def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(0.42, 0.5, 0.08))


@factory
def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """The triangle ``1 - |2 n / (N - 1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, length: 1.0 - (n * (2.0 / (length - 1)) - 1.0).abs())


@factory
def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta)`` (`special.i0`)."""
    def shape(n: Tensor, length: int) -> Tensor:
        r = n * (2.0 / (length - 1)) - 1.0
        return i0(sqrt((1.0 - r * r).clamp_min(0.0)) * beta) / i0(n.new_full((), float(beta)))
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, shape)
