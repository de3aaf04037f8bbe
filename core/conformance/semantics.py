"""Conformance checks of behaviour that no single op's entry covers.

Views and aliasing, in-place writes, type promotion, ``.to()`` round trips, checkpoints
saved on the device and loaded on cpu and back, and the statistics of dropout: each check
runs on the device under test and compares with the cpu backend or a NumPy float64
reference, returning `Result` records like the op checks (``op`` names the behaviour,
``check`` the case). `CHECKS` lists them for the suite.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import dtypes as D
from .runner import DEFAULT_TOL, Result, _compare
from .samples import make

__all__ = ["CHECKS", "check_views", "check_inplace", "check_promotion", "check_round_trip",
           "check_save_load", "check_dropout"]

def _result(group: str, dtype: D.dtype | None, case: str,
            fn: Callable[[], tuple[bool, float, str]]) -> Result:
    """Run one case; an exception is a failed result naming it, never a crash."""
    try:
        ok, err, detail = fn()
    except Exception as e:  # noqa: BLE001 - a failing case is a result
        ok, err, detail = False, math.inf, f"{type(e).__name__}: {e}"
    return Result(group, dtype.name if dtype else "", case, ok, detail, err)


def _exact(got: Any, want: Any) -> tuple[bool, float, str]:
    from ..ops._opdef import Tol

    return _compare(np.asarray(got), np.asarray(want), Tol(0.0, 0.0))


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy())


def check_views(dev: Any, dtype: D.dtype) -> list[Result]:
    """Views share storage: writes through a slice, a transpose, an expand's source and a
    reshaped view reach the base (and vice versa), as on a NumPy array."""
    import tensorweave as tw

    def case(view: Callable[[Any], Any], write: Callable[[np.ndarray], None],
             twrite: Callable[[Any], Any]) -> Callable[[], tuple[bool, float, str]]:
        def run() -> tuple[bool, float, str]:
            host = np.arange(24).reshape(4, 6).astype(dtype.np)
            base = tw.tensor(host, device=dev)
            v = view(base)
            twrite(v)
            write(host)
            return _exact(_host(base), host)
        return run

    one = 1 if dtype is not D.bool else True
    cases: dict[str, Callable[[], tuple[bool, float, str]]] = {
        "fill_ through a slice": case(lambda b: b[1:3, ::2],
                                      lambda h: h.__setitem__((slice(1, 3), slice(None, None, 2)),
                                                              one),
                                      lambda v: v.fill_(one)),
        "fill_ through a transpose's row": case(lambda b: b.t()[2],
                                                lambda h: h.__setitem__((slice(None), 2), one),
                                                lambda v: v.fill_(one)),
        "copy_ into a view(2, 12)": case(lambda b: b.view(2, 12)[1],
                                         lambda h: h.__setitem__(slice(2, None),
                                                                 np.zeros((2, 6), dtype.np)),
                                         lambda v: v.copy_(tw.zeros(12, dtype=dtype, device=dev))),
        "fill_ through a narrow of a permute": case(
            lambda b: b.permute(1, 0).narrow(0, 1, 2),
            lambda h: h.__setitem__((slice(None), slice(1, 3)), one),
            lambda v: v.fill_(one)),
    }
    if dtype is not D.bool:
        cases["add_ through a diagonal as_strided view"] = case(
            lambda b: b.as_strided((4,), (7,), 0),
            lambda h: np.fill_diagonal(h, h.diagonal() + 1),
            lambda v: v.add_(1))
    out = [_result("views", dtype, name, fn) for name, fn in cases.items()]

    def expand_reads_base() -> tuple[bool, float, str]:
        base = tw.tensor(np.arange(3).astype(dtype.np), device=dev)
        e = base.expand(2, 3)
        base.fill_(one)
        return _exact(_host(e), np.full((2, 3), one, dtype.np))
    out.append(_result("views", dtype, "expand sees writes to its base", expand_reads_base))
    return out


def check_inplace(dev: Any, dtype: D.dtype) -> list[Result]:
    """In-place ops on non-contiguous views match NumPy, bump the version counter, and an
    in-place change to a tensor saved for backward raises instead of a wrong gradient."""
    import tensorweave as tw

    def noncontig_add() -> tuple[bool, float, str]:
        host = np.arange(12).reshape(3, 4).astype(dtype.np)
        t = tw.tensor(host, device=dev)
        v = t[:, 1::2]
        before = v._version
        v.mul_(2)
        v.add_(tw.tensor(np.ones(2, dtype.np), device=dev))
        host[:, 1::2] = host[:, 1::2] * 2 + 1
        ok, err, detail = _exact(_host(t), host)
        if ok and v._version - before != 2:
            return False, math.inf, f"version counter moved by {v._version - before}, not 2"
        return ok, err, detail

    out = [_result("inplace", dtype, "mul_ and add_ on a strided view", noncontig_add)]
    if dtype.is_floating_point:
        def saved_tensor_changed() -> tuple[bool, float, str]:
            a = tw.tensor(np.array([1.0, 2.0], dtype.np), device=dev, requires_grad=True)
            b = a * 1
            c = b.exp()  # exp saves its output
            c.add_(1)
            try:
                c.sum().backward()
            except RuntimeError as e:
                if "modified by an inplace operation" in str(e):
                    return True, 0.0, ""
                raise
            return False, math.inf, "backward through a modified saved tensor did not raise"
        out.append(_result("inplace", dtype, "modifying a saved tensor is caught",
                           saved_tensor_changed))
    return out


_PROMOTION_DTYPES = (D.bool, D.uint8, D.int32, D.int64, D.float16, D.bfloat16, D.float32,
                     D.float64)


def check_promotion(dev: Any, dtypes: tuple[D.dtype, ...]) -> list[Result]:
    """``a + b`` and ``a * b`` for every pair of supported dtypes: the result dtype follows
    `tensorweave.promote_types` (PyTorch's table) and the values match the cpu backend."""
    import tensorweave as tw

    out = []
    use = [d for d in _PROMOTION_DTYPES if d in dtypes]
    for a in use:
        for b in use:
            def run(a: D.dtype = a, b: D.dtype = b) -> tuple[bool, float, str]:
                ha = (np.arange(1, 7) % 3).astype(a.np).reshape(2, 3)
                hb = (np.arange(2, 5) % 2).astype(b.np)
                want = tw.promote_types(a, b)
                for name in ("add", "mul"):
                    if want is D.bool and name == "add":
                        continue
                    got = getattr(tw, name)(tw.tensor(ha, device=dev), tw.tensor(hb, device=dev))
                    ref = getattr(tw, name)(tw.tensor(ha), tw.tensor(hb))
                    if got.dtype is not want:
                        return False, math.inf, f"{name} gave {got.dtype}, expected {want}"
                    ok, err, detail = _exact(_host(got), _host(ref))
                    if not ok:
                        return False, err, f"{name}: {detail}"
                return True, 0.0, ""
            out.append(_result("promotion", None, f"{a.name} with {b.name}", run))
    return out


def check_round_trip(dev: Any, dtype: D.dtype) -> list[Result]:
    """``.to(device)`` then ``.cpu()`` returns the same bits, for contiguous, strided, 0-d
    and empty tensors; a device tensor's ``.numpy()`` equals the source."""
    import tensorweave as tw

    rng = np.random.default_rng(7)
    arrays = {"matrix": make(rng, (3, 5), dtype), "0-d": make(rng, (), dtype),
              "empty": make(rng, (0, 4), dtype)}
    out = []
    for name, host in arrays.items():
        def there_and_back(host: np.ndarray = host) -> tuple[bool, float, str]:
            t = tw.tensor(host).to(dev)
            if t.device.type != tw.device(dev).type:
                return False, math.inf, f"landed on {t.device}, not {dev}"
            return _exact(t.cpu().numpy(), host)
        out.append(_result("round trip", dtype, name, there_and_back))

    def strided() -> tuple[bool, float, str]:
        host = make(rng, (4, 6), dtype)
        t = tw.tensor(host, device=dev).t()[1:, ::2]
        return _exact(t.cpu().numpy(), host.T[1:, ::2])
    out.append(_result("round trip", dtype, "transposed, sliced view", strided))
    return out


def check_save_load(dev: Any, dtype: D.dtype) -> list[Result]:
    """`tensorweave.save` of device tensors (a view sharing its base's storage among them)
    loads on cpu with the same values and dtype, and back on the device with the view still
    sharing storage."""
    import io

    import tensorweave as tw

    rng = np.random.default_rng(11)
    host = make(rng, (3, 4), dtype)

    def saved() -> io.BytesIO:
        base = tw.tensor(host, device=dev)
        buf = io.BytesIO()
        tw.save({"base": base, "col": base[:, 1], "n": 3}, buf)
        buf.seek(0)
        return buf

    def on_cpu() -> tuple[bool, float, str]:
        got = tw.load(saved(), map_location="cpu")
        if got["base"].device.type != "cpu" or got["base"].dtype is not dtype:
            return False, math.inf, f"loaded as {got['base'].dtype} on {got['base'].device}"
        ok, err, detail = _exact(got["base"].numpy(), host)
        return (ok, err, detail) if ok else (False, err, f"base: {detail}")

    def back_on_device() -> tuple[bool, float, str]:
        got = tw.load(saved(), map_location=dev)
        if got["col"].device.type != tw.device(dev).type:
            return False, math.inf, f"loaded on {got['col'].device}, not {dev}"
        got["base"].fill_(host.flat[0])
        return _exact(_host(got["col"]), np.full(3, host.flat[0]))
    return [_result("save/load", dtype, "saved on the device, loaded on cpu", on_cpu),
            _result("save/load", dtype, "loaded back on the device, views still shared",
                    back_on_device)]


# Dropout's zeros follow Binomial(n, p): the share of zeros is tested at 5 standard errors,
# a false-alarm rate of about 6e-7 per check.
_DROPOUT_N = 20000
_Z = 5.0


def check_dropout(dev: Any, dtype: D.dtype) -> list[Result]:
    """`nn.functional.dropout` zeroes a Binomial share of elements, scales the rest by
    ``1 / (1 - p)``, is reproducible under `manual_seed`, and is the identity in eval."""
    import tensorweave as tw
    import tensorweave.nn.functional as F

    out = []
    for p in (0.1, 0.5):
        def run(p: float = p) -> tuple[bool, float, str]:
            x = tw.ones(_DROPOUT_N, dtype=dtype, device=dev)
            tw.manual_seed(0)
            y = _host(F.dropout(x, p, training=True)).astype(np.float64)
            tw.manual_seed(0)
            again = _host(F.dropout(x, p, training=True)).astype(np.float64)
            if not np.array_equal(y, again):
                return False, math.inf, "two draws after manual_seed(0) differ"
            zeros = float(np.mean(y == 0))
            se = math.sqrt(p * (1 - p) / _DROPOUT_N)
            if abs(zeros - p) > _Z * se:
                return False, abs(zeros - p), f"share of zeros {zeros:.4f}, expected {p} " \
                                              f"(+- {_Z * se:.4f})"
            kept = y[y != 0]
            ok, err, detail = _compare(kept, np.full(kept.shape, 1 / (1 - p)),
                                       DEFAULT_TOL[dtype])
            if not ok:
                return False, err, f"kept values not scaled by 1/(1-p): {detail}"
            return _exact(_host(F.dropout(x, p, training=False)), np.ones(_DROPOUT_N))
        out.append(_result("dropout", dtype, f"p={p}", run))
    return out


# name -> (check, takes a dtype?, the dtypes it runs in when it does)
CHECKS: dict[str, tuple[Callable[..., list[Result]], tuple[D.dtype, ...] | None]] = {
    "views": (check_views, (D.bool, D.int32, D.int64, D.float32, D.float64)),
    "inplace": (check_inplace, (D.int64, D.float32, D.float64)),
    "promotion": (check_promotion, None),
    "round trip": (check_round_trip, D.ALL_AND_COMPLEX),
    "save/load": (check_save_load, (D.bool, D.int64, D.float16, D.bfloat16, D.float32,
                                    D.float64, D.complex128)),
    "dropout": (check_dropout, (D.float32, D.float64)),
}
