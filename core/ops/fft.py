"""The discrete Fourier transform primitives, as ATen's ``_fft_c2c``, ``_fft_r2c`` and
``_fft_c2r``: every function of `tensorweave.fft` is one of them (or two, for the
Hermitian ``hfftn``/``ihfftn``) after its input is promoted and zero-padded or trimmed.

They are internal (no ``tw.`` or ``Tensor.`` name) and take normalized arguments: ``dim``
a tuple of distinct non-negative dims, in order (``r2c`` halves and ``c2r`` restores the
last one), and ``norm`` the scaling of the transform in the direction it runs (NumPy's and
PyTorch's meaning): ``"backward"`` scales the inverse by ``1/n``, ``"forward"`` the forward
one, ``"ortho"`` both by ``1/sqrt(n)``, where ``n`` is the product of the transformed sizes.
``r2c`` is a forward transform (``exp(-2 pi i jk/n)``), ``c2r`` an inverse one.

Their derivatives are the adjoint transforms with the scaling moved to the other side
(``norm`` swapped): ATen's ``fft_*_backward``. Autograd refuses complex tensors for now
(`dispatch.record`), so today they only make a real input that requires grad fail with
that message rather than lose its gradient.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import PRIMITIVE, Tol, defop
from ._rules import normalize_dim
from .conv import constant_pad_nd
from .creation import full

# Only the ops: the helpers below serve `tensorweave.fft` and must not become ``tw.`` names
# (the op modules' ``__all__`` lists the top-level functions).
__all__ = ["fft_c2c", "fft_r2c", "fft_c2r"]

NORMS = ("backward", "ortho", "forward")
# The adjoint of a transform scaled one way is the opposite transform scaled the other way.
ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
# Rounding grows with the transform length and the size of the largest coefficient, not
# of each one: small outputs get an absolute error of the large ones' order.
_TOL = {D.float32: Tol(atol=1e-4, rtol=1e-5), D.complex64: Tol(atol=1e-4, rtol=1e-5),
        D.float64: Tol(atol=1e-9, rtol=1e-7), D.complex128: Tol(atol=1e-9, rtol=1e-7)}


def check_norm(op: str, norm: str | None) -> str:
    """``norm`` as one of `NORMS` (None is ``"backward"``); PyTorch's error otherwise."""
    if norm is None:
        return "backward"
    if norm not in NORMS:
        raise RuntimeError(f'{op}: Invalid normalization mode: "{norm}"; expected one of '
                           f'{", ".join(map(repr, NORMS))} (or None for "backward")')
    return norm


def resize_fft_input(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """``x`` zero-padded or trimmed (at the end) to ``sizes[i]`` along ``dims[i]``: the
    ``n=``/``s=`` argument of the transforms. Unchanged (no copy) when the sizes already fit."""
    pad = [0] * (2 * x.ndim)  # constant_pad_nd's order: (before, after) from the last dim on
    for d, n in zip(dims, sizes):
        pad[2 * (x.ndim - 1 - d) + 1] = n - x.shape[d]
    return constant_pad_nd(x, pad) if any(pad) else x


def _dims(op: str, x: Tensor, dim: Sequence[int]) -> tuple[int, ...]:
    dims = tuple(normalize_dim(op, d, x.ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: FFT dims must be unique; got {list(dim)}")
    return dims


def _expect_complex(op: str, x: Tensor) -> None:
    if not x.dtype.is_complex:
        raise RuntimeError(f"{op}: expects a complex input tensor, but got {x.dtype.name}")


# -- conformance entries --------------------------------------------------------------------------


def _c2c_ref(x: np.ndarray, dim: tuple[int, ...], norm: str, forward: bool) -> np.ndarray:
    fn = np.fft.fftn if forward else np.fft.ifftn
    return fn(x.astype(np.complex128), axes=dim, norm=norm)


def _r2c_ref(x: np.ndarray, dim: tuple[int, ...], norm: str, onesided: bool) -> np.ndarray:
    fn = np.fft.rfftn if onesided else np.fft.fftn
    return fn(x.astype(np.float64), axes=dim, norm=norm)


def _c2r_ref(x: np.ndarray, dim: tuple[int, ...], norm: str, last_dim_size: int) -> np.ndarray:
    s = [x.shape[d] for d in dim[:-1]] + [last_dim_size]
    return np.fft.irfftn(x.astype(np.complex128), s=s, axes=dim, norm=norm)


def _c2c_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    cases = [((5,), (0,), "backward", True), ((4, 6), (1,), "ortho", False),
             ((3, 4, 5), (0, 2), "forward", True), ((2, 3, 4), (2, 0, 1), "backward", False),
             ((0, 4), (1,), "backward", True), ((3,), (), "ortho", True)]
    for shape, dim, norm, forward in cases:
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt)),),
                            {"dim": dim, "norm": norm, "forward": forward},
                            name=f"{shape}-dim{dim}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True),),
                        {"dim": (0, 1), "norm": "ortho", "forward": True}, name="noncontiguous")


def _r2c_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    real = dt.to_real()
    cases = [((6,), (0,), "backward", True), ((7,), (0,), "ortho", False),
             ((3, 5), (0, 1), "forward", True), ((4, 3, 6), (2, 0), "backward", True),
             ((0, 5), (1,), "backward", True)]
    for shape, dim, norm, onesided in cases:
        yield S.SampleInput((S.Arg(S.make(rng, shape, real)),),
                            {"dim": dim, "norm": norm, "onesided": onesided},
                            name=f"{shape}-dim{dim}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), real), noncontig=True),),
                        {"dim": (1,), "norm": "ortho", "onesided": True}, name="noncontiguous")


def _c2r_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    cases = [((4,), (0,), "backward", 6), ((4,), (0,), "ortho", 7), ((3, 4), (0, 1), "forward", 6),
             ((5, 3, 4), (2, 0), "backward", 9), ((0, 4), (1,), "backward", 6)]
    for shape, dim, norm, n in cases:
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt)),),
                            {"dim": dim, "norm": norm, "last_dim_size": n},
                            name=f"{shape}-dim{dim}-n{n}")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True),),
                        {"dim": (1,), "norm": "ortho", "last_dim_size": 7}, name="noncontiguous")


# -- the primitives -------------------------------------------------------------------------------


def _c2c_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...], norm: str,
             forward: bool) -> tuple[Tensor]:
    return (fft_c2c.bind(g, dim=dim, norm=ADJOINT_NORM[norm], forward=not forward),)


@defop(PRIMITIVE, meta=lambda x, **p: x.dtype, vjp=_c2c_vjp, save_inputs=False,
       ref=_c2c_ref, samples=_c2c_samples, dtypes=D.COMPLEX, tol=_TOL,
       method=False, function=False)
def fft_c2c(x: Tensor, dim: Sequence[int], norm: str, forward: bool) -> Tensor:
    """Complex-to-complex DFT over ``dim``, forward (``exp(-2 pi i jk/n)``) or inverse.

    Args:
        x: a complex tensor.
        dim: the dims to transform (distinct; empty gives a copy).
        norm: ``"backward"``, ``"ortho"`` or ``"forward"`` (see the module docstring).
        forward: the transform's direction.

    Raises:
        RuntimeError: for a real input, repeated dims or an unknown ``norm``.
    """
    _expect_complex("fft_c2c", x)
    return fft_c2c.bind(x, dim=_dims("fft_c2c", x, dim), norm=check_norm("fft_c2c", norm),
                        forward=bool(forward))


def _r2c_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...], norm: str,
             onesided: bool) -> tuple[Tensor]:
    # A onesided transform is the full one with the upper half dropped: zeros stand for it.
    full_grad = resize_fft_input(g, dim[-1:], (x.shape[dim[-1]],)) if onesided else g
    return (fft_c2c.bind(full_grad, dim=dim, norm=ADJOINT_NORM[norm], forward=False).real,)


@defop(PRIMITIVE, meta=lambda x, **p: x.dtype.to_complex(), vjp=_r2c_vjp, save_inputs=False,
       ref=_r2c_ref,
       samples=_r2c_samples, dtypes=D.COMPLEX, tol=_TOL, method=False, function=False)
def fft_r2c(x: Tensor, dim: Sequence[int], norm: str, onesided: bool) -> Tensor:
    """Real-to-complex forward DFT over ``dim``, optionally onesided (half the last dim).

    ``onesided`` keeps the first ``n // 2 + 1`` coefficients of the last dim of ``dim`` (the
    rest are their conjugates).

    The conformance entry is keyed on the output's complex dtype; its input is that dtype's
    real part (float32 for complex64).

    Raises:
        RuntimeError: for an input that is not float32 or float64, repeated dims or an
            unknown ``norm``.
    """
    if x.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"fft_r2c: expects a float32 or float64 input tensor, but got "
                           f"{x.dtype.name}")
    dims = _dims("fft_r2c", x, dim)
    if onesided and not dims:
        raise RuntimeError("fft_r2c: a onesided transform needs at least one dim")
    return fft_r2c.bind(x, dim=dims, norm=check_norm("fft_r2c", norm),
                        onesided=bool(onesided))


def _c2r_vjp(g: Tensor, out: Tensor, x: Tensor, dim: tuple[int, ...], norm: str,
             last_dim_size: int) -> tuple[Tensor]:
    # Each coefficient strictly between the first and the Nyquist one also stands for its
    # conjugate in the dropped half, so its gradient counts twice.
    gi = fft_r2c.bind(g, dim=dim, norm=ADJOINT_NORM[norm], onesided=True)
    m = gi.shape[dim[-1]]
    doubled = last_dim_size - m
    if doubled <= 0:
        return (gi,)
    w = constant_pad_nd(full((doubled,), 2.0, dtype=g.dtype, device=g.device),
                        (1, m - 1 - doubled), 1.0)
    return (gi * w.reshape([m if d == dim[-1] else 1 for d in range(gi.ndim)]),)


@defop(PRIMITIVE, meta=lambda x, **p: x.dtype.to_real(), vjp=_c2r_vjp, save_inputs=False,
       ref=_c2r_ref, samples=_c2r_samples, dtypes=D.COMPLEX, tol=_TOL, method=False,
       function=False)
def fft_c2r(x: Tensor, dim: Sequence[int], norm: str, last_dim_size: int) -> Tensor:
    """Complex-to-real inverse DFT over ``dim`` of a onesided (Hermitian) input.

    The last dim of ``dim`` holds ``last_dim_size // 2 + 1`` coefficients and comes out
    ``last_dim_size`` long. The imaginary parts that a real output cannot have (the first
    coefficient's, and the Nyquist one's for an even size) are ignored, as pocketfft, MKL
    and cuFFT do.

    Raises:
        RuntimeError: for a real input, an empty or repeated ``dim``, a last dim whose size
            does not match ``last_dim_size``, or an unknown ``norm``.
    """
    _expect_complex("fft_c2r", x)
    dims = _dims("fft_c2r", x, dim)
    if not dims:
        raise RuntimeError("fft_c2r: needs at least one dim")
    n = int(last_dim_size)
    if n < 1 or x.shape[dims[-1]] != n // 2 + 1:
        raise RuntimeError(f"fft_c2r: dim {dims[-1]} must hold last_dim_size // 2 + 1 = "
                           f"{n // 2 + 1} coefficients for last_dim_size={n}; got "
                           f"{x.shape[dims[-1]]}")
    return fft_c2r.bind(x, dim=dims, norm=check_norm("fft_c2r", norm), last_dim_size=n)
