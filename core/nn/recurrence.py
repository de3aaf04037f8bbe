"""The math of RNN, LSTM and GRU: one step of each cell, and whole sequences with a
hand-written backward through time.

Why a custom `Function` for sequences: recorded op by op, a sequence of length L costs
about fifteen recorded ops per step, every per-step slice of the precomputed input
projection back-propagates as a zero tensor of the whole projection's size (L² memory
traffic), and the recurrent weight's gradient is summed from L small matmuls. `Recurrence`
runs the same `step` functions with grad mode off and keeps what the backward needs; its
backward derives the per-step derivative factors for all steps at once, walks the steps
with one matmul and a few elementwise ops each, and forms each weight's gradient with one
matmul over all steps (what cuDNN does). It is written with tensorweave ops, so it runs on
every backend; with ``create_graph=True`` it re-runs the steps with recording and
differentiates that, so higher-order gradients stay exact.

Gate layouts are PyTorch's: LSTM (i, f, g, o), GRU (r, z, n) with the reset gate applied
to ``W_hn h + b_hn``.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.nn import functional as F

__all__ = ["CELLS", "Cell", "Recurrence"]

State = tuple[Tensor, ...]


class Cell:
    """One cell type's math, driven by `Recurrence` (and by the ``*Cell`` layers).

    ``xw`` is the input projection ``x W_ih^T + b_ih`` of one step; for cells whose
    ``b_hh`` is not gated (RNN, LSTM) it also holds ``b_hh``, so a step adds no bias.
    """

    gates = 1  # rows of W_ih / W_hh per hidden unit
    fold_hh_bias = True  # b_hh is added to the input projection

    def project(self, x: Tensor, w_ih: Tensor, b_ih: Tensor | None,
                b_hh: Tensor | None) -> Tensor:
        """The input projection of every step at once."""
        if b_ih is not None and self.fold_hh_bias:
            b_ih = b_ih + b_hh
        return F.linear(x, w_ih, b_ih)

    def step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None) -> tuple[State, tuple[Tensor, ...]]:
        """The next state (hidden first) and what the backward needs of this step."""
        raise NotImplementedError

    def factors(self, saved: Sequence[tuple[Tensor, ...]],
                states: Sequence[State]) -> tuple[Any, ...]:
        """Per-step derivative factors, computed for all steps at once (processing order)."""
        raise NotImplementedError

    def grad_step(self, k: int, fac: tuple[Any, ...], g_h: Tensor, carry: State,
                  w_hh: Tensor, w_hr: Tensor | None) -> tuple[State, Any]:
        """Back through step ``k`` (processing order): the state gradients of the previous
        step, and the step's record of gate gradients (see `split`); ``g_h`` is the gradient
        of the step's output and ``carry`` that of its state.
        """
        raise NotImplementedError

    def split(self, rec: Tensor) -> tuple[Tensor, Tensor]:
        """(gradient of ``h W_hh^T + b_hh``, gradient of ``xw``) from the stacked records."""
        return rec, rec


class RNNTanh(Cell):
    """``h' = tanh(xw + h W_hh^T)``."""

    def step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None) -> tuple[State, tuple[Tensor, ...]]:
        h = tw.tanh(xw + tw.matmul(state[0], w_hh_t))
        return (h,), (h,)

    def factors(self, saved: Sequence[tuple[Tensor, ...]],
                states: Sequence[State]) -> tuple[Any, ...]:
        h = _stack([s[0] for s in saved])
        return ((1 - h * h).unbind(0),)

    def grad_step(self, k: int, fac: tuple[Any, ...], g_h: Tensor, carry: State,
                  w_hh: Tensor, w_hr: Tensor | None) -> tuple[State, Any]:
        dg = (carry[0] + g_h) * fac[0][k]
        return (tw.matmul(dg, w_hh),), dg


class RNNReLU(RNNTanh):
    """``h' = relu(xw + h W_hh^T)``."""

    def step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None) -> tuple[State, tuple[Tensor, ...]]:
        h = tw.relu(xw + tw.matmul(state[0], w_hh_t))
        return (h,), (h,)

    def factors(self, saved: Sequence[tuple[Tensor, ...]],
                states: Sequence[State]) -> tuple[Any, ...]:
        h = _stack([s[0] for s in saved])
        return ((h > 0).to(h.dtype).unbind(0),)


class LSTM(Cell):
    """``c' = f*c + i*g``, ``h' = o*tanh(c')`` (then ``h' W_hr^T`` with a projection)."""

    gates = 4

    def step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None) -> tuple[State, tuple[Tensor, ...]]:
        h, c = state
        n = c.shape[-1]
        gates = xw + tw.matmul(h, w_hh_t)
        s = tw.sigmoid(gates)  # the g block is overwritten below: one call beats three
        g = tw.tanh(gates.narrow(1, 2 * n, n))
        c = s.narrow(1, n, n) * c + s.narrow(1, 0, n) * g
        tc = tw.tanh(c)
        h = s.narrow(1, 3 * n, n) * tc
        if w_hr_t is None:
            return (h, c), (s, g, tc)
        return (tw.matmul(h, w_hr_t), c), (s, g, tc, h)

    def factors(self, saved: Sequence[tuple[Tensor, ...]],
                states: Sequence[State]) -> tuple[Any, ...]:
        s = _stack([v[0] for v in saved])
        g = _stack([v[1] for v in saved])
        tc = _stack([v[2] for v in saved])
        c_prev = _stack([st[1] for st in states[:-1]])
        n = tc.shape[-1]
        ds = s * (1 - s)
        i, f, o = s[..., :n], s[..., n:2 * n], s[..., 3 * n:]
        # d gates = [dc, dc, dc, dh] * m, per gate (i, f, g, o).
        m = tw.cat([g * ds[..., :n], c_prev * ds[..., n:2 * n], i * (1 - g * g),
                    tc * ds[..., 3 * n:]], -1)
        a = o * (1 - tc * tc)  # dc += dh * a
        return m.unbind(0), a.unbind(0), f.unbind(0)

    def grad_step(self, k: int, fac: tuple[Any, ...], g_h: Tensor, carry: State,
                  w_hh: Tensor, w_hr: Tensor | None) -> tuple[State, Any]:
        m, a, f = fac
        dh = carry[0] + g_h
        dh_proj = dh
        if w_hr is not None:
            dh = tw.matmul(dh, w_hr)
        dc = carry[1] + dh * a[k]
        dg = tw.cat([dc, dc, dc, dh], -1) * m[k]
        carry = (tw.matmul(dg, w_hh), dc * f[k])
        return carry, (dg if w_hr is None else (dg, dh_proj))


class GRU(Cell):
    """``n = tanh(xw_n + r*(W_hn h + b_hn))``, ``h' = (1-z)*n + z*h``."""

    gates = 3
    fold_hh_bias = False

    def step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None) -> tuple[State, tuple[Tensor, ...]]:
        h = state[0]
        n = h.shape[-1]
        hh = tw.matmul(h, w_hh_t)
        if b_hh is not None:
            hh = hh + b_hh
        rz = tw.sigmoid(xw.narrow(1, 0, 2 * n) + hh.narrow(1, 0, 2 * n))
        hn = hh.narrow(1, 2 * n, n)
        new = tw.tanh(xw.narrow(1, 2 * n, n) + rz.narrow(1, 0, n) * hn)
        return (new + rz.narrow(1, n, n) * (h - new),), (rz, new, hn)

    def factors(self, saved: Sequence[tuple[Tensor, ...]],
                states: Sequence[State]) -> tuple[Any, ...]:
        rz = _stack([v[0] for v in saved])
        new = _stack([v[1] for v in saved])
        hn = _stack([v[2] for v in saved])
        h_prev = _stack([st[0] for st in states[:-1]])
        n = new.shape[-1]
        r, z = rz[..., :n], rz[..., n:]
        p = (1 - z) * (1 - new * new)  # d(pre-activation of n) = dh * p
        # dh * q = [d r_pre, d z_pre, d (W_hn h + b_hn), d xw_n], stacked on dim 2.
        q = tw.stack([p * hn * r * (1 - r), (h_prev - new) * z * (1 - z), p * r, p], 2)
        return q.unbind(0), z.unbind(0)

    def grad_step(self, k: int, fac: tuple[Any, ...], g_h: Tensor, carry: State,
                  w_hh: Tensor, w_hr: Tensor | None) -> tuple[State, Any]:
        q, z = fac
        dh = carry[0] + g_h
        d = dh.unsqueeze(1) * q[k]
        d_hh = d[:, :3].reshape(d.shape[0], -1)
        return (tw.matmul(d_hh, w_hh) + dh * z[k],), d

    def split(self, rec: Tensor) -> tuple[Tensor, Tensor]:
        lead = rec.shape[:-2]
        return (rec[..., :3, :].reshape(*lead, -1),
                tw.cat([rec[..., :2, :], rec[..., 3:, :]], -2).reshape(*lead, -1))


CELLS: dict[str, Cell] = {"RNN_TANH": RNNTanh(), "RNN_RELU": RNNReLU(), "LSTM": LSTM(),
                          "GRU": GRU()}


def run(cell: Cell, reverse: bool, x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
        b_hh: Tensor | None, w_hr: Tensor | None, state: State
        ) -> tuple[Tensor, list[State], list[tuple[Tensor, ...]]]:
    """One layer in one direction over ``x`` (L, N, H_in), step by step.

    Returns:
        The outputs (L, N, H_out) in time order, the states in processing order (the
        initial one first) and each step's saved values.
    """
    steps = cell.project(x, w_ih, b_ih, b_hh).unbind(0)
    w_hh_t = w_hh.t()
    w_hr_t = None if w_hr is None else w_hr.t()
    if not tw.is_grad_enabled():
        w_hh_t = w_hh_t.contiguous()  # BLAS is faster on a row-major operand
    states, saved = [state], []
    for t in _order(len(steps), reverse):
        state, sv = cell.step(steps[t], state, w_hh_t, b_hh, w_hr_t)
        states.append(state)
        saved.append(sv)
    return _stack(_timed([st[0] for st in states[1:]], reverse)), states, saved


def _stack(tensors: Sequence[Tensor]) -> Tensor:
    """``tw.stack(tensors)`` of per-step tensors as one cat and one view (stack adds a view
    op per tensor, which dominates for a sequence's worth of small tensors).
    """
    return tw.cat(list(tensors)).view(len(tensors), *tensors[0].shape)


def _order(n: int, reverse: bool) -> range:
    return range(n - 1, -1, -1) if reverse else range(n)


def _timed(items: list[Any], reverse: bool) -> list[Any]:
    """Items in processing order, put in time order."""
    return items[::-1] if reverse else items


class Recurrence(tw.autograd.Function):
    """One layer in one direction over a whole sequence (see the module docstring).

    ``apply(cell, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, *state)`` returns
    ``(output, *final_state)``; ``x`` is (L, N, H_in), the states are (N, H).
    """

    @staticmethod
    def forward(ctx: Any, cell: Cell, reverse: bool, x: Tensor, w_ih: Tensor, w_hh: Tensor,
                b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None,
                *state: Tensor) -> tuple[Tensor, ...]:
        out, states, saved = run(cell, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, state)
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, w_hr, *state)
        ctx.cell, ctx.reverse, ctx.states, ctx.steps = cell, reverse, states, saved
        return (out, *states[-1])

    @staticmethod
    def backward(ctx: Any, g_out: Tensor, *g_state: Tensor) -> tuple[Tensor | None, ...]:
        if tw.is_grad_enabled():
            return _differentiable_backward(ctx, g_out, g_state)
        cell, reverse = ctx.cell, ctx.reverse
        x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0 = ctx.saved_tensors
        need = ctx.needs_input_grad
        fac = cell.factors(ctx.steps, ctx.states)
        g_steps = g_out.unbind(0)
        times = _order(len(g_steps), reverse)
        carry, recs = tuple(g_state), []
        for k in reversed(range(len(times))):
            carry, rec = cell.grad_step(k, fac, g_steps[times[k]], carry, w_hh, w_hr)
            recs.append(rec)
        recs = recs if reverse else recs[::-1]  # collected last step first: now in time order
        if w_hr is not None:  # the LSTM projection's record is (d gates, d projected h)
            d_proj = _stack([r[1] for r in recs]).flatten(0, 1)
            hs = _stack([sv[3] for sv in _timed(ctx.steps, reverse)]).flatten(0, 1)
            recs = [r[0] for r in recs]
        d_hh, d_xw = cell.split(_stack(recs))
        h_prev = _stack(_timed([st[0] for st in ctx.states[:-1]], reverse))
        flat_hh, flat_xw = d_hh.flatten(0, 1), d_xw.flatten(0, 1)
        grads: list[Tensor | None] = [None, None]
        grads.append(tw.matmul(d_xw, w_ih) if need[2] else None)
        grads.append(tw.matmul(flat_xw.t(), x.flatten(0, 1)) if need[3] else None)
        grads.append(tw.matmul(flat_hh.t(), h_prev.flatten(0, 1)) if need[4] else None)
        grads.append(flat_xw.sum(0) if need[5] else None)
        grads.append(flat_hh.sum(0) if need[6] else None)
        grads.append(tw.matmul(d_proj.t(), hs) if w_hr is not None and need[7] else None)
        return (*grads, *carry)


def _differentiable_backward(ctx: Any, g_out: Tensor,
                             g_state: Sequence[Tensor]) -> tuple[Tensor | None, ...]:
    """The backward under ``create_graph``: differentiate a recorded re-run of the steps,
    so the gradient is itself differentiable with respect to the inputs.
    """
    inputs = ctx.saved_tensors
    x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0 = inputs
    wanted = [i for i, t in enumerate(inputs) if t is not None and ctx.needs_input_grad[i + 2]]
    out, states, _ = run(ctx.cell, ctx.reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, tuple(state0))
    grads = tw.autograd.grad([out, *states[-1]], [inputs[i] for i in wanted],
                             [g_out, *g_state], create_graph=True, allow_unused=True)
    res: list[Tensor | None] = [None] * (2 + len(inputs))
    for i, g in zip(wanted, grads):
        res[i + 2] = g
    return tuple(res)
