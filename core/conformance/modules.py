"""Conformance entries of layers, losses, optimizers and lr schedulers, and their checks.

A registered class opts into the registry-driven tests (one test body over
every registered name, a third party's included) by defining a classmethod
``conformance_samples(rng)`` that returns a list of the samples below. The
tests then build the class from each sample, check its forward and its
gradients (inputs and parameters) against numerical gradients in float64,
compare it with the CPU backend on every other device, and -- when PyTorch
is installed (the ``oracle`` extra) and has a class of the same name -- with
PyTorch given identical parameters and inputs.

Example::

    class Mish(tw.nn.Module):
        @classmethod
        def conformance_samples(cls, rng):
            return [ModuleSample(inputs=(rng.standard_normal((4, 5)),))]

The checks (`check_module`, `check_optimizer`, `check_scheduler`, and `check` for one
`Case` of `cases`) return `Result` records, like the op checks of `runner`: the pytest
suite (`tensorweave.conformance.tests`) and ``tensorweave conformance`` both use them.
A registered class without ``conformance_samples`` gives one skipped record, never nothing.
"""

from __future__ import annotations

import copy
import math
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from ..ops._opdef import Tol
from .runner import DEFAULT_TOL, Result, _compare

__all__ = ["ModuleSample", "Submodule", "DeviceUnderTest", "OptimizerSample", "SchedulerSample",
           "Case", "KINDS", "cases", "check", "check_module", "check_optimizer", "check_scheduler"]


@dataclass
class Submodule:
    """A module passed to a constructor (``TransformerEncoder(encoder_layer, ...)``):
    built as ``nn.<name>(*args, **kwargs)`` of each framework under test, tensorweave's
    and PyTorch's, with arguments converted as a sample's."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceUnderTest:
    """A constructor argument that becomes the device under test, as a device string
    (``"opencl:0"``; ``"cpu"`` for PyTorch's reference): ``DataParallel``'s ``device_ids``
    name the device the module was moved to, whichever backend runs the suite."""


@dataclass
class ModuleSample:
    """One way to build a layer or loss and call it.

    Attributes:
        args, kwargs: constructor arguments (plain Python values; NumPy arrays become
            tensors on the device under test, floating ones in the dtype under test, as for
            a loss's ``weight``; a `Submodule` becomes that framework's module).
        inputs: the forward's positional inputs as host arrays, or tuples of them (an
            LSTM's ``(h0, c0)``). Floating-point arrays become tensors of the dtype under
            test that require grad; integer and bool arrays are passed as int64 and bool
            tensors (indices, class targets, masks) and never differentiated. ``None``
            entries are passed as ``None``.
        forward_kwargs: keyword arguments of the forward call (plain values; arrays become
            tensors as in ``kwargs``, never differentiated).
        name: a label for test ids.
        train: run the forward in training mode (True) or after ``.eval()``.
        random: the forward draws random numbers (dropout): every call is made under
            the same ``manual_seed``, and the PyTorch comparison is skipped in training mode.
        grad: check gradients (False for layers whose output is not differentiable).
        torch_grad: compare the gradients with PyTorch's too (False where PyTorch's is not
            the derivative of its output: CTCLoss's w.r.t. ``log_probs`` is the one w.r.t.
            the logits of a ``log_softmax``); central differences still check them.
        atol, rtol: tolerances of the float64 comparisons (PyTorch and other devices).
    """

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[Any, ...] = ()
    forward_kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    train: bool = True
    random: bool = False
    grad: bool = True
    torch_grad: bool = True
    atol: float = 1e-7
    rtol: float = 1e-6


@dataclass
class OptimizerSample:
    """Hyper-parameters of one optimizer run.

    The tests build a few float64 parameters, take ``steps`` steps on a fixed smooth loss
    (so every step has fresh gradients) and compare the parameters after each step with
    PyTorch's optimizer of the same name, or with the cpu backend on other devices.

    Attributes:
        kwargs: keyword arguments of the constructor besides the parameters.
        steps: how many ``step()`` calls to compare.
        name: a label for test ids.
        shapes: the parameters' shapes (an optimizer for matrices only, like Muon, gives
            2-d ones).
        groups: when given, the parameters are dealt round-robin into ``len(groups)``
            parameter groups, each with these extra options (``{"lr": 0.01}``).
        atol, rtol: tolerances of the comparisons of the parameters.
    """

    kwargs: dict[str, Any] = field(default_factory=dict)
    steps: int = 8
    name: str = ""
    shapes: tuple[tuple[int, ...], ...] = ((3, 4), (5,), (), (1,))
    groups: tuple[dict[str, Any], ...] = ()
    atol: float = 1e-9
    rtol: float = 1e-7


@dataclass
class SchedulerSample:
    """One lr scheduler run: the learning rates of ``steps`` epochs are compared.

    Attributes:
        kwargs: constructor keyword arguments besides the optimizer.
        build: for arguments that are themselves schedulers (``SequentialLR``): called as
            ``build(lr_scheduler_namespace, optimizer)`` with tensorweave's or PyTorch's
            ``optim.lr_scheduler`` module, it returns extra keyword arguments.
        metrics: values passed to ``step(metric)`` each epoch (``ReduceLROnPlateau``).
        optimizer_kwargs: keyword arguments of the SGD optimizer it drives (``lr``...); the
            scheduler is built as ``cls(optimizer=sgd, **kwargs)``.
        steps: how many epochs.
        name: a label for test ids.
    """

    kwargs: dict[str, Any] = field(default_factory=dict)
    build: Callable[[Any, Any], dict[str, Any]] | None = None
    metrics: tuple[float, ...] | None = None
    optimizer_kwargs: dict[str, Any] = field(default_factory=lambda: {"lr": 0.1})
    steps: int = 12
    name: str = ""


Sample = ModuleSample | OptimizerSample | SchedulerSample

# What each registry table's classes are checked with, by the sample type they return.
KINDS: dict[str, type] = {"layers": ModuleSample, "losses": ModuleSample,
                          "optimizers": OptimizerSample, "lr_schedulers": SchedulerSample}

SAMPLE_SEED = 0     # the rng handed to conformance_samples
BUILD_SEED = 0      # manual_seed before every constructor (identical initial parameters)
FORWARD_SEED = 1234  # manual_seed before every forward of a random sample
EPS = 1e-6          # central-difference step
MAX_PROBES = 8      # larger tensors: this many random elements plus one random direction
GRAD_TOL = Tol(atol=1e-6, rtol=1e-5)  # analytical vs central differences, at least
LR_TOL = Tol(atol=1e-12, rtol=1e-9)
NO_TORCH = "PyTorch is not installed (pip install 'tensorweave[oracle]')"
RANDOM_TRAIN = "random forward in training mode"


# -- the registry's cases ----------------------------------------------------------------------


@dataclass
class Case:
    """One registered class with one of its samples: the unit the tests parametrize over.

    Attributes:
        kind: the registry table (a key of `KINDS`).
        name: the registered name.
        cls: the class.
        label: the sample's label for ids (its ``name``, else its position).
        sample: the sample, or None when there is nothing to run.
        skip: why nothing runs although nothing is wrong ("no conformance_samples").
        problem: why nothing runs because ``conformance_samples`` is broken (a failure).
    """

    kind: str
    name: str
    cls: type
    label: str = ""
    sample: Sample | None = None
    skip: str = ""
    problem: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}-{self.label}" if self.label else self.name


def cases(kind: str, registry: Any = None) -> list[Case]:
    """Every class in the registry table ``kind`` with each of its samples, by name.

    Args:
        kind: ``"layers"``, ``"losses"``, ``"optimizers"`` or ``"lr_schedulers"``.
        registry: the registry to read (default: the active one).

    Returns:
        One `Case` per sample; one skipped or failing `Case` for a class without samples or
        whose ``conformance_samples`` raises or returns the wrong type.
    """
    if registry is None:
        from ..plugin.manager import get_registry

        registry = get_registry()
    want = KINDS[kind]
    out = []
    for name, cls in sorted(getattr(registry, kind).items()):
        make = getattr(cls, "conformance_samples", None)
        if make is None:
            out.append(Case(kind, name, cls, skip="no conformance_samples"))
            continue
        try:
            samples = list(make(np.random.default_rng(SAMPLE_SEED)))
        except Exception as e:  # noqa: BLE001 - a broken entry is a failing case, not a crash
            out.append(Case(kind, name, cls, problem=f"conformance_samples raised {_why(e)}"))
            continue
        if not samples:
            out.append(Case(kind, name, cls, problem="conformance_samples returned no samples"))
        seen: set[str] = set()
        for i, s in enumerate(samples):
            label = s.name if getattr(s, "name", "") and s.name not in seen else str(i)
            seen.add(label)
            if not isinstance(s, want):
                out.append(Case(kind, name, cls, label, problem=(
                    f"conformance_samples returned a {type(s).__name__} at position {i}; "
                    f"{kind} give {want.__name__}s (tensorweave.conformance.modules)")))
            else:
                out.append(Case(kind, name, cls, label, s))
    return out


def check(case: Case, device: Any = "cpu") -> list[Result]:
    """Run the check of ``case``'s kind (schedulers ignore ``device``)."""
    if case.skip or case.problem:
        return [Result(case.name, "", f"samples {case.label}".strip(), not case.problem,
                       case.skip or case.problem, 0.0 if case.skip else math.inf,
                       skipped=bool(case.skip))]
    if case.kind == "optimizers":
        return check_optimizer(case.cls, case.sample, device, name=case.name)
    if case.kind == "lr_schedulers":
        return check_scheduler(case.cls, case.sample, name=case.name)
    return check_module(case.cls, case.sample, device, name=case.name)


# -- small helpers -----------------------------------------------------------------------------


def _why(e: BaseException) -> str:
    """An exception in one line, with the innermost source line that raised it."""
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {tb[-1].filename}:{tb[-1].lineno})" if tb else ""
    return f"{type(e).__name__}: {e}{where}"


def _torch() -> Any:
    """PyTorch, the test oracle, or None when the ``oracle`` extra is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _host(t: Any) -> np.ndarray:
    """A host copy of a tensorweave or PyTorch tensor."""
    return np.array(t.detach().cpu().numpy(), copy=True)


def _convert(fw: Any, x: Any, dtype: Any, device: Any, grad: bool = False) -> Any:
    """Host values to ``fw`` (tensorweave or torch) tensors on ``device``: floating arrays in
    ``dtype`` (requiring grad if ``grad``), integers as int64, bools as bool; tuples, lists
    and dicts element by element; a `Submodule` built, a `DeviceUnderTest` as ``device``'s
    string; anything else as it is.
    """
    if isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        if a.dtype.kind == "f":
            return fw.tensor(a, dtype=dtype, device=device, requires_grad=grad)
        if a.dtype.kind in "iu":
            return fw.tensor(a.astype(np.int64), dtype=fw.int64, device=device)
        if a.dtype.kind == "b":
            return fw.tensor(a, dtype=fw.bool, device=device)
        raise TypeError(f"conformance sample: cannot make a tensor of a {a.dtype} array")
    if isinstance(x, (tuple, list)):
        return type(x)(_convert(fw, v, dtype, device, grad) for v in x)
    if isinstance(x, dict):
        return {k: _convert(fw, v, dtype, device, grad) for k, v in x.items()}
    if isinstance(x, Submodule):
        return getattr(fw.nn, x.name)(*_convert(fw, x.args, dtype, device),
                                      **_convert(fw, x.kwargs, dtype, device))
    if isinstance(x, DeviceUnderTest):
        return str(device)
    return x


def _walk(x: Any, label: str) -> Iterator[tuple[str, Any]]:
    """(label, leaf) for every leaf of nested tuples/lists, labelled ``input 1[0]``."""
    if isinstance(x, (tuple, list)):
        for j, v in enumerate(x):
            yield from _walk(v, f"{label}[{j}]")
    else:
        yield label, x


def _tensor_leaves(x: Any, tensor_type: type) -> list[Any]:
    """The tensors of a (nested tuple of) output(s), in order (a PackedSequence included)."""
    if isinstance(x, tensor_type):
        return [x]
    if isinstance(x, (tuple, list)):
        return [t for v in x for t in _tensor_leaves(v, tensor_type)]
    return []


def _mismatch(what: str, got: Any, want: Any, tol: Tol) -> tuple[str, float]:
    """("", err) when ``got`` matches ``want``; else a message naming ``what``, the max
    absolute and relative errors and the worst element, and the max absolute error.
    """
    ok, err, detail = _compare(got, want, tol)
    if ok:
        return "", err
    g, w = np.asarray(got), np.asarray(want)
    if g.shape != w.shape or w.size == 0 or w.dtype.kind not in "fiu":
        return f"{what}: {detail}", err
    g64, w64 = g.astype(np.float64), w.astype(np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.abs(g64 - w64)
        excess = np.nan_to_num(diff - tol.atol - tol.rtol * np.abs(w64), nan=np.inf)
        rel = np.nan_to_num(diff / np.maximum(np.abs(w64), np.finfo(np.float64).tiny), nan=np.inf)
    k = np.unravel_index(int(np.argmax(excess)), w.shape)
    at = f" at {tuple(int(i) for i in k)}" if w.ndim else ""
    return (f"{what}: max abs error {err:.3g}, max rel error {float(rel.max()):.3g} (atol "
            f"{tol.atol:g}, rtol {tol.rtol:g}); worst{at}: got {g64[k]:.10g}, expected "
            f"{w64[k]:.10g}"), err


def _result(name: str, dtype: Any, check_name: str, problems: list[tuple[str, float]],
            skip: str = "") -> Result:
    """One Result from the problems found (each a message and an error)."""
    dtype = getattr(dtype, "name", dtype)
    if skip:
        return Result(name, dtype, check_name, True, skip, skipped=True)
    bad = [p for p in problems if p[0]]
    detail = "; ".join(m for m, _ in bad[:3]) + (f"; ... ({len(bad) - 3} more)"
                                                if len(bad) > 3 else "")
    return Result(name, dtype, check_name, not bad, detail,
                  max((e for _, e in bad), default=0.0))


def _failure(name: str, dtype: Any, check_name: str, e: BaseException) -> Result:
    return Result(name, getattr(dtype, "name", dtype), check_name, False, _why(e), math.inf)


def _looser(a: Tol, b: Tol) -> Tol:
    return Tol(atol=max(a.atol, b.atol), rtol=max(a.rtol, b.rtol))


# -- layers and losses -------------------------------------------------------------------------


@dataclass
class _Run:
    """What one forward and backward of a module gave (host arrays).

    ``grads`` maps ``input 0`` / ``parameter weight`` to the gradient of
    ``sum(output_k * weights_k)`` over the floating outputs; ``state`` is the
    state_dict after the forward (running statistics...).
    """

    outputs: list[np.ndarray]
    weights: list[np.ndarray]
    grads: dict[str, np.ndarray]
    state: dict[str, np.ndarray]


def _build(fw: Any, cls: type, sample: ModuleSample, dtype: Any, device: Any) -> Any:
    fw.manual_seed(BUILD_SEED)
    m = cls(*_convert(fw, sample.args, dtype, device), **_convert(fw, sample.kwargs, dtype, device))
    # A lazy module draws its initial weights at materialization: on the host, as the others
    # do at construction, so every device starts from the same values.
    return _materialize(fw, m, sample, dtype, "cpu").to(device=device, dtype=dtype)


def _materialize(fw: Any, module: Any, sample: ModuleSample, dtype: Any, device: Any) -> Any:
    """A lazy module (``Lazy*`` layers: its parameters wait for the first input) after one
    forward without autograd in eval mode, so its state_dict has the real shapes before it
    is snapshot and loaded into PyTorch's module, and no running statistic moves. Other
    modules are returned as they are."""
    lazy = getattr(module, "has_uninitialized_params", None)
    if lazy is not None and lazy():
        module = module.to(dtype=dtype)
        module.train(False)
        with fw.no_grad():
            _forward(fw, module, sample, _convert(fw, tuple(sample.inputs), dtype, device),
                     dtype, device)
    return module


def _forward(fw: Any, module: Any, sample: ModuleSample, inputs: tuple[Any, ...], dtype: Any,
             device: Any) -> Any:
    if sample.random:
        fw.manual_seed(FORWARD_SEED)
    return module(*inputs, **_convert(fw, sample.forward_kwargs, dtype, device))


def _run(fw: Any, module: Any, sample: ModuleSample, dtype: Any, device: Any) -> _Run:
    """Forward ``sample`` through ``module`` and take the gradients of a fixed random
    projection of every floating output w.r.t. every floating input and parameter.
    """
    module.train(sample.train)
    inputs = _convert(fw, tuple(sample.inputs), dtype, device, grad=sample.grad)
    leaves = _tensor_leaves(_forward(fw, module, sample, inputs, dtype, device), fw.Tensor)
    floats = [o for o in leaves if o.dtype.is_floating_point]
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(o.shape)) for o in floats]
    wrt = [(label, t) for i, v in enumerate(inputs) for label, t in _walk(v, f"input {i}")
           if isinstance(t, fw.Tensor) and t.requires_grad]
    wrt += [(f"parameter {n}", p) for n, p in module.named_parameters() if p.requires_grad]
    grads: dict[str, np.ndarray] = {}
    if sample.grad and wrt:
        pairs = [(o, fw.tensor(w, dtype=o.dtype, device=o.device))
                 for o, w in zip(floats, weights) if o.requires_grad]
        gs = fw.autograd.grad([o for o, _ in pairs], [t for _, t in wrt], [w for _, w in pairs],
                              allow_unused=True) if pairs else [None] * len(wrt)
        grads = {label: np.zeros(tuple(t.shape)) if g is None else _host(g)
                 for (label, t), g in zip(wrt, gs)}
    return _Run([_host(o) for o in leaves], weights, grads, _state(module))


def _state(module: Any) -> dict[str, np.ndarray]:
    return {k: _host(v) for k, v in module.state_dict().items()}


@dataclass
class _Probe:
    """Central differences of one tensor: at ``coords`` (flat indices), and along
    ``direction`` (only for tensors larger than `MAX_PROBES`, where not every element is probed).
    """

    coords: np.ndarray
    values: np.ndarray
    direction: np.ndarray | None = None
    directional: float = 0.0


def _numerical(module: Any, sample: ModuleSample, weights: list[np.ndarray], dtype: Any,
               device: Any) -> dict[str, _Probe]:
    """Central differences of ``sum(output_k * weights_k)`` w.r.t. every floating input and
    parameter of ``module`` (a tensorweave module), labelled like `_Run.grads`.

    Each probe rebuilds the inputs from host copies or writes the perturbed values into a
    parameter with ``copy_``, so any device works; the values are restored afterwards.
    """
    import tensorweave as tw

    values = _host_copy(tuple(sample.inputs))  # perturbed in place

    def f() -> float:
        with tw.no_grad():
            out = _forward(tw, module, sample, _convert(tw, values, dtype, device), dtype,
                           device)
        floats = [o for o in _tensor_leaves(out, tw.Tensor) if o.dtype.is_floating_point]
        return float(sum(np.sum(_host(o).astype(np.float64) * w)
                         for o, w in zip(floats, weights)))

    slots: list[tuple[str, np.ndarray, Callable[[np.ndarray], None]]] = []
    for i, v in enumerate(values):
        for label, a in _walk(v, f"input {i}"):
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                slots.append((label, a.copy(), lambda new, a=a: np.copyto(a, new)))
    for n, p in module.named_parameters():
        if p.requires_grad:
            slots.append((f"parameter {n}", _host(p).astype(np.float64), _writer(tw, p)))
    rng = np.random.default_rng(2)
    return {label: _probe(f, base, write, rng) for label, base, write in slots}


def _host_copy(x: Any) -> Any:
    """Nested tuples of host values with every array copied (float64 for floating ones)."""
    if isinstance(x, (tuple, list)):
        return type(x)(_host_copy(v) for v in x)
    if isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        return a.astype(np.float64) if a.dtype.kind == "f" else a.copy()
    return x


def _writer(tw: Any, p: Any) -> Callable[[np.ndarray], None]:
    def write(new: np.ndarray) -> None:
        with tw.no_grad():
            p.copy_(tw.tensor(new, dtype=p.dtype, device=p.device))
    return write


def _probe(f: Callable[[], float], base: np.ndarray, write: Callable[[np.ndarray], None],
           rng: np.random.Generator) -> _Probe:
    """Central differences of ``f`` w.r.t. the tensor holding ``base`` (written by ``write``):
    every element, or `MAX_PROBES` random ones plus one random direction.
    """
    n = base.size
    coords = np.arange(n) if n <= MAX_PROBES else np.sort(rng.choice(n, MAX_PROBES, False))
    x = base.copy()
    flat = x.reshape(-1)
    values = np.empty(len(coords))
    for j, k in enumerate(coords):
        old = flat[k]
        flat[k] = old + EPS
        write(x)
        hi = f()
        flat[k] = old - EPS
        write(x)
        lo = f()
        flat[k] = old
        values[j] = (hi - lo) / (2 * EPS)
    probe = _Probe(coords, values)
    if n > MAX_PROBES:
        d = rng.standard_normal(base.shape)
        write(base + EPS * d)
        hi = f()
        write(base - EPS * d)
        lo = f()
        probe.direction, probe.directional = d.reshape(-1), (hi - lo) / (2 * EPS)
    write(base)
    return probe


def _grad_problems(grads: dict[str, np.ndarray], numerical: dict[str, _Probe],
                   tol: Tol) -> list[tuple[str, float]]:
    """Where the analytical gradients differ from central differences."""
    problems = []
    for label, probe in numerical.items():
        g = grads.get(label)
        if g is None:
            problems.append((f"gradient of {label}: missing (autograd did not reach it)",
                             math.inf))
            continue
        flat = g.astype(np.float64).reshape(-1)
        want = flat.copy()  # elements not probed compare equal
        want[probe.coords] = probe.values
        msg, err = _mismatch(f"gradient of {label}", g, want.reshape(g.shape), tol)
        if msg and len(probe.coords) < flat.size:
            msg += f" ({len(probe.coords)} of {flat.size} elements probed)"
        problems.append((msg, err))
        if probe.direction is not None and not msg:
            got = float(flat @ probe.direction)
            slack = Tol(tol.atol * math.sqrt(flat.size), tol.rtol)
            m, e = _mismatch(f"gradient of {label} along a random direction", got,
                             probe.directional, slack)
            problems.append((m, e))
    return problems


def _run_problems(got: _Run, want: _Run, tol: Tol, state: bool = True,
                  grads: bool = True) -> list[tuple[str, float]]:
    """Where two runs of one sample differ: outputs, gradients (unless not ``grads``) and
    state after the forward."""
    if len(got.outputs) != len(want.outputs):
        return [(f"{len(got.outputs)} output tensors, expected {len(want.outputs)}", math.inf)]
    problems = [_mismatch(f"output {i}", g, w, tol)
                for i, (g, w) in enumerate(zip(got.outputs, want.outputs))]
    for label, w in want.grads.items() if grads else ():
        if label not in got.grads:
            problems.append((f"no gradient for {label}", math.inf))
        else:
            problems.append(_mismatch(f"gradient of {label}", got.grads[label], w, tol))
    if state:
        missing = sorted(set(want.state) - set(got.state))
        if missing:
            problems.append((f"state_dict lacks {missing}", math.inf))
        problems += [_mismatch(f"state {k} after the forward", got.state[k], w, tol)
                     for k, w in want.state.items() if k in got.state]
    return problems


def check_module(cls: type, sample: ModuleSample, device: Any = "cpu", dtype: Any = None, *,
                 name: str | None = None) -> list[Result]:
    """Check one sample of a layer or loss on ``device`` in ``dtype`` (float64 by default).

    The module is built under ``manual_seed(BUILD_SEED)`` and moved with ``.to``; its
    floating inputs and parameters require grad. Three checks, each one `Result`:

    - ``grad``: the gradients of ``sum(output_k * w_k)`` (fixed random ``w_k``, every
      floating output) w.r.t. every floating input and parameter against central
      differences of the float64 cpu module (of the module itself for a random forward in
      training mode, which is only checked in float64).
    - ``cpu`` (devices other than cpu, dtypes other than float64): outputs, gradients and
      state after the forward against the float64 cpu module.
    - ``torch``: the same against ``torch.nn.<name>`` built with the same arguments and
      loaded with this module's initial state_dict (its keys must match), in float64.

    Args:
        cls: the layer or loss class.
        sample: how to build and call it.
        device: the device under test.
        dtype: the floating dtype under test (tolerances widen to the dtype's default).
        name: the registered name (default: the class name); PyTorch's class of this name
            is the oracle.

    Returns:
        The `Result` of each check; a single failed ``forward`` Result if building or
        calling the module raised.
    """
    import tensorweave as tw

    dtype = tw.float64 if dtype is None else dtype
    name = name or cls.__name__
    label = sample.name or "sample"
    tol = Tol(sample.atol, sample.rtol)
    if dtype is not tw.float64:
        tol = _looser(tol, DEFAULT_TOL.get(dtype, Tol(1e-2, 1e-2)))
    try:
        subject = _build(tw, cls, sample, dtype, device)
        initial = _state(subject)
        run = _run(tw, subject, sample, dtype, device)
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        return [_failure(name, dtype, f"forward {label}", e)]
    is_reference = tw.device(device).type == "cpu" and dtype is tw.float64
    random_train = sample.random and sample.train
    results = []

    reference, ref_run = subject, run
    if not is_reference:
        try:
            reference = _build(tw, cls, sample, tw.float64, "cpu")
            ref_run = _run(tw, reference, sample, tw.float64, "cpu")
            skip = "" if not random_train else f"{RANDOM_TRAIN}: random streams differ"
            results.append(_result(name, dtype, f"cpu {label}",
                                   [] if skip else _run_problems(run, ref_run, tol), skip))
        except Exception as e:  # noqa: BLE001
            results.append(_failure(name, dtype, f"cpu {label}", e))

    check_name = f"grad {label}"
    if not sample.grad:
        results.append(_result(name, dtype, check_name, [], "the sample sets grad=False"))
    elif not run.grads:
        results.append(_result(name, dtype, check_name, [],
                               "no floating input or parameter to differentiate"))
    elif random_train and dtype is not tw.float64:
        results.append(_result(name, dtype, check_name, [],
                               f"{RANDOM_TRAIN}: checked in float64 only"))
    else:
        try:
            own = random_train or is_reference
            numerical = _numerical(subject if own else reference, sample, run.weights,
                                   dtype if own else tw.float64, device if own else "cpu")
            grad_tol = _looser(GRAD_TOL, tol)
            results.append(_result(name, dtype, check_name,
                                   _grad_problems(run.grads, numerical, grad_tol)))
        except Exception as e:  # noqa: BLE001
            results.append(_failure(name, dtype, check_name, e))

    results.append(_check_module_torch(cls, sample, name, initial, run, tol, dtype))
    return results


def _check_module_torch(cls: type, sample: ModuleSample, name: str,
                        initial: dict[str, np.ndarray], run: _Run, tol: Tol,
                        dtype: Any) -> Result:
    """``torch.nn.<name>`` loaded with ``initial`` against ``run`` (see `check_module`)."""
    check_name = f"torch {sample.name or 'sample'}"
    torch = _torch()
    tcls = getattr(torch.nn, name, None) if torch is not None else None
    if torch is None:
        skip = NO_TORCH
    elif not (isinstance(tcls, type) and issubclass(tcls, torch.nn.Module)):
        skip = f"PyTorch has no torch.nn.{name}"
    elif sample.random and sample.train:
        skip = f"{RANDOM_TRAIN}: PyTorch's random stream differs"
    else:
        skip = ""
    if skip:
        return _result(name, dtype, check_name, [], skip)
    try:
        torch.manual_seed(BUILD_SEED)
        f64 = torch.float64
        tm = _materialize(torch, tcls(*_convert(torch, sample.args, f64, "cpu"),
                                      **_convert(torch, sample.kwargs, f64, "cpu")).to(f64),
                          sample, f64, "cpu")
        theirs = set(tm.state_dict())
        if theirs != set(initial):
            return _result(name, dtype, check_name, [(
                f"state_dict keys differ from torch.nn.{name}'s: missing "
                f"{sorted(theirs - set(initial))}, unexpected {sorted(set(initial) - theirs)}",
                math.inf)])
        tm.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
        want = _run(torch, tm, sample, f64, "cpu")
    except Exception as e:  # noqa: BLE001
        return _failure(name, dtype, check_name, e)
    return _result(name, dtype, check_name,
                   _run_problems(run, want, tol, grads=sample.torch_grad))


# -- optimizers --------------------------------------------------------------------------------


class _Descent:
    """Parameters, a fixed smooth loss ``sum(c * (p - t)**2 + sin(p))`` over them, and an
    optimizer of them, in tensorweave or PyTorch (``fw``).

    The sine makes every step's gradient new (not a fixed linear map of the parameters);
    the constants come from a fixed seed, so both frameworks descend the same loss.
    """

    def __init__(self, fw: Any, cls: type, sample: OptimizerSample, device: Any,
                 start: list[np.ndarray] | None = None) -> None:
        rng = np.random.default_rng(3)
        values = [rng.standard_normal(s) for s in sample.shapes]
        self.fw = fw
        self.params = [fw.tensor(v, dtype=fw.float64, device=device, requires_grad=True)
                       for v in (start if start is not None else values)]
        self.targets = [fw.tensor(rng.standard_normal(s), dtype=fw.float64, device=device)
                        for s in sample.shapes]
        self.coefs = [float(c) for c in rng.uniform(0.5, 1.5, len(sample.shapes))]
        params: list[Any] = self.params
        if sample.groups:
            k = len(sample.groups)
            params = [{"params": self.params[i::k], **g} for i, g in enumerate(sample.groups)]
        self.opt = cls(params, **sample.kwargs)

    def loss(self) -> Any:
        terms = [((p - t) ** 2 * c + self.fw.sin(p)).sum()
                 for p, t, c in zip(self.params, self.targets, self.coefs)]
        return sum(terms[1:], terms[0])

    def step(self) -> list[np.ndarray]:
        """One ``step(closure)``; the parameters after it."""
        def closure() -> Any:
            self.opt.zero_grad()
            loss = self.loss()
            loss.backward()
            return loss

        self.opt.step(closure)
        return [_host(p) for p in self.params]


def _trajectory_problems(got: list[list[np.ndarray]], want: list[list[np.ndarray]], tol: Tol,
                         first: int = 1) -> list[tuple[str, float]]:
    for k, (gs, ws) in enumerate(zip(got, want), start=first):
        problems = [_mismatch(f"step {k}, parameter {i} {list(w.shape)}", g, w, tol)
                    for i, (g, w) in enumerate(zip(gs, ws))]
        if any(m for m, _ in problems):
            return problems  # later steps only repeat the first divergence
    return []


def check_optimizer(cls: type, sample: OptimizerSample, device: Any = "cpu", *,
                    name: str | None = None) -> list[Result]:
    """Check one sample of an optimizer on ``device`` (float64 parameters).

    Checks, each one `Result`: ``torch`` (the parameters after every step against
    ``torch.optim.<name>``), ``cpu`` (the same against the cpu backend, on other devices),
    ``finite`` (the loss after the steps), ``state_dict`` (a fresh optimizer over copies
    of the parameters, loaded with the state_dict, continues 3 steps exactly like the
    original).

    Args:
        cls: the optimizer class.
        sample: its hyper-parameters and number of steps.
        device: the device under test.
        name: the registered name (default: the class name), also PyTorch's.

    Returns:
        The `Result` of each check; a single failed ``step`` Result if building or
        stepping raised.
    """
    import tensorweave as tw

    name = name or cls.__name__
    label = sample.name or "sample"
    tol = Tol(sample.atol, sample.rtol)
    try:
        run = _Descent(tw, cls, sample, device)
        path = [run.step() for _ in range(sample.steps)]
    except Exception as e:  # noqa: BLE001
        return [_failure(name, "float64", f"step {label}", e)]
    results = [_optimizer_torch(name, sample, path, tol)]
    if tw.device(device).type != "cpu":
        try:
            cpu = _Descent(tw, cls, sample, "cpu")
            want = [cpu.step() for _ in range(sample.steps)]
            results.append(_result(name, "float64", f"cpu {label}",
                                   _trajectory_problems(path, want, tol)))
        except Exception as e:  # noqa: BLE001
            results.append(_failure(name, "float64", f"cpu {label}", e))
    try:
        loss = float(run.loss().item())
        results.append(_result(name, "float64", f"finite {label}", [] if math.isfinite(loss)
                               else [(f"loss after {sample.steps} steps is {loss}", math.inf)]))
        resumed = _Descent(tw, cls, sample, device, start=[_host(p) for p in run.params])
        # A deep copy, as a checkpoint file gives: PyTorch's state_dict() shares the state's
        # tensors and load_state_dict keeps them, so without it both would update one buffer.
        resumed.opt.load_state_dict(copy.deepcopy(run.opt.state_dict()))
        want = [run.step() for _ in range(3)]
        got = [resumed.step() for _ in range(3)]
        results.append(_result(name, "float64", f"state_dict {label}",
                               _trajectory_problems(got, want, tol, sample.steps + 1)))
    except Exception as e:  # noqa: BLE001
        results.append(_failure(name, "float64", f"state_dict {label}", e))
    return results


def _optimizer_torch(name: str, sample: OptimizerSample, path: list[list[np.ndarray]],
                     tol: Tol) -> Result:
    check_name = f"torch {sample.name or 'sample'}"
    torch = _torch()
    tcls = getattr(torch.optim, name, None) if torch is not None else None
    if torch is None:
        return _result(name, "float64", check_name, [], NO_TORCH)
    if not (isinstance(tcls, type) and issubclass(tcls, torch.optim.Optimizer)):
        return _result(name, "float64", check_name, [], f"PyTorch has no torch.optim.{name}")
    try:
        theirs = _Descent(torch, tcls, sample, "cpu")
        want = [theirs.step() for _ in range(sample.steps)]
    except Exception as e:  # noqa: BLE001
        return _failure(name, "float64", check_name, e)
    return _result(name, "float64", check_name, _trajectory_problems(path, want, tol))


# -- lr schedulers -----------------------------------------------------------------------------


class _Schedule:
    """An SGD optimizer over one parameter driven by a scheduler, in tensorweave or PyTorch."""

    def __init__(self, fw: Any, cls: type, sample: SchedulerSample) -> None:
        self.sample = sample
        self.opt = fw.optim.SGD([fw.zeros(2, requires_grad=True)], **sample.optimizer_kwargs)
        kwargs = dict(sample.kwargs)
        if sample.build is not None:
            kwargs.update(sample.build(fw.optim.lr_scheduler, self.opt))
        self.sched = cls(optimizer=self.opt, **kwargs)

    def lrs(self) -> list[float]:
        return [float(g["lr"]) for g in self.opt.param_groups]

    def epoch(self, e: int) -> tuple[list[float], list[float]]:
        """One epoch (``optimizer.step()``, ``scheduler.step()``): the groups' lrs after it
        and ``get_last_lr()``.
        """
        self.opt.step()
        if self.sample.metrics is not None:
            self.sched.step(self.sample.metrics[e])
        else:
            self.sched.step()
        return self.lrs(), [float(v) for v in self.sched.get_last_lr()]


def _lr_problems(what: str, got: list[list[float]], want: list[list[float]],
                 first: int = 0) -> list[tuple[str, float]]:
    for e, (g, w) in enumerate(zip(got, want), start=first):
        m, err = _mismatch(f"{what} at epoch {e}", np.array(g), np.array(w), LR_TOL)
        if m:
            return [(m, err)]
    return []


def check_scheduler(cls: type, sample: SchedulerSample, *, name: str | None = None) -> list[Result]:
    """Check one sample of an lr scheduler (device-independent).

    Checks, each one `Result`: ``torch`` (the lr of every epoch and ``get_last_lr()``
    against ``torch.optim.lr_scheduler.<name>`` driving the same SGD), ``get_last_lr``
    (equals the optimizer's lrs after every step), ``state_dict`` (a fresh optimizer and
    scheduler, loaded with both state_dicts halfway, give the same remaining lrs).

    Args:
        cls: the scheduler class.
        sample: its arguments, metrics and number of epochs.
        name: the registered name (default: the class name), also PyTorch's.

    Returns:
        The `Result` of each check; a single failed ``step`` Result if building or
        stepping raised.
    """
    import tensorweave as tw

    name = name or cls.__name__
    label = sample.name or "sample"
    if sample.metrics is not None and len(sample.metrics) < sample.steps:
        return [Result(name, "", f"step {label}", False, f"the sample has {len(sample.metrics)} "
                       f"metrics for {sample.steps} epochs", math.inf)]
    half = sample.steps // 2
    try:
        run = _Schedule(tw, cls, sample)
        lrs, last = [run.lrs()], []
        saved = None
        for e in range(sample.steps):
            if e == half:
                saved = copy.deepcopy((run.opt.state_dict(), run.sched.state_dict()))
            lr, lst = run.epoch(e)
            lrs.append(lr)
            last.append(lst)
    except Exception as e:  # noqa: BLE001
        return [_failure(name, "", f"step {label}", e)]
    results = [_scheduler_torch(name, sample, lrs, last),
               _result(name, "", f"get_last_lr {label}",
                       _lr_problems("get_last_lr()", last, lrs[1:], 1))]
    try:
        resumed = _Schedule(tw, cls, sample)
        resumed.opt.load_state_dict(saved[0])
        resumed.sched.load_state_dict(saved[1])
        got = [resumed.epoch(e)[0] for e in range(half, sample.steps)]
        results.append(_result(name, "", f"state_dict {label}",
                               _lr_problems("lr after resuming", got, lrs[half + 1:], half + 1)))
    except Exception as e:  # noqa: BLE001
        results.append(_failure(name, "", f"state_dict {label}", e))
    return results


def _scheduler_torch(name: str, sample: SchedulerSample, lrs: list[list[float]],
                     last: list[list[float]]) -> Result:
    check_name = f"torch {sample.name or 'sample'}"
    torch = _torch()
    if torch is None:
        return _result(name, "", check_name, [], NO_TORCH)
    tcls = getattr(torch.optim.lr_scheduler, name, None)
    if not isinstance(tcls, type):
        return _result(name, "", check_name, [],
                       f"PyTorch has no torch.optim.lr_scheduler.{name}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's own deprecation notes
            theirs = _Schedule(torch, tcls, sample)
            want, want_last = [theirs.lrs()], []
            for e in range(sample.steps):
                lr, lst = theirs.epoch(e)
                want.append(lr)
                want_last.append(lst)
    except Exception as e:  # noqa: BLE001
        return _failure(name, "", check_name, e)
    return _result(name, "", check_name, _lr_problems("lr", lrs, want) or
                   _lr_problems("get_last_lr()", last, want_last, 1))
