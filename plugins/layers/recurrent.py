"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, as in ``torch.nn``.

Parameter names, shapes, order and initialization are PyTorch's, so state dicts transfer
both ways. The math lives in `tensorweave.nn.recurrence`: a sequence layer runs each layer
and direction as one `Recurrence` (one input-projection matmul, then one matmul and a few
elementwise ops per step, with a hand-written backward through time); a cell is one
recorded step.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F
from tensorweave.nn.recurrence import CELLS, Recurrence
from tensorweave.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

class RNNBase(Module):
    """The parameters and the forward shared by `RNN`, `LSTM` and `GRU`.

    Args:
        mode: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
        input_size: features of the input ``x``.
        hidden_size: features of the hidden state ``h``.
        num_layers: stacked recurrent layers (each takes the previous one's output).
        bias: add the ``b_ih`` and ``b_hh`` biases.
        batch_first: inputs and outputs are (N, L, H) instead of (L, N, H) (the states
            are always (D * num_layers, N, H)).
        dropout: dropout probability on the outputs of every layer but the last, in
            training mode.
        bidirectional: run a second, reversed pass per layer and concatenate both.
        proj_size: LSTM only: project ``h`` to this size with ``weight_hr``.

    Raises:
        ValueError: for a dropout outside [0, 1], non-positive sizes or a bad proj_size.
        TypeError: for a non-bool ``bias``/``batch_first`` or non-int sizes.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_args(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        if mode not in CELLS:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = CELLS[mode].gates * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {"weight_ih": (gate_size, layer_input),
                          "weight_hh": (gate_size, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for name, shape in shapes.items():
                    setattr(self, name + suffix,
                            Parameter(tw.empty(shape, device=device, dtype=dtype)))
                    names.append(name + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch compatibility (cuDNN's weight packing has no analogue)."""

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _layer_weights(self, index: int) -> tuple[Tensor | None, ...]:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer-direction, None where absent."""
        names = self._all_weights[index]
        w = [getattr(self, n) for n in names]
        b = (w[2], w[3]) if self.bias else (None, None)
        return (w[0], w[1], *b, w[-1] if self.proj_size > 0 else None)

    def _run(self, input: Any, hx: tuple[Tensor, ...] | None,  # noqa: A002
             ) -> tuple[Any, tuple[Tensor, ...]]:
        """Check the arguments and run every layer; ``hx`` is the initial state(s) or None.

        Returns:
            The output and the final state(s), unbatched again for an unbatched input (a
            `PackedSequence` in, a `PackedSequence` out).
        """
        if isinstance(input, PackedSequence):
            return self._run_packed(input, hx)
        kind = "RNN" if self.mode.startswith("RNN") else self.mode
        if input.dim() not in (2, 3):
            raise ValueError(f"{kind}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"{'tensor ' if kind == 'RNN' else ''}instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if hx is not None:
            _check_state_dims(kind, is_batched, hx)
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx)
        self._check_input(input)
        x = input.transpose(0, 1) if self.batch_first else input
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        directions = 2 if self.bidirectional else 1
        states = self._initial_states(x.shape[1], x, hx)
        cell = CELLS[self.mode]
        finals = []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                i = layer * directions + d
                out, *final = Recurrence.apply(cell, d == 1, x, *self._layer_weights(i),
                                               *states[i])
                outs.append(out)
                finals.append(final)
            x = outs[0] if directions == 1 else tw.cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        output = x.transpose(0, 1) if self.batch_first else x
        final_states = tuple(tw.stack(list(s)) for s in zip(*finals))
        if not is_batched:
            output = output.squeeze(batch_dim)
            final_states = tuple(s.squeeze(1) for s in final_states)
        return output, final_states

    def _initial_states(self, n: int, x: Tensor, hx: tuple[Tensor, ...] | None
                        ) -> list[tuple[Tensor, ...]]:
        """Per layer-direction initial state(s) of a batch of ``n``: zeros, or ``hx``
        checked against the expected sizes."""
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        sizes = [real_hidden] + ([self.hidden_size] if self.mode == "LSTM" else [])
        if hx is None:
            return [tuple(tw.zeros(n, s, dtype=x.dtype, device=x.device) for s in sizes)
                    for _ in range(self.num_layers * directions)]
        for i, (h, s) in enumerate(zip(hx, sizes)):
            e = (self.num_layers * directions, n, s)
            if tuple(h.shape) != e:
                what = f"hidden[{i}]" if len(hx) > 1 else "hidden"
                raise RuntimeError(f"Expected {what} size {e}, got {list(h.shape)}")
        return list(zip(*(h.unbind(0) for h in hx)))

    def _run_packed(self, packed: PackedSequence, hx: tuple[Tensor, ...] | None,
                    ) -> tuple[PackedSequence, tuple[Tensor, ...]]:
        """Every layer over a packed batch: each run of time steps with the same number of
        live sequences is one `Recurrence` over those sequences, so no step reads padding
        and each sequence's final state is the one after its own last step, as PyTorch's.
        ``hx`` and the final states are in the caller's batch order."""
        x, sizes = packed.data, packed.batch_sizes.cpu().numpy().astype(np.int64)
        if x.dim() != 2:
            raise ValueError(f"packed input data must be 2-D (steps x features), got "
                             f"{x.dim()}D")
        self._check_input(x)
        if hx is not None and packed.sorted_indices is not None:
            hx = tuple(h.index_select(1, packed.sorted_indices) for h in hx)
        states = self._initial_states(int(sizes[0]), x, hx)
        runs, start = [], 0  # (first row, steps, live sequences) per run of equal sizes
        for b in sorted(set(sizes.tolist()), reverse=True):
            steps = int((sizes == b).sum())
            runs.append((start, steps, b))
            start += steps * b
        directions = 2 if self.bidirectional else 1
        cell, finals = CELLS[self.mode], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                i = layer * directions + d
                out, final = _packed_direction(cell, d == 1, x, runs, self._layer_weights(i),
                                               states[i])
                outs.append(out)
                finals.append(final)
            x = outs[0] if directions == 1 else tw.cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        final_states = tuple(tw.stack(list(s)) for s in zip(*finals))
        if packed.unsorted_indices is not None:
            final_states = tuple(s.index_select(1, packed.unsorted_indices)
                                 for s in final_states)
        return packed._replace(data=x), final_states

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")


def _packed_direction(cell: Any, reverse: bool, x: Tensor, runs: list[tuple[int, int, int]],
                      weights: tuple[Tensor | None, ...], state: tuple[Tensor, ...]
                      ) -> tuple[Tensor, tuple[Tensor, ...]]:
    """One layer-direction over packed rows ``x``: a `Recurrence` per run of steps (in time
    order, or backwards for ``reverse``, where the live batch grows and each new sequence
    starts from its initial state). Sequences not live in a run keep their state.

    Returns:
        The packed output rows and the final state(s) of every sequence.
    """
    current, outs = list(state), []
    for first, steps, b in (reversed(runs) if reverse else runs):
        xs = x[first:first + steps * b].view(steps, b, x.shape[1])
        out, *final = Recurrence.apply(cell, reverse, xs, *weights, *(s[:b] for s in current))
        current = [f if b == s.shape[0] else tw.cat([f, s[b:]]) for f, s in zip(final, current)]
        outs.append(out.reshape(steps * b, out.shape[2]))
    return tw.cat(outs[::-1] if reverse else outs), tuple(current)


def _check_args(input_size: Any, hidden_size: Any, num_layers: Any, bias: Any, batch_first: Any,
                dropout: Any, proj_size: Any) -> None:
    """PyTorch's constructor checks of `RNNBase`, with its messages."""
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _check_state_dims(kind: str, is_batched: bool, hx: tuple[Tensor, ...]) -> None:
    want = 3 if is_batched else 2
    if all(h.dim() == want for h in hx):
        return
    what = "batched 3-D" if is_batched else "unbatched 2-D"
    if kind == "LSTM":
        raise RuntimeError(f"For {what} input, hx and cx should also be {want}-D but got "
                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
    raise RuntimeError(f"For {what} input, hx should also be {want}-D but got "
                       f"{hx[0].dim()}-D tensor")


def _no_proj_size(kwargs: dict[str, Any]) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


def _sequence_samples(rng: np.random.Generator, lstm: bool) -> list[ModuleSample]:
    """Small RNN/LSTM/GRU cases over the options; ``lstm`` passes (h0, c0) states."""
    def state(layers: int, n: int, h: int) -> Any:
        hs = tuple(rng.standard_normal((layers, n, h)) for _ in range(2 if lstm else 1))
        return hs if lstm else hs[0]

    x = rng.standard_normal
    return [
        ModuleSample(args=(3, 4), inputs=(x((5, 2, 3)),), name="default"),
        ModuleSample(args=(3, 4), kwargs={"num_layers": 2, "bidirectional": True},
                     inputs=(x((4, 2, 3)), state(4, 2, 4)), name="2-layer-bidirectional-hx"),
        ModuleSample(args=(3, 2), kwargs={"batch_first": True, "bias": False},
                     inputs=(x((2, 4, 3)), state(1, 2, 2)), name="batch_first-no-bias-hx"),
        ModuleSample(args=(2, 3), kwargs={"bidirectional": True}, inputs=(x((4, 2)),),
                     name="unbatched-bidirectional"),
        ModuleSample(args=(2, 3), kwargs={"num_layers": 2, "dropout": 0.5},
                     inputs=(x((3, 2, 2)),), name="dropout", random=True),
        ModuleSample(args=(2, 3), kwargs={"num_layers": 2, "dropout": 0.5},
                     inputs=(x((3, 2, 2)),), name="dropout-eval", train=False),
    ]


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu), like
    `torch.nn.RNN`.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            see `RNNBase`.
        nonlinearity: ``'tanh'`` (default) or ``'relu'``.

    Shape:
        - input: (L, N, H_in), (N, L, H_in) with ``batch_first``, or (L, H_in) unbatched.
        - hx: (D * num_layers, N, H) or (D * num_layers, H); zeros when omitted.
        - output: (L, N, D * H) (batch first as the input); h_n: like hx.

    Example:
        >>> import tensorweave as tw
        >>> rnn = tw.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(tw.randn(5, 3, 10), tw.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (tensorweave.Size([5, 3, 20]), tensorweave.Size([2, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _no_proj_size(kwargs)
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_" + nonlinearity.upper(), *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None,  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(input, None if hx is None else (hx,))
        return output, h_n

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [*_sequence_samples(rng, lstm=False),
                ModuleSample(args=(3, 4), kwargs={"nonlinearity": "relu", "num_layers": 2},
                             inputs=(rng.standard_normal((4, 2, 3)),), name="relu")]


class LSTM(RNNBase):
    """Long short-term memory, like `torch.nn.LSTM`: gates (i, f, g, o),
    ``c_t = f*c_{t-1} + i*g`` and ``h_t = o*tanh(c_t)`` (times ``W_hr^T`` with proj_size).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
        proj_size: see `RNNBase`.

    Shape:
        - input: (L, N, H_in), (N, L, H_in) with ``batch_first``, or (L, H_in) unbatched.
        - hx: a tuple (h_0, c_0) of (D * num_layers, N, H_out) and (D * num_layers, N, H)
          (without N when unbatched); zeros when omitted. H_out is proj_size or hidden_size.
        - output: (L, N, D * H_out); (h_n, c_n) like hx.

    Example:
        >>> import tensorweave as tw
        >>> lstm = tw.nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(tw.randn(5, 3, 10))
        >>> output.shape, cn.shape
        (tensorweave.Size([5, 3, 20]), tensorweave.Size([2, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None,  # noqa: A002
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, (h_n, c_n) = self._run(input, None if hx is None else tuple(hx))
        return output, (h_n, c_n)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        return [*_sequence_samples(rng, lstm=True),
                ModuleSample(args=(3, 4), kwargs={"proj_size": 2, "bidirectional": True},
                             inputs=(x((3, 2, 3)), (x((2, 2, 2)), x((2, 2, 4)))),
                             name="proj_size-hx")]


class GRU(RNNBase):
    """Gated recurrent unit, like `torch.nn.GRU`: gates (r, z, n) with
    ``n = tanh(W_in x + b_in + r*(W_hn h + b_hn))`` and ``h' = (1-z)*n + z*h``.

    Args and shapes: as `RNN` (no nonlinearity).

    Example:
        >>> import tensorweave as tw
        >>> gru = tw.nn.GRU(10, 20, 2)
        >>> output, hn = gru(tw.randn(5, 3, 10))
        >>> hn.shape
        tensorweave.Size([2, 3, 20])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _no_proj_size(kwargs)
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None,  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(input, None if hx is None else (hx,))
        return output, h_n

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _sequence_samples(rng, lstm=False)


# -- cells ----------------------------------------------------------------------------------------


class RNNCellBase(Module):
    """The parameters of a single-step cell: ``weight_ih`` (chunks*H, H_in), ``weight_hh``
    (chunks*H, H) and, with ``bias``, ``bias_ih`` and ``bias_hh``; all from
    U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        size = num_chunks * hidden_size
        self.weight_ih = Parameter(tw.empty((size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(tw.empty((size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(tw.empty(size, device=device, dtype=dtype))
            self.bias_hh = Parameter(tw.empty(size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, mode: str, input: Tensor, hx: Any) -> tuple[Tensor, ...]:  # noqa: A002
        """Check the shapes as PyTorch does and run one recorded step of ``mode``.

        ``hx`` is None, a tensor, or a tuple (LSTM); the result is the new state tuple.
        """
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        states = (hx,) if isinstance(hx, Tensor) else hx
        if states is not None:
            for i, h in enumerate(states):
                if h.dim() not in (1, 2):
                    what = f"hx[{i}]" if mode == "LSTM" else "hidden"
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D "
                                     "instead")
        is_batched = input.dim() == 2
        x = input if is_batched else input.unsqueeze(0)
        if states is None:
            zeros = tw.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            states = (zeros,) * (2 if mode == "LSTM" else 1)
        elif not is_batched:
            states = tuple(h.unsqueeze(0) for h in states)
        self._check_sizes(x, states)
        cell = CELLS[mode]
        xw = cell.project(x, self.weight_ih, self.bias_ih, self.bias_hh)
        new, _ = cell.step(xw, tuple(states), self.weight_hh.t(), self.bias_hh, None)
        return new if is_batched else tuple(h.squeeze(0) for h in new)

    def _check_sizes(self, x: Tensor, states: tuple[Tensor, ...]) -> None:
        """PyTorch's cell checks, with its messages."""
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size}")
        for i, h in enumerate(states):
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{i} "
                                   f"batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {self.hidden_size}")


def _cell_samples(rng: np.random.Generator, lstm: bool) -> list[ModuleSample]:
    x = rng.standard_normal

    def state(*shape: int) -> Any:
        return (x(shape), x(shape)) if lstm else x(shape)

    return [ModuleSample(args=(3, 4), inputs=(x((2, 3)),), name="default"),
            ModuleSample(args=(3, 4), inputs=(x((2, 3)), state(2, 4)), name="hx"),
            ModuleSample(args=(3, 2), kwargs={"bias": False}, inputs=(x((3,)), state(2)),
                         name="unbatched-no-bias")]


class RNNCell(RNNCellBase):
    """One Elman RNN step ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu), like
    `torch.nn.RNNCell`.

    Shape:
        input (N, H_in) or (H_in); hx (N, H) or (H), zeros when omitted; output like hx.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._step("RNN_" + self.nonlinearity.upper(), input, hx)[0]

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return [*_cell_samples(rng, lstm=False),
                ModuleSample(args=(3, 4), kwargs={"nonlinearity": "relu"},
                             inputs=(rng.standard_normal((2, 3)),), name="relu")]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o), like `torch.nn.LSTMCell`.

    Shape:
        input (N, H_in) or (H_in); hx a tuple (h, c) of (N, H) or (H), zeros when omitted;
        returns (h', c') like hx.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None,  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        h, c = self._step("LSTM", input, None if hx is None else tuple(hx))
        return h, c

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _cell_samples(rng, lstm=True)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n), like `torch.nn.GRUCell`.

    Shape:
        input (N, H_in) or (H_in); hx (N, H) or (H), zeros when omitted; output like hx.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        return self._step("GRU", input, hx)[0]

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        return _cell_samples(rng, lstm=False)
