"""``tensorweave train``: the main job -- a real model trained on real data, end to end.

It trains the MNIST-style network of the seeds (a small CNN, or ``--model mlp``) on the
handwritten digits bundled with scikit-learn (offline, upscaled to 28 x 28) or on MNIST /
FashionMNIST IDX files from ``--data``, on the device asked for, with a progress bar,
test accuracy after every epoch and a checkpoint after every epoch.

Resuming is exact: the order of each epoch's batches comes from a generator seeded by
``(seed, epoch)``, and a checkpoint records the model, the optimizer, how many batches of
the epoch are done and the default generators' states (dropout draws from them), so a
run stopped anywhere and resumed ends with the same weights as one that never stopped.
Ctrl-C stops between two steps (never inside an optimizer step) and saves first.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["Config", "build_model", "run", "add_arguments"]

DATASETS = ("digits", "mnist", "fashion-mnist")
MODELS = ("cnn", "mlp")
# MNIST's mean and standard deviation, used for every dataset: the images share its scale.
_MEAN, _STD = 0.1307, 0.3081


@dataclass
class Config:
    """What ``tensorweave train`` was asked to do (also stored in each checkpoint)."""

    model: str = "cnn"
    dataset: str = "digits"
    data: str | None = None
    device: str | None = None
    epochs: int = 8
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    checkpoint: str = "tensorweave-train.tw"
    resume: str | None = None
    progress: bool = True
    on_step: Callable[[int], None] | None = field(default=None, repr=False)


def build_model(name: str) -> Any:
    """The seeds' MNIST-style networks for 1 x 28 x 28 inputs and 10 classes."""
    import tensorweave.nn as nn

    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(128, 10))
    if name == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    raise ValueError(f"train: unknown model {name!r}; choose from {MODELS}")


def _dataset(cfg: Config, train: bool) -> tuple[Any, Any]:
    """All images of one split as a normalized float tensor ``N x 1 x 28 x 28``, and labels."""
    from tensorweave.vision import datasets

    if cfg.dataset == "digits":
        ds = datasets.Digits(train=train, image_size=28)
    else:
        if cfg.data is None:
            raise ValueError(f"train: --dataset {cfg.dataset} reads IDX files: give the folder "
                             "with --data DIR")
        cls = datasets.MNIST if cfg.dataset == "mnist" else datasets.FashionMNIST
        ds = cls(cfg.data, train=train)
    return (ds.data.float() / 255.0).unsqueeze(1), ds.targets


def _normalize(x: Any) -> Any:
    return (x - _MEAN) / _STD


class _Shifted:
    """Training images moved by up to 2 pixels in each direction (a random crop of the
    zero-padded image): the test digits come from other writers, and small shifts are the
    variation that matters most between them. Draws from the cpu default generator."""

    def __init__(self, x: Any, y: Any) -> None:
        from tensorweave.vision.transforms import RandomCrop

        self.x, self.y, self.crop = x, y, RandomCrop(x.shape[-1], padding=2)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        return self.crop(self.x[i]), self.y[i]


def _loader(x: Any, y: Any, cfg: Config, epoch: int, done: int) -> Any:
    """The epoch's batches after the first ``done``: the order is a permutation drawn from
    a generator of its own, so it is the same whether or not the run was resumed, and
    skipped batches are never loaded (their augmentation would consume random numbers)."""
    import tensorweave as tw
    from tensorweave.utils.data import DataLoader

    g = tw.Generator().manual_seed(cfg.seed * 1_000_003 + epoch)
    order = tw.randperm(len(y), generator=g).tolist()[done * cfg.batch_size:]
    return DataLoader(_Shifted(x, y), batch_size=cfg.batch_size, sampler=order, generator=g)


def _evaluate(model: Any, x: Any, y: Any, device: Any, batch: int = 512) -> float:
    import tensorweave as tw

    model.eval()
    correct = 0
    with tw.no_grad():
        for i in range(0, len(y), batch):
            out = model(_normalize(x[i:i + batch].to(device)))
            correct += int((out.argmax(dim=1).cpu() == y[i:i + batch]).sum().item())
    model.train()
    return correct / len(y)


def _rng_states(device: Any) -> dict[str, Any]:
    from tensorweave.random import default_generator

    states = {"cpu": default_generator("cpu").get_state()}
    if device.type != "cpu":
        states[str(device)] = default_generator(device).get_state()
    return states


def _set_rng_states(states: dict[str, Any]) -> None:
    from tensorweave.random import default_generator

    for dev, state in states.items():
        default_generator(dev).set_state(state)


def _save(path: Path, cfg: Config, model: Any, opt: Any, epoch: int, done: int, loss: float,
          history: list[float], device: Any) -> None:
    import tensorweave as tw

    config = {k: v for k, v in vars(cfg).items() if k not in ("on_step", "resume", "progress")}
    tw.save({"epoch": epoch, "batches_done": done, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": opt.state_dict(), "loss": loss,
             "test_accuracy": history, "rng_states": _rng_states(device), "config": config},
            path)


class _StopFlag:
    """SIGINT sets a flag that the loop reads between steps, so a checkpoint is never
    taken in the middle of an optimizer update."""

    def __init__(self) -> None:
        self.set = False
        self._previous: Any = None

    def __enter__(self) -> _StopFlag:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.set:  # a second Ctrl-C: stop now, like the default handler
            raise KeyboardInterrupt
        self.set = True

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self._previous)


def run(cfg: Config) -> dict[str, Any]:
    """Train as ``cfg`` says; returns ``{"accuracy", "checkpoint", "interrupted", "model"}``.

    Raises:
        ValueError: an unknown model or dataset, or a checkpoint of a different model.
        DeviceError: the device is not available.
    """
    import tensorweave as tw
    import tensorweave.nn as nn
    from tensorweave.device import resolve

    if cfg.dataset not in DATASETS:
        raise ValueError(f"train: unknown dataset {cfg.dataset!r}; choose from {DATASETS}")
    device, _ = resolve(cfg.device)
    start_epoch, done, history = 0, 0, []
    state = None
    if cfg.resume:
        state = tw.load(cfg.resume, map_location="cpu")
        saved = state["config"]
        if saved["model"] != cfg.model or saved["dataset"] != cfg.dataset:
            raise ValueError(f"train: {cfg.resume} holds a {saved['model']} on "
                             f"{saved['dataset']}; this run asks for a {cfg.model} on "
                             f"{cfg.dataset}")
        cfg.seed, cfg.batch_size, cfg.lr = saved["seed"], saved["batch_size"], saved["lr"]
        start_epoch, done, history = state["epoch"], state["batches_done"], \
            list(state["test_accuracy"])
    tw.manual_seed(cfg.seed)
    model = build_model(cfg.model).to(device)
    opt = tw.optim.Adam(model.parameters(), lr=cfg.lr)
    if state is not None:
        model.load_state_dict(state["model_state_dict"])
        opt.load_state_dict(state["optimizer_state_dict"])
        _set_rng_states(state["rng_states"])
    x, y = _dataset(cfg, train=True)
    tx, ty = _dataset(cfg, train=False)
    criterion = nn.CrossEntropyLoss()
    path = Path(cfg.checkpoint)
    loss_value = math.nan
    step = 0
    with _StopFlag() as stop:
        for epoch in range(start_epoch, cfg.epochs):
            loader = _loader(x, y, cfg, epoch, done)
            bar = _bar(cfg, done + len(loader), epoch, done)
            seen, t0 = 0, time.perf_counter()
            for i, (xb, yb) in enumerate(loader, start=done):
                loss = criterion(model(_normalize(xb.to(device))), yb.to(device))
                opt.zero_grad()
                loss.backward()
                opt.step()
                loss_value, done, step, seen = loss.item(), i + 1, step + 1, seen + len(yb)
                bar.set_postfix(loss=f"{loss_value:.4f}",
                                samples_per_s=f"{seen / (time.perf_counter() - t0):.0f}")
                bar.update(1)
                if cfg.on_step is not None:
                    cfg.on_step(step)
                if stop.set:
                    bar.close()
                    _save(path, cfg, model, opt, epoch, done, loss_value, history, device)
                    print(f"interrupted in epoch {epoch + 1} after {done} batches; checkpoint "
                          f"saved to {path} (continue with --resume {path})", file=sys.stderr)
                    return {"accuracy": None, "checkpoint": str(path), "interrupted": True,
                            "model": model}
            bar.close()
            done = 0
            history.append(_evaluate(model, tx, ty, device))
            _save(path, cfg, model, opt, epoch + 1, 0, loss_value, history, device)
            print(f"epoch {epoch + 1}/{cfg.epochs}: loss {loss_value:.4f}, test accuracy "
                  f"{history[-1]:.2%}", file=sys.stderr)
    acc = history[-1] if history else _evaluate(model, tx, ty, device)
    print(f"test accuracy {acc:.2%} ({cfg.model} on {cfg.dataset}, {device}); checkpoint: {path}")
    return {"accuracy": acc, "checkpoint": str(path), "interrupted": False, "model": model}


def _bar(cfg: Config, total: int, epoch: int, done: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=done, desc=f"epoch {epoch + 1}/{cfg.epochs}",
                unit="batch", disable=not cfg.progress, leave=False, file=sys.stderr)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``tensorweave train`` options."""
    d = Config()
    p.add_argument("--model", choices=MODELS, default=d.model, help="default: cnn")
    p.add_argument("--dataset", choices=DATASETS, default=d.dataset,
                   help="digits (bundled with scikit-learn, no download; the default) or "
                        "mnist / fashion-mnist from --data")
    p.add_argument("--data", metavar="DIR", help="folder with the MNIST/FashionMNIST IDX files")
    p.add_argument("--device", help="device to train on (default: the default device)")
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"default: {d.epochs}")
    p.add_argument("--batch-size", type=int, default=d.batch_size,
                   help=f"default: {d.batch_size}")
    p.add_argument("--lr", type=float, default=d.lr, help=f"Adam's learning rate ({d.lr})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"default: {d.seed}")
    p.add_argument("--checkpoint", default=d.checkpoint, metavar="FILE",
                   help=f"written after every epoch and on Ctrl-C (default: {d.checkpoint})")
    p.add_argument("--resume", metavar="FILE", help="continue exactly where FILE stopped")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")


def from_arguments(args: argparse.Namespace) -> Config:
    return Config(**{k: getattr(args, k) for k in ("model", "dataset", "data", "device",
                                                   "epochs", "batch_size", "lr", "seed",
                                                   "checkpoint", "resume", "progress")})
