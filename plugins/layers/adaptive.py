"""Adaptive softmax (Grave et al., 2016, "Efficient softmax approximation for GPUs"), as
``torch.nn.AdaptiveLogSoftmaxWithLoss``: the frequent classes get a full softmax in a small
head, the rare ones are split into clusters behind low-rank projections, so a large
vocabulary costs a fraction of a full softmax. Same parameter names and shapes as
PyTorch's, so its state_dict loads.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, ModuleList, Sequential
from tensorweave.nn import functional as F

from .linear import Linear

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """The log-probability of each target under an adaptive softmax, and their mean
    negative (the loss).

    Classes ``[0, cutoffs[0])`` form the shortlist, scored by the ``head`` together with one
    logit per cluster; cluster ``i`` holds classes ``[cutoffs[i], cutoffs[i + 1])`` (the last
    one up to ``n_classes``) and is scored by ``tail[i]``, a projection to
    ``in_features // div_value**(i + 1)`` features and a linear layer to its classes. A class
    in a cluster has the cluster's head log-probability plus its own within the cluster.

    Args:
        in_features: features of each input.
        n_classes: the number of classes.
        cutoffs: increasing class indices in ``[1, n_classes - 1]`` that split the clusters.
        div_value: the shrink factor of each cluster's projection.
        head_bias: give the head a bias.
        device, dtype: of the parameters.

    Shape:
        input (N, in_features) or (in_features); target (N) or () of class indices;
        ``output`` (N) or (), ``loss`` ().

    Returns (forward):
        ``_ASMoutput(output, loss)``: each target's log-probability and the mean negative.

    Raises:
        ValueError: for cutoffs that are empty, unsorted, repeated, non-integer or outside
            ``[1, n_classes - 1]``.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        factory = {"device": device, "dtype": dtype}
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [*cutoffs, n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, size, bias=False, **factory)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        if target_.ndim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        elif target_.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.ndim > 0
        x = input_ if batched else input_.unsqueeze(0)
        # The targets are read to the host once: they choose the rows of each cluster.
        target = target_.detach().cpu().numpy().reshape(-1).astype(np.int64)
        output = tw.zeros(len(target), dtype=x.dtype, device=x.device)
        head_index = target.copy()
        used = 0
        bounds = [0, *self.cutoffs]
        for i in range(len(bounds) - 1):
            rows = np.flatnonzero((target >= bounds[i]) & (target < bounds[i + 1]))
            used += rows.size
            if i == 0 or rows.size == 0:
                continue
            head_index[rows] = self.shortlist_size + i - 1
            rows_t = tw.tensor(rows, device=x.device)
            logp = F.log_softmax(self.tail[i - 1](x.index_select(0, rows_t)), dim=1)
            local = tw.tensor(target[rows] - bounds[i], device=x.device).unsqueeze(1)
            output = output.index_copy(0, rows_t, logp.gather(1, local).squeeze(1))
        if used != len(target):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{target.min()}, {target.max()}] were found. ")
        head_logp = F.log_softmax(self.head(x), dim=1)
        index = tw.tensor(head_index, device=x.device).unsqueeze(1)
        output = output + head_logp.gather(1, index).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:  # noqa: A002
        """The log-probability of every class, ``(N, n_classes)``, from the head's output."""
        head_logp = F.log_softmax(head_output, dim=1)
        parts = [head_logp[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster = F.log_softmax(self.tail[i](input), dim=1)
            column = self.shortlist_size + i
            parts.append(cluster + head_logp[:, column:column + 1])
        return tw.cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:  # noqa: A002
        """The log-probability of every class for each input: ``(N, in_features)`` ->
        ``(N, n_classes)``."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:  # noqa: A002
        """The most probable class of each input, ``(N, in_features)`` -> ``(N)``: the
        ``argmax`` of `log_prob`, computing the clusters only for the rows whose head
        prefers a cluster over every shortlist class."""
        head_output = self.head(input)
        output = head_output.argmax(1)
        outside = output >= self.shortlist_size
        if not outside.any().item():
            return output
        if outside.all().item():
            return self._get_full_log_prob(input, head_output).argmax(1)
        log_prob = self._get_full_log_prob(input[outside], head_output[outside])
        output[outside] = log_prob.argmax(1)
        return output

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [
            ModuleSample(args=(8, 10, [3, 6]), kwargs={"div_value": 2.0},
                         inputs=(x((5, 8)), np.array([0, 4, 9, 2, 7])), name="two-clusters"),
            ModuleSample(args=(6, 5, (2,)), kwargs={"head_bias": True},
                         inputs=(x(6), np.array(3)), name="head_bias-unbatched"),
        ]
