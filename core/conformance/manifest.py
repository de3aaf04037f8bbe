"""A backend's capability manifest: what it runs natively and what it leaves to core.

For a backend author the first questions are which primitives still lack a kernel (they
fail, or fall back under the fallback policy), which composites the backend overrides
with a fused kernel, and which dtypes each device supports. ``tensorweave devices
--json`` and the conformance report both carry this.
"""

from __future__ import annotations

from typing import Any

from ..ops._opdef import COMPOSITE, PRIMITIVE

__all__ = ["capabilities"]


def capabilities(backend: Any, registry: Any = None) -> dict[str, Any]:
    """The manifest of ``backend`` (a registered `Backend` instance).

    Returns:
        ``native_primitives`` and ``missing_primitives`` (op names; a primitive of complex
        dtypes only is not missing from a backend without them), ``overridden_composites``
        (composites with a kernel of this backend; the others run their decomposition),
        ``counts`` of each, ``dtypes`` per device (when available) and the process-wide
        ``fallback_policy``.
    """
    from ..dispatch import get_fallback_policy
    from ..plugin.manager import get_registry

    reg = registry or get_registry()
    ops = sorted(reg.ops.values(), key=lambda o: o.name)
    native = [o.name for o in ops if o.kind is PRIMITIVE and backend.name in o.kernels]
    missing = [o.name for o in ops if o.kind is PRIMITIVE and backend.name not in o.kernels
               and backend.needs_kernel(o)]
    fused = [o.name for o in ops if o.kind is COMPOSITE and backend.name in o.kernels]
    ok, _ = backend.availability()
    dtypes = {}
    if ok:
        for i in range(backend.device_count()):
            label = backend.name if backend.name == "cpu" else f"{backend.name}:{i}"
            dtypes[label] = [d.name for d in backend.dtypes(i)]
    return {
        "native_primitives": native,
        "missing_primitives": missing,
        "overridden_composites": fused,
        "counts": {"primitives": len(native) + len(missing), "native": len(native),
                   "missing": len(missing), "overridden_composites": len(fused),
                   "composites": sum(o.kind is COMPOSITE for o in ops)},
        "dtypes": dtypes,
        "fallback_policy": get_fallback_policy(),
    }
