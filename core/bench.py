"""``tensorweave bench``: framework speed as ratios to PyTorch and NumPy.

The machines this runs on are noisy (see PERF-NOTES), so every workload is
timed for all frameworks in interleaved rounds (A, B, C, A, B, C...) in one
process, and the median per-call time of each is reported with the ratio to
PyTorch. PyTorch is optional (``pip install tensorweave[oracle]``); without it
the PyTorch column says so. Besides per-op overhead it times the seed models'
training steps (`bench_models`), and where the device holds bfloat16 the MLP step in it.

On a device other than cpu, tensorweave's own cpu backend is a fourth column
(``tw/cpu``), and each timed batch of calls ends by waiting for the device, so a
queue that runs behind is charged to the device. On ``cuda``, PyTorch runs on its own
GPU when it has CUDA (and waits for it the same way), and GPU workloads join: float32 and
float16 GEMMs of 4096 (and bfloat16 where the device holds it), and the MLP and CNN steps
at batch 1024.

Before each timed batch the bench pauses briefly (`_SETTLE_S`): BLAS, OpenMP and OpenCL
worker threads keep spinning for a while after their work, and on a two-core machine
they would otherwise slow whichever framework runs next.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import bench_models

__all__ = ["Workload", "run", "format_table"]

_SETTLE_S = 0.1  # pause before each timed batch, so other frameworks' threads go idle


@dataclass
class Workload:
    """One benchmark: a name and, per framework, a zero-argument callable (or None)."""

    name: str
    fns: dict[str, Callable[[], Any] | None]


def _time(fn: Callable[[], Any], number: int, sync: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    sync()
    return (time.perf_counter() - t0) / number


def _calibrate(fn: Callable[[], Any], sync: Callable[[], Any], target_s: float = 0.02) -> int:
    n = 1
    while True:
        if _time(fn, n, sync) * n >= target_s or n >= 1 << 20:
            return n
        n *= 4


def _no_sync() -> None:
    pass


def _synchronizer(device: str) -> Callable[[], Any]:
    """What waits for ``device``'s queued work (nothing on cpu, which runs eagerly)."""
    from .device import resolve
    from .device_module import DeviceModule

    dev, _ = resolve(device)
    return DeviceModule(dev.type).synchronize if dev.type != "cpu" else _no_sync


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _torch_device(device: str) -> str:
    """Where PyTorch runs: on its GPU when tensorweave's device is cuda and PyTorch has
    CUDA, else on its cpu."""
    from .device import resolve

    torch = _torch()
    gpu = resolve(device)[0].type == "cuda" and torch is not None and torch.cuda.is_available()
    return "cuda" if gpu else "cpu"


def _workloads(device: str, on_cpu: bool, torch_device: str = "cpu") -> list[Workload]:
    """The workloads; the ``cpu`` framework (tensorweave on its cpu backend) only when
    ``device`` is another one (``not on_cpu``); PyTorch on ``torch_device``."""
    import numpy as np

    import tensorweave as tw

    from .device import resolve

    torch = _torch()
    gpu = resolve(device)[0].type == "cuda"

    def add(dev: str, requires_grad: bool) -> Callable[[], Any]:
        a, b = tw.ones(1, device=dev, requires_grad=requires_grad), tw.ones(1, device=dev)
        return lambda: a + b

    def mm(dev: str, nx: Any, ny: Any) -> Callable[[], Any]:
        x, y = tw.tensor(nx, device=dev), tw.tensor(ny, device=dev)
        return lambda: x @ y

    na, nb = np.ones(1, np.float32), np.ones(1, np.float32)
    out = [
        Workload("add 1-elem float32 (no grad)", {
            "tensorweave": add(device, False),
            "cpu": None if on_cpu else add("cpu", False),
            "torch": (lambda ta=torch.ones(1, device=torch_device),
                      tb=torch.ones(1, device=torch_device): ta + tb) if torch else None,
            "numpy": lambda: na + nb}),
        Workload("add 1-elem float32 (requires_grad)", {
            "tensorweave": add(device, True),
            "cpu": None if on_cpu else add("cpu", True),
            "torch": (lambda ta=torch.ones(1, device=torch_device, requires_grad=True),
                      tb=torch.ones(1, device=torch_device): ta + tb) if torch else None,
            "numpy": None}),
    ]
    from .conformance.suite import supports

    gemms = [(1024, "float32"), (2048, "float32")]
    if gpu:
        gemms += [(4096, "float32"), (4096, "float16")]
        if supports(device, tw.bfloat16):
            gemms.append((4096, "bfloat16"))
    for n, dt in gemms:
        x32, y32 = (np.random.default_rng(i).standard_normal((n, n)).astype(np.float32)
                    for i in (0, 1))
        nx, ny = x32.astype(getattr(tw, dt).np), y32.astype(getattr(tw, dt).np)
        big = n > 2048  # too slow on a cpu to take part
        out.append(Workload(f"matmul {n}x{n} {dt} (waits for the result)", {
            "tensorweave": mm(device, nx, ny),
            "cpu": None if on_cpu or big else mm("cpu", nx, ny),
            "torch": (lambda tx=torch.from_numpy(x32).to(torch_device, getattr(torch, dt)),
                      ty=torch.from_numpy(y32).to(torch_device, getattr(torch, dt)): tx @ ty)
            if torch and not (big and torch_device == "cpu") else None,
            "numpy": None if big else (lambda nx=nx, ny=ny: nx @ ny)}))
    steps = {**bench_models.STEPS, **(bench_models.GPU_STEPS if gpu else {}),
             **(bench_models.BFLOAT16_STEPS if supports(device, tw.bfloat16) else {})}
    for name, build in steps.items():
        big = name in bench_models.GPU_STEPS
        out.append(Workload(name, {"tensorweave": build(tw, device),
                                   "cpu": None if on_cpu or big else build(tw, "cpu"),
                                   "torch": build(torch, torch_device)
                                   if torch and not (big and torch_device == "cpu") else None,
                                   "numpy": None}))
    return out


def run(device: str = "cpu", rounds: int = 7, only: str | None = None) -> list[dict[str, Any]]:
    """Time every workload on ``device`` in ``rounds`` interleaved rounds.

    Args:
        device: the tensorweave device measured (PyTorch runs on its cpu, or on its GPU
            when ``device`` is cuda and PyTorch has CUDA).
        rounds: interleaved rounds; the median is reported.
        only: time only the workloads whose name contains this text (case-insensitive).

    Returns:
        One dict per workload: ``name``, and per framework (``tensorweave``, ``cpu``,
        ``torch``, ``numpy``) the median seconds per call (None where the framework has no
        such workload) plus ``ratio_vs_torch``, ``ratio_vs_numpy`` and ``ratio_vs_cpu``.
    """
    results = []
    sync = _synchronizer(device)
    torch_device = _torch_device(device)
    waits = {"tensorweave": sync,
             "torch": _torch().cuda.synchronize if torch_device == "cuda" else _no_sync}
    for w in _workloads(device, on_cpu=sync is _no_sync, torch_device=torch_device):
        if only is not None and only.lower() not in w.name.lower():
            continue
        fns = {k: f for k, f in w.fns.items() if f is not None}
        syncs = {k: waits.get(k, _no_sync) for k in fns}
        numbers = {k: _calibrate(f, syncs[k]) for k, f in fns.items()}
        samples: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(rounds):
            for k, f in fns.items():
                time.sleep(_SETTLE_S)
                samples[k].append(_time(f, numbers[k], syncs[k]))
        row: dict[str, Any] = {"name": w.name, "torch_device": torch_device}
        for k in w.fns:
            row[k] = statistics.median(samples[k]) if k in samples else None
        t = row.get("tensorweave")
        for other in ("torch", "numpy", "cpu"):
            to = row.get(other)
            row[f"ratio_vs_{other}"] = (t / to) if (t and to) else None
        results.append(row)
    return results


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table: per-call medians in microseconds and the ratios of tensorweave's
    time to PyTorch's and NumPy's (below 1: tensorweave is faster), and to its own cpu
    backend's when that was measured."""

    def us(v: Any) -> str:
        return "-" if v is None else f"{v * 1e6:9.2f} us"

    def ratio(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}x"

    with_cpu = any(r.get("cpu") is not None for r in rows)
    head = f"{'workload':44} {'tensorweave':>14} "
    head += f"{'tw cpu':>14} " if with_cpu else ""
    head += f"{'torch':>14} {'numpy':>14} {'tw/torch':>9} {'tw/numpy':>9}"
    lines = [head + (f" {'tw/cpu':>9}" if with_cpu else "")]
    for r in rows:
        line = f"{r['name']:44} {us(r.get('tensorweave')):>14} "
        line += f"{us(r.get('cpu')):>14} " if with_cpu else ""
        line += (f"{us(r.get('torch')):>14} {us(r.get('numpy')):>14} "
                 f"{ratio(r['ratio_vs_torch']):>9} {ratio(r.get('ratio_vs_numpy')):>9}")
        lines.append(line + (f" {ratio(r.get('ratio_vs_cpu')):>9}" if with_cpu else ""))
    threads = {k: os.environ.get(k, "unset")
               for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "POCL_MAX_PTHREAD_COUNT")}
    if all(r.get("torch") is None for r in rows):
        lines.append("(PyTorch is not installed: pip install 'tensorweave[oracle]' for the "
                     "torch column)")
    where = sorted({r.get("torch_device", "cpu") for r in rows})
    lines.append(f"(medians of interleaved rounds; torch on {', '.join(where) or 'cpu'}; "
                 f"threads: {threads}; load average: {os.getloadavg()[0]:.2f})")
    return "\n".join(lines)
