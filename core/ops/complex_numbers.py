"""Complex numbers: the two reinterpreting views and what is written over them.

``view_as_real`` (a complex tensor seen as its (real, imag) pairs in a last dim of 2) and
``view_as_complex`` (the reverse) are the primitives: they change the element type over the
same memory, which no strided view of one dtype can express. Everything else here --
``real``/``imag`` (views), ``conj``, ``complex``, ``polar``, and the complex forms of ``abs``,
``angle``, ``sgn`` and ``isreal`` -- is tensor code over them and the real ops, so a backend
that lists complex dtypes gets them for two kernels.

For a real tensor, ``real`` and ``conj`` are the tensor itself and ``imag`` is an error, as
in PyTorch, so code written for both kinds of tensors runs unchanged. The two views are
differentiable (each one's gradient is the other view), so everything here is too
(autograd.engine has the complex convention); PyTorch's lazy conjugate and negative bits
are not modelled (``conj`` copies; ``is_conj`` is False).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from . import elementwise
from ._opdef import PRIMITIVE, defop, method
from .elementwise import atan2, cos, eq, hypot, mul, sin, where
from .joining import broadcast_tensors, stack

__all__ = ["view_as_real", "view_as_complex", "complex", "polar", "real", "imag", "conj",
           "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg"]


def require_complex_device(op: str, x: Tensor, dtype: D.dtype) -> None:
    """Refuse to make a complex ``dtype`` on ``x``'s device when its backend lists none."""
    from ..device import resolve

    resolve(x._device)[1].check_dtype(op, dtype, x._device)


# -- the primitives ----------------------------------------------------------------------------


def _complex_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt)),), name="matrix")
    yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt), noncontig=True),), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)),), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2), dt)),), name="empty")


# Each view's gradient is the other view of the incoming gradient: the pair (x, y) and
# x + iy are the same numbers, and PyTorch's complex gradient is dL/dx + i dL/dy.


@defop(PRIMITIVE, meta=lambda x: x.dtype.to_real(), view=True, save_inputs=False,
       vjp=lambda g, out, x: (view_as_complex(g.contiguous()),),
       dtypes=D.COMPLEX, samples=_complex_samples,
       ref=lambda x: np.stack([x.real, x.imag], -1), method=True)
def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """A real view of complex ``input``, shape ``(*input.shape, 2)``: parts in the last dim.

    The real part is at ``[..., 0]`` and the imaginary part at ``[..., 1]``, sharing memory.

    Raises:
        RuntimeError: for a real tensor (PyTorch's message).
    """
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return view_as_real.bind(input)


def _pair_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    part = dt.to_real()
    yield S.SampleInput((S.Arg(S.make(rng, (3, 2), part)),), name="vector")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 3, 2), part)),), name="batch")
    yield S.SampleInput((S.Arg(S.make(rng, (2,), part)),), name="0-d-result")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 2), part)),), name="empty")


def _view_as_complex_ref(x: np.ndarray) -> np.ndarray:
    return x[..., 0] + 1j * x[..., 1]


@defop(PRIMITIVE, meta=lambda x: x.dtype.to_complex(), view=True, save_inputs=False,
       vjp=lambda g, out, x: (view_as_real(g),), dtypes=D.COMPLEX, samples=_pair_samples,
       ref=_view_as_complex_ref, method=True)
def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """A complex view of ``input``, whose last dim of 2 holds the real and imaginary parts.

    ``input`` is float32 or float64; the result has shape ``input.shape[:-1]`` and shares
    memory with it.

    Raises:
        RuntimeError: for another dtype, a last dim that is not 2 or not contiguous, odd
            strides or storage offset (PyTorch's messages); a device whose backend does not
            list complex dtypes.
    """
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                           f"but got a tensor of scalar type: {input.dtype.name} (tensorweave "
                           "has no complex32: cast to float32 first)")
    if input.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    require_complex_device("view_as_complex", input, input.dtype.to_complex())
    return view_as_complex.bind(input)


# -- parts and the conjugate --------------------------------------------------------------------


def real(input: Tensor) -> Tensor:  # noqa: A002
    """The real part: a view of a complex tensor; a real tensor itself."""
    return view_as_real(input)[..., 0] if input.dtype.is_complex else input


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor, a view.

    Raises:
        RuntimeError: for a real tensor, with PyTorch's message.
    """
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input)[..., 1]


@method
def conj(input: Tensor) -> Tensor:  # noqa: A002
    """The complex conjugate (a new tensor: no lazy conjugate bit); a real tensor itself."""
    if not input.dtype.is_complex:
        return input
    flip = Tensor._from_value([1.0, -1.0], input.device, input.dtype.to_real())
    return view_as_complex(mul(view_as_real(input), flip))


conj_physical = conj


@method
def resolve_conj(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself: a conjugate here is never lazy."""
    return input


resolve_neg = resolve_conj


@method
def is_conj(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` is a lazily conjugated view: never, ``conj`` computes."""
    return False


is_neg = is_conj


# -- building complex tensors ----------------------------------------------------------------------


def _parts(op: str, a: Tensor, b: Tensor, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        raise TypeError(f"{op}(): arguments '{names[0]}' and '{names[1]}' must be Tensors")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{op}(): Expected object of scalar type {a.dtype.name} but got "
                           f"scalar type {b.dtype.name} for second argument")
    if a.dtype not in (D.float32, D.float64):
        extra = (" (a float16 pair would need complex32, which tensorweave does not have)"
                 if a.dtype is D.float16 else "")
        raise RuntimeError(f"{op}(): Expected both inputs to be Float or Double tensors but "
                           f"got {a.dtype.name} and {b.dtype.name}{extra}")
    return broadcast_tensors(a, b)


def _from_parts(op: str, re: Tensor, im: Tensor) -> Tensor:
    require_complex_device(op, re, re.dtype.to_complex())
    return view_as_complex(stack([re, im], -1))


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch.complex
    """The complex tensor ``real + 1j * imag`` (float32 parts give complex64, float64 parts
    complex128), with broadcasting.

    Raises:
        RuntimeError: for parts of different or non-float32/64 dtypes (PyTorch's messages).
    """
    re, im = _parts("complex", real, imag, ("real", "imag"))
    return _from_parts("complex", re, im)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - torch.polar's names
    """The complex tensor with modulus ``abs`` and argument ``angle``:
    ``abs * (cos(angle) + 1j * sin(angle))``."""
    r, t = _parts("polar", abs, angle, ("abs", "angle"))
    return _from_parts("polar", mul(r, cos(t)), mul(r, sin(t)))


# -- the complex forms of real ops (elementwise.abs, angle, sgn, isreal call these) ------------


def _origin(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Where ``x`` is 0, and its parts with the real part moved to +-1 there: hypot's and
    atan2's derivatives are 0/0 at the origin, and PyTorch's abs and angle give 0 there."""
    re, im = real(x), imag(x)
    zero = eq(x, 0)
    return zero, where(zero, elementwise.copysign(1.0, re), re), im


def complex_abs(x: Tensor) -> Tensor:
    """The modulus ``|x|`` of a complex tensor, in its parts' dtype (hypot: no overflow)."""
    zero, re, im = _origin(x)
    return where(zero, 0.0, hypot(re, im))


def complex_angle(x: Tensor) -> Tensor:
    """The argument of a complex tensor in [-pi, pi], in its parts' dtype (the signs of zero
    parts pick the side: angle(-0.0 + 0j) is pi, as in PyTorch and NumPy)."""
    zero, re, im = _origin(x)
    a = atan2(im, re)
    return where(zero, a.detach(), a)


def complex_sgn(x: Tensor) -> Tensor:
    """``x / |x|`` for a complex tensor, 0 where ``x`` is 0."""
    m = complex_abs(x)
    safe = where(eq(m, 0), 1.0, m)
    return where(eq(m, 0), 0.0, x / safe)


def complex_isreal(x: Tensor) -> Tensor:
    """Where the imaginary part of a complex tensor is 0."""
    return eq(imag(x), 0)


def _conj_physical_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place conjugate (``Tensor.conj_physical_``): a real tensor is left as it is."""
    return input.copy_(conj(input)) if input.dtype.is_complex else input


# Attributes in PyTorch, not methods; abs(x) goes through abs's public function, which
# knows complex tensors (the operator table binds ops directly).
Tensor.__abs__ = lambda self: elementwise.abs(self)  # type: ignore[method-assign]
Tensor.real = property(real)  # type: ignore[attr-defined]
Tensor.imag = property(imag)  # type: ignore[attr-defined]
Tensor.conj_physical_ = _conj_physical_  # type: ignore[attr-defined]
