"""LAPACK's compact Householder form of QR, as PyTorch exposes it: `geqrf` (the
reflectors and R in one matrix, plus their scalings ``tau``), `orgqr` (the Q they make,
`linalg.householder_product`) and `ormqr` (Q, or Q^H, applied to another matrix without
forming Q), of real and complex matrices.

Everything is written in tensor ops over the batch, one reflection per column, so it runs
on every backend. `geqrf` follows LAPACK's xgeqr2/xlarfg conventions: the reflector of
column j is ``H = I - tau v v^H`` with ``v[j] = 1``, the real ``beta = -sign(Re alpha) *
||(alpha, x)||`` on the diagonal, ``H^H`` applied to the columns right of j, and no
reflection (``tau = 0``) when the column below the diagonal is already zero and alpha is
real. Like PyTorch, `geqrf` has no derivative; `ormqr` is differentiable in all three
inputs (through its chain of rank-1 updates).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from . import dtypes as D
from .autograd.function import Function
from .ops.creation import arange, eye
from .ops.decompositions import check_matrix
from .ops.elementwise import eq, ge, gt, logical_or, ne, sqrt, where
from .ops.inplace import _TORCH_NAME
from .ops.linalg import matmul
from .ops.movement import cat
from .ops.reduction import sum as _sum
from .tensor import Tensor

__all__ = ["geqrf", "householder_product", "orgqr", "ormqr"]

_Geqrf = namedtuple("geqrf", ["a", "tau"])


def _reflector(a: Tensor, rows: Tensor, i: int) -> Tensor:
    """``v_i`` of the compact form ``a``: 0 above row i, 1 at row i, ``a``'s column i
    below, shaped (..., m, 1)."""
    return where(gt(rows, i), a[..., :, i:i + 1], where(eq(rows, i), 1.0, 0.0))


def householder_product(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803
    """The first n columns of ``H_1 H_2 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with ``v_i``
    1 at row i, 0 above and ``A``'s column i below (LAPACK orgqr, the Q of geqrf's output),
    as `torch.linalg.householder_product`. Only ``A``'s strictly lower triangle is read;
    differentiable in ``A`` (that triangle) and ``tau``, as a chain of rank-1 updates.

    Args:
        A: (..., m, n) with m >= n.
        tau: (..., k) with k <= n, ``A``'s batch shape.

    Raises:
        RuntimeError: for the shapes or dtypes that do not fit (PyTorch's messages).
    """
    op = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < tau.shape[-1]:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype is not A.dtype:
        raise RuntimeError(f"{op}: tau dtype {_TORCH_NAME[tau.dtype.name]} does not match "
                           f"input dtype {_TORCH_NAME[A.dtype.name]}")
    check_matrix(op, A, "input", square=False, complex_ok=True)
    rows = arange(m, device=A.device).unsqueeze(-1)
    q = eye(m, n, dtype=A.dtype, device=A.device).expand(*A.shape).clone()
    for i in reversed(range(tau.shape[-1])):  # Q = H_i Q, innermost reflection first
        v = _reflector(A, rows, i)
        t = tau[..., i:i + 1].unsqueeze(-1)
        q = q - t * v * matmul(v.mH, q)
    return q


orgqr = householder_product


def _geqrf(a: Tensor) -> tuple[Tensor, Tensor]:
    """The unblocked Householder QR (LAPACK xgeqr2) of ``a`` (..., m, n), no autograd."""
    m, n = a.shape[-2], a.shape[-1]
    cplx = a.dtype.is_complex
    rows = arange(m, device=a.device).unsqueeze(-1)
    cols = arange(n, device=a.device)
    taus = []
    for j in range(min(m, n)):
        col = a[..., :, j:j + 1]
        below = where(gt(rows, j), col, 0.0)
        alpha = col[..., j:j + 1, :]
        re = alpha.real if cplx else alpha
        xnorm2 = _sum(below.abs() ** 2 if cplx else below * below, dim=-2, keepdim=True)
        reflect = logical_or(gt(xnorm2, 0.0), ne(alpha.imag, 0.0)) if cplx else gt(xnorm2, 0.0)
        norm = sqrt(re * re + alpha.imag * alpha.imag + xnorm2 if cplx else re * re + xnorm2)
        beta = where(reflect, where(ge(re, 0.0), -norm, norm), re)
        tau = where(reflect, (beta - alpha) / where(reflect, beta, 1.0), 0.0)
        v = where(eq(rows, j), 1.0, below / where(reflect, alpha - beta, 1.0))
        reflected = a - (tau.conj() if cplx else tau) * v * matmul(v.mH, a)
        column = where(eq(rows, j), beta, where(gt(rows, j), v, col))
        a = where(gt(cols, j), reflected, where(eq(cols, j), column, a))
        taus.append(tau[..., 0, :])
    tau = cat(taus, -1) if taus else a.new_zeros(*a.shape[:-2], 0)
    return a, tau


class _GeqrfFunction(Function):
    """`geqrf` as a node whose backward raises PyTorch's error, so a graph through it
    fails loudly instead of silently missing a gradient."""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> tuple[Tensor, Tensor]:
        return _geqrf(a.contiguous())

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Tensor) -> Any:  # noqa: A002 - PyTorch's name
    """``(a, tau)``: the QR decomposition of ``input`` (..., m, n) in LAPACK's compact
    form, as `torch.geqrf`: R in ``a``'s upper triangle, the Householder vectors below the
    diagonal (their leading 1 implied) and their scalings in ``tau`` (..., min(m, n)).
    ``orgqr(a, tau)`` is Q; ``ormqr(a, tau, C)`` is Q @ C. Not differentiable (as in
    PyTorch: backward raises).

    Raises:
        RuntimeError: for inputs with fewer than 2 dims (PyTorch's message).
        NotImplementedError: for dtypes other than float32/float64/complex64/complex128.

    Example:
        >>> import tensorweave as tw
        >>> a, tau = tw.geqrf(tw.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> a.diagonal()
        tensor([-5.0000,  0.4000])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"geqrf(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if input.dtype not in (D.float32, D.float64, *D.COMPLEX):
        raise NotImplementedError(f'"geqrf_cpu" not implemented for '
                                  f"'{_TORCH_NAME[input.dtype.name]}'")
    return _Geqrf(*_GeqrfFunction.apply(input))


def _check_ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool) -> None:  # noqa: A002
    op = "torch.ormqr"
    for name, t in (("input", input), ("tau", tau), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"ormqr(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError(f"{op}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{op}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.ndim < 1 or tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"{op}: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    if input.ndim - tau.ndim != 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{input.ndim}")
    if input.ndim != other.ndim:
        raise RuntimeError(f"{op}: Expected other to have the same number of dimensions as "
                           f"input, but got other.ndim equal to {other.ndim} and input.ndim "
                           f"is equal to {input.ndim}")
    batch = list(input.shape[:-2])
    if list(tau.shape[:-1]) != batch:
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if list(other.shape[:-2]) != batch:
        raise RuntimeError(f"{op}: Expected batch dimensions of other to be equal to "
                           f"input.shape[:-2], but got {list(other.shape[:-2])}")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype is not input.dtype:
            raise RuntimeError(f"{op}: Expected input and {name} to have the same dtype, but "
                               f"input has dtype{_TORCH_NAME[input.dtype.name]} and {name} has "
                               f"dtype {_TORCH_NAME[t.dtype.name]}")
    check_matrix(op, input, "input", square=False, complex_ok=True)


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True,  # noqa: A002
          transpose: bool = False) -> Tensor:
    """``op(Q) @ other`` (``left``) or ``other @ op(Q)``, with Q the m x m product of the
    Householder reflectors ``(input, tau)`` of `geqrf` and ``op`` the (conjugate) transpose
    when ``transpose``, as `torch.ormqr`. Q is never formed: each reflection is a rank-1
    update of ``other``. Differentiable in ``input`` (its strictly lower triangle), ``tau``
    and ``other``.

    Raises:
        RuntimeError: for shapes, batch dims or dtypes that do not fit (PyTorch's
            messages).
    """
    _check_ormqr(input, tau, other, left)
    rows = arange(input.shape[-2], device=input.device).unsqueeze(-1)
    k = tau.shape[-1]
    # Q = H_0 H_1 ... H_(k-1): Q @ C and C @ Q^H apply the last reflection first; Q^H's
    # reflections are H_i^H = I - conj(tau_i) v_i v_i^H.
    order = range(k - 1, -1, -1) if left != transpose else range(k)
    taus = tau.conj() if transpose and tau.dtype.is_complex else tau
    out = other
    for i in order:
        v = _reflector(input, rows, i)
        t = taus[..., i:i + 1].unsqueeze(-1)
        out = out - t * v * matmul(v.mH, out) if left else out - t * matmul(out, v) * v.mH
    return out


Tensor.geqrf = geqrf  # type: ignore[attr-defined]
Tensor.orgqr = orgqr  # type: ignore[attr-defined]
Tensor.ormqr = ormqr  # type: ignore[attr-defined]
