"""Prefix scans beyond `cumsum` and `cumprod`: ``cummax``, ``cummin``, ``logcumsumexp``;
the neighbour differences ``diff`` and the trapezoidal rules built on them.

The scans are Hillis-Steele doubling scans: log2(n) steps, each combining every element with
the one ``2**k`` places before it through ordinary elementwise ops. They run on every backend
without a scan kernel of their own, and their gradients come from those ops (`where` routes
each gradient to the element that won, as PyTorch's cummax backward does).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable

from .. import dtypes as D
from ..tensor import Tensor
from ._opdef import method
from ._rules import normalize_dim
from .creation import arange
from .elementwise import ge, le, logaddexp, logical_or, ne, where
from .indexing import narrow
from .movement import cat
from .reduction import cumsum

__all__ = ["cummax", "cummin", "logcumsumexp", "diff", "gradient", "trapezoid", "trapz",
           "cumulative_trapezoid"]

_ReturnCummax = namedtuple("cummax", ["values", "indices"])
_ReturnCummin = namedtuple("cummin", ["values", "indices"])


def _doubling_scan(parts: list[Tensor], d: int,
                   combine: Callable[[list[Tensor], list[Tensor]], list[Tensor]]) -> list[Tensor]:
    """Inclusive scan of the tensors ``parts`` (scanned together) along ``d``:
    ``combine(earlier, later)`` merges two running summaries and must be associative."""
    n = parts[0].shape[d]
    step = 1
    while step < n:
        earlier = [narrow(p, d, 0, n - step) for p in parts]
        later = [narrow(p, d, step, n - step) for p in parts]
        merged = combine(earlier, later)
        parts = [cat([narrow(p, d, 0, step), m], d) for p, m in zip(parts, merged)]
        step *= 2
    return parts


def _scan_dim(op: str, input: Tensor, dim: int) -> tuple[Tensor, int]:  # noqa: A002
    x = input.reshape(1) if input.ndim == 0 else input
    return x, normalize_dim(op, dim, x.ndim)


def _cumulative_extreme(op: str, input: Tensor, dim: int,  # noqa: A002
                        later_wins: Callable[..., Tensor]) -> tuple[Tensor, Tensor]:
    x, d = _scan_dim(op, input, dim)
    shape = [1] * x.ndim
    shape[d] = -1
    idx = arange(x.shape[d], device=x.device).reshape(*shape).expand(*x.shape)

    def combine(earlier: list[Tensor], later: list[Tensor]) -> list[Tensor]:
        (ev, ei), (lv, li) = earlier, later
        # Ties go to the later run (PyTorch reports the last index), and nan beats numbers
        # and ties with nan (the comparison is False wherever a nan is involved).
        win = later_wins(lv, ev)
        if ev.dtype.is_floating_point:
            win = logical_or(win, ne(lv, lv))
        return [where(win, lv, ev), where(win, li, ei)]

    values, indices = _doubling_scan([x, idx], d, combine)
    if input.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return values, indices


@method
def cummax(input: Tensor, dim: int) -> Any:  # noqa: A002
    """Running maximum along ``dim``: a named tuple ``(values, indices)``, the index being the
    last position of the maximum so far (nan once a nan is met, at the latest nan)."""
    return _ReturnCummax(*_cumulative_extreme("cummax", input, dim, ge))


@method
def cummin(input: Tensor, dim: int) -> Any:  # noqa: A002
    """Running minimum along ``dim``: a named tuple ``(values, indices)``, as `cummax`."""
    return _ReturnCummin(*_cumulative_extreme("cummin", input, dim, le))


@method
def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``log(cumsum(exp(input)))`` along ``dim`` without overflow or underflow: each step adds
    in log space (`logaddexp`), so early entries far below the later maximum keep their value.

    Raises:
        RuntimeError: for integer inputs.
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"logcumsumexp(): expected a floating point input; got "
                           f"{input.dtype.name}. Convert it with .float()")
    x, d = _scan_dim("logcumsumexp", input, dim)
    (out,) = _doubling_scan([x], d, lambda e, la: [logaddexp(e[0], la[0])])
    return out.reshape(()) if input.ndim == 0 else out


@method
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,  # noqa: A002
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` concatenated
    first); bool inputs give ``!=`` of neighbours, as PyTorch.

    Raises:
        RuntimeError: for a 0-d input or a negative ``n``.
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dim("diff", dim, input.ndim)
    x = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        a, b = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = ne(a, b) if x.dtype is D.bool else a - b
    return x


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None,  # noqa: A002
             edge_order: int = 1) -> tuple[Tensor, ...]:
    """Central-difference estimates of ``input``'s derivative along each dim in ``dim``
    (all by default), one-sided of order ``edge_order`` at both ends, as `torch.gradient`
    and `numpy.gradient`. ``spacing`` is one number for every dim, one number per dim, or one
    1-D tensor of sample coordinates per dim (second-order accurate on uneven grids too).

    Raises:
        RuntimeError: for an ``edge_order`` other than 1 or 2, a dim shorter than
            ``edge_order + 1``, or a spacing list of the wrong length.
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else (
        [dim] if isinstance(dim, int) else list(dim))
    dims = [normalize_dim("gradient", d, input.ndim) for d in dims]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            what = ("since dim argument was not given" if dim is None else
                    f"with the length of dim, {len(dims)}")
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, "
                               f"or a list of length equal to 'self.dim() = {input.ndim}', "
                               f"{what}, but got a list of length {len(spacing)}")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least "
                           "edge_order+1")
    f = input if input.dtype.is_floating_point else input.to(D.get_default_dtype())
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, spacings))


def _gradient_along(f: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    """`gradient` along dim ``d`` with the spacing ``h`` (a number, or 1-D coordinates)."""
    n = f.shape[d]

    def at(start: int, length: int) -> Tensor:
        return narrow(f, d, start % n, length)

    if not isinstance(h, Tensor):  # even spacing: the classic stencils
        inner = (at(2, n - 2) - at(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (at(1, 1) - at(0, 1)) / h, (at(-1, 1) - at(-2, 1)) / h
        else:
            first = (at(0, 1) * -1.5 + at(1, 1) * 2.0 - at(2, 1) * 0.5) / h
            last = (at(-3, 1) * 0.5 - at(-2, 1) * 2.0 + at(-1, 1) * 1.5) / h
        return cat([first, inner, last], d)
    if h.ndim != 1 or h.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected each tensor in spacing to be 1-D with "
                           f"the size of dim {d} ({n}); got shape {list(h.shape)}")
    x = h.to(device=f.device, dtype=f.dtype)
    shape = [1] * f.ndim
    shape[d] = -1

    def along(t: Tensor) -> Tensor:  # 1-D weights laid along d
        return t.reshape(*shape)

    # Lagrange weights of the three neighbours on an uneven grid (numpy.gradient's).
    a, b = x[1:-1] - x[:-2], x[2:] - x[1:-1]
    inner = (at(0, n - 2) * along(-b / (a * (a + b))) + at(1, n - 2) * along((b - a) / (a * b))
             + at(2, n - 2) * along(a / (b * (a + b))))
    if edge_order == 1:
        first = (at(1, 1) - at(0, 1)) / (x[1] - x[0])
        last = (at(-1, 1) - at(-2, 1)) / (x[-1] - x[-2])
    else:
        a, b = x[1] - x[0], x[2] - x[1]
        first = (at(0, 1) * (-(2 * a + b) / (a * (a + b))) + at(1, 1) * ((a + b) / (a * b))
                 + at(2, 1) * (-a / (b * (a + b))))
        a, b = x[-2] - x[-3], x[-1] - x[-2]
        last = (at(-3, 1) * (b / (a * (a + b))) + at(-2, 1) * (-(a + b) / (a * b))
                + at(-1, 1) * ((2 * b + a) / (b * (a + b))))
    return cat([first, inner, last], d)


def _spacing(op: str, y: Tensor, x: Tensor | None, dx: Any, d: int) -> Any:
    """The widths between neighbours along ``d``: from the sample points ``x`` (1-D, or
    shaped like ``y``) or the constant ``dx``."""
    if x is None:
        return 1.0 if dx is None else dx
    if dx is not None:
        raise RuntimeError(f"{op}: received both x and dx; pass one of them")
    widths = diff(x, dim=-1 if x.ndim == 1 else d)
    if x.ndim == 1 and y.ndim > 1:
        shape = [1] * y.ndim
        shape[d] = -1
        widths = widths.reshape(*shape)
    return widths


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: ``sum((y[i] + y[i+1]) / 2 * width_i)``, the
    widths from the sample points ``x`` or the spacing ``dx`` (1 by default)."""
    d = normalize_dim("trapezoid", dim, y.ndim)
    n = y.shape[d]
    if n == 0:
        return (y.sum(d) * 0.0) if y.dtype.is_floating_point else y.sum(d).to(D.float32)
    avg = (narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)) * 0.5
    return (avg * _spacing("trapezoid", y, x, dx, d)).sum(d)


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal rule along ``dim`` (one element fewer than ``y``)."""
    d = normalize_dim("cumulative_trapezoid", dim, y.ndim)
    n = y.shape[d]
    avg = (narrow(y, d, 1, max(n - 1, 0)) + narrow(y, d, 0, max(n - 1, 0))) * 0.5
    return cumsum(avg * _spacing("cumulative_trapezoid", y, x, dx, d), d)
