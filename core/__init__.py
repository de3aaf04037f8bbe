"""tensorweave: PyTorch's programming model on pluggable hardware backends.

The public API mirrors PyTorch's names: ``import tensorweave as tw`` and use
``tw.tensor``, ``tw.randn(3, device="opencl:0")``, ``x.backward()``...
Functions come from the op definitions (`tensorweave.ops`); ops added by
plugins are reachable here too, through the registry.
"""

from __future__ import annotations

import builtins
from typing import Any

from . import (
    amp,
    autograd,
    compiler,
    distributions,
    dtypes,
    fft,
    func,
    jit,
    linalg,
    nn,
    optim,
    profiler,
    signal,
    special,
    testing,
    utils,
)
from ._tensor_str import set_printoptions
from .amp import GradScaler
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import Backend
from .conformance.crosscheck import CrossCheckError, cross_check
from .device import DeviceError, device, get_default_device, set_default_device
from .device_module import CpuModule, DeviceModule, get_device_module, module_for
from .dispatch import (
    DeviceMismatchError,
    KernelError,
    OutOfMemoryError,
    fallback_counts,
    get_fallback_policy,
    set_fallback_policy,
)
from .dlpack import from_dlpack
from .dtypes import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from .ops import FUNCTIONS as _FUNCTIONS
from .ops import install_methods as _install_methods
from .ops._rules import ShapeError
from .plugin import hookimpl
from .plugin.manager import PluginError, get_registry
from .serialization import load, save
from .tensor import (
    Size,
    Tensor,
    adjoint,
    detach,
    is_complex,
    is_floating_point,
    is_nonzero,
    is_same_size,
    is_signed,
    is_tensor,
    numel,
)

globals().update(_FUNCTIONS)
from . import functional_aliases as _functional_aliases  # noqa: E402 - torch.<name> spellings

globals().update({n: getattr(_functional_aliases, n) for n in _functional_aliases.__all__
                  if n not in _FUNCTIONS})
# torch.<name> functions that are no ops: settings, view copies, in-place spellings... (these
# modules also attach the Tensor methods they define). ``range`` and ``compile`` shadow the
# builtins here, hence ``builtins.range`` below.
from . import (  # noqa: E402
    accelerator,
    control_flow,
    count_sampling,
    dropout_functions,
    float_bits,
    grid_functions,
    inplace_functions,
    layouts,
    legacy_types,
    lowrank,
    math_constants,
    native_functions,
    native_normalization,
    norm_functions,
    python_apply,
    removed_functions,
    rnn_cells,
    rnn_functions,
    segment_reductions,
    spectral,
    tensor_info,
    torch_creation,
    torch_settings,
    view_copies,
)
from .amp import autocast_mode  # noqa: E402
from .householder import geqrf, orgqr, ormqr  # noqa: E402

_TORCH_LEVEL = (autocast_mode, control_flow, count_sampling, dropout_functions, float_bits,
                grid_functions, inplace_functions, layouts, legacy_types, lowrank,
                math_constants, native_functions,
                native_normalization, norm_functions, python_apply, removed_functions, rnn_cells,
                rnn_functions, segment_reductions, spectral, tensor_info, torch_creation,
                torch_settings, view_copies)
globals().update({n: getattr(m, n) for m in _TORCH_LEVEL for n in m.__all__})
cuda, opencl, cpu = module_for("cuda"), module_for("opencl"), module_for("cpu")
_install_methods()

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Size", "device", "dtype", "Backend", "autograd", "dtypes", "hookimpl", "nn", "optim",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "set_default_device", "get_default_device", "set_default_dtype", "get_default_dtype",
    "promote_types", "result_type", "set_fallback_policy", "get_fallback_policy",
    "fallback_counts", "get_registry", "devices", "set_printoptions", "save", "load",
    "DeviceError", "DeviceMismatchError", "KernelError", "PluginError", "ShapeError",
    "cross_check", "CrossCheckError", "from_dlpack", "cuda", "opencl", "DeviceModule", "utils",
    "linalg", "special", "fft", "testing", "func", "distributions", "amp", "accelerator", "cpu",
    "profiler", "jit", "compiler", "signal", "CpuModule", "get_device_module", "GradScaler",
    "OutOfMemoryError",
    "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
    "float64", "complex64", "complex128", "cfloat", "cdouble",
    "half", "float", "double", "short", "int", "long", "finfo", "iinfo", "can_cast",
    "is_tensor", "numel", "is_floating_point", "is_complex", "is_nonzero", "is_same_size",
    "is_signed", "adjoint", "detach", "geqrf", "orgqr", "ormqr",
    *sorted(_FUNCTIONS),
    *sorted(set(_functional_aliases.__all__) - set(_FUNCTIONS)),
    *sorted(n for m in _TORCH_LEVEL for n in m.__all__),
]


def devices() -> list[dict[str, Any]]:
    """Every registered backend: availability (with the reason), and its devices.

    Returns:
        One dict per backend: ``type``, ``available``, ``reason``, ``devices`` (a list of
        ``{"name": "opencl:0", "description": ..., **info}``).
    """
    out = []
    for name, be in get_registry().backends.items():
        ok, reason = be.availability()
        devs = []
        if ok:
            for i in builtins.range(be.device_count()):
                label = name if name == "cpu" else f"{name}:{i}"
                devs.append({"name": label, "description": be.device_name(i),
                             **be.device_info(i)})
        out.append({"type": name, "available": ok, "reason": reason, "devices": devs})
    return out


def __getattr__(name: str) -> Any:
    """Ops registered by plugins are reachable as ``tensorweave.<name>``, and
    ``default_generator`` is the cpu default `Generator` (a handle made per access: the
    backend holds the state)."""
    if name == "default_generator":
        from .random import default_generator

        return default_generator("cpu")
    op = get_registry().ops.get(name)
    if op is None or not op.function:
        raise AttributeError(f"module 'tensorweave' has no attribute {name!r}")
    return op
