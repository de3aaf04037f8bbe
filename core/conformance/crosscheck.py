"""Cross-check mode: run every kernel also on a reference device and stop at the first
divergence, naming the op, its inputs, the error and the user's line.

The conformance suite tells a backend author that an op is wrong on its samples; this
finds the first wrong op inside the author's (or a user's) real program. While it is
on, every kernel of every backend other than the reference's is wrapped: the wrapper
copies the kernel's inputs to the host, runs the kernel, runs the same op on the
reference device from those copies (under ``no_grad``) and compares. Composites without
a kernel of their own are checked through the primitives they decompose into. Random
ops (their streams differ per backend by design), views (they do no arithmetic; their
consumers are checked) and device copies are not compared.

Turn it on for a block with ``with tensorweave.cross_check("cpu"):`` or for a whole run
with ``TENSORWEAVE_CROSS_CHECK=cpu``. It costs a host copy and a reference run per op:
a debugging mode, not a way to train.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtypes as D
from ..ops._opdef import Tol

__all__ = ["CrossCheckError", "cross_check", "enable", "disable", "ENV", "TOLERANCE"]

ENV = "TENSORWEAVE_CROSS_CHECK"
"""Set to a reference device (``cpu``) to cross-check every op of the run."""

TOLERANCE = {D.float16: Tol(1e-2, 1e-2), D.float32: Tol(1e-4, 1e-4), D.float64: Tol(1e-9, 1e-7)}
"""Default tolerance per floating dtype; looser than the suite's, since a real program's
sums are longer than the samples'. Integers and bools must match exactly."""

_SKIP = {"to_device"}


class CrossCheckError(AssertionError):
    """An op's result on the device under test differs from the reference device's."""


# (device type, op name) -> the kernel the wrapper replaced, while cross-check is on.
_wrapped: dict[tuple[str, str], Callable[..., Any]] = {}


@contextlib.contextmanager
def cross_check(reference: Any = "cpu", *, atol: float | None = None,
                rtol: float | None = None) -> Iterator[None]:
    """Cross-check every op run inside the block against ``reference``; see the module doc.

    Args:
        reference: the device whose results are taken as right (default ``"cpu"``).
        atol, rtol: override `TOLERANCE` for every floating dtype.

    Raises:
        CrossCheckError: at the first op whose results diverge.

    Example:
        >>> with tw.cross_check("cpu"):
        ...     loss = model(x.to("opencl")).sum()
        ...     loss.backward()
    """
    if _wrapped:  # already on (an outer block or the environment): keep that setting
        yield
        return
    enable(reference, atol=atol, rtol=rtol)
    try:
        yield
    finally:
        disable()


def enable(reference: Any = "cpu", *, atol: float | None = None,
           rtol: float | None = None) -> None:
    """Wrap every kernel of every backend but ``reference``'s (see `cross_check`)."""
    from ..device import resolve
    from ..plugin.manager import get_registry

    ref, _ = resolve(reference)
    reg = get_registry()
    disable()
    for op in reg.ops.values():
        if op.random or op.view or op.name in _SKIP:
            continue
        for dev_type, kernel in list(op.kernels.items()):
            if dev_type == ref.type:
                continue
            _wrapped[(dev_type, op.name)] = kernel
            op.kernels[dev_type] = _checked(op, kernel, reg.backends[dev_type], ref, atol, rtol)


def disable() -> None:
    """Put the original kernels back."""
    from ..plugin.manager import get_registry

    ops = get_registry().ops
    for (dev_type, name), kernel in _wrapped.items():
        ops[name].kernels[dev_type] = kernel
    _wrapped.clear()


def after_load() -> None:
    """Called when plugins (re)load: the kernel tables are new, so nothing is wrapped any
    more; turn cross-check on again when `ENV` names a reference device."""
    _wrapped.clear()
    ref = os.environ.get(ENV, "").strip()
    if ref:
        enable(ref)


def _is_native(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, np.generic)


def _checked(op: Any, kernel: Callable[..., Any], backend: Any, ref: Any,
             atol: float | None, rtol: float | None) -> Callable[..., Any]:
    def run(*args: Any, **params: Any) -> Any:
        # Copies first: an in-place kernel (assign) overwrites its own input.
        host = [np.array(backend.to_numpy(a)) if _is_native(a) else a for a in args]
        out = kernel(*args, **params)
        want = _reference(op, host, params, ref)
        outs = out if isinstance(out, tuple) else (out,)
        wants = want if isinstance(want, tuple) else (want,)
        for i, (o, w) in enumerate(zip(outs, wants)):
            got = np.asarray(backend.to_numpy(o))
            expected = np.asarray(w.numpy())
            ok, err, detail = _compare(got, expected, atol, rtol)
            if not ok:
                raise CrossCheckError(_message(op, backend, host, params, ref, i, len(outs),
                                               detail))
        return out
    run.__wrapped__ = kernel  # type: ignore[attr-defined]
    return run


def _reference(op: Any, host: list[Any], params: dict[str, Any], ref: Any) -> Any:
    import tensorweave as tw

    args = [tw.tensor(h, device=ref) if isinstance(h, np.ndarray) else h for h in host]
    kw = {k: (ref if k == "device" else v) for k, v in params.items()}
    with tw.no_grad():
        return op.bind(*args, **kw)


def _compare(got: np.ndarray, want: np.ndarray, atol: float | None,
             rtol: float | None) -> tuple[bool, float, str]:
    from .runner import _compare as compare

    dt = D.from_numpy_dtype(want.dtype)
    tol = TOLERANCE.get(dt, Tol(0.0, 0.0))
    if dt.is_floating_point and (atol is not None or rtol is not None):
        tol = Tol(tol.atol if atol is None else atol, tol.rtol if rtol is None else rtol)
    if got.dtype != want.dtype:
        return False, float("inf"), f"dtype {got.dtype} != reference {want.dtype}"
    return compare(got, want, tol)


def _message(op: Any, backend: Any, host: list[Any], params: dict[str, Any], ref: Any,
             index: int, n: int, detail: str) -> str:
    shapes = ", ".join(f"Tensor(shape={list(h.shape)}, dtype={D.from_numpy_dtype(h.dtype).name})"
                       if isinstance(h, np.ndarray) else repr(h) for h in host)
    ps = "".join(f", {k}={v!r}" for k, v in params.items() if k != "device")
    which = f" (output {index})" if n > 1 else ""
    where, in_backward = _user_line()
    phase = " during backward" if in_backward else ""
    return (f"cross-check: {op.name}{which} on {backend.name} diverged from {ref}{phase}: "
            f"{detail}; inputs: {shapes}{ps}; at {where}")


def _package_roots() -> tuple[str, ...]:
    import tensorweave
    import tensorweave.backends
    import tensorweave.plugins

    return tuple(str(Path(m.__file__).resolve().parent) + os.sep
                 for m in (tensorweave, tensorweave.backends, tensorweave.plugins))


def _user_line() -> tuple[str, bool]:
    """The innermost frame outside tensorweave's own packages (and the stdlib's
    contextlib), as ``file:line: source``, and whether autograd's backward is running."""
    import linecache

    roots = _package_roots()
    engine = str(Path(__file__).resolve().parents[1] / "autograd" / "engine.py")
    in_backward = False
    frame = sys._getframe(1)
    while frame is not None:
        name = str(Path(frame.f_code.co_filename).resolve())
        if name == engine:
            in_backward = True
        if not name.startswith(roots) and not name.endswith(("contextlib.py",)):
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            return f"{frame.f_code.co_filename}:{frame.f_lineno}: {line}", in_backward
        frame = frame.f_back
    return "(no caller outside tensorweave)", in_backward
