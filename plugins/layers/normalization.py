"""Normalization layers, as in ``torch.nn``: batch (and `SyncBatchNorm`), instance, layer,
group and RMS normalization.

Parameter and buffer names (``weight``, ``bias``, ``running_mean``, ``running_var``,
``num_batches_tracked``), their initial values, the running-statistics update (exponential
with ``momentum``, or the cumulative average when ``momentum=None``), evaluation mode,
the input checks and the printed forms are PyTorch's, so state dicts transfer both ways.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Sequence

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm", "RMSNorm"]


def _register_affine(module: Module, enabled: bool, bias: bool, shape: Any, device: Any,
                     dtype: Any) -> None:
    """The learned scale ``weight`` and, with ``bias``, shift ``bias`` of ``shape`` when
    ``enabled``, else empty slots, as PyTorch's norm layers register them (their values come
    from `_reset_affine`)."""
    def param() -> Parameter:
        return Parameter(tw.empty(shape, device=device, dtype=dtype))
    module.register_parameter("weight", param() if enabled else None)
    module.register_parameter("bias", param() if enabled and bias else None)


def _reset_affine(module: Module) -> None:
    """``weight`` to ones and ``bias`` to zeros, where the module has them."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """The parameters and running statistics of batch normalization.

    Args:
        num_features: channels C of the input (N, C, *).
        eps: added to the variance for stability.
        momentum: weight of the new batch in the running statistics; None uses the
            cumulative average over all batches seen.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros).
        track_running_stats: keep ``running_mean`` (zeros), ``running_var`` (ones) and
            ``num_batches_tracked`` (0) buffers and use them in evaluation mode; without
            them the batch statistics are used in both modes.
        bias: with ``affine``, learn the ``bias`` too (keyword only).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, affine, bias, num_features, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 tw.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", tw.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 tw.tensor(0, dtype=tw.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch tracked."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """The running statistics, and ``weight`` to ones and ``bias`` to zeros."""
        self.reset_running_stats()
        _reset_affine(self)

    def extra_repr(self) -> str:
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, "
                "bias={use_bias}, track_running_stats={track_running_stats}"
                .format(**self.__dict__, use_bias=self.bias is not None))


class _BatchNorm(_NormBase):
    """The forward of batch normalization: batch statistics in training (updating the
    running ones), running statistics in evaluation when they are tracked.
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)


def _batch_norm_samples(rng: np.random.Generator, shape: tuple[int, ...],
                        ) -> list[ModuleSample]:
    """Training and evaluation mode, with and without the affine parameters and the
    running statistics, ``momentum=None``, and ``bias=False``; C is ``shape[1]``.
    """
    c = shape[1]
    x = rng.standard_normal(shape) * 2 + 1

    def sample(name: str, train: bool = True, **kw: Any) -> ModuleSample:
        return ModuleSample(args=(c,), kwargs=kw, inputs=(x,), name=name, train=train)

    return [sample("train"), sample("eval", train=False),
            sample("momentum=None", momentum=None, eps=1e-3),
            sample("no-affine", affine=False),
            sample("no-bias", bias=False),
            sample("no-running-stats-train", track_running_stats=False),
            sample("no-running-stats-eval", train=False, track_running_stats=False)]


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a 2-D or 3-D input: each channel normalized with the mean
    and (biased) variance over the batch (and length), then scaled and shifted. Arguments
    as in `_NormBase`.

    Shape:
        input (N, C) or (N, C, L), output the same.

    Raises:
        ValueError: for an input that is not 2-D or 3-D (PyTorch's message).
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _batch_norm_samples(rng, (4, 3)) + [
            ModuleSample(args=(2,), inputs=(rng.standard_normal((3, 2, 2)),), name="3-d")]


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a 4-D input, per channel over (N, H, W). Arguments as in
    `_NormBase`.

    Shape:
        input (N, C, H, W), output the same.

    Raises:
        ValueError: for an input that is not 4-D (PyTorch's message).
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _batch_norm_samples(rng, (2, 3, 2, 2))


class BatchNorm3d(_BatchNorm):
    """Batch normalization over a 5-D input, per channel over (N, D, H, W). Arguments as in
    `_NormBase`.

    Shape:
        input (N, C, D, H, W), output the same.

    Raises:
        ValueError: for an input that is not 5-D (PyTorch's message).
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _batch_norm_samples(rng, (2, 2, 2, 1, 2))


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over any (N, C, *) input whose statistics PyTorch reduces over
    every process of a distributed group, as `torch.nn.SyncBatchNorm`.

    tensorweave has no process groups, so there is never anything to synchronize with:
    the layer computes exactly what PyTorch's does outside an initialized process group
    (or with one process): batch normalization over this process's batch. It exists so
    that models written with it, and `convert_sync_batchnorm`, run and load their state
    dicts unchanged. Arguments as in `_NormBase`; ``process_group`` is stored, not used.

    Raises:
        ValueError: for an input with fewer than 2 dims or no channels (PyTorch's
            messages).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every BatchNorm*d in it replaced by a `SyncBatchNorm` that takes
        over its parameters, buffers and mode (a new module when ``module`` itself is one),
        as PyTorch's."""
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _batch_norm_samples(rng, (3, 2, 2, 1, 2)) + [
            ModuleSample(args=(3,), inputs=(rng.standard_normal((4, 3)),), name="2-d")]


class _InstanceNorm(_NormBase):
    """Instance normalization: each channel of each sample normalized over its spatial dims.

    Arguments as in `_NormBase`, with PyTorch's defaults ``affine=False`` and
    ``track_running_stats=False``; with tracked statistics, evaluation mode normalizes with
    them.
    """

    _spatial_dims: int  # of the input without its batch dim, minus the channel dim

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device=device, dtype=dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        unbatched = self._spatial_dims + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise ValueError(f"expected {unbatched}D or {unbatched + 1}D input (got "
                             f"{input.dim()}D input)")
        feature_dim = input.dim() - unbatched
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You "
                          "can silence this warning by not passing in num_features, which is "
                          "not used because affine=False", stacklevel=2)
        x = input.unsqueeze(0) if input.dim() == unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              self.momentum if self.momentum is not None else 0.0, self.eps)
        return out.squeeze(0) if input.dim() == unbatched else out


def _instance_norm_samples(rng: np.random.Generator, shape: tuple[int, ...],
                           ) -> list[ModuleSample]:
    """The defaults, affine parameters, tracked statistics in both modes, and an unbatched
    input; C is ``shape[1]``.
    """
    c = shape[1]
    x = rng.standard_normal(shape) * 2 + 1
    return [ModuleSample(args=(c,), inputs=(x,), name="default"),
            ModuleSample(args=(c,), kwargs={"affine": True, "eps": 1e-3}, inputs=(x,),
                         name="affine"),
            ModuleSample(args=(c,), kwargs={"track_running_stats": True}, inputs=(x,),
                         name="running-stats-train"),
            ModuleSample(args=(c,), kwargs={"track_running_stats": True, "affine": True},
                         inputs=(x,), name="running-stats-eval", train=False),
            ModuleSample(args=(c,), kwargs={"affine": True}, inputs=(x[0],), name="unbatched")]


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L) inputs over L; arguments as in
    `_InstanceNorm`.

    Raises:
        ValueError: for an input that is not 2-D or 3-D, or whose channels differ from
            ``num_features`` with ``affine`` (PyTorch's messages).
    """

    _spatial_dims = 1

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _instance_norm_samples(rng, (2, 3, 4))


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W) inputs over (H, W); arguments as
    in `_InstanceNorm`.

    Raises:
        ValueError: for an input that is not 3-D or 4-D, or whose channels differ from
            ``num_features`` with ``affine`` (PyTorch's messages).
    """

    _spatial_dims = 2

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _instance_norm_samples(rng, (2, 2, 3, 2))


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or (C, D, H, W) inputs over (D, H, W);
    arguments as in `_InstanceNorm`.

    Raises:
        ValueError: for an input that is not 4-D or 5-D, or whose channels differ from
            ``num_features`` with ``affine`` (PyTorch's messages).
    """

    _spatial_dims = 3

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _instance_norm_samples(rng, (2, 2, 2, 1, 2))


class LayerNorm(Module):
    """Normalizes each sample over its trailing ``normalized_shape`` dims, then scales and
    shifts elementwise.

    Args:
        normalized_shape: the trailing shape (an int for the last dim).
        eps: added to the variance for stability.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of
            ``normalized_shape``.
        bias: with ``elementwise_affine``, learn the ``bias`` too.

    Shape:
        input (N, *, *normalized_shape), output the same.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones and ``bias`` to zeros."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return ("{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, "
                "bias={use_bias}".format(**self.__dict__, use_bias=self.bias is not None))

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 3, 4))
        return [ModuleSample(args=(4,), inputs=(x,), name="int"),
                ModuleSample(args=([3, 4],), kwargs={"eps": 1e-3}, inputs=(x,),
                             name="list-eps"),
                ModuleSample(args=((4,),), kwargs={"elementwise_affine": False}, inputs=(x,),
                             name="no-affine"),
                ModuleSample(args=(4,), kwargs={"bias": False}, inputs=(x,), name="no-bias")]


class GroupNorm(Module):
    """Normalizes each sample over groups of channels (and all spatial dims), then scales and
    shifts per channel.

    Args:
        num_groups: groups to split the channels into.
        num_channels: channels C of the input (divisible by ``num_groups``).
        eps: added to the variance for stability.
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros).
        bias: with ``affine``, learn the ``bias`` too (keyword only).

    Shape:
        input (N, C, *), output the same.

    Raises:
        ValueError: if ``num_channels`` is not divisible by ``num_groups`` (PyTorch's
            message).
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _register_affine(self, affine, bias, num_channels, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones and ``bias`` to zeros."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return ("{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={use_bias}"
                .format(**self.__dict__, use_bias=self.bias is not None))

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 4), inputs=(x((2, 4, 3)),), name="2-groups"),
                ModuleSample(args=(1, 3), kwargs={"eps": 1e-3}, inputs=(x((2, 3, 2, 2)),),
                             name="1-group-4-d"),
                ModuleSample(args=(3, 3), kwargs={"affine": False}, inputs=(x((2, 3, 2)),),
                             name="per-channel-no-affine"),
                ModuleSample(args=(2, 4), kwargs={"bias": False}, inputs=(x((1, 4, 2)),),
                             name="no-bias")]


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing ``normalized_shape`` dims:
    ``x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape: the trailing shape (an int for the last dim).
        eps: added to the mean square; None uses the input dtype's machine epsilon.
        elementwise_affine: learn a ``weight`` (ones) of ``normalized_shape``.

    Shape:
        input (N, *, *normalized_shape), output the same.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(tw.empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones."""
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return ("{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}"
                .format(**self.__dict__))

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal((2, 3, 4))
        return [ModuleSample(args=(4,), inputs=(x,), name="int"),
                ModuleSample(args=([3, 4],), kwargs={"eps": 1e-3}, inputs=(x,),
                             name="list-eps"),
                ModuleSample(args=((4,),), kwargs={"elementwise_affine": False}, inputs=(x,),
                             name="no-affine")]
