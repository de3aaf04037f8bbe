"""RNN, LSTM, GRU and their cells against PyTorch (float64, identical parameters): outputs,
input and parameter gradients for every option; parameter layout, init, repr, errors;
double backward through the whole-sequence backward.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
L, N, IN, H = 4, 3, 5, 6


def rand(*shape):
    return RNG.standard_normal(shape)


def pair(name, *args, **kwargs):
    """The tensorweave layer and PyTorch's, sharing parameters (float64)."""
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(*args, **kwargs)
    mod = getattr(tw.nn, name)(*args, **kwargs)
    copy_parameters(mod, ref)
    return mod, ref


def states(name, layers, batch, hidden=H, cell=None, proj=0):
    """hx for a sequence layer: a tensor, or (h0, c0) for an LSTM."""
    lead = (layers,) + ((batch,) if batch else ())
    if name == "LSTM":
        return (rand(*lead, proj or hidden), rand(*lead, cell or hidden))
    return rand(*lead, hidden)


SEQUENCE_CONFIGS = [
    ({}, "default"),
    ({"num_layers": 2}, "2-layer"),
    ({"bidirectional": True}, "bidirectional"),
    ({"num_layers": 2, "bidirectional": True}, "2-layer-bidirectional"),
    ({"batch_first": True}, "batch_first"),
    ({"bias": False, "num_layers": 2}, "no-bias"),
    ({"num_layers": 2, "dropout": 0.3}, "dropout-eval"),
]
LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]


@pytest.mark.parametrize("name,extra", LAYERS, ids=["RNN-tanh", "RNN-relu", "LSTM", "GRU"])
@pytest.mark.parametrize("config,_", SEQUENCE_CONFIGS, ids=[c[1] for c in SEQUENCE_CONFIGS])
@pytest.mark.parametrize("with_hx", [False, True], ids=["zero-state", "hx"])
def test_sequence_layer_matches_torch(name, extra, config, _, with_hx):
    mod, ref = pair(name, IN, H, **extra, **config)
    if "dropout" in config:
        mod.eval()
        ref.eval()
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    x = rand(N, L, IN) if config.get("batch_first") else rand(L, N, IN)
    inputs = (x, states(name, layers, N)) if with_hx else (x,)
    out = compare(mod, ref, inputs)
    assert out[0].shape == ((N, L) if config.get("batch_first") else (L, N)) + (
        H * (2 if config.get("bidirectional") else 1),)


@pytest.mark.parametrize("name,extra", LAYERS, ids=["RNN-tanh", "RNN-relu", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_matches_torch(name, extra, batch_first):
    mod, ref = pair(name, IN, H, num_layers=2, bidirectional=True, batch_first=batch_first,
                    **extra)
    compare(mod, ref, (rand(L, IN),))
    out = compare(mod, ref, (rand(L, IN), states(name, 4, None)))
    assert out[0].shape == (L, 2 * H)


@pytest.mark.parametrize("config", [{}, {"num_layers": 2, "bidirectional": True},
                                    {"batch_first": True, "bias": False}])
def test_lstm_projection_matches_torch(config):
    mod, ref = pair("LSTM", IN, H, proj_size=2, **config)
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    x = rand(N, L, IN) if config.get("batch_first") else rand(L, N, IN)
    compare(mod, ref, (x,))
    out = compare(mod, ref, (x, states("LSTM", layers, N, proj=2)))
    assert out[1][0].shape == (layers, N, 2) and out[1][1].shape == (layers, N, H)
    assert [p.shape for p in mod.parameters()] == [p.shape for p in ref.parameters()]


def test_dropout_between_layers_is_placed_as_torch():
    # p=1 zeroes whatever dropout touches, so its placement is visible deterministically.
    mod, ref = pair("LSTM", IN, H, num_layers=3, dropout=1.0)
    compare(mod, ref, (rand(L, N, IN),))


def test_dropout_is_random_in_training_and_off_in_eval():
    lstm = tw.nn.GRU(IN, H, num_layers=2, dropout=0.5).double()
    x = tw.tensor(rand(L, N, IN))
    tw.manual_seed(1)
    a = lstm(x)[0]
    tw.manual_seed(1)
    b = lstm(x)[0]
    c = lstm(x)[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].detach().numpy(), lstm(x)[0].detach().numpy())


def test_no_grad_forward_matches_the_recorded_one():
    mod, _ = pair("LSTM", IN, H, num_layers=2, bidirectional=True)
    x = tw.tensor(rand(L, N, IN))
    with tw.no_grad():
        out, (h, c) = mod(x)
    assert out.grad_fn is None
    ref_out, (ref_h, ref_c) = mod(x)
    np.testing.assert_allclose(out.numpy(), ref_out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(c.numpy(), ref_c.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("name,extra", LAYERS, ids=["RNN-tanh", "RNN-relu", "LSTM", "GRU"])
def test_double_backward_is_exact(name, extra):
    mod, ref = pair(name, 2, 3, bidirectional=True, **extra)
    x, h0 = rand(3, 2, 2), states(name, 2, 2, hidden=3)
    h0 = h0[0] if name == "LSTM" else h0
    assert tw.autograd.gradgradcheck(
        lambda x, h: mod(x, (h, h) if name == "LSTM" else h)[0],
        (tw.tensor(x, requires_grad=True), tw.tensor(h0, requires_grad=True)))
    # A mixed second derivative (weight, then input), against PyTorch's.
    res = []
    for m, fw in ((mod, tw), (ref, torch)):
        xt = fw.tensor(x, requires_grad=True)
        (g,) = fw.autograd.grad(m(xt)[0].sum(), (m.weight_hh_l0_reverse,), create_graph=True)
        (gg,) = fw.autograd.grad((g * g).sum(), (xt,))
        res.append(gg.detach().numpy())
    np.testing.assert_allclose(res[0], res[1], atol=1e-10)


# -- cells ---------------------------------------------------------------------------------------

CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {})]


def cell_state(name, batch):
    lead = (batch,) if batch else ()
    return (rand(*lead, H), rand(*lead, H)) if name == "LSTMCell" else rand(*lead, H)


@pytest.mark.parametrize("name,extra", CELLS, ids=["RNNCell-tanh", "RNNCell-relu", "LSTMCell",
                                                   "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch(name, extra, bias):
    mod, ref = pair(name, IN, H, bias=bias, **extra)
    compare(mod, ref, (rand(N, IN),))
    compare(mod, ref, (rand(N, IN), cell_state(name, N)))
    out = compare(mod, ref, (rand(IN), cell_state(name, None)))
    assert (out[0] if name == "LSTMCell" else out).shape == (H,)


# -- layout, init, repr ------------------------------------------------------------------------


@pytest.mark.parametrize("name,kwargs", [
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 3, "bias": False, "num_layers": 2}),
    ("GRU", {"num_layers": 2, "bias": False}),
    ("RNN", {"bidirectional": True}),
    ("LSTMCell", {}), ("GRUCell", {"bias": False}), ("RNNCell", {})])
def test_parameter_names_shapes_and_order_are_torchs(name, kwargs):
    mod = getattr(tw.nn, name)(IN, H, **kwargs)
    ref = getattr(torch.nn, name)(IN, H, **kwargs)
    assert [(n, tuple(p.shape)) for n, p in mod.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in ref.named_parameters()]
    assert list(mod.state_dict()) == list(ref.state_dict())
    if hasattr(ref, "all_weights"):
        assert [[tuple(p.shape) for p in ws] for ws in mod.all_weights] == [
            [tuple(p.shape) for p in ws] for ws in ref.all_weights]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_init_is_uniform_within_one_over_sqrt_hidden(name):
    hidden = 64
    mod = getattr(tw.nn, name)(32, hidden)
    bound = 1 / math.sqrt(hidden)
    values = np.concatenate([p.detach().numpy().ravel() for p in mod.parameters()])
    assert np.abs(values).max() <= bound
    # U(-b, b) has standard deviation b / sqrt(3).
    assert abs(values.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(values.mean()) < 0.02 * bound


@pytest.mark.parametrize("name,args,kwargs", [
    ("RNN", (3, 4), {}), ("RNN", (3, 4), {"nonlinearity": "relu", "num_layers": 2}),
    ("LSTM", (3, 4, 2), {"bias": False, "batch_first": True, "dropout": 0.5,
                         "bidirectional": True}),
    ("LSTM", (3, 4), {"proj_size": 2}), ("GRU", (3, 4), {"dropout": 0.25, "num_layers": 3}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}), ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False})])
def test_repr_is_torchs(name, args, kwargs):
    assert repr(getattr(tw.nn, name)(*args, **kwargs)) == repr(
        getattr(torch.nn, name)(*args, **kwargs))


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, "
                                         "but got dropout=0.5 and num_layers=1"):
        tw.nn.LSTM(3, 4, dropout=0.5)


# -- errors --------------------------------------------------------------------------------------


def _raises(exc, msg, fn, *args):
    with pytest.raises(exc) as info:
        fn(*args)
    assert str(info.value) == msg


def test_sequence_errors_match_torch():
    lstm = tw.nn.LSTM(10, 4)
    x = tw.randn(5, 2, 10)
    _raises(RuntimeError, "input.size(-1) must be equal to input_size. Expected 10, got 7",
            lstm, tw.randn(5, 2, 7))
    _raises(RuntimeError, "Expected hidden[0] size (1, 2, 4), got [1, 3, 4]",
            lstm, x, (tw.randn(1, 3, 4), tw.randn(1, 2, 4)))
    _raises(RuntimeError, "Expected hidden[1] size (1, 2, 4), got [1, 2, 5]",
            lstm, x, (tw.randn(1, 2, 4), tw.randn(1, 2, 5)))
    _raises(RuntimeError, "For batched 3-D input, hx and cx should also be 3-D but got "
            "(2-D, 3-D) tensors", lstm, x, (tw.randn(2, 4), tw.randn(1, 2, 4)))
    _raises(ValueError, "LSTM: Expected input to be 2D or 3D, got 4D instead",
            lstm, tw.randn(1, 5, 2, 10))
    _raises(ValueError, "RNN input dtype (tensorweave.float64) does not match weight dtype "
            "(tensorweave.float32). Convert input: input.to(tensorweave.float32), or convert "
            "model: model.to(tensorweave.float64)", lstm, x.double())
    gru = tw.nn.GRU(10, 4, num_layers=2)
    _raises(RuntimeError, "Expected hidden size (2, 2, 4), got [1, 2, 4]", gru, x,
            tw.randn(1, 2, 4))
    _raises(RuntimeError, "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor",
            gru, tw.randn(5, 10), tw.randn(2, 1, 4))
    _raises(ValueError, "RNN: Expected input to be 2D or 3D, got 1D tensor instead",
            tw.nn.RNN(10, 4), tw.randn(10))
    _raises(RuntimeError, "Expected sequence length to be larger than 0 in RNN", gru,
            tw.randn(0, 2, 10))
    assert lstm(tw.randn(5, 0, 10))[0].shape == (5, 0, 4)


def test_constructor_errors_match_torch():
    _raises(ValueError, "proj_size argument is only supported for LSTM, not RNN or GRU",
            lambda: tw.nn.GRU(3, 4, proj_size=2))
    _raises(ValueError, "Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'.",
            lambda: tw.nn.RNN(3, 4, nonlinearity="sigmoid"))
    _raises(ValueError, "proj_size has to be smaller than hidden_size",
            lambda: tw.nn.LSTM(3, 4, proj_size=4))
    _raises(ValueError, "dropout should be a number in range [0, 1] representing the "
            "probability of an element being zeroed", lambda: tw.nn.LSTM(3, 4, dropout=1.5))
    _raises(TypeError, "hidden_size should be of type int, got: float",
            lambda: tw.nn.LSTM(3, 4.0))
    _raises(ValueError, "num_layers must be greater than zero",
            lambda: tw.nn.LSTM(3, 4, num_layers=0))


def test_cell_errors_match_torch():
    for cell in (tw.nn.RNNCell(10, 4), tw.nn.GRUCell(10, 4)):
        _raises(RuntimeError, "input has inconsistent input_size: got 7 expected 10",
                cell, tw.randn(2, 7))
        _raises(RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3",
                cell, tw.randn(2, 10), tw.randn(3, 4))
        _raises(RuntimeError, "hidden0 has inconsistent hidden_size: got 5, expected 4",
                cell, tw.randn(2, 10), tw.randn(2, 5))
    lstm = tw.nn.LSTMCell(10, 4)
    _raises(RuntimeError, "hidden1 has inconsistent hidden_size: got 5, expected 4",
            lstm, tw.randn(2, 10), (tw.randn(2, 4), tw.randn(2, 5)))
    _raises(ValueError, "LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead",
            lstm, tw.randn(2, 10), (tw.randn(2, 4), tw.randn(1, 2, 4)))
    _raises(ValueError, "GRUCell: Expected input to be 1D or 2D, got 3D instead",
            tw.nn.GRUCell(10, 4), tw.randn(1, 2, 10))
