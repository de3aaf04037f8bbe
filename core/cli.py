"""The ``tensorweave`` command: ``devices``, ``plugins`` (later: conformance, bench, train)."""

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
    from tensorweave.plugin.manager import get_registry

    reg = get_registry()
    rows: list[dict[str, Any]] = [
        {"plugin": p.name, "distribution": p.distribution, "version": p.version,
         "registered": p.registered} for p in reg.plugins]
    if args.json:
        print(json.dumps({"plugins": rows, "blocked": reg.blocked}, indent=2))
        return 0
    for r in rows:
        print(f"{r['plugin']}  ({r['distribution']} {r['version']})")
        for kind, names in r["registered"].items():
            shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)"
                                             if len(names) > 12 else "")
            print(f"  {kind}: {shown}")
    if reg.blocked:
        print(f"blocked: {', '.join(reg.blocked)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tensorweave", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("devices", help="list backends, availability and devices")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(fn=_devices)
    p = sub.add_parser("plugins", help="list loaded plugins and what each registered")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(fn=_plugins)
    args = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
