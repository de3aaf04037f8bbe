"""Layers over local windows, as in ``torch.nn``: `LocalResponseNorm` and the legacy
`CrossMapLRN2d`, power-average
pooling (`LPPool1d`, `LPPool2d`, `LPPool3d`) and max unpooling (`MaxUnpool1d`, `MaxUnpool2d`,
`MaxUnpool3d`).

Each holds its options and calls the function of the same name in
`tensorweave.nn.functional`; none has parameters.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tensorweave import Tensor, cumsum, tensor, where
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module
from tensorweave.nn import functional as F

from .conv import _pair, _single, _triple

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "LPPool1d", "LPPool2d", "LPPool3d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class _ChannelWindowNorm(Module):
    """The options of the two local response normalizations."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def extra_repr(self) -> str:
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class LocalResponseNorm(_ChannelWindowNorm):
    """Normalizes each element by the energy of its neighbouring channels (AlexNet's
    "local response normalization"): ``x / (k + alpha / size * sum x**2) ** beta``, the sum
    over a window of ``size`` channels centred on the element's own.

    Args:
        size: channels in the window.
        alpha: multiplies the window's mean square.
        beta: the exponent.
        k: the additive constant.

    Shape:
        input (N, C, *) with at least one spatial dim, output the same.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.LocalResponseNorm(2)(tw.ones(1, 3, 2, 2)).shape
        tensorweave.Size([1, 3, 2, 2])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x4 = rng.standard_normal((2, 5, 2, 2))
        return [ModuleSample(args=(3,), inputs=(x4,), name="4-d"),
                ModuleSample(args=(2,), kwargs={"alpha": 0.5, "beta": 0.6, "k": 2.0},
                             inputs=(rng.standard_normal((2, 4, 3)),), name="3-d-even"),
                ModuleSample(args=(4,), kwargs={"alpha": 0.2},
                             inputs=(rng.standard_normal((1, 3, 2, 1, 2)),), name="5-d")]


class CrossMapLRN2d(_ChannelWindowNorm):
    """Lua Torch's cross-map local response normalization of 4-d inputs, as PyTorch's
    legacy ``torch.nn.CrossMapLRN2d``: ``x / (k + alpha / size * s) ** beta`` with ``s`` a
    running sum of ``x**2`` over channels.

    The running sum is PyTorch's, quirks included: channel c sums channels
    ``[c - pre + 1, c + pre - 1]`` with ``pre = (size - 1) // 2 + 1`` (so an even size
    spans ``size - 1`` channels), and once ``c > pre`` channel 0 stays in every window (the
    recurrence never removes it). The gradient is the true derivative of that output;
    PyTorch's hand-written backward assumes a plain centred window instead, so its input
    gradients differ from these (and from central differences) where the quirks matter.

    Args:
        size: the window parameter (see above).
        alpha: multiplies the window's sum divided by ``size``.
        beta: the exponent.
        k: the additive constant.

    Raises:
        ValueError: for an input that is not 4-d (PyTorch's message).

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.CrossMapLRN2d(3)(tw.ones(1, 4, 2, 2)).shape
        tensorweave.Size([1, 4, 2, 2])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1) -> None:  # PyTorch's integer k (its repr shows ``k=1``)
        super().__init__(size, alpha, beta, k)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        c = input.shape[1]
        pre = (self.size - 1) // 2 + 1
        sums = cumsum(input * input, 1)
        upper = sums[:, [min(i + pre - 1, c - 1) for i in range(c)]]
        # Past channel `pre` the recurrence subtracts channels 1..i-pre, never channel 0.
        lower = sums[:, [max(i - pre, 0) for i in range(c)]] - sums[:, :1]
        late = tensor([i > pre for i in range(c)], device=input.device).reshape(1, c, 1, 1)
        window = upper - where(late, lower, 0.0)
        return input * (window * (self.alpha / self.size) + self.k) ** -self.beta

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        # torch_grad=False: PyTorch's backward is not its forward's derivative (see above).
        return [ModuleSample(args=(3,), inputs=(rng.standard_normal((2, 7, 2, 2)),),
                             name="odd", torch_grad=False),
                ModuleSample(args=(4,), kwargs={"alpha": 0.5, "beta": 0.6, "k": 2.0},
                             inputs=(rng.standard_normal((1, 9, 3, 1)),), name="even",
                             torch_grad=False),
                ModuleSample(args=(5,), kwargs={"alpha": 0.3},
                             inputs=(rng.standard_normal((2, 2, 1, 2)),), name="few-channels",
                             torch_grad=False)]


class _LPPoolNd(Module):
    """The options of power-average pooling.

    Args:
        norm_type: the power ``p``: ``(sum of x**p over each window) ** (1/p)``.
        kernel_size: the window size.
        stride: the window stride (default: ``kernel_size``).
        ceil_mode: keep last, partial windows.
    """

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return ("norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class LPPool1d(_LPPoolNd):
    """1-d power-average pooling; arguments as in `_LPPoolNd`.

    Shape:
        input (N, C, L) or (C, L), output (N, C, L_out) or (C, L_out).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(0.5, 2.0, (2, 3, 7))
        return [ModuleSample(args=(2, 3), inputs=(x,), name="p2"),
                ModuleSample(args=(1.5, 3, 2), kwargs={"ceil_mode": True}, inputs=(x,),
                             name="p1.5-stride-ceil"),
                ModuleSample(args=(3, 2), inputs=(x[0],), name="unbatched")]


class LPPool2d(_LPPoolNd):
    """2-d power-average pooling; arguments as in `_LPPoolNd` (ints or pairs).

    Shape:
        input (N, C, H, W) or (C, H, W), output (N, C, H_out, W_out) or (C, H_out, W_out).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(0.5, 2.0, (2, 2, 4, 5))
        return [ModuleSample(args=(2, 2), inputs=(x,), name="p2"),
                ModuleSample(args=(3, (2, 3), (1, 2)), inputs=(x,), name="p3-rect-stride"),
                ModuleSample(args=(1.5, 3), kwargs={"stride": 2, "ceil_mode": True},
                             inputs=(x[0],), name="unbatched-ceil")]


class LPPool3d(_LPPoolNd):
    """3-d power-average pooling; arguments as in `_LPPoolNd` (ints or triples).

    Shape:
        input (N, C, D, H, W) or (C, D, H, W), output (N, C, D_out, H_out, W_out) or
        (C, D_out, H_out, W_out).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.uniform(0.5, 2.0, (2, 2, 4, 5, 5))
        return [ModuleSample(args=(2, (2, 3, 2), (1, 2, 2)), inputs=(x,), name="p2-rect-stride"),
                ModuleSample(args=(1.5, 2), kwargs={"ceil_mode": True, "stride": 2},
                             inputs=(x[0],), name="unbatched-ceil")]


def _pool_indices(rng: np.random.Generator, lead: tuple[int, ...],
                  size: tuple[int, ...], kernel: tuple[int, ...]) -> np.ndarray:
    """Flat indices like max pooling's (window ``kernel``, stride ``kernel``, over an input of
    spatial ``size``): one random position in every window."""
    out = tuple(s // k for s, k in zip(size, kernel))
    coords = [np.arange(o).reshape([-1 if d == i else 1 for d in range(len(out))]) * k
              + rng.integers(0, k, lead + out) for i, (o, k) in enumerate(zip(out, kernel))]
    return np.ravel_multi_index(tuple(coords), size).astype(np.int64)


class _MaxUnpoolNd(Module):
    """The options of max unpooling, kept as tuples as PyTorch does.

    Args:
        kernel_size, stride, padding: those of the max pooling it inverts (stride default
            ``kernel_size``).
    """

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of `MaxPool1d`: each value put back where ``indices`` (from
    ``MaxPool1d(..., return_indices=True)``) says, zeros elsewhere.

    Shape:
        input and indices (N, C, L_in) or (C, L_in); output (N, C, L_out) or (C, L_out),
        ``L_out = (L_in - 1) * stride - 2 * padding + kernel_size`` unless ``output_size`` is
        given to ``forward``.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)

    def forward(self, input: Tensor, indices: Tensor,  # noqa: A002
                output_size: Sequence[int] | None = None) -> Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 3, 3))
        return [ModuleSample(args=(2,), inputs=(x, _pool_indices(rng, (2, 3), (6,), (2,))),
                             name="default"),
                ModuleSample(args=(2,), inputs=(x[0], _pool_indices(rng, (3,), (7,), (2,)),
                                                [7]), name="unbatched-output_size")]


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of `MaxPool2d`: each value put back at the flat ``H * W``
    position ``indices`` (from ``MaxPool2d(..., return_indices=True)``) names, zeros
    elsewhere.

    Shape:
        input and indices (N, C, H_in, W_in) or (C, H_in, W_in); output (N, C, H_out,
        W_out) or (C, H_out, W_out), each ``(in - 1) * stride - 2 * padding + kernel``
        unless ``output_size`` is given to ``forward``.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride if stride is not None else kernel_size)
        self.padding = _pair(padding)

    def forward(self, input: Tensor, indices: Tensor,  # noqa: A002
                output_size: Sequence[int] | None = None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 2, 2, 3))
        return [ModuleSample(args=(2,), inputs=(x, _pool_indices(rng, (2, 2), (4, 6), (2, 2))),
                             name="default"),
                ModuleSample(args=((2, 3),), inputs=(
                    x[0], _pool_indices(rng, (2,), (5, 9), (2, 3)), [2, 2, 5, 9]),
                    name="unbatched-rect-output_size")]


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of `MaxPool3d`: each value put back at the flat ``D * H * W``
    position ``indices`` (from ``MaxPool3d(..., return_indices=True)``) names, zeros
    elsewhere.

    Shape:
        input and indices (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in); output (N, C,
        D_out, H_out, W_out) or (C, D_out, H_out, W_out), each ``(in - 1) * stride
        - 2 * padding + kernel`` unless ``output_size`` is given to ``forward``.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _triple(kernel_size)
        self.stride = _triple(stride if stride is not None else kernel_size)
        self.padding = _triple(padding)

    def forward(self, input: Tensor, indices: Tensor,  # noqa: A002
                output_size: Sequence[int] | None = None) -> Tensor:
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 2, 2, 2, 3))
        return [ModuleSample(args=(2,), inputs=(
                    x, _pool_indices(rng, (2, 2), (4, 4, 6), (2, 2, 2))), name="default"),
                ModuleSample(args=((1, 2, 3),), inputs=(
                    x[0], _pool_indices(rng, (2,), (2, 5, 9), (1, 2, 3)), [2, 5, 9]),
                    name="unbatched-rect-output_size")]
