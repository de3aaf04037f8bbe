"""The whole conformance suite against one device: what ``tensorweave conformance`` runs.

`run` gathers every check the package ships -- each op's forward in each dtype, its
backward and (where declared) second derivatives (`runner`); views, in-place, promotion,
round trips and dropout statistics (`semantics`); every registered layer, loss and
optimizer against the cpu backend (`modules`) -- filtered by op-name patterns and dtypes,
and returns flat `Result` records that `report` turns into a table.

Dtypes the device does not support (``Backend.dtypes``) are skipped with that reason.
A backend's ``known_failures`` (patterns over ``"<name>:<dtype>"``, each with a reason)
turn the matching failures into skips that say so; a known failure that passes is
reported as a failure, so the list never outlives the bug.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from typing import Any, Callable, Iterable, Sequence

from .. import dtypes as D
from . import modules, runner, semantics
from .runner import Result

__all__ = ["GROUPS", "run", "matches", "supports", "apply_known", "pytest_verdict"]

GROUPS = ("ops", "semantics", "modules")
"""What `run` can check: op entries, cross-op semantics, registered layers/losses/optimizers."""


def matches(name: str, patterns: Sequence[str] | None) -> bool:
    """Whether ``name`` matches one of the shell-style ``patterns`` (all when None)."""
    return not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns)


def run(device: Any, ops: Sequence[str] | None = None, dtypes: Sequence[Any] | None = None,
        groups: Sequence[str] = GROUPS,
        progress: Callable[[str], None] | None = None) -> list[Result]:
    """Run the suite against ``device``.

    Args:
        device: a device string or `tensorweave.device` of any registered backend.
        ops: shell-style patterns (``"log*"``) selecting ops, semantic checks (``views``,
            ``promotion``...) and layers/losses/optimizers by name; None selects all.
        dtypes: dtypes (names or `tensorweave.dtype`) to check; None checks all.
        groups: a subset of `GROUPS`.
        progress: called with each item's name before it runs (the CLI's progress line).

    Returns:
        One `Result` per check, skips included (with their reasons).

    Raises:
        DeviceError: the device is not registered, not available or out of range.
    """
    from ..device import resolve
    from ..plugin.manager import get_registry

    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"conformance: unknown group(s) {sorted(unknown)}; choose from {GROUPS}")
    dev, backend = resolve(device)
    wanted = None if dtypes is None else {D.to_dtype(d) for d in dtypes}
    supported = set(backend.dtypes(dev.index or 0))
    reg = get_registry()
    tick = progress or (lambda _: None)

    def dtype_ok(dt: D.dtype, name: str, out: list[Result]) -> bool:
        if wanted is not None and dt not in wanted:
            return False
        if dt not in supported:
            out.append(Result(name, dt.name, "all", True,
                              f"{dev} does not support {dt.name}", skipped=True))
            return False
        return True

    grads = D.float64 in supported and (wanted is None or D.float64 in wanted)
    results: list[Result] = []
    if "ops" in groups:
        for op in sorted(reg.ops.values(), key=lambda o: o.name):
            if not matches(op.name, ops) or op.samples is None:
                continue
            tick(op.name)
            for dt in op.dtypes:
                if dtype_ok(dt, op.name, results):
                    results += runner.check_forward(op, dev, dt)
            if grads:  # gradients are checked in float64
                results += runner.check_backward(op, dev)
                results += runner.check_gradgrad(op, dev)
    if "semantics" in groups:
        usable = tuple(d for d in D.ALL_AND_COMPLEX
                       if d in supported and (wanted is None or d in wanted))
        for name, (check, dts) in semantics.CHECKS.items():
            if not matches(name, ops):
                continue
            tick(name)
            if dts is None:  # the check spans every usable dtype at once
                results += check(dev, usable)
            else:
                for dt in dts:
                    if dtype_ok(dt, name, results):
                        results += check(dev, dt)
    if "modules" in groups and (wanted is None or D.float64 in wanted):
        for kind in ("layers", "losses", "optimizers"):
            for case in modules.cases(kind, reg):
                if not matches(case.name, ops):
                    continue
                tick(case.id)
                if D.float64 not in supported:
                    results.append(Result(case.name, "float64", "all", True,
                                          f"{dev} does not support float64", skipped=True))
                    continue
                results += modules.check(case, dev)
    return apply_known(results, dev)


def supports(device: Any, dtype: Any) -> bool:
    """Whether ``device``'s backend lists ``dtype`` among its device's `Backend.dtypes`."""
    from ..device import resolve

    dev, backend = resolve(device)
    return D.to_dtype(dtype) in backend.dtypes(dev.index or 0)


def pytest_verdict(device: Any, dtype: Any, name: str,
                   run: Callable[[], list[Result]]) -> None:
    """The pytest form of one check: skip when ``device`` lacks ``dtype``, else ``run()``
    it, apply the backend's known failures, fail on any failure, and skip (with the
    reasons) when every check was skipped."""
    import pytest

    if dtype is not None and not supports(device, dtype):
        pytest.skip(f"{device} does not support {D.to_dtype(dtype).name}")
    results = apply_known(run(), device)
    failed = [r for r in results if not r.passed]
    assert not failed, f"{name} on {device}:\n" + "\n".join(
        f"{r.op} [{r.dtype}] {r.check}: {r.detail}" for r in failed)
    if results and all(r.skipped for r in results):
        pytest.skip("; ".join(sorted({f"{r.op}: {r.detail}" for r in results})))


def apply_known(results: Iterable[Result], device: Any) -> list[Result]:
    """Failures that ``device``'s backend declares known (`Backend.known_failures`) become
    skips with the reason; a known failure whose checks all pass becomes a failure (the
    entry is stale)."""
    from ..device import resolve

    dev, backend = resolve(device)
    known = dict(getattr(backend, "known_failures", {}) or {})
    if not known:
        return list(results)
    out = []
    hit: dict[str, bool] = {}
    for r in results:
        key = f"{r.op}:{r.dtype}"
        pattern = next((p for p in known if fnmatch.fnmatchcase(key, p)), None)
        if pattern is None or r.skipped:
            out.append(r)
            continue
        if not r.passed:
            hit[pattern] = True
            out.append(replace(r, passed=True, skipped=True,
                               detail=f"known failure on {dev.type}: {known[pattern]} "
                                      f"({r.detail})"))
        else:
            hit.setdefault(pattern, False)
            out.append(r)
    for pattern, failed in hit.items():
        if not failed:
            out.append(Result(pattern, "", "known failure", False,
                              f"listed in the {dev.type} backend's known_failures "
                              f"({known[pattern]}) but every matching check passed: remove "
                              "the entry"))
    return out
