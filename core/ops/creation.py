"""Creation ops: tensors from data, constants, ranges, and triangular masks.

``full`` and ``arange`` are primitives (every backend fills its own memory);
zeros/ones/eye/linspace/tril... are built on them. Random creation ops
(``rand``, ``randn``...) live in `tensorweave.random`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..device import resolve
from ..layouts import contiguous_format, factory, fixed_order, laid_out, order_for, preserve_format
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, defop
from .movement import _shape_arg

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "scalar_tensor", "full", "zeros", "ones",
           "empty", "full_like", "zeros_like", "ones_like", "empty_like", "arange", "linspace",
           "logspace", "eye", "tril", "triu", "tril_indices", "triu_indices"]


@factory
def tensor(data: Any, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, NumPy arrays, tensors).

    Python floats become the default dtype (float32), Python ints int64, bools bool.

    Example:
        >>> import tensorweave as tw
        >>> tw.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
    """
    t = Tensor._from_value(data, device, dtype)
    return t.requires_grad_(True) if requires_grad else t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor`, but returns ``data`` itself when it already is a matching tensor and
    shares memory with a NumPy array on cpu when the dtype allows.
    """
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if isinstance(data, np.ndarray) and dtype is None and resolve(device)[0].type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` as a tensor, like `torch.asarray`: a tensor or a cpu NumPy array is shared
    (not copied) when the dtype and device already match, unless ``copy=True``; with
    ``copy=False`` a needed conversion is an error instead. A tensor's conversions stay in the
    autograd graph; ``requires_grad`` defaults to the input tensor's, as in PyTorch 2.13.

    Raises:
        RuntimeError: with ``copy=False`` where the dtype or device would have to change.
    """
    dt = None if dtype is None else D.to_dtype(dtype)
    dev = None if device is None else resolve(device)[0]
    if isinstance(obj, Tensor):
        src_dt, src_dev = obj.dtype, obj.device
    elif isinstance(obj, np.ndarray) and obj.dtype.kind in "biuf" and obj.dtype.itemsize <= 8:
        src_dt, src_dev = D.from_numpy_dtype(obj.dtype), resolve("cpu")[0]
    else:  # numbers and sequences: always a new tensor
        out = tensor(obj, dtype=dt, device=dev)
        return out.requires_grad_() if requires_grad else out
    if copy is False and ((dt is not None and dt is not src_dt) or
                          (dev is not None and dev != src_dev)):
        raise RuntimeError(f"asarray: can't alias {src_dt.name} data on {src_dev} into "
                           f"{(dt or src_dt).name} on {dev or src_dev}; pass copy=None to "
                           "allow a converted copy")
    if isinstance(obj, np.ndarray):
        out = from_numpy(obj) if not copy and dt in (None, src_dt) and dev in (None, src_dev) \
            else tensor(obj, dtype=dt, device=dev)
    else:
        out = obj.to(device=dev, dtype=dt)
        if copy and out is obj:
            out = obj.clone()
    if requires_grad is False and out.requires_grad:
        return out.detach()
    return out.requires_grad_() if requires_grad and not out.requires_grad else out


def from_numpy(array: np.ndarray) -> Tensor:
    """A cpu tensor that shares memory with ``array`` (changes show in both).

    Raises:
        TypeError: for unsupported NumPy dtypes or non-arrays.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray; got {type(array).__name__}")
    dt = D.from_numpy_dtype(array.dtype)
    dev, _ = resolve("cpu")
    return Tensor._wrap(array, dev, dt)


@factory
def scalar_tensor(value: Any, device: Any = None, dtype: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor (default dtype for Python floats)."""
    dt = D.scalar_dtype(value) if dtype is None else D.to_dtype(dtype)
    return full((), value, dtype=dt, device=device, requires_grad=requires_grad)


def factory_size(op: str, args: Sequence[Any], size: Any = None) -> tuple[int, ...]:
    """The shape of a factory call: ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``.

    Raises:
        TypeError: for sizes given both ways, or non-int sizes.
        RuntimeError: for a negative size, as PyTorch.
    """
    if size is not None:
        if args:
            raise TypeError(f"{op}: got sizes both as arguments {tuple(args)} and as "
                            f"size={size!r}; pass one of them")
        args = (size,)
    shape = _shape_arg(op, args)
    if any(s < 0 for s in shape):
        neg = next(s for s in shape if s < 0)
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {neg}: "
                           f"{list(shape)}")
    return shape


def _factory_dtype(dtype: Any, fill: Any = 0.0) -> D.dtype:
    if dtype is not None:
        return D.to_dtype(dtype)
    if isinstance(fill, (bool, np.bool_)):
        return D.bool
    if isinstance(fill, (int, np.integer)):
        return D.int64
    if isinstance(fill, (complex, np.complexfloating)):
        return D.default_complex()
    return D.get_default_dtype()


def _full_ref(size: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
    return np.full(size, fill_value, dtype=None if dtype is None else D.to_dtype(dtype).np)


@defop(PRIMITIVE, method=False, differentiable=False, dtypes=D.ALL_AND_COMPLEX, ref=_full_ref,
       samples=lambda dt, rng: [S.SampleInput(((2, 3), 1 if dt is not D.bool else True),
                                              {"dtype": dt}, name="2x3"),
                                S.SampleInput(((), 0), {"dtype": dt}, name="0-d"),
                                S.SampleInput(((0,), 0), {"dtype": dt}, name="empty")])
@factory
def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it by default)."""
    dev, _ = resolve(device)
    shape = factory_size("full", (size,) if isinstance(size, int) else tuple(size))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    out = full.bind(size=shape, fill_value=fill_value, dtype=_factory_dtype(dtype, fill_value),
                    device=dev)
    return out.requires_grad_(True) if requires_grad else out


@factory
def zeros(*args: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32): ``zeros(2, 3)``, ``zeros((2, 3))`` or
    ``zeros(size=(2, 3))``.
    """
    return full(factory_size("zeros", args, size), 0, dtype=_factory_dtype(dtype),
                device=device, requires_grad=requires_grad)


@factory
def ones(*args: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default dtype float32); sizes as for `zeros`."""
    return full(factory_size("ones", args, size), 1, dtype=_factory_dtype(dtype),
                device=device, requires_grad=requires_grad)


@factory
def empty(*args: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, memory_format: Any = contiguous_format) -> Tensor:
    """An uninitialized tensor; tensorweave fills it with zeros so results never vary.
    ``memory_format=channels_last`` lays a 4-d one out as NHWC.

    Raises:
        RuntimeError: for ``preserve_format`` (there is no input to preserve) or a format
            of another rank.
    """
    shape = factory_size("empty", args, size)
    order = fixed_order("empty", memory_format, len(shape))
    if order is None:
        raise RuntimeError("unsupported memory format Preserve")
    out = laid_out(lambda s: full(s, 0, dtype=_factory_dtype(dtype), device=device), shape,
                   order)
    return out.requires_grad_(True) if requires_grad else out


def like(op: str, input: Tensor, make: Callable[..., Tensor], dtype: Any, device: Any,  # noqa: A002
         requires_grad: bool, memory_format: Any) -> Tensor:
    """``make(shape, dtype=, device=)`` in the shape, dtype and device of ``input`` (unless
    given) and laid out in ``memory_format`` (by default ``input``'s own order): what every
    ``*_like`` factory returns."""
    order = order_for(op, input, memory_format)
    out = laid_out(lambda s: make(s, dtype=dtype if dtype is not None else input.dtype,
                                  device=device if device is not None else input.device),
                   tuple(input.shape), order)
    return out.requires_grad_(True) if requires_grad else out


@factory
def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False,
              memory_format: Any = preserve_format) -> Tensor:
    """A tensor like ``input`` (shape, dtype, device, memory order) filled with
    ``fill_value``."""
    return like("full_like", input, lambda s, **kw: full(s, fill_value, **kw), dtype, device,
                requires_grad, memory_format)


@factory
def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = preserve_format) -> Tensor:
    """A tensor of zeros like ``input`` (shape, dtype, device, memory order)."""
    return like("zeros_like", input, lambda s, **kw: full(s, 0, **kw), dtype, device,
                requires_grad, memory_format)


@factory
def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = preserve_format) -> Tensor:
    """A tensor of ones like ``input`` (shape, dtype, device, memory order)."""
    return like("ones_like", input, lambda s, **kw: full(s, 1, **kw), dtype, device,
                requires_grad, memory_format)


empty_like = zeros_like


def _arange_ref(start: Any, end: Any, step: Any, dtype: Any = None) -> np.ndarray:
    return np.arange(start, end, step, dtype=None if dtype is None else D.to_dtype(dtype).np)


@defop(PRIMITIVE, method=False, differentiable=False, dtypes=(D.int64, D.float32, D.float64),
       ref=_arange_ref,
       samples=lambda dt, rng: [S.SampleInput((0, 5, 1), {"dtype": dt}, name="0..5"),
                                S.SampleInput((1, 2, 0.25) if dt.is_floating_point else (7, 1, -2),
                                              {"dtype": dt}, name="step")])
@factory
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``, like `torch.arange`.

    Integers give int64, any float argument gives the default dtype.

    Raises:
        RuntimeError: for a zero step or a step of the wrong sign.
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        dtype = D.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else \
            D.get_default_dtype()
    dev, _ = resolve(device)
    out = arange.bind(start=start, end=end, step=step, dtype=D.to_dtype(dtype), device=dev)
    return out.requires_grad_(True) if requires_grad else out


def _scalar_arg(op: str, name: str, v: Any, complex_ok: bool = False) -> Any:
    if isinstance(v, Tensor):
        if v.numel() != 1:
            raise RuntimeError(f"{op}: {name} must be a number or a 0-dimensional tensor; got a "
                               f"tensor of shape {list(v.shape)}")
        v = v.item()
    kinds = (int, float, np.integer, np.floating) + ((complex, np.complexfloating)
                                                     if complex_ok else ())
    if not isinstance(v, kinds) or isinstance(v, bool):
        raise TypeError(f"{op}: {name} must be a {'number' if complex_ok else 'real number'}; "
                        f"got {type(v).__name__}")
    return v


def _linspace_decomp(start: Any, end: Any, steps: int, dtype: D.dtype, device: Any) -> Tensor:
    # PyTorch's kernel: the first half counts up from start, the second half down from end,
    # so both endpoints are exact; integer results are computed in double, then truncated.
    ct = dtype if dtype.is_floating_point else D.float64
    if not dtype.is_floating_point:
        start, end = int(start), int(end)
    if steps <= 1:
        return full.bind(size=(steps,), fill_value=start, dtype=dtype, device=device)
    from .elementwise import where

    step = (end - start) / (steps - 1)
    i = arange.bind(start=0, end=steps, step=1, dtype=ct, device=device)
    out = where(i < steps // 2, i * step + start, end - (steps - 1 - i) * step)
    return out.to(dtype)


def _linspace_ref(start: Any, end: Any, steps: int, dtype: Any = None) -> np.ndarray:
    out = np.linspace(start, end, steps)
    return out if dtype is None else out.astype(D.to_dtype(dtype).np)


def _range_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput((0, 10, 5), {"dtype": dt}, name="0..10")
    yield S.SampleInput((-5, 5, 4), {"dtype": dt}, name="negative")
    yield S.SampleInput((3, 1, 7) if not dt.is_floating_point else (2.5, -1.5, 7),
                        {"dtype": dt}, name="descending")
    yield S.SampleInput((1, 4, 1), {"dtype": dt}, name="one-step")
    yield S.SampleInput((1, 4, 0), {"dtype": dt}, name="empty")


def _steps_arg(op: str, steps: Any) -> int:
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"{op}: steps must be an int; got {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative; got {steps}")
    return int(steps)


@defop(COMPOSITE, decomp=_linspace_decomp, method=False, differentiable=False,
       dtypes=(D.int32, D.int64, D.float32, D.float64), ref=_linspace_ref,
       samples=_range_samples)
@factory
def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    The result has the default dtype unless ``dtype`` is given (even for int endpoints),
    as in PyTorch; integer dtypes truncate.

    Raises:
        RuntimeError: for a negative ``steps``.

    Example:
        >>> import tensorweave as tw
        >>> tw.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start = _scalar_arg("linspace", "start", start, complex_ok=True)
    end = _scalar_arg("linspace", "end", end, complex_ok=True)
    dev, _ = resolve(device)
    cplx = isinstance(start, (complex, np.complexfloating)) or isinstance(
        end, (complex, np.complexfloating))
    dt = ((D.default_complex() if cplx else D.get_default_dtype()) if dtype is None
          else D.to_dtype(dtype))
    steps = _steps_arg("linspace", steps)
    if dt.is_complex:  # the parts are evenly spaced
        from .complex_numbers import complex as from_parts

        lo, hi = complex(start), complex(end)
        out = from_parts(linspace.bind(start=lo.real, end=hi.real, steps=steps,
                                       dtype=dt.to_real(), device=dev),
                         linspace.bind(start=lo.imag, end=hi.imag, steps=steps,
                                       dtype=dt.to_real(), device=dev))
    else:
        if cplx:
            raise RuntimeError(f"linspace: complex endpoints need a complex dtype; got "
                               f"dtype={dt!r}")
        out = linspace.bind(start=start, end=end, steps=steps, dtype=dt, device=dev)
    return out.requires_grad_(True) if requires_grad else out


def _logspace_decomp(start: Any, end: Any, steps: int, base: Any, dtype: D.dtype,
                     device: Any) -> Tensor:
    ct = dtype if dtype.is_floating_point else D.float64
    exps = linspace.bind(start=start, end=end, steps=steps, dtype=ct, device=device)
    return (base ** exps).to(dtype)


@defop(COMPOSITE, decomp=_logspace_decomp, method=False, differentiable=False,
       dtypes=(D.int64, D.float32, D.float64),
       ref=lambda start, end, steps, base=10.0, dtype=None: np.power(
           base, np.linspace(start, end, steps)).astype(D.to_dtype(dtype).np),
       samples=lambda dt, rng: [
           S.SampleInput((0, 3, 4), {"dtype": dt}, name="base10"),
           S.SampleInput((-1, 2, 7), {"base": 2.0, "dtype": dt}, name="base2"),
           S.SampleInput((0, 2, 0), {"dtype": dt}, name="empty")])
@factory
def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in log scale.

    Raises:
        RuntimeError: for a negative ``steps``.

    Example:
        >>> import tensorweave as tw
        >>> tw.logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
    """
    start, end = _scalar_arg("logspace", "start", start), _scalar_arg("logspace", "end", end)
    dev, _ = resolve(device)
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    out = logspace.bind(start=start, end=end, steps=_steps_arg("logspace", steps),
                        base=_scalar_arg("logspace", "base", base), dtype=dt, device=dev)
    return out.requires_grad_(True) if requires_grad else out


def _eye_decomp(n: int, m: int, dtype: D.dtype, device: Any) -> Tensor:
    rows = arange.bind(start=0, end=n, step=1, dtype=D.int64, device=device).view(n, 1)
    cols = arange.bind(start=0, end=m, step=1, dtype=D.int64, device=device).view(1, m)
    return (rows == cols).to(dtype)


@defop(COMPOSITE, decomp=_eye_decomp, method=False, differentiable=False, dtypes=D.ALL_AND_COMPLEX,
       ref=lambda n, m=None, dtype=None: np.eye(n, m, dtype=D.to_dtype(dtype).np),
       samples=lambda dt, rng: [S.SampleInput((3,), {"dtype": dt}, name="square"),
                                S.SampleInput((2, 4), {"dtype": dt}, name="wide"),
                                S.SampleInput((4, 1), {"dtype": dt}, name="tall"),
                                S.SampleInput((0,), {"dtype": dt}, name="empty")])
@factory
def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal: ``n`` rows, ``m`` (default ``n``) columns.

    Raises:
        RuntimeError: for a negative ``n`` or ``m``.

    Example:
        >>> import tensorweave as tw
        >>> tw.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"eye: {name} must be an int; got {type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {v}")
    dev, _ = resolve(device)
    out = eye.bind(n=int(n), m=int(m), dtype=_factory_dtype(dtype), device=dev)
    return out.requires_grad_(True) if requires_grad else out


def _tri_decomp(x: Tensor, diagonal: int, upper: bool) -> Tensor:
    from .elementwise import where

    n, m = x.shape[-2:]
    rows = arange.bind(start=0, end=n, step=1, dtype=D.int64, device=x.device).view(n, 1)
    cols = arange.bind(start=0, end=m, step=1, dtype=D.int64, device=x.device).view(1, m)
    keep = (cols - rows >= diagonal) if upper else (cols - rows <= diagonal)
    return where(keep, x, full.bind(size=(), fill_value=0, dtype=x.dtype, device=x.device))


def _tri_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)),), name="3x4")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt)), 1), name="diagonal=1")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)), -2), name="diagonal=-2")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3, 3), dt)),), name="batched")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True),), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)),), name="empty")


def _tri_check(op: str, x: Tensor, diagonal: Any) -> int:
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions; got a "
                           f"{x.ndim}-D tensor of shape {list(x.shape)}")
    if not isinstance(diagonal, (int, np.integer)) or isinstance(diagonal, bool):
        raise TypeError(f"{op}: diagonal must be an int; got {type(diagonal).__name__}")
    return int(diagonal)


@defop(COMPOSITE, decomp=lambda x, diagonal: _tri_decomp(x, diagonal, False),
       dtypes=D.ALL_AND_COMPLEX,
       save_inputs=False, vjp=lambda g, out, x, diagonal: (tril(g, diagonal),),
       ref=lambda x, diagonal=0: np.tril(x, diagonal), samples=_tri_samples, gradgrad=True)
def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dimensions (elements with ``col - row <= diagonal``);
    the rest is zero.

    Raises:
        RuntimeError: for a tensor with fewer than 2 dimensions.

    Example:
        >>> import tensorweave as tw
        >>> tw.tril(tw.ones(2, 2))
        tensor([[1., 0.],
                [1., 1.]])
    """
    return tril.bind(input, diagonal=_tri_check("tril", input, diagonal))


@defop(COMPOSITE, decomp=lambda x, diagonal: _tri_decomp(x, diagonal, True),
       dtypes=D.ALL_AND_COMPLEX,
       save_inputs=False, vjp=lambda g, out, x, diagonal: (triu(g, diagonal),),
       ref=lambda x, diagonal=0: np.triu(x, diagonal), samples=_tri_samples)
def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dimensions (elements with ``col - row >= diagonal``);
    the rest is zero.

    Raises:
        RuntimeError: for a tensor with fewer than 2 dimensions.
    """
    return triu.bind(input, diagonal=_tri_check("triu", input, diagonal))


def _tri_indices(row: int, col: int, offset: int, upper: bool, dtype: Any,
                 device: Any) -> Tensor:
    r, c = np.triu_indices(row, offset, col) if upper else np.tril_indices(row, offset, col)
    return tensor(np.stack([r, c]), dtype=D.int64 if dtype is None else dtype, device=device)


@factory
def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a ``row`` x ``col`` matrix, row by
    row (``offset`` as `tril`'s ``diagonal``)."""
    return _tri_indices(row, col, offset, False, dtype, device)


@factory
def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a ``row`` x ``col`` matrix, row by
    row (``offset`` as `triu`'s ``diagonal``)."""
    return _tri_indices(row, col, offset, True, dtype, device)
