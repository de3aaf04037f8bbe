"""Lazy layers, as in ``torch.nn``: `LazyLinear`, `LazyConv1d`/`2d`/`3d`,
`LazyConvTranspose1d`/`2d`/`3d`, `LazyBatchNorm1d`/`2d`/`3d` and
`LazyInstanceNorm1d`/`2d`/`3d`.

A lazy layer is built without its input size (``in_features``, ``in_channels``,
``num_features``). Its parameters start as `UninitializedParameter` placeholders and its
running statistics as empty buffers; the first forward reads the size from the input,
materializes them *in place* (the same `Parameter` objects, in the dtype and device the
module was moved to), initializes them as the concrete layer does, and turns the instance
into that concrete class (``LazyLinear`` becomes ``Linear``), as PyTorch does.

Because the parameters are materialized in place, an optimizer built before the first
forward holds the right objects and steps them afterwards, as in PyTorch; a
``load_state_dict`` before the first forward materializes the placeholders to the loaded
shapes. Unlike PyTorch, a placeholder is an ordinary empty tensor of shape ``(0,)``
(tensorweave has no ``__torch_function__`` to intercept every use), so using one before the
first forward raises the op's own shape error rather than PyTorch's "uninitialized
parameter" message.

The module conformance check runs one forward without autograd on a lazy module before it
snapshots the state_dict (see `tensorweave.conformance.modules`), so each lazy layer's
samples are checked against PyTorch's lazy class like any layer's;
tests/unit/test_lazy_layers.py also compares them after copying PyTorch's weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import UninitializedBuffer, UninitializedParameter
from tensorweave.nn.parameter import is_lazy

from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)

__all__ = ["LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _infer_parameters(module: Any, args: tuple[Any, ...]) -> None:
    """The forward pre-hook of a lazy module: materialize from the first input, then become
    the concrete class (the hook removes itself)."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    module.__class__ = module.cls_to_become


class LazyModuleMixin:
    """What the lazy layers share: placeholders, the first-forward hook, and loading a
    state_dict into placeholders. A subclass sets ``cls_to_become`` and defines
    ``initialize_parameters(input, ...)``.
    """

    cls_to_become: type

    def _lazy_init(self) -> None:
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for the first forward."""
        return any(is_lazy(t) for t in (*self._parameters.values(), *self._buffers.values()))

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
        # Placeholders take the loaded shapes first, so the copy that follows fits.
        for name, t in (*self._parameters.items(), *self._buffers.items()):
            loaded = state_dict.get(prefix + name)
            if is_lazy(t) and isinstance(loaded, Tensor):
                t.materialize(loaded.shape)
        super()._load_from_state_dict(state_dict, prefix, *args)  # type: ignore[misc]


# -- linear ------------------------------------------------------------------------------------


class LazyLinear(LazyModuleMixin, Linear):
    """A `Linear` whose ``in_features`` is the last dim of the first input.

    Args:
        out_features: size of each output sample.
        bias: learn an additive bias.

    Shape:
        input (*, H_in), output (*, out_features).

    Example:
        >>> import tensorweave as tw
        >>> layer = tw.nn.LazyLinear(2)
        >>> layer(tw.ones(3, 5)).shape, type(layer).__name__, layer.in_features
        (tensorweave.Size([3, 2]), 'Linear', 5)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, out_features, False, device=device, dtype=dtype)
        self._lazy_init()
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(3,), inputs=(x((2, 4)),), name="default"),
                ModuleSample(args=(2,), kwargs={"bias": False}, inputs=(x((3,)),),
                             name="no-bias-unbatched")]



# -- convolutions ------------------------------------------------------------------------------


class _LazyConvMixin(LazyModuleMixin):
    """``in_channels`` from the first input's channel dim (dim 0 when unbatched)."""

    def _lazy_conv_init(self, bias: bool, device: Any, dtype: Any) -> None:
        self._lazy_init()
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:  # noqa: A002
        if not self.has_uninitialized_params():
            return
        spatial = len(self.kernel_size)
        if input.dim() not in (spatial + 1, spatial + 2):
            raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                               f"input to {type(self).__name__}, but got input of size: "
                               f"{input.shape}")
        self.in_channels = input.shape[input.dim() - spatial - 1]
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        shape = ((self.in_channels, self.out_channels // self.groups) if self.transposed
                 else (self.out_channels, self.in_channels // self.groups))
        self.weight.materialize((*shape, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A `Conv1d` whose ``in_channels`` comes from the first input; arguments as there,
    without ``in_channels``.

    Shape:
        input (N, C_in, L) or (C_in, L), output (N, C_out, L_out) or (C_out, L_out).
    """

    cls_to_become = Conv1d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 3), kwargs={"padding": 1}, inputs=(x((2, 3, 5)),))]


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A `Conv2d` whose ``in_channels`` comes from the first input; arguments as there,
    without ``in_channels``.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W), output (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out).
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 3), kwargs={"stride": 2}, inputs=(x((1, 2, 5, 5)),))]


class LazyConv3d(_LazyConvMixin, Conv3d):
    """A `Conv3d` whose ``in_channels`` comes from the first input; arguments as there,
    without ``in_channels``.

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W), output (N, C_out, D_out, H_out, W_out)
        or (C_out, D_out, H_out, W_out).
    """

    cls_to_become = Conv3d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 2), kwargs={"stride": (1, 2, 1)},
                             inputs=(x((1, 2, 3, 4, 3)),))]


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """A `ConvTranspose1d` whose ``in_channels`` comes from the first input; arguments as
    there, without ``in_channels``.

    Shape:
        input (N, C_in, L) or (C_in, L), output (N, C_out, L_out) or (C_out, L_out).
    """

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups,
                         False, dilation, padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 3), kwargs={"stride": 2}, inputs=(x((2, 3, 4)),))]


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """A `ConvTranspose2d` whose ``in_channels`` comes from the first input; arguments as
    there, without ``in_channels``.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W), output (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out).
    """

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups,
                         False, dilation, padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 2), inputs=(x((1, 3, 3, 3)),))]


class LazyConvTranspose3d(_LazyConvMixin, ConvTranspose3d):
    """A `ConvTranspose3d` whose ``in_channels`` comes from the first input; arguments as
    there, without ``in_channels``.

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W), output (N, C_out, D_out, H_out, W_out)
        or (C_out, D_out, H_out, W_out).
    """

    cls_to_become = ConvTranspose3d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups,
                         False, dilation, padding_mode, device=device, dtype=dtype)
        self._lazy_conv_init(bias, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(args=(2, 2), kwargs={"stride": (2, 1, 1)},
                             inputs=(x((1, 3, 2, 2, 3)),))]


# -- normalization -----------------------------------------------------------------------------


class _LazyNormMixin(LazyModuleMixin):
    """``num_features`` from the first input's channel dim. Built as the concrete norm with
    0 features and neither affine parameters nor statistics, then given placeholders for
    those asked for (PyTorch's order of state_dict keys)."""

    def _lazy_norm_init(self, affine: bool, bias: bool, track_running_stats: bool,
                        device: Any, dtype: Any) -> None:
        self._lazy_init()
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            for name in ("running_mean", "running_var"):
                self.register_buffer(name, UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", tw.tensor(0, dtype=tw.long,
                                                                  device=device))

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def _feature_dim(self, input: Tensor) -> int:  # noqa: A002
        return 1

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:  # noqa: A002
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[self._feature_dim(input)]
        for p in (self.weight, self.bias):
            if p is not None:
                p.materialize((self.num_features,))
        for b in (self.running_mean, self.running_var):
            if is_lazy(b):
                b.materialize((self.num_features,))
        self.reset_parameters()


class _LazyBatchNormMixin(_LazyNormMixin):
    def _feature_dim(self, input: Tensor) -> int:  # noqa: A002
        self._check_input_dim(input)  # the concrete layer's error, before any materializing
        return 1


class _LazyInstanceNormMixin(_LazyNormMixin):
    """The channel dim is 0 for an unbatched input (where PyTorch's lazy instance norms
    read dim 1 and then fail)."""

    def _feature_dim(self, input: Tensor) -> int:  # noqa: A002
        unbatched = self._spatial_dims + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise ValueError(f"expected {unbatched}D or {unbatched + 1}D input (got "
                             f"{input.dim()}D input)")
        return input.dim() - unbatched


class LazyBatchNorm1d(_LazyBatchNormMixin, BatchNorm1d):
    """A `BatchNorm1d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features``.

    Shape:
        input (N, C) or (N, C, L), output the same.
    """

    cls_to_become = BatchNorm1d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={}, inputs=(x((4, 3)),))]


class LazyBatchNorm2d(_LazyBatchNormMixin, BatchNorm2d):
    """A `BatchNorm2d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features``.

    Shape:
        input (N, C, H, W), output the same.
    """

    cls_to_become = BatchNorm2d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={}, inputs=(x((2, 3, 2, 2)),))]


class LazyBatchNorm3d(_LazyBatchNormMixin, BatchNorm3d):
    """A `BatchNorm3d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features``.

    Shape:
        input (N, C, D, H, W), output the same.
    """

    cls_to_become = BatchNorm3d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={}, inputs=(x((2, 3, 2, 2, 2)),))]


class LazyInstanceNorm1d(_LazyInstanceNormMixin, InstanceNorm1d):
    """An `InstanceNorm1d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features`` and, as in PyTorch, with ``affine`` and
    ``track_running_stats`` True by default.

    Shape:
        input (N, C, L) or (C, L), output the same.
    """

    cls_to_become = InstanceNorm1d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={"affine": True}, inputs=(x((2, 3, 5)),))]


class LazyInstanceNorm2d(_LazyInstanceNormMixin, InstanceNorm2d):
    """An `InstanceNorm2d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features`` and, as in PyTorch, with ``affine`` and
    ``track_running_stats`` True by default.

    Shape:
        input (N, C, H, W) or (C, H, W), output the same.
    """

    cls_to_become = InstanceNorm2d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)


    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={"affine": True}, inputs=(x((2, 3, 3, 3)),))]


class LazyInstanceNorm3d(_LazyInstanceNormMixin, InstanceNorm3d):
    """An `InstanceNorm3d` whose ``num_features`` comes from the first input; arguments as
    there, without ``num_features`` and, as in PyTorch, with ``affine`` and
    ``track_running_stats`` True by default.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W), output the same.
    """

    cls_to_become = InstanceNorm3d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype)
        self._lazy_norm_init(affine, bias, track_running_stats, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [ModuleSample(kwargs={"affine": True}, inputs=(x((2, 3, 2, 3, 2)),))]
