"""``tw.lstm``, ``tw.gru``, ``tw.rnn_tanh`` and ``tw.rnn_relu`` (the flat-weights functional
recurrent layers) against PyTorch's values, shapes, float64 gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare
from _raised import errors

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(11)
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def weights(mode: str, n_in: int, hidden: int, layers: int, bidirectional: bool,
            bias: bool, proj: int = 0) -> list[np.ndarray]:
    """Random flat weights in PyTorch's order: w_ih, w_hh[, b_ih, b_hh][, w_hr] per layer and
    direction."""
    g, d = GATES[mode] * hidden, 2 if bidirectional else 1
    real = proj or hidden
    out = []
    for layer in range(layers):
        for _ in range(d):
            size = n_in if layer == 0 else real * d
            out += [R.uniform(-0.5, 0.5, (g, size)), R.uniform(-0.5, 0.5, (g, real))]
            if bias:
                out += [R.uniform(-0.5, 0.5, g), R.uniform(-0.5, 0.5, g)]
            if proj:
                out.append(R.uniform(-0.5, 0.5, (proj, hidden)))
    return out


CASES = [  # mode, layers, bidirectional, bias, batch_first, proj
    ("lstm", 1, False, True, False, 0), ("lstm", 2, True, True, True, 0),
    ("lstm", 2, False, False, False, 2), ("gru", 2, True, True, False, 0),
    ("gru", 1, False, False, True, 0), ("rnn_tanh", 2, True, False, True, 0),
    ("rnn_relu", 2, False, True, False, 0),
]


@pytest.mark.parametrize("mode,layers,bidirectional,bias,batch_first,proj", CASES)
def test_values_and_gradients_match_torch(mode: str, layers: int, bidirectional: bool,
                                          bias: bool, batch_first: bool, proj: int) -> None:
    """Outputs, final states and the float64 gradients of input, states and every weight."""
    n_in, hidden, seq, batch = 3, 4, 5, 2
    d = 2 if bidirectional else 1
    x = R.standard_normal((batch, seq, n_in) if batch_first else (seq, batch, n_in))
    h = R.standard_normal((layers * d, batch, proj or hidden))
    states = [h] + ([R.standard_normal((layers * d, batch, hidden))] if mode == "lstm" else [])
    ws = weights(mode, n_in, hidden, layers, bidirectional, bias, proj)
    k = len(states)

    def call(fw: object) -> object:
        def fn(x: object, *rest: object) -> object:
            hx = tuple(rest[:k]) if mode == "lstm" else rest[0]
            return getattr(fw, mode)(x, hx, list(rest[k:]), bias, layers, 0.0, False,
                                     bidirectional, batch_first)
        return fn

    out = compare(call(tw), call(torch), x, *states, *ws, rtol=1e-12, atol=1e-12)
    assert len(out) == (3 if mode == "lstm" else 2)


def test_dropout_between_layers_in_training() -> None:
    """Dropout 1 zeroes the first layer's output, so the second layer sees zeros; with
    ``train=False`` dropout is not applied (and not checked)."""
    x = R.standard_normal((3, 2, 3))
    h = np.zeros((2, 2, 4))
    ws = weights("gru", 3, 4, 2, False, True)
    outs = []
    for fw in (tw, torch):
        args = (fw.tensor(x), fw.tensor(h), [fw.tensor(w) for w in ws], True, 2)
        out, hn = fw.gru(*args, 1.0, True, False, False)
        zeros = fw.gru(fw.zeros(3, 2, 4, dtype=fw.float64), fw.tensor(h[1:]),
                       [fw.tensor(w) for w in ws[4:]], True, 1, 0.0, False, False, False)[0]
        np.testing.assert_allclose(out.numpy(), zeros.numpy(), rtol=1e-12, atol=1e-12)
        outs.append(fw.gru(*args, 1.5, False, False, False)[0].numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)


def _lstm_args(fw: object, **change: object) -> tuple[object, ...]:
    x = fw.zeros(5, 3, 4, dtype=fw.float64)  # type: ignore[attr-defined]
    h = fw.zeros(4, 3, 6, dtype=fw.float64)  # type: ignore[attr-defined]
    ws = [fw.tensor(w) for w in weights("lstm", 4, 6, 2, True, True)]  # type: ignore
    args = {"input": x, "hx": (h, h), "params": ws, "has_biases": True, "num_layers": 2,
            "dropout": 0.0, "train": False, "bidirectional": True, "batch_first": False}
    for name, value in change.items():
        args[name] = value(fw, args) if callable(value) else value
    return tuple(args.values())


ERRORS = {
    "one state": {"hx": lambda fw, a: a["hx"][:1]},
    "three states": {"hx": lambda fw, a: (*a["hx"], a["hx"][0])},
    "params not a multiple": {"params": lambda fw, a: a["params"][:-1]},
    "odd layer-directions": {"params": lambda fw, a: a["params"][:-4]},
    "odd states": {"hx": lambda fw, a: tuple(h[:3] for h in a["hx"])},
    "too few layers": {"num_layers": 1},
    "too many layers": {"num_layers": 3},
    "too few weights": {"has_biases": False},
    "empty sequence": {"input": lambda fw, a: a["input"][:0]},
    "bad dropout": {"dropout": -0.5, "train": True},
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch(case: str) -> None:
    got = errors(tw.lstm, *_lstm_args(tw, **ERRORS[case]))
    want = errors(torch.lstm, *_lstm_args(torch, **ERRORS[case]))
    assert got == want


def test_state_type_errors() -> None:
    """A tensor ``hx`` for the LSTM, a tuple for the others: TypeError, as PyTorch."""
    assert errors(tw.lstm, *_lstm_args(tw, hx=lambda fw, a: a["hx"][0]))[0] is TypeError
    assert errors(torch.lstm, *_lstm_args(torch, hx=lambda fw, a: a["hx"][0]))[0] is TypeError
    for fw in (tw, torch):
        assert errors(fw.gru, *_lstm_args(fw))[0] is TypeError
