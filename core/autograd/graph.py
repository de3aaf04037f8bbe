"""``tensorweave.autograd.graph``: hooks on the tensors that backward nodes save, as
`torch.autograd.graph`: `saved_tensors_hooks`, `save_on_cpu`,
`disable_saved_tensors_hooks`; plus `Node` (the base of every ``grad_fn``) and
`increment_version`.

Inside ``saved_tensors_hooks(pack, unpack)`` every tensor an op or custom Function saves
for backward is handed to ``pack`` and the node keeps only what ``pack`` returns; backward
calls ``unpack`` on it to get the tensor back. That is how activations are moved off the
device (`save_on_cpu`) or recomputed instead of stored (`tensorweave.utils.checkpoint`).
Both hooks run with grad mode off. In-place changes to a saved tensor are still caught.
"""

from __future__ import annotations

from typing import Any, Callable

from ..tensor import Tensor
from . import engine
from .engine import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "increment_version"]

_disabled: list[str] = []  # error messages of the disable_saved_tensors_hooks in force


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager: tensors saved for backward inside it go through
    ``pack_hook(tensor) -> anything`` and come back at backward through
    ``unpack_hook(packed) -> tensor`` (a tensor of the same shape, dtype and values).
    Nested managers: the innermost wins.

    Raises:
        RuntimeError: on entry inside `disable_saved_tensors_hooks` (its message).
    """

    def __init__(self, pack_hook: Callable[[Tensor], Any],
                 unpack_hook: Callable[[Any], Tensor]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _disabled:
            raise RuntimeError(_disabled[-1])
        engine.saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc: Any) -> None:
        engine.saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """Context manager: tensors saved for backward are copied to the cpu and moved back to
    their device when backward needs them, trading transfers for device memory.
    ``pin_memory`` and ``device_type`` are PyTorch's and accepted (tensorweave has no pinned
    memory: the copies are plain cpu tensors)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t: Tensor) -> tuple[Any, Tensor]:
            return t.device, t.to("cpu", copy=True)

        def unpack(packed: tuple[Any, Tensor]) -> Tensor:
            device, t = packed
            return t.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager: entering `saved_tensors_hooks` inside it raises RuntimeError with
    ``error_message`` (for code whose saved tensors must stay as they are)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> None:
        _disabled.append(self.error_message)

    def __exit__(self, *exc: Any) -> None:
        _disabled.pop()


def increment_version(tensor: Tensor | list[Tensor] | tuple[Tensor, ...]) -> None:
    """Bump the version counter of ``tensor`` (or of each), as an in-place op does, so
    backward refuses saved copies made before a change autograd did not see."""
    for t in (tensor if isinstance(tensor, (list, tuple)) else (tensor,)):
        t._bump_version()
