"""``tensorweave.utils.checkpoint``: activation checkpointing, as `torch.utils.checkpoint`:
trade compute for memory by not keeping a block's intermediate tensors for backward and
recomputing them when backward needs them.

`checkpoint` runs the block normally, so its outputs have their real graph (gradients reach
parameters used inside even when no input requires grad, and ``autograd.grad`` works),
but under `autograd.graph.saved_tensors_hooks` whose pack hook keeps only a slot number
and the tensor's shape, dtype and device. The first unpack reruns the block (with the
random state of the first run) and fills the slots from the tensors the rerun saves, in
the same order, stopping as soon as all are filled; each slot is emptied when backward
takes it, so a second backward (``retain_graph=True``) recomputes again.

``use_reentrant=True`` (the default when it is not given, with PyTorch's warning) keeps
PyTorch's restrictions of that variant: no keyword arguments for the block, no
``context_fn``, and outputs that need no grad (with PyTorch's warning) when no input
requires grad. It is otherwise the same mechanism, so unlike PyTorch's it also supports
``autograd.grad``.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, Sequence

from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..autograd.graph import saved_tensors_hooks
from ..random import default_generator
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "noop_context_fn"]

_TIP = ("\nTip: the block must save the same tensors each time it runs: make its control "
        "flow and the shapes it produces depend only on its inputs.")


class CheckpointError(RuntimeError):
    """The recomputation did not save what the first run saved (PyTorch's class)."""


class _Stop(Exception):
    """Raised inside the recomputation once every slot is filled (the early stop)."""


def noop_context_fn() -> tuple[contextlib.AbstractContextManager[Any], ...]:
    """The default ``context_fn``: no context around the run or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _meta(t: Tensor) -> dict[str, Any]:
    return {"shape": tuple(t.shape), "dtype": t.dtype, "device": t.device}


class _Frame:
    """One checkpointed call: its block and arguments, what each slot held (metadata),
    the recomputed tensors, and the random state to rerun with."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                 preserve_rng_state: bool, recompute_context: Any, check: bool) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.recompute_context, self.check = recompute_context, check
        self.metas: list[dict[str, Any]] = []
        self.recomputed: dict[int, Tensor] = {}
        self.rng: list[tuple[Any, Any]] = []
        if preserve_rng_state:
            devices = {"cpu"} | {str(a.device) for a in args if isinstance(a, Tensor)}
            gens = [default_generator(d) for d in sorted(devices)]
            self.rng = [(g, g.get_state()) for g in gens]

    def pack(self, t: Tensor) -> int:
        self.metas.append(_meta(t))
        return len(self.metas) - 1

    def unpack(self, slot: int) -> Tensor:
        if slot not in self.recomputed:
            self._recompute()
        return self.recomputed.pop(slot)

    def _recompute(self) -> None:
        saved: list[Tensor] = []

        def pack(t: Tensor) -> None:
            if len(saved) == len(self.metas):
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors "
                                      "during recomputation than during the original forward "
                                      f"pass.{_TIP}")
            saved.append(t.detach())
            if len(saved) == len(self.metas):
                raise _Stop

        outside = [(g, g.get_state()) for g, _ in self.rng]
        try:
            for g, state in self.rng:
                g.set_state(state)
            with enable_grad(), self.recompute_context, saved_tensors_hooks(pack, _never):
                self.fn(*self.args, **self.kwargs)
        except _Stop:
            pass
        finally:
            for g, state in outside:
                g.set_state(state)
        if len(saved) != len(self.metas):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                f"original forward and recomputation.\nNumber of tensors saved during forward: "
                f"{len(self.metas)}\nNumber of tensors saved during recomputation: "
                f"{len(saved)}.{_TIP}")
        bad = [f"tensor at position {i}:\nsaved metadata: {m}\nrecomputed metadata: "
               f"{_meta(t)}\n" for i, (m, t) in enumerate(zip(self.metas, saved))
               if self.check and _meta(t) != m]
        if bad:
            raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following "
                                  "tensors have different metadata than during the forward "
                                  f"pass.\n{''.join(bad)}.{_TIP}")
        self.recomputed = dict(enumerate(saved))


def _never(packed: Any) -> Tensor:
    raise AssertionError("the recomputation's tensors are never unpacked")


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], tuple[Any, Any]] = noop_context_fn,
               determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, preserve_rng_state: bool = True,
               **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` with its saved tensors recomputed in backward instead
    of kept (see the module docstring), as `torch.utils.checkpoint.checkpoint`.

    Args:
        function: the block; it must save the same tensors when rerun.
        use_reentrant: PyTorch's variant switch (see the module docstring); pass it
            explicitly (False is recommended, as in PyTorch).
        context_fn: returns two context managers, entered around the run and around the
            recomputation (``use_reentrant=False`` only).
        determinism_check: ``"default"`` compares the recomputed tensors' shapes, dtypes
            and devices with the first run's; ``"none"`` skips that.
        debug: accepted (PyTorch prints operator traces); ``use_reentrant=False`` only.
        early_stop: accepted; the recomputation always stops once every tensor is back.
        preserve_rng_state: rerun with the cpu and input devices' random states of the
            first run, so dropout draws the same masks.

    Raises:
        ValueError: for keyword arguments or ``context_fn``/``debug`` with
            ``use_reentrant=True``, or an unknown ``determinism_check``.
        CheckpointError: in backward, if the recomputation saved different tensors.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. use_reentrant=False is recommended, but if you need to "
                      "preserve the current default behavior, you can pass use_reentrant=True.",
                      stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          stacklevel=2)
            with no_grad():
                return function(*args)
    forward_context, recompute_context = context_fn()
    frame = _Frame(function, args, kwargs, preserve_rng_state, recompute_context,
                   determinism_check == "default")
    with forward_context, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor,  # noqa: A002
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run ``functions`` (a Sequential or a list of callables) one after another on
    ``input``, checkpointing each of ``segments`` equal runs of them but the last, as
    `torch.utils.checkpoint.checkpoint_sequential`.

    Raises:
        ValueError: for keyword arguments other than ``preserve_rng_state``.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant "
                      "parameter should be passed explicitly. use_reentrant=False is "
                      "recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children"):
        functions = list(functions.children())
    functions = list(functions)

    def run(part: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            for f in part:
                x = f(x)
            return x
        return forward

    size = len(functions) // segments
    end = 0
    for start in range(0, size * (segments - 1), size):
        end = start + size
        input = checkpoint(run(functions[start:end]), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(functions[end:])(input)
