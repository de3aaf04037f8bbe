"""`tensorweave.nn.functional`: PyTorch's ``torch.nn.functional``, one submodule per family.

Functions that are ops of their own (conv2d, softmax...) are defined in
`tensorweave.ops` and re-exported here; the rest are compositions of ops, so
their gradients come from the ops' derivatives on every backend.
"""

from __future__ import annotations

from ._activation import *  # noqa: F403
from ._activation import __all__ as _activation_all
from ._attention import *  # noqa: F403
from ._attention import __all__ as _attention_all
from ._conv import *  # noqa: F403
from ._conv import __all__ as _conv_all
from ._distance import *  # noqa: F403
from ._distance import __all__ as _distance_all
from ._dropout import *  # noqa: F403
from ._dropout import __all__ as _dropout_all
from ._linear import *  # noqa: F403
from ._linear import __all__ as _linear_all
from ._linear_cross_entropy import *  # noqa: F403
from ._linear_cross_entropy import __all__ as _linear_cross_entropy_all
from ._local import *  # noqa: F403
from ._local import __all__ as _local_all
from ._loss import *  # noqa: F403
from ._loss import __all__ as _loss_all
from ._normalization import *  # noqa: F403
from ._normalization import __all__ as _normalization_all
from ._sparse import *  # noqa: F403
from ._sparse import __all__ as _sparse_all
from ._vision import *  # noqa: F403
from ._vision import __all__ as _vision_all

__all__ = [*_activation_all, *_attention_all, *_conv_all, *_distance_all, *_dropout_all,
           *_linear_all, *_linear_cross_entropy_all, *_local_all, *_loss_all,
           *_normalization_all, *_sparse_all, *_vision_all]
