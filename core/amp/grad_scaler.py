"""`GradScaler`: dynamic loss scaling for float16 training, as ``torch.amp.GradScaler``.

Small float16 gradients underflow to zero; multiplying the loss by a large scale before
``backward`` keeps them representable. `step` divides the gradients back ("unscales"
them, in place, in float32 parameters' grads) and skips the optimizer step when any is inf
or NaN; `update` then halves the scale after a skipped step, and doubles it after
``growth_interval`` clean ones. The scale lives in a float32 tensor on the device of the
first scaled output, as PyTorch's; the inf check reads one number back per step.
"""

from __future__ import annotations

import enum
import warnings
from typing import Any

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..ops.creation import full
from ..ops.elementwise import isfinite
from ..tensor import Tensor

__all__ = ["GradScaler"]

_FIX = ("This may indicate your script did not use scaler.scale(loss or outputs) earlier in "
        "the iteration.")


class _Stage(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh() -> dict[str, Any]:
    return {"stage": _Stage.READY, "found_inf": None}


class GradScaler:
    """Scale losses, unscale gradients, and skip steps whose gradients overflowed.

    Args:
        device: the device type of the scaled outputs (``"cuda"`` by default, as PyTorch;
            ``"cpu"``, ``"opencl"``...). A cuda scaler without CUDA warns and is disabled.
        init_scale: the first scale.
        growth_factor: multiplies the scale after ``growth_interval`` clean steps (> 1).
        backoff_factor: multiplies the scale after a step with inf/NaN gradients (< 1).
        growth_interval: clean steps between growths.
        enabled: False makes every method a pass-through (``scale`` returns its input).

    Example:
        >>> scaler = GradScaler("cpu")  # doctest: +SKIP
        >>> scaler.scale(loss).backward(); scaler.step(opt); scaler.update()  # doctest: +SKIP
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        from ..device_module import DeviceModule

        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not DeviceModule("cuda").is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._scale: Tensor | None = None
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, Any]] = {}

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), _fresh())

    def _checked_scale(self, funcname: str) -> Tensor:
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + _FIX)
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor, or tuples/lists of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._scale = full((), self._init_scale, dtype=D.float32,
                                   device=outputs.device)
            return outputs * self._scale.to(outputs.device)
        if isinstance(outputs, (tuple, list)):
            return type(outputs)(self.scale(o) for o in outputs)
        if hasattr(outputs, "__iter__"):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale, in place, and note whether any is
        inf or NaN (at most once per `step`).

        Raises:
            RuntimeError: called twice before `update`, or after `step`.
            ValueError: for float16 gradients (their parameters must be float32).
        """
        if not self._enabled:
            return
        scale = self._checked_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] is _Stage.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv = 1.0 / float(scale.item())
        finite: dict[Any, Tensor] = {}  # per device: are all its gradients finite?
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype is D.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    p.grad.mul_(inv)
                    ok, seen = isfinite(p.grad).all(), finite.get(p.grad.device)
                    finite[p.grad.device] = ok if seen is None else seen & ok
        # one host read per device, not per gradient
        state["found_inf"] = not all(bool(ok) for ok in finite.values())
        state["stage"] = _Stage.UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """`unscale_` (unless done), then ``optimizer.step(*args, **kwargs)`` unless a
        gradient was inf or NaN. Returns the step's result, or None when skipped.

        Raises:
            RuntimeError: with a ``closure`` (not supported, as in PyTorch), or a second
                call before `update`.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._checked_scale("step")
        state = self._state(optimizer)
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Set the next scale: ``new_scale`` if given, else backed off after a skipped step
        (in any optimizer) or grown after ``growth_interval`` clean ones.

        Raises:
            AssertionError: before any `scale`, or with no `step`/`unscale_` to read the
                inf check of.
        """
        if not self._enabled:
            return
        scale = self._checked_scale("update")
        if new_scale is not None:
            value = float(new_scale.item() if isinstance(new_scale, Tensor) else new_scale)
        else:
            checks = [s["found_inf"] for s in self._per_optimizer.values()
                      if s["found_inf"] is not None]
            if not checks:
                raise AssertionError("No inf checks were recorded prior to update.")
            value = float(scale.item())
            if any(checks):
                value *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    value *= self._growth_factor
                    self._growth_tracker = 0
        with no_grad():
            scale.fill_(value)
        self._per_optimizer = {}

    def get_scale(self) -> float:
        """The current scale (the initial one before the first `scale`; 1.0 disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's five entries (empty when disabled), to checkpoint after `update`."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict` (a no-op when disabled).

        Raises:
            RuntimeError: for the empty dict of a disabled scaler.
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            with no_grad():
                self._scale.fill_(self._init_scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
