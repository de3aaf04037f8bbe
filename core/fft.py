"""``tensorweave.fft``: PyTorch's ``torch.fft``, the discrete Fourier transforms.

Every transform is one of the three primitives of `tensorweave.ops.fft` (``fft_c2c``,
``fft_r2c``, ``fft_c2r``; the Hermitian ``hfftn``/``ihfftn`` chain two) applied after the
input is promoted and resized, exactly as ATen builds them (``aten/src/ATen/native/
SpectralOps.cpp``), so a backend provides three kernels and gets the whole module.

* Promotion: integer and bool inputs become the default float dtype; float32 and float64
  transform in complex64 and complex128. float16 is refused ("Unsupported dtype"), as
  PyTorch does on its CPU: its half transforms give complex32, which tensorweave lacks.
* ``n`` / ``s`` zero-pad or trim each transformed dim (at its end) before the transform;
  ``-1`` in ``s`` keeps that dim's size. The inverse real transforms (``irfft*``, ``hfft*``)
  read ``n // 2 + 1`` input coefficients and output ``n`` values (default ``n = 2 * (m -
  1)`` for an input of ``m``).
* ``norm``: ``"backward"`` (the default; the inverse scales by ``1/n``), ``"ortho"``
  (both by ``1/sqrt(n)``) or ``"forward"`` (the forward scales by ``1/n``), where forward
  means ``fft``, ``rfft``, ``hfft``, ``fftn``...
* ``out=`` must already have the result's shape and dtype (tensorweave does not resize
  tensors); it is written without autograd.

Every transform is differentiable: the primitives' vjps are their adjoints, the gradients
PyTorch's (tests/unit/test_complex_autograd.py).
"""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

from . import dtypes as D
from .autograd.grad_mode import no_grad
from .layouts import factory
from .ops._rules import normalize_dim
from .ops.creation import arange
from .ops.fft import ADJOINT_NORM, check_norm, fft_c2c, fft_c2r, fft_r2c, resize_fft_input
from .ops.indexing import roll
from .tensor import Tensor

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]

_Dims = Any  # an int or a sequence of ints (PyTorch's IntArrayRef)


# -- argument checks ------------------------------------------------------------------------------


def _check_tensor(fname: str, x: Any) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _int(fname: str, name: str, v: Any) -> int:
    """``v`` as an int: Python and NumPy integers (anything with ``__index__``), not bools."""
    if not isinstance(v, bool):
        try:
            return operator.index(v)
        except TypeError:
            pass
    raise TypeError(f"fft_{fname}(): argument '{name}' must be int, not {type(v).__name__}")


def _ints(fname: str, name: str, v: Any) -> list[int]:
    if hasattr(v, "__index__") and not isinstance(v, (bool, Tensor)):
        return [_int(fname, name, v)]
    if isinstance(v, Tensor) or not isinstance(v, Sequence):
        raise TypeError(f"fft_{fname}(): argument '{name}' must be tuple of ints, not "
                        f"{type(v).__name__}")
    return [_int(fname, name, e) for e in v]


def _wrap(fname: str, d: int, ndim: int) -> int:
    # FFT dims do not wrap on a 0-d tensor (ATen's wrap_scalar=false).
    if ndim == 0:
        raise IndexError(f"{fname}: Dimension specified as {d} but tensor has no dimensions")
    return normalize_dim(fname, d, ndim)


def _check_points(n: int) -> None:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _promote(fname: str, x: Tensor, require_complex: bool) -> Tensor:
    """``x`` in the dtype its transform runs in (see the module docstring)."""
    dt = x.dtype
    if dt.is_complex:
        return x
    if not dt.is_floating_point:
        dt = D.get_default_dtype()
    if dt not in (D.float32, D.float64):
        raise RuntimeError(f"{fname}: Unsupported dtype {dt.name} (its transform would be "
                           "complex32, which tensorweave lacks); convert the input to float32")
    if require_complex:
        dt = dt.to_complex()
    return x if dt is x.dtype else x.to(dt)


def _expect_real(fname: str, x: Tensor) -> None:
    if x.dtype.is_complex:
        raise RuntimeError(f"{fname} expects a real input tensor, but got {x.dtype.name}")


def _shape_and_dims(fname: str, x: Tensor, s: list[int] | None,
                    dim: _Dims) -> tuple[list[int], tuple[int, ...]]:
    """The transformed dims and their sizes (ATen's canonicalize_fft_shape_and_dim_args):
    ``s`` alone transforms the last ``len(s)`` dims, neither transforms all of them."""
    ndim = x.ndim
    dims = None
    if dim is not None:
        given = _ints(fname, "dim", dim)
        dims = tuple(_wrap(fname, d, ndim) for d in given)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{fname}: FFT dims must be unique; got {given}")
    if s is not None:
        if dims is not None and len(dims) != len(s):
            raise RuntimeError(f"{fname}: When given, dim and shape arguments must have the "
                               f"same length; got s={s} and dim={list(dims)}")
        if len(s) > ndim:
            raise RuntimeError(f"{fname}: Got shape with {len(s)} values but input tensor only "
                               f"has {ndim} dimensions.")
        if dims is None:
            dims = tuple(range(ndim - len(s), ndim))
        shape = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    elif dims is None:
        dims, shape = tuple(range(ndim)), list(x.shape)
    else:
        shape = [x.shape[d] for d in dims]
    for n in shape:
        _check_points(n)
    return shape, dims


def _c2r_shape_and_dims(fname: str, x: Tensor, s: list[int] | None,
                        dim: _Dims) -> tuple[list[int], tuple[int, ...], int]:
    """`_shape_and_dims` for a Hermitian input: also the output size of the last dim, whose
    input size becomes ``last // 2 + 1``."""
    shape, dims = _shape_and_dims(fname, x, s, dim)
    if not shape:
        raise RuntimeError(f"{fname} must transform at least one axis")
    last = 2 * (x.shape[dims[-1]] - 1) if s is None or s[-1] == -1 else shape[-1]
    _check_points(last)
    shape[-1] = last // 2 + 1
    return shape, dims, last


def _written(fname: str, result: Tensor, out: Tensor | None) -> Tensor:
    """``result``, copied into ``out`` when one is given."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"fft_{fname}(): argument 'out' must be Tensor, not "
                        f"{type(out).__name__}")
    if out.dtype is not result.dtype or out.shape != result.shape:
        raise RuntimeError(f"{fname}: out must have the result's dtype {result.dtype.name} and "
                           f"shape {list(result.shape)}; got {out.dtype.name} and "
                           f"{list(out.shape)} (tensorweave does not resize out=)")
    with no_grad():
        return out.copy_(result)


# -- one dim --------------------------------------------------------------------------------------


def _c2c(fname: str, x: Tensor, n: Any, dim: Any, norm: str | None,
         forward: bool) -> Tensor:
    d = _wrap(fname, _int(fname, "dim", dim), x.ndim)
    size = x.shape[d] if n is None else _int(fname, "n", n)
    _check_points(size)
    x = resize_fft_input(x, (d,), (size,))
    return fft_c2c(x, (d,), check_norm(fname, norm), forward)


def _r2c(fname: str, x: Tensor, n: Any, dim: Any, norm: str | None, forward: bool,
         onesided: bool) -> Tensor:
    _expect_real(fname, x)
    x = _promote(fname, x, require_complex=False)
    d = _wrap(fname, _int(fname, "dim", dim), x.ndim)
    size = x.shape[d] if n is None else _int(fname, "n", n)
    _check_points(size)
    x = resize_fft_input(x, (d,), (size,))
    norm = check_norm(fname, norm)
    if forward:
        return fft_r2c(x, (d,), norm, onesided)
    # The inverse transform of a real signal is the conjugate of the forward one.
    return fft_r2c(x, (d,), ADJOINT_NORM[norm], onesided).conj()


def _c2r(fname: str, x: Tensor, n: Any, dim: Any, norm: str | None, forward: bool) -> Tensor:
    x = _promote(fname, x, require_complex=True)
    d = _wrap(fname, _int(fname, "dim", dim), x.ndim)
    size = 2 * (x.shape[d] - 1) if n is None else _int(fname, "n", n)
    _check_points(size)
    x = resize_fft_input(x, (d,), (size // 2 + 1,))
    norm = check_norm(fname, norm)
    if forward:
        # hfft: the forward transform of a Hermitian signal is the inverse of its conjugate.
        x, norm = x.conj(), ADJOINT_NORM[norm]
    return fft_c2r(x, (d,), norm, size)


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
        out: Tensor | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Args:
        input: a real or complex tensor (integers promote to the default float dtype).
        n: the signal length: ``input`` is zero-padded or trimmed to it along ``dim``.
        dim: the dim to transform.
        norm: ``"backward"`` (default, no scaling), ``"ortho"`` (``1/sqrt(n)``) or
            ``"forward"`` (``1/n``).
        out: an optional output tensor of the result's shape and dtype.

    Returns:
        A complex tensor (complex64 for float32 input, complex128 for float64).

    Raises:
        RuntimeError: for ``n < 1``, an unknown ``norm`` or a float16 input.
        IndexError: for ``dim`` out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.fft(tw.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    _check_tensor("fft", input)
    if input.dtype.is_complex:
        res = _c2c("fft", input, n, dim, norm, forward=True)
    else:
        res = _r2c("fft", input, n, dim, norm, forward=True, onesided=False)
    return _written("fft", res, out)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
         out: Tensor | None = None) -> Tensor:
    """The inverse of `fft` (scaled by ``1/n`` under the default ``norm="backward"``).

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.ifft(tw.tensor([4.0 + 0j, 0.0, 0.0, 0.0]))
        tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    _check_tensor("ifft", input)
    if input.dtype.is_complex:
        res = _c2c("ifft", input, n, dim, norm, forward=False)
    else:
        res = _r2c("ifft", input, n, dim, norm, forward=False, onesided=False)
    return _written("ifft", res, out)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
         out: Tensor | None = None) -> Tensor:
    """The `fft` of a real signal, keeping the ``n // 2 + 1`` non-redundant coefficients
    (the others are their conjugates).

    Raises:
        RuntimeError: for a complex input, and as `fft`.

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.rfft(tw.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    _check_tensor("rfft", input)
    return _written("rfft", _r2c("rfft", input, n, dim, norm, forward=True, onesided=True), out)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """The inverse of `rfft`: a real signal of length ``n`` (default ``2 * (m - 1)`` for
    ``m`` input coefficients) from its first ``n // 2 + 1`` coefficients.

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.irfft(tw.fft.rfft(tw.tensor([1.0, 2.0, 3.0])), n=3)
        tensor([1., 2., 3.])
    """
    _check_tensor("irfft", input)
    return _written("irfft", _c2r("irfft", input, n, dim, norm, forward=False), out)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
         out: Tensor | None = None) -> Tensor:
    """The `fft` of a Hermitian-symmetric signal given by its first half (``n // 2 + 1``
    values): a real tensor of length ``n`` (default ``2 * (m - 1)``)."""
    _check_tensor("hfft", input)
    return _written("hfft", _c2r("hfft", input, n, dim, norm, forward=True), out)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """The inverse of `hfft`: the first ``n // 2 + 1`` coefficients of the `ifft` of a real
    signal.

    Raises:
        RuntimeError: for a complex input, and as `fft`.
    """
    _check_tensor("ihfft", input)
    return _written("ihfft", _r2c("ihfft", input, n, dim, norm, forward=False, onesided=True),
                    out)


# -- several dims ---------------------------------------------------------------------------------


def _sizes(fname: str, s: Any) -> list[int] | None:
    return None if s is None else _ints(fname, "s", s)


def _fftn(fname: str, x: Tensor, s: Any, dim: _Dims, norm: str | None, forward: bool,
          out: Tensor | None) -> Tensor:
    _check_tensor(fname, x)
    shape, dims = _shape_and_dims(fname, x, _sizes(fname, s), dim)
    x = resize_fft_input(_promote(fname, x, require_complex=True), dims, shape)
    return _written(fname, fft_c2c(x, dims, check_norm(fname, norm), forward), out)


def _rfftn(fname: str, x: Tensor, s: Any, dim: _Dims, norm: str | None,
           out: Tensor | None) -> Tensor:
    _check_tensor(fname, x)
    _expect_real(fname, x)
    shape, dims = _shape_and_dims(fname, x, _sizes(fname, s), dim)
    if not shape:
        raise RuntimeError(f"{fname} must transform at least one axis")
    x = resize_fft_input(_promote(fname, x, require_complex=False), dims, shape)
    return _written(fname, fft_r2c(x, dims, check_norm(fname, norm), True), out)


def _irfftn(fname: str, x: Tensor, s: Any, dim: _Dims, norm: str | None,
            out: Tensor | None) -> Tensor:
    _check_tensor(fname, x)
    shape, dims, last = _c2r_shape_and_dims(fname, x, _sizes(fname, s), dim)
    x = resize_fft_input(_promote(fname, x, require_complex=True), dims, shape)
    return _written(fname, fft_c2r(x, dims, check_norm(fname, norm), last), out)


def _hfftn(fname: str, x: Tensor, s: Any, dim: _Dims, norm: str | None,
           out: Tensor | None) -> Tensor:
    # A forward c2c over all dims but the last, then the Hermitian last dim as `hfft`.
    _check_tensor(fname, x)
    shape, dims, last = _c2r_shape_and_dims(fname, x, _sizes(fname, s), dim)
    x = resize_fft_input(_promote(fname, x, require_complex=True), dims, shape)
    norm = check_norm(fname, norm)
    if len(dims) > 1:
        x = fft_c2c(x, dims[:-1], norm, True)
    return _written(fname, fft_c2r(x.conj(), dims[-1:], ADJOINT_NORM[norm], last), out)


def _ihfftn(fname: str, x: Tensor, s: Any, dim: _Dims, norm: str | None,
            out: Tensor | None) -> Tensor:
    # The last dim as `ihfft`, then an inverse c2c over the others.
    _check_tensor(fname, x)
    _expect_real(fname, x)
    shape, dims = _shape_and_dims(fname, x, _sizes(fname, s), dim)
    if not shape:
        raise RuntimeError(f"{fname} must transform at least one axis")
    x = resize_fft_input(_promote(fname, x, require_complex=False), dims, shape)
    norm = check_norm(fname, norm)
    res = fft_r2c(x, dims[-1:], ADJOINT_NORM[norm], True).conj()
    if len(dims) > 1:
        res = fft_c2c(res, dims[:-1], norm, False)
    return _written(fname, res, out)


def fftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
         norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional `fft` over ``dim`` (default: the last ``len(s)`` dims, or all).

    Args:
        input: a real or complex tensor.
        s: the signal size in each transformed dim (``-1`` keeps the input's).
        dim: the dims to transform, distinct.
        norm: as `fft`, with ``n`` the product of the transformed sizes.
        out: an optional output tensor of the result's shape and dtype.

    Raises:
        RuntimeError: for repeated dims, ``s`` and ``dim`` of different lengths, ``s``
            longer than ``input.ndim``, a size below 1 or an unknown ``norm``.
        IndexError: for a dim out of range.
    """
    return _fftn("fftn", input, s, dim, norm, True, out)


def ifftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The inverse of `fftn`."""
    return _fftn("ifftn", input, s, dim, norm, False, out)


def fft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
         norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`fftn` over the last two dims by default."""
    return _fftn("fft2", input, s, dim, norm, True, out)


def ifft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`ifftn` over the last two dims by default."""
    return _fftn("ifft2", input, s, dim, norm, False, out)


def rfftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The `fftn` of a real signal; the last transformed dim keeps ``s[-1] // 2 + 1``
    coefficients.

    Raises:
        RuntimeError: for a complex input, no dim to transform, and as `fftn`.
    """
    return _rfftn("rfftn", input, s, dim, norm, out)


def irfftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The inverse of `rfftn`: real, with ``s[-1]`` (default ``2 * (m - 1)``) values in the
    last transformed dim."""
    return _irfftn("irfftn", input, s, dim, norm, out)


def rfft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`rfftn` over the last two dims by default."""
    return _rfftn("rfft2", input, s, dim, norm, out)


def irfft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`irfftn` over the last two dims by default."""
    return _irfftn("irfft2", input, s, dim, norm, out)


def hfftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional `hfft`: the last transformed dim holds half of a Hermitian signal;
    the result is real."""
    return _hfftn("hfftn", input, s, dim, norm, out)


def ihfftn(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = None,  # noqa: A002
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The inverse of `hfftn`, from a real signal.

    Raises:
        RuntimeError: for a complex input, no dim to transform, and as `fftn`.
    """
    return _ihfftn("ihfftn", input, s, dim, norm, out)


def hfft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`hfftn` over the last two dims by default."""
    return _hfftn("hfft2", input, s, dim, norm, out)


def ihfft2(input: Tensor, s: Sequence[int] | None = None, dim: _Dims = (-2, -1),  # noqa: A002
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """`ihfftn` over the last two dims by default."""
    return _ihfftn("ihfft2", input, s, dim, norm, out)


# -- sample frequencies and shifts ----------------------------------------------------------------


def _frequencies(fname: str, k: Tensor, n: int, d: float, out: Tensor | None, dtype: Any,
                 requires_grad: bool) -> Tensor:
    """``k / (d * n)`` in ``dtype`` (the default float dtype when None)."""
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{fname} requires a floating point or complex dtype; got {dt.name}")
    # PyTorch multiplies by 1 / (n d) computed in double; d = 0 gives infinities, as there.
    scale = 1.0 / (n * d) if n * d else math.copysign(math.inf, d)
    res = (k.to(dt.to_real()) * scale).to(dt)
    res = _written(fname, res, out)
    return res.requires_grad_() if requires_grad else res


def _length(fname: str, n: Any) -> int:
    n = _int(fname, "n", n)
    if n < 0:
        raise RuntimeError(f"{fname}: Trying to create tensor with negative dimension {n}: [{n}]")
    return n


@factory
def fftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point `fft` with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``.

    Raises:
        RuntimeError: for a negative ``n`` or a dtype that is neither floating nor complex.

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.fftfreq(5)
        tensor([ 0.0000,  0.2000,  0.4000, -0.4000, -0.2000])
    """
    n = _length("fftfreq", n)
    k = arange(n, device=device)
    # (k + n // 2) mod n - n // 2 counts up to (n - 1) // 2, then from -(n // 2) up to -1.
    k = (k + n // 2) % n - n // 2 if n else k
    return _frequencies("fftfreq", k, n, d, out, dtype, requires_grad)


@factory
def rfftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point `rfft`: ``[0, 1, ..., n // 2] / (d * n)``.

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.rfftfreq(5)
        tensor([0.0000, 0.2000, 0.4000])
    """
    n = _length("rfftfreq", n)
    return _frequencies("rfftfreq", arange(n // 2 + 1, device=device), n, d, out, dtype,
                        requires_grad)


def _shift(fname: str, x: Tensor, dim: _Dims, inverse: bool) -> Tensor:
    _check_tensor(fname, x)
    dims = (list(range(x.ndim)) if dim is None
            else [normalize_dim(fname, d, x.ndim) for d in _ints(fname, "dim", dim)])
    if not dims or x.ndim == 0:
        return x.clone()
    # The zero frequency moves to the middle: size // 2 forward, (size + 1) // 2 back.
    shifts = [(x.shape[d] + inverse) // 2 for d in dims]
    return roll(x, shifts, dims)


def fftshift(input: Tensor, dim: _Dims = None) -> Tensor:  # noqa: A002
    """``input`` rolled so the zero frequency of an `fft` output sits in the middle of each
    dim of ``dim`` (default: all).

    Example:
        >>> import tensorweave as tw
        >>> tw.fft.fftshift(tw.fft.fftfreq(4))
        tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift("fftshift", input, dim, inverse=False)


def ifftshift(input: Tensor, dim: _Dims = None) -> Tensor:  # noqa: A002
    """The inverse of `fftshift`."""
    return _shift("ifftshift", input, dim, inverse=True)
