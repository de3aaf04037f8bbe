"""The ``tensorweave`` command: ``devices``, ``plugins``, ``conformance``, ``train``, ``bench``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _devices(args: argparse.Namespace) -> int:
    import tensorweave as tw
    from tensorweave.conformance.manifest import capabilities

    info = tw.devices()
    backends = tw.get_registry().backends
    for b in info:
        b["capabilities"] = capabilities(backends[b["type"]])
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    if not info:
        print("no backends registered: `tensorweave plugins` shows what is loaded and blocked",
              file=sys.stderr)
        return 1
    for b in info:
        if b["available"]:
            print(f"{b['type']}: available, {len(b['devices'])} device(s)")
            for d in b["devices"]:
                extra = ", ".join(f"{k}={v}" for k, v in d.items() if k not in ("name",
                                                                                 "description"))
                print(f"  {d['name']}: {d['description']}{' (' + extra + ')' if extra else ''}")
        else:
            print(f"{b['type']}: unavailable: {b['reason']}")
        caps = b["capabilities"]
        n = caps["counts"]
        missing = caps["missing_primitives"]
        shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
        print(f"  kernels: {n['native']} of {n['primitives']} primitives native"
              f"{f' (missing: {shown})' if missing else ''}, "
              f"{n['overridden_composites']} composites overridden")
    print(f"fallback policy: {tw.get_fallback_policy()!r}")
    return 0


def _plugins(args: argparse.Namespace) -> int:
    import tensorweave as tw

    reg = tw.get_registry()
    rows: list[dict[str, Any]] = [
        {"plugin": p.name, "distribution": p.distribution, "version": p.version,
         "registered": p.registered} for p in reg.plugins]
    if args.json:
        print(json.dumps({"plugins": rows, "blocked": reg.blocked}, indent=2))
        return 0
    for r in rows:
        print(f"{r['plugin']}  ({' '.join(filter(None, (r['distribution'], r['version'])))})")
        for kind, names in r["registered"].items():
            shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)"
                                             if len(names) > 12 else "")
            print(f"  {kind}: {shown}")
    if reg.blocked:
        print(f"blocked: {', '.join(reg.blocked)}")
    return 0


def _conformance(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tensorweave import dtypes as D
    from tensorweave.conformance import manifest, report, suite
    from tensorweave.device import resolve

    if args.pytest_args and not args.pytest:
        print(f"tensorweave conformance: error: unrecognized arguments {args.pytest_args} "
              "(pytest arguments need --pytest)", file=sys.stderr)
        return 2
    dev, backend = resolve(args.device)
    if args.pytest:
        from tensorweave.conformance.pytest_plugin import run_pytest

        return run_pytest([str(dev)], args.pytest_args)
    ops = _split(args.ops)
    dtypes = _split(args.dtypes)
    if dtypes:
        try:
            dtypes = [D.to_dtype(d) for d in dtypes]
        except (TypeError, ValueError) as e:
            print(f"tensorweave conformance: error: --dtypes: {e}", file=sys.stderr)
            return 2
    results = suite.run(dev, ops=ops, dtypes=dtypes, groups=_split(args.groups) or suite.GROUPS)
    if not results:
        print(f"tensorweave conformance: error: no check matches --ops {args.ops!r} "
              f"--dtypes {args.dtypes!r}", file=sys.stderr)
        return 2
    rep = report.build(dev, results, manifest.capabilities(backend))
    print(rep.json() if args.json else rep.text())
    if args.report:
        path = Path(args.report)
        path.write_text(rep.json() if path.suffix == ".json" else rep.markdown())
        print(f"report written to {path}", file=sys.stderr)
    return 1 if rep.failed else 0


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _train(args: argparse.Namespace) -> int:
    from tensorweave import train
    from tensorweave.vision.datasets import DatasetNotFoundError

    try:
        train.run(train.from_arguments(args))
    except (ValueError, FileNotFoundError, ImportError, DatasetNotFoundError) as e:
        print(f"tensorweave train: error: {e}", file=sys.stderr)
        return 2
    return 0


def _bench(args: argparse.Namespace) -> int:
    from tensorweave import bench

    rows = bench.run(device=args.device, rounds=args.rounds, only=args.only)
    print(json.dumps(rows, indent=2) if args.json else bench.format_table(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``tensorweave`` command.

    Args:
        argv: the arguments after the program name; ``sys.argv[1:]`` when None.

    Returns:
        The exit status: 0 on success, 1 when plugins or devices cannot be loaded (the
        message goes to stderr, without a traceback).
    """
    import tensorweave as tw

    parser = argparse.ArgumentParser(prog="tensorweave", description=__doc__)
    parser.add_argument("--version", action="version", version=f"tensorweave {tw.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("devices", help="list backends, availability and devices")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(fn=_devices)
    p = sub.add_parser("plugins", help="list loaded plugins and what each registered")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(fn=_plugins)
    p = sub.add_parser("conformance", help="check a device against the NumPy float64 "
                                           "reference and the cpu backend, op by op")
    p.add_argument("--device", default="cpu", help="device to check (default: cpu)")
    p.add_argument("--ops", metavar="PATTERNS",
                   help="comma-separated shell patterns of op, check or module names "
                        "(e.g. 'log*,matmul,views')")
    p.add_argument("--dtypes", metavar="NAMES", help="comma-separated dtypes (e.g. "
                                                     "'float32,int64')")
    p.add_argument("--groups", metavar="NAMES",
                   help="comma-separated subset of: ops, semantics, modules (default: all)")
    p.add_argument("--report", metavar="FILE",
                   help="also write the report to FILE: JSON if it ends in .json, else Markdown")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--pytest", action="store_true",
                   help="run the same checks as pytest test cases instead (arguments after "
                        "`--` go to pytest, e.g. `-- -k exp -x`)")
    p.add_argument("pytest_args", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(fn=_conformance)
    p = sub.add_parser("train", help="train the MNIST-style CNN (or MLP) on the bundled "
                                     "digits or on MNIST, with checkpoints and --resume")
    from tensorweave.train import add_arguments

    add_arguments(p)
    p.set_defaults(fn=_train)
    p = sub.add_parser("bench", help="per-op overhead and training steps as ratios to "
                                     "PyTorch (cpu build) and NumPy")
    p.add_argument("--device", default="cpu", help="device to measure (default: cpu)")
    p.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default: 7)")
    p.add_argument("--only", metavar="TEXT",
                   help="time only the workloads whose name contains TEXT (e.g. 'MLP')")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(fn=_bench)
    args = parser.parse_args(argv)
    try:
        return int(args.fn(args))
    except (tw.PluginError, tw.DeviceError) as e:
        print(f"tensorweave {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
