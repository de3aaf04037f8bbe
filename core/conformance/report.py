"""Turning conformance `Result` records into the report people read: op × dtype.

Each row is one op (or semantic check, layer, loss, optimizer); each column a dtype, plus
``grad`` for the float64 backward and second-derivative checks. A cell is ``ok``,
``FAIL`` or ``skip``; below the grid every failure is listed with its worst input (the
sample that failed with the largest error) and the error, and every skip with its reason.
The same content is written as plain text, Markdown or JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from .. import dtypes as D
from .runner import Result

__all__ = ["Cell", "Report", "build"]

GRAD = "grad"
_ORDER = [d.name for d in D.ALL_AND_COMPLEX] + [GRAD, "-"]


@dataclass
class Cell:
    """Every check of one name in one column."""

    name: str
    column: str
    checks: int = 0
    failed: int = 0
    skipped: int = 0
    error: float = 0.0
    worst: str = ""  # the failing check with the largest error, with its detail
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.failed:
            return "FAIL"
        return "skip" if self.skipped == self.checks else "ok"


@dataclass
class Report:
    """A device's conformance report (`build` makes one)."""

    device: str
    cells: dict[tuple[str, str], Cell]
    capabilities: dict[str, Any]
    results: list[Result]

    @property
    def failed(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.failed]

    def summary(self) -> str:
        n = len(self.results)
        bad = sum(not r.passed for r in self.results)
        skip = sum(r.skipped for r in self.results)
        names = len({c.name for c in self.cells.values()})
        verdict = "FAILED" if bad else "passed"
        return (f"conformance on {self.device}: {verdict}: {n - bad - skip} checks passed, "
                f"{bad} failed, {skip} skipped, over {names} ops/checks/modules "
                f"({len(self.failed)} failing cells)")

    def _columns(self) -> list[str]:
        used = {c.column for c in self.cells.values()}
        return [c for c in _ORDER if c in used]

    def _grid(self) -> tuple[list[str], list[list[str]]]:
        cols = self._columns()
        rows = []
        for name in sorted({c.name for c in self.cells.values()}):
            cells = [self.cells.get((name, col)) for col in cols]
            rows.append([name, *[c.status if c else "" for c in cells]])
        return ["op", *cols], rows

    def _failures(self) -> list[str]:
        return [f"{c.name} [{c.column}]: {c.failed} of {c.checks} checks failed; max abs error "
                f"{c.error:.3g}; worst: {c.worst}" for c in self.failed]

    def _skips(self) -> list[str]:
        seen: dict[str, list[str]] = {}
        for c in self.cells.values():
            for r in c.reasons:
                seen.setdefault(r, []).append(f"{c.name}[{c.column}]")
        return [f"{reason}: {', '.join(sorted(set(where))[:8])}"
                f"{' ...' if len(set(where)) > 8 else ''}" for reason, where in seen.items()]

    def text(self) -> str:
        head, rows = self._grid()
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(r, widths)).rstrip()
                 for r in [head, *rows]]
        caps = self.capabilities["counts"]
        lines += ["", f"kernels: {caps['native']} of {caps['primitives']} primitives native, "
                      f"{caps['overridden_composites']} of {caps['composites']} composites "
                      f"overridden; fallback policy {self.capabilities['fallback_policy']!r}"]
        if self.failed:
            lines += ["", "failures:", *[f"  {f}" for f in self._failures()]]
        skips = self._skips()
        if skips:
            lines += ["", "skipped:", *[f"  {s}" for s in skips]]
        return "\n".join([*lines, "", self.summary()])

    def markdown(self) -> str:
        head, rows = self._grid()

        def row(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
        out = [f"# Conformance report: `{self.device}`", "", self.summary(), "",
               row(head), row(["---"] * len(head)), *[row(r) for r in rows], "",
               "## Capabilities", "", "```json",
               json.dumps(self.capabilities, indent=2), "```"]
        if self.failed:
            out += ["", "## Failures", "", *[f"- {f}" for f in self._failures()]]
        skips = self._skips()
        if skips:
            out += ["", "## Skipped", "", *[f"- {s}" for s in skips]]
        return "\n".join(out) + "\n"

    def json(self) -> str:
        def clean(x: float) -> float | str:
            return x if math.isfinite(x) else str(x)
        cells = [{"op": c.name, "dtype": c.column, "status": c.status, "checks": c.checks,
                  "failed": c.failed, "skipped": c.skipped, "max_abs_error": clean(c.error),
                  "worst": c.worst, "skip_reasons": c.reasons} for c in self.cells.values()]
        results = [{**asdict(r), "error": clean(r.error)} for r in self.results]
        return json.dumps({"device": self.device, "summary": self.summary(),
                           "passed": not self.failed, "capabilities": self.capabilities,
                           "cells": cells, "results": results}, indent=1)


def _column(r: Result) -> str:
    if r.check.startswith(("backward", "gradgrad")):
        return GRAD
    return r.dtype or "-"


def build(device: Any, results: Sequence[Result], capabilities: dict[str, Any]) -> Report:
    """Aggregate ``results`` (from `suite.run`) into a `Report`."""
    cells: dict[tuple[str, str], Cell] = {}
    for r in results:
        col = _column(r)
        c = cells.setdefault((r.op, col), Cell(r.op, col))
        c.checks += 1
        if r.skipped:
            c.skipped += 1
            if r.detail and r.detail not in c.reasons:
                c.reasons.append(r.detail)
        elif not r.passed:
            c.failed += 1
            err = r.error if not math.isnan(r.error) else math.inf
            if c.failed == 1 or err > c.error:
                c.error = err
                c.worst = f"{r.check}: {r.detail}"
    return Report(str(device), cells, capabilities, list(results))
