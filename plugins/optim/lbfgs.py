"""`LBFGS`: limited-memory BFGS, with an optional strong-Wolfe line search, as
`torch.optim.LBFGS`.

The algorithm is torch's (itself a port of minFunc and of Lua torch's ``lbfgs.lua`` and
``lswolfe.lua``) operation for operation: the scalars that torch keeps as 0-d tensors (the
directional derivatives, ``ys``, ``ro``, ``H_diag``, the step ``t``) are 0-d tensors here
too, so they carry the parameters' dtype and round as torch's do. The whole state lives in
the first parameter's entry of ``state`` under torch's keys, so a ``state_dict`` loads into
either framework's optimizer.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import tensorweave as tw
from tensorweave.conformance.modules import OptimizerSample
from tensorweave.optim import Optimizer

__all__ = ["LBFGS"]

Closure = Callable[[], Any]
Evaluate = Callable[[list[tw.Tensor], Any, tw.Tensor], tuple[float, tw.Tensor]]


def _cubic_interpolate(x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any,
                       bounds: tuple[Any, Any] | None = None) -> Any:
    """The minimizer of the cubic through ``(x1, f1)`` and ``(x2, f2)`` with slopes ``g1``
    and ``g2``, clamped to ``bounds`` (default: between the two points); their midpoint when
    the cubic has no real minimizer."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func: Evaluate, x: list[tw.Tensor], t: Any, d: tw.Tensor, f: float,
                  g: tw.Tensor, gtd: tw.Tensor, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9, max_ls: int = 25,
                  ) -> tuple[float, tw.Tensor, Any, int]:
    """A step ``t`` along ``d`` from ``x`` that satisfies the strong Wolfe conditions
    (sufficient decrease ``c1``, curvature ``c2``): bracket such a step, then zoom in on it
    by cubic interpolation, with at most ``max_ls`` evaluations.

    Returns:
        The loss and flat gradient at the step, the step, and the number of evaluations.
    """
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # Bracket an interval containing a point satisfying the Wolfe criteria.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.clone(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom: refine the bracket until a point satisfies the criteria.
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # A trial point too close to the bracket's ends (twice running, or outside it) moves
        # to 0.1 of the bracket's length from the nearer end.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # No sufficient decrease, or not below the lowest point: the new high end.
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.clone(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.clone(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals



def _real(t: tw.Tensor) -> tw.Tensor:
    """A complex tensor as real numbers (a view); a real one itself."""
    return tw.view_as_real(t) if t.is_complex() else t

class LBFGS(Optimizer):
    """L-BFGS (Nocedal, 1980; after minFunc), as `torch.optim.LBFGS`.

    Each ``step(closure)`` runs up to ``max_iter`` iterations: the direction is the
    gradient times an inverse-Hessian estimate built from the last ``history_size`` pairs of
    parameter and gradient changes; the step along it is ``lr`` (the first iteration of all
    scales it by ``1 / sum|g|``), or a strong-Wolfe line search's. It stops early when the
    gradient's largest entry falls to ``tolerance_grad``, when the step or the loss change
    falls below ``tolerance_change``, or after ``max_eval`` closure evaluations.

    All parameters form one group (the history is of their concatenation) and must be on
    one device. Memory grows as ``param_bytes * (2 * history_size + 2)``.

    Args:
        params: the parameters (a single group).
        lr: learning rate. Default: 1.
        max_iter: iterations per ``step``. Default: 20.
        max_eval: closure evaluations per ``step``. Default: ``max_iter * 5 // 4``.
        tolerance_grad: stop once ``max|g| <= tolerance_grad``. Default: 1e-7.
        tolerance_change: stop once a step or loss change is below it. Default: 1e-9.
        history_size: how many update pairs to keep. Default: 100.
        line_search_fn: ``"strong_wolfe"`` or None (fixed steps). Default: None.

    The state (of the first parameter) holds ``func_evals`` and ``n_iter`` (counts over all
    steps), ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``,
    ``prev_loss`` and ``al``, as torch's.

    Raises:
        ValueError: for a negative lr, a tensor lr of several elements, or more than one
            parameter group.
    """

    def __init__(self, params: Iterable[Any], lr: float | tw.Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, tw.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[tw.Tensor] = self.param_groups[0]["params"]

    def _gather_flat_grad(self) -> tw.Tensor:
        """Every parameter's gradient, flattened and concatenated (zeros where none); a
        complex one as its real and imaginary parts, as PyTorch's LBFGS does."""
        views = [tw.zeros_like(_real(p)).reshape(-1) if p.grad is None
                 else _real(p.grad).reshape(-1) for p in self._params]
        return tw.cat(views, 0)

    def _add_grad(self, step_size: Any, update: tw.Tensor) -> None:
        """``params += step_size * update``, ``update`` being flat like the gradient."""
        offset = 0
        alpha = float(step_size)
        for p in self._params:
            r = _real(p)
            numel = r.numel()
            r.add_(update[offset:offset + numel].view_as(r), alpha=alpha)
            offset += numel

    def _clone_param(self) -> list[tw.Tensor]:
        return [p.clone() for p in self._params]

    def _set_param(self, params_data: list[tw.Tensor]) -> None:
        for p, pdata in zip(self._params, params_data):
            p.copy_(pdata)

    def _directional_evaluate(self, closure: Closure, x: list[tw.Tensor], t: Any,
                              d: tw.Tensor) -> tuple[float, tw.Tensor]:
        """The loss and flat gradient at ``x + t * d``; the parameters are left at ``x``."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @tw.no_grad()
    def step(self, closure: Closure) -> Any:
        """Up to ``max_iter`` L-BFGS iterations; returns the closure's first loss.

        Args:
            closure: re-evaluates the model (``zero_grad``, forward, ``backward``) and returns
                the loss; it is run with grad enabled, several times per step.
        """
        closure = tw.enable_grad()(closure)
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # LBFGS's state is global; keeping it as the first parameter's lets load_state_dict
        # cast it to the parameters' dtype and device like any other.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")  # noqa: N806 (torch's state key)
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # The descent direction.
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1  # noqa: N806
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # a pair with positive curvature joins the history
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # noqa: N806 (the initial Hessian's scale)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                # The two-loop recursion: d = -H g, with one buffer.
                q = flat_grad.neg()
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.add_(old_dirs[i], alpha=-float(al[i]))
                d = r = tw.mul(q, H_diag)
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i], alpha=float(al[i] - be_i))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # The step length.
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (to the tolerance)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x: list[tw.Tensor], t: Any, d: tw.Tensor) -> tuple[float,
                                                                                tw.Tensor]:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    # Not after the last iteration: the next step evaluates there anyway.
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change:  # no progress in the parameters
                break
            if abs(loss - prev_loss) < tolerance_change:  # nor in the loss
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        # Small max_iter and history_size: the history wraps within the first steps.
        return [OptimizerSample({"lr": 0.5, "max_iter": 4, "history_size": 3}, name="fixed"),
                OptimizerSample({"max_iter": 5, "history_size": 2,
                                 "line_search_fn": "strong_wolfe"}, name="strong-wolfe")]
