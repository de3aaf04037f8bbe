"""The seed PyTorch programs (examples/pytorch_seeds) run with only their imports changed.

Each program runs on tensorweave and, when PyTorch is installed (the ``oracle`` extra),
on PyTorch too: both must print the same models with the same parameter counts, and the
tensorweave run must learn its task as well as the program expects.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "pytorch_seeds"
sys.path.insert(0, str(SEEDS))
import run_on_tensorweave  # noqa: E402

sys.path.remove(str(SEEDS))

HAS_TORCH = importlib.util.find_spec("torch") is not None


def run(name: str, framework: str) -> dict:
    return run_on_tensorweave.load(SEEDS / f"{name}.py", framework).main()


def models(results: dict) -> dict:
    """The printed models and parameter counts of one run."""
    return {k: v for k, v in results.items() if isinstance(v, dict) and "repr" in v}


@pytest.fixture(scope="module", params=["mlp", "cnn", "lstm", "batchnorm"])
def seed(request: pytest.FixtureRequest) -> tuple[str, dict]:
    return request.param, run(request.param, "tensorweave")


def test_port_changes_only_the_imports() -> None:
    src = "import torch\nimport torch.nn as nn\nfrom torch.optim import SGD\nx = torch.ones(2)\n"
    assert run_on_tensorweave.port(src) == ("import tensorweave as torch\n"
                                            "import tensorweave.nn as nn\n"
                                            "from tensorweave.optim import SGD\n"
                                            "x = torch.ones(2)\n")


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch (the oracle extra) is not installed")
def test_models_print_and_count_like_pytorch(seed: tuple[str, dict]) -> None:
    name, ours = seed
    theirs = run(name, "torch")
    assert models(ours) == models(theirs)


def test_training_learns(seed: tuple[str, dict]) -> None:
    name, res = seed
    if name == "mlp":
        for setup in ("sgd_momentum_steplr", "adam_clip", "rmsprop_accumulate"):
            loss = res[setup]["loss"]
            assert loss[-1] < 0.8 * loss[0], (setup, loss)
        assert res["sgd_momentum_steplr"]["accuracy"] > 0.95
        assert res["rmsprop_accumulate"]["accuracy"] > 0.95
        assert res["sgd_momentum_steplr"]["lr"] == pytest.approx(0.05 * 0.5 ** 2)  # StepLR
    elif name == "cnn":
        assert res["loss"][-1] < 0.97 * res["loss"][0], res["loss"]
    elif name == "lstm":
        assert res["loss"][-1] < 0.6 * res["loss"][0], res["loss"]
    else:
        assert res["accuracy"] > 0.9
        assert res["loss"][-1] < 0.2 * res["loss"][0], res["loss"]
