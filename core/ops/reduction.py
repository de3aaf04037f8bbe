"""Reductions, scans and sorting.

Primitives: ``sum``, ``prod``, ``amax``, ``argmax``, ``cumsum``, ``cumprod``, ``sort``.
Everything else is a composite over them (``amin`` is ``amax`` of the order-reversed input,
``max(dim)`` is ``amax`` plus ``argmax``, ``topk`` is a ``sort``...); a backend may still
register a faster kernel for any composite, as the cpu backend does for ``max``/``min``.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import Any, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop, method
from ._rules import normalize_dim, normalize_dims
from .creation import arange, zeros_like
from .elementwise import abs as _abs
from .elementwise import (
    bitwise_not,
    eq,
    exp,
    ge,
    isclose,
    isinf,
    log,
    maximum,
    minimum,
    ne,
    sign,
    sqrt,
    where,
)
from .movement import as_strided, clone, permute, stack

__all__ = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var",
           "std", "logsumexp", "norm", "all", "any", "cumsum", "cumprod", "sort", "argsort",
           "topk", "expand_reduced", "count_nonzero", "nansum", "nanmean", "var_mean",
           "std_mean", "allclose", "equal"]

# What `max(dim=...)`, `sort`... return, like torch.return_types: a named tuple.
_ReturnMax = namedtuple("max", ["values", "indices"])
_ReturnMin = namedtuple("min", ["values", "indices"])
_ReturnSort = namedtuple("sort", ["values", "indices"])
_ReturnTopk = namedtuple("topk", ["values", "indices"])

# -- shared helpers -------------------------------------------------------------------------------

def expand_reduced(g: Tensor, shape: Any, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient ``g`` back to the input ``shape``."""
    if not keepdim and shape:
        kept = list(shape)
        for d in dim:
            kept[d] = 1
        g = g.reshape(kept)
    return g.expand(*shape)


def _rdims(op: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """Reduction dims: None and an empty list both mean every dim, as in PyTorch."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return normalize_dims(op, dim, ndim)


def _numel(shape: Any, dims: tuple[int, ...]) -> int:
    return math.prod(shape[d] for d in dims)


def _require_nonempty(op: str, x: Tensor, dims: tuple[int, ...]) -> None:
    """max-like reductions have no identity: PyTorch refuses to reduce an empty dim."""
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size; got a "
                             f"tensor of shape {list(x.shape)}. Reduce over a non-empty dim.")


def _require_numel(op: str, x: Tensor) -> None:
    if x.numel() == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0; got a tensor of shape {list(x.shape)}. Specify the reduction "
                           "dim with the 'dim' argument.")


def _flip_order(x: Tensor) -> Tensor:
    """An order-reversing involution for ``x``'s dtype, so min-like ops are max-like ops:
    ``-x`` for floats, ``~x`` for integers and bools (``-x`` overflows for int8's -128 and
    for every unsigned value; ``~x`` never does).
    """
    return -x if x.dtype.is_floating_point else bitwise_not(x)


def _nonzero(x: Tensor, zero: Tensor) -> Tensor:
    """``x`` with its zeros (where ``zero``) replaced by 1: a divisor for a value that
    `where` then masks, so that no inf reaches a second derivative as ``0 * inf = nan``.
    """
    return where(zero, 1.0, x)


def _to_last(x: Tensor, d: int) -> Tensor:
    """``x`` with dim ``d`` moved to the end (a view)."""
    return permute(x, tuple(i for i in range(x.ndim) if i != d) + (d,))


def _from_last(x: Tensor, d: int) -> Tensor:
    """The inverse of `_to_last`."""
    order = list(range(x.ndim - 1))
    order.insert(d, x.ndim - 1)
    return permute(x, tuple(order))


def _eye(n: int, device: Any) -> Tensor:
    """An (n, n) bool identity mask, built from ops so it exists on every backend."""
    r = arange(n, device=device)
    return eq(r.unsqueeze(-1), r)


def _scatter_grad(g: Tensor, idx: Tensor, dim: int, n: int) -> Tensor:
    """The gradient of picking ``idx`` along ``dim``: each ``g`` entry lands at its index in a
    dim of size ``n``. Written with comparisons (memory ``k * n`` per slice) so that it runs
    on every backend and is differentiable in ``g``.
    """
    pos = arange(n, device=g.device).reshape(n, *[1] * (g.ndim - dim - 1))
    hit = eq(idx.unsqueeze(dim + 1), pos)
    return sum(where(hit, g.unsqueeze(dim + 1), 0.0), dim)


def _int_dtype(input: Tensor, dtype: Any) -> D.dtype:  # noqa: A002
    """Result dtype of sum-like ops: ``dtype`` if given; bool and integers widen to int64."""
    if dtype is not None:
        return D.to_dtype(dtype)
    return input.dtype if input.dtype.is_floating_point or input.dtype.is_complex else D.int64


def _np_dims(dim: Any) -> Any:
    return tuple(dim) if isinstance(dim, list) else dim


def _out_dtype(x: Tensor, **params: Any) -> D.dtype:
    return params["dtype"]


def _same_dtype(x: Tensor, **params: Any) -> D.dtype:
    return x.dtype


def _value_index_dtypes(x: Tensor, **params: Any) -> tuple[D.dtype, D.dtype]:
    return x.dtype, D.int64


def _index_dtype(x: Tensor, **params: Any) -> D.dtype:
    return D.int64


def _quiet(fn: Any) -> Any:
    """A NumPy reference with NumPy's empty-slice and 0/0 warnings silenced (PyTorch is quiet)."""
    def ref(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)
    return ref


# -- sum, mean, prod ------------------------------------------------------------------------------

def _sum_ref(x: np.ndarray, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
    return np.sum(x, axis=_np_dims(dim), keepdims=keepdim)


@defop(PRIMITIVE, meta=_out_dtype, save_inputs=False, dtypes=D.ALL_AND_COMPLEX, ref=_sum_ref,
       samples=lambda dt, rng: S.reduction(dt, rng), gradgrad=True,
       vjp=lambda g, out, x, dim, keepdim, dtype: (expand_reduced(g, x.shape, dim, keepdim),))
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001 - torch.sum
        dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dims when None); bool and integer inputs sum in int64.

    Args:
        input: the tensor to reduce.
        dim: a dim, a tuple of dims, or None (and ``()``) for all of them; negative dims count
            from the end.
        keepdim: keep the reduced dims with size 1.
        dtype: the result (and accumulation) dtype.

    Returns:
        The sums.

    Raises:
        IndexError: if a dim is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.tensor([[1, 2], [3, 4]]).sum(0)
        tensor([4, 6])
    """
    dims = _rdims("sum", dim, input.ndim)
    return sum.bind(input, dim=dims, keepdim=bool(keepdim), dtype=_int_dtype(input, dtype))


def _mean_decomp(x: Tensor, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    n = _numel(x.shape, dim)
    return sum(x, dim, keepdim) / n if n else sum(x, dim, keepdim) * float("nan")


@defop(COMPOSITE, decomp=_mean_decomp, save_inputs=False, dtypes=D.FLOATING_AND_COMPLEX,
       gradgrad=True,
       ref=_quiet(lambda x, dim=None, keepdim=False: np.mean(x, axis=_np_dims(dim),
                                                             keepdims=keepdim)),
       samples=lambda dt, rng: S.reduction(dt, rng))
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dims when None); the mean of nothing is nan.

    Args:
        input: a floating-point tensor (or any tensor with a floating ``dtype=``).
        dim: a dim, a tuple of dims, or None for all of them.
        keepdim: keep the reduced dims with size 1.
        dtype: convert the input to this dtype first.

    Raises:
        RuntimeError: for integer inputs without ``dtype=`` (as PyTorch does).
    """
    if dtype is not None:
        input = input.to(dtype)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name}. Pass "
                           "dtype=tensorweave.float32 or convert with .float() first.")
    return mean.bind(input, dim=_rdims("mean", dim, input.ndim), keepdim=bool(keepdim))


def _others_along(x: Tensor, d: int) -> Tensor:
    """For each element, the product of the other elements along ``d`` (exact with zeros)."""
    n = x.shape[d]
    xm = _to_last(x, d)
    spread = xm.unsqueeze(-2).expand(*xm.shape[:-1], n, n)
    return _from_last(prod(where(_eye(n, x.device), 1.0, spread), -1), d)


def _prod_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...], keepdim: bool,
              dtype: D.dtype) -> tuple[Tensor]:
    if x.ndim == 0:
        return (g,)
    gx = expand_reduced(g, x.shape, dim, keepdim)
    if not bool(any(eq(x, 0))):
        return (gx * expand_reduced(out, x.shape, dim, keepdim) / x,)
    # out / x is 0/0 at a zero: take the product of the others explicitly.
    if len(dim) == 1:
        return (gx * _others_along(x, dim[0]),)
    return (gx * _others_along(x.reshape(-1), 0).reshape(x.shape),)


def _prod_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    lo, hi = (0.5, 1.5) if dt.is_floating_point else (-2, 2)
    x = S.make(rng, (3, 4), dt, lo, hi)
    yield S.SampleInput((S.Arg(x),), name="all")
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -2, True), name="dim-2-keepdim")
    z = x.copy()
    z[0, 1] = 0
    z[2, 0] = z[2, 3] = 0
    yield S.SampleInput((S.Arg(z), 1), name="zeros")
    yield S.SampleInput((S.Arg(z),), name="zeros-all")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 3), dt, lo, hi), noncontig=True), 0),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt, lo, hi)),), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt, lo, hi)), 1), name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 0), dt, lo, hi)), 1), name="empty-dim")


@defop(PRIMITIVE, meta=_out_dtype, save_out=True, vjp=_prod_vjp, dtypes=D.ALL_AND_COMPLEX,
       gradgrad=True,
       samples=_prod_samples,
       ref=lambda x, dim=None, keepdim=False, dtype=None: np.prod(x, axis=dim, keepdims=keepdim))
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """Product over one ``dim`` (all elements when None); bool and integers give int64.

    The gradient is exact when ``input`` holds zeros.

    Args:
        input: the tensor to reduce.
        dim: one dim, or None for all elements.
        keepdim: keep the reduced dim with size 1.
        dtype: the result (and accumulation) dtype.

    Raises:
        IndexError: if ``dim`` is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.tensor([[1, 2], [3, 4]]).prod(1)
        tensor([ 2, 12])
    """
    if dim is None:
        dims = tuple(range(input.ndim))
        keepdim = False
    else:
        d = normalize_dim("prod", dim, input.ndim)
        dims = (d,) if input.ndim else ()
    return prod.bind(input, dim=dims, keepdim=bool(keepdim), dtype=_int_dtype(input, dtype))


# -- max-like reductions --------------------------------------------------------------------------

def _amax_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...],
              keepdim: bool) -> tuple[Tensor]:
    # Ties share the gradient evenly, as in PyTorch.
    hit = eq(x, expand_reduced(out, x.shape, dim, keepdim))
    share = expand_reduced(g, x.shape, dim, keepdim) / sum(hit, dim, True)
    return (where(hit, share, 0.0),)


def _amax_ref(x: np.ndarray, dim: Any = (), keepdim: bool = False) -> np.ndarray:
    return np.amax(x, axis=None if dim == () else _np_dims(dim), keepdims=keepdim)


def _amin_ref(x: np.ndarray, dim: Any = (), keepdim: bool = False) -> np.ndarray:
    return np.amin(x, axis=None if dim == () else _np_dims(dim), keepdims=keepdim)


@defop(PRIMITIVE, meta=_same_dtype, save_out=True, vjp=_amax_vjp, dtypes=D.ALL, gradgrad=True,
       ref=_amax_ref, samples=lambda dt, rng: S.reduction(dt, rng))
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Maximum over ``dim`` (all dims when empty); ties share the gradient evenly.

    Args:
        input: the tensor to reduce.
        dim: a dim or a tuple of dims; ``()`` (the default) means all of them.
        keepdim: keep the reduced dims with size 1.

    Raises:
        IndexError: if a reduced dim is out of range or has size 0.

    Example:
        >>> import tensorweave as tw
        >>> tw.amax(tw.tensor([[1, 5], [3, 4]]), dim=0)
        tensor([3, 5])
    """
    dims = _rdims("amax", dim, input.ndim)
    _require_nonempty("amax", input, dims)
    return amax.bind(input, dim=dims, keepdim=bool(keepdim))


def index_bounds(index: Tensor) -> tuple[int, int]:
    """The least and greatest value of a non-empty integer tensor, read from its device in
    one transfer: index checks need both, and on a device each read waits for the queue."""
    lo, hi = stack([-amax(-index), amax(index)]).tolist()  # amin is a composite of three ops
    return lo, hi


@defop(COMPOSITE, dtypes=D.ALL, ref=_amin_ref, samples=lambda dt, rng: S.reduction(dt, rng),
       gradgrad=True,
       decomp=lambda x, dim, keepdim: _flip_order(amax.bind(_flip_order(x), dim=dim,
                                                            keepdim=keepdim)))
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Minimum over ``dim`` (all dims when empty); ties share the gradient evenly.

    Raises:
        IndexError: if a reduced dim is out of range or has size 0.
    """
    dims = _rdims("amin", dim, input.ndim)
    _require_nonempty("amin", input, dims)
    return amin.bind(input, dim=dims, keepdim=bool(keepdim))


def _argmax_ref(fn: Any) -> Any:
    def ref(x: np.ndarray, dim: int | None = None, keepdim: bool = False) -> np.ndarray:
        if dim is None:
            return np.asarray(fn(x)).reshape((1,) * x.ndim if keepdim else ())
        return fn(x, axis=dim, keepdims=keepdim) if x.ndim else np.asarray(0)
    return ref


def _argmax_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x),), name="flat")
    yield S.SampleInput((S.Arg(x),), {"keepdim": True}, name="flat-keepdim")
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1, True), name="dim-1-keepdim")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")


def _check_arg_reduction(op: str, x: Tensor, dim: Any) -> int | None:
    if dim is None:
        _require_numel(op, x)
        return None
    d = normalize_dim(op, dim, x.ndim)
    if x.ndim:
        _require_nonempty(op, x, (d,))
    return d


@defop(PRIMITIVE, meta=_index_dtype, differentiable=False, dtypes=D.ALL,
       ref=_argmax_ref(np.argmax), samples=_argmax_samples)
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index (int64) of the first maximum along ``dim``, or in the flattened tensor when None.

    Raises:
        IndexError: if ``dim`` is out of range or has size 0.
        RuntimeError: for an empty tensor without ``dim``.

    Example:
        >>> import tensorweave as tw
        >>> tw.argmax(tw.tensor([[1, 5], [3, 4]]), dim=1)
        tensor([1, 1])
    """
    d = _check_arg_reduction("argmax", input, dim)
    return argmax.bind(input, dim=d, keepdim=bool(keepdim))


@defop(COMPOSITE, meta=_index_dtype, differentiable=False, dtypes=D.ALL,
       ref=_argmax_ref(np.argmin), samples=_argmax_samples,
       decomp=lambda x, dim, keepdim: argmax.bind(_flip_order(x), dim=dim, keepdim=keepdim))
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index (int64) of the first minimum along ``dim``, or in the flattened tensor when None.

    Raises:
        IndexError: if ``dim`` is out of range or has size 0.
        RuntimeError: for an empty tensor without ``dim``.
    """
    d = _check_arg_reduction("argmin", input, dim)
    return argmin.bind(input, dim=d, keepdim=bool(keepdim))


def _select_vjp(g: tuple[Any, ...], out: tuple[Tensor, Tensor], x: Any, dim: int,
                keepdim: bool) -> tuple[Tensor]:
    """max/min along a dim: the whole gradient goes to the returned index (PyTorch's rule)."""
    gv, idx = g[0], out[1]
    if x.ndim == 0:
        return (gv,)
    if not keepdim:
        gv, idx = gv.unsqueeze(dim), idx.unsqueeze(dim)
    return (_scatter_grad(gv, idx, dim, x.shape[dim]),)


def _max_ref(vals: Any, idxs: Any, pair: Any) -> Any:
    def ref(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, np.ndarray):
            return pair(x, dim)
        if dim is None:
            return vals(x)
        if x.ndim == 0:
            return x, np.asarray(0)
        return vals(x, axis=dim, keepdims=keepdim), idxs(x, axis=dim, keepdims=keepdim)
    return ref


def _max_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x),), name="all")
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1, True), name="dim-1-keepdim")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), S.Arg(S.make(rng, (4,), dt))),
                        name="binary")


def _max_decomp(x: Tensor, dim: int, keepdim: bool) -> tuple[Tensor, Tensor]:
    return amax.bind(x, dim=(dim,) if x.ndim else (), keepdim=keepdim), \
        argmax.bind(x, dim=dim, keepdim=keepdim)


def _min_decomp(x: Tensor, dim: int, keepdim: bool) -> tuple[Tensor, Tensor]:
    v, i = max.bind(_flip_order(x), dim=dim, keepdim=keepdim)
    return _flip_order(v), i


def _maxmin(op: Any, result: Any, binary: Any, input: Tensor, dim: Any,  # noqa: A002
            keepdim: bool) -> Any:
    """The three forms of max/min: full reduction, along a dim, elementwise with a tensor."""
    if isinstance(dim, Tensor):
        return binary(input, dim)
    if dim is None:
        _require_numel(op.name, input)
        return (amax if op is max else amin)(input)
    d = _check_arg_reduction(op.name, input, dim)
    return result(*op.bind(input, dim=d, keepdim=bool(keepdim)))


@defop(COMPOSITE, decomp=_max_decomp, n_outputs=2, meta=_value_index_dtypes, vjp=_select_vjp,
       save_inputs=False, save_out=True, dtypes=D.ALL, samples=_max_samples,
       ref=_max_ref(np.max, np.argmax, np.maximum))
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """The maximum: of all elements, along ``dim`` with its index, or elementwise.

    * ``max(input)``: the largest element (ties share the gradient, like `amax`);
    * ``max(input, dim, keepdim=False)``: a named tuple ``(values, indices)``; the gradient
      goes to the returned (first) index;
    * ``max(input, other)``: `maximum`.

    Raises:
        IndexError: if ``dim`` is out of range or has size 0.
        RuntimeError: for an empty tensor without ``dim``.

    Example:
        >>> import tensorweave as tw
        >>> tw.max(tw.tensor([[1, 5], [3, 4]]), dim=1)
        max(values=tensor([5, 4]), indices=tensor([1, 1]))
    """
    return _maxmin(max, _ReturnMax, maximum, input, dim, keepdim)


@defop(COMPOSITE, decomp=_min_decomp, n_outputs=2, meta=_value_index_dtypes, vjp=_select_vjp,
       save_inputs=False, save_out=True, dtypes=D.ALL, samples=_max_samples,
       ref=_max_ref(np.min, np.argmin, np.minimum))
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """The minimum: of all elements, along ``dim`` with its index, or elementwise (see `max`).

    Raises:
        IndexError: if ``dim`` is out of range or has size 0.
        RuntimeError: for an empty tensor without ``dim``.
    """
    return _maxmin(min, _ReturnMin, minimum, input, dim, keepdim)


# -- moments --------------------------------------------------------------------------------------

def _var_decomp(x: Tensor, dim: tuple[int, ...], correction: float, keepdim: bool) -> Tensor:
    d = x - mean(x, dim, True)
    return sum(d * d, dim, keepdim) / builtins.max(0, _numel(x.shape, dim) - correction)


def _std_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...], correction: float,
             keepdim: bool) -> tuple[Tensor]:
    # d std = d var / (2 std); PyTorch gives 0 where std is 0 rather than 0/0.
    oe = expand_reduced(out, x.shape, dim, keepdim)
    gx = expand_reduced(g, x.shape, dim, keepdim)
    n = builtins.max(0, _numel(x.shape, dim) - correction)
    zero = eq(oe, 0)
    return (where(zero, 0.0, gx / _nonzero(oe, zero)) * (x - mean(x, dim, True)) / n,)


def _moment_args(op: str, input: Tensor, dim: Any, unbiased: Any,  # noqa: A002
                 correction: Any) -> tuple[tuple[int, ...], float]:
    if isinstance(dim, bool):  # the legacy var(input, unbiased) overload
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: cannot specify both unbiased and correction; got "
                           f"unbiased={unbiased}, correction={correction}. Use correction only.")
    if not input.dtype.is_differentiable:
        raise RuntimeError(f"{op}: std and var only support floating point and complex dtypes; "
                           f"got {input.dtype.name}. Convert with .float() first.")
    c = correction if correction is not None else (1 if unbiased is None else int(unbiased))
    return _rdims(op, dim, input.ndim), c


def _complex_var(z: Tensor, dims: tuple[int, ...], correction: float,
                 keepdim: bool) -> Tensor:
    """A complex tensor's variance, real: ``|z - mean|^2`` sums the squared deviations of
    the real and imaginary parts."""
    from .complex_numbers import imag, real

    return (var.bind(real(z), dim=dims, correction=correction, keepdim=keepdim)
            + var.bind(imag(z), dim=dims, correction=correction, keepdim=keepdim))


def _var_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x),), name="all")
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1), {"keepdim": True}, name="dim-1-keepdim")
    yield S.SampleInput((S.Arg(x), (0, 2)), {"correction": 0}, name="dims(0,2)-correction0")
    yield S.SampleInput((S.Arg(x), 1), {"unbiased": False}, name="unbiased=False")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)),), {"correction": 0}, name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")


def _var_ref(x: np.ndarray, dim: Any = None, unbiased: Any = None, keepdim: bool = False,
             correction: Any = None) -> np.ndarray:
    ddof = correction if correction is not None else (1 if unbiased is None else int(unbiased))
    return np.var(x, axis=_np_dims(dim), ddof=ddof, keepdims=keepdim)


@defop(COMPOSITE, decomp=_var_decomp, dtypes=D.FLOATING, samples=_var_samples,
       ref=_quiet(_var_ref), gradgrad=True)
def var(input: Tensor, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
        keepdim: bool = False, *, correction: float | None = None) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)**2) / max(0, N - correction)``.

    Args:
        input: a floating-point or complex tensor (the variance of a complex one is real:
            the mean of ``|x - mean|**2``).
        dim: a dim, a tuple of dims, or None for all of them.
        unbiased: the legacy spelling of ``correction`` (True is 1, False is 0).
        keepdim: keep the reduced dims with size 1.
        correction: Bessel's correction, 1 by default.

    Raises:
        RuntimeError: for integer inputs, or both ``unbiased`` and ``correction``.

    Example:
        >>> import tensorweave as tw
        >>> tw.var(tw.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.6667)
    """
    dims, c = _moment_args("var", input, dim, unbiased, correction)
    if input.dtype.is_complex:
        return _complex_var(input, dims, c, bool(keepdim))
    return var.bind(input, dim=dims, correction=c, keepdim=bool(keepdim))


@defop(COMPOSITE, dtypes=D.FLOATING, samples=_var_samples, vjp=_std_vjp, save_out=True,
       ref=_quiet(lambda *a, **k: np.sqrt(_var_ref(*a, **k))), gradgrad=True,
       decomp=lambda x, dim, correction, keepdim: sqrt(_var_decomp(x, dim, correction, keepdim)))
def std(input: Tensor, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
        keepdim: bool = False, *, correction: float | None = None) -> Tensor:
    """Standard deviation over ``dim``: the square root of `var` (same arguments).

    Raises:
        RuntimeError: for integer inputs, or both ``unbiased`` and ``correction``.
    """
    dims, c = _moment_args("std", input, dim, unbiased, correction)
    if input.dtype.is_complex:
        return sqrt(_complex_var(input, dims, c, bool(keepdim)))
    return std.bind(input, dim=dims, correction=c, keepdim=bool(keepdim))


# -- logsumexp, norm ------------------------------------------------------------------------------

def _logsumexp_decomp(x: Tensor, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    if _numel(x.shape, dim) == 0:
        return log(sum(exp(x), dim, keepdim))  # log(0) = -inf, as in PyTorch
    # Subtract the max so exp never overflows; an infinite max would give inf - inf.
    m = amax.bind(x, dim=dim, keepdim=True)
    m = where(isinf(m), 0.0, m)
    return log(sum(exp(x - m), dim, keepdim)) + (m if keepdim else m.squeeze(dim))


def _logsumexp_ref(x: np.ndarray, dim: Any, keepdim: bool = False) -> np.ndarray:
    x = x.astype(np.float64)
    axis = _np_dims(dim)
    if x.size == 0 or (x.ndim and _numel(x.shape, np.atleast_1d(axis) % x.ndim) == 0):
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim))
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return r if keepdim or x.ndim == 0 else np.squeeze(r, axis=axis)


def _logsumexp_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1, True), name="dim-1-keepdim")
    yield S.SampleInput((S.Arg(x), (0, 2)), name="dims(0,2)")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 0), dt)), 1), name="empty-dim")
    if dt in (D.float32, D.float64):
        yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt, 999.0, 1001.0)), 1), name="large")


@defop(COMPOSITE, decomp=_logsumexp_decomp, save_out=True, dtypes=(*D.FLOATING, D.int64),
       vjp=lambda g, out, x, dim, keepdim: (expand_reduced(g, x.shape, dim, keepdim) * exp(
           x - expand_reduced(out, x.shape, dim, keepdim)),),
       ref=_quiet(_logsumexp_ref), samples=_logsumexp_samples, gradgrad=True)
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``log(sum(exp(input), dim))``, computed stably (the max is subtracted first).

    Integer inputs give the default float dtype; an empty reduction gives ``-inf``.

    Example:
        >>> import tensorweave as tw
        >>> tw.logsumexp(tw.tensor([1000.0, 1000.0]), 0)
        tensor(1000.6932)
    """
    if not input.dtype.is_floating_point:
        input = input.to(D.get_default_dtype())
    return logsumexp.bind(input, dim=_rdims("logsumexp", dim, input.ndim), keepdim=bool(keepdim))


def _norm_decomp(x: Tensor, p: float, dim: tuple[int, ...], keepdim: bool) -> Tensor:
    if p == 2:
        return sqrt(sum(x * x, dim, keepdim))
    if p == 0:
        return sum(ne(x, 0), dim, keepdim).to(x.dtype)
    a = _abs(x)
    if p == math.inf:
        return amax.bind(a, dim=dim, keepdim=keepdim)
    if p == -math.inf:
        return amin.bind(a, dim=dim, keepdim=keepdim)
    if p == 1:
        return sum(a, dim, keepdim)
    return sum(a ** p, dim, keepdim) ** (1.0 / p)


def _norm_vjp(g: Tensor, out: Tensor, x: Tensor, p: float, dim: tuple[int, ...],
              keepdim: bool) -> tuple[Tensor]:
    if p == 0:
        return (zeros_like(x),)
    gx = expand_reduced(g, x.shape, dim, keepdim)
    oe = expand_reduced(out, x.shape, dim, keepdim)
    if p == 1:
        return (gx * sign(x),)
    if math.isinf(p):  # like amax: ties share the gradient
        hit = eq(_abs(x), oe)
        return (where(hit, gx * sign(x) / sum(hit, dim, True), 0.0),)
    # The norm is not differentiable at 0; PyTorch takes the zero subgradient there.
    zero = eq(oe, 0)
    safe = _nonzero(oe, zero)
    if p == 2:
        return (where(zero, 0.0, gx * x / safe),)
    return (where(zero, 0.0, gx * sign(x) * _abs(x) ** (p - 1) / safe ** (p - 1)),)


def _norm_ref(x: np.ndarray, p: Any = "fro", dim: Any = None, keepdim: bool = False,
              dtype: Any = None) -> np.ndarray:
    p = 2 if p == "fro" else p
    axis = _np_dims(dim)
    a = np.abs(x)
    if p == np.inf:
        return np.max(a, axis=axis, keepdims=keepdim)
    if p == -np.inf:
        return np.min(a, axis=axis, keepdims=keepdim)
    if p == 0:
        return np.sum(x != 0, axis=axis, keepdims=keepdim).astype(x.dtype)
    return np.sum(a ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


def _norm_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x),), name="fro")
    yield S.SampleInput((S.Arg(x), 1, 1), name="p1-dim1")
    yield S.SampleInput((S.Arg(x), math.inf, -1, True), name="inf-dim-1-keepdim")
    yield S.SampleInput((S.Arg(x), -math.inf, 0), name="-inf-dim0")
    yield S.SampleInput((S.Arg(x), 0, 2), name="p0")
    yield S.SampleInput((S.Arg(x), 3, (0, 2)), name="p3-dims(0,2)")
    yield S.SampleInput((S.Arg(x), "fro", (1, 2)), name="fro-dims(1,2)")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 2, 0),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)),), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 2, 1), name="empty")


@defop(COMPOSITE, decomp=_norm_decomp, vjp=_norm_vjp, save_out=True, dtypes=D.FLOATING,
       ref=_norm_ref, samples=_norm_samples, gradgrad=True)
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements when None), like `torch.norm`.

    Args:
        input: a floating-point tensor.
        p: ``"fro"`` or 2 (the default, Euclidean), 1, ``inf``, ``-inf``, 0 (count of nonzeros)
            or any other number.
        dim: a dim, a tuple of dims, or None for all of them.
        keepdim: keep the reduced dims with size 1.
        dtype: convert the input to this dtype first.

    Raises:
        RuntimeError: for integer inputs, ``p="nuc"``, or an infinity norm of nothing.

    Example:
        >>> import tensorweave as tw
        >>> tw.norm(tw.tensor([3.0, 4.0]))
        tensor(5.)
    """
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.is_complex:  # a complex tensor's norms are those of its magnitudes
        input = input.abs()
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"norm: Expected a floating point or complex tensor as input; got "
                           f"{input.dtype.name}. Convert with .float() first.")
    if isinstance(p, str) and p != "fro":
        raise RuntimeError(f"norm: only p='fro' and numeric p are supported; got p={p!r}")
    pv = 2.0 if p == "fro" or p is None else float(p)
    dims = _rdims("norm", dim, input.ndim)
    if math.isinf(pv) and _numel(input.shape, dims) == 0 and input.ndim:
        raise RuntimeError(f"norm: cannot compute the {p} norm of an empty slice because the "
                           f"operation has no identity; got shape {list(input.shape)}")
    return norm.bind(input, p=pv, dim=dims, keepdim=bool(keepdim))


# -- all, any -------------------------------------------------------------------------------------

def _logical_result(x: Tensor, r: Tensor) -> Tensor:
    # PyTorch keeps uint8 for uint8 inputs (a legacy rule); every other dtype gives bool.
    return r.to(D.uint8) if x.dtype is D.uint8 else r


def _logical_meta(x: Tensor, **params: Any) -> D.dtype:
    return D.uint8 if x.dtype is D.uint8 else D.bool


def _logical_ref(fn: Any) -> Any:
    def ref(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
        r = fn(x, axis=_np_dims(dim), keepdims=keepdim)
        return r.astype(np.uint8) if x.dtype == np.uint8 else r
    return ref


@defop(COMPOSITE, meta=_logical_meta, differentiable=False, dtypes=D.ALL_AND_COMPLEX,
       ref=_logical_ref(np.all), samples=lambda dt, rng: S.reduction(dt, rng, -1.0, 1.0),
       decomp=lambda x, dim, keepdim: _logical_result(x, eq(sum(eq(x, 0), dim, keepdim), 0)))
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether every element along ``dim`` is nonzero (True for an empty reduction).

    Returns bool (uint8 for uint8 inputs, as in PyTorch).

    Example:
        >>> import tensorweave as tw
        >>> tw.all(tw.tensor([[1, 0], [2, 3]]), dim=1)
        tensor([False,  True])
    """
    return all.bind(input, dim=_rdims("all", dim, input.ndim), keepdim=bool(keepdim))


@defop(COMPOSITE, meta=_logical_meta, differentiable=False, dtypes=D.ALL_AND_COMPLEX,
       ref=_logical_ref(np.any), samples=lambda dt, rng: S.reduction(dt, rng, -1.0, 1.0),
       decomp=lambda x, dim, keepdim: _logical_result(x, ne(sum(ne(x, 0), dim, keepdim), 0)))
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether some element along ``dim`` is nonzero (False for an empty reduction).

    Returns bool (uint8 for uint8 inputs, as in PyTorch).
    """
    return any.bind(input, dim=_rdims("any", dim, input.ndim), keepdim=bool(keepdim))


# -- scans ----------------------------------------------------------------------------------------

def _rev_cumsum(g: Tensor, d: int) -> Tensor:
    """``sum(g[i:])`` along ``d`` for every i, without a flip op."""
    return sum(g, d, True) - cumsum(g, d) + g


def _cumprod_vjp(g: Tensor, out: Tensor, x: Tensor, dim: int, dtype: D.dtype) -> tuple[Tensor]:
    if x.ndim == 0:
        return (g,)
    if not bool(any(eq(x, 0))):
        return (_rev_cumsum(g * out, dim) / x,)
    # With zeros, d out_j / d x_i is the running product up to j that skips x_i: a cumprod of
    # x with x_i replaced by 1, for every i at once (an n x n slab per slice).
    n = x.shape[dim]
    xm, gm = _to_last(x, dim), _to_last(g, dim)
    eye = _eye(n, x.device)
    skip = cumprod(where(eye, 1.0, xm.unsqueeze(-2).expand(*xm.shape[:-1], n, n)), -1)
    r = arange(n, device=x.device)
    later = ge(r, r.unsqueeze(-1))  # [i, j]: j >= i
    return (_from_last(sum(where(later, gm.unsqueeze(-2) * skip, 0.0), -1), dim),)


def _scan_samples(dt: D.dtype, rng: np.random.Generator, zeros: bool) -> Iterator[S.SampleInput]:
    lo, hi = (0.5, 1.5) if zeros and dt.is_floating_point else (-2.0, 2.0)
    x = S.make(rng, (3, 4), dt, lo, hi)
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -2), name="dim-2")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 3), dt, lo, hi), noncontig=True), 1),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt, lo, hi)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt, lo, hi)), 0), name="empty")
    wide = D.complex128 if dt.is_complex else D.float64
    yield S.SampleInput((S.Arg(x), 1), {"dtype": wide}, name=f"dtype={wide.name}")
    if zeros:
        z = x.copy()
        z[0, 1] = 0
        z[2, 0] = z[2, 3] = 0
        yield S.SampleInput((S.Arg(z), 1), name="zeros")


def _scan_ref(fn: Any) -> Any:
    def ref(x: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
        if x.ndim == 0:
            return x.copy()
        r = fn(x, axis=dim)
        return r.astype(D.to_dtype(dtype).np) if dtype is not None else r
    return ref


def _scan_args(op: str, input: Tensor, dim: int, dtype: Any) -> dict[str, Any]:  # noqa: A002
    return {"dim": normalize_dim(op, dim, input.ndim), "dtype": _int_dtype(input, dtype)}


@defop(PRIMITIVE, meta=_out_dtype, save_inputs=False, dtypes=D.ALL_AND_COMPLEX, gradgrad=True,
       ref=_scan_ref(np.cumsum), samples=lambda dt, rng: _scan_samples(dt, rng, False),
       vjp=lambda g, out, x, dim, dtype: ((_rev_cumsum(g, dim) if x.ndim else g),))
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Running sum along ``dim``; bool and integers accumulate in int64.

    Raises:
        IndexError: if ``dim`` is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.cumsum(tw.tensor([1, 2, 3]), 0)
        tensor([1, 3, 6])
    """
    return cumsum.bind(input, **_scan_args("cumsum", input, dim, dtype))


@defop(PRIMITIVE, meta=_out_dtype, save_out=True, vjp=_cumprod_vjp, dtypes=D.ALL_AND_COMPLEX,
       gradgrad=True,
       ref=_scan_ref(np.cumprod), samples=lambda dt, rng: _scan_samples(dt, rng, True))
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Running product along ``dim``; bool and integers accumulate in int64.

    The gradient is exact when ``input`` holds zeros.

    Raises:
        IndexError: if ``dim`` is out of range.
    """
    return cumprod.bind(input, **_scan_args("cumprod", input, dim, dtype))


# -- sorting --------------------------------------------------------------------------------------

def _sort_ref(x: np.ndarray, dim: int = -1, descending: bool = False,
              stable: bool = False) -> tuple[np.ndarray, np.ndarray]:
    if x.ndim == 0:
        return x, np.asarray(0)
    if descending:
        idx = np.flip(x.shape[dim] - 1 - np.argsort(np.flip(x, dim), axis=dim, kind="stable"),
                      dim)
    else:
        idx = np.argsort(x, axis=dim, kind="stable")
    return np.take_along_axis(x, idx, dim), idx


def _sort_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 5), dt)
    yield S.SampleInput((S.Arg(x),), name="last")
    yield S.SampleInput((S.Arg(x), 0, True), name="dim0-descending")
    yield S.SampleInput((S.Arg(x),), {"descending": True, "stable": True}, name="stable")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt), noncontig=True), -1),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)),), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")


def _sort_vjp(g: tuple[Any, ...], out: tuple[Tensor, Tensor], x: Any, dim: int,
              descending: bool, stable: bool) -> tuple[Tensor]:
    if x.ndim == 0:
        return (g[0],)
    return (_scatter_grad(g[0], out[1], dim, x.shape[dim]),)


@defop(PRIMITIVE, n_outputs=2, meta=_value_index_dtypes, vjp=_sort_vjp, save_inputs=False,
       save_out=True, dtypes=D.ALL, ref=_sort_ref, samples=_sort_samples, gradgrad=True)
def sort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
         stable: bool = False) -> Any:
    """Sort along ``dim``: a named tuple ``(values, indices)``; NaN sorts as the largest.

    Equal elements keep their order (the sort is always stable; ``stable`` is accepted for
    PyTorch compatibility and tells other backends that order matters).

    Raises:
        IndexError: if ``dim`` is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.sort(tw.tensor([3, 1, 2]))
        sort(values=tensor([1, 2, 3]), indices=tensor([1, 2, 0]))
    """
    d = normalize_dim("sort", dim, input.ndim)
    return _ReturnSort(*sort.bind(input, dim=d, descending=bool(descending), stable=bool(stable)))


@method
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
            stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64); see `sort`."""
    return sort(input, dim, descending, stable=stable).indices


def _narrow(t: Tensor, dim: int, k: int) -> Tensor:
    size = list(t.shape)
    size[dim] = k
    return clone.bind(as_strided.bind(t, size=tuple(size), stride=t.stride(),
                                      storage_offset=t.storage_offset()))


def _topk_decomp(x: Tensor, k: int, dim: int, largest: bool,
                 sorted: bool) -> tuple[Tensor, Tensor]:  # noqa: A002
    v, i = sort.bind(x, dim=dim, descending=largest, stable=True)
    if x.ndim == 0:
        return v, i
    return _narrow(v, dim, k), _narrow(i, dim, k)


def _topk_ref(x: np.ndarray, k: int, dim: int = -1, largest: bool = True,
              sorted: bool = True) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    v, i = _sort_ref(x, dim, largest)
    if x.ndim == 0:
        return v, i
    return np.take(v, np.arange(k), axis=dim), np.take(i, np.arange(k), axis=dim)


def _topk_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 5), dt)
    yield S.SampleInput((S.Arg(x), 2), name="k2")
    yield S.SampleInput((S.Arg(x), 2, 0), {"largest": False}, name="smallest-dim0")
    yield S.SampleInput((S.Arg(x), 0), name="k0")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt), noncontig=True), 3, -1),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 1), name="0-d")


def _topk_vjp(g: tuple[Any, ...], out: tuple[Tensor, Tensor], x: Any, k: int, dim: int,
              largest: bool, sorted: bool) -> tuple[Tensor]:  # noqa: A002
    if x.ndim == 0:
        return (g[0],)
    return (_scatter_grad(g[0], out[1], dim, x.shape[dim]),)


@defop(COMPOSITE, decomp=_topk_decomp, n_outputs=2, meta=_value_index_dtypes, vjp=_topk_vjp,
       save_inputs=False, save_out=True, dtypes=D.ALL, ref=_topk_ref, samples=_topk_samples)
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim``: a named tuple
    ``(values, indices)``, in sorted order.

    Raises:
        IndexError: if ``dim`` is out of range.
        RuntimeError: if ``k`` is negative or larger than the dim.

    Example:
        >>> import tensorweave as tw
        >>> tw.topk(tw.tensor([1, 5, 3]), 2)
        topk(values=tensor([5, 3]), indices=tensor([1, 2]))
    """
    d = normalize_dim("topk", dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range; got k={k} for a dim of size "
                           f"{n}. Choose 0 <= k <= {n}.")
    return _ReturnTopk(*topk.bind(input, k=int(k), dim=d, largest=bool(largest),
                                  sorted=bool(sorted)))


# -- PyTorch's convenience reductions (helpers over the ops above) --------------------------------

@method
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """How many elements along ``dim`` (a dim, a tuple of dims, or None for all) are nonzero,
    as int64."""
    return sum(ne(input, 0), _rdims("count_nonzero", dim, input.ndim), dtype=D.int64)


def _without_nan(input: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``input`` with nan replaced by 0, and the mask of the values that are not nan."""
    if not input.dtype.is_floating_point:
        return input, None  # type: ignore[return-value]
    keep = eq(input, input)
    return where(keep, input, 0.0), keep


@method
def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
           dtype: Any = None) -> Tensor:
    """`sum` treating nan as zero."""
    x, _ = _without_nan(input)
    return sum(x, dim, keepdim, dtype=dtype)


@method
def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """`mean` of the values that are not nan (nan where there are none).

    Raises:
        RuntimeError: for an integer input without a floating ``dtype``.
    """
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{input.dtype.name}; convert it with .float() or pass dtype=")
    x, keep = _without_nan(input)
    return sum(x, dim, keepdim) / sum(keep, dim, keepdim, dtype=input.dtype)


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """``(var(...), mean(...))`` over the same dims, with `var`'s arguments."""
    if isinstance(dim, bool):  # the legacy var_mean(input, unbiased) overload
        dim, unbiased = None, dim
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """``(std(...), mean(...))`` over the same dims, with `std`'s arguments."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


@method
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> builtins.bool:
    """Whether every element pair is `isclose` (shapes broadcast), as a Python bool."""
    return builtins.bool(all(isclose(input, other, rtol, atol, equal_nan)))


@method
def equal(input: Tensor, other: Tensor) -> builtins.bool:  # noqa: A002
    """True if both tensors have the same shape and equal elements (nan is never equal)."""
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        raise TypeError("equal(): arguments 'input' and 'other' must be Tensors")
    if input.shape != other.shape:
        return False
    return builtins.bool(all(eq(input, other)))
