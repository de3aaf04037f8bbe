"""Forward-mode AD with dual tensors, as ``torch.autograd.forward_ad``: inside a
`dual_level`, `make_dual` pairs a tensor with a tangent and `unpack_dual` of any result
gives its primal and its tangent (the Jacobian-vector product).

tensorweave has no forward-mode kernels; a tangent is computed when it is asked for, by
the double-backward identity ``J v = d/du <J^T u, v>``: one reverse pass with a graph
(``J^T u`` for a dummy cotangent ``u``), then one through it to ``u``. So `make_dual`
returns a tensor that takes part in autograd (it requires grad), every op on the way must
be twice differentiable (the conformance suite checks that), and each `unpack_dual` costs
two reverse passes. The values are PyTorch's forward-mode ones.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]

_levels: list[list[tuple[Tensor, Tensor]]] = []  # per open level: (dual, tangent) pairs


class UnpackedDualTensor(NamedTuple):
    """What `unpack_dual` returns: the primal and its tangent (None without one)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    """Open a level (at most one, as PyTorch); returns its index.

    Raises:
        RuntimeError: a level is already open.
    """
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append([])
    return len(_levels) - 1


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the open level: its dual tensors lose their tangents."""
    if not _levels:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    _levels.pop()


class dual_level:  # noqa: N801 - PyTorch's name
    """``with dual_level():`` — the region in which dual tensors exist."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: Any) -> None:
        exit_dual_level()


def _level(what: str) -> list[tuple[Tensor, Tensor]]:
    if not _levels:
        raise RuntimeError(f"Trying to {what} for forward AD but no level exists, make sure "
                           "to enter_dual_level() first.")
    return _levels[-1]


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A tensor equal to ``tensor`` whose tangent is ``tangent`` (of the same shape); it
    keeps ``tensor``'s own graph, so reverse mode still reaches ``tensor``.

    Raises:
        RuntimeError: outside a `dual_level`, or for a tangent of another shape, dtype or
            device.
    """
    duals = _level("create a dual Tensor")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(tensor.shape)} while the given forward gradient is of "
                           f"size {list(tangent.shape)}.")
    if tangent.dtype is not tensor.dtype or tangent.device != tensor.device:
        raise RuntimeError(f"make_dual: the tangent ({tangent.dtype}, {tangent.device}) must "
                           f"have the primal's dtype and device ({tensor.dtype}, "
                           f"{tensor.device})")
    with enable_grad():
        dual = tensor * 1 if tensor.requires_grad else tensor.detach().requires_grad_(True)
    duals.append((dual, tangent.detach()))
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor``: the tangent is the Jacobian of ``tensor`` with
    respect to the level's dual tensors applied to their tangents (None where ``tensor``
    depends on none of them, or outside a level)."""
    if not _levels:
        return UnpackedDualTensor(tensor, None)
    duals = _levels[-1]
    for dual, tangent in duals:
        if dual is tensor:
            return UnpackedDualTensor(tensor.detach(), tangent)
    if not tensor.requires_grad or not duals:
        return UnpackedDualTensor(tensor.detach(), None)
    with enable_grad():
        u = tensor.detach().new_zeros(tuple(tensor.shape)).requires_grad_(True)
        vjps = grad([tensor], [d for d, _ in duals], [u], create_graph=True,
                    allow_unused=True)
        used = [(g, t) for g, (_, t) in zip(vjps, duals) if g is not None and g.requires_grad]
        if not used:
            return UnpackedDualTensor(tensor.detach(), None)
        (jv,) = grad([g for g, _ in used], [u], [t for _, t in used], allow_unused=True)
    if jv is None:
        jv = u.detach()  # a dependence with a zero derivative: a zero tangent
    return UnpackedDualTensor(tensor.detach(), jv.detach())
