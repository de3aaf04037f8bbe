"""tw.save / tw.load round trips: values, dtypes, geometry, shared storage, devices, resume."""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave import nn
from tensorweave.plugin.manager import load as load_plugins
from tensorweave.serialization import UnsupportedObjectError


def _round_trip(obj: Any, tmp_path: Any, **kw: Any) -> Any:
    tw.save(obj, tmp_path / "ckpt.tw")
    return tw.load(tmp_path / "ckpt.tw", **kw)


def test_nested_checkpoint_round_trips_values_and_types(tmp_path):
    """The usual checkpoint dict comes back equal, with tuples, int keys and Counters intact."""
    model = nn.Linear(3, 2)
    ckpt = {"epoch": 7, "loss": 0.125, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": {"state": {0: {"step": tw.tensor(3.0)}},
                                     "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999),
                                                       "foreach": None, "params": [0, 1]}]},
            "milestones": Counter({2: 1, 5: 2}), "name": "run-1", "flags": [True, False],
            "blob": b"\x00\xffab", "inf": -math.inf, "dtype": tw.float16,
            "device": tw.device("cpu"), "shape": tw.Size([2, 3]), "big": 2**70}
    out = _round_trip(ckpt, tmp_path)
    assert out["epoch"] == 7 and type(out["epoch"]) is int
    assert out["loss"] == 0.125 and type(out["loss"]) is float
    sd = out["model_state_dict"]
    assert type(sd) is OrderedDict and list(sd) == ["weight", "bias"]
    assert sd._metadata == OrderedDict([("", {"version": 1})])
    np.testing.assert_array_equal(sd["weight"].numpy(), model.weight.detach().numpy())
    assert not sd["weight"].requires_grad
    opt = out["optimizer_state_dict"]
    assert list(opt["state"]) == [0] and opt["state"][0]["step"].item() == 3.0
    assert opt["param_groups"] == [{"lr": 0.1, "betas": (0.9, 0.999), "foreach": None,
                                    "params": [0, 1]}]
    assert type(opt["param_groups"][0]["betas"]) is tuple
    assert type(out["milestones"]) is Counter and out["milestones"][3] == 0
    assert out["milestones"] == Counter({2: 1, 5: 2})
    assert (out["name"], out["flags"], out["blob"]) == ("run-1", [True, False], b"\x00\xffab")
    assert out["inf"] == -math.inf and out["dtype"] is tw.float16
    assert out["device"] == tw.device("cpu") and out["big"] == 2**70
    assert type(out["shape"]) is tw.Size and out["shape"] == (2, 3)
    nan = _round_trip({"nan": math.nan}, tmp_path)["nan"]
    assert math.isnan(nan)


@pytest.mark.parametrize("dtype", [tw.bool, tw.uint8, tw.int8, tw.int16, tw.int32, tw.int64,
                                   tw.float16, tw.float32, tw.float64])
def test_every_dtype_round_trips_bit_exactly(tmp_path, dtype):
    """Values, dtype and shape of each dtype survive, including 0-d and empty tensors."""
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((3, 4)) * 50).astype(dtype.np)
    tensors = {"full": tw.tensor(values, dtype=dtype), "scalar": tw.tensor(values[1, 2]),
               "empty": tw.tensor(values[:0], dtype=dtype).reshape(0, 4)}
    out = _round_trip(tensors, tmp_path)
    for key, t in tensors.items():
        assert out[key].dtype is dtype and out[key].shape == t.shape
        np.testing.assert_array_equal(out[key].numpy(), t.numpy())
    assert out["scalar"].ndim == 0 and out["scalar"].item() == values[1, 2]


def test_nan_payloads_and_negative_zero_are_bit_exact(tmp_path):
    """Floats are stored as raw bytes: -0.0 and NaN keep their bits."""
    x = tw.tensor(np.array([-0.0, np.nan, np.inf, 1e-45], dtype=np.float32))
    out = _round_trip(x, tmp_path)
    assert out.numpy().tobytes() == x.numpy().tobytes()


def test_non_contiguous_views_keep_strides_offset_and_values(tmp_path):
    """A transpose, a strided slice, an expanded and a 0-d view keep their geometry."""
    x = tw.arange(24.0).reshape(4, 6)
    views = {"t": x.T, "slice": x[1:, ::2], "expand": x[0, :1].expand(3, 5), "elem": x[2, 3]}
    out = _round_trip(views, tmp_path)
    for key, v in views.items():
        np.testing.assert_array_equal(out[key].numpy(), v.numpy())
        assert out[key].stride() == v.stride(), key
        assert out[key].storage_offset() == v.storage_offset(), key
    assert out["elem"].item() == 15.0


def test_views_of_one_storage_load_sharing_one_storage(tmp_path):
    """Writing through one loaded view changes the other, as before saving."""
    x = tw.arange(12.0).reshape(3, 4)
    out = _round_trip({"x": x, "row": x[1], "col": x[:, 2], "x_again": x}, tmp_path)
    assert out["x"] is out["x_again"]
    out["row"][2] = 100.0
    assert out["x"][1, 2].item() == 100.0 and out["col"][1].item() == 100.0
    out["col"].mul_(2)
    assert out["x"][:, 2].tolist() == [4.0, 200.0, 20.0]
    assert x[1, 2].item() == 6.0  # the saved tensor is untouched


def test_storage_is_saved_once_for_tied_weights(tmp_path):
    """A parameter and its detached state_dict entry share one storage record."""
    model = nn.Linear(200, 100)
    tw.save({"sd": model.state_dict(), "w": model.weight}, tmp_path / "a.tw")
    tw.save({"w": model.weight}, tmp_path / "b.tw")
    both, one = (tmp_path / "a.tw").stat().st_size, (tmp_path / "b.tw").stat().st_size
    assert both - one < 200 * 100 * 4 / 2  # the bias and a JSON entry, not a second weight
    out = tw.load(tmp_path / "a.tw")
    out["w"].data.add_(1)
    np.testing.assert_array_equal(out["sd"]["weight"].numpy(), out["w"].detach().numpy())


def test_parameters_load_as_parameters_with_requires_grad(tmp_path):
    """Parameter stays Parameter (requires_grad as saved); a grad-requiring tensor keeps it."""
    p = nn.Parameter(tw.ones(2, 2))
    frozen = nn.Parameter(tw.ones(3), requires_grad=False)
    leaf = tw.zeros(2, requires_grad=True)
    out = _round_trip({"p": p, "frozen": frozen, "leaf": leaf, "plain": tw.ones(1)}, tmp_path)
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is nn.Parameter and not out["frozen"].requires_grad
    assert type(out["leaf"]) is tw.Tensor and out["leaf"].requires_grad and out["leaf"].is_leaf
    assert not out["plain"].requires_grad


def test_unsupported_object_names_its_key_path(tmp_path):
    """An object the format cannot hold raises a TypeError naming where it is; no file."""
    class Custom:
        pass

    with pytest.raises(TypeError, match=r"Custom at obj\['model'\]\['fc.weight'\]") as info:
        tw.save({"model": {"fc.weight": Custom()}}, tmp_path / "x.tw")
    assert isinstance(info.value, UnsupportedObjectError)
    assert info.value.path == "obj['model']['fc.weight']"
    with pytest.raises(TypeError, match=r"int64 at obj\['groups'\]\[0\]\[1\]"):
        tw.save({"groups": [(1, np.int64(2))]}, tmp_path / "x.tw")
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeError, match=r"at obj\[0\].*itself"):
        tw.save(loop, tmp_path / "x.tw")
    assert list(tmp_path.iterdir()) == []


def test_save_and_load_through_file_objects(tmp_path):
    """Binary file objects work in both directions."""
    import io

    buf = io.BytesIO()
    tw.save({"x": tw.tensor([1, 2, 3])}, buf)
    buf.seek(0)
    assert tw.load(buf)["x"].tolist() == [1, 2, 3]


def _train(model, opt, sched, steps):
    x = tw.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3))
    y = tw.tensor(np.cos(np.arange(16, dtype=np.float32)).reshape(8, 2))
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
        sched.step()


def _fresh(seed):
    tw.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = tw.optim.Adam(model.parameters(), lr=0.05)
    return model, opt, tw.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)


def test_resume_from_checkpoint_continues_identically(tmp_path):
    """Model + Adam + StepLR saved mid-run and loaded into fresh objects train on exactly
    as the uninterrupted run does.
    """
    model, opt, sched = _fresh(0)
    _train(model, opt, sched, 3)
    tw.save({"epoch": 3, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": opt.state_dict(), "scheduler": sched.state_dict()},
            tmp_path / "ckpt.tw")
    _train(model, opt, sched, 4)

    model2, opt2, sched2 = _fresh(1)
    ckpt = tw.load(tmp_path / "ckpt.tw")
    model2.load_state_dict(ckpt["model_state_dict"])
    opt2.load_state_dict(ckpt["optimizer_state_dict"])
    sched2.load_state_dict(ckpt["scheduler"])
    _train(model2, opt2, sched2, 4)
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert sched2.get_last_lr() == sched.get_last_lr() and ckpt["epoch"] == 3
    assert opt2.state_dict()["state"][0]["step"].item() == 7


@pytest.mark.parametrize("map_location", [None, "cpu", tw.device("cpu"), {"cpu": "cpu"},
                                          lambda storage, loc: storage,
                                          lambda storage, loc: None])
def test_map_location_variants_on_cpu(tmp_path, map_location):
    """Every map_location form PyTorch accepts loads cpu tensors with equal values."""
    out = _round_trip({"x": tw.arange(6).reshape(2, 3)}, tmp_path, map_location=map_location)
    assert out["x"].device == "cpu" and out["x"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_map_location_callable_gets_storage_and_location(tmp_path):
    """The callable sees the 1-d cpu storage and the saved location string."""
    seen = []

    def where(storage, location):
        seen.append((tuple(storage.shape), location))
        return storage

    x = tw.arange(12.0).reshape(3, 4)
    out = _round_trip({"col": x[:, 1], "x2": x * 2}, tmp_path, map_location=where)
    assert seen == [((10,), "cpu"), ((12,), "cpu")]
    assert out["x2"].shape == (3, 4) and out["x2"][2, 3].item() == 22.0


def test_map_location_rejects_bad_kinds(tmp_path):
    tw.save(tw.ones(1), tmp_path / "x.tw")
    with pytest.raises(TypeError, match="map_location must be None, a device"):
        tw.load(tmp_path / "x.tw", map_location=3)


def test_state_dict_saved_on_another_device_loads_on_cpu(tmp_path, fake):
    """Tensors saved from fake:1 are stored as host bytes with their device: they load back
    on fake:1 by default, and on cpu or fake:0 through each map_location form.
    """
    sd = OrderedDict(w=tw.tensor([[1.0, 2.0], [3.0, 4.0]], device="fake:1"),
                     n=tw.tensor(5, device="fake:1"))
    tw.save(sd, tmp_path / "fake.tw")
    back = tw.load(tmp_path / "fake.tw")
    assert back["w"].device == "fake:1" and back["w"].cpu().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    for where in ("cpu", {"fake:1": "cpu"}, lambda s, loc: s.cpu()):
        out = tw.load(tmp_path / "fake.tw", map_location=where)
        assert out["w"].device == "cpu" and out["w"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
        assert out["n"].item() == 5 and out["n"].dtype is tw.int64
    moved = tw.load(tmp_path / "fake.tw", map_location={"fake:1": "fake:0"})
    assert moved["w"].device == "fake:0" and moved["n"].cpu().item() == 5
    load_plugins()  # the fake backend is gone: the saved device is not usable any more
    with pytest.raises(tw.DeviceError, match=r"saved on 'fake:1'.*map_location='cpu'"):
        tw.load(tmp_path / "fake.tw")
    assert tw.load(tmp_path / "fake.tw", map_location="cpu")["w"].sum().item() == 10.0
