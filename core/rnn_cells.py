"""PyTorch's functional recurrent cells: ``lstm_cell``, ``gru_cell``, ``rnn_tanh_cell`` and
``rnn_relu_cell``, one step with the weights passed in.

The math is the recurrent layers' own (`tensorweave.nn.recurrence`), the same step the
``*Cell`` modules record, so the functions and the modules agree to the bit.
"""

from __future__ import annotations

from typing import Any

from .nn.recurrence import CELLS
from .ops.creation import zeros_like
from .tensor import Tensor

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]


def _step(mode: str, input: Tensor, states: tuple[Tensor, ...], w_ih: Tensor,  # noqa: A002
          w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> tuple[Tensor, ...]:
    if input.shape[-1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                           f"expected {w_ih.shape[1]}")
    cell = CELLS[mode]
    if cell.fold_hh_bias and (b_ih is None) != (b_hh is None):  # the layers pass both or none
        b_ih, b_hh = (b_ih if b_ih is not None else zeros_like(b_hh),
                      b_hh if b_hh is not None else zeros_like(b_ih))
    xw = cell.project(input, w_ih, b_ih, b_hh)
    new, _ = cell.step(xw, states, w_hh.t(), b_hh, None)  # type: ignore[attr-defined]
    return new


def lstm_cell(input: Tensor, hx: Any, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step (gates i, f, g, o): ``(h', c')`` from ``hx = (h, c)``.

    Raises:
        TypeError: ``hx`` is not a tuple or list of tensors.
        RuntimeError: ``hx`` does not hold two states, or the input size is not ``w_ih``'s.
    """
    if not isinstance(hx, (tuple, list)):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                        f"not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    h, c = _step("LSTM", input, tuple(hx), w_ih, w_hh, b_ih, b_hh)
    return h, c


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (gates r, z, n): the next hidden state."""
    return _step("GRU", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return _step("RNN_TANH", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step with relu: ``relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return _step("RNN_RELU", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]
