"""PyTorch's functional recurrent layers: ``lstm``, ``gru``, ``rnn_tanh`` and ``rnn_relu``, a
whole stacked (and maybe bidirectional) sequence with the weights passed in as a flat list.

These are the calls ``torch.nn.LSTM`` and friends make (``_VF.lstm(input, hx, flat_weights,
bias, num_layers, dropout, training, bidirectional, batch_first)``), so code written against
them (exported graphs, hand-rolled layers) runs here. Each layer and direction is one
`Recurrence`, the recurrent layers' own math and backward, so the functions and the modules
agree to the bit. ``params`` holds ``w_ih, w_hh[, b_ih, b_hh][, w_hr]`` per layer and
direction (forward before reverse); an LSTM has projections when ``hx`` and ``cx`` differ in
size, as in ATen. The packed-sequence overloads are not provided.
"""

from __future__ import annotations

from typing import Any, Sequence

from .dropout_functions import check_p
from .nn import functional as F
from .nn.recurrence import CELLS, Recurrence
from .ops.movement import cat, stack
from .tensor import Tensor

__all__ = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


def _weights(params: Sequence[Tensor], has_biases: bool, has_projections: bool
             ) -> list[tuple[Tensor | None, ...]]:
    """ATen's ``gather_params``: (w_ih, w_hh, b_ih, b_hh, w_hr) per layer-direction."""
    per = (4 if has_biases else 2) + (1 if has_projections else 0)
    if len(params) % per:
        raise RuntimeError("got an incorrect number of RNN parameters")
    out = []
    for i in range(0, len(params), per):
        p = list(params[i:i + per])
        b = (p[2], p[3]) if has_biases else (None, None)
        out.append((p[0], p[1], *b, p[-1] if has_projections else None))
    return out


def _stacked(mode: str, input: Tensor, hx: Sequence[Tensor], params: Any,  # noqa: A002
             has_biases: bool, num_layers: int, dropout: float, train: bool,
             bidirectional: bool, batch_first: bool) -> tuple[Tensor, ...]:
    """Every layer over ``input`` (ATen's ``_rnn_impl``): the output and the final states,
    stacked (num_layers * directions, N, H).
    """
    if not isinstance(params, (tuple, list)) or not all(isinstance(p, Tensor) for p in params):
        raise TypeError(f"{mode.lower()}(): argument 'params' (position 3) must be tuple of "
                        f"Tensors, not {type(params).__name__}")
    projections = mode == "LSTM" and hx[0].shape[2] != hx[1].shape[2]
    weights = _weights(params, has_biases, projections)
    states = list(zip(*(h.unbind(0) for h in hx)))
    directions = 2 if bidirectional else 1
    if bidirectional and (len(states) % 2 or len(weights) % 2):
        raise RuntimeError("Odd number of params or hiddens given to a bidirectional RNN")
    if len(states) != num_layers * directions:
        raise RuntimeError("Expected more hidden states in stacked_rnn")
    if len(weights) != num_layers * directions:
        raise RuntimeError("Expected more weights in stacked_rnn")
    x = input.transpose(0, 1) if batch_first else input
    if x.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    cell, finals = CELLS[mode], []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            i = layer * directions + d
            out, *final = Recurrence.apply(cell, d == 1, x, *weights[i], *states[i])
            outs.append(out)
            finals.append(final)
        x = outs[0] if directions == 1 else cat(outs, 2)
        if dropout != 0 and train and layer < num_layers - 1:
            check_p(dropout)
            x = F.dropout(x, dropout, True)
    output = x.transpose(0, 1) if batch_first else x
    return (output, *(stack(list(s)) for s in zip(*finals)))


def _check_hx(name: str, hx: Any, tuple_of: bool) -> tuple[Tensor, ...]:
    """``hx`` as a tuple of states: ``(h, c)`` for the LSTM, ``(h,)`` for the others.

    Raises:
        TypeError: ``hx`` is not a tensor (a tuple of tensors for the LSTM).
    """
    if tuple_of:
        if isinstance(hx, (tuple, list)) and all(isinstance(h, Tensor) for h in hx):
            return tuple(hx)
        raise TypeError(f"{name}(): argument 'hx' (position 2) must be tuple of Tensors, not "
                        f"{type(hx).__name__}")
    if not isinstance(hx, Tensor):
        raise TypeError(f"{name}(): argument 'hx' (position 2) must be Tensor, not "
                        f"{type(hx).__name__}")
    return (hx,)


def lstm(input: Tensor, hx: Sequence[Tensor], params: Sequence[Tensor],  # noqa: A002
         has_biases: bool, num_layers: int, dropout: float, train: bool, bidirectional: bool,
         batch_first: bool) -> tuple[Tensor, Tensor, Tensor]:
    """A stacked LSTM over ``input`` (L, N, H_in), or (N, L, H_in) with ``batch_first``.

    Args:
        hx: ``(h_0, c_0)``, each (num_layers * directions, N, H); ``h_0`` has the
            projection's size when ``params`` hold projections.
        params: the flat weights, as ``nn.LSTM._flat_weights``.
        dropout: applied to the output of every layer but the last when ``train``.

    Returns:
        ``(output, h_n, c_n)``.

    Raises:
        TypeError: ``hx`` or ``params`` is not a sequence of tensors.
        RuntimeError: ``hx`` is not two states, or the parameters, states and layers disagree.
    """
    states = _check_hx("lstm", hx, True)
    if len(states) != 2:
        raise RuntimeError("lstm expects two hidden states")
    out, h, c = _stacked("LSTM", input, states, params, has_biases, num_layers, dropout, train,
                         bidirectional, batch_first)
    return out, h, c


def _single_state(mode: str) -> Any:
    name = mode.lower()

    def fn(input: Tensor, hx: Tensor, params: Sequence[Tensor], has_biases: bool,  # noqa: A002
           num_layers: int, dropout: float, train: bool, bidirectional: bool,
           batch_first: bool) -> tuple[Tensor, Tensor]:
        states = _check_hx(name, hx, False)
        out, h = _stacked(mode, input, states, params, has_biases, num_layers, dropout, train,
                          bidirectional, batch_first)
        return out, h

    fn.__name__ = fn.__qualname__ = name
    return fn


gru = _single_state("GRU")
gru.__doc__ = """A stacked GRU over ``input``: ``(output, h_n)`` (see `lstm` for the arguments;
``hx`` is one tensor)."""
rnn_tanh = _single_state("RNN_TANH")
rnn_tanh.__doc__ = """A stacked tanh Elman RNN over ``input``: ``(output, h_n)`` (see `lstm`
for the arguments; ``hx`` is one tensor)."""
rnn_relu = _single_state("RNN_RELU")
rnn_relu.__doc__ = """A stacked relu Elman RNN over ``input``: ``(output, h_n)`` (see `lstm`
for the arguments; ``hx`` is one tensor)."""
