"""`DataParallel`: one module run on several devices, each on a slice of the batch, as
`torch.nn.DataParallel`.

The forward scatters the inputs along ``dim`` (PyTorch's chunk sizes; numbers and other
objects go to every replica as they are), runs a replica of the module on each device
(its parameters and buffers copied there by differentiable ``.to()`` copies, so gradients
flow back to the originals; the replica on the first device *is* the original), and
gathers the outputs on ``output_device``. Unlike PyTorch the replicas run one after
another, not in threads, and ``device_ids`` may name devices of any backend
(``"opencl:1"``); integers mean CUDA devices, as in PyTorch. Without CUDA and without
``device_ids`` the wrapper just calls the module, which is what PyTorch does on a machine
without GPUs.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import DeviceUnderTest, ModuleSample, Submodule
from tensorweave.nn import Module

__all__ = ["DataParallel"]


def _device(d: Any) -> str:
    return f"cuda:{d}" if isinstance(d, int) else str(d)


def _scatter(obj: Any, devices: list[str], dim: int) -> list[Any]:
    """``obj`` split for each device: tensors chunked along ``dim`` and moved (fewer parts
    than devices when the batch is smaller), containers recursively, anything else
    repeated."""
    if isinstance(obj, Tensor):
        size = math.ceil(obj.shape[dim] / len(devices)) if obj.shape[dim] else 1
        return [part.to(d) for part, d in zip(obj.split(size, dim), devices)]
    if isinstance(obj, (tuple, list)) and obj:
        return [type(obj)(parts) for parts in zip(*(_scatter(o, devices, dim) for o in obj))]
    if isinstance(obj, dict) and obj:
        keys = list(obj)
        return [dict(zip(keys, parts))
                for parts in zip(*(_scatter(obj[k], devices, dim) for k in keys))]
    return [obj for _ in devices]


def _gather(outputs: list[Any], device: str, dim: int) -> Any:
    """The replicas' outputs joined on ``device``: tensors concatenated along ``dim``
    (0-d ones stacked into a vector, with PyTorch's warning), containers recursively."""
    first = outputs[0]
    if isinstance(first, Tensor):
        if first.dim() == 0:
            warnings.warn("Was asked to gather along dimension 0, but all input tensors were "
                          "scalars; will instead unsqueeze and return a vector.", stacklevel=4)
            return tw.stack([o.to(device) for o in outputs])
        return tw.cat([o.to(device) for o in outputs], dim)
    if first is None:
        return None
    if isinstance(first, dict):
        return type(first)((k, _gather([o[k] for o in outputs], device, dim)) for k in first)
    if isinstance(first, (tuple, list)):
        return type(first)(_gather(list(parts), device, dim) for parts in zip(*outputs))
    raise TypeError(f"DataParallel: cannot gather outputs of type {type(first).__name__}; "
                    "return tensors, or tuples, lists or dicts of them")


def _replicate(module: Module, device: str) -> Module:
    """A shallow copy of ``module`` (and its children) whose parameters and buffers are
    copies on ``device`` (themselves where they already live there)."""
    replica = module.__new__(type(module))
    replica.__dict__ = module.__dict__.copy()
    replica._parameters = {k: None if p is None else p.to(device)
                           for k, p in module._parameters.items()}
    replica._buffers = {k: None if b is None else b.to(device)
                        for k, b in module._buffers.items()}
    replica._modules = {k: None if c is None else _replicate(c, device)
                        for k, c in module._modules.items()}
    return replica


class DataParallel(Module):
    """Split each batch over ``device_ids`` and run ``module`` on every part.

    Args:
        module: the module, with its parameters and buffers on ``device_ids[0]``.
        device_ids: the devices (ints are CUDA devices; strings any device). Default: all
            CUDA devices, none without CUDA.
        output_device: where outputs are gathered. Default: ``device_ids[0]``.
        dim: the batch dim of inputs and outputs.

    Raises:
        RuntimeError: in forward, for a parameter or buffer that is not on
            ``device_ids[0]`` (PyTorch's message).
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        if device_ids is None:
            device_ids = list(range(tw.cuda.device_count())) if tw.cuda.is_available() else []
        self.module = module
        self.dim = dim
        self.device_ids = [_device(d) for d in device_ids]
        self.output_device = (_device(output_device) if output_device is not None
                              else self.device_ids[0] if self.device_ids else None)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        source = tw.device(self.device_ids[0])
        for t in (*self.module.parameters(), *self.module.buffers()):
            if t.device != source:
                raise RuntimeError(f"module must have its parameters and buffers on device "
                                   f"{source} (device_ids[0]) but found one of them on "
                                   f"device: {t.device}")
        parts = _scatter(inputs, self.device_ids, self.dim) if inputs else [()]
        kw_parts = (_scatter(kwargs, self.device_ids, self.dim) if kwargs
                    else [{} for _ in parts])
        n = min(len(parts), len(kw_parts))
        if n == 1 and len(self.device_ids) == 1:
            return self.module(*parts[0], **kw_parts[0])
        outputs = [(self.module if i == 0 else _replicate(self.module, d))(*parts[i],
                                                                          **kw_parts[i])
                   for i, d in enumerate(self.device_ids[:n])]
        return _gather(outputs, self.output_device, self.dim)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        # One device, the one under test (the default would be every CUDA device, where
        # the module is not); PyTorch's CPU build calls the module. Splitting batches over
        # several devices is tests/unit/test_data_parallel.py's.
        return [ModuleSample(args=(Submodule("Linear", (3, 2)),),
                             kwargs={"device_ids": [DeviceUnderTest()]},
                             inputs=(rng.standard_normal((4, 3)),), name="linear")]
