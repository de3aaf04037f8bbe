"""The ``tensorweave`` command: ``devices``, ``plugins``, ``bench`` (later: conformance, train)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _devices(args: argparse.Namespace) -> int:
    import tensorweave as tw

    info = tw.devices()
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
