"""Weight normalization, as `torch.nn.utils.weight_norm`: a parameter ``w`` is replaced by
a magnitude ``w_g`` and a direction ``w_v``, and ``w = g * v / ||v||`` is recomputed before
every forward by a forward pre-hook, so the optimizer trains ``g`` and ``v``.

The norm is over every dim except ``dim`` (over all of them with ``dim=None`` or, as in
PyTorch, ``dim=-1``), so ``g`` has
``w``'s size along ``dim`` and 1 elsewhere, as PyTorch's; the state dict holds
``<name>_g`` and ``<name>_v`` where the module had ``<name>``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm"]


def _norm_except_dim(v: Tensor, dim: int | None) -> Tensor:
    if dim is None:
        return v.norm()
    others = [d for d in range(v.ndim) if d != dim]
    return v.norm(dim=others, keepdim=True) if others else v.abs()


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and
    ``<name>_v``."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Any) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def __call__(self, module: Any, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Any, name: str = "weight", dim: int | None = 0) -> Any:
    """Reparametrize ``module.<name>`` by magnitude and direction (see the module
    docstring); returns ``module``. PyTorch deprecates this form in favor of
    ``parametrizations.weight_norm`` and warns; so does this one.

    Raises:
        RuntimeError: if ``name`` already has a weight norm.
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter "
                               f"{name}")
    weight = getattr(module, name)
    if dim == -1:  # PyTorch's spelling of "the whole tensor" (not "the last dim") here
        dim = None
    elif dim is not None and dim < 0:
        dim += weight.ndim
    hook = WeightNorm(name, dim)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module: Any, name: str = "weight") -> Any:
    """Undo `weight_norm`: ``<name>`` is a plain parameter again, holding the current
    ``g * v / ||v||``; returns ``module``.

    Raises:
        ValueError: if ``name`` has no weight norm.
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            weight = hook.compute_weight(module).detach()
            del module._parameters[name + "_g"], module._parameters[name + "_v"]
            del module._forward_pre_hooks[key]
            delattr(module, name)
            module.register_parameter(name, Parameter(weight))
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
