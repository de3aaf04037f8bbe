"""Order statistics, histograms and covariance, as PyTorch spells them: ``median``,
``nanmedian``, ``kthvalue``, ``mode``, ``quantile``, ``nanquantile``, ``aminmax``, ``msort``,
``cov``, ``corrcoef``, ``histc``, ``histogram``, ``bincount``.

Written over `sort`, `gather`, `scatter_add`, scans and comparisons, so they run on every
backend. The selecting functions sort a detached copy for the order and then `gather` the
values from the input itself: the gradient reaches the selected elements through `gather`'s
derivative (a scatter), as PyTorch's value-selecting backward does.

Index choice among equal values: ``median``, ``nanmedian`` and ``kthvalue`` return the
position of the k-th element of a *stable* sort (NaN sorts last, so a slice holding NaN gives
its first NaN); ``mode`` returns the last occurrence of the smallest most frequent value.
PyTorch 2.13's CPU kernels agree for ``median``/``nanmedian`` and for ``mode`` on short
slices; its ``kthvalue`` (a quickselect) and ``mode`` on long slices may name another
occurrence of the same value, and the gradient then lands on that other element.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import Any

from .. import dtypes as D
from ..autograd.function import Function
from ..tensor import Tensor
from ._opdef import method
from ._rules import normalize_dim
from .creation import full, linspace, scalar_tensor, zeros
from .elementwise import ceil, clamp, eq, floor, isnan, lerp, lt, ne, sqrt, where
from .elementwise import round as _round
from .indexing import gather, scatter_add
from .linalg import matmul
from .movement import cat, movedim
from .reduction import _from_last, _require_nonempty, _to_last, amax, amin, argmax, cumsum, sort
from .reduction import sum as _sum
from .searching import bucketize

__all__ = ["median", "nanmedian", "kthvalue", "mode", "quantile", "nanquantile", "aminmax",
           "msort", "cov", "corrcoef", "histc", "histogram", "histogramdd", "bincount"]

# Like torch.return_types: named tuples.
_ReturnMedian = namedtuple("median", ["values", "indices"])
_ReturnNanmedian = namedtuple("nanmedian", ["values", "indices"])
_ReturnKthvalue = namedtuple("kthvalue", ["values", "indices"])
_ReturnMode = namedtuple("mode", ["values", "indices"])
_ReturnAminmax = namedtuple("aminmax", ["min", "max"])
_ReturnHistogram = namedtuple("histogram", ["hist", "bin_edges"])
_ReturnHistogramdd = namedtuple("histogramdd", ["hist", "bin_edges"])

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


# -- shared helpers -------------------------------------------------------------------------------

def _order(x: Tensor) -> Tensor:
    """The stable ascending order of ``x`` along its last dim (NaN last), without autograd."""
    return sort.bind(x.detach(), dim=x.ndim - 1, descending=False, stable=True)[1]


def _last(op: str, input: Tensor, dim: Any) -> tuple[Tensor, int]:  # noqa: A002
    """``input`` with the reduced ``dim`` moved last (0-d becomes 1-D) and the normalized dim;
    refuses an empty reduced dim, as PyTorch does."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    d = normalize_dim(op, dim, input.ndim)
    if input.ndim == 0:
        return input.reshape(1), 0
    _require_nonempty(op, input, (d,))
    return _to_last(input, d), d


def _pick(x: Tensor, order: Tensor, pos: Tensor, input: Tensor, d: int,  # noqa: A002
          keepdim: bool) -> tuple[Tensor, Tensor]:
    """The values and indices at sorted positions ``pos`` (shape ``x.shape[:-1] + (1,)``) of
    ``x`` (``input`` with dim ``d`` moved last), laid out as a dim-``d`` reduction."""
    idx = gather.bind(order, pos, dim=x.ndim - 1)
    values = gather.bind(x, idx, dim=x.ndim - 1)
    if input.ndim == 0:
        return values.reshape(()), idx.reshape(())
    if keepdim:
        return _from_last(values, d), _from_last(idx, d)
    return values.squeeze(-1), idx.squeeze(-1)


def _no_bool(op: str, input: Tensor) -> None:  # noqa: A002
    if input.dtype is D.bool:
        raise NotImplementedError(f"{op}(): bool tensors are not supported; convert the input "
                                  "with .int() or .float() first")


def _extremes(x: Tensor) -> tuple[Any, Any]:
    """The least and greatest element of the non-empty ``x`` as Python numbers, read from the
    device in one transfer (`reduction.index_bounds` negates, which wraps for unsigned
    dtypes)."""
    lo, hi = cat([amin(x).reshape(1), amax(x).reshape(1)]).tolist()
    return lo, hi


def _nan_count(x: Tensor) -> Tensor | None:
    """How many NaNs each last-dim slice of ``x`` holds (keepdim), or None for exact dtypes."""
    return _sum(isnan(x), -1, True) if x.dtype.is_floating_point else None


# -- median, nanmedian, kthvalue ------------------------------------------------------------------

class _TiesShareGradient(Function):
    """The element of the 1-D floating ``flat`` at ``idx``; its gradient is shared evenly by every
    element equal to it (every NaN when it is NaN), as PyTorch's median of all elements does.
    A `Function` because no composition of ops gives both the exact value and that gradient
    when the value is infinite."""

    @staticmethod
    def forward(ctx: Any, flat: Tensor, idx: Tensor) -> Tensor:
        value = gather.bind(flat, idx, dim=0)
        ctx.save_for_backward(eq(flat, value) | (isnan(flat) & isnan(value)))
        return value.reshape(())

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        (ties,) = ctx.saved_tensors
        return where(ties, g / _sum(ties, dtype=g.dtype), 0.0), None


def _median_all(op: str, input: Tensor, ignore_nan: bool) -> Tensor:  # noqa: A002
    flat = input.reshape(-1)
    if flat.shape[0] == 0:
        if not input.dtype.is_floating_point:
            raise RuntimeError(f"{op}(): the median of an empty {input.dtype.name} tensor is "
                               "undefined (there is no NaN to return); pass a non-empty tensor")
        return full((), float("nan"), dtype=input.dtype, device=input.device)
    pos = _median_pos(flat.unsqueeze(0), ignore_nan).reshape(1)
    idx = gather.bind(_order(flat), pos, dim=0)
    if input.dtype.is_floating_point:
        return _TiesShareGradient.apply(flat, idx)
    return gather.bind(flat, idx, dim=0).reshape(())


def _median_pos(x: Tensor, ignore_nan: bool) -> Tensor:
    """The sorted position of the lower median of each last-dim slice of ``x`` (keepdim):
    the first NaN where one is present (``median``), or the median of the others
    (``nanmedian``; position 0 of an all-NaN slice, which is NaN)."""
    n = x.shape[-1]
    nans = _nan_count(x)
    mid = full((*x.shape[:-1], 1), (n - 1) // 2, dtype=D.int64, device=x.device)
    if nans is None:
        return mid
    if ignore_nan:
        return clamp((n - nans - 1) // 2, min=0)
    return where(ne(nans, 0), n - nans, mid)


@method
def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The lower median: of all elements (a 0-d tensor) when ``dim`` is None, else a named
    tuple ``(values, indices)`` along ``dim``. NaN propagates: a slice holding NaN gives NaN
    (and the index of its first NaN).

    Without ``dim`` the gradient is shared evenly by the elements equal to the median; with
    ``dim`` it goes to the element at ``indices`` (see the module doc for which one).

    Raises:
        IndexError: for a dim out of range or of size 0.
        NotImplementedError: for bool tensors.

    Example:
        >>> import tensorweave as tw
        >>> tw.median(tw.tensor([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]]), 1)
        median(values=tensor([2., 3.]), indices=tensor([2, 0]))
    """
    _no_bool("median", input)
    if dim is None:
        return _median_all("median", input, ignore_nan=False)
    x, d = _last("median", input, dim)
    return _ReturnMedian(*_pick(x, _order(x), _median_pos(x, False), input, d, keepdim))


@method
def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """`median` ignoring NaN: the lower median of the values that are not NaN (NaN for a
    slice of NaNs only). Arguments, results and errors as in `median`."""
    _no_bool("nanmedian", input)
    if dim is None:
        return _median_all("nanmedian", input, ignore_nan=True)
    x, d = _last("nanmedian", input, dim)
    return _ReturnNanmedian(*_pick(x, _order(x), _median_pos(x, True), input, d, keepdim))


@method
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1; NaN is the largest):
    a named tuple ``(values, indices)``.

    Raises:
        TypeError: for a ``k`` that is not an int.
        IndexError: for a dim out of range or of size 0.
        RuntimeError: for ``k`` outside ``[1, size of dim]``.

    Example:
        >>> import tensorweave as tw
        >>> tw.kthvalue(tw.tensor([3.0, 1.0, 2.0]), 2)
        kthvalue(values=tensor(2.), indices=tensor(2))
    """
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"kthvalue(): argument 'k' (position 2) must be int, not "
                        f"{type(k).__name__}")
    _no_bool("kthvalue", input)
    x, d = _last("kthvalue", input, dim)
    n = x.shape[-1]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}; got "
                           f"k={k} for a dim of size {n}. Choose 1 <= k <= {n}.")
    pos = full((*x.shape[:-1], 1), k - 1, dtype=D.int64, device=x.device)
    return _ReturnKthvalue(*_pick(x, _order(x), pos, input, d, keepdim))


@method
def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest one among equally frequent values)
    and the index of its last occurrence: a named tuple ``(values, indices)``.

    Each NaN counts as a value of its own (NaN != NaN); PyTorch leaves that case unspecified.

    Raises:
        IndexError: for a dim out of range or of size 0.

    Example:
        >>> import tensorweave as tw
        >>> tw.mode(tw.tensor([2, 1, 2, 1, 3]))
        mode(values=tensor(1), indices=tensor(3))
    """
    x, d = _last("mode", input, dim)
    order = _order(x)
    v = gather.bind(x.detach(), order, dim=x.ndim - 1)
    # Runs of equal sorted values: run ids, then each run's length, scattered by id.
    first = full((*x.shape[:-1], 1), True, dtype=D.bool, device=x.device)
    starts = cat([first, ne(v[..., 1:], v[..., :-1])], -1)
    run = cumsum(starts, -1) - 1
    counts = scatter_add.bind(zeros(*x.shape, dtype=D.int64, device=x.device), run,
                              full(tuple(x.shape), 1, dtype=D.int64, device=x.device),
                              dim=x.ndim - 1)
    best = argmax(counts, -1, keepdim=True)  # the first maximum: the smallest value
    # A stable sort keeps equal values in index order: a run's end holds its last occurrence.
    end = gather.bind(cumsum(counts, -1), best, dim=x.ndim - 1) - 1
    return _ReturnMode(*_pick(x, order, end, input, d, keepdim))


# -- quantile, nanquantile ------------------------------------------------------------------------

def _quantile(op: str, input: Tensor, q: Any, dim: Any, keepdim: bool,  # noqa: A002
              interpolation: str, ignore_nan: bool) -> Tensor:
    if not (input.dtype is D.float32 or input.dtype is D.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype; got "
                           f"{input.dtype.name}. Convert it with .float() or .double() first.")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor; got a tensor of shape "
                               f"{list(q.shape)}")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor; got q "
                               f"{q.dtype.name} and input {input.dtype.name}")
        qt = q
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q}")
        qt = scalar_tensor(float(q), dtype=input.dtype, device=input.device)
    else:
        raise TypeError(f"{op}(): argument 'q' must be a float or a Tensor, not "
                        f"{type(q).__name__}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty; got shape "
                           f"{list(input.shape)}")
    if isinstance(q, Tensor) and q.numel():
        lo, hi = _extremes(q)
        if not 0 <= lo <= hi <= 1:
            raise RuntimeError(f"{op}() q values must be in the range [0, 1]; got values from "
                               f"{lo} to {hi}")
    if dim is None:
        x, d = input.reshape(-1), None
    else:
        d = normalize_dim(op, dim, input.ndim)
        x = input.reshape(1) if input.ndim == 0 else _to_last(input, d)
    out = _interpolate(x, qt.reshape(-1), interpolation, ignore_nan)  # (Q, *B, 1)
    if dim is None:
        out = out.reshape(out.shape[0], *([1] * input.ndim)) if keepdim else out.reshape(-1)
    elif keepdim and input.ndim:
        out = movedim(out, -1, d + 1)
    else:
        out = out.squeeze(-1)
    return out.squeeze(0) if qt.ndim == 0 else out


def _interpolate(x: Tensor, q: Tensor, interpolation: str, ignore_nan: bool) -> Tensor:
    """The quantiles ``q`` (1-D) of each last-dim slice of ``x``: shape ``(Q, *B, 1)``.

    The rank ``q * (n - 1)`` points into the slice sorted with NaN last. A slice holding
    NaN ranks its last element (a NaN) for ``quantile``; ``nanquantile`` counts only the
    values that are not NaN, and ranks a NaN-only slice at its first NaN (as PyTorch, whose
    gradient then goes there).
    """
    n = x.shape[-1]
    nans = _nan_count(x)
    qv = q.reshape(-1, *([1] * x.ndim))
    if ignore_nan:
        rank = clamp(qv * (n - nans - 1), min=0)
    else:
        rank = where(ne(nans, 0), float(n - 1), qv * (n - 1))
    xs = x.expand(q.shape[0], *x.shape)
    order = _order(x).expand(q.shape[0], *x.shape)

    def at(r: Tensor) -> Tensor:
        pos = r.to(D.int64)
        return gather.bind(xs, gather.bind(order, pos, dim=xs.ndim - 1), dim=xs.ndim - 1)

    if interpolation == "lower":
        return at(floor(rank))
    if interpolation == "higher":
        return at(ceil(rank))
    if interpolation == "nearest":
        return at(_round(rank))  # half to even, as PyTorch rounds
    below = floor(rank)
    weight = rank - below if interpolation == "linear" else 0.5
    return lerp(at(below), at(ceil(rank)), weight)


@method
def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The ``q``-th quantiles of ``input`` along ``dim`` (of all elements when None).

    ``q`` is a float or a 0-d/1-D tensor of ``input``'s dtype with values in [0, 1]; a 1-D
    ``q`` adds a leading dim of its length. Between two sorted neighbours ``interpolation``
    picks ``linear`` (differentiable in ``q`` too), ``lower``, ``higher``, ``midpoint`` or
    ``nearest`` (ties to even). A slice holding NaN gives NaN (see `nanquantile`).

    Raises:
        RuntimeError: for a non-float input, an empty input, ``q`` outside [0, 1], of another
            dtype or with more than one dim, or an unknown interpolation.
        IndexError: for a dim out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.quantile(tw.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5000)
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@method
def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False,  # noqa: A002
                *, interpolation: str = "linear") -> Tensor:
    """`quantile` of the values that are not NaN (NaN for a slice of NaNs only); arguments and
    errors as in `quantile`."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


# -- aminmax, msort -------------------------------------------------------------------------------

@method
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The minimum and maximum along ``dim`` (of all elements when None): a named tuple
    ``(min, max)``; ties share the gradient evenly, as in `amin` and `amax`.

    Raises:
        RuntimeError: for an empty input without ``dim``.
        IndexError: for a dim out of range or of size 0.
    """
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity; pass a non-empty tensor or a dim")
        dims: Any = ()
    else:
        dims = normalize_dim("aminmax", dim, input.ndim)
        _require_nonempty("aminmax", input, (dims,) if input.ndim else ())
    return _ReturnAminmax(amin(input, dims, keepdim), amax(input, dims, keepdim))


@method
def msort(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` sorted ascending along dim 0 (NaN last): ``sort(input, 0).values``."""
    return sort(input, 0).values


# -- cov, corrcoef --------------------------------------------------------------------------------

def _check_weights(name: str, w: Any, n: int, integral: bool) -> None:
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): argument '{name}' must be Tensor, not {type(w).__name__}")
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.ndim} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    if integral and (w.dtype.is_floating_point or w.dtype is D.bool):
        raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights "
                           f"with {w.dtype.name} dtype; pass integer frequencies")
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                           f"aweights with {w.dtype.name} dtype; convert them with .float()")


def _cov(op: str, input: Tensor, correction: int, fweights: Any,  # noqa: A002
         aweights: Any) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"{op}(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input.dtype is D.bool:
        raise RuntimeError(f"{op}(): bool dtype is not supported for input; convert it with "
                           ".float() first")
    if not isinstance(correction, int) or isinstance(correction, bool):
        raise TypeError(f"cov(): argument 'correction' must be int, not "
                        f"{type(correction).__name__}")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n = x.shape[1]
    if fweights is not None:
        _check_weights("fweights", fweights, n, integral=True)
    if aweights is not None:
        _check_weights("aweights", aweights, n, integral=False)
    w = fweights if aweights is None else aweights if fweights is None else fweights * aweights
    if w is None:
        avg = _sum(x, 1) / n
        if n - correction <= 0:
            warnings.warn(_DOF_WARNING, UserWarning, stacklevel=3)
        norm: Any = builtins.max(n - correction, 0)
    else:
        w_sum = _sum(w)
        avg = _sum(x * w, 1) / w_sum
        norm = w_sum - (correction * _sum(w * aweights) / w_sum
                        if aweights is not None and correction else correction)
        _check_weight_values(fweights, aweights, w_sum, norm)
        norm = clamp(norm, min=0)
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    return (matmul(xm, xw.transpose(0, 1)) / norm).squeeze()


_DOF_WARNING = ("cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
                "number of observations.")


def _check_weight_values(fweights: Any, aweights: Any, w_sum: Tensor, norm: Tensor) -> None:
    """PyTorch's checks on the weights' values, read from the device in one transfer."""
    checks = [(lt(w, 0).any(), f"cov(): {name} cannot be negative")
              for name, w in (("fweights", fweights), ("aweights", aweights)) if w is not None]
    checks.append((eq(w_sum, 0), "cov(): weights sum to zero, can't be normalized"))
    flags = cat([f.reshape(1) for f, _ in checks] + [(norm <= 0).reshape(1)]).tolist()
    for flag, (_, message) in zip(flags, checks):
        if flag:
            raise RuntimeError(message)
    if flags[-1]:
        warnings.warn(_DOF_WARNING, UserWarning, stacklevel=4)


@method
def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,  # noqa: A002
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns; a 1-D input is one variable, giving a 0-d result).

    Args:
        input: a 0-D, 1-D or 2-D tensor (integers give the default float dtype).
        correction: subtracted from the number of observations (or the weight sum) in the
            denominator: 1 (Bessel's correction, the default) or 0 (population covariance).
        fweights: integer frequency of each observation (1-D, non-negative).
        aweights: float importance of each observation (1-D, non-negative).

    Raises:
        RuntimeError: for more than 2 dims, bool input, or weights of the wrong shape, dtype
            or sign (or summing to zero).

    Warns:
        UserWarning: when the degrees of freedom are <= 0 (the result is then inf or NaN).
    """
    return _cov("cov", input, correction, fweights, aweights)


@method
def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the variables in the rows of ``input``: `cov`
    divided by the outer product of the standard deviations, clamped to [-1, 1].

    Raises:
        RuntimeError: for more than 2 dims or bool input.
    """
    c = _cov("corrcoef", input, 1, None, None)
    if c.ndim == 0:
        return c / c
    std = sqrt(c.diagonal())
    return clamp(c / std.unsqueeze(1) / std.unsqueeze(0), -1, 1)


# -- histc, bincount, histogram -------------------------------------------------------------------

@method
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``input``'s elements in ``bins`` equal-width bins over ``[min, max]``
    (``input``'s dtype); elements outside the range and NaN are not counted, ``max`` falls in
    the last bin. ``min == max`` (the default 0, 0) takes the range from the data, widened by
    1 on each side when it is a single value. Not differentiable.

    Raises:
        TypeError: for ``bins`` that is not an int.
        NotImplementedError: for integer or bool inputs (as PyTorch's CPU kernel).
        RuntimeError: for ``bins <= 0``, a non-finite range or ``max < min``.

    Example:
        >>> import tensorweave as tw
        >>> tw.histc(tw.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    if not isinstance(bins, int) or isinstance(bins, bool):
        raise TypeError(f"histc(): argument 'bins' (position 2) must be int, not "
                        f"{type(bins).__name__}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"histc(): expected a floating-point input; got "
                                  f"{input.dtype.name}. Convert it with .float() first.")
    if bins <= 0:
        raise RuntimeError(f"histc(): bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    x = input.detach().reshape(-1)
    if lo == hi and x.numel():
        lo, hi = _extremes(x)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"histc(): range of [{lo}, {hi}] is not finite; pass finite min and "
                           "max (or data without inf and NaN)")
    if lo > hi:
        raise RuntimeError(f"histc(): max must be larger than min; got min={lo}, max={hi}")
    # The edges in input's dtype, and the bin of each element as PyTorch's linear binning
    # computes it: (x - lo) * bins / (hi - lo), truncated, with x == hi in the last bin.
    lo_t = scalar_tensor(lo, dtype=x.dtype, device=x.device)
    hi_t = scalar_tensor(hi, dtype=x.dtype, device=x.device)
    inside = (x >= lo_t) & (x <= hi_t)
    pos = where(inside, (x - lo_t) * bins / (hi_t - lo_t), 0.0).to(D.int64)
    pos = where(inside, clamp(pos, max=bins - 1), bins)  # the extra bin collects the rest
    ones = full(tuple(x.shape), 1, dtype=x.dtype, device=x.device)
    counts = scatter_add.bind(zeros(bins + 1, dtype=x.dtype, device=x.device), pos, ones, dim=0)
    return counts[:bins]


@method
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each value ``0..max(input)`` occurs in the 1-D non-negative integer
    ``input`` (at least ``minlength`` bins): int64 counts, or the sums of ``weights`` (float32
    for float32 weights, float64 for any other dtype). The length depends on the data, so
    the greatest value is read from the device (one transfer).

    Raises:
        NotImplementedError: for float or bool inputs (as PyTorch's CPU kernel).
        RuntimeError: for an input that is not 1-D or holds negative values, weights of
            another shape, or a negative ``minlength``.

    Example:
        >>> import tensorweave as tw
        >>> tw.bincount(tw.tensor([1, 1, 3]))
        tensor([0, 2, 0, 1])
    """
    if input.dtype.is_floating_point or input.dtype is D.bool:
        raise NotImplementedError(f"bincount(): expected an integer input; got "
                                  f"{input.dtype.name}. Convert it with .long() first.")
    if input.ndim != 1:
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs; got a "
                           f"tensor of shape {list(input.shape)}")
    if minlength < 0:
        raise RuntimeError(f"bincount(): minlength should be >= 0; got {minlength}")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError(f"bincount(): weights should be 1-d and have the same length as "
                           f"input; got weights of shape {list(weights.shape)} and input of "
                           f"shape {list(input.shape)}")
    length = minlength
    if input.numel():
        lo, hi = _extremes(input)
        if lo < 0:
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs; got "
                               f"a value {lo}")
        length = builtins.max(hi + 1, minlength)
    if weights is None:
        src = full(tuple(input.shape), 1, dtype=D.int64, device=input.device)
    else:
        src = weights.to(D.float32 if weights.dtype is D.float32 else D.float64)
    base = zeros(length, dtype=src.dtype, device=input.device)
    return scatter_add.bind(base, input.to(D.int64), src, dim=0)


def _histogram_edges(x: Tensor, bins: int, range: Any, dim: int) -> Tensor:  # noqa: A002
    """``bins + 1`` evenly spaced edges in ``x``'s dtype over ``range`` (the data's extremes
    when None, [0, 1] without data), widened by 1/2 on each side when empty, as PyTorch's
    histogramdd (``dim`` names the dimension in errors)."""
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension "
                           f"{dim}")
    if range is not None:
        lo, hi = (float(v) for v in range)
    else:
        lo, hi = _extremes(x) if x.numel() else (0.0, 1.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {dim}'s range [{lo:g}, {hi:g}] is not "
                           "finite; pass a finite range= (or data without inf and NaN)")
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo:g} "
                           f"max {hi:g} for dimension {dim}")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return linspace(lo, hi, bins + 1, dtype=x.dtype, device=x.device)


def _linear_bins(x: Tensor, edges: Tensor, inside: Tensor) -> Tensor:
    """The bin of each ``x`` among evenly spaced ``edges`` (any for those not ``inside``):
    PyTorch's linear estimate, corrected by one against the edges themselves so that an
    element on an edge lands where a search of the edges puts it."""
    bins = edges.shape[0] - 1
    lo, hi = edges[0], edges[-1]
    x = where(inside, x, lo)  # no cast of NaN or inf to int
    est = clamp(((x - lo) * bins / (hi - lo)).to(D.int64), 0, bins - 1)
    below = lt(x, gather(edges, 0, est))
    above = ~lt(x, gather(edges, 0, est + 1))
    return clamp(est - below.to(D.int64) + above.to(D.int64), 0, bins - 1)


def _check_histogram_dtype(input: Tensor) -> None:  # noqa: A002
    if input.dtype not in (D.float32, D.float64):
        raise NotImplementedError(f'"histogramdd" not implemented for {input.dtype.name}; '
                                  "convert the input with .float() or .double() first")


def _binned(x: Tensor, bins: Any, range: Any, dim: int) -> tuple[Tensor, Tensor, Tensor]:  # noqa: A002
    """Dimension ``dim``'s ``(edges, bin of each x, whether each x is counted)``: ``bins``
    an int (equal widths over ``range``) or a 1-D tensor of edges. Each bin holds
    ``edges[i] <= x < edges[i + 1]``, the last its right edge too; outside and NaN are not
    counted."""
    if isinstance(bins, Tensor):
        if bins.dtype is not x.dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have "
                               f"the same dtype, but got input with dtype {x.dtype.name} "
                               f"and bins for dimension {dim} with dtype {bins.dtype.name}")
        if bins.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {bins.ndim} dimensions in the bins tensor for dimension "
                               f"{dim}")
        if bins.shape[0] == 0:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have at least 1 element, "
                               f"but got 0 elements in the bins tensor for dimension {dim}")
        edges = bins.detach()
        n = edges.shape[0] - 1
        if n == 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got 0 for dimension "
                               f"{dim}")
    elif isinstance(bins, int) and not isinstance(bins, bool):
        edges, n = _histogram_edges(x, bins, range, dim), bins
    else:
        raise TypeError(f"histogram(): argument 'bins' must be int or Tensor, not "
                        f"{type(bins).__name__}")
    inside = (x >= edges[0]) & (x <= edges[-1])
    if isinstance(bins, Tensor):
        pos = clamp(bucketize(x, edges, right=True) - 1, 0, n - 1)
    else:
        pos = _linear_bins(x, edges, inside)
    return edges, pos, inside


def _check_weight(input: Tensor, weight: Tensor, shape: tuple[int, ...]) -> None:  # noqa: A002
    if tuple(weight.shape) != shape:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have "
                           f"the same shape as the input tensor excluding its innermost "
                           f"dimension, but got input with shape {list(input.shape)} and "
                           f"weight with shape {list(weight.shape)}")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor "
                           f"and weight tensor should have the same dtype, but got "
                           f"input({input.dtype.name}), and weight({weight.dtype.name})")


@method
def histogram(input: Tensor, bins: Any, *, range: Any = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False) -> Any:
    """A histogram of ``input``'s elements: a named tuple ``(hist, bin_edges)``, as
    `torch.histogram`.

    Args:
        input: a float32 or float64 tensor (flattened).
        bins: an int (that many equal-width bins over ``range``, by default the data's
            smallest and largest value) or a 1-D tensor of increasing edges of ``input``'s
            dtype.
        range: ``(min, max)`` of the equal-width bins (only with an int ``bins``).
        weight: a tensor of ``input``'s shape and dtype: each element counts its weight.
        density: divide each count by the total and by its bin's width, so the histogram
            integrates to 1 (nan when nothing was counted).

    Each bin holds ``edges[i] <= x < edges[i + 1]``; the last also holds its right edge.
    Elements outside the edges and NaN are not counted. The counts have ``input``'s dtype.

    Raises:
        NotImplementedError: for an input that is not float32 or float64.
        RuntimeError: for ``bins <= 0``, a range that is not finite or has ``min > max``,
            edges that are not a non-empty 1-D tensor of ``input``'s dtype, or a weight of
            another shape or dtype.
        TypeError: for ``bins`` that is neither an int nor a tensor, or ``range`` with
            tensor edges.

    Example:
        >>> import tensorweave as tw
        >>> tw.histogram(tw.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0)).hist
        tensor([0., 2., 1., 0.])
    """
    _check_histogram_dtype(input)
    if isinstance(bins, Tensor) and range is not None:
        raise TypeError("histogram(): range= is only accepted with an int bins; with "
                        "tensor bins the edges are the range")
    x = input.detach().reshape(-1)
    edges, pos, inside = _binned(x, bins, range, 0)
    if weight is not None:
        _check_weight(input, weight, tuple(input.shape))
        weight = weight.reshape(-1)
    n = edges.shape[0] - 1
    # Elements outside the edges (and NaN) go to an extra bin that is dropped.
    hist = bincount(where(inside, pos, n), weight, minlength=n + 1)[:n].to(input.dtype)
    if density:
        hist = hist / _sum(hist) / (edges[1:] - edges[:-1])
    return _ReturnHistogram(hist, edges)


def histogramdd(input: Tensor, bins: Any, *, range: Any = None,  # noqa: A002
                weight: Tensor | None = None, density: bool = False) -> Any:
    """A D-dimensional histogram of the points in ``input``'s rows (its last dim is D): a
    named tuple ``(hist, bin_edges)`` with ``hist`` of one dim per coordinate and a tuple
    of D edge tensors, as `torch.histogramdd`.

    Args:
        input: a float32 or float64 tensor of at least 2 dims, ``(..., D)``.
        bins: an int (that many bins in every dim), D ints, or D 1-D tensors of edges.
        range: with int bins, ``2 D`` numbers ``(min_0, max_0, min_1, ...)``; by default
            each dim's data extremes.
        weight: a tensor of ``input.shape[:-1]``: each point counts its weight.
        density: divide each count by the total and by its bin's volume.

    Binning in each dim is `histogram`'s; a point outside the edges in any dim (or with a
    NaN) is not counted.

    Raises:
        RuntimeError: PyTorch's checks (rank, the number of bins, edges and range values,
            the weight's shape and dtype), and `histogram`'s per dim.
    """
    _check_histogram_dtype(input)
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    d = input.shape[-1]
    per_dim = [bins] * d if isinstance(bins, int) and not isinstance(bins, bool) else list(bins)
    if len(per_dim) != d:
        if all(isinstance(b, Tensor) for b in per_dim):
            raise RuntimeError(f"torch.histogramdd: expected {d} sequences of bin edges for a "
                               f"{d}-dimensional histogram but got {len(per_dim)}")
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if range is not None and len(range) != 2 * d:
        raise RuntimeError(f"torch.histogramdd: for a {d}-dimensional histogram range should "
                           f"have {2 * d} elements, but got {len(range)}")
    x = input.detach().reshape(-1, d)
    if weight is not None:
        _check_weight(input, weight, tuple(input.shape[:-1]))
        weight = weight.reshape(-1)
    edges, flat, counted = [], None, None
    for i, b in enumerate(per_dim):
        e, pos, inside = _binned(x[:, i], b, None if range is None else range[2 * i:2 * i + 2],
                                 i)
        edges.append(e)
        flat = pos if flat is None else flat * (e.shape[0] - 1) + pos
        counted = inside if counted is None else counted & inside
    shape = tuple(e.shape[0] - 1 for e in edges)
    total = math.prod(shape)
    hist = bincount(where(counted, flat, total), weight, minlength=total + 1)[:total]
    hist = hist.to(input.dtype).reshape(shape)
    if density:
        hist = hist / _sum(hist)
        for i, e in enumerate(edges):
            hist = hist / (e[1:] - e[:-1]).reshape((-1,) + (1,) * (d - 1 - i))
    return _ReturnHistogramdd(hist, tuple(edges))
