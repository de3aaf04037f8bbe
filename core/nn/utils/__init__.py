"""`tensorweave.nn.utils`: gradient clipping, parameter/vector conversion, weight and
spectral normalization (hook style here, parametrization style in `parametrizations`),
`parametrize`, conv/linear + BatchNorm fusion, conv weight memory formats, `skip_init`,
`stateless.functional_call` and (in `rnn`) variable-length sequences, as in
`torch.nn.utils`.
"""

from . import parametrizations, parametrize, rnn, stateless
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .init import skip_init
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["rnn", "clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters", "weight_norm",
           "remove_weight_norm", "parametrizations", "parametrize", "stateless",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "skip_init", "spectral_norm", "remove_spectral_norm",
           "convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]
