"""DLPack in and out: tensors pass to and from NumPy, PyTorch, CuPy and any other DLPack
library without a copy where the memory is on a device both sides can reach.

`from_dlpack` asks the producer where its memory is (``__dlpack_device__``) and hands it to
the backend that declares that DLPack device type (`Backend.dlpack_device_type`: 1 for host
memory, 2 for CUDA); `Tensor.__dlpack__` hands the native array's own capsule out.
"""

from __future__ import annotations

from typing import Any

__all__ = ["from_dlpack"]

# DLPack's DLDeviceType codes, for messages.
_KINDS = {1: "CPU", 2: "CUDA", 3: "CUDA host", 4: "OpenCL", 7: "Vulkan", 8: "Metal",
          9: "VPI", 10: "ROCm", 13: "CUDA managed", 14: "oneAPI"}


def from_dlpack(ext: Any) -> Any:
    """A tensor sharing the memory of ``ext`` (anything with ``__dlpack__``), like
    `torch.from_dlpack`.

    Raises:
        TypeError: ``ext`` does not speak DLPack, no registered backend takes memory of
            its kind (the message lists the backends that do), or the backend cannot take
            its dtype.
    """
    from .device import device
    from .plugin.manager import get_registry
    from .tensor import Tensor

    if isinstance(ext, Tensor):
        return ext
    if not hasattr(ext, "__dlpack_device__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ and "
                        f"__dlpack_device__ (a NumPy array, a PyTorch or CuPy tensor...); got "
                        f"{type(ext).__name__}")
    kind, index = (int(v) for v in ext.__dlpack_device__())
    takers = {}
    for be in get_registry().backends.values():
        code = getattr(be, "dlpack_device_type", None)
        if code is not None:
            takers[code] = be
    be = takers.get(kind)
    if be is None or not be.availability()[0]:
        known = ", ".join(f"{b.name} ({_KINDS.get(c, c)})" for c, b in sorted(takers.items()))
        why = "" if be is None else f" ({be.name} is unavailable: {be.availability()[1]})"
        raise TypeError(f"from_dlpack: the data is in {_KINDS.get(kind, kind)} memory (DLPack "
                        f"device type {kind}), which no available backend takes{why}; "
                        f"backends that take DLPack: {known or 'none'}")
    try:
        native = be.from_dlpack(ext, index)
    except (BufferError, RuntimeError, TypeError) as e:
        raise TypeError(f"from_dlpack: the {be.name} backend cannot take this data ({e}); "
                        "a dtype NumPy's DLPack lacks (bfloat16) needs converting first, e.g. "
                        "t.float()") from e
    return Tensor._wrap(native, device(be.name, None if be.name == "cpu" else index))
