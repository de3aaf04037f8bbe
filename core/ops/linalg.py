"""Linear algebra: ``matmul`` and ``einsum`` are the primitives; mm, bmm, dot, outer build on
matmul (and get its derivative for free).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Iterator, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, PRIMITIVE, Tol, defop, method
from ._rules import ShapeError, broadcast_shapes, normalize_dim
from .creation import arange, zeros, zeros_like
from .elementwise import abs as _abs
from .elementwise import eq, gt, mul, where
from .indexing import select
from .joining import broadcast_tensors
from .movement import as_strided_scatter, stack
from .movement import diagonal as _diagonal_of  # `diag` has an argument named diagonal
from .reduction import norm
from .reduction import sum as _sum

__all__ = ["matmul", "mm", "bmm", "dot", "outer", "ger", "einsum", "addmm", "addr", "mv", "addmv",
           "chain_matmul",
           "baddbmm",
           "addbmm", "inner", "vdot", "tensordot", "kron", "cross", "diag", "trace", "cdist",
           "diag_embed", "diagflat", "block_diag", "dist", "renorm", "vander"]

MATMUL_DTYPES = (*D.FLOATING, D.int32, D.int64, *D.COMPLEX)
# Products of a few float16 values summed in float32 still round once at the end.
_TOL = {D.float16: Tol(atol=2e-2, rtol=1e-2)}


def _as_tensors(*xs: Any) -> list[Tensor]:
    """Accept nested lists and NumPy arrays as PyTorch's C++ binding does, on the first
    tensor's device."""
    from .creation import tensor

    dev = next((x.device for x in xs if isinstance(x, Tensor)), None)
    return [x if isinstance(x, Tensor) else tensor(x, device=dev) for x in xs]


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{op}: expected both operands to have the same dtype, but got "
                           f"{a.dtype.name} and {b.dtype.name}. Convert one with .to(dtype).")


def _shape_str(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape))


def _matmul_vjp(g: Tensor, out: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # Promote 1-d operands to matrices so both gradients are plain matmuls, then undo it.
    # The engine sums broadcast batch dims back to each operand's shape.
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g.unsqueeze(-1) if b.ndim == 1 else g
    g2 = g2.unsqueeze(-2) if a.ndim == 1 else g2
    ga = matmul(g2, b2.mT)
    gb = matmul(a2.mT, g2)
    return (ga.squeeze(-2) if a.ndim == 1 else ga), (gb.squeeze(-1) if b.ndim == 1 else gb)


def _matmul_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for sa, sb in [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)),
                   ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)),
                   ((0, 4), (4, 3)), ((3, 0), (0, 2))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}@{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 4), dt), noncontig=True)), name="noncontiguous")


@defop(PRIMITIVE, vjp=_matmul_vjp, ref=np.matmul, samples=_matmul_samples, tol=_TOL,
       dtypes=MATMUL_DTYPES, gradgrad=True)
def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Matrix product with NumPy/PyTorch semantics (1-d operands, batch broadcasting).

    Args:
        input: a tensor with at least 1 dim (nested lists are accepted).
        other: a tensor with at least 1 dim, of ``input``'s dtype.

    Returns:
        The product; a 1-d operand loses its added dim again.

    Raises:
        RuntimeError: if the inner dims differ, an operand is 0-d, or the dtypes differ.

    Example:
        >>> import tensorweave as tw
        >>> tw.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])
        tensor([[19, 22],
                [43, 50]])
    """
    input, other = _as_tensors(input, other)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, but got "
                           f"{input.ndim}D and {other.ndim}D tensors")
    k1 = input.shape[-1]
    k2 = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k1 != k2:
        sa = _shape_str(input.shape if input.ndim > 1 else (1, *input.shape))
        sb = _shape_str(other.shape if other.ndim > 1 else (*other.shape, 1))
        raise ShapeError(f"matmul: mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    _same_dtype("matmul", input, other)
    return matmul.bind(input, other)


def _mm_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for sa, sb in [((3, 4), (4, 5)), ((0, 4), (4, 3)), ((3, 0), (0, 2)), ((1, 1), (1, 1))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}@{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 4), dt), noncontig=True)), name="noncontiguous")


@defop(COMPOSITE, decomp=lambda a, b: matmul.bind(a, b), ref=np.matmul, samples=_mm_samples,
       dtypes=MATMUL_DTYPES, tol=_TOL)
def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Product of two matrices (no broadcasting; see `matmul`).

    Raises:
        RuntimeError: if an operand is not 2-D, the shapes do not chain, or the dtypes differ.

    Example:
        >>> import tensorweave as tw
        >>> tw.mm(tw.ones(2, 3), tw.ones(3, 4)).shape
        tensorweave.Size([2, 4])
    """
    input, mat2 = _as_tensors(input, mat2)
    for name, x in (("self", input), ("mat2", mat2)):
        if x.ndim != 2:
            raise RuntimeError(f"mm: {name} must be a matrix; got a {x.ndim}-D tensor of shape "
                               f"{list(x.shape)}. Use matmul for other ranks.")
    if input.shape[1] != mat2.shape[0]:
        raise ShapeError(f"mm: mat1 and mat2 shapes cannot be multiplied "
                         f"({_shape_str(input.shape)} and {_shape_str(mat2.shape)})")
    _same_dtype("mm", input, mat2)
    return mm.bind(input, mat2)


def _bmm_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for sa, sb in [((2, 3, 4), (2, 4, 5)), ((0, 2, 3), (0, 3, 2)), ((2, 3, 0), (2, 0, 4))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}@{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (2, 4, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (2, 3, 4), dt), noncontig=True)), name="noncontiguous")


@defop(COMPOSITE, decomp=lambda a, b: matmul.bind(a, b), ref=np.matmul, samples=_bmm_samples,
       dtypes=MATMUL_DTYPES, tol=_TOL)
def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting).

    Raises:
        RuntimeError: if an operand is not 3-D, the batch sizes or inner dims differ, or the
            dtypes differ.
    """
    input, mat2 = _as_tensors(input, mat2)
    for name, x in (("batch1", input), ("batch2", mat2)):
        if x.ndim != 3:
            raise RuntimeError(f"bmm: {name} must be a 3D tensor; got a {x.ndim}-D tensor of "
                               f"shape {list(x.shape)}. Use matmul to broadcast.")
    b, _, k = input.shape
    if tuple(mat2.shape[:2]) != (b, k):
        raise ShapeError(f"bmm: Expected size for first two dimensions of batch2 tensor to be: "
                         f"[{b}, {k}] but got: [{mat2.shape[0]}, {mat2.shape[1]}] (batch1 "
                         f"{list(input.shape)}, batch2 {list(mat2.shape)})")
    _same_dtype("bmm", input, mat2)
    return bmm.bind(input, mat2)


def _vec_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for sa, sb in [((4,), (4,)), ((0,), (0,)), ((1,), (1,))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}.{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (5,), dt), noncontig=True),
                         S.Arg(S.make(rng, (5,), dt), noncontig=True)), name="noncontiguous")


def _require_1d(op: str, a: Tensor, b: Tensor) -> None:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{op}: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors "
                           f"(shapes {list(a.shape)} and {list(b.shape)})")


@defop(COMPOSITE, decomp=lambda a, b: matmul.bind(a, b), ref=np.dot, samples=_vec_samples,
       dtypes=MATMUL_DTYPES, tol=_TOL)
def dot(input: Tensor, tensor: Tensor) -> Tensor:  # noqa: A002
    """Inner product of two 1-D tensors of the same size and dtype.

    Raises:
        RuntimeError: if an operand is not 1-D, the sizes differ, or the dtypes differ.

    Example:
        >>> import tensorweave as tw
        >>> tw.dot(tw.tensor([1, 2]), tw.tensor([3, 4]))
        tensor(11)
    """
    input, tensor = _as_tensors(input, tensor)
    _require_1d("dot", input, tensor)
    if input.shape[0] != tensor.shape[0]:
        raise ShapeError(f"dot: inconsistent tensor size, expected tensor [{input.shape[0]}] and "
                         f"src [{tensor.shape[0]}] to have the same number of elements, but got "
                         f"{input.shape[0]} and {tensor.shape[0]} elements respectively")
    _same_dtype("dot", input, tensor)
    return dot.bind(input, tensor)


def _outer_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    for sa, sb in [((3,), (4,)), ((0,), (2,)), ((1,), (1,))]:
        yield S.SampleInput((S.Arg(S.make(rng, sa, dt)), S.Arg(S.make(rng, sb, dt))),
                            name=f"{sa}x{sb}")
    yield S.SampleInput((S.Arg(S.make(rng, (3,), dt), noncontig=True),
                         S.Arg(S.make(rng, (2,), dt), noncontig=True)), name="noncontiguous")


@defop(COMPOSITE, decomp=lambda a, b: mul(a.unsqueeze(-1), b), ref=np.outer,
       samples=_outer_samples, dtypes=D.ALL_AND_COMPLEX)
def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    """Outer product ``input[i] * vec2[j]`` of two 1-D tensors (types promote as in `mul`).

    Raises:
        RuntimeError: if an operand is not 1-D.
    """
    input, vec2 = _as_tensors(input, vec2)
    _require_1d("outer", input, vec2)
    return outer.bind(input, vec2)


ger = outer  # PyTorch's older name, a method too


# -- einsum ---------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, operands: Sequence[Tensor]) -> tuple[str, list[Tensor]]:
    """Validate ``equation`` and rewrite it with explicit letters only (no ellipsis, always
    ``->``); operands whose ellipsis dims broadcast are expanded to the common shape.
    """
    eq_ = equation.replace(" ", "")
    lhs, arrow, rhs = eq_.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): the equation {equation!r} names {len(terms)} operands but "
                           f"{len(operands)} were given")
    for ch in eq_.replace("...", "").replace(",", "").replace("->", ""):
        if ch not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript {ch!r} in {equation!r}; subscripts "
                               "must be letters in [a-zA-Z], with '...' for broadcast dims")
    free = [c for c in _LETTERS if c not in eq_]
    ell_dims = []
    for i, (t, x) in enumerate(zip(terms, operands)):
        n = len(t.replace("...", ""))
        if "..." in t:
            if t.count("...") > 1 or n > x.ndim:
                raise RuntimeError(f"einsum(): operand {i} has {x.ndim} dims but subscripts "
                                   f"{t!r} in {equation!r}")
            ell_dims.append(x.ndim - n)
        else:
            if n != x.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) "
                                   f"does not match the number of dimensions ({x.ndim}) for "
                                   f"operand {i} and no ellipsis was given")
            ell_dims.append(0)
    n_ell = max(ell_dims, default=0)
    ell = "".join(free[:n_ell])
    # Broadcast the ellipsis dims (right-aligned) across operands.
    ell_shape = [1] * n_ell
    for t, x, k in zip(terms, operands, ell_dims):
        start = t.index("...") if "..." in t else 0
        for j, s in enumerate(x.shape[start:start + k]):
            pos = n_ell - k + j
            if s != 1:
                if ell_shape[pos] not in (1, s):
                    raise ShapeError(f"einsum(): operands do not broadcast in their '...' dims "
                                     f"in {equation!r}: shapes "
                                     f"{[list(o.shape) for o in operands]}")
                ell_shape[pos] = s
    sizes: dict[str, int] = {}
    new_terms, new_ops = [], []
    for i, (t, x, k) in enumerate(zip(terms, operands, ell_dims)):
        letters = t.replace("...", ell[n_ell - k:])
        if k:
            s0 = t.index("...")
            want = ell_shape[n_ell - k:]
            if list(x.shape[s0:s0 + k]) != want:
                x = x.expand(*x.shape[:s0], *want, *x.shape[s0 + k:])
        for c, s in zip(letters, x.shape):
            if sizes.setdefault(c, s) != s:
                raise ShapeError(f"einsum(): subscript {c!r} has size {sizes[c]} for one "
                                 f"operand and {s} for operand {i} in {equation!r} (shapes "
                                 f"{[list(o.shape) for o in operands]})")
        new_terms.append(letters)
        new_ops.append(x)
    if arrow:
        if rhs.count("...") > 1:
            raise RuntimeError(f"einsum(): the output of {equation!r} has more than one '...'")
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   f"the output of {equation!r}")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   f"equation {equation!r} for any input operand")
    else:
        # Implicit output: the ellipsis dims, then the letters used once, alphabetically.
        once = sorted(c for c in set("".join(terms).replace(".", ""))
                      if "".join(terms).count(c) == 1)
        out = ell + "".join(once)
    return ",".join(new_terms) + "->" + out, new_ops


def _einsum_grad(g: Tensor, i: int, terms: list[str], out: str, ops: tuple[Any, ...]) -> Tensor:
    """The gradient of operand ``i``: another einsum of ``g`` with the other operands.

    A letter repeated within the operand (a diagonal) gets a fresh letter tied to it by an
    identity matrix; letters found nowhere else (summed away) are broadcast back at the end.
    """
    target = terms[i]
    used = set("".join(terms) + out)
    fresh = iter(c for c in _LETTERS if c not in used)
    renamed, eyes = [], []
    shape = ops[i].shape
    for pos, c in enumerate(target):
        if c in renamed:
            f = next(fresh)
            r = arange(shape[pos], device=g.device)
            eyes.append((c + f, eq(r.unsqueeze(-1), r).to(g.dtype)))
            c = f
        renamed.append(c)
    subs = [out] + [t for j, t in enumerate(terms) if j != i] + [s for s, _ in eyes]
    args = [g] + [x for j, x in enumerate(ops) if j != i] + [e for _, e in eyes]
    have = set("".join(subs))
    kept = "".join(c for c in renamed if c in have)
    r = einsum.bind(*args, equation=",".join(subs) + "->" + kept)
    if len(kept) != len(renamed):
        r = r.reshape([s if c in have else 1 for c, s in zip(renamed, shape)]).expand(*shape)
    return r


def _einsum_vjp(g: Tensor, out: Tensor, *ops: Any, equation: str) -> tuple[Tensor, ...]:
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    return tuple(_einsum_grad(g, i, terms, rhs, ops) for i in range(len(ops)))


def _einsum_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    cases = [("ij,jk->ik", (3, 4), (4, 2)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
             ("i,i->", (4,), (4,)), ("i,j->ij", (3,), (2,)), ("ij,ij->ij", (2, 3), (2, 3)),
             ("ij,jk", (2, 3), (3, 4)), ("ii->i", (3, 3)), ("ii", (3, 3)),
             ("ijk->kj", (2, 3, 4)), ("ij->", (2, 3)), ("...ij->...ji", (2, 2, 3)),
             ("...ij,jk->...ik", (2, 1, 3, 4), (4, 2)), ("...i,...i->...", (2, 3), (1, 3)),
             ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)), ("iij,j->i", (2, 2, 3), (3,)),
             ("ij,jk->ik", (0, 3), (3, 2))]
    for eqn, *shapes in cases:
        yield S.SampleInput((eqn, *(S.Arg(S.make(rng, s, dt)) for s in shapes)), name=eqn)
    yield S.SampleInput(("ij,jk->ki", S.Arg(S.make(rng, (4, 3), dt), noncontig=True),
                         S.Arg(S.make(rng, (3, 2), dt), noncontig=True)), name="noncontiguous")


@defop(PRIMITIVE, vjp=_einsum_vjp, ref=np.einsum, samples=_einsum_samples, method=False,
       dtypes=MATMUL_DTYPES, tol=_TOL, gradgrad=True)
def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, like `torch.einsum` (``...`` broadcasting, implicit output).

    Args:
        equation: subscripts such as ``"ij,jk->ik"``; without ``->`` the output holds the
            letters used once, in alphabetical order.
        *operands: the tensors (or one list of them), all of one dtype.

    Returns:
        The contraction.

    Raises:
        RuntimeError: for a malformed equation, sizes that disagree or mixed dtypes.

    Example:
        >>> import tensorweave as tw
        >>> tw.einsum("ii->", tw.tensor([[1, 2], [3, 4]]))
        tensor(5)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a str; got {type(equation).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    ops = _as_tensors(*operands)
    if len({x.dtype for x in ops}) > 1:
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, but got "
                           f"{', '.join(x.dtype.name for x in ops)}. Convert with .to(dtype).")
    canonical, ops = _parse_einsum(equation, ops)
    return einsum.bind(*ops, equation=canonical)


# -- PyTorch's BLAS-style helpers (over the products above) ---------------------------------------

def _scaled_sum(op: str, input: Any, prod: Tensor, beta: Any, alpha: Any) -> Tensor:  # noqa: A002
    """``beta * input + alpha * prod``; with ``beta == 0`` ``input`` is ignored (nan and inf in
    it do not propagate), as BLAS and PyTorch define it."""
    input = input if isinstance(input, Tensor) else _as_tensors(input)[0]
    broadcast_shapes(op, tuple(input.shape), tuple(prod.shape))
    scaled = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return scaled + zeros_like(input)
    return scaled + (input if beta == 1 else input * beta)


@method
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` (``input`` broadcasts), as `torch.addmm`."""
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


@method
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1,  # noqa: A002
         alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` broadcasts), as `torch.addr`."""
    return _scaled_sum("addr", input, outer(vec1, vec2), beta, alpha)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, PyTorch's older spelling of `linalg.multi_dot` (which it
    deprecates, with the same warning)."""
    from ..linalg import multi_dot  # tensorweave.linalg is built over these ops

    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if any(m.ndim != 2 for m in matrices):
        raise RuntimeError(f"chain_matmul(): Expected 2-D matrices; got "
                           f"{[list(m.shape) for m in matrices]}")
    return matrices[0].clone() if len(matrices) == 1 else multi_dot(list(matrices))


@method
def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    """Matrix-vector product of a 2-D and a 1-D tensor.

    Raises:
        RuntimeError: if the operands are not a matrix and a vector of its width.
    """
    input, vec = _as_tensors(input, vec)
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise ShapeError(f"mv: size mismatch, got input ({_shape_str(input.shape)}), vec "
                         f"({_shape_str(vec.shape)}); expected a matrix (n x m) and a vector "
                         "(m)")
    return matmul(input, vec)


@method
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``, as `torch.addmv`."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


@method
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
            alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``, as `torch.baddbmm`."""
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@method
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``, as `torch.addbmm`."""
    return _scaled_sum("addbmm", input, _sum(bmm(batch1, batch2), 0), beta, alpha)


@method
def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Sum of products over the last dims (a 0-d operand multiplies), as `torch.inner`."""
    input, other = _as_tensors(input, other)
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise ShapeError(f"inner() the last dimension must match on both input tensors but got "
                         f"shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


@method
def vdot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """`dot` of two 1-D tensors, the first conjugated: ``sum(conj(input) * other)``."""
    from .complex_numbers import conj

    return dot(conj(input) if isinstance(input, Tensor) else input, other)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b``, or the listed
    pairs ``(dims_a, dims_b)``: one matrix product of the permuted, flattened operands.

    Raises:
        RuntimeError: for contracted dims of different sizes or a negative ``dims``.
    """
    a, b = _as_tensors(a, b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [normalize_dim("tensordot", d, a.ndim) for d in da]
    db = [normalize_dim("tensordot", d, b.ndim) for d in db]
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dimension lists should have same length; got "
                           f"{da} and {db}")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: contracted dimensions need to match, but first has "
                             f"size {a.shape[i]} in dim {i} and second has size {b.shape[j]} "
                             f"in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    am = a.permute(*free_a, *da).reshape(-1, k)
    bm = b.permute(*db, *free_b).reshape(k, -1)
    _same_dtype("tensordot", am, bm)
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return mm(am, bm).reshape(*out_shape)


@method
def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Kronecker product: blocks ``input[i, j] * other`` (lower-rank operands gain leading
    ones), as `torch.kron`."""
    input, other = _as_tensors(input, other)
    nd = max(input.ndim, other.ndim)
    a = input.reshape(*((1,) * (nd - input.ndim) + tuple(input.shape)))
    b = other.reshape(*((1,) * (nd - other.ndim) + tuple(other.shape)))
    # Interleave (a0, 1, a1, 1...) with (1, b0, 1, b1...), multiply, merge the pairs.
    pa = a.reshape(*[v for s in a.shape for v in (s, 1)])
    pb = b.reshape(*[v for s in b.shape for v in (1, s)])
    return mul(pa, pb).reshape(*[sa * sb for sa, sb in zip(a.shape, b.shape)])


@method
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (shapes broadcast). Without ``dim``, the first
    dim of size 3, as `torch.cross` (PyTorch deprecates that default; `linalg.cross` uses -1).

    Raises:
        RuntimeError: if the dim does not have size 3.
    """
    input, other = broadcast_tensors(*_as_tensors(input, other))
    if dim is None:
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input of shape {list(input.shape)}")
    d = normalize_dim("cross", dim, input.ndim)
    if input.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    a = [select(input, d, i) for i in range(3)]
    b = [select(other, d, i) for i in range(3)]
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                  a[0] * b[1] - a[1] * b[0]], d)


@method
def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D input becomes a square matrix with it on the ``diagonal``-th diagonal; a 2-D input
    gives a copy of that diagonal, as `torch.diag`.

    Raises:
        RuntimeError: for inputs of other ranks.
    """
    if input.ndim == 2:
        return _diagonal_of(input, diagonal).clone()
    if input.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return diag_embed(input, diagonal)


@method
def trace(input: Tensor) -> Tensor:  # noqa: A002
    """Sum of the main diagonal of a matrix (integers sum to int64, as `sum`).

    Raises:
        RuntimeError: for an input that is not 2-D.
    """
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return _sum(_diagonal_of(input))


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: Any = None) -> Tensor:
    """p-norm distances between each row of ``x1`` (B x P x M) and of ``x2`` (B x R x M):
    shape B x P x R, batch dims broadcasting. ``compute_mode`` is accepted; distances are
    always computed directly, not through the matrix-product expansion (exact, more memory).

    Raises:
        RuntimeError: for fewer than two dims, different last dims, or a negative ``p``.
    """
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D, "
                           f"X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)


@method
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Matrices (in dims ``dim1``, ``dim2`` of the result) with the last dim of ``input`` on
    their ``offset``-th diagonal, zeros elsewhere."""
    n = input.shape[-1] + abs(offset) if input.ndim else 1 + abs(offset)
    nd = input.ndim + 1
    d1, d2 = normalize_dim("diag_embed", dim1, nd), normalize_dim("diag_embed", dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    batch = list(input.shape[:-1])
    shape = []
    it = iter(batch)
    for k in range(nd):
        shape.append(n if k in (d1, d2) else next(it))
    out = zeros(tuple(shape), dtype=input.dtype, device=input.device)
    st = out.stride()
    start = offset * st[d2] if offset >= 0 else -offset * st[d1]
    keep = [k for k in range(nd) if k not in (d1, d2)]
    return as_strided_scatter(out, input, [shape[k] for k in keep] + [input.shape[-1]],
                              [st[k] for k in keep] + [st[d1] + st[d2]], start)


@method
def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """A square matrix with the flattened ``input`` on its ``offset``-th diagonal."""
    return diag(input.reshape(-1), offset)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the tensors (0-d and 1-D ones count as one row), their
    dtypes promoted."""
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    for i, m in enumerate(mats):
        if m.ndim != 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {m.ndim} dimensions")
    dt = D.result_type(*mats) if mats else D.get_default_dtype()
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    dev = mats[0].device if mats else None
    out = zeros((rows, cols), dtype=dt, device=dev)
    r = c = 0
    for m in mats:
        if m.numel():
            out = as_strided_scatter(out, m.to(dt), tuple(m.shape), (cols, 1), r * cols + c)
        r, c = r + m.shape[0], c + m.shape[1]
    return out


@method
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The p-norm of ``input - other`` (broadcast)."""
    return norm(input - other, p)


@method
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """``input`` with each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to
    that norm, as `torch.renorm`.

    Raises:
        RuntimeError: for a non-positive ``p`` or a negative ``maxnorm``.
    """
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported; got p={p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = normalize_dim("renorm", dim, input.ndim)
    others = tuple(k for k in range(input.ndim) if k != d)
    norms = norm(input, p, others, keepdim=True) if others else _abs(input)
    # PyTorch's factor, with its 1e-7 guard; the gradient flows through it too.
    return input * where(gt(norms, maxnorm), maxnorm / (norms + 1e-7), 1.0)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1) ... x**0`` (or increasing
    powers), N = len(x) by default.

    Raises:
        RuntimeError: for an input that is not 1-D or a negative ``N``.
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = x.dtype if x.dtype.is_floating_point else D.int64
    powers = arange(n, device=x.device) if increasing else arange(n - 1, -1, -1, device=x.device)
    return x.to(dt).unsqueeze(-1) ** powers.to(dt)
