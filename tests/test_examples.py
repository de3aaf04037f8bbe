"""The example programs (examples/*.py) run on every available device with small settings
and reach what they promise: accuracy for the training loops, an exact resume for the
checkpointing one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn", reason="the digits examples need the vision extra")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(name: str, *args: str, cwd: Path) -> str:
    res = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                         text=True, cwd=cwd, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _final_accuracy(out: str) -> float:
    last = out.strip().splitlines()[-1]
    assert last.startswith("final test accuracy: ")
    return float(last.split(": ")[1])


def test_mlp_training_loop_with_evaluation(device, tmp_path):
    assert _final_accuracy(_run("mlp_digits.py", "--device", device, "--epochs", "4",
                                cwd=tmp_path)) > 0.9


def test_lstm_classifier(device, tmp_path):
    assert _final_accuracy(_run("lstm_sequences.py", "--device", device, "--epochs", "10",
                                cwd=tmp_path)) > 0.8


def test_checkpoint_then_resume_matches_an_uninterrupted_run(device, tmp_path):
    out = _run("checkpoint_resume.py", "--device", device, "--epochs", "2",
               "--checkpoint", str(tmp_path / "c.tw"), cwd=tmp_path)
    assert out.strip().endswith("weights equal to the uninterrupted run: True")
    assert (tmp_path / "c.tw").exists()
