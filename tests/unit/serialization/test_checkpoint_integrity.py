"""Atomic writes, truncated and corrupted files, and files crafted to run code on load."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.serialization import (
    CheckpointError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
    format,
)


def test_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    """A writer that dies mid-save (after some storages) leaves the old checkpoint loadable
    and no temporary file behind.
    """
    path = tmp_path / "ckpt.tw"
    tw.save({"epoch": 1, "w": tw.ones(3)}, path)
    calls = []
    real = zipfile.ZipFile.open

    def dying_open(self, name, mode="r", **kw):
        calls.append(name)
        if mode == "w" and len(calls) == 2:
            raise OSError("disk full")
        return real(self, name, mode, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", dying_open)
    with pytest.raises(OSError, match="disk full"):
        tw.save({"epoch": 2, "w": tw.zeros(3), "b": tw.zeros(2)}, path)
    monkeypatch.undo()
    out = tw.load(path)
    assert out["epoch"] == 1 and out["w"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["ckpt.tw"]


def test_save_replaces_the_file_keeping_its_mode(tmp_path):
    """A successful save replaces the file; an existing file's permissions are kept."""
    path = tmp_path / "ckpt.tw"
    tw.save({"v": 1}, path)
    os.chmod(path, 0o640)
    tw.save({"v": 2}, path)
    assert tw.load(path) == {"v": 2} and (os.stat(path).st_mode & 0o777) == 0o640


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_file_says_truncated_and_names_the_file(tmp_path, keep):
    """A file cut short anywhere raises CorruptCheckpointError naming the file."""
    path = tmp_path / "ckpt.tw"
    tw.save({"w": tw.arange(1000.0)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CorruptCheckpointError, match=r"ckpt\.tw.*truncated or corrupted"):
        tw.load(path)


def test_empty_file_is_reported(tmp_path):
    (tmp_path / "empty.tw").write_bytes(b"")
    with pytest.raises(CorruptCheckpointError, match="empty.tw.*the file is empty"):
        tw.load(tmp_path / "empty.tw")


def test_flipped_byte_in_a_tensor_record_is_reported_as_corrupted(tmp_path):
    """One flipped bit in a storage's bytes fails the record's checksum."""
    path = tmp_path / "ckpt.tw"
    values = np.arange(64, dtype=np.float64)
    tw.save({"w": tw.tensor(values)}, path)
    data = bytearray(path.read_bytes())
    at = data.find(values.tobytes()) + 100
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptCheckpointError, match=r"ckpt\.tw.*corrupted.*storages/0"):
        tw.load(path)


def test_rewritten_record_with_a_valid_zip_crc_fails_the_sha256(tmp_path):
    """Changed bytes with a recomputed zip CRC are still caught by the manifest's SHA-256."""
    path = tmp_path / "ckpt.tw"
    tw.save({"w": tw.ones(4)}, path)
    with zipfile.ZipFile(path) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    records["storages/0"] = np.zeros(4, np.float32).tobytes()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in records.items():
            zf.writestr(n, b)
    with pytest.raises(CorruptCheckpointError, match="storages/0' fails its SHA-256"):
        tw.load(path)


def test_newer_format_version_asks_to_upgrade(tmp_path):
    path = tmp_path / "new.tw"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(format.MANIFEST, '{"format": "tensorweave.checkpoint", "version": 99, '
                                     '"storages": [], "tensors": []}')
    with pytest.raises(CheckpointError, match="version 99 is newer.*upgrade"):
        tw.load(path)


def test_same_object_gives_the_same_bytes(tmp_path):
    """Saving is deterministic (fixed zip timestamps), so checkpoints can be compared."""
    obj = {"w": tw.arange(5.0), "e": 3}
    a, b = io.BytesIO(), io.BytesIO()
    tw.save(obj, a)
    tw.save(obj, b)
    assert a.getvalue() == b.getvalue()


# -- files crafted to run code -----------------------------------------------------------------


class _Touch:
    """Unpickling this with `pickle.load` would create ``path`` via os.system."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class _Open:
    """Unpickling this with `pickle.load` would create ``path`` via open()."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _torch_like_zip(path, payload: bytes) -> None:
    """A file laid out as torch.save writes it, with ``payload`` as data.pkl."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/byteorder", "little")
        zf.writestr("archive/version", "3\n")


@pytest.mark.parametrize(("gadget", "name"), [(_Touch, "system"), (_Open, "open")])
@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_malicious_pt_file_is_refused_and_runs_nothing(tmp_path, gadget, name, protocol):
    """A .pt zip whose data.pkl calls os.system/open is refused naming the global."""
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"state_dict": {"w": gadget(marker)}}, protocol=protocol)
    _torch_like_zip(tmp_path / "evil.pt", payload)
    with pytest.raises(UnsafeCheckpointError, match=rf"evil\.pt.*refusing.*{name}") as info:
        tw.load(tmp_path / "evil.pt")
    assert isinstance(info.value, pickle.UnpicklingError)
    assert name in info.value.global_name
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_malicious_raw_pickle_is_refused_and_runs_nothing(tmp_path, protocol):
    """A bare pickle file gets the same treatment, whatever its protocol."""
    marker = tmp_path / "pwned"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps([1, _Touch(marker)], protocol=protocol))
    with pytest.raises(UnsafeCheckpointError, match="system"):
        tw.load(tmp_path / "evil.pkl", weights_only=False)
    assert not marker.exists()


def test_plain_pickles_and_other_files_are_not_loaded(tmp_path):
    """Harmless pickles are still not a checkpoint; random bytes are named as unknown."""
    (tmp_path / "plain.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError, match="bare pickle"):
        tw.load(tmp_path / "plain.pkl")
    (tmp_path / "junk.bin").write_bytes(b"\x00junk bytes here")
    with pytest.raises(CheckpointError, match="not a tensorweave checkpoint"):
        tw.load(tmp_path / "junk.bin")


def test_pt_zip_with_a_disallowed_rebuild_function_is_refused(tmp_path):
    """Only the tensor/parameter rebuild functions of torch._utils are allowed."""
    payload = (b"\x80\x02ctorch._utils\n_rebuild_qtensor\nq\x00)R.")
    _torch_like_zip(tmp_path / "q.pt", payload)
    with pytest.raises(UnsafeCheckpointError, match="torch._utils._rebuild_qtensor"):
        tw.load(tmp_path / "q.pt")
