"""The per-call path of every op: kernel lookup, run, wrap, record.

``apply(op, inputs, params)`` is the whole of it:

0. while a profiler records, time the call as an event (`tensorweave.profiler.recorder`);
   inside an autocast region, cast the inputs of the ops its policy lists
   (`tensorweave.autocast_state`);
1. find the device of the tensor inputs (they must agree);
2. for elementwise ops, promote: cast tensor inputs to the computation dtype; ops on
   bfloat16 values compute in float32 and round once (`_in_float32`), unless the kernel
   takes bfloat16 itself (`backend.bfloat16_kernel`);
3. look the kernel up in ``op.kernels`` (a plain dict filled at plugin load);
   a composite without a kernel runs its decomposition instead; a primitive
   without one follows the fallback policy;
4. run the kernel on native arrays and wrap the result in `Tensor`;
5. record an autograd node only when grad mode is on and an input requires grad.

No hook calls and no backend-specific branches happen here: per-op Python
overhead is a product feature measured by ``tensorweave bench``.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any, Callable

from . import autocast_state
from . import dtypes as D
from .autograd import anomaly_mode, grad_mode
from .autograd.engine import OpNode, edge_of
from .ops._opdef import COMPOSITE, OpDef
from .ops._rules import elementwise_dtypes
from .profiler import recorder
from .tensor import Tensor

__all__ = ["apply", "set_fallback_policy", "get_fallback_policy", "fallback_counts",
           "DeviceMismatchError", "KernelError", "OutOfMemoryError"]

_gm = grad_mode.state
_ac = autocast_state.state
_pf = recorder.state
_AUTOCAST = autocast_state.POLICY
_new = object.__new__


class DeviceMismatchError(RuntimeError):
    """Tensors on different devices met in one op."""


class KernelError(RuntimeError):
    """A backend has no kernel for a primitive op (and the fallback policy is ``error``)."""


class OutOfMemoryError(RuntimeError, MemoryError):
    """A device had no memory left for an op (``torch.OutOfMemoryError``). Also a
    `MemoryError`, which is what NumPy and CuPy raise, so either ``except`` catches it."""


def _device_error(op: OpDef, inputs: tuple[Any, ...]) -> DeviceMismatchError:
    devs = [str(x._device) for x in inputs if isinstance(x, Tensor)]
    return DeviceMismatchError(
        f"{op.name}: Expected all tensors to be on the same device, but found tensors on "
        f"{' and '.join(dict.fromkeys(devs))}. Move them with .to(device) first.")


def apply(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Run ``op`` on ``inputs``; see the module docstring."""
    if _pf.active:
        out = recorder.run(op, inputs, params, apply)
        if out is not recorder.PASS:
            return out
    if _ac.active and op.name in _AUTOCAST:
        inputs, params = autocast_state.cast_inputs(op.name, inputs, params)
    dev = None
    needs_grad = False
    dt = None
    uniform = True  # every input is a tensor of one dtype: the common, cached case
    for x in inputs:
        if isinstance(x, Tensor):
            if dev is None:
                dev = x._device
                dt = x._dtype
            else:
                if x._device is not dev and x._device != dev:
                    raise _device_error(op, inputs)
                if x._dtype is not dt:
                    uniform = False
            if x._requires_grad:
                needs_grad = True
        else:
            uniform = False
    if dev is None:
        dev = params.get("device")
        if dev is None:
            raise TypeError(f"{op.name}: expected at least one tensor argument")
    needs_grad = needs_grad and _gm.enabled and op.differentiable

    out_dtype = None
    promotion = op.promotion
    if promotion is not None:
        hit = op.promotion_cache.get(dt) if uniform else None
        if hit is None or hit[2] is not D._default_float[0]:
            compute, out_dtype = elementwise_dtypes(op.name, promotion, inputs)
            if compute.opt_in:
                _check_opt_in(op, dev, compute)
            if uniform:
                op.promotion_cache[dt] = (compute, out_dtype, D._default_float[0])
        else:
            compute, out_dtype = hit[0], hit[1]
        if compute is _BFLOAT16 and not _takes_bfloat16(op, dev):
            return _in_float32(op, inputs, params, out_dtype,
                               _full_scalar if op.bfloat16_full_scalars else _rounded,
                               needs_grad, False)
        if compute is not dt or not uniform:
            inputs = tuple(x.to(compute) if isinstance(x, Tensor) and x._dtype is not compute
                           else x for x in inputs)
        cplx = compute.is_complex
    else:
        cplx = False
        if dt is None or not uniform or dt.opt_in or "dtype" in params:
            cplx, bf16 = _check_opt_in_inputs(op, dev, inputs, params)
            if bf16 and not _takes_bfloat16(op, dev):
                return _in_float32(op, inputs, params,
                                   None if op.meta is None else op.meta(*inputs, **params),
                                   _widened, needs_grad, cplx)
        if op.meta is not None:
            out_dtype = op.meta(*inputs, **params)

    kernel = op.kernels.get(dev.type)
    if kernel is None or (needs_grad and op.vjp is None):
        if op.kind is not COMPOSITE:
            return _fallback(op, dev, inputs, params)
        if not needs_grad or op.vjp is None:
            # The decomposition records its own graph (a derivative "for free").
            return _mark_view(op, inputs, params, op.decomp(*inputs, **params))
        # An explicit vjp is stabler than differentiating the decomposition.
        _gm.enabled = False
        try:
            out = op.decomp(*inputs, **params)
        finally:
            _gm.enabled = True
        record(op, inputs, out, params, cplx)
        return _mark_view(op, inputs, params, out)
    try:
        if uniform:
            res = kernel(*[x._data for x in inputs], **params)
        else:
            res = kernel(*[x._data if isinstance(x, Tensor) else x for x in inputs], **params)
    except (ValueError, IndexError, TypeError, RuntimeError, FloatingPointError,
            ZeroDivisionError, MemoryError) as e:
        raise _kernel_error(op, inputs, params, e) from e
    if op.n_outputs == 1:
        if out_dtype is None:
            out_dtype = D.from_numpy_dtype(res.dtype)
        out: Any = _new(Tensor)  # Tensor._wrap, inlined: this is the hottest line
        out._data = res
        out._dtype = out_dtype
        out._device = dev
    else:
        dts = out_dtype or (None,) * op.n_outputs
        out = tuple(Tensor._wrap(r, dev, d) for r, d in zip(res, dts))
    if needs_grad:
        record(op, inputs, out, params, cplx)
    if op.view:
        _mark_view(op, inputs, params, out)
    return out


def _check_opt_in(op: OpDef, dev: Any, dtype: D.dtype) -> None:
    """An opt-in dtype (complex, bfloat16) reaches only devices whose backend lists it, and
    complex values only the ops that declare complex dtypes: an op written for real numbers
    could otherwise be silently wrong (NumPy orders complex numbers lexicographically;
    PyTorch refuses to)."""
    _check_complex_op(op, dtype)
    from .device import resolve

    resolve(dev)[1].check_dtype(op.name, dtype, dev)


def _check_complex_op(op: OpDef, dtype: D.dtype) -> None:
    if dtype.is_complex and not op.complex:
        raise TypeError(f"{op.name}: complex tensors are not supported by this op (got "
                        f"{dtype!r}). Ops that take them list complex64/complex128 in "
                        "docs/ops.md; work on x.real/x.imag or view_as_real(x) otherwise.")


def _check_opt_in_inputs(op: OpDef, dev: Any, inputs: tuple[Any, ...],
                         params: dict[str, Any]) -> tuple[bool, bool]:
    """`_check_opt_in` for a non-elementwise op: an opt-in ``dtype`` param (a factory's, a
    cast's), and every opt-in tensor input against the op (its device holds it already).
    Returns whether an input is complex (a tensor or a Python number), and whether a
    bfloat16 tensor or ``dtype`` is involved."""
    cplx = bf16 = False
    for x in inputs:
        if isinstance(x, Tensor):
            if x._dtype.opt_in:
                _check_complex_op(op, x._dtype)
                cplx = cplx or x._dtype.is_complex
                bf16 = bf16 or x._dtype is _BFLOAT16
        elif isinstance(x, complex):
            cplx = True
    d = params.get("dtype")
    if isinstance(d, D.dtype) and d.opt_in:
        _check_opt_in(op, dev, d)
        bf16 = bf16 or d is _BFLOAT16
    return cplx, bf16


_BFLOAT16, _FLOAT32 = D.bfloat16, D.float32


def _widened(x: Any) -> Any:
    """A non-elementwise op's input: bfloat16 tensors in float32, the rest as they are."""
    return x.to(_FLOAT32) if isinstance(x, Tensor) and x._dtype is _BFLOAT16 else x


def _rounded(x: Any) -> Any:
    """An elementwise operand: in float32 with bfloat16's precision, as promotion makes it."""
    if isinstance(x, Tensor):
        return x.to(_FLOAT32) if x._dtype is _BFLOAT16 else x.to(_BFLOAT16).to(_FLOAT32)
    return float(_BFLOAT16.np.type(x)) if type(x) in (int, float) else x


def _full_scalar(x: Any) -> Any:
    """`_rounded`, but a number or 0-d tensor keeps its precision (the
    `OpDef.bfloat16_full_scalars` ops)."""
    if isinstance(x, Tensor):
        return _rounded(x) if x.ndim else x.to(_FLOAT32)
    return x


def _takes_bfloat16(op: OpDef, dev: Any) -> bool:
    """Whether ``op`` on ``dev`` runs on bfloat16 values as they are: a bfloat16-native op
    (casts, views, writes), or a kernel the backend marked (`backend.bfloat16_kernel`)."""
    return op.bfloat16_native or getattr(op.kernels.get(dev.type), "takes_bfloat16", False)


def _in_float32(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any], out_dtype: Any,
                operand: Callable[[Any], Any], needs_grad: bool, cplx: bool) -> Any:
    """Run ``op`` on bfloat16 values in float32 and round its results to bfloat16 once, as
    PyTorch computes bfloat16 (its "opmath" type): bfloat16 is a storage format, and so no
    backend writes bfloat16 kernels but for the `OpDef.bfloat16_native` ones (casts, views,
    writes...) and those it marks (`_takes_bfloat16`).

    ``out_dtype`` is the op's output dtype(s) when known (elementwise promotion, ``meta``);
    otherwise a float32 result is rounded unless float32 was among the op's own inputs.
    ``operand`` prepares each input (`_widened`, `_rounded`, `_full_scalar`). Under autograd
    an op with a vjp gets its own node over the bfloat16 values, as in PyTorch (its backward
    then computes in bfloat16 ops); one without differentiates through the float32 run.
    """
    own_node = needs_grad and op.vjp is not None
    if own_node and op.promotion is not None:  # the node sees the promoted operands
        inputs = tuple(x.to(_BFLOAT16) if isinstance(x, Tensor) and x._dtype is not _BFLOAT16
                       else x for x in inputs)
    args = tuple(operand(x) for x in inputs)
    ps = {k: _FLOAT32 if v is _BFLOAT16 else v for k, v in params.items()}
    active, _ac.active = _ac.active, {}  # autocast already chose bfloat16; not again inside
    grad_was, _gm.enabled = _gm.enabled, _gm.enabled and not own_node
    try:
        out = op.bind(*args, **ps)
        if out_dtype is None:
            had_f32 = params.get("dtype") is _FLOAT32 or any(
                isinstance(x, Tensor) and x._dtype is _FLOAT32 for x in inputs)
            out_dtype = _FLOAT32 if had_f32 else _BFLOAT16
        if isinstance(out, tuple):
            wants = out_dtype if isinstance(out_dtype, tuple) else (out_dtype,) * len(out)
            out = tuple(o.to(w) if o._dtype is _FLOAT32 and w is _BFLOAT16 else o
                        for o, w in zip(out, wants))
        elif out._dtype is _FLOAT32 and out_dtype is _BFLOAT16:
            out = out.to(_BFLOAT16)
    finally:
        _ac.active, _gm.enabled = active, grad_was
    if own_node:
        record(op, inputs, out, params, cplx)
    return out


def _mark_view(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any], out: Any) -> Any:
    """A view shares its base's storage and version counter, and knows how to redo itself
    from the base (for in-place ops through views under autograd).
    """
    if not op.view:
        return out
    x = inputs[0]
    out._vc = x._shared_vc()
    if x._base is None:
        out._base = x
        out._view_fn = lambda b: op.bind(b, **params)
    else:
        out._base = x._base
        prev = x._view_fn
        out._view_fn = lambda b: op.bind(prev(b), **params)
    return out


def record(op: OpDef, inputs: tuple[Any, ...], out: Any, params: dict[str, Any],
           complex_inputs: bool) -> None:
    """Attach a backward node for ``op`` to its output(s); ``complex_inputs``: whether an
    input is complex (the node then conjugates what its vjp reads, see autograd.engine)."""
    edges = tuple([edge_of(x) if isinstance(x, Tensor) else None for x in inputs])
    cplx = complex_inputs or (out._dtype.is_complex if op.n_outputs == 1 else
                              any(o._dtype.is_complex for o in out))
    node = OpNode(op, inputs, out, params, edges, cplx and op.real_vjp)
    if anomaly_mode.state.enabled:
        anomaly_mode.remember(node)
    if op.n_outputs == 1:
        if out._dtype.is_differentiable:  # integer results carry no gradient, as in PyTorch
            out._grad_fn = node
            out._requires_grad = True
    else:
        for i, o in enumerate(out):
            if o._dtype.is_differentiable:
                o._grad_fn = node
                o._output_nr = i
                o._requires_grad = True


def _kernel_error(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any],
                  e: Exception) -> Exception:
    """Re-raise a backend's exception with the op and the operands named."""
    if getattr(e, "_tw_checked", False):
        return e
    desc = ", ".join(
        f"Tensor(shape={list(x.shape)}, dtype={x._dtype.name}, device={x._device})"
        if isinstance(x, Tensor) else repr(x) for x in inputs)
    ps = ", ".join(f"{k}={v!r}" for k, v in params.items())
    cls = (type(e) if isinstance(e, (ValueError, IndexError, TypeError)) else
           OutOfMemoryError if isinstance(e, MemoryError) else RuntimeError)
    err = cls(f"{op.name}: {e} (inputs: {desc}{'; ' + ps if ps else ''})")
    err._tw_checked = True  # type: ignore[attr-defined]
    return err


# -- fallback policy for missing primitive kernels ---------------------------------------------

_POLICIES = ("error", "warn", "cpu")
_policy = ["error"]
_counts: Counter[tuple[str, str]] = Counter()


def set_fallback_policy(policy: str) -> None:
    """What happens when a backend lacks a kernel for a primitive op.

    Args:
        policy: ``"error"`` (default) raises; ``"warn"`` warns then runs on cpu;
            ``"cpu"`` copies the inputs to cpu, runs there and copies back. Every
            fallback is counted per (device type, op): see `fallback_counts`.
    """
    if policy not in _POLICIES:
        raise ValueError(f"set_fallback_policy: expected one of {_POLICIES}; got {policy!r}")
    _policy[0] = policy


def get_fallback_policy() -> str:
    return _policy[0]


def fallback_counts() -> dict[tuple[str, str], int]:
    """``{(device type, op name): calls that fell back to cpu}`` since start."""
    return dict(_counts)


def _fallback(op: OpDef, dev: Any, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    policy = _policy[0]
    if policy == "error" or dev.type == "cpu":
        raise KernelError(
            f"{op.name}: the {dev.type!r} backend has no kernel for this primitive op. Install a "
            "plugin that provides it, or run tensorweave.set_fallback_policy('cpu') to run it on "
            "the cpu backend (counted in tensorweave.fallback_counts()).")
    _counts[(dev.type, op.name)] += 1
    if policy == "warn":
        warnings.warn(f"{op.name}: no {dev.type!r} kernel; running on cpu", stacklevel=3)
    cpu_inputs = tuple(x.cpu() if isinstance(x, Tensor) else x for x in inputs)
    from .device import resolve

    cpu_params = {k: (resolve("cpu")[0] if k == "device" else v) for k, v in params.items()}
    res = op.bind(*cpu_inputs, **cpu_params)
    if isinstance(res, tuple):
        return tuple(r.to(dev) for r in res)
    return res.to(dev)
