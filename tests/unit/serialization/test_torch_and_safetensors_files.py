"""PyTorch .pt files read without pickle, and .safetensors files per the spec.

PyTorch (the optional oracle) writes the .pt files; the tests skip without it.
"""

from __future__ import annotations

import json
import struct
from collections import OrderedDict

import numpy as np
import pytest

import tensorweave as tw
from tensorweave import nn
from tensorweave.serialization import (
    CheckpointError,
    CorruptCheckpointError,
    load_file,
    load_metadata,
    save_file,
)


def _torch():
    return pytest.importorskip("torch")


def test_torch_state_dict_loads_with_equal_values(tmp_path):
    """A torch.save'd state_dict (float, int64 buffers, metadata) loads into a tw model."""
    torch = _torch()
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    net(torch.randn(5, 3))  # moves the running stats and num_batches_tracked
    torch.save(net.state_dict(), tmp_path / "net.pt")
    sd = tw.load(tmp_path / "net.pt")
    assert type(sd) is OrderedDict and list(sd) == list(net.state_dict())
    assert sd._metadata["1"]["version"] == net.state_dict()._metadata["1"]["version"]
    for key, ref in net.state_dict().items():
        assert sd[key].dtype.name == str(ref.dtype).removeprefix("torch."), key
        np.testing.assert_array_equal(sd[key].numpy(), ref.numpy())
    assert sd["1.num_batches_tracked"].dtype is tw.int64 and sd["1.num_batches_tracked"].ndim == 0
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model.load_state_dict(sd)
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), net[0].weight.detach().numpy())


def test_torch_optimizer_state_dict_loads_with_equal_values(tmp_path):
    """An Adam state_dict: int keys, step tensors, moments and the param_groups as saved."""
    torch = _torch()
    torch.manual_seed(1)
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(lin.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        lin(torch.randn(4, 3)).pow(2).sum().backward()
        opt.step()
    torch.save(opt.state_dict(), tmp_path / "opt.pt")
    out = tw.load(tmp_path / "opt.pt")
    ref = opt.state_dict()
    assert out["param_groups"] == ref["param_groups"]
    assert sorted(out["state"]) == [0, 1]
    for i in (0, 1):
        for key, t in ref["state"][i].items():
            np.testing.assert_array_equal(out["state"][i][key].numpy(), t.numpy())
    assert out["state"][0]["step"].item() == 2.0


def test_torch_views_parameters_and_dtypes_keep_their_meaning(tmp_path):
    """Shared storages stay shared, Parameters stay Parameters, every dtype converts."""
    torch = _torch()
    x = torch.arange(12.0).reshape(3, 4)
    obj = {"x": x, "col": x[:, 1], "t": x.t(), "p": torch.nn.Parameter(torch.ones(2)),
           "h": torch.tensor([1.5, -2.0], dtype=torch.float16), "b": torch.tensor([True, False]),
           "i8": torch.tensor([-3], dtype=torch.int8), "u8": torch.tensor([200], dtype=torch.uint8),
           "d": torch.tensor(2.5, dtype=torch.float64), "e": torch.zeros(0, 2),
           "meta": ("a", 1, None, [2.5])}
    torch.save(obj, tmp_path / "mix.pt")
    out = tw.load(tmp_path / "mix.pt")
    for key in ("x", "col", "t", "h", "b", "i8", "u8", "d", "e"):
        np.testing.assert_array_equal(out[key].numpy(), obj[key].numpy(), err_msg=key)
        if obj[key].numel():  # an empty tensor's strides are the backend's own (cpu: zeros)
            assert out[key].stride() == obj[key].stride(), key
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert out["meta"] == ("a", 1, None, [2.5])
    out["col"][0] = -1.0
    assert out["x"][0, 1].item() == -1.0 and out["t"][1, 0].item() == -1.0


def test_torch_file_from_an_absent_device_needs_map_location(tmp_path):
    """Storages saved on cuda:0 (their location rewritten here) load only where mapped."""
    import zipfile

    torch = _torch()
    torch.save({"w": torch.arange(3.0)}, tmp_path / "cpu.pt")
    with zipfile.ZipFile(tmp_path / "cpu.pt") as src, \
            zipfile.ZipFile(tmp_path / "cuda.pt", "w") as dst:
        for n in src.namelist():
            data = src.read(n)
            if n.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            dst.writestr(n, data)
    with pytest.raises(tw.DeviceError, match=r"saved on 'cuda:0'.*map_location='cpu'"):
        tw.load(tmp_path / "cuda.pt")
    for where in ("cpu", {"cuda:0": "cpu"}, lambda storage, location: storage):
        out = tw.load(tmp_path / "cuda.pt", map_location=where)
        assert out["w"].device == "cpu" and out["w"].tolist() == [0.0, 1.0, 2.0]


def test_torch_bfloat16_and_complex_tensors_load_with_their_values(tmp_path):
    torch = _torch()
    w = torch.tensor([1.1, -2.5, 3e38, 1e-39], dtype=torch.bfloat16)
    c = torch.tensor([1 + 2j, -0.5j], dtype=torch.complex64)
    torch.save({"w": w, "c": c, "z": c.to(torch.complex128)}, tmp_path / "bf16.pt")
    out = tw.load(tmp_path / "bf16.pt")
    assert out["w"].dtype is tw.bfloat16 and out["c"].dtype is tw.complex64
    assert out["w"].float().tolist() == w.float().tolist()
    assert out["c"].tolist() == c.tolist() and out["z"].dtype is tw.complex128


def test_torch_file_with_missing_storage_record_is_corrupted(tmp_path):
    import zipfile

    torch = _torch()
    torch.save({"w": torch.ones(2)}, tmp_path / "ok.pt")
    with zipfile.ZipFile(tmp_path / "ok.pt") as src, \
            zipfile.ZipFile(tmp_path / "cut.pt", "w") as dst:
        for n in src.namelist():
            if not n.endswith("data/0"):
                dst.writestr(n, src.read(n))
    with pytest.raises(CorruptCheckpointError, match=r"cut\.pt.*data/0"):
        tw.load(tmp_path / "cut.pt")


# -- safetensors -------------------------------------------------------------------------------


def _tensors():
    return {"w": tw.arange(6.0).reshape(2, 3), "b": tw.tensor([1, 2], dtype=tw.int16),
            "mask": tw.tensor([True, False, True]), "h": tw.tensor([0.5], dtype=tw.float16),
            "d": tw.tensor(3.25, dtype=tw.float64), "e": tw.zeros(0, 4),
            "t": tw.arange(6).reshape(2, 3).T}


def test_safetensors_output_follows_the_spec_byte_layout(tmp_path):
    """8-byte LE header size, JSON header (8-aligned), then the tensors' bytes tiled."""
    path = tmp_path / "m.safetensors"
    tensors = _tensors()
    save_file(tensors, path, metadata={"format": "pt"})
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0 and data[8:9] == b"{"
    header = json.loads(data[8:8 + n])
    assert header.pop("__metadata__") == {"format": "pt"}
    codes = {"w": "F32", "b": "I16", "mask": "BOOL", "h": "F16", "d": "F64", "e": "F32",
             "t": "I64"}
    assert {k: v["dtype"] for k, v in header.items()} == codes
    body = data[8 + n:]
    spans = sorted(v["data_offsets"] for v in header.values())
    assert spans[0][0] == 0 and spans[-1][1] == len(body)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    for key, t in tensors.items():
        begin, end = header[key]["data_offsets"]
        assert header[key]["shape"] == list(t.shape)
        assert body[begin:end] == np.ascontiguousarray(t.numpy()).astype(
            t.dtype.np.newbyteorder("<")).tobytes(), key
        assert begin % t.dtype.itemsize == 0


def test_safetensors_round_trip_and_tw_load_detects_it(tmp_path, fake):
    """load_file and tw.load read save_file's output back; device= places the tensors."""
    path = tmp_path / "m.safetensors"
    tensors = _tensors()
    save_file(tensors, path, metadata={"step": "10"})
    for out in (load_file(path), tw.load(path), load_file(path, device="fake:1")):
        assert list(out) == list(tensors) or set(out) == set(tensors)
        for key, t in tensors.items():
            assert out[key].dtype is t.dtype and out[key].shape == t.shape
            np.testing.assert_array_equal(out[key].cpu().numpy(), t.numpy())
    assert load_file(path, device="fake:1")["w"].device == "fake:1"
    assert load_metadata(path) == {"step": "10"}


def test_safetensors_reads_what_the_reference_package_writes_and_vice_versa(tmp_path):
    """Checked against the safetensors package when it is installed."""
    st = pytest.importorskip("safetensors.numpy")
    save_file(_tensors(), tmp_path / "ours.safetensors")
    theirs = st.load_file(str(tmp_path / "ours.safetensors"))
    for key, t in _tensors().items():
        np.testing.assert_array_equal(theirs[key], t.numpy())
    st.save_file({"a": np.arange(5, dtype=np.float32)}, str(tmp_path / "ref.safetensors"))
    assert load_file(tmp_path / "ref.safetensors")["a"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    arrays = {k: np.array(t.numpy(), order="C") for k, t in _tensors().items()}
    st.save_file(arrays, str(tmp_path / "ref.safetensors"), metadata={"k": "v"})
    save_file(_tensors(), tmp_path / "ours.safetensors", metadata={"k": "v"})
    assert (tmp_path / "ours.safetensors").read_bytes() == \
        (tmp_path / "ref.safetensors").read_bytes()  # byte for byte the reference's layout


def test_safetensors_truncated_or_overlapping_files_are_corrupted(tmp_path):
    path = tmp_path / "m.safetensors"
    save_file({"w": tw.ones(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(CorruptCheckpointError, match=r"m\.safetensors.*truncated"):
        load_file(path)
    header = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                         "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(12))
    with pytest.raises(CorruptCheckpointError, match="tiled exactly"):
        load_file(path)
    header = json.dumps({"a": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(1))
    with pytest.raises(CheckpointError, match="dtype F8_E4M3"):
        load_file(path)


def test_safetensors_rejects_bad_names_and_values(tmp_path):
    with pytest.raises(TypeError, match="'w' is a list"):
        save_file({"w": [1.0]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata must map str to str"):
        save_file({}, tmp_path / "x.safetensors", metadata={"step": 1})
