"""``tensorweave bench``: framework speed as ratios to PyTorch's CPU build and NumPy.

The machines this runs on are noisy (see PERF-NOTES), so every workload is
timed for all frameworks in interleaved rounds (A, B, C, A, B, C...) in one
process, and the median per-call time of each is reported with the ratio to
PyTorch. PyTorch is optional (``pip install tensorweave[oracle]``); without it
the PyTorch column says so. Besides per-op overhead it times the seed models'
training steps (`bench_models`).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import bench_models

__all__ = ["Workload", "run", "format_table"]


@dataclass
class Workload:
    """One benchmark: a name and, per framework, a zero-argument callable (or None)."""

    name: str
    fns: dict[str, Callable[[], Any] | None]


def _time(fn: Callable[[], Any], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def _calibrate(fn: Callable[[], Any], target_s: float = 0.02) -> int:
    n = 1
    while True:
        if _time(fn, n) * n >= target_s or n >= 1 << 20:
            return n
        n *= 4


def _workloads(device: str) -> list[Workload]:
    import numpy as np

    import tensorweave as tw

    try:
        import torch
    except ImportError:
        torch = None

    a, b = tw.ones(1, device=device), tw.ones(1, device=device)
    ag = tw.ones(1, device=device, requires_grad=True)
    na, nb = np.ones(1, np.float32), np.ones(1, np.float32)
    out = [
        Workload("add 1-elem float32 (no grad)", {
            "tensorweave": lambda: a + b,
            "torch": (lambda ta=torch.ones(1), tb=torch.ones(1): ta + tb) if torch else None,
            "numpy": lambda: na + nb}),
        Workload("add 1-elem float32 (requires_grad)", {
            "tensorweave": lambda: ag + b,
            "torch": (lambda ta=torch.ones(1, requires_grad=True), tb=torch.ones(1): ta + tb)
            if torch else None,
            "numpy": None}),
    ]
    from .device import resolve
    from .device_module import DeviceModule

    dev, _ = resolve(device)
    sync = DeviceModule(dev.type).synchronize if dev.type != "cpu" else (lambda: None)
    for n in (1024, 2048):
        x, y = tw.randn(n, n, device=device), tw.randn(n, n, device=device)
        nx, ny = np.asarray(x.cpu().numpy()), np.asarray(y.cpu().numpy())
        out.append(Workload(f"matmul {n}x{n} float32 (waits for the result)", {
            "tensorweave": lambda x=x, y=y: (x @ y, sync()),
            "torch": (lambda tx=torch.from_numpy(nx), ty=torch.from_numpy(ny): tx @ ty)
            if torch else None,
            "numpy": lambda nx=nx, ny=ny: nx @ ny}))
    for name, build in bench_models.STEPS.items():
        out.append(Workload(name, {"tensorweave": build(tw, device),
                                   "torch": build(torch, "cpu") if torch else None,
                                   "numpy": None}))
    return out


def run(device: str = "cpu", rounds: int = 7, only: str | None = None) -> list[dict[str, Any]]:
    """Time every workload on ``device`` in ``rounds`` interleaved rounds.

    Args:
        device: the tensorweave device measured (PyTorch always runs on its cpu).
        rounds: interleaved rounds; the median is reported.
        only: time only the workloads whose name contains this text (case-insensitive).

    Returns:
        One dict per workload: ``name``, and per framework the median seconds per call
        (None where the framework has no such workload) plus ``ratio_vs_torch``.
    """
    results = []
    for w in _workloads(device):
        if only is not None and only.lower() not in w.name.lower():
            continue
        fns = {k: f for k, f in w.fns.items() if f is not None}
        numbers = {k: _calibrate(f) for k, f in fns.items()}
        samples: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(rounds):
            for k, f in fns.items():
                samples[k].append(_time(f, numbers[k]))
        row: dict[str, Any] = {"name": w.name}
        for k in w.fns:
            row[k] = statistics.median(samples[k]) if k in samples else None
        t, tt = row.get("tensorweave"), row.get("torch")
        row["ratio_vs_torch"] = (t / tt) if (t and tt) else None
        tn = row.get("numpy")
        row["ratio_vs_numpy"] = (t / tn) if (t and tn) else None
        results.append(row)
    return results


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table: per-call medians in microseconds and the ratios of tensorweave's
    time to PyTorch's and NumPy's (below 1: tensorweave is faster)."""

    def us(v: Any) -> str:
        return "-" if v is None else f"{v * 1e6:9.2f} us"

    def ratio(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}x"

    lines = [f"{'workload':44} {'tensorweave':>14} {'torch':>14} {'numpy':>14} {'tw/torch':>9} "
             f"{'tw/numpy':>9}"]
    for r in rows:
        lines.append(f"{r['name']:44} {us(r.get('tensorweave')):>14} {us(r.get('torch')):>14} "
                     f"{us(r.get('numpy')):>14} {ratio(r['ratio_vs_torch']):>9} "
                     f"{ratio(r.get('ratio_vs_numpy')):>9}")
    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    if all(r.get("torch") is None for r in rows):
        lines.append("(PyTorch is not installed: pip install 'tensorweave[oracle]' for the "
                     "torch column)")
    lines.append(f"(medians of interleaved rounds; threads: {threads}; load average: "
                 f"{os.getloadavg()[0]:.2f})")
    return "\n".join(lines)
