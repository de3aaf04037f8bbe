"""``tensorweave.testing``: PyTorch's ``torch.testing`` helpers, ``assert_close`` and
``make_tensor``, so a test suite written against torch runs after changing its import.

``assert_close`` compares on the host with NumPy, after PyTorch's attribute checks (shape,
dtype, device) and with PyTorch's per-dtype default tolerances and error messages, so a
failure reads the same in either framework.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import numpy as np

from . import dtypes as D
from .ops.creation import empty, tensor
from .random import randint
from .tensor import Tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) by dtype, PyTorch's table; every other dtype compares exactly.
_DTYPE_PRECISIONS = {D.float16: (1e-3, 1e-5), D.bfloat16: (1.6e-2, 1e-5),
                     D.float32: (1.3e-6, 1e-5), D.float64: (1e-7, 1e-7)}
_INTEGRAL = (D.uint8, D.int8, D.int16, D.int32, D.int64)


class _Failure(Exception):
    """One mismatch: the exception type and message to raise (before ``msg`` and the item
    path are applied)."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _tolerances(*dtypes: Any) -> tuple[float, float]:
    rtols, atols = zip(*(_DTYPE_PRECISIONS.get(d, (0.0, 0.0)) for d in dtypes))
    return max(rtols), max(atols)


def _diff_line(kind: str, diff: Any, index: tuple[int, ...] | None, tol: float,
               equality: bool) -> str:
    line = (f"{kind.title()} difference: {diff}" if index is None
            else f"Greatest {kind} difference: {diff} at index {index}")
    return line + ("" if equality else f" (up to {tol} allowed)") + "\n"


def _mismatch(identifier: str, extra: str, abs_diff: Any, rel_diff: Any, rtol: float,
              atol: float, abs_index: tuple[int, ...] | None = None,
              rel_index: tuple[int, ...] | None = None) -> str:
    equality = rtol == 0 and atol == 0
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += _diff_line("absolute", abs_diff, abs_index, atol, equality)
    msg += _diff_line("relative", rel_diff, rel_index, rtol, equality)
    return msg.strip()


def _close(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
           equal_nan: bool) -> np.ndarray:
    """PyTorch's ``isclose``: equal (infinities included), or within ``atol + rtol |e|``."""
    if actual.dtype.kind in "biu":
        return actual == expected
    with np.errstate(invalid="ignore", over="ignore"):
        close = (actual == expected) | (np.abs(actual - expected) <= atol + rtol * np.abs(expected))
        close &= np.isfinite(actual) | (actual == expected)
    if equal_nan:
        close |= np.isnan(actual) & np.isnan(expected)
    return close


def _compare_scalars(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_dtype: bool) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                       f"{type(expected)}.")
    if rtol is None:
        rtol, atol = (1e-7, 1e-7) if isinstance(actual, float) or isinstance(expected, float) \
            else (0.0, 0.0)
    if not bool(_close(np.asarray(actual), np.asarray(expected), rtol, atol, equal_nan)):
        raise _Failure(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _scalar_message(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = math.inf if expected == 0 else abs_diff / abs(expected)
    return _mismatch("Scalars", f"Expected {expected} but got {actual}.", abs_diff, rel_diff,
                     rtol, atol)


def _attribute(name: str, a: Any, e: Any) -> None:
    if a != e:
        raise _Failure(AssertionError,
                       f"The values for attribute '{name}' do not match: {a} != {e}.")


def _tensor_dtype(x: Any) -> Any:
    return x.dtype if isinstance(x, Tensor) else D._BY_NP.get(x.dtype, x.dtype)


def _compare_tensors(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_device: bool, check_dtype: bool,
                     check_stride: bool) -> None:
    is_tensor = isinstance(actual, Tensor)
    _attribute("shape", actual.shape, expected.shape)
    if is_tensor and check_device:
        _attribute("device", actual.device, expected.device)
    if check_dtype:
        _attribute("dtype", actual.dtype, expected.dtype)
    if is_tensor and check_stride:
        _attribute("stride()", actual.stride(), expected.stride())
    if rtol is None:
        rtol, atol = _tolerances(_tensor_dtype(actual), _tensor_dtype(expected))
    a = actual.detach().cpu().numpy() if is_tensor else np.asarray(actual)
    e = expected.detach().cpu().numpy() if is_tensor else np.asarray(expected)
    common = (D.promote_types(actual.dtype, expected.dtype).np if is_tensor
              else np.result_type(a, e))
    a, e = a.astype(common), e.astype(common)
    if common == D.bfloat16.np:  # compare its values in float32, which NumPy computes with
        a, e = a.astype(np.float32), e.astype(np.float32)
    matches = _close(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Failure(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    total, bad = matches.size, int((~matches).sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    if a.dtype.kind in "biu":
        a, e = a.astype(np.int64), e.astype(np.int64)
    abs_diff = np.abs(a - e)
    abs_diff[matches] = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # Integers divide in float32, as PyTorch's true division of int64 tensors does.
        rel_diff = (abs_diff / np.abs(e) if a.dtype.kind == "f" else
                    abs_diff.astype(np.float32) / np.abs(e).astype(np.float32))
    rel_diff[matches] = 0
    ia, ir = int(_argmax(abs_diff)), int(_argmax(rel_diff))
    raise _Failure(AssertionError, _mismatch(
        "Tensor-likes", extra, abs_diff.reshape(-1)[ia].item(), rel_diff.reshape(-1)[ir].item(),
        rtol, atol, tuple(int(i) for i in np.unravel_index(ia, a.shape)),
        tuple(int(i) for i in np.unravel_index(ir, a.shape))))


def _argmax(x: np.ndarray) -> int:
    """The first maximum, a NaN counting as the largest (PyTorch's ``max``)."""
    flat = x.reshape(-1)
    nan = np.flatnonzero(np.isnan(flat)) if flat.dtype.kind == "f" else ()
    return int(nan[0]) if len(nan) else int(np.argmax(flat))


def _compare(actual: Any, expected: Any, path: list[Any], options: dict[str, Any]) -> None:
    """Compare ``actual`` with ``expected``, recursing into sequences and mappings;
    ``path`` collects the item indices of a nested failure."""
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _Failure(AssertionError, f"The keys of the mappings do not match:\n"
                                           f"Missing keys in the actual mapping: {missing}\n"
                                           f"Additional keys in the actual mapping: {extra}")
        for key in expected:
            path.append(key)
            _compare(actual[key], expected[key], path, options)
            path.pop()
        return
    sequences = all(isinstance(x, Sequence) and not isinstance(x, str)
                    for x in (actual, expected))
    if sequences:
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            path.append(i)
            _compare(a, e, path, options)
            path.pop()
        return
    numbers = (bool, int, float)
    for kinds in ((Tensor,), (np.ndarray,), numbers):
        if isinstance(actual, kinds) and isinstance(expected, kinds):
            if kinds is numbers:
                _compare_scalars(actual, expected, options["rtol"], options["atol"],
                                 options["equal_nan"], options["check_dtype"])
            else:
                _compare_tensors(actual, expected, **options)
            return
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.")


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: str | Callable[[str], str] | None = None
                 ) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors (and NumPy arrays, and Python numbers) must agree in shape, and by default in
    dtype and device, then in value: ``|actual - expected| <= atol + rtol * |expected|``
    elementwise, infinities equal to themselves and NaN only with ``equal_nan``. Sequences
    and mappings are compared item by item.

    Args:
        actual, expected: what to compare.
        allow_subclasses: accepted for PyTorch's signature (tensor subclasses compare as
            tensors).
        rtol, atol: the tolerances; both or neither. Without them, PyTorch's defaults for
            the dtypes (float16 1e-3/1e-5, bfloat16 1.6e-2/1e-5, float32 1.3e-6/1e-5, float64
            1e-7/1e-7; exact for integers and bool).
        equal_nan: NaN equals NaN.
        check_device, check_dtype: require the same device / dtype (otherwise both are
            compared on the host in their promoted dtype).
        check_layout: accepted for PyTorch's signature (every tensor is strided).
        check_stride: require the same strides.
        msg: the message on failure, or a function of the default message.

    Raises:
        AssertionError: where they differ, with PyTorch's message.
        TypeError: for inputs that cannot be compared (a tensor with a NumPy array...).
        ValueError: for only one of ``rtol`` and ``atol``.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    path: list[Any] = []
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan,
               "check_device": check_device, "check_dtype": check_dtype,
               "check_stride": check_stride}
    try:
        _compare(actual, expected, path, options)
    except _Failure as failure:
        message = failure.message
        if callable(msg):
            message = msg(message)
        elif msg is not None:
            message = msg
        elif path:
            message += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
        raise failure.kind(message) from None


# The deprecated `assert_allclose`'s own, looser defaults.
_ALLCLOSE_PRECISIONS = {D.float16: (1e-3, 1e-3), D.float32: (1e-4, 1e-5),
                        D.float64: (1e-5, 1e-8)}


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """The deprecated ``torch.testing.assert_allclose``: `assert_close` with NaN equal to
    NaN, dtypes free to differ, values and lists made tensors (``expected`` in
    ``actual``'s dtype) and its own default tolerances (float16 1e-3/1e-3, float32
    1e-4/1e-5, float64 1e-5/1e-8). Warns FutureWarning, as PyTorch does."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be "
                  "removed in a future release. Please use `torch.testing.assert_close()` "
                  "instead.", FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtols, atols = zip(*(_ALLCLOSE_PRECISIONS.get(t.dtype, (0.0, 0.0))
                             for t in (actual, expected)))
        rtol, atol = max(rtols), max(atols)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)


def _bounds(dtype: Any, low: float | None, high: float | None, lowest: float, highest: float,
            default_low: float, default_high: float) -> tuple[float, float]:
    """PyTorch's ``[low, high)`` checks and clamping (integers round both bounds up)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low >= high and not (low == high and dtype.is_floating_point):
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    if high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not dtype.is_floating_point:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Tensor:
    """A tensor of ``shape`` filled uniformly from ``[low, high)``, as
    ``torch.testing.make_tensor``: by default ``[-9, 9)`` for floating dtypes, ``[-9, 10)``
    for integers (clamped to the dtype's range: ``[0, 10)`` for uint8) and both values for
    bool.

    Args:
        shape: the sizes, or one sequence of them.
        dtype, device: of the result.
        low, high: the interval; bounds outside the dtype's finite range are clamped.
        requires_grad: for floating dtypes.
        noncontiguous: a strided view (every other element of a wider last dim).
        exclude_zero: replace zeros with 1 (integers) or the dtype's smallest normal.
        memory_format: accepted for PyTorch's signature; exclusive with ``noncontiguous``.

    Raises:
        ValueError: PyTorch's errors for bad bounds, ``requires_grad`` with an integral dtype,
            and ``noncontiguous`` with ``memory_format``.
    """
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    dtype = D.to_dtype(dtype)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is D.bool:
        lo, hi = _bounds(dtype, low, high, 0, 2, 0, 2)
        result = randint(lo, hi, shape, dtype=dtype, device=device)
    elif dtype in _INTEGRAL:
        info = D.iinfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min,
                         info.max + (1 if dtype is not D.int64 else 0), -9, 10)
        result = randint(lo, hi, shape, dtype=dtype, device=device)
    elif dtype.is_floating_point:
        info = D.finfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min, info.max, -9, 9)
        result = empty(shape, dtype=dtype, device=device)
        if hi - lo >= info.max:  # the width overflows: draw half of it and double
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "tensorweave.testing.make_tensor().")
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = 1 if not dtype.is_floating_point else D.finfo(dtype).tiny
    if dtype.is_floating_point:
        result.requires_grad_(requires_grad)
    return result
