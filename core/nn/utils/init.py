"""`skip_init`, as `torch.nn.utils.skip_init`: a module whose parameters and buffers hold
uninitialized memory (as from ``empty``), for code that initializes them itself.

PyTorch builds the module on its ``meta`` device (no storage, so no initialization work)
and moves it with ``to_empty``. tensorweave has no ``meta`` device, so the module is built
on the target device (its initialization runs) and ``to_empty`` then replaces every
tensor with fresh uninitialized storage: the result is the same, only the saving of the
initialization's time is missing.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """Instantiate ``module_cls(*args, **kwargs)`` with uninitialized parameters and
    buffers. The class must take a ``device`` argument (the default is ``"cpu"``).

    Raises:
        RuntimeError: PyTorch's, if ``module_cls`` is not a `Module` class or takes no
            ``device`` argument.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = final_device
    return module_cls(*args, **kwargs).to_empty(device=final_device)
