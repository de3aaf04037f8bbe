"""Neural-network functions that are ops of their own.

Every op here is a composite with an explicit vjp (stabler and cheaper than
differentiating its decomposition) and a fused cpu kernel:

* softmax and log_softmax (max-subtracted, so large inputs never overflow);
* the activations that take parameters or need care for stability: leaky_relu, elu
  (which also gives selu and celu), hardtanh (relu6, hardsigmoid, hardswish build on it),
  softplus and log_sigmoid;
* linear, the hottest op of a training step: one kernel call for ``x @ w.T + b``;
* layer_norm and batch_norm, which normalize over some dims with statistics computed in
  the input's dtype (mean, then the mean of squared deviations: two passes, no
  cancellation);
* embedding, a row lookup whose gradient skips ``padding_idx``.

The `tensorweave.nn.functional` wrappers add PyTorch's ``inplace=`` flags, running
statistics and the argument checks that belong to the Python API.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Iterator, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, Tol, defop
from ._rules import ShapeError, normalize_dim
from .creation import ones_like, zeros
from .elementwise import (
    abs,
    clamp,
    eq,
    exp,
    expm1,
    gt,
    log,
    log1p,
    logical_and,
    lt,
    maximum,
    minimum,
    rsqrt,
    sigmoid,
    where,
)
from .indexing import scatter_add
from .linalg import MATMUL_DTYPES, matmul
from .movement import sum_to_size
from .reduction import amax, index_bounds, mean, sum

__all__ = ["softmax", "log_softmax", "leaky_relu", "elu", "hardtanh", "softplus", "log_sigmoid",
           "linear", "layer_norm", "batch_norm", "embedding"]

# -- softmax, log_softmax ------------------------------------------------------------------------


def _shifted(x: Tensor, dim: int) -> Tensor:
    """``x`` minus its max along ``dim`` (an empty tensor has no max and needs none)."""
    if x.numel() == 0:
        return x
    return x - amax.bind(x, dim=(dim,) if x.ndim else (), keepdim=True)


def _softmax_decomp(x: Tensor, dim: int) -> Tensor:
    e = exp(_shifted(x, dim))
    return e / sum(e, dim, True)


def _log_softmax_decomp(x: Tensor, dim: int) -> Tensor:
    s = _shifted(x, dim)
    return s - log(sum(exp(s), dim, True))


def _softmax_ref(x: np.ndarray, dim: Any = None, dtype: Any = None) -> np.ndarray:
    if x.ndim == 0:
        return np.ones_like(x)
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _log_softmax_ref(x: np.ndarray, dim: Any = None, dtype: Any = None) -> np.ndarray:
    if x.ndim == 0:
        return np.zeros_like(x)
    if x.size == 0:
        return x.copy()
    s = x - np.max(x, axis=dim, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))


def _softmax_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    x = S.make(rng, (3, 4, 5), dt)
    yield S.SampleInput((S.Arg(x), 1), name="dim1")
    yield S.SampleInput((S.Arg(x), -1), name="dim-1")
    yield S.SampleInput((S.Arg(S.make(rng, (4, 6), dt), noncontig=True), 0), name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt)), 0), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)), 1), name="empty")
    if dt is not D.float16:
        yield S.SampleInput((S.Arg(S.make(rng, (2, 3), dt, 999.0, 1001.0)), 1), name="large")


def softmax_dim(op: str, input: Tensor, dim: Any, dtype: Any,  # noqa: A002
                stacklevel: int = 3) -> tuple[Tensor, int]:
    """The input (converted to ``dtype``) and the normalized dim of a softmax-like function.

    Without ``dim``, PyTorch's legacy implicit choice (0 for 0-, 1- and 3-d inputs, else 1)
    with its deprecation warning.
    """
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected a floating-point input; got {input.dtype.name}. "
                           f"Pass dtype=tensorweave.float32 or convert with .float() first.")
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                      "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return input, normalize_dim(op, dim, input.ndim)


@defop(COMPOSITE, decomp=_softmax_decomp, save_inputs=False, save_out=True, dtypes=D.FLOATING,
       vjp=lambda g, out, x, dim: (out * (g - sum(g * out, dim, True)),),
       ref=_softmax_ref, samples=_softmax_samples, gradgrad=True)
def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (the max is subtracted first).

    Args:
        input: a floating-point tensor.
        dim: the dim that sums to 1.
        dtype: convert the input to this dtype first.

    Raises:
        RuntimeError: for integer inputs without ``dtype=``.
        IndexError: if ``dim`` is out of range.

    Example:
        >>> import tensorweave as tw
        >>> tw.softmax(tw.tensor([1000.0, 1000.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    input, d = softmax_dim("softmax", input, dim, dtype)
    return softmax.bind(input, dim=d)


@defop(COMPOSITE, decomp=_log_softmax_decomp, save_inputs=False, save_out=True,
       dtypes=D.FLOATING, vjp=lambda g, out, x, dim: (g - exp(out) * sum(g, dim, True),),
       ref=_log_softmax_ref, samples=_softmax_samples, gradgrad=True)
def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``log(softmax(input, dim))``, computed stably as ``x - max - log(sum(exp(x - max)))``.

    Raises:
        RuntimeError: for integer inputs without ``dtype=``.
        IndexError: if ``dim`` is out of range.
    """
    input, d = softmax_dim("log_softmax", input, dim, dtype)
    return log_softmax.bind(input, dim=d)


# -- activations -----------------------------------------------------------------------------------


def _floating(op: str, x: Tensor) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"{op}: not implemented for {x.dtype.name} inputs (floating "
                                  "point only, as in PyTorch); convert with .float() first")


def _activation_samples(*variants: dict[str, Any], low: float = -3.0, high: float = 3.0,
                        large: bool = False) -> Any:
    """Unary samples with the default parameters, then one (3, 4) input per ``variants``
    entry, and with ``large`` inputs of magnitude up to 1000 (the stability cases).
    """
    def samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
        yield from S.unary(dt, rng, low, high)
        for kw in variants:
            yield S.SampleInput((S.Arg(S.make(rng, (3, 4), dt, low, high)),), kw,
                                name=",".join(f"{k}={v}" for k, v in kw.items()))
        if large and dt is not D.float16:
            v = np.array([-1000.0, -100.0, -30.0, -5.0, 5.0, 30.0, 100.0, 1000.0])
            yield S.SampleInput((S.Arg(v.astype(dt.np)),), name="large")
    return samples


def _leaky_relu_decomp(x: Tensor, negative_slope: float) -> Tensor:
    return where(gt(x, 0), x, x * negative_slope)


@defop(COMPOSITE, decomp=_leaky_relu_decomp, dtypes=D.FLOATING, method=False, function=False,
       vjp=lambda g, out, x, negative_slope: (where(gt(x, 0), g, g * negative_slope),),
       ref=lambda x, negative_slope=0.01: np.where(x > 0, x, x * negative_slope),
       samples=_activation_samples({"negative_slope": 0.2}, {"negative_slope": -1.5}),
       gradgrad=True)
def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """Element-wise ``x if x > 0 else negative_slope * x``.

    Raises:
        NotImplementedError: for integer inputs, as in PyTorch.
    """
    _floating("leaky_relu", input)
    return leaky_relu.bind(input, negative_slope=float(negative_slope))


def _elu_decomp(x: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    # minimum(x, 0) keeps exp from overflowing in the branch that `where` drops.
    neg = expm1(minimum(x, 0.0) * input_scale) * (alpha * scale)
    return where(gt(x, 0), x * scale, neg)


def _elu_vjp(g: Tensor, out: Tensor, x: Tensor, alpha: float, scale: float,
             input_scale: float) -> tuple[Tensor]:
    neg = g * exp(minimum(x, 0.0) * input_scale) * (alpha * scale * input_scale)
    return (where(gt(x, 0), g * scale, neg),)


def _elu_ref(x: np.ndarray, alpha: float = 1.0, scale: float = 1.0,
             input_scale: float = 1.0) -> np.ndarray:
    return np.where(x > 0, scale * x, scale * alpha * np.expm1(np.minimum(x, 0) * input_scale))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@defop(COMPOSITE, decomp=_elu_decomp, vjp=_elu_vjp, dtypes=D.FLOATING, method=False,
       function=False, ref=_elu_ref, gradgrad=True,
       samples=_activation_samples({"alpha": 0.5}, {"alpha": SELU_ALPHA, "scale": SELU_SCALE},
                                   {"alpha": 2.0, "input_scale": 0.5}, large=True))
def elu(input: Tensor, alpha: float = 1.0, scale: float = 1.0,  # noqa: A002
        input_scale: float = 1.0) -> Tensor:
    """Element-wise ``scale * x`` if ``x > 0`` else ``scale * alpha * expm1(input_scale * x)``.

    PyTorch's aten form: ``F.elu`` is ``elu(x, alpha)``, ``F.selu`` fixes alpha and scale,
    ``F.celu`` is ``elu(x, alpha, input_scale=1/alpha)``.

    Raises:
        NotImplementedError: for integer inputs, as in PyTorch.
    """
    _floating("elu", input)
    return elu.bind(input, alpha=float(alpha), scale=float(scale),
                    input_scale=float(input_scale))


def _hardtanh_vjp(g: Tensor, out: Tensor, x: Tensor, min_val: Any,
                  max_val: Any) -> tuple[Tensor]:
    # PyTorch's hardtanh_backward: no gradient at the bounds themselves (unlike clamp).
    return (where(logical_and(gt(x, min_val), lt(x, max_val)), g, 0.0),)


@defop(COMPOSITE, decomp=lambda x, min_val, max_val: clamp(x, min_val, max_val),
       vjp=_hardtanh_vjp, dtypes=D.FLOATING, method=False, function=False, gradgrad=True,
       ref=lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
       samples=_activation_samples({"min_val": 0.0, "max_val": 6.0},
                                   {"min_val": -0.5, "max_val": 2.5}, low=-4.0, high=8.0))
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """Element-wise clamp to ``[min_val, max_val]``; the gradient is zero at the bounds.

    Integer inputs keep their dtype (the bounds are truncated to integers, as in PyTorch).

    Raises:
        ValueError: if ``min_val > max_val``.
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if not input.dtype.is_floating_point:
        min_val, max_val = int(min_val), int(max_val)
    else:
        min_val, max_val = float(min_val), float(max_val)
    return hardtanh.bind(input, min_val=min_val, max_val=max_val)


def _softplus_decomp(x: Tensor, beta: float, threshold: float) -> Tensor:
    bx = x * beta
    # log(1 + exp(bx)) = max(bx, 0) + log1p(exp(-|bx|)): exp never overflows.
    soft = (maximum(bx, 0.0) + log1p(exp(-abs(bx)))) / beta
    return where(gt(bx, threshold), x, soft)


def _softplus_ref(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    return np.where(x * beta > threshold, x, np.logaddexp(0.0, x * beta) / beta)


@defop(COMPOSITE, decomp=_softplus_decomp, dtypes=D.FLOATING, method=False, function=False,
       vjp=lambda g, out, x, beta, threshold: (
           where(gt(x * beta, threshold), g, g * sigmoid(x * beta)),),
       ref=_softplus_ref, gradgrad=True,
       samples=_activation_samples({"beta": 2.0, "threshold": 1.0}, {"beta": 0.5},
                                   large=True))
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """Element-wise ``log(1 + exp(beta * x)) / beta``, or ``x`` where ``beta * x > threshold``.

    Computed as ``(max(bx, 0) + log1p(exp(-|bx|))) / beta``, which never overflows (PyTorch's
    ``log1p(exp(bx))`` gives inf for a large ``threshold``).

    Raises:
        NotImplementedError: for integer inputs, as in PyTorch.
    """
    _floating("softplus", input)
    return softplus.bind(input, beta=float(beta), threshold=float(threshold))


@defop(COMPOSITE, decomp=lambda x: minimum(x, 0.0) - log1p(exp(-abs(x))), dtypes=D.FLOATING,
       vjp=lambda g, out, x: (g * sigmoid(-x),), method=False, function=False,
       ref=lambda x: -np.logaddexp(0.0, -x), gradgrad=True,
       samples=_activation_samples(large=True))
def log_sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """Element-wise ``log(sigmoid(x))``, computed stably as ``min(x, 0) - log1p(exp(-|x|))``.

    The gradient, ``sigmoid(-x)``, is stable too.

    Raises:
        NotImplementedError: for integer inputs, as in PyTorch.
    """
    _floating("log_sigmoid", input)
    return log_sigmoid.bind(input)


# -- linear ----------------------------------------------------------------------------------------


def _linear_decomp(x: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    out = matmul.bind(x, w.mT if w.ndim == 2 else w)
    return out if b is None else out + b


def _rows(t: Tensor, n: int) -> Tensor:
    """``t`` as a matrix of rows of length ``n`` (batch dims flattened)."""
    return t if t.ndim == 2 else t.reshape(-1, n)


def _linear_vjp(g: Tensor, out: Tensor, x: Tensor, w: Tensor,
                b: Tensor | None = None) -> tuple[Any, ...]:
    # The input of a network's first layer needs no gradient: skip its matmul, as PyTorch
    # does with needs_input_grad.
    if w.ndim == 1:  # out = x @ w has x's batch shape
        gx = g.unsqueeze(-1) * w if x.requires_grad else None
        gw = matmul.bind(g.reshape(-1), _rows(x, w.shape[0])) if w.requires_grad else None
    else:
        gx = matmul.bind(g, w) if x.requires_grad else None
        gw = (matmul.bind(_rows(g, w.shape[0]).mT, _rows(x, w.shape[1]))
              if w.requires_grad else None)
    if b is None:
        return gx, gw
    if b.ndim == 1 and g.ndim > 1 and b.shape[0] == g.shape[-1]:  # the usual (out,) bias
        return gx, gw, sum(g, tuple(range(g.ndim - 1)))
    return gx, gw, sum_to_size(g, b.shape)


def _linear_ref(x: np.ndarray, w: np.ndarray, b: Any = None) -> np.ndarray:
    out = np.matmul(x, w.T)
    return out if b is None else out + b


def _linear_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def arg(*shape: int, noncontig: bool = False) -> S.Arg:
        return S.Arg(S.make(rng, shape, dt), noncontig=noncontig)

    yield S.SampleInput((arg(3, 4), arg(5, 4), arg(5)), name="bias")
    yield S.SampleInput((arg(2, 3, 4), arg(5, 4)), name="batched-no-bias")
    yield S.SampleInput((arg(4), arg(5, 4), arg(5)), name="1-d-input")
    yield S.SampleInput((arg(3, 4), arg(4), arg()), name="1-d-weight")
    yield S.SampleInput((arg(0, 4), arg(5, 4), arg(5)), name="empty")
    yield S.SampleInput((arg(3, 4, noncontig=True), arg(5, 4, noncontig=True), arg(5)),
                        name="noncontiguous")


def _same_dtypes(op: str, **tensors: Tensor | None) -> None:
    """PyTorch refuses mixed dtypes here (no promotion): so do we, naming both."""
    named = [(k, t) for k, t in tensors.items() if t is not None]
    first, ref = named[0]
    for name, t in named[1:]:
        if t.dtype is not ref.dtype:
            raise RuntimeError(f"{op}: expected {first} and {name} to have the same dtype, but "
                               f"got: {ref.dtype.name} != {t.dtype.name}. Convert one with "
                               ".to(dtype) first.")


def _common_linear(x: Any, w: Any, b: Any) -> bool:
    """The usual call (2-D weight, matching features, one dtype, ``(out_features,)`` bias),
    recognized cheaply: linear is the hottest op of a training step."""
    if not (isinstance(x, Tensor) and isinstance(w, Tensor)):
        return False
    xs, ws = x._data.shape, w._data.shape
    dt = x._dtype
    return (len(ws) == 2 and len(xs) > 0 and xs[-1] == ws[1] and w._dtype is dt
            and (b is None or (isinstance(b, Tensor) and b._data.shape == (ws[0],)
                               and b._dtype is dt)))


def _check_linear(x: Tensor, w: Tensor, b: Tensor | None) -> None:
    for name, t in (("input", x), ("weight", w), ("bias", b)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"linear(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"linear: both arguments to linear need to be at least 1D, but they "
                           f"are {x.ndim}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"linear: weight must be (out_features, in_features) or "
                           f"(in_features,); got a {w.ndim}-D tensor of shape {list(w.shape)}")
    k = w.shape[-1]
    if x.shape[-1] != k:
        rows = math.prod(x.shape[:-1])
        cols = f"{k}x{w.shape[0]}" if w.ndim == 2 else f"{k}x1"
        raise ShapeError(f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x"
                         f"{x.shape[-1]} and {cols}): input {list(x.shape)} has "
                         f"{x.shape[-1]} features, weight {list(w.shape)} expects {k}")
    _same_dtypes("linear", input=x, weight=w, bias=b)
    if b is not None:
        out = (*x.shape[:-1], w.shape[0]) if w.ndim == 2 else tuple(x.shape[:-1])
        lead = len(out) - b.ndim
        if lead < 0 or any(n not in (1, m) for n, m in zip(b.shape, out[lead:])):
            raise ShapeError(f"linear: bias of shape {list(b.shape)} does not broadcast to the "
                             f"output shape {list(out)}; pass a bias of shape [out_features]")


@defop(COMPOSITE, decomp=_linear_decomp, vjp=_linear_vjp, dtypes=MATMUL_DTYPES, method=False,
       function=False, ref=_linear_ref, samples=_linear_samples, gradgrad=True,
       tol={D.float16: Tol(atol=2e-2, rtol=1e-2)})
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias``: the affine map of `nn.Linear`.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``, or ``(in_features,)`` for a ``(*)`` result.
        bias: ``(out_features,)`` or ``()``; optional.

    Returns:
        ``(*, out_features)``.

    Raises:
        RuntimeError: if the feature sizes differ, a tensor is 0-d, or the dtypes differ.

    Example:
        >>> import tensorweave as tw
        >>> tw.nn.functional.linear(tw.ones(2, 3), tw.ones(4, 3), tw.zeros(4)).shape
        tensorweave.Size([2, 4])
    """
    if not _common_linear(input, weight, bias):
        _check_linear(input, weight, bias)
    if bias is None:
        return linear.bind(input, weight)
    return linear.bind(input, weight, bias)


# -- normalization ------------------------------------------------------------------------------


def _moments(x: Tensor, dim: tuple[int, ...]) -> tuple[Tensor, Tensor, Tensor]:
    """Mean, deviations from it, and biased variance over ``dim`` (kept as size-1 dims)."""
    m = mean.bind(x, dim=dim, keepdim=True)
    d = x - m
    return m, d, mean.bind(d * d, dim=dim, keepdim=True)


def _normalize(x: Tensor, w: Tensor | None, b: Tensor | None, dim: tuple[int, ...],
               eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``(x - mean) / sqrt(var + eps) * w + b`` over ``dim``, with the mean and variance."""
    m, d, v = _moments(x, dim)
    y = d * rsqrt(v + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y, m, v


def _normalize_vjp(g: Tensor | None, x: Tensor, w: Tensor | None, b: Tensor | None,
                   dim: tuple[int, ...], eps: float, g_mean: Tensor | None = None,
                   g_var: Tensor | None = None) -> tuple[Any, Any, Any]:
    """Gradients of `_normalize`'s output (``g``) and statistics (``g_mean``, ``g_var``, with
    the reduced dims dropped) for ``x``, ``w`` and ``b``. Recomputes the statistics from
    ``x`` in ops, so the result is differentiable again.
    """
    m, d, v = _moments(x, dim)
    rstd = rsqrt(v + eps)
    xhat = d * rstd
    n = max(math.prod(x.shape[i] for i in dim), 1)
    terms = []
    gw = gb = None
    if g is not None:
        gh = g if w is None else g * w
        terms.append(rstd * (gh - mean.bind(gh, dim=dim, keepdim=True)
                             - xhat * mean.bind(gh * xhat, dim=dim, keepdim=True)))
        gw = None if w is None else sum_to_size(g * xhat, w.shape)
        gb = None if b is None else sum_to_size(g, b.shape)
    if g_mean is not None:
        terms.append((g_mean.reshape(m.shape) / n).expand(*x.shape))
    if g_var is not None:
        terms.append(g_var.reshape(v.shape) * d * (2.0 / n))
    gx = None
    for t in terms:
        gx = t if gx is None else gx + t
    return gx, gw, gb


def _normalize_ref(x: np.ndarray, w: Any, b: Any, dim: tuple[int, ...],
                   eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of an empty batch is nan
        m = np.mean(x, axis=dim, keepdims=True)
        v = np.mean((x - m) ** 2, axis=dim, keepdims=True)
    y = (x - m) / np.sqrt(v + eps)
    y = y if w is None else y * w
    return (y if b is None else y + b), m, v


def _check_affine(op: str, name: str, t: Tensor | None, shape: tuple[int, ...]) -> None:
    if t is not None and tuple(t.shape) != shape:
        raise RuntimeError(f"{op}: Expected {name} to be of same shape as normalized_shape, but "
                           f"got {name} of shape {list(t.shape)} and normalized_shape = "
                           f"{list(shape)}")


def _layer_norm_ref(x: np.ndarray, normalized_shape: Sequence[int], w: Any = None,
                    b: Any = None, eps: float = 1e-5) -> np.ndarray:
    dim = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    return _normalize_ref(x, w, b, dim, eps)[0]


def _norm_samples(layer: bool) -> Any:
    """Samples for layer_norm (``layer``) or batch_norm: with and without the affine
    parameters, several ranks, a non-contiguous input and an empty batch.
    """
    def samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
        def arg(*shape: int, noncontig: bool = False) -> S.Arg:
            return S.Arg(S.make(rng, shape, dt), noncontig=noncontig)

        def case(x: S.Arg, shape: tuple[int, ...], affine: str, name: str,
                 **kw: Any) -> S.SampleInput:
            w = arg(*shape) if "w" in affine else None
            b = arg(*shape) if "b" in affine else None
            args = (x, shape, w, b) if layer else (x, w, b)
            return S.SampleInput(args, kw, name=name)

        c = 4 if layer else 3
        yield case(arg(2, 3, 4), (4,) if layer else (3,), "wb", "3-d")
        yield case(arg(4, c), (c,), "", "no-affine")
        yield case(arg(3, c), (c,), "w", "weight-only", eps=1e-3)
        yield case(arg(3, c, noncontig=True), (c,), "b", "bias-only-noncontiguous")
        if layer:
            yield case(arg(2, 3, 4), (3, 4), "wb", "normalized_shape(3,4)")
            yield case(arg(0, 4), (4,), "wb", "empty")
        else:
            yield case(arg(2, 3, 2, 2), (3,), "wb", "4-d")
    return samples


@defop(COMPOSITE, decomp=lambda x, w, b, dim, eps: _normalize(x, w, b, dim, eps)[0],
       vjp=lambda g, out, x, w, b, dim, eps: _normalize_vjp(g, x, w, b, dim, eps),
       dtypes=D.FLOATING, method=False, function=False, ref=_layer_norm_ref,
       samples=_norm_samples(layer=True), gradgrad=True)
def layer_norm(input: Tensor, normalized_shape: Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims, then scale and shift.

    The op itself (``layer_norm.bind(x, w, b, dim=..., eps=...)``) normalizes over any
    ``dim`` with a ``weight``/``bias`` that broadcast against the input: group_norm and
    instance_norm run on it too.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: the trailing shape to normalize over (a tuple or list of ints).
        weight: elementwise scale of ``normalized_shape``; optional.
        bias: elementwise shift of ``normalized_shape``; optional.
        eps: added to the variance for stability.

    Raises:
        TypeError: if ``normalized_shape`` is not a sequence of ints.
        RuntimeError: if the input's trailing shape or the parameters' shapes differ from
            ``normalized_shape``.
    """
    if isinstance(normalized_shape, int) or not all(isinstance(n, int)
                                                    for n in normalized_shape):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    shape = tuple(normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError("layer_norm: Expected normalized_shape to be at least 1-dimensional, "
                           "i.e., containing at least one element, but got normalized_shape = []")
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"layer_norm: Given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size{list(input.shape)}")
    _check_affine("layer_norm", "weight", weight, shape)
    _check_affine("layer_norm", "bias", bias, shape)
    _floating("layer_norm", input)
    _same_dtypes("layer_norm", input=input, weight=weight, bias=bias)
    return layer_norm.bind(input, weight, bias, dim=tuple(range(input.ndim - k, input.ndim)),
                           eps=float(eps))


def _batch_norm_decomp(x: Tensor, w: Tensor | None, b: Tensor | None, dim: tuple[int, ...],
                       eps: float) -> tuple[Tensor, Tensor, Tensor]:
    y, m, v = _normalize(x, w, b, dim, eps)
    return y, m.squeeze(dim), v.squeeze(dim)


def _batch_norm_ref(x: np.ndarray, w: Any = None, b: Any = None,
                    eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    view = (-1,) + (1,) * (x.ndim - 2)
    dim = (0, *range(2, x.ndim))
    y, m, v = _normalize_ref(x, None if w is None else w.reshape(view),
                             None if b is None else b.reshape(view), dim, eps)
    return y, m.squeeze(dim), v.squeeze(dim)


@defop(COMPOSITE, decomp=_batch_norm_decomp, n_outputs=3, dtypes=D.FLOATING, method=False,
       function=False, vjp=lambda g, out, x, w, b, dim, eps: _normalize_vjp(
           g[0], x, w, b, dim, eps, g[1], g[2]),
       ref=_batch_norm_ref, samples=_norm_samples(layer=False), gradgrad=True)
def batch_norm(input: Tensor, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """Batch normalization with the batch's statistics; returns ``(out, mean, biased var)``.

    Each channel (dim 1) is normalized over the other dims (training mode); ``var`` is
    divided by N.

    `tensorweave.nn.functional.batch_norm` adds the running statistics and evaluation mode.
    All three outputs are differentiable.

    Args:
        input: ``(N, C, *)``.
        weight: per-channel scale ``(C,)``; optional.
        bias: per-channel shift ``(C,)``; optional.
        eps: added to the variance for stability.

    Raises:
        RuntimeError: if the input has fewer than 2 dims, or the parameters are not ``(C,)``.
    """
    _floating("batch_norm", input)
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input of shape (N, C) or (N, C, *); got "
                           f"shape {list(input.shape)}")
    c = input.shape[1]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(f"batch_norm: {name} should contain {c} elements not "
                               f"{t.numel()}")
    _same_dtypes("batch_norm", input=input, weight=weight, bias=bias)
    view = (c,) + (1,) * (input.ndim - 2)
    if weight is not None and input.ndim > 2:
        weight = weight.view(view)
    if bias is not None and input.ndim > 2:
        bias = bias.view(view)
    return batch_norm.bind(input, weight, bias, dim=(0, *range(2, input.ndim)), eps=float(eps))


# -- embedding -------------------------------------------------------------------------------------


def _embedding_decomp(w: Tensor, idx: Tensor, padding_idx: int,
                      scale_grad_by_freq: bool) -> Tensor:
    rows = w.index_select(0, idx.reshape(-1))
    return rows.reshape(*idx.shape, w.shape[1])


def _embedding_vjp(g: Tensor, out: Tensor, w: Any, idx: Tensor, padding_idx: int,
                   scale_grad_by_freq: bool) -> tuple[Tensor, None]:
    n, dim = w.shape
    flat = idx.reshape(-1)
    g2 = g.reshape(-1, dim)
    if padding_idx >= 0:  # the padding row never receives a gradient
        g2 = where(eq(flat, padding_idx).unsqueeze(1), 0.0, g2)
    if scale_grad_by_freq:  # each row's gradient divided by how often it was looked up
        ones = ones_like(flat, dtype=g.dtype)
        counts = scatter_add.bind(zeros(n, dtype=g.dtype, device=g.device), flat, ones, dim=0)
        g2 = g2 / counts.index_select(0, flat).unsqueeze(1)
    index = flat.unsqueeze(1).expand(flat.shape[0], dim)
    base = zeros(n, dim, dtype=g.dtype, device=g.device)
    return scatter_add.bind(base, index, g2, dim=0), None


def _embedding_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    def idx(*shape: int) -> S.Arg:
        return S.Arg(rng.integers(0, 5, size=shape).astype(np.int64), differentiable=False)

    w = S.make(rng, (5, 3), dt)
    yield S.SampleInput((S.Arg(w), idx(4)), name="1-d")
    yield S.SampleInput((S.Arg(w, noncontig=True), idx(2, 3)), name="2-d-noncontiguous")
    yield S.SampleInput((S.Arg(w), idx(0)), name="empty")
    # padding_idx and scale_grad_by_freq change the gradient on purpose, away from the
    # derivative: forward only here (the unit tests compare those gradients with PyTorch).
    fixed = S.Arg(w, differentiable=False)
    yield S.SampleInput((fixed, idx(6)), {"padding_idx": 1}, name="padding_idx")
    yield S.SampleInput((fixed, idx(6)), {"scale_grad_by_freq": True}, name="scale_grad_by_freq")


_INDEX_DTYPES = (D.int64, D.int32)


@defop(COMPOSITE, decomp=_embedding_decomp, vjp=_embedding_vjp, dtypes=D.FLOATING, method=False,
       ref=lambda w, idx, padding_idx=-1, scale_grad_by_freq=False: np.take(w, idx, axis=0),
       samples=_embedding_samples, gradgrad=True)
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` looked up by ``indices``: ``weight[indices]``, like `torch.embedding`.

    Args:
        weight: ``(num_embeddings, embedding_dim)``.
        indices: an int64 or int32 tensor of any shape, values in ``[0, num_embeddings)``.
        padding_idx: a row whose gradient stays zero; negative for none.
        scale_grad_by_freq: divide each row's gradient by its number of lookups.
        sparse: sparse gradients are not supported; must be False.

    Returns:
        ``(*indices.shape, embedding_dim)``.

    Raises:
        RuntimeError: for a non-2-D weight, non-integer indices or ``sparse=True``.
        IndexError: for an index out of range.
    """
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D; got shape {list(weight.shape)}")
    if not isinstance(indices, Tensor) or indices.dtype not in _INDEX_DTYPES:
        got = indices.dtype.name if isinstance(indices, Tensor) else type(indices).__name__
        raise RuntimeError(f"embedding: Expected tensor for argument #1 'indices' to have one "
                           f"of the following scalar types: Long, Int; but got {got} instead")
    if sparse:
        raise RuntimeError("embedding: sparse gradients are not supported by tensorweave; pass "
                           "sparse=False")
    n = weight.shape[0]
    if indices.numel():
        lo, hi = index_bounds(indices)
        if lo < 0 or hi >= n:
            raise IndexError(f"embedding: index out of range in self: got index "
                             f"{lo if lo < 0 else hi} for a weight of {n} rows")
    return embedding.bind(weight, indices, padding_idx=int(padding_idx),
                          scale_grad_by_freq=bool(scale_grad_by_freq))
