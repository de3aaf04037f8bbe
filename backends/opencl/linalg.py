"""matmul (tiled GEMM in `cl/gemm.cl`) and einsum, which is written over the backend's own
natives: diagonals are strided views, lone letters are summed, and each pair of operands
becomes one batched GEMM."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from tensorweave.ops._rules import contiguous_strides

from . import cltypes as T
from .array import ClArray
from .elementwise import broadcast_shape, cast_to, scalar_array
from .movement import clone
from .reduction import reduce
from .runtime import Geometry

__all__ = ["KERNELS", "matmul"]

_TILE = 16  # the tiled kernel's tile (cl/gemm.cl TS)
_ROWS = 8   # rows of C per work-item in the vector kernels (cl/gemm.cl RB)
_COPY_WORTH = 1 << 15  # products (M N K) from which B is copied for the vector kernels
_PACK_WORTH = 1 << 20  # float32 products (M N K) from which A and B are packed into panels
_PR, _PC = 8, 32  # the packed kernel's rows of A and columns of B per panel (cl/gemm.cl)


def _gemm(out: ClArray, a: ClArray, b: ClArray, a_off: int, b_off: int, c_off: int,
          sab: int, sbb: int, batch: int) -> None:
    """``batch`` products of ``a``'s and ``b``'s last two dims into contiguous ``out``."""
    rt = out.rt
    m, kd = a.shape[-2:]
    n = b.shape[-1]
    t = T.tag(out.dtype)
    i64 = np.int64
    for width in (16, 8):
        aligned = t == "f16" or all(v % width == 0 for v in (b_off, sbb, out.offset + c_off))
        if n % width or b.elem_strides[-1] != 1 or b.elem_strides[-2] != n or not aligned:
            continue
        unit = "u" if a.elem_strides[-1] == 1 else ""
        k = rt.family("gemm.cl", t, f"matmul_v{width}{unit}")
        gs = (n // width, -(-m // _ROWS), batch)
        k(rt.queue, gs, (1, 1, 1), out.buffer, i64(out.offset + c_off), a.buffer, b.buffer,
          i64(m), i64(n), i64(kd), i64(a_off), i64(a.elem_strides[-2]),
          i64(a.elem_strides[-1]), i64(sab), i64(b_off), i64(sbb))
        return
    k = rt.family("gemm.cl", t, "matmul")
    gs = (-(-n // _TILE) * _TILE, -(-m // _TILE) * _TILE, batch)
    k(rt.queue, gs, (_TILE, _TILE, 1), out.buffer, i64(out.offset + c_off), a.buffer,
      b.buffer, i64(m), i64(n), i64(kd), i64(a_off), i64(a.elem_strides[-2]),
      i64(a.elem_strides[-1]), i64(sab), i64(b_off), i64(b.elem_strides[-2]),
      i64(b.elem_strides[-1]), i64(sbb))


def _panels(x: ClArray, off: int, sb: int, batch: int, outer: int, kd: int, p: int,
            s_outer: int, s_k: int) -> tuple[ClArray, int]:
    """``x``'s ``batch`` matrices (from element ``off``, ``sb`` apart) packed for the packed
    kernel: contiguous ``(batch, ceil(outer / p), kd, p)``, entry ``[b, q, k, r]`` being
    element ``(q p + r, k)``, addressed through strides ``s_outer`` and ``s_k``. A broadcast
    operand (``sb == 0``) is packed once. The last panel's padding is left unwritten: its
    products land only in rows or columns of C that are never read. Returns the packed
    array and its batch stride."""
    rt = x.rt
    if sb == 0:
        batch = 1
    full, rem = divmod(outer, p)
    out = rt.empty((batch, full + (rem > 0), kd, p), x.dtype)
    st = out.elem_strides
    if full:
        cast_to(x.view((batch, full, kd, p), (sb, p * s_outer, s_k, s_outer), off), x.dtype,
                out=out.view((batch, full, kd, p), st))
    if rem:
        cast_to(x.view((batch, 1, kd, rem), (sb, 0, s_k, s_outer), off + full * p * s_outer),
                x.dtype, out=out.view((batch, 1, kd, rem), st, full * st[1]))
    return out, (st[0] if batch > 1 else 0)


def _gemm_packed(out: ClArray, a: ClArray, b: ClArray, a_off: int, b_off: int, c_off: int,
                 sab: int, sbb: int, batch: int) -> None:
    """`_gemm` through panels (`_panels`); ``out``'s rows are padded to whole panels."""
    rt = out.rt
    m, kd = a.shape[-2:]
    n = b.shape[-1]
    pa, spa = _panels(a, a_off, sab, batch, m, kd, _PR, a.elem_strides[-2], a.elem_strides[-1])
    pb, spb = _panels(b, b_off, sbb, batch, n, kd, _PC, b.elem_strides[-1], b.elem_strides[-2])
    k = rt.family("gemm.cl", "f32", "matmul_packed")
    k(rt.queue, (pb.shape[1], pa.shape[1], batch), (1, 1, 1), out.buffer, out.offset + c_off,
      out.shape[-1], pa.buffer, pb.buffer, m, kd, spa, spb)


def _row_major(b: ClArray, width: int) -> ClArray:
    """``b`` as a contiguous array whose rows are padded with zeros to ``width`` columns:
    the layout the vector kernels read (a transposed weight, as in ``linear``, is not)."""
    rt = b.rt
    out = rt.empty((*b.shape[:-1], width), b.dtype)
    if width != b.shape[-1]:
        cast_to(scalar_array(rt, 0, b.dtype), b.dtype, out=out)
    cast_to(b, b.dtype, out=out.view(b.shape, out.elem_strides))
    return out


def matmul(a: ClArray, b: ClArray) -> ClArray:
    rt = a.rt
    va = a if a.ndim > 1 else a.view((1, a.shape[0]), (0, a.elem_strides[0]))
    vb = b if b.ndim > 1 else b.view((b.shape[0], 1), (b.elem_strides[0], 0))
    m, kd, n = va.shape[-2], va.shape[-1], vb.shape[-1]
    if vb.shape[-2] != kd:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned "
                         f"({kd} != {vb.shape[-2]})")
    batch = broadcast_shape([va.shape[:-2], vb.shape[:-2]])
    width = n
    fast = n % 8 == 0 and vb.elem_strides[-1] == 1 and vb.elem_strides[-2] == n
    gemm = _gemm
    if a.dtype == np.float32 and m * n * kd >= _PACK_WORTH:
        gemm = _gemm_packed
        width = -(-n // _PC) * _PC
    elif not fast and m * n * kd >= _COPY_WORTH:
        # Copying B into the vector kernels' layout costs O(K N); the tiled kernel's slowness
        # costs O(M N K).
        width = -(-n // 8) * 8
        vb = _row_major(vb, width)
    shape = (*batch, m, width)
    out = rt.empty(shape, a.dtype)
    if out.size and not batch:  # one product, the common case: no batch walk to set up
        gemm(out, va, vb, va.offset, vb.offset, 0, 0, 0, 1)
    elif out.size:
        def bstrides(x: ClArray) -> tuple[int, ...]:
            lead = len(batch) - (x.ndim - 2)
            return (0,) * lead + tuple(0 if s == 1 else st for s, st in
                                       zip(x.shape[:-2], x.elem_strides[:-2]))

        sh, (sc, sa, sb) = Geometry.merge(batch, [contiguous_strides(shape)[:-2],
                                                  bstrides(va), bstrides(vb)])
        if not sh:
            sh, sc, sa, sb = [1], [0], [0], [0]
        lead = sh[:-1]
        for idx in np.ndindex(*lead):
            oa = va.offset + sum(i * s for i, s in zip(idx, sa))
            ob = vb.offset + sum(i * s for i, s in zip(idx, sb))
            oc = sum(i * s for i, s in zip(idx, sc))
            gemm(out, va, vb, oa, ob, oc, sa[-1], sb[-1], sh[-1])
    dims = list(range(len(shape)))
    if a.ndim == 1:
        dims.remove(len(shape) - 2)
    if b.ndim == 1:
        dims.remove(len(shape) - 1)
    sizes = (*batch, m, n)
    return out.view(tuple(sizes[d] for d in dims), tuple(out.elem_strides[d] for d in dims))


# -- einsum ---------------------------------------------------------------------------------


def _diagonal(x: ClArray, letters: str) -> tuple[ClArray, str]:
    """Merge repeated letters into one dim (a strided view whose stride is their sum)."""
    uniq: list[str] = []
    shape: list[int] = []
    strides: list[int] = []
    for c, n, s in zip(letters, x.shape, x.elem_strides):
        if c in uniq:
            strides[uniq.index(c)] += s
        else:
            uniq.append(c)
            shape.append(n)
            strides.append(s)
    return x.view(tuple(shape), tuple(strides)), "".join(uniq)


def _permute(x: ClArray, letters: str, order: str) -> ClArray:
    p = [letters.index(c) for c in order]
    return x.view(tuple(x.shape[i] for i in p), tuple(x.elem_strides[i] for i in p))


def _sum_out(x: ClArray, letters: str, drop: set[str]) -> tuple[ClArray, str]:
    dims = tuple(i for i, c in enumerate(letters) if c in drop)
    if not dims:
        return x, letters
    return reduce("sum", x, dims, False), "".join(c for c in letters if c not in drop)


def _contract(x: ClArray, lx: str, y: ClArray, ly: str, later: set[str]) -> tuple[ClArray, str]:
    both = [c for c in lx if c in ly]
    batch = "".join(c for c in both if c in later)
    con = "".join(c for c in both if c not in later)
    left = "".join(c for c in lx if c not in ly)
    right = "".join(c for c in ly if c not in lx)
    size = dict(zip(lx, x.shape)) | dict(zip(ly, y.shape))
    nb, nm, nk, nn = (math.prod(size[c] for c in s) for s in (batch, left, con, right))
    a = clone(_permute(x, lx, batch + left + con))
    b = clone(_permute(y, ly, batch + con + right))
    a = a.view((nb, nm, nk), contiguous_strides((nb, nm, nk)))
    b = b.view((nb, nk, nn), contiguous_strides((nb, nk, nn)))
    r = matmul(a, b)
    if not r.is_contiguous():  # padded columns
        r = clone(r)
    letters = batch + left + right
    shape = tuple(size[c] for c in letters)
    return r.view(shape, contiguous_strides(shape)), letters


def einsum(*xs: ClArray, equation: str) -> ClArray:
    lhs, _, out = equation.partition("->")
    terms = lhs.split(",")
    ops = [_diagonal(x, t) for x, t in zip(xs, terms)]
    counts: dict[str, int] = {}
    for _, t in ops:
        for c in t:
            counts[c] = counts.get(c, 0) + 1
    ops = [_sum_out(x, t, {c for c in t if counts[c] == 1 and c not in out}) for x, t in ops]
    cur, lc = ops[0]
    for i in range(1, len(ops)):
        later = set(out).union(*[t for _, t in ops[i + 1:]])
        cur, lc = _contract(cur, lc, ops[i][0], ops[i][1], later)
    cur, lc = _sum_out(cur, lc, {c for c in lc if c not in out})
    return clone(_permute(cur, lc, out))


KERNELS: dict[str, Callable[..., Any]] = {"matmul": matmul, "einsum": einsum}
