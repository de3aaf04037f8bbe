"""``tensorweave.signal.windows``: PyTorch's ``torch.signal.windows``, SciPy-style windows.

These differ from the ``tw.hann_window`` family (`tensorweave.ops.windows`) in their
spelling, not their values: the length is ``M``, the keyword-only ``sym=False`` asks for the
periodic window (``periodic=True`` there), the checks raise ``ValueError`` and accept only
float32 and float64, and ``layout`` defaults to `strided` and must be it. The values are
built by that module's `_window` (float64 points, cast to the requested dtype) so both
families agree to the last bit.

As in PyTorch, `hann`, `hamming` and `nuttall` are `general_cosine` windows and report its
name in their errors, and a periodic `exponential` with an explicit ``center`` is not
``[1.]`` at ``M == 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import dtypes as D
from ..layouts import strided
from ..ops.creation import full
from ..ops.elementwise import exp, sin
from ..ops.windows import _cosine_sum, _window, bartlett_window, kaiser_window
from ..tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(name: str, M: int, dtype: Any, layout: Any) -> D.dtype:
    """The checks every window makes first, in PyTorch's order; the dtype to build in
    (the default float dtype when ``dtype`` is None)."""
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dt not in (D.float32, D.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype: Any = None, layout: Any = strided, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """The Poisson window ``exp(-|n - center| / tau)``; ``center`` defaults to the middle,
    and may be set only for a periodic (``sym=False``) window.

    Example:
        >>> import tensorweave as tw
        >>> from tensorweave.signal import windows
        >>> [round(v, 4) for v in windows.exponential(3, dtype=tw.float64).tolist()]
        [0.3679, 1.0, 0.3679]
    """
    dt = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 1 and center is not None:  # `_window` makes every length-1 window [1.]
        out = full((1,), math.exp(-abs(center) / tau), dtype=dt, device=device)
        return out.requires_grad_() if requires_grad else out

    def shape(n: Tensor, length: int) -> Tensor:
        c = (length - 1) / 2.0 if center is None else center
        return exp((n - c).abs() * (-1.0 / tau))
    return _window("exponential", M, not sym, dt, device, requires_grad, shape)


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sine window ``sin(pi (n + 0.5) / N)``, SciPy's form: the half-sample shift keeps
    both ends off zero."""
    dt = _checks("cosine", M, dtype, layout)
    return _window("cosine", M, not sym, dt, device, requires_grad,
                   lambda n, length: sin((n + 0.5) * (math.pi / length)))


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None,
             layout: Any = strided, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``exp(-(n - (N - 1) / 2)^2 / (2 std^2))``, centred on the window."""
    dt = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")

    def shape(n: Tensor, length: int) -> Tensor:
        k = (n - (length - 1) / 2.0) * (1.0 / (std * math.sqrt(2.0)))
        return exp(-(k * k))
    return _window("gaussian", M, not sym, dt, device, requires_grad, shape)


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None,
           layout: Any = strided, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta)``
    (`tw.kaiser_window`); ``beta`` must be non-negative."""
    dt = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return kaiser_window(M, not sym, beta, dtype=dt, device=device, requires_grad=requires_grad)


def general_cosine(M: int, *, a: Iterable[float], sym: bool = True, dtype: Any = None,
                   layout: Any = strided, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
    """``sum_i (-1)^i a_i cos(2 pi i n / (N - 1))``. As PyTorch, the coefficients are
    checked only when they are used (``M > 1``)."""
    dt = _checks("general_cosine", M, dtype, layout)
    if M <= 1:  # `_window` gives [] or [1.] and never calls the shape
        return _window("general_cosine", M, not sym, dt, device, requires_grad, _cosine_sum())
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    return _window("general_cosine", M, not sym, dt, device, requires_grad, _cosine_sum(*a))


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None,
                    layout: Any = strided, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """``alpha - (1 - alpha) cos(2 pi n / (N - 1))``, the two-term `general_cosine`."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """`general_hamming` at ``alpha=0.54``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """`general_hamming` at ``alpha=0.5``: ``sin^2(pi n / (N - 1))``.

    Example:
        >>> import tensorweave as tw
        >>> from tensorweave.signal import windows
        >>> [round(v, 12) for v in windows.hann(5, dtype=tw.float64).tolist()]
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """`general_cosine` with ``a = [0.42, 0.5, 0.08]``; checked under its own name."""
    _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The triangle ``1 - |2 n / (N - 1) - 1|`` (`tw.bartlett_window`)."""
    dt = _checks("bartlett", M, dtype, layout)
    return bartlett_window(M, not sym, dtype=dt, device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = strided,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Nuttall's minimum 4-term Blackman-Harris window, a `general_cosine`."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
