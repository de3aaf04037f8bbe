"""Indexing: ``x[key]``, ``x[key] = v``, slicing helpers, gather/scatter, masks, flip, roll.

Basic indexing (ints, slices with positive steps, None, Ellipsis) makes a VIEW through
`basic_index`, a composite over `as_strided` whose derivative writes the gradient into zeros
with `as_strided_scatter`. ``narrow``, ``select``, ``split``, ``chunk`` and ``unbind`` are
views built the same way.

Advanced indexing (integer or bool tensors and lists, mixed with the above) follows PyTorch:
ints select first; the index tensors broadcast together, and their dims replace the indexed
dims where they stand when adjacent, else go first. It copies, through `index`, whose
derivative is `index_put` with accumulation. Both decompose into the `gather` / `scatter` /
`scatter_add` primitives over flat positions, so a backend gets all of indexing from those.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop, method
from ._rules import (
    ShapeError,
    broadcast_shapes,
    contiguous_strides,
    normalize_dim,
    normalize_dims,
)
from .creation import arange, scalar_tensor, tensor, zeros
from .elementwise import lt, where
from .inplace import commit, inplace_method, unversioned
from .movement import (
    _cat,
    _shape_arg,
    as_strided,
    as_strided_scatter,
    clone,
    copy,
    expand,
    reshape,
)
from .reduction import index_bounds

__all__ = ["narrow", "select", "split", "chunk", "unbind", "gather", "scatter", "scatter_add",
           "index_select", "index_put", "masked_fill", "masked_select", "nonzero", "flip",
           "roll", "take", "argwhere", "repeat_interleave", "rot90", "index_add", "index_copy",
           "index_fill", "fliplr", "flipud", "take_along_dim", "unravel_index",
           "split_with_sizes", "unsafe_split", "unsafe_chunk", "narrow_copy", "nonzero_static"]

_INDEX_DTYPES = (D.int64, D.int32, D.int16, D.int8)

# -- basic indexing: views ------------------------------------------------------------------------
#
# A normalized basic key has one item per output step, covering every input dim in order:
#   ("n",)                      a new size-1 dim (None)
#   ("i", index)                select ``index`` (>= 0) of the next input dim, dropping it
#   ("s", start, size, step)    keep ``size`` elements of the next input dim from ``start``


def _full(n: int) -> tuple[Any, ...]:
    return ("s", 0, n, 1)


def _geometry(items: tuple[tuple[Any, ...], ...], shape: Sequence[int], stride: Sequence[int],
              offset: int) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """(size, stride, storage offset) of the view ``items`` make of a tensor with this layout.

    A new dim gets PyTorch's unsqueeze stride (size * stride of the dim it precedes).
    """
    size, st, d = [], [], 0
    for it in items:
        if it[0] == "n":
            size.append(1)
            st.append(shape[d] * stride[d] if d < len(shape) else 1)
        elif it[0] == "i":
            offset += it[1] * stride[d]
            d += 1
        else:
            offset += it[1] * stride[d]
            size.append(it[2])
            st.append(stride[d] * it[3])
            d += 1
    return tuple(size), tuple(st), offset


def _basic_index_decomp(x: Tensor, items: tuple[tuple[Any, ...], ...]) -> Tensor:
    size, stride, off = _geometry(items, x.shape, x.stride(), x.storage_offset())
    return as_strided.bind(x, size=size, stride=stride, storage_offset=off)


def _basic_index_vjp(g: Tensor, out: Any, x: Any, items: tuple[tuple[Any, ...], ...]) -> Any:
    # The gradient is zeros with the viewed region filled: the same geometry, taken on a
    # contiguous layout of the input.
    size, stride, off = _geometry(items, x.shape, contiguous_strides(x.shape), 0)
    base = zeros(*x.shape, dtype=g.dtype, device=g.device)
    return (as_strided_scatter.bind(base, g, size=size, stride=stride, storage_offset=off),)


def _basic_index_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x), 1), name="int")
    yield S.SampleInput((S.Arg(x), slice(None), slice(1, None, 2), -1), name="step-negative-int")
    yield S.SampleInput((S.Arg(x), None, Ellipsis, slice(None, 2), None), name="none-ellipsis")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), slice(3, 0, None),
                         slice(-5, None, 3)), name="noncontiguous-empty")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), None), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), Ellipsis, 2), name="empty")


@defop(COMPOSITE, decomp=_basic_index_decomp, vjp=_basic_index_vjp, view=True,
       save_inputs=False, method=False, function=False, dtypes=D.ALL_AND_COMPLEX, gradgrad=True,
       samples=_basic_index_samples, ref=lambda x, *key: x[key].copy())
def basic_index(input: Tensor, *key: Any) -> Tensor:  # noqa: A002
    """``input[key]`` for a basic key (ints, slices, None, Ellipsis): a view."""
    return _getitem(input, key)


def _slice_item(s: slice, n: int) -> tuple[Any, ...]:
    step = 1 if s.step is None else int(s.step)
    if step <= 0:
        raise ValueError(f"step must be greater than zero; got {step}")
    start, stop, step = slice(s.start, s.stop, step).indices(n)
    return ("s", start, max(0, (stop - start + step - 1) // step), step)


def _view_of(input: Tensor, d: int, item: tuple[Any, ...]) -> Tensor:  # noqa: A002
    """``input`` indexed by ``item`` in dim ``d`` (full slices elsewhere): a view."""
    items = [_full(n) for n in input.shape]
    items[d] = item
    return basic_index.bind(input, items=tuple(items))


@method
def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice at ``index`` along ``dim``, without that dim (a view), like ``x[:, index]``.

    Raises:
        IndexError: if ``index`` is out of range or ``input`` is 0-d.
    """
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim("select", dim, input.ndim)
    n = input.shape[d]
    i = int(index)
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return _view_of(input, d, ("i", i % n))


@method
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """Elements ``start .. start + length - 1`` along ``dim`` (a view).

    Raises:
        IndexError: if ``start`` is out of range.
        RuntimeError: if the range goes past the end, or ``input`` is 0-d.
    """
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim("narrow", dim, input.ndim)
    n = input.shape[d]
    start, length = int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(f"narrow(): start out of range (expected to be in range of [{-n}, {n}], "
                         f"but got {start})")
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative; got {length}")
    start %= max(n, 1) if start < 0 else n + 1
    if start + length > n:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size "
                           f"({n}).")
    return _view_of(input, d, ("s", start, length, 1))


@method
def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``tensor`` cut along ``dim``: pieces of ``split_size`` (the last may be
    smaller), or of the given list of sizes.

    Raises:
        RuntimeError: for a negative size, or sizes that do not add up to the dim's size.
    """
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = normalize_dim("split", dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        s = int(split_size_or_sections)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        k = max((n + s - 1) // s, 1) if s else 1
        sizes = [s] * (k - 1) + [n - s * (k - 1)]
    else:
        sizes = list(_shape_arg("split", (split_size_or_sections,)))
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(_view_of(tensor, d, ("s", start, s, 1)))
        start += s
    return tuple(out)


@method
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Split into ``chunks`` views of equal size along ``dim`` (the last may be smaller, and
    there may be fewer), like `torch.chunk`.

    Raises:
        RuntimeError: if ``chunks`` is not positive.
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = input.shape[normalize_dim("chunk", dim, input.ndim)]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:  # PyTorch keeps the number of (empty) chunks
        return split(input, [0] * chunks, dim)
    return split(input, size, dim)


@method
def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0  # noqa: A002
                     ) -> tuple[Tensor, ...]:
    """`split` with an explicit list of sizes (views)."""
    return split(input, list(split_sizes), dim)


# PyTorch's "unsafe" variants differ only in skipping its view-aliasing checks.
unsafe_split, unsafe_chunk = split, chunk


@method
def narrow_copy(input: Tensor, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """`narrow`, copied out (not a view)."""
    return narrow(input, dim, start, length).clone()


@method
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """All slices along ``dim``, without that dim (views).

    Raises:
        IndexError: for a 0-d tensor.
    """
    if input.ndim == 0:
        raise IndexError("unbind(): Dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim("unbind", dim, input.ndim)
    return tuple(_view_of(input, d, ("i", i)) for i in range(input.shape[d]))


# -- index checks -------------------------------------------------------------------------------


def _check_index(op: str, idx: Tensor, size: int, dim: int, exc: type,
                 negative: bool) -> Tensor:
    """``idx`` as int64 with negatives wrapped (when allowed); raises ``exc`` naming the first
    index out of bounds, as PyTorch does (``op`` prefixes the message when given).
    """
    if idx.dtype is not D.int64:
        idx = idx.to(D.int64)
    if not idx.numel():
        return idx
    lo, hi = index_bounds(idx)
    least = -size if negative else 0
    if lo < least or hi >= size:
        host = np.asarray(idx.detach().cpu()).reshape(-1)
        bad = host[(host < least) | (host >= size)][0]
        prefix = f"{op}(): " if op else ""
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")
    return where(lt(idx, 0), idx + size, idx) if lo < 0 else idx


def _check_gather_args(op: str, x: Tensor, dim: int, index: Tensor,
                       src: Tensor | None = None) -> int:
    if not isinstance(index, Tensor) or index.dtype is not D.int64:
        got = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{op}(): Expected dtype int64 for index; got {got}")
    d = normalize_dim(op, dim, x.ndim)
    if index.ndim != x.ndim:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor; got {index.ndim} and {x.ndim}")
    for k in range(x.ndim):
        if (k != d and index.shape[k] > x.shape[k]) or (
                src is not None and index.shape[k] > src.shape[k]):
            srcs = f" and to be smaller size than src {list(src.shape)}" if src is not None else ""
            raise RuntimeError(f"{op}(): Expected index {list(index.shape)} to be smaller than "
                               f"self {list(x.shape)} apart from dimension {d}{srcs}")
    return d


# -- gather / scatter (primitives) -------------------------------------------------------------


def _gather_vjp(g: Tensor, out: Any, x: Tensor, index: Tensor, dim: int) -> Any:
    base = zeros(*x.shape, dtype=g.dtype, device=g.device)
    return scatter_add.bind(base, index, g, dim=dim), None


def _lead(x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    """``x`` cut to ``index``'s sizes except along ``dim`` (a NumPy view), for the refs."""
    return x[tuple(slice(None) if k == dim else slice(0, n) for k, n in enumerate(index.shape))]


def _gather_ref(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    if x.ndim == 0:
        return x.copy()
    return np.take_along_axis(_lead(x, index, dim % x.ndim), index, axis=dim)


def _index_arg(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> S.Arg:
    return S.Arg(rng.integers(0, n, size=shape).astype(np.int64), differentiable=False)


def _unique_index(rng: np.random.Generator, n: int, shape: tuple[int, ...], dim: int) -> S.Arg:
    """Indices with no repeats along ``dim`` (scatter without accumulation is only defined
    for those)."""
    cols = [rng.permutation(n)[:shape[dim]] for _ in range(int(np.prod(shape)) // shape[dim])]
    arr = np.stack(cols, axis=-1).reshape((shape[dim],) + shape[:dim] + shape[dim + 1:])
    return S.Arg(np.moveaxis(arr, 0, dim).astype(np.int64), differentiable=False)


def _gather_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (3, 4), dt)
    yield S.SampleInput((S.Arg(x), 0, _index_arg(rng, 3, (2, 4))), name="dim0")
    yield S.SampleInput((S.Arg(x, noncontig=True), -1, _index_arg(rng, 4, (2, 5))),
                        name="dim-1-noncontiguous-smaller")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0, S.Arg(np.array(0), differentiable=False)),
                        name="0-d")
    yield S.SampleInput((S.Arg(x), 1, _index_arg(rng, 4, (3, 0))), name="empty")


@defop(PRIMITIVE, vjp=_gather_vjp, dtypes=D.ALL_AND_COMPLEX, gradgrad=True, ref=_gather_ref,
       samples=_gather_samples)
def gather(input: Tensor, dim: int, index: Tensor, *,  # noqa: A002
           sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` (for ``dim=0``); ``out`` has ``index``'s shape.

    Example:
        >>> import tensorweave as tw
        >>> tw.gather(tw.tensor([[1, 2], [3, 4]]), 1, tw.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])

    Raises:
        RuntimeError: for a non-int64 index, mismatched dims or sizes, or an index out of
            bounds.
    """
    d = _check_gather_args("gather", input, dim, index)
    if input.ndim == 0:
        return gather(input.reshape(1), 0, index.reshape(1)).reshape(())
    index = _check_index("gather", index, input.shape[d], d, RuntimeError, negative=False)
    return gather.bind(input, index, dim=d)


def _scatter_src(op: str, input: Tensor, index: Tensor, src: Any,  # noqa: A002
                 value: Any) -> Tensor:
    """The values to write, as a tensor of ``index``'s shape and ``input``'s dtype."""
    if src is None or not isinstance(src, Tensor):
        v = value if src is None else src
        if v is None:
            raise TypeError(f"{op}(): expected a src tensor or a value")
        return scalar_tensor(v, input.device, input.dtype).expand(*index.shape)
    if src.dtype is not input.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype; got "
                           f"{input.dtype.name} and {src.dtype.name}")
    if tuple(src.shape) == tuple(index.shape):
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def _scatter_args(op: str, input: Tensor, dim: int, index: Tensor, src: Any,  # noqa: A002
                  value: Any) -> tuple[Any, ...]:
    d = _check_gather_args(op, input, dim, index, src if isinstance(src, Tensor) else None)
    src = _scatter_src(op, input, index, src, value)
    flat = input.ndim == 0  # kernels see at least 1-D tensors
    if flat:
        input, index, src = input.reshape(1), index.reshape(1), src.reshape(1)
    index = _check_index(op, index, input.shape[d], d, RuntimeError, negative=False)
    return (input, index, src), d, flat


def _scatter_vjp(g: Tensor, out: Any, x: Any, index: Tensor, src: Any, dim: int) -> Any:
    hole = zeros(*index.shape, dtype=g.dtype, device=g.device)
    return (scatter.bind(g, index, hole, dim=dim), None, gather.bind(g, index, dim=dim))


def _scatter_ref(x: np.ndarray, dim: int, index: np.ndarray, src: Any = None, *,
                 value: Any = None, reduce: Any = None) -> np.ndarray:
    if src is None:
        vals = np.broadcast_to(np.asarray(value, dtype=x.dtype), index.shape)
    else:
        vals = src[tuple(slice(0, n) for n in index.shape)].astype(x.dtype)
    if x.ndim == 0:
        return np.array(vals, dtype=x.dtype)
    out = x.copy()
    np.put_along_axis(_lead(out, index, dim % x.ndim), index, vals, axis=dim)
    return out


def _scatter_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (4, 3), dt)
    yield S.SampleInput((S.Arg(x), 0, _unique_index(rng, 4, (2, 3), 0),
                         S.Arg(S.make(rng, (2, 3), dt))), name="dim0")
    yield S.SampleInput((S.Arg(x, noncontig=True), -1, _unique_index(rng, 3, (3, 2), 1),
                         S.Arg(S.make(rng, (4, 3), dt))), name="dim-1-noncontiguous-bigger-src")
    yield S.SampleInput((S.Arg(x), 1, _unique_index(rng, 3, (2, 2), 1)),
                        {"value": True if dt is D.bool else 2}, name="value")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0, S.Arg(np.array(0), differentiable=False),
                         S.Arg(S.make(rng, (), dt))), name="0-d")
    yield S.SampleInput((S.Arg(x), 0, _index_arg(rng, 4, (0, 3)), S.Arg(S.make(rng, (0, 3), dt))),
                        name="empty")


@defop(PRIMITIVE, vjp=_scatter_vjp, dtypes=D.ALL_AND_COMPLEX, ref=_scatter_ref,
       samples=_scatter_samples)
def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *,  # noqa: A002
            value: Any = None, reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` (or ``value``) written at
    ``[index[i][j]][j]`` (for ``dim=0``). Repeated positions keep an unspecified one of their
    values, as in PyTorch. ``reduce="add"`` is `scatter_add`.

    Raises:
        RuntimeError: for a non-int64 index, mismatched sizes or dtypes, or an index out of
            bounds.
    """
    if reduce == "add":
        return scatter_add(input, dim, index, _scatter_src("scatter", input, index, src, value))
    if reduce is not None:
        raise NotImplementedError(f"scatter(): reduce={reduce!r} is not supported; use "
                                  "reduce='add' or scatter_reduce")
    args, d, flat = _scatter_args("scatter", input, dim, index, src, value)
    out = scatter.bind(*args, dim=d)
    return out.reshape(()) if flat else out


def _scatter_add_ref(x: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = x.copy()
    if out.ndim == 0:
        return out + src
    dim %= x.ndim
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        out[tuple(tgt)] += src[pos]
    return out


def _scatter_add_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (4, 3), dt)
    yield S.SampleInput((S.Arg(x), 0, _index_arg(rng, 4, (5, 3)), S.Arg(S.make(rng, (5, 3), dt))),
                        name="repeats")
    yield S.SampleInput((S.Arg(x, noncontig=True), -1, _index_arg(rng, 3, (2, 2)),
                         S.Arg(S.make(rng, (3, 3), dt), noncontig=True)),
                        name="dim-1-noncontiguous-bigger-src")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0, S.Arg(np.array(0), differentiable=False),
                         S.Arg(S.make(rng, (), dt))), name="0-d")
    yield S.SampleInput((S.Arg(x), 0, _index_arg(rng, 4, (0, 3)), S.Arg(S.make(rng, (0, 3), dt))),
                        name="empty")


@defop(PRIMITIVE, dtypes=D.ALL_AND_COMPLEX, gradgrad=True, ref=_scatter_add_ref,
       samples=_scatter_add_samples,
       vjp=lambda g, out, x, index, src, dim: (g, None, gather.bind(g, index, dim=dim)))
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``src[i][j]`` added at ``[index[i][j]][j]`` (for ``dim=0``);
    repeated positions accumulate.

    Raises:
        RuntimeError: for a non-int64 index, mismatched sizes or dtypes, or an index out of
            bounds.
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' must be Tensor, not {type(src).__name__}")
    args, d, flat = _scatter_args("scatter_add", input, dim, index, src, None)
    out = scatter_add.bind(*args, dim=d)
    return out.reshape(()) if flat else out


def _index_select_decomp(x: Tensor, index: Tensor, dim: int) -> Tensor:
    return gather.bind(x, _along(index, x.ndim, dim, tuple(x.shape)), dim=dim)


def _along(index: Tensor, ndim: int, dim: int, shape: tuple[int, ...]) -> Tensor:
    """A 1-D ``index`` laid along ``dim`` and expanded to ``shape`` (except along ``dim``)."""
    view = [1] * ndim
    view[dim] = -1
    full = list(shape)
    full[dim] = index.shape[0]
    return index.view(view).expand(*full)


def _index_select_vjp(g: Tensor, out: Any, x: Tensor, index: Tensor, dim: int) -> Any:
    base = zeros(*x.shape, dtype=g.dtype, device=g.device)
    return scatter_add.bind(base, _along(index, g.ndim, dim, tuple(g.shape)), g, dim=dim), None


@defop(COMPOSITE, decomp=_index_select_decomp, vjp=_index_select_vjp, dtypes=D.ALL_AND_COMPLEX,
       ref=lambda x, dim, index: np.take(x, index, axis=dim),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), 0, _index_arg(rng, 3, (5,))),
                         name="repeats"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True), -1,
                          _index_arg(rng, 4, (2,))), name="noncontiguous"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), 1, _index_arg(rng, 4, (0,))),
                         name="empty")])
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """The entries of ``input`` at the positions ``index`` (a 1-D int tensor) along ``dim``.

    Raises:
        IndexError: if ``index`` is not a vector of ints, or out of range.
    """
    if not isinstance(index, Tensor) or index.dtype not in _INDEX_DTYPES or index.ndim > 1:
        got = (f"a {index.ndim}-D {index.dtype.name} tensor" if isinstance(index, Tensor)
               else type(index).__name__)
        raise IndexError(f"index_select(): Index is supposed to be a vector of ints; got {got}")
    if input.ndim == 0:
        return index_select(input.reshape(1), 0, index).reshape(index.shape)
    d = normalize_dim("index_select", dim, input.ndim)
    index = _check_index("index_select", index.reshape(-1), input.shape[d], d, IndexError,
                         negative=False)
    return index_select.bind(input, index, dim=d)


# -- advanced indexing ----------------------------------------------------------------------------


def _key_tuple(key: Any) -> tuple[Any, ...]:
    """PyTorch's reading of a key: a tuple is several indices; so is a short list holding
    slices, None, Ellipsis, tensors or sequences; any other list is one index.
    """
    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and len(key) < 32 and any(
            k is None or k is Ellipsis or isinstance(k, (slice, Tensor, list, tuple, np.ndarray))
            for k in key):
        return tuple(key)
    return (key,)


def _key_item(x: Tensor, k: Any) -> Any:
    """One key entry as an int, bool, slice, None, Ellipsis or an index tensor on x's device."""
    if k is None or k is Ellipsis or isinstance(k, slice):
        return k
    if isinstance(k, (bool, np.bool_)):
        return bool(k)
    if isinstance(k, (int, np.integer)):
        return int(k)
    if isinstance(k, (list, tuple, np.ndarray)):
        t = tensor(k, device=x.device)
        return _key_item(x, t.to(D.int64) if t.numel() == 0 else t)
    if isinstance(k, Tensor):
        if k.dtype.is_floating_point:
            raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors; "
                             f"got {k.dtype.name}")
        if k.dtype is D.uint8:
            k = k.to(D.bool)  # PyTorch's legacy byte masks
        if k.ndim == 0:  # 0-d tensors index like numbers
            return bool(k.item()) if k.dtype is D.bool else int(k.item())
        return k.to(x.device)
    raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                     f"Variables are valid indices (got {type(k).__name__})")


def _consumed(k: Any) -> int:
    if isinstance(k, Tensor):
        return k.ndim if k.dtype is D.bool else 1
    return 1 if isinstance(k, (int, slice)) and not isinstance(k, bool) else 0


def _apply_key(x: Tensor, key: Any) -> tuple[Tensor, tuple[int, ...], tuple[Tensor, ...]]:
    """The basic part of ``key`` applied to ``x`` (a view, or ``x`` itself when it selects
    everything and the key has tensor indices), the dims of that view that tensors index, and
    those tensors as int64, broadcast together, wrapped and checked.
    """
    keys = [_key_item(x, k) for k in _key_tuple(key)]
    if sum(k is Ellipsis for k in keys) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_consumed(k) for k in keys)
    if used > x.ndim:
        if x.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    shape = x.shape
    items: list[tuple[Any, ...]] = []
    adv: list[tuple[int, Tensor]] = []  # (dim of the view, index tensor)
    from_masks: set[int] = set()
    d = 0
    for k in keys:
        if k is Ellipsis:
            for _ in range(x.ndim - used):
                items.append(_full(shape[d]))
                d += 1
        elif k is None:
            items.append(("n",))
        elif isinstance(k, bool):  # like None, then index the new dim with [0] or []
            adv.append((_out_dims(items), arange(int(k), device=x.device)))
            items.append(("n",))
        elif isinstance(k, int):
            n = shape[d]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {d} with size {n}")
            items.append(("i", k % n))
            d += 1
        elif isinstance(k, slice):
            items.append(_slice_item(k, shape[d]))
            d += 1
        elif k.dtype is D.bool:
            for j in range(k.ndim):
                if k.shape[j] != shape[d + j]:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor "
                                     f"{list(shape)} at index {d + j}")
            cols = nonzero.bind(k)
            for j in range(k.ndim):
                col = select(cols, 1, j)
                from_masks.add(id(col))
                adv.append((_out_dims(items), col))
                items.append(_full(shape[d]))
                d += 1
        else:
            adv.append((_out_dims(items), k))
            items.append(_full(shape[d]))
            d += 1
    items.extend(_full(n) for n in shape[d:])
    trivial = all(it == _full(n) for it, n in zip(items, shape)) and len(items) == x.ndim
    view = x if adv and trivial else basic_index.bind(x, items=tuple(items))
    if not adv:
        return view, (), ()
    dims = tuple(od for od, _ in adv)
    try:
        bshape = broadcast_shapes("index", *[t.shape for _, t in adv])
    except ShapeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         f"shapes {', '.join(str(list(t.shape)) for _, t in adv)}") from None
    # Indices from masks (nonzero) are in bounds by construction.
    idx = tuple(t if id(t) in from_masks else
                _check_index("", t, view.shape[od], od, IndexError, negative=True)
                for od, t in adv)
    return view, dims, tuple(t if t.shape == bshape else t.expand(*bshape) for t in idx)


def _out_dims(items: list[tuple[Any, ...]]) -> int:
    return sum(it[0] != "i" for it in items)


def _result_layout(shape: Sequence[int], dims: tuple[int, ...],
                   bshape: Sequence[int]) -> tuple[tuple[int, ...], int, list[int]]:
    """(result shape, where the broadcast index dims start in it, the other dims in order)."""
    rest = [d for d in range(len(shape)) if d not in dims]
    at = dims[0] if dims == tuple(range(dims[0], dims[0] + len(dims))) else 0
    before = [shape[d] for d in rest if d < at]
    return (*before, *bshape, *[shape[d] for d in rest if d >= at]), at, rest


def _flat_positions(shape: Sequence[int], dims: tuple[int, ...], idx: tuple[Tensor, ...],
                    device: Any) -> tuple[Tensor, tuple[int, ...]]:
    """For ``x[idx at dims]``: the row-major position in ``x`` of every result element (int64,
    flattened) and the result shape.
    """
    bshape = tuple(idx[0].shape)
    out, at, rest = _result_layout(shape, dims, bshape)
    cst = contiguous_strides(shape)
    nb = len(bshape)
    pos = idx[0] * cst[dims[0]]
    for d, t in zip(dims[1:], idx[1:]):
        pos = pos + t * cst[d]
    pos = pos.reshape(*([1] * at), *bshape, *([1] * (len(out) - at - nb)))
    for k, d in enumerate(rest):
        axis = k if k < at else k + nb
        along = [1] * len(out)
        along[axis] = shape[d]
        pos = pos + (arange(shape[d], device=device) * cst[d]).reshape(along)
    return reshape(pos.expand(*out), -1), out


def _index_decomp(x: Tensor, *idx: Tensor, dims: tuple[int, ...]) -> Tensor:
    pos, out = _flat_positions(x.shape, dims, idx, x.device)
    return gather.bind(reshape(x, -1), pos, dim=0).view(out)


def _index_vjp(g: Tensor, out: Any, x: Tensor, *idx: Tensor, dims: tuple[int, ...]) -> Any:
    base = zeros(*x.shape, dtype=g.dtype, device=g.device)
    return (_index_put.bind(base, g, *idx, dims=dims, accumulate=True), *[None] * len(idx))


def _advanced_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (3, 4, 5), dt)
    ints = np.array([[0, 2], [-1, 1]])
    yield S.SampleInput((S.Arg(x), S.Arg(ints, differentiable=False)), name="int-tensor")
    yield S.SampleInput((S.Arg(x), slice(None), [3, 0, 3], S.Arg(np.array([1, -2, 4]),
                                                                 differentiable=False)),
                        name="adjacent-repeats")
    yield S.SampleInput((S.Arg(x, noncontig=True), [0, 2], slice(1, None), S.Arg(
        np.array([[4], [0]]), differentiable=False)), name="separated-noncontiguous")
    yield S.SampleInput((S.Arg(x), S.Arg(S.make(rng, (3, 4), D.bool), differentiable=False)),
                        name="bool-mask")
    yield S.SampleInput((S.Arg(x), Ellipsis, None, S.Arg(np.zeros((0,), np.int64))),
                        name="empty")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), True), name="0-d")


@defop(COMPOSITE, decomp=_index_decomp, vjp=_index_vjp, method=False, function=False,
       dtypes=D.ALL_AND_COMPLEX, gradgrad=True, samples=_advanced_samples,
       ref=lambda x, *key: x[key])
def index(input: Tensor, *key: Any) -> Tensor:  # noqa: A002
    """``input[key]`` for a key with tensor (or list) indices: a copy."""
    return _getitem(input, key)


def _getitem(x: Tensor, key: Any) -> Tensor:
    cls = key.__class__
    if (cls is int or cls is slice) and x.ndim:  # the common cases, without the key walk
        n = x.shape[0]
        if cls is slice:
            first = _slice_item(key, n)
        elif -n <= key < n:
            first = ("i", key % n)
        else:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {n}")
        return basic_index.bind(x, items=(first, *[_full(m) for m in x.shape[1:]]))
    view, dims, idx = _apply_key(x, key)
    if not dims:
        return view
    return index.bind(unversioned(view), *idx, dims=dims)


def _strip(v: Tensor, ndim: int) -> Tensor:
    """``v`` without leading size-1 dims beyond ``ndim`` (``x[i] = v`` ignores them)."""
    while v.ndim > ndim and v.shape[0] == 1:
        v = v.reshape(v.shape[1:])
    return v


def _put(x: Tensor, dims: tuple[int, ...], idx: tuple[Tensor, ...], values: Tensor,
         accumulate: bool) -> Tensor:
    out, _, _ = _result_layout(x.shape, dims, idx[0].shape)
    values = _strip(values, len(out))
    try:
        fits = broadcast_shapes("index_put", values.shape, out) == out
    except ShapeError:
        fits = False
    if not fits:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(out)}")
    return _index_put.bind(x, values, *idx, dims=dims, accumulate=bool(accumulate))


def _index_put_decomp(x: Tensor, values: Tensor, *idx: Tensor, dims: tuple[int, ...],
                      accumulate: bool) -> Tensor:
    pos, out = _flat_positions(x.shape, dims, idx, x.device)
    vals = reshape(values.expand(*out), -1)
    op = scatter_add if accumulate else scatter
    return op.bind(reshape(x, -1), pos, vals, dim=0).view(x.shape)


def _index_put_vjp(g: Tensor, out: Any, x: Any, values: Any, *idx: Tensor,
                   dims: tuple[int, ...], accumulate: bool) -> Any:
    gx = g if accumulate else _index_put.bind(g, g.new_zeros(()), *idx, dims=dims,
                                              accumulate=False)
    return (gx, index.bind(g, *idx, dims=dims), *[None] * len(idx))


def _index_put_ref(x: np.ndarray, values: np.ndarray, *idx: np.ndarray,
                   accumulate: bool = False) -> np.ndarray:
    out = x.copy()
    if accumulate:
        np.add.at(out, idx, values)
    else:
        out[idx] = values
    return out


def _index_put_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    x = S.make(rng, (3, 4), dt)
    rows = S.Arg(np.array([0, 2, -1]), differentiable=False)
    yield S.SampleInput((S.Arg(x), S.Arg(S.make(rng, (2, 4), dt)),
                         S.Arg(np.array([0, -1]), differentiable=False)), name="rows")
    yield S.SampleInput((S.Arg(x, noncontig=True), S.Arg(S.make(rng, (4,), dt)), rows),
                        {"accumulate": True}, name="accumulate-broadcast-repeats")
    yield S.SampleInput((S.Arg(x), S.Arg(S.make(rng, (), dt)),
                         S.Arg(S.make(rng, (3, 4), D.bool), differentiable=False)), name="mask")
    yield S.SampleInput((S.Arg(x), S.Arg(S.make(rng, (2,), dt)), S.Arg(np.array([1, 2])),
                         S.Arg(np.array([[3], [0]]))), {"accumulate": True}, name="two-indices")
    yield S.SampleInput((S.Arg(x), S.Arg(S.make(rng, (0, 4), dt)),
                         S.Arg(np.zeros((0,), np.int64))), name="empty")


@defop(COMPOSITE, name="index_put", decomp=_index_put_decomp, vjp=_index_put_vjp, method=False,
       function=False, dtypes=D.ALL_AND_COMPLEX, gradgrad=True, samples=_index_put_samples,
       ref=_index_put_ref)
def _index_put(input: Tensor, values: Tensor, *indices: Any,  # noqa: A002
               accumulate: bool = False) -> Tensor:
    """`index_put` with the index tensors as trailing positional arguments (the op's form)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' must be Tensor, not "
                        f"{type(values).__name__}")
    if values.dtype is not input.dtype:
        raise RuntimeError(f"index_put(): Index put requires the source and destination dtypes "
                           f"match, got {input.dtype.name} for the destination and "
                           f"{values.dtype.name} for the source.")
    if not indices or any(i is not None and not isinstance(i, (Tensor, list, np.ndarray))
                          for i in indices):
        raise TypeError("index_put(): indices must be a tuple of tensors (None for a full dim)")
    view, dims, idx = _apply_key(input, tuple(slice(None) if i is None else i for i in indices))
    if not dims:
        raise TypeError("index_put(): expected at least one index tensor")
    return _put(view, dims, idx, values.to(input.device), accumulate)


@method
def index_put(input: Tensor, indices: Sequence[Any], values: Tensor,  # noqa: A002
              accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (a tuple of index
    tensors for the leading dims; None keeps a dim whole); with ``accumulate=True`` they are
    added, repeated positions included. Differentiable in ``input`` and ``values``.

    Raises:
        RuntimeError: if the dtypes differ or ``values`` do not broadcast to the result.
        IndexError: for an index out of bounds.
    """
    return _index_put(input, values, *indices, accumulate=accumulate)


def _setitem(self: Tensor, key: Any, value: Any) -> None:
    """``self[key] = value``: a basic key copies into the view; an advanced one runs
    `index_put` and writes the result back. Either way autograd sees an in-place op.
    """
    view, dims, idx = _apply_key(self, key)
    if not isinstance(value, (Tensor, bool, int, float)):
        value = tensor(value, dtype=view.dtype, device=view.device)  # lists, NumPy arrays
    if not dims:
        commit(view, copy(view, _strip(value, view.ndim) if isinstance(value, Tensor) else value),
               "copy_")
        return
    if not isinstance(value, Tensor):
        value = scalar_tensor(value, view.device, view.dtype)
    commit(view, _put(unversioned(view), dims, idx, value.to(view.device, view.dtype), False),
           "index_put_")


# -- masks --------------------------------------------------------------------------------------


def _mask_value(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool:
        got = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill: only supports boolean masks, but got mask with dtype "
                           f"{got}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        return value.to(input.device, input.dtype)
    return scalar_tensor(value, input.device, input.dtype)


def _masked_fill_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    v = True if dt is D.bool else (2 if not dt.is_floating_point else -1.5)
    mask = S.make(rng, (3, 4), D.bool)
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), S.Arg(mask, differentiable=False), v),
                        name="scalar")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True),
                         S.Arg(S.make(rng, (4,), D.bool), differentiable=False),
                         S.Arg(S.make(rng, (), dt))), name="broadcast-noncontiguous-tensor-value")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), S.Arg(np.array(True), differentiable=False),
                         v), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2), dt)),
                         S.Arg(S.make(rng, (0, 2), D.bool), differentiable=False), v),
                        name="empty")


@defop(COMPOSITE, decomp=lambda x, mask, value: where(mask, value, x), dtypes=D.ALL_AND_COMPLEX,
       samples=_masked_fill_samples,
       ref=lambda x, m, v: np.where(m, np.asarray(v).astype(x.dtype), x))
def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``input`` with ``value`` (a number or 0-d tensor, differentiable) where ``mask`` is
    True; ``mask`` broadcasts.

    Raises:
        RuntimeError: for a non-bool mask or a value tensor with dimensions.
    """
    return masked_fill.bind(input, mask, _mask_value(input, mask, value))


def _masked_select_decomp(x: Tensor, mask: Tensor) -> Tensor:
    shape = broadcast_shapes("masked_select", x.shape, mask.shape) or (1,)
    xb, mb = expand(x, *shape), expand(mask, *shape)
    cols = nonzero.bind(mb)
    return index.bind(xb, *[select(cols, 1, j) for j in range(len(shape))],
                      dims=tuple(range(len(shape))))


def _masked_select_ref(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    xb, mb = np.broadcast_arrays(x, mask)
    return xb[mb].copy()


@defop(COMPOSITE, decomp=_masked_select_decomp, dtypes=D.ALL_AND_COMPLEX, ref=_masked_select_ref,
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)),
                          S.Arg(S.make(rng, (3, 4), D.bool), differentiable=False)), name="same"),
           S.SampleInput((S.Arg(S.make(rng, (3, 1), dt), noncontig=True),
                          S.Arg(S.make(rng, (4,), D.bool), differentiable=False)),
                         name="broadcast-noncontiguous"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), S.Arg(np.array(True),
                                                             differentiable=False)), name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), S.Arg(np.ones(3, bool),
                                                                 differentiable=False)),
                         name="empty")])
def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements of ``input`` where ``mask`` is True, as a 1-D copy (both broadcast).

    Raises:
        RuntimeError: for a non-bool mask.
    """
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool:
        raise RuntimeError(f"masked_select: expected a bool mask; got "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    return masked_select.bind(input, mask)


def _nonzero_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    for shape in [(3, 4), (5,), (), (0, 2)]:
        x = S.make(rng, shape, dt)
        yield S.SampleInput((S.Arg(np.where(S.make(rng, shape, D.bool), x, 0).astype(x.dtype)),),
                            name=f"shape{shape}")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt), noncontig=True),), name="noncontiguous")


@defop(PRIMITIVE, differentiable=False, dtypes=D.ALL_AND_COMPLEX, samples=_nonzero_samples,
       ref=lambda x, as_tuple=False: np.argwhere(x))
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices of the non-zero elements: an int64 tensor of shape (count, ndim), or with
    ``as_tuple=True`` one 1-D tensor per dim (a 0-d input counts as 1-D).

    Example:
        >>> import tensorweave as tw
        >>> tw.nonzero(tw.tensor([0, 3, 0, 5]))
        tensor([[1],
                [3]])
    """
    if not as_tuple:
        return nonzero.bind(input)
    cols = nonzero.bind(input.reshape(1) if input.ndim == 0 else input)
    return unbind(cols, 1)


@method
def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:  # noqa: A002
    """`nonzero` with a fixed number of rows: the first ``size`` indices, padded with rows of
    ``fill_value`` when there are fewer.

    Raises:
        RuntimeError: for a negative ``size``.
    """
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer; got {size}")
    found = nonzero(input)
    if found.shape[0] >= size:
        return found[:size]
    pad = found.new_full((size - found.shape[0], found.shape[1]), fill_value)
    return _cat(found, pad, dim=0)


# -- flip and roll --------------------------------------------------------------------------------


def _flip_decomp(x: Tensor, dims: tuple[int, ...]) -> Tensor:
    for d in dims:
        n = x.shape[d]
        x = index_select.bind(x, arange(n - 1, -1, -1, device=x.device), dim=d)
    return x if dims else clone.bind(x)


@defop(COMPOSITE, decomp=_flip_decomp, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, x, dims: (flip.bind(g, dims=dims),),
       ref=lambda x, dims: np.flip(x, dims).copy(),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (2, 3, 4), dt)), (0, -1)), name="two-dims"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True), [1]),
                         name="noncontiguous"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), ()), name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), (0, 1)), name="empty")])
def flip(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` with the order of elements reversed along ``dims``.

    Raises:
        RuntimeError: if a dim repeats.
    """
    return flip.bind(input, dims=normalize_dims("flip", dims, input.ndim))


def _roll_decomp(x: Tensor, shifts: tuple[int, ...], dims: tuple[int, ...]) -> Tensor:
    if not dims:
        return _roll_decomp(reshape(x, -1), shifts, (0,)).view(x.shape)
    out = x
    for s, d in zip(shifts, dims):
        n = out.shape[d]
        if n and s % n:
            s %= n
            out = _cat.bind(narrow(out, d, n - s, s), narrow(out, d, 0, n - s), dim=d)
    return clone.bind(out) if out is x else out


@defop(COMPOSITE, decomp=_roll_decomp, save_inputs=False, dtypes=D.ALL_AND_COMPLEX,
       vjp=lambda g, out, x, shifts, dims: (
           roll.bind(g, shifts=tuple(-s for s in shifts), dims=dims),),
       ref=lambda x, shifts, dims=None: np.roll(x, shifts, dims),
       samples=lambda dt, rng: [
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), 2), name="flat"),
           S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True), (1, -5), (0, -1)),
                         name="two-dims-noncontiguous"),
           S.SampleInput((S.Arg(S.make(rng, (), dt)), 1), name="0-d"),
           S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1, 0), name="empty")])
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """``input`` with elements shifted by ``shifts`` along ``dims`` (wrapping around); with no
    dims, over the flattened tensor.

    Raises:
        RuntimeError: if shifts and dims differ in length.
    """
    sh = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align; got shifts {list(sh)} "
                               "and no dims")
        return roll.bind(input, shifts=sh, dims=())
    ds = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims: {len(ds)}")
    return roll.bind(input, shifts=sh, dims=tuple(normalize_dim("roll", d, input.ndim)
                                                  for d in ds))


# -- PyTorch's convenience indexing (helpers over the ops above) ---------------------------------

def _index_tensor(op: str, index: Any) -> Tensor:
    if not isinstance(index, Tensor) or index.dtype not in _INDEX_DTYPES:
        got = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"{op}(): index must be an integer tensor; got {got}")
    return index


@method
def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """``input`` read as 1-D at ``index`` (negative indices count from the end); the result
    has ``index``'s shape.

    Raises:
        IndexError: for an index outside the input.
    """
    flat = input.reshape(-1)
    idx = _index_tensor("take", index)
    checked = _check_index("take", idx.reshape(-1), flat.shape[0], 0, IndexError, True)
    return index_select.bind(flat, checked, dim=0).reshape(*idx.shape)


@method
def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """The indices of the nonzero elements, shape (count, ndim): `nonzero`."""
    return nonzero(input)


@method
def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times, consecutively;
    ``repeats`` is a number or one count per slice. Without ``dim`` the input is flattened.
    ``repeat_interleave(counts)`` alone gives ``[0]*counts[0] + [1]*counts[1] + ...``.

    Raises:
        RuntimeError: for negative repeats, or a count per slice of the wrong length.
    """
    if repeats is None:  # torch.repeat_interleave(repeats)
        counts = input
        return repeat_interleave(arange(counts.shape[0], device=counts.device), counts, 0)
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else normalize_dim("repeat_interleave", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if isinstance(repeats, Tensor) and repeats.ndim:
        counts = [int(c) for c in repeats.tolist()]
        if len(counts) != n:
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input "
                               f"along dim {d}: got {len(counts)} repeats for size {n}")
    else:
        counts = [int(repeats)] * n
    if any(c < 0 for c in counts):
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    idx = tensor(np.repeat(np.arange(n), counts), dtype=D.int64, device=x.device)
    return index_select.bind(x.reshape(1) if x.ndim == 0 else x, idx, dim=d)  # in range


@method
def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:  # noqa: A002
    """``input`` rotated by 90 degrees ``k`` times in the plane ``dims``, from the first
    towards the second axis.

    Raises:
        RuntimeError: for a ``dims`` that is not two different dims.
    """
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    d0, d1 = (normalize_dim("rot90", d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return flip(input, [d1]).transpose(d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return flip(input, [d0]).transpose(d0, d1)
    return input.clone()


@method
def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` with dim 1 reversed (left-right).

    Raises:
        RuntimeError: for fewer than two dims.
    """
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d; got {input.ndim}-d")
    return flip(input, [1])


@method
def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` with dim 0 reversed (up-down).

    Raises:
        RuntimeError: for a 0-d input.
    """
    if input.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d; got 0-d")
    return flip(input, [0])


@method
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """`gather` with broadcasting: ``input`` and ``indices`` broadcast except along ``dim``;
    without ``dim`` both are flattened."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = normalize_dim("take_along_dim", dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    shape_x, shape_i = list(input.shape), list(indices.shape)
    shape_x[d] = shape_i[d] = 1
    common = broadcast_shapes("take_along_dim", tuple(shape_x), tuple(shape_i))
    want_x = [input.shape[d] if k == d else n for k, n in enumerate(common)]
    want_i = [indices.shape[d] if k == d else n for k, n in enumerate(common)]
    return gather(input.expand(*want_x), d, indices.expand(*want_i))


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates of flat ``indices`` in a tensor of ``shape``: one tensor per dim.

    Raises:
        RuntimeError: for indices outside the shape or non-integer indices.
    """
    idx = indices if isinstance(indices, Tensor) else tensor(indices)
    if idx.dtype.is_floating_point or idx.dtype is D.bool:
        raise TypeError(f"unravel_index: expected 'indices' to be an integer tensor, but got "
                        f"{idx.dtype.name}")
    dims = _shape_arg("unravel_index", (shape,))
    total = int(np.prod(dims))
    lo, hi = index_bounds(idx) if idx.numel() else (0, 0)
    if lo < -total or hi >= total:
        raise RuntimeError(f"unravel_index: 'indices' must be in range [{-total}, {total - 1}] "
                           f"for shape {list(dims)}")
    rest = where(lt(idx, 0), idx + total, idx)
    out = []
    for n in reversed(dims):
        out.append(rest % n)
        rest = rest // n
    return tuple(reversed(out))


def _slice_index(op: str, input: Tensor, dim: int, index: Tensor,  # noqa: A002
           like: tuple[int, ...]) -> tuple[int, Tensor]:
    """``index`` (1-D, one entry per slice of dim ``dim``) expanded to ``like``, the shape of
    the slices being written, as `scatter` takes it."""
    d = normalize_dim(op, dim, max(input.ndim, 1))
    idx = _index_tensor(op, index)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector; got shape {list(idx.shape)}")
    shape = [1] * len(like)
    if like:
        shape[d] = -1
    return d, idx.reshape(*shape).expand(*like) if like else idx.reshape(())


@method
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,  # noqa: A002
              alpha: Any = 1) -> Tensor:
    """A copy of ``input`` with ``alpha * source[..., i, ...]`` added to slice ``index[i]``
    along ``dim`` (repeated indices accumulate)."""
    d, idx = _slice_index("index_add", input, dim, index, tuple(source.shape))
    return scatter_add(input, d, idx, source if alpha == 1 else source * alpha)


@method
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` with slice ``index[i]`` along ``dim`` replaced by ``source``'s
    slice ``i`` (with repeated indices, which one lands is unspecified, as in PyTorch)."""
    d, idx = _slice_index("index_copy", input, dim, index, tuple(source.shape))
    return scatter(input, d, idx, source)


@method
def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` with the slices ``index`` along ``dim`` set to ``value``."""
    d = normalize_dim("index_fill", dim, max(input.ndim, 1))
    idx = _index_tensor("index_fill", index).reshape(-1)
    n = input.shape[d] if input.ndim else 1
    hit = zeros((n,), dtype=D.bool, device=input.device)
    hit = scatter(hit, 0, idx, value=True)
    mask = hit.reshape(*[n if i == d else 1 for i in range(input.ndim)]) if input.ndim else \
        hit.reshape(())
    return masked_fill(input, mask, value)


# -- Tensor protocol and in-place methods -------------------------------------------------------
# Indexing is Python protocol, not an op: bound here, next to the code that implements it.
Tensor.__getitem__ = _getitem  # type: ignore[assignment]
Tensor.__setitem__ = _setitem  # type: ignore[assignment]
Tensor.masked_fill_ = inplace_method(masked_fill, reads_self=False)  # type: ignore[attr-defined]
Tensor.scatter_ = inplace_method(scatter, reads_self=False)  # type: ignore[attr-defined]
Tensor.scatter_add_ = inplace_method(scatter_add, reads_self=False)  # type: ignore[attr-defined]
Tensor.index_put_ = inplace_method(  # type: ignore[attr-defined]
    index_put, name="index_put_", reads_self=False)
Tensor.index_add_ = inplace_method(  # type: ignore[attr-defined]
    index_add, name="index_add_", reads_self=False)
Tensor.index_copy_ = inplace_method(  # type: ignore[attr-defined]
    index_copy, name="index_copy_", reads_self=False)
Tensor.index_fill_ = inplace_method(  # type: ignore[attr-defined]
    index_fill, name="index_fill_", reads_self=False)
