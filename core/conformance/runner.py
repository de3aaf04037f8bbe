"""Run op conformance entries against a device.

For each op and dtype: every sample runs on the device and is compared with
the op's NumPy reference evaluated in float64 (integers in their own dtype);
for differentiable ops, float64 gradients are compared with central
differences, and with ``gradgrad=True`` second derivatives too (`check_gradgrad`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtypes as D
from ..ops._opdef import OpDef, Tol
from .samples import Arg, SampleInput

__all__ = ["Result", "check_forward", "check_backward", "check_random", "Dist", "tolerance",
           "DEFAULT_TOL", "place"]

DEFAULT_TOL = {
    D.float16: Tol(atol=1e-2, rtol=1e-2),
    D.bfloat16: Tol(atol=1e-5, rtol=1.6e-2),  # torch.testing's: 8 significant bits
    D.float32: Tol(atol=1e-5, rtol=1.3e-5),
    D.float64: Tol(atol=1e-9, rtol=1e-7),
}


@dataclass
class Result:
    """One check's outcome; ``error`` is the max absolute error for failed comparisons.

    ``op`` names the op, or the layer, loss, optimizer or scheduler. A ``skipped`` check did
    not run (``detail`` says why: no PyTorch class to compare with, no samples...); it has
    ``passed=True`` since nothing failed.
    """

    op: str
    dtype: str
    check: str
    passed: bool
    detail: str = ""
    error: float = 0.0
    skipped: bool = False


def tolerance(op: OpDef, dtype: D.dtype) -> Tol:
    """The op's own tolerance for ``dtype`` if it declares one, else the default (a complex
    dtype's are its parts' dtype's)."""
    dtype = D.to_dtype(dtype)
    real = dtype.to_real()
    return (op.tol.get(dtype) or op.tol.get(real)
            or DEFAULT_TOL.get(real, Tol(0.0, 0.0)))


def place(sample: SampleInput, dev: Any, requires_grad: bool = False) -> tuple[Any, ...]:
    """The sample's arguments as tensors on ``dev`` (non-contiguous where asked)."""
    import tensorweave as tw

    out = []
    for a in sample.args:
        if not isinstance(a, Arg):
            out.append(a)
            continue
        v = a.value
        if a.noncontig and v.ndim:
            # Every other element of a wider buffer: same values, strides of 2.
            wide = np.zeros((*v.shape[:-1], v.shape[-1] * 2), dtype=v.dtype)
            wide[..., ::2] = v
            base = tw.tensor(wide, device=dev)
            st = list(base.stride())
            st[-1] = 2
            t = base.as_strided(v.shape, st, 0)
        else:
            t = tw.tensor(v, device=dev)
        if requires_grad and a.differentiable and t.dtype.is_floating_point:
            t = t.detach().requires_grad_(True)
        out.append(t)
    return tuple(out)


def _wide(a: np.ndarray) -> np.ndarray:
    """Floats in float64 and complex values in complex128: the reference's precision."""
    kind = a.dtype.kind
    if kind == "f" or a.dtype == D.bfloat16.np:
        return a.astype(np.float64)
    return a.astype(np.complex128) if kind == "c" else a


def _ref_args(sample: SampleInput) -> tuple[Any, ...]:
    return tuple(_wide(a.value) if isinstance(a, Arg) else a for a in sample.args)


def _as_host(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return [_as_host(v) for v in x]
    if hasattr(x, "_data"):
        return np.asarray(x.detach()._host())
    return np.asarray(x)


def _compare(got: Any, want: Any, tol: Tol) -> tuple[bool, float, str]:
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return False, float("inf"), f"expected {len(want)} outputs"
        worst = (True, 0.0, "")
        for g, w in zip(got, want):
            r = _compare(g, w, tol)
            if not r[0]:
                return r
            worst = (True, max(worst[1], r[1]), "")
        return worst
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return False, float("inf"), f"shape {got.shape} != reference {want.shape}"
    if want.size == 0:
        return True, 0.0, ""
    if want.dtype.kind == "b" or got.dtype.kind == "b":
        bad = int(np.sum(got.astype(bool) != want.astype(bool)))
        return bad == 0, float(bad), f"{bad} mismatching elements" if bad else ""
    wide = np.complex128 if "c" in (got.dtype.kind, want.dtype.kind) else np.float64
    g64, w64 = got.astype(wide), want.astype(wide)
    same_nan = np.isnan(g64) == np.isnan(w64)
    same_inf = (g64 == w64) | ~np.isinf(w64)
    with np.errstate(invalid="ignore"):
        err = np.where(np.isnan(w64) | np.isinf(w64), 0.0, np.abs(g64 - w64))
    ok = bool(np.all(same_nan) and np.all(same_inf) and
              np.all(err <= tol.atol + tol.rtol * np.abs(np.nan_to_num(w64))))
    e = float(np.max(err))
    if ok:
        return ok, e, ""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = float(np.max(np.where(err == 0, 0.0, err / np.abs(np.nan_to_num(w64)))))
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    return ok, e, (f"max abs error {e:.3g}, max rel error {rel:.3g} (atol {tol.atol}, rtol "
                   f"{tol.rtol}); worst at index {tuple(int(i) for i in worst)}: got "
                   f"{g64[worst].item():.6g}, expected {w64[worst].item():.6g}")


def _kwargs(op: OpDef, sample: SampleInput, dev: Any) -> dict[str, Any]:
    kw = dict(sample.kwargs)
    if not any(isinstance(a, Arg) for a in sample.args):
        kw["device"] = dev  # creation ops
    return kw


def samples(op: OpDef, dtype: D.dtype, seed: int = 0) -> Iterator[SampleInput]:
    if op.samples is None:
        return iter(())
    return iter(op.samples(dtype, np.random.default_rng(seed)))


def check_forward(op: OpDef, dev: Any, dtype: D.dtype) -> list[Result]:
    """Every sample of ``op`` in ``dtype`` on ``dev`` against the float64 reference
    (random ops: against their distribution, see `check_random`).
    """
    if op.random:
        return check_random(op, dev, dtype)
    results = []
    for s in samples(op, dtype):
        try:
            got = op(*place(s, dev), **_kwargs(op, s, dev))
            want = op.ref(*_ref_args(s), **s.kwargs)
            consistent = _dtype_consistent(got)
            # Tolerance follows the result's dtype (integer division gives floats).
            tol = tolerance(op, _first(got).dtype if hasattr(_first(got), "dtype") else dtype)
            ok, err, detail = _compare(_as_host(got), want, tol)
            if ok and not consistent:
                ok, detail = False, "kernel returned a native array whose dtype differs from " \
                                    "the tensor's dtype"
        except Exception as e:  # noqa: BLE001 - a failing sample is a result, not a crash
            ok, err, detail = False, float("inf"), f"{type(e).__name__}: {e}"
        results.append(Result(op.name, dtype.name, f"forward {s!r}", ok, detail, err))
    return results


def _dtype_consistent(out: Any) -> bool:
    if isinstance(out, (tuple, list)):
        return all(_dtype_consistent(o) for o in out)
    if hasattr(out, "_data"):
        return np.dtype(out._data.dtype) == out.dtype.np
    return True


def _numerical_grads(fn: Any, args: tuple[Any, ...], eps: float = 1e-6) -> list[Any]:
    """Central differences of sum(fn(args) * w) for a fixed random weight w."""
    import tensorweave as tw

    with tw.no_grad():
        base = fn(*args)
    w = np.random.default_rng(1).uniform(0.5, 1.5, size=tuple(base.shape))

    def f() -> float:
        with tw.no_grad():
            return float(np.sum(_as_host(fn(*args)).astype(np.float64) * w))

    grads = []
    for a in args:
        if not (hasattr(a, "_data") and a.requires_grad):
            grads.append(None)
            continue
        flat = a.detach()._host().reshape(-1) if a.device.type == "cpu" else None
        g = np.zeros(a.numel())
        for i in range(a.numel()):
            if flat is None:
                raise NotImplementedError("numerical gradients are computed on cpu")
            old = flat[i]
            flat[i] = old + eps
            hi = f()
            flat[i] = old - eps
            lo = f()
            flat[i] = old
            g[i] = (hi - lo) / (2 * eps)
        grads.append(g.reshape(tuple(a.shape)))
    return [w, *grads]


def check_backward(op: OpDef, dev: Any) -> list[Result]:
    """Float64 gradients of every sample on ``dev`` against central differences on cpu."""
    import tensorweave as tw

    results = []
    tol = Tol(atol=1e-6, rtol=1e-5)
    if not op.differentiable or D.float64 not in op.dtypes:
        return results
    for s in samples(op, D.float64):
        try:
            args = place(s, dev, requires_grad=True)
            kw = _kwargs(op, s, dev)
            if not any(hasattr(a, "_data") and a.requires_grad for a in args):
                continue
            out = op(*args, **kw)
            out = out[0] if isinstance(out, tuple) else out
            cpu_args = place(s, "cpu", requires_grad=True)
            w, *num = _numerical_grads(lambda *xs: _first(op(*xs, **kw)), cpu_args)
            grads = tw.autograd.grad(out, [a for a in args if hasattr(a, "_data") and
                                           a.requires_grad],
                                     tw.tensor(w, device=dev), allow_unused=True)
            it = iter(grads)
            ok, err, detail = True, 0.0, ""
            for a, n in zip(args, num):
                if n is None:
                    continue
                g = next(it)
                g = np.zeros_like(n) if g is None else _as_host(g)
                ok, err, detail = _compare(g, n, tol)
                if not ok:
                    break
        except Exception as e:  # noqa: BLE001
            ok, err, detail = False, float("inf"), f"{type(e).__name__}: {e}"
        results.append(Result(op.name, "float64", f"backward {s!r}", ok, detail, err))
    return results


def check_gradgrad(op: OpDef, dev: Any) -> list[Result]:
    """Second derivatives of every float64 sample of an op declared with ``gradgrad=True``
    (`tensorweave.autograd.gradgradcheck` on ``dev``: the vjp differentiated again against
    central differences of the first derivative).
    """
    import tensorweave as tw

    results: list[Result] = []
    if not (op.gradgrad and op.differentiable and D.float64 in op.dtypes):
        return results
    for s in samples(op, D.float64):
        try:
            args = place(s, dev, requires_grad=True)
            if not any(hasattr(a, "_data") and a.requires_grad for a in args):
                continue
            kw = _kwargs(op, s, dev)
            tw.autograd.gradgradcheck(lambda *xs: _first(op(*xs, **kw)), args)
            ok, err, detail = True, 0.0, ""
        except tw.autograd.GradcheckError as e:
            ok, err, detail = False, float("inf"), str(e).split("\n")[0]
        except Exception as e:  # noqa: BLE001
            ok, err, detail = False, float("inf"), f"{type(e).__name__}: {e}"
        results.append(Result(op.name, "float64", f"gradgrad {s!r}", ok, detail, err))
    return results


def _first(x: Any) -> Any:
    return x[0] if isinstance(x, tuple) else x


# -- random ops ---------------------------------------------------------------------------------


@dataclass
class Dist:
    """What a random op's ``ref`` returns: the law its samples must follow.

    ``mean`` and ``var`` are per-element (broadcastable to ``shape``); None skips the
    statistical test. ``low``/``high`` bound every value (inclusive); ``check`` tests an
    extra invariant (integers, a permutation...) and returns what is wrong, or "".
    """

    shape: tuple[int, ...]
    dtype: D.dtype
    mean: Any = None
    var: Any = None
    low: float = -math.inf
    high: float = math.inf
    check: Callable[[np.ndarray], str] | None = None


RANDOM_SEED = 1234
# Samples at least this large get the statistical test; smaller ones only shape, range, seed.
MIN_STAT_SAMPLES = 1000


def check_random(op: OpDef, dev: Any, dtype: D.dtype) -> list[Result]:
    """Random ops: shape, dtype, range, reproducibility under `manual_seed` and under a seeded
    `Generator`, and the sample mean and variance (within 5 standard errors, 15%).
    """
    import tensorweave as tw

    results = []
    for s in samples(op, dtype):
        try:
            # The law depends on the inputs' own dtypes: no float64 upcast here.
            want = op.ref(*(a.value if isinstance(a, Arg) else a for a in s.args), **s.kwargs)
            args, kw = place(s, dev), _kwargs(op, s, dev)
            tw.manual_seed(RANDOM_SEED)
            a = op(*args, **kw)
            tw.manual_seed(RANDOM_SEED)
            b = op(*args, **kw)
            g = tw.Generator(dev)
            c = op(*args, generator=g.manual_seed(RANDOM_SEED), **kw)
            d = op(*args, generator=g.manual_seed(RANDOM_SEED), **kw)
            detail = _random_problem(a, want)
            if not detail and not np.array_equal(_as_host(a), _as_host(b), equal_nan=True):
                detail = "two draws after manual_seed(same seed) differ"
            if not detail and not np.array_equal(_as_host(c), _as_host(d), equal_nan=True):
                detail = "two draws from a Generator seeded alike differ"
            if not detail:
                detail = _random_problem(c, want)
        except Exception as e:  # noqa: BLE001 - a failing sample is a result, not a crash
            detail = f"{type(e).__name__}: {e}"
        results.append(Result(op.name, dtype.name, f"random {s!r}", not detail, detail,
                              0.0 if not detail else float("inf")))
    return results


def _random_problem(out: Any, want: Dist) -> str:
    """What is wrong with one random draw ``out`` given its law ``want`` ("" if nothing)."""
    if tuple(out.shape) != tuple(want.shape):
        return f"shape {tuple(out.shape)} != expected {tuple(want.shape)}"
    if out.dtype is not want.dtype:
        return f"dtype {out.dtype!r} != expected {want.dtype!r}"
    if not _dtype_consistent(out):
        return "kernel returned a native array whose dtype differs from the tensor's dtype"
    x = _as_host(out).astype(np.float64)
    if x.size == 0:
        return ""
    if not np.all(np.isfinite(x)):
        return "non-finite values"
    if x.min() < want.low or x.max() > want.high:
        return f"values in [{x.min()}, {x.max()}], outside [{want.low}, {want.high}]"
    if want.check is not None:
        problem = want.check(x)
        if problem:
            return problem
    if want.mean is None or x.size < MIN_STAT_SAMPLES:
        return ""
    mu = np.broadcast_to(np.asarray(want.mean, np.float64), x.shape)
    var = np.broadcast_to(np.asarray(want.var, np.float64), x.shape)
    n = x.size
    if var.sum() == 0:
        return "" if np.allclose(x, mu) else "values differ from a degenerate distribution's mean"
    z = (x.mean() - mu.mean()) / (math.sqrt(var.sum()) / n)
    if abs(z) > 5:
        return f"sample mean {x.mean():.5g} is {z:.1f} standard errors from {mu.mean():.5g}"
    m2, ev = float(np.mean((x - mu) ** 2)), float(var.mean())
    if abs(m2 / ev - 1) > 0.15:
        return f"sample variance {m2:.5g} differs from {ev:.5g} by more than 15%"
    return ""
