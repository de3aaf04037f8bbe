"""Loss functions, as ``torch.nn.functional``: same signatures, defaults, reductions,
warnings and error texts.

Each loss is a composition of ops, so its gradient (with respect to the input and, where
PyTorch has one, the target) comes from the ops' derivatives on every backend and can be
differentiated again. Two places take care beyond the obvious formula:

* the log-probabilities of ``cross_entropy`` come from the max-subtracted ``log_softmax`` and
  ``binary_cross_entropy_with_logits`` uses ``log_sigmoid``, so logits of any magnitude give a
  finite loss and gradient;
* ``binary_cross_entropy`` is a custom `Function` with PyTorch's backward, whose denominator
  ``max(x (1 - x), 1e-12)`` keeps the gradient finite at probabilities of exactly 0 or 1 (a
  saturated float32 sigmoid), where differentiating the clamped logs gives ``0 * inf``.

Class-index targets are range-checked (their min and max are read back to the host), so an
index out of range raises, naming it, instead of reading a wrong class.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from ... import dtypes as D
from ...autograd.function import Function
from ...ops.creation import arange, full, tensor
from ...ops.elementwise import minimum, where
from ...ops.indexing import gather, index_select
from ...ops.movement import cat, stack
from ...ops.nn import log_sigmoid, log_softmax, softplus
from ...ops.reduction import cumsum, index_bounds
from ...tensor import Tensor
from .. import _reduction

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "poisson_nll_loss", "gaussian_nll_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
           "ctc_loss"]

_CLASS_INDEX_DTYPES = (D.int64, D.uint8)


# -- shared helpers --------------------------------------------------------------------------------


def _reduction_arg(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """``reduction``, or the one the deprecated ``size_average``/``reduce`` pair stands for."""
    if size_average is not None or reduce is not None:
        return _reduction.legacy_get_string(size_average, reduce)
    return _reduction.canonical(reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """``loss`` averaged, summed or returned as it is (``reduction`` already canonical)."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _tensors(op: str, **tensors: Any) -> None:
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _floating(op: str, *tensors: Tensor) -> None:
    """PyTorch's kernels of these losses exist for floating-point dtypes only."""
    for t in tensors:
        if not t.dtype.is_floating_point:
            raise NotImplementedError(f'"{op}" not implemented for \'{t.dtype.name}\': the '
                                      "input and target must be floating point; convert them "
                                      "with .float() first")


def _warn_size(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _weighted(loss: Tensor, weight: Tensor | None, input: Tensor,  # noqa: A002
              reduction: str, mean_by_weight: bool) -> Tensor:
    """``loss`` (elementwise) times the per-element ``weight``, reduced; a weighted mean
    divides by the sum of the weights (``mean_by_weight``) or by the element count.
    """
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


# -- class targets: nll_loss and cross_entropy -----------------------------------------------------


def _class_dim(input: Tensor) -> int:  # noqa: A002
    return 0 if input.ndim == 1 else 1


def _check_class_target(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """PyTorch's shape and dtype rules for class-index targets (``nll_loss_nd``)."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    n = input.shape[0]
    if input.ndim != 1 and n != (target.shape[0] if target.ndim else 0):
        raise ValueError(f"Expected input batch_size ({n}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).")
    if input.ndim <= 2:
        if target.ndim > 1 or (input.ndim == 2 and target.ndim != 1):
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
    elif tuple(target.shape) != (n, *input.shape[2:]):
        raise RuntimeError(f"Expected target size {[n, *input.shape[2:]]}, got "
                           f"{list(target.shape)}")
    if target.dtype not in _CLASS_INDEX_DTYPES:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.name}: class-index targets must be int64 (or uint8); "
                           "convert them with target.long()")


def _check_class_weight(op: str, weight: Tensor | None, n_classes: int, dtype: D.dtype) -> None:
    if weight is None:
        return
    _tensors(op, weight=weight)
    if weight.ndim != 1 or weight.numel() != n_classes:
        prefix = "cross_entropy: " if op == "cross_entropy" else ""
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if weight.dtype is not dtype:
        raise RuntimeError(f"{op}: expected scalar type {dtype.name} but found "
                           f"{weight.dtype.name} (the class weights must have the input's "
                           "dtype)")


def _per_class(weight: Tensor, ndim: int) -> Tensor:
    """A ``(C)`` class weight shaped to broadcast along the class dim of an ``ndim`` input."""
    return weight.reshape(weight.shape[0], *(1,) * (ndim - 2))


def _class_indices(target: Tensor, n_classes: int,
                   ignore_index: int) -> tuple[Tensor, Tensor | None]:
    """The int64 class of every target (0 where ignored, so it can be gathered) and the mask of
    the targets that count (None when none is ignored).

    Raises:
        IndexError: naming the first target outside ``[0, n_classes)`` that is not
            ``ignore_index``, as PyTorch does.
    """
    t = target if target.dtype is D.int64 else target.to(D.int64)
    if t.numel() == 0:
        return t, None
    lo, hi = index_bounds(t)
    if 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
        return t, None
    keep = t != ignore_index
    if lo < 0 or hi >= n_classes:
        bad = keep & ((t < 0) | (t >= n_classes))
        if bad.any().item():
            raise IndexError(f"Target {t.masked_select(bad)[0].item()} is out of bounds.")
    return t.masked_fill(~keep, 0), keep


class _ClassTargets:
    """What a loss over class-index targets needs: the classes to pick, their weights and the
    divisor of a ``'mean'``.

    Attributes:
        index: int64 classes with the input's class dim inserted (``gather``'s index).
        keep: mask of the targets that count, or None when all do.
        weight: the class weight of every target (ignored ones included), or None.
    """

    __slots__ = ("index", "keep", "weight", "dim")

    def __init__(self, input: Tensor, target: Tensor, weight: Tensor | None,  # noqa: A002
                 ignore_index: int) -> None:
        self.dim = _class_dim(input)
        t, self.keep = _class_indices(target, input.shape[self.dim], int(ignore_index))
        self.index = t.reshape(1) if input.ndim == 1 else t.unsqueeze(1)
        self.weight = (None if weight is None
                       else index_select.bind(weight, t.reshape(-1), dim=0).reshape(t.shape))

    def pick(self, values: Tensor) -> Tensor:
        """``values`` (shaped like the input) at each target's class, 0 where ignored."""
        out = gather.bind(values, self.index, dim=self.dim).squeeze(self.dim)
        if self.keep is not None:  # before the weights: no inf * 0 at an ignored -inf
            out = out.masked_fill(~self.keep, 0.0)
        return out if self.weight is None else out * self.weight

    def reduce(self, loss: Tensor, reduction: str) -> Tensor:
        """``loss`` (one per target) reduced as PyTorch does: a ``'mean'`` divides by the
        summed weights of the targets that count (their number without class weights).
        """
        if reduction != "mean":
            return _reduce(loss, reduction)
        w, keep = self.weight, self.keep
        if w is None and keep is None:
            return loss.mean()
        if w is None:
            return loss.sum() / keep.sum()
        return loss.sum() / (w if keep is None else w.masked_fill(~keep, 0.0)).sum()


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The negative log likelihood loss: ``-input[n, target[n]] * weight[target[n]]``.

    Args:
        input: log-probabilities, ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)``.
        target: class indices (int64 or uint8), ``()``, ``(N)`` or ``(N, d1, ..., dK)``.
        weight: a weight per class, ``(C)``, of the input's dtype.
        size_average, reduce: deprecated (see ``reduction``).
        ignore_index: a target value that contributes neither to the loss nor to the mean's
            divisor.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``. ``'mean'`` divides by the summed
            weights of the targets that are not ignored (their count without ``weight``).

    Returns:
        The loss: the target's shape for ``'none'``, else a scalar.

    Raises:
        ValueError: for a 0-d input, mismatched batch sizes or an unknown reduction.
        RuntimeError: for targets of a wrong shape or dtype, or a weight that is not ``(C)``.
        IndexError: for a target outside ``[0, C)`` that is not ``ignore_index``.
    """
    _tensors("nll_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_class_target(input, target)
    _check_class_weight("nll_loss", weight, input.shape[_class_dim(input)], input.dtype)
    targets = _ClassTargets(input, target, weight, ignore_index)
    return targets.reduce(-targets.pick(input), reduction)


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Tensor | None,  # noqa: A002
                         reduction: str, label_smoothing: float) -> Tensor:
    """Cross entropy with class-probability targets (PyTorch's
    ``cross_entropy_loss_prob_target``): ``-sum_c target_c * log_softmax(input)_c * w_c``.
    """
    dim = _class_dim(input)
    n_classes = input.shape[dim]
    _check_class_weight("cross_entropy", weight, n_classes, input.dtype)
    logp = log_softmax(input, dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _per_class(weight, input.ndim)
    return _reduce(-prod.sum(dim), reduction)


def _smoothing_term(logp: Tensor, targets: _ClassTargets, weight: Tensor | None,
                    reduction: str) -> Tensor:
    """``-sum_c log p_c * w_c`` per target (0 where ignored), reduced as the nll term is."""
    if weight is not None:
        logp = logp * _per_class(weight, logp.ndim)
    smooth = -logp.sum(targets.dim)
    if targets.keep is not None:
        smooth = smooth.masked_fill(~targets.keep, 0.0)
    return targets.reduce(smooth, reduction)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """The cross entropy between the logits ``input`` and ``target``: ``nll_loss`` of
    ``log_softmax(input)`` for class indices, ``-sum(target * log_softmax(input))`` for class
    probabilities.

    Args:
        input: unnormalized logits, ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)``.
        target: class indices (int64 or uint8) of shape ``()``, ``(N)`` or
            ``(N, d1, ..., dK)``, or class probabilities (floating point) of the input's
            shape.
        weight: a weight per class, ``(C)``.
        size_average, reduce: deprecated (see ``reduction``).
        ignore_index: a class index that contributes neither to the loss nor to the mean's
            divisor (class-index targets only).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``. With class indices ``'mean'`` divides
            by the summed weights of the counted targets; with probabilities by the number of
            targets (``N * d1 * ... * dK``).
        label_smoothing: in [0, 1]: the target becomes ``(1 - label_smoothing) * target +
            label_smoothing / C`` (computed as PyTorch does, weights and ignored targets
            included).

    Returns:
        The loss: ``()``, ``(N)`` or ``(N, d1, ..., dK)`` for ``'none'``, else a scalar.

    Raises:
        ValueError, RuntimeError, IndexError: as `nll_loss`; RuntimeError also for
            probability targets that are not floating point or with ``ignore_index >= 0``,
            floating-point targets of a wrong shape, and ``label_smoothing > 1``.

    Example:
        >>> import tensorweave as tw
        >>> import tensorweave.nn.functional as F
        >>> F.cross_entropy(tw.tensor([[1000.0, 0.0]]), tw.tensor([1]))
        tensor(1000.)
    """
    _tensors("cross_entropy", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    if target.shape == input.shape:
        if not target.dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {target.dtype.name}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    if target.dtype.is_floating_point:
        cls_shape = list(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else []
        raise RuntimeError(f"cross_entropy: expected class probabilities (floating point) of "
                           f"the input's shape {list(input.shape)} or class indices (int64) of "
                           f"shape {cls_shape}; got a {target.dtype.name} target of shape "
                           f"{list(target.shape)}")
    _check_class_target(input, target)
    dim = _class_dim(input)
    _check_class_weight("cross_entropy", weight, input.shape[dim], input.dtype)
    logp = log_softmax(input, dim)
    targets = _ClassTargets(input, target, weight, ignore_index)
    nll = targets.reduce(-targets.pick(logp), reduction)
    if label_smoothing <= 0.0:
        return nll
    smooth = _smoothing_term(logp, targets, weight, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / input.shape[dim])


# -- binary targets --------------------------------------------------------------------------------


# PyTorch's floor of ``x (1 - x)`` in the gradient: the float32 constant 1e-12 (so a saturated
# probability gets exactly PyTorch's gradient).
_BCE_EPS = 9.999999960041972e-13


class BinaryCrossEntropy(Function):
    """Elementwise ``-w (t log(x) + (1 - t) log(1 - x))`` with each log clamped at -100 and
    PyTorch's derivatives: ``w (x - t) / max(x (1 - x), 1e-12)`` for the input and
    ``w (log(1 - x) - log(x))`` for the target.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor,  # noqa: A002
                weight: Tensor | None) -> Tensor:
        ctx.save_for_backward(input, target, weight)
        loss = -(target * input.log().clamp_min(-100.0)
                 + (1 - target) * (-input).log1p().clamp_min(-100.0))
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, t, w = ctx.saved_tensors
        if w is not None:
            grad = grad * w
        gx = (grad * (x - t) / (x * (1 - x)).clamp_min(_BCE_EPS)
              if ctx.needs_input_grad[0] else None)
        gt = grad * ((-x).log1p() - x.log()) if ctx.needs_input_grad[1] else None
        return gx, gt, None


def binary_cross_entropy(input: Tensor, target: Tensor,  # noqa: A002
                         weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Binary cross entropy between probabilities ``input`` and ``target``:
    ``-weight * (target * log(input) + (1 - target) * log(1 - input))``, each log clamped at
    -100 as in PyTorch (so probabilities of exactly 0 or 1 give a finite loss and gradient).

    Args:
        input: probabilities in [0, 1], any shape.
        target: the input's shape and dtype, values in [0, 1].
        weight: a rescaling weight that broadcasts to the input's shape.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Raises:
        ValueError: if the target's size differs from the input's.
        RuntimeError: for mismatched dtypes or values outside [0, 1].
        NotImplementedError: for integer inputs.
    """
    _tensors("binary_cross_entropy", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the "
                         "same size.")
    _floating("binary_cross_entropy", input)
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype.name} but expected {input.dtype.name}: "
                           "binary_cross_entropy needs a target of the input's dtype")
    for name, t in (("input", input), ("target", target)):
        if t.numel() and not ((t >= 0) & (t <= 1)).all().item():
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    if weight is not None:
        weight = weight.expand(*input.shape)
    return _reduce(BinaryCrossEntropy.apply(input, target, weight), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits as
    ``(1 - t) x - (1 + (pos_weight - 1) t) log_sigmoid(x)`` (PyTorch's form).

    Args:
        input: logits, any shape.
        target: the input's shape, values in [0, 1].
        weight: a rescaling weight that broadcasts to the input's shape.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        pos_weight: the weight of positive examples, broadcast against the target (for a
            ``(N, C)`` target, ``(C)`` weighs each class).

    Raises:
        ValueError: if the target's size differs from the input's.
        NotImplementedError: for integer inputs.

    Example:
        >>> import tensorweave as tw
        >>> import tensorweave.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(tw.tensor([-1000.0]), tw.tensor([1.0]))
        tensor(1000.)
    """
    _tensors("binary_cross_entropy_with_logits", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    log_p = log_sigmoid(input)
    if pos_weight is not None:
        log_p = log_p * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_p
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# -- distributions ---------------------------------------------------------------------------------


def _xlogx(t: Tensor) -> Tensor:
    """``t * log(t)``, 0 at ``t == 0`` with a zero gradient there (PyTorch's ``xlogy(t, t)``
    gives the same value but a NaN gradient).
    """
    return t * t.masked_fill(t == 0, 1.0).log()


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence ``target * (log(target) - input)`` of the
    log-probabilities ``input`` (pointwise; 0 where ``target == 0``).

    Args:
        input: log-probabilities, any shape.
        target: probabilities (log-probabilities with ``log_target=True``), broadcasting
            against the input.
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``. ``'batchmean'``
            divides the sum by the batch size (dim 0), which is the KL divergence; ``'mean'``
            divides by the element count and warns, as in PyTorch.
        log_target: ``target`` holds log-probabilities.

    Raises:
        RuntimeError: for integer inputs or targets.
        ValueError: for an unknown reduction.
    """
    _tensors("kl_div", input=input, target=target)
    if size_average is not None or reduce is not None:
        reduction = _reduction.legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction != "batchmean":
        reduction = _reduction.canonical(reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogx(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,  # noqa: A002
                     full: bool = False, size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The negative log likelihood of ``target ~ Poisson(rate)``: ``exp(input) - target *
    input`` with ``log_input`` (the input is the log-rate), else ``input - target *
    log(input + eps)``.

    Args:
        full: add the Stirling term ``t log(t) - t + log(2 pi t) / 2`` of ``log(t!)`` where
            ``t > 1``.
        eps: keeps ``log`` finite at a zero rate when ``log_input`` is False.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """
    _tensors("poisson_nll_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        t = target.masked_fill(~big, 1.0)  # no log(0) in the dropped branch, no NaN gradient
        loss = loss + (t * t.log() - t + 0.5 * (2 * math.pi * t).log()).masked_fill(~big, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float,  # noqa: A002
                      full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """The Gaussian negative log likelihood ``(log(var) + (input - target)**2 / var) / 2``.

    ``var`` may have the input's shape, lack its last dim, have one dim of size 1 (one
    variance shared along it), or be a float. It is clamped at ``eps`` for the value only:
    as in PyTorch the gradient flows as if unclamped.

    Raises:
        ValueError: for a negative variance, a variance of a wrong size, or an unknown
            reduction.
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.new_full(input.shape, float(var))
    elif (var < 0).any().item():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(
                b for a, b in zip(input.shape, var.shape) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clamp_min(eps).detach() + (var - var.detach())
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- regression ------------------------------------------------------------------------------------


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """The squared error ``(input - target)**2``, reduced.

    Args:
        input, target: floating-point tensors of one shape (broadcasting warns, as in
            PyTorch).
        size_average, reduce: deprecated (see ``reduction``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        weight: per-element weights of the input's shape; a weighted ``'mean'`` divides by
            their sum.

    Raises:
        NotImplementedError: for integer inputs.
        ValueError: for a weight whose shape differs from the input's.
    """
    _tensors("mse_loss", input=input, target=target)
    _warn_size(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _floating("mse_loss", input, target)
    return _weighted((input - target).square(), weight, input, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """The absolute error ``|input - target|``, reduced (the gradient at 0 is 0).

    Args: as `mse_loss`.
    """
    _tensors("l1_loss", input=input, target=target)
    _warn_size(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    return _weighted((input - target).abs(), weight, input, reduction, True)


def _huber(diff: Tensor, delta: float) -> Tensor:
    """``0.5 d**2`` for ``|d| < delta``, else ``delta (|d| - delta / 2)``."""
    a = diff.abs()
    return where(a < delta, 0.5 * diff * diff, delta * (a - 0.5 * delta))


def smooth_l1_loss(input: Tensor, target: Tensor,  # noqa: A002
                   size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - beta / 2`` (``d = input -
    target``); `l1_loss` when ``beta`` is 0.

    Raises:
        RuntimeError: for a negative ``beta``.
        NotImplementedError: for integer inputs.
    """
    _tensors("smooth_l1_loss", input=input, target=target)
    _warn_size(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _floating("smooth_l1_loss", input, target)
    return _reduce(_huber(input - target, beta) / beta, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - delta / 2)`` (``d = input -
    target``): `smooth_l1_loss` times ``delta``.

    Args:
        weight: per-element weights of the input's shape (a weighted ``'mean'`` is the mean
            of the weighted losses, as in PyTorch).

    Raises:
        RuntimeError: for a non-positive ``delta``.
        NotImplementedError: for integer inputs.
        ValueError: for a weight whose shape differs from the input's.
    """
    _tensors("huber_loss", input=input, target=target)
    _warn_size(input, target)
    reduction = _reduction.canonical(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _floating("huber_loss", input, target)
    return _weighted(_huber(input - target, delta), weight, input, reduction,
                     False)


# -- margins ---------------------------------------------------------------------------------------


def soft_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                     size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """The logistic loss ``log(1 + exp(-target * input))`` for targets of 1 or -1, computed
    as a softplus (finite for any input, where PyTorch's ``log1p(exp(.))`` overflows).
    """
    _tensors("soft_margin_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    return _reduce(softplus.bind(-target * input, beta=1.0, threshold=math.inf), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                                weight: Tensor | None = None, size_average: bool | None = None,
                                reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The binary cross entropy of ``sigmoid(input)`` averaged over the classes (last dim):
    ``-mean_c(t log(sigmoid(x)) + (1 - t) log(sigmoid(-x)))``, one loss per sample.

    Raises:
        ValueError: for an unknown reduction.
    """
    _tensors("multilabel_soft_margin_loss", input=input, target=target)
    if size_average is not None or reduce is not None:
        reduction = _reduction.legacy_get_string(size_average, reduce)
    loss = -(target * log_sigmoid(input) + (1 - target) * log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 asks input1 to rank
    higher, -1 lower.

    Raises:
        RuntimeError: if the three tensors differ in their number of dims.
    """
    _tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1 (the input
    is typically a distance).
    """
    _tensors("hinge_embedding_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    neg = where(target != 1, (margin - input).clamp_min(0), 0.0)
    return _reduce(neg + where(target != -1, input, 0.0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(input1, input2)`` where ``target`` is 1, ``max(0, cos - margin)`` where it is
    -1; the cosine along the last dim, with PyTorch's 1e-12 added to each squared norm.

    Raises:
        RuntimeError: for a target that is not 0-d (with 1-d inputs) or 1-d (with 2-d inputs).
    """
    _tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    d = target.ndim
    if d > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != d + 1 or input2.ndim != d + 1:
        raise RuntimeError(f"{d}D target tensor expects {d + 1}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = (input1 * input2).sum(d) / denom
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp_min(0), 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the
    `pairwise_distance` (p-norm of the difference plus ``eps``) over the last dim.

    Args:
        swap: use ``min(d(anchor, negative), d(positive, negative))`` as the negative
            distance (the "distance swap" of Balntas et al., 2016).

    Raises:
        ValueError: for ``margin <= 0``.
        RuntimeError: if the three tensors differ in their number of dims.
    """
    # _distance imports this module's helpers, so it is imported here, not at the top.
    from ._distance import pairwise_distance

    _tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    reduction = _reduction_arg(size_average, reduce, reduction)
    return _triplet(anchor, positive, negative,
                    lambda x, y: pairwise_distance(x, y, p, eps), margin, swap, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor,
             distance: Callable[[Tensor, Tensor], Tensor], margin: float, swap: bool,
             reduction: str) -> Tensor:
    """The triplet hinge ``max(0, margin + d(a, p) - d(a, n))`` under ``distance``, with the
    checks both triplet losses share (``reduction`` already canonical).
    """
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(
        anchor: Tensor, positive: Tensor, negative: Tensor, *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """`triplet_margin_loss` with any distance: ``max(0, margin + d(anchor, positive) -
    d(anchor, negative))``.

    Args:
        distance_function: maps two tensors to their (non-negative) distances, one per
            sample; default `pairwise_distance` (the 2-norm over the last dim).
        swap: use ``min(d(anchor, negative), d(positive, negative))`` as the negative
            distance.

    Raises:
        ValueError: for ``margin <= 0`` or an unknown reduction.
        RuntimeError: if the three tensors differ in their number of dims.
    """
    from ._distance import pairwise_distance

    _tensors("triplet_margin_with_distance_loss", anchor=anchor, positive=positive,
             negative=negative)
    reduction = _reduction.canonical(reduction)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance,
                    margin, swap, reduction)


def _margin_shapes(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, int]:  # noqa: A002
    """``input`` as an ``(N, C)`` matrix (a vector is one sample, a 0-d input one class) and
    ``C``, after PyTorch's checks of the input's dims and dtype and the target's dtype.
    """
    if input.ndim > 2 or (input.ndim and input.numel() == 0 and input.shape[-1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    _floating(op, input)
    if target.dtype is not D.int64:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.name}: "
                           f"{op}'s target holds class indices; convert it with target.long()")
    x = input.reshape(1, 1) if input.ndim == 0 else input.reshape(-1, input.shape[-1])
    return x, x.shape[1]


def _check_range(op_message: str, t: Tensor, lo: int, hi: int) -> None:
    """Raises ``RuntimeError(op_message)`` unless every value of ``t`` is in ``[lo, hi)``."""
    if t.numel():
        tmin, tmax = index_bounds(t)
        if tmin < lo or tmax >= hi:
            raise RuntimeError(f"{op_message}: got values in [{tmin}, {tmax}], expected "
                               f"[{lo}, {hi - 1}]")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1,  # noqa: A002
                      margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss of each sample ``x`` with class ``y``:
    ``sum_{j != y} w[y] * max(0, margin - x[y] + x[j])**p / C``.

    Args:
        input: scores ``(N, C)`` or ``(C)``.
        target: int64 classes ``(N)`` or ``()``.
        p: 1 or 2.
        weight: a weight per class ``(C)``, applied by the target's class.

    Returns:
        The loss, reduced; ``(N)`` (``()`` for a vector input) with ``reduction='none'``.

    Raises:
        ValueError: for ``p`` other than 1 or 2, a weight that is not 1-d, or an unknown
            reduction.
        RuntimeError: for a target of the wrong size or dtype, or a class out of range.
    """
    _tensors("multi_margin_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, c = _margin_shapes("multi_margin_loss", input, target)
    n = x.shape[0]
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{list(weight.shape)}")
    t = target.reshape(n, 1)
    _check_range("multi_margin_loss: target out of range", t, 0, c)
    z = (margin - gather.bind(x, t, dim=1) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * index_select.bind(weight, t.reshape(n), dim=0).reshape(n, 1)
    # The j == y term is margin**p, not a hinge: masked out (before the sum, so no gradient).
    loss = z.masked_fill(arange(c, device=x.device) == t, 0.0).sum(1) / c
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                           size_average: bool | None = None, reduce: bool | None = None,
                           reduction: str = "mean") -> Tensor:
    """The multi-label hinge loss ``sum_{j in y, k not in y} max(0, 1 - (x[j] - x[k])) / C``
    of each sample ``x``, whose labels ``y`` are the entries of its target row up to the
    first -1.

    Args:
        input: scores ``(N, C)`` or ``(C)``.
        target: int64 of the input's shape: class indices, then -1 (or the row's end).

    Returns:
        The loss, reduced; ``(N)`` (``()`` for a vector input) with ``reduction='none'``.

    Raises:
        RuntimeError: for a target of another shape or dtype, or an entry outside
            ``[-1, C)``.
    """
    _tensors("multilabel_margin_loss", input=input, target=target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    x, c = _margin_shapes("multilabel_margin_loss", input, target)
    if tuple(target.shape) != tuple(input.shape) and not (input.ndim <= 1 and
                                                          target.numel() == c):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    t = target.reshape(x.shape)
    _check_range("multilabel_margin_loss: argument #2 'target' is out of range", t, -1, c)
    # A label counts while no -1 came before it; a repeated label counts each time.
    label = cumsum(t == -1, 1) == 0
    t = t.masked_fill(~label, 0)
    classes = arange(c, device=x.device)
    is_label = ((t.unsqueeze(2) == classes) & label.unsqueeze(2)).any(1)       # (N, C)
    pairs = (1 - (gather.bind(x, t, dim=1).unsqueeze(2) - x.unsqueeze(1))).clamp_min(0)
    keep = label.unsqueeze(2) & ~is_label.unsqueeze(1)                          # (N, j, k)
    loss = pairs.masked_fill(~keep, 0.0).sum((1, 2)) / c
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction)


# -- connectionist temporal classification ---------------------------------------------------------


_CTC = "(while checking arguments for ctc_loss_allocate_outputs)"


def _log_sum_exp(x: Tensor) -> Tensor:
    """``logsumexp`` over the last dim whose gradient stays finite where every term is -inf.

    The CTC recursion has such rows (states no path reaches yet); the plain ``logsumexp``
    gives them a NaN gradient, which a zero cotangent does not cancel (``0 * nan``), so one
    unreachable state would poison every gradient. Here the shift is detached and the dead
    rows are masked before the log, so they get exactly 0.
    """
    m = x.detach().amax(-1, keepdim=True)
    m = m.masked_fill(m == -math.inf, 0.0)
    total = (x - m).exp().sum(-1)
    dead = total == 0
    return (total.masked_fill(dead, 1.0).log() + m.squeeze(-1)).masked_fill(dead, -math.inf)


def _ctc_lengths(name: str, lengths: Any) -> list[int]:
    """Lengths given as a tensor, a sequence or an int, as a host list (PyTorch reads them on
    the host too)."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.is_floating_point or lengths.dtype is D.bool:
            raise RuntimeError(f"{name} must be integral")
        return [int(v) for v in lengths.reshape(-1).tolist()]
    if isinstance(lengths, (tuple, list)):
        return [int(v) for v in lengths]
    return [int(lengths)]


def _ctc_padded_targets(targets: Tensor, target_lengths: list[int], max_len: int, n: int,
                        blank: int) -> Tensor:
    """The targets as ``(N, max_len)`` int64 with ``blank`` past each target's length,
    from padded ``(N, S)`` or concatenated ``(sum(target_lengths))`` targets, after
    PyTorch's size checks."""
    targets = targets.to(D.int64)
    if targets.ndim == 1:
        total = sum(target_lengths)
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {targets.shape[0]} for argument #2 'targets' {_CTC}")
        starts = np.cumsum([0, *target_lengths[:-1]], dtype=np.int64)
        flat = starts[:, None] + np.arange(max_len, dtype=np.int64)
        index = np.minimum(flat, max(total - 1, 0)).reshape(-1)
        padded = (index_select(targets, 0, tensor(index, device=targets.device))
                  if total else full((n * max_len,), blank, dtype=D.int64, device=targets.device))
        padded = padded.reshape(n, max_len)
    else:
        if targets.shape[0] != n:
            raise RuntimeError(f"Expected tensor to have size {n} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets' {_CTC}")
        if targets.shape[1] < max_len:
            raise RuntimeError(f"Expected tensor to have size at least {max_len} at dimension 1, "
                               f"but got size {targets.shape[1]} for argument #2 'targets' {_CTC}")
        padded = targets[:, :max_len]
    inside = tensor(np.arange(max_len)[None, :] < np.array(target_lengths)[:, None],
                    device=targets.device)
    return where(inside, padded, blank)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The Connectionist Temporal Classification loss: ``-log`` of the total probability of
    every alignment of each target with its input (Graves et al., 2006).

    The forward (alpha) recursion runs in log space over the targets extended with blanks
    (``2 S + 1`` states), vectorized over the batch and the states, one step per frame; each
    sample stops at its own input length. The gradient is autograd's through that
    recursion: w.r.t. logits passed through ``log_softmax`` it equals PyTorch's. PyTorch's own
    gradient w.r.t. ``log_probs`` assumes they are ``log_softmax`` outputs (it is that
    gradient w.r.t. the logits, ``exp(log_probs) - posterior``); the one here is the true
    derivative of the loss, ``-posterior``, so the two differ by ``exp(log_probs)`` times the
    cotangent. An infeasible sample (infinite loss) gets a zero gradient, where PyTorch's is
    NaN unless ``zero_infinity``.

    Args:
        log_probs: ``(T, N, C)`` or unbatched ``(T, C)`` log-probabilities (usually
            ``log_softmax`` outputs), ``C`` classes including the blank.
        targets: ``(N, S)`` padded class indices, or their concatenation
            ``(sum(target_lengths))``; ``(S)`` when unbatched. Entries past a target's length
            are ignored.
        input_lengths: ``(N)`` frames of each input (a tensor, tuple or list; an int or a 0-d
            tensor when unbatched), each at most ``T``.
        target_lengths: ``(N)`` length of each target, likewise.
        blank: the blank class.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` divides each sample's loss
            by its target length (at least 1), then averages over the batch.
        zero_infinity: replace infinite losses (no alignment fits: the input is too short for
            the target) and their gradients by 0.

    Returns:
        The loss: ``(N)`` (``()`` unbatched) for ``'none'``, else a scalar.

    Raises:
        RuntimeError: PyTorch's errors for a blank outside ``[0, C)``, lengths of a wrong
            count, sign, size or dtype, and targets of a wrong size; also for a target class
            outside ``[0, C)``.
        ValueError: for an unknown reduction.
    """
    _tensors("ctc_loss", log_probs=log_probs, targets=targets)
    reduction = _reduction.canonical(reduction)
    _floating("ctc_loss", log_probs)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional "
                           f"tensor for argument #1 'log_probs' {_CTC}")
    if not batched:
        targets = targets.unsqueeze(0)
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional "
                           f"tensor for argument #2 'targets' {_CTC}")
    steps, n, n_classes = lp.shape
    if not 0 <= blank < n_classes:
        raise RuntimeError("blank must be in label range")
    in_lens = _ctc_lengths("input_lengths", input_lengths)
    tg_lens = _ctc_lengths("target_lengths", target_lengths)
    if len(in_lens) != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tg_lens) != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    for name, lens, most in (("target_lengths", tg_lens, None), ("input_lengths", in_lens, steps)):
        for v in lens:
            if v < 0:
                raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                                   f"{v} {_CTC}")
            if most is not None and v > most:
                raise RuntimeError(f"Expected {name} to have value at most {most}, but got "
                                   f"value {v} {_CTC}")
    max_len = max(tg_lens, default=0)
    labels = _ctc_padded_targets(targets, tg_lens, max_len, n, blank)
    if labels.numel():
        _check_range("ctc_loss: target classes must be in the range of log_probs' classes",
                     labels, 0, n_classes)
    loss = _ctc_nll(lp, labels, in_lens, tg_lens, blank)
    if zero_infinity:
        loss = loss.masked_fill(loss == math.inf, 0.0)
    if reduction == "mean":
        divisor = tensor([max(v, 1) for v in tg_lens], dtype=lp.dtype, device=lp.device)
        return (loss / divisor).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)


def _ctc_nll(lp: Tensor, labels: Tensor, in_lens: list[int], tg_lens: list[int],
             blank: int) -> Tensor:
    """``-log p(target | input)`` per sample by the alpha recursion (see `ctc_loss`).

    State ``s`` of the extended target is a blank for even ``s`` and label ``s // 2`` for odd
    ``s``; it is reached from ``s``, ``s - 1`` and, for a label unlike the one two states
    back, ``s - 2``. The recursion starts from a virtual frame where only state 0 holds
    (log-)probability 1, so frame 0 needs no special case.
    """
    steps, n, _ = lp.shape
    dev, dt = lp.device, lp.dtype
    blanks = full((n, labels.shape[1]), blank, dtype=D.int64, device=dev)
    ext = cat([stack([blanks, labels], 2).reshape(n, -1),
               full((n, 1), blank, dtype=D.int64, device=dev)], 1)          # (N, 2S + 1)
    states = ext.shape[1]
    two_back = cat([full((n, 2), -1, dtype=D.int64, device=dev), ext], 1)[:, :states]
    no_skip = (ext == blank) | (ext == two_back)
    emit = gather(lp, 2, ext.unsqueeze(0).expand(steps, n, states))          # (T, N, 2S + 1)
    dead = full((n, 2), -math.inf, dtype=dt, device=dev)
    alpha = cat([full((n, 1), 0.0, dtype=dt, device=dev),
                 full((n, states - 1), -math.inf, dtype=dt, device=dev)], 1)
    frames = tensor(in_lens, device=dev).unsqueeze(1)
    for t in range(max(in_lens, default=0)):
        shifted = cat([dead, alpha], 1)
        prev = stack([alpha, shifted[:, 1:states + 1],
                      shifted[:, :states].masked_fill(no_skip, -math.inf)], 2)
        step = emit[t] + _log_sum_exp(prev)
        alpha = step if t < min(in_lens) else where(frames > t, step, alpha)
    last = tensor([[2 * v, max(2 * v - 1, 0)] for v in tg_lens], device=dev)
    ends = gather(alpha, 1, last)
    ends = ends.masked_fill(tensor([[False, v == 0] for v in tg_lens], device=dev), -math.inf)
    return -_log_sum_exp(ends)
