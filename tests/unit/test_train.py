"""``tensorweave train``, the main job: it learns the digits, resumes exactly where a Ctrl-C
stopped it, reads MNIST's IDX files, and says clearly what is wrong with bad options."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tw
from tensorweave import train

pytest.importorskip("sklearn", reason="the Digits dataset needs the vision extra")


def _run(tmp_path, name="run.tw", **kw) -> dict:
    cfg = train.Config(progress=False, checkpoint=str(tmp_path / name), **kw)
    return train.run(cfg)


def _weights(model) -> dict:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_default_cnn_reaches_97_percent_on_digits(tmp_path, capsys):
    res = _run(tmp_path)
    assert res["accuracy"] >= 0.97, res["accuracy"]
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out == (f"test accuracy {res['accuracy']:.2%} (cnn on digits, cpu); checkpoint: "
                   f"{tmp_path / 'run.tw'}")
    ck = tw.load(tmp_path / "run.tw")
    assert ck["epoch"] == 8 and ck["batches_done"] == 0 and len(ck["test_accuracy"]) == 8
    assert ck["test_accuracy"][-1] == res["accuracy"]
    model = train.build_model("cnn")
    model.load_state_dict(ck["model_state_dict"])  # the checkpoint fits the network


@pytest.mark.parametrize("stop_at", [5, 30])  # inside the first and the second epoch
def test_sigint_then_resume_ends_with_the_weights_of_an_uninterrupted_run(tmp_path, stop_at):
    whole = _run(tmp_path, "whole.tw", model="mlp", epochs=2)

    def interrupt(step: int) -> None:
        if step == stop_at:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends; handled between steps
    cut = _run(tmp_path, "cut.tw", model="mlp", epochs=2, on_step=interrupt)
    assert cut["interrupted"]
    ck = tw.load(tmp_path / "cut.tw")
    assert (ck["epoch"], ck["batches_done"]) == divmod(stop_at, 23)  # 1437 / 64: 23 batches
    resumed = _run(tmp_path, "cut.tw", model="mlp", epochs=2, resume=str(tmp_path / "cut.tw"))
    assert resumed["accuracy"] == whole["accuracy"]
    a, b = _weights(whole["model"]), _weights(resumed["model"])
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _idx(path, array: np.ndarray) -> None:
    kind = 0x08  # unsigned bytes
    header = struct.pack(">HBB", 0, kind, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                     *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def _mnist_folder(root, n_train=256, n_test=64):
    """Learnable fake MNIST: a bright 6 x 6 patch whose position is the label."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28))
        for img, lab in zip(images, labels):
            r, c = divmod(int(lab), 5)
            img[4 + 12 * r:10 + 12 * r, 2 + 5 * c:8 + 5 * c] = 255
        _idx(raw / f"{prefix}-images-idx3-ubyte", images)
        _idx(raw / f"{prefix}-labels-idx1-ubyte", labels)


def test_mnist_from_idx_files(tmp_path):
    _mnist_folder(tmp_path)
    res = _run(tmp_path, model="mlp", dataset="mnist", data=str(tmp_path), epochs=3)
    assert res["accuracy"] >= 0.9


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tensorweave.cli", "train", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_trains_and_reports_the_checkpoint(tmp_path):
    res = _cli("--model", "mlp", "--epochs", "1", "--no-progress", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("test accuracy ") and last.endswith(
        "(mlp on digits, cpu); checkpoint: tensorweave-train.tw")
    assert float(last.split()[2].rstrip("%")) > 80
    assert "epoch 1/1: loss" in res.stderr
    assert (tmp_path / "tensorweave-train.tw").exists()


def test_bad_options_are_clear_errors(tmp_path):
    res = _cli("--dataset", "mnist", cwd=tmp_path)
    assert res.returncode == 2 and "give the folder with --data DIR" in res.stderr
    res = _cli("--dataset", "mnist", "--data", str(tmp_path), cwd=tmp_path)
    assert res.returncode == 2 and "train-images-idx3-ubyte" in res.stderr
    assert "Traceback" not in res.stderr
    res = _cli("--device", "nosuch", cwd=tmp_path)
    assert res.returncode == 1 and "nosuch" in res.stderr


def test_resuming_a_checkpoint_of_another_model_is_refused(tmp_path):
    _run(tmp_path, "mlp.tw", model="mlp", epochs=1)
    with pytest.raises(ValueError, match="holds a mlp on digits; this run asks for a cnn"):
        _run(tmp_path, "x.tw", model="cnn", resume=str(tmp_path / "mlp.tw"))
