"""PyTorch's ATen spellings of spatial sampling: ``grid_sampler`` (and its 2-d and 3-d
forms) and ``affine_grid_generator``, what ``nn.functional.grid_sample`` and ``affine_grid``
call underneath.

ATen passes the interpolation and padding modes as integer codes (PyTorch's
``GridSamplerInterpolation`` and ``GridSamplerPadding`` enums); they are mapped back onto
`nn.functional.grid_sample`'s names, whose values, gradients and checks these then are.
"""

from __future__ import annotations

from typing import Sequence

from .nn import functional as F
from .tensor import Tensor

__all__ = ["grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator"]

INTERPOLATION = ("bilinear", "nearest", "bicubic")
PADDING = ("zeros", "border", "reflection")


def _mode(what: str, names: tuple[str, ...], code: int) -> str:
    if not 0 <= code < len(names):
        raise RuntimeError(f"grid_sampler(): {what} mode code must be one of "
                           f"{list(range(len(names)))} ({', '.join(names)}), but got {code}")
    return names[code]


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int,  # noqa: A002
                 padding_mode: int, align_corners: bool) -> Tensor:
    """`nn.functional.grid_sample` with the modes as codes: interpolation 0 bilinear,
    1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection.

    Raises:
        RuntimeError: an unknown mode code, or `grid_sample`'s shape checks.
    """
    return F.grid_sample(input, grid, _mode("interpolation", INTERPOLATION, interpolation_mode),
                         _mode("padding", PADDING, padding_mode), align_corners)


def _fixed_rank(rank: int, input: Tensor, grid: Tensor) -> None:  # noqa: A002
    if input.ndim != rank or grid.ndim != rank:
        raise RuntimeError(f"grid_sampler(): expected {rank}D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and grid "
                           f"with sizes {list(grid.shape)}")


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int,  # noqa: A002
                    padding_mode: int, align_corners: bool) -> Tensor:
    """`grid_sampler` of 4-D ``(N, C, H, W)`` input with an ``(N, H_out, W_out, 2)`` grid."""
    _fixed_rank(4, input, grid)
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input: Tensor, grid: Tensor, interpolation_mode: int,  # noqa: A002
                    padding_mode: int, align_corners: bool) -> Tensor:
    """`grid_sampler` of 5-D ``(N, C, D, H, W)`` input with an ``(N, D_out, H_out, W_out, 3)``
    grid (no bicubic)."""
    _fixed_rank(5, input, grid)
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta: Tensor, size: Sequence[int], align_corners: bool) -> Tensor:
    """`nn.functional.affine_grid` with ``align_corners`` required.

    Raises:
        RuntimeError: ``size`` is not 4-D or 5-D.
    """
    if len(size) not in (4, 5):
        raise RuntimeError("AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    return F.affine_grid(theta, list(size), align_corners)
