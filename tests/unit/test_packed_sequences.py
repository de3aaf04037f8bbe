"""Variable-length sequences (`tensorweave.nn.utils.rnn`) and the recurrent layers on
packed batches: values and float64 gradients equal PyTorch's, with weights copied over."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.nn.utils import rnn as R

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn

RNG = np.random.default_rng(21)


def _both(x: np.ndarray):
    return tw.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _close(a, b):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sorted_", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip_like_pytorch(sorted_, batch_first):
    lengths = [5, 3, 3, 1] if sorted_ else [3, 5, 1, 3]
    x = RNG.standard_normal((4, 5, 2) if batch_first else (5, 4, 2))
    a, b = _both(x)
    pa = R.pack_padded_sequence(a, lengths, batch_first, enforce_sorted=sorted_)
    pb = TR.pack_padded_sequence(b, lengths, batch_first, enforce_sorted=sorted_)
    _close(pa.data, pb.data)
    assert pa.batch_sizes.tolist() == pb.batch_sizes.tolist()
    for mine, theirs in ((pa.sorted_indices, pb.sorted_indices),
                         (pa.unsorted_indices, pb.unsorted_indices)):
        assert (mine is None) == (theirs is None)
        assert mine is None or mine.tolist() == theirs.tolist()
    (qa, la), (qb, lb) = (R.pad_packed_sequence(pa, batch_first, -1.0, 7),
                          TR.pad_packed_sequence(pb, batch_first, -1.0, 7))
    _close(qa, qb)
    assert la.tolist() == lb.tolist() and la.dtype is tw.int64
    w = RNG.standard_normal(qb.shape)
    (qa * tw.tensor(w)).sum().backward()
    (qb * torch.tensor(w)).sum().backward()
    _close(a.grad, b.grad)


def test_pad_unpad_pack_and_unpack_sequence():
    seqs = [RNG.standard_normal((n, 3)) for n in (2, 4, 1)]
    mine, theirs = [tw.tensor(s) for s in seqs], [torch.tensor(s) for s in seqs]
    for kwargs in ({}, {"batch_first": True, "padding_value": 9.0}, {"padding_side": "left"}):
        _close(R.pad_sequence(mine, **kwargs), TR.pad_sequence(theirs, **kwargs))
    padded = R.pad_sequence(mine, batch_first=True)
    for got, want in zip(R.unpad_sequence(padded, [2, 4, 1], batch_first=True), seqs):
        _close(got, want)
    packed = R.pack_sequence(mine, enforce_sorted=False)
    _close(packed.data, TR.pack_sequence(theirs, enforce_sorted=False).data)
    for got, want in zip(R.unpack_sequence(packed), seqs):
        _close(got, want)
    assert packed.to(tw.float32).data.dtype is tw.float32 and packed.to(tw.float64) is packed


@pytest.mark.parametrize("mode, kwargs", [
    ("LSTM", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("RNN", {"bidirectional": True, "nonlinearity": "relu"}),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "num_layers": 2, "batch_first": True}),
])
def test_recurrent_layers_on_packed_batches_match_pytorch(mode, kwargs):
    theirs = getattr(torch.nn, mode)(3, 4, **kwargs).double()
    mine = getattr(tw.nn, mode)(3, 4, **kwargs).double()
    mine.load_state_dict({k: tw.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    batch_first = kwargs.get("batch_first", False)
    lengths = [3, 5, 2]
    x = RNG.standard_normal((3, 5, 3) if batch_first else (5, 3, 3))
    directions = 2 if kwargs.get("bidirectional") else 1
    layers = kwargs.get("num_layers", 1)
    h_size = kwargs.get("proj_size", 4)
    h0 = RNG.standard_normal((layers * directions, 3, h_size))
    c0 = RNG.standard_normal((layers * directions, 3, 4))
    results = []
    for fw, utils, module in ((tw, R, mine), (torch, TR, theirs)):
        xt, ht, ct = (fw.tensor(v, requires_grad=True) for v in (x, h0, c0))
        packed = utils.pack_padded_sequence(xt, lengths, batch_first, enforce_sorted=False)
        out, state = module(packed, (ht, ct) if mode == "LSTM" else ht)
        padded, _ = utils.pad_packed_sequence(out, batch_first)
        states = state if isinstance(state, tuple) else (state,)
        weights = fw.tensor(np.linspace(-1, 1, padded.numel()).reshape(padded.shape))
        ((padded * weights).sum() + sum((s ** 2).sum() for s in states)).backward()
        used = (xt, ht, ct) if mode == "LSTM" else (xt, ht)
        results.append([padded, *states, *(t.grad for t in used),
                        *(p.grad for p in module.parameters())])
    for got, want in zip(*results):
        _close(got, want)


def test_errors_name_the_problem():
    x = tw.zeros(4, 2, 1)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        R.pack_padded_sequence(x, [2, 0])
    with pytest.raises(RuntimeError, match="equal to batch_size"):
        R.pack_padded_sequence(x, [2])
    with pytest.raises(ValueError, match="total_length"):
        R.pad_packed_sequence(R.pack_padded_sequence(x, [4, 3]), total_length=2)
    with pytest.raises(ValueError, match="padding_side"):
        R.pad_sequence([tw.ones(1)], padding_side="middle")


def test_packed_batches_run_on_every_device(device):
    lstm = tw.nn.LSTM(2, 3, bidirectional=True).double()
    x = RNG.standard_normal((4, 3, 2))

    def run(dev: str):
        module = lstm.to(dev)
        xt = tw.tensor(x, device=dev, requires_grad=True)
        out, (h, c) = module(R.pack_padded_sequence(xt, [2, 4, 3], enforce_sorted=False))
        padded, _ = R.pad_packed_sequence(out)
        (padded.sum() + h.sum() + (c * c).sum()).backward()
        return [t.detach().cpu().numpy() for t in (padded, h, c, xt.grad)]

    for got, want in zip(run(device), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
