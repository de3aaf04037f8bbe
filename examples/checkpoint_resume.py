"""Checkpointing as PyTorch users do it: save ``{'epoch', 'model_state_dict',
'optimizer_state_dict', 'loss'}`` with ``tw.save`` every epoch, load it into a fresh model
and optimizer with ``tw.load``, and continue. The resumed run ends with exactly the
weights of a run that never stopped:

    python examples/checkpoint_resume.py --device cpu --epochs 4 --checkpoint ckpt.tw
"""

from __future__ import annotations

import argparse

import tensorweave as tw
import tensorweave.nn as nn
from tensorweave.vision.datasets import Digits


def make_model() -> nn.Module:
    """A small CNN for the 1 x 8 x 8 digits (no dropout: the runs must match exactly)."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(8 * 4 * 4, 10))


def train(model: nn.Module, optimizer: tw.optim.Optimizer, x: tw.Tensor, y: tw.Tensor,
          epochs: range) -> float:
    criterion = nn.CrossEntropyLoss()
    for _ in epochs:
        for i in range(0, len(y), 128):
            optimizer.zero_grad()
            loss = criterion(model(x[i:i + 128]), y[i:i + 128])
            loss.backward()
            optimizer.step()
    return loss.item()


def main(argv: list[str] | None = None) -> bool:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--checkpoint", default="checkpoint_resume.tw")
    args = p.parse_args(argv)
    ds = Digits()
    x = (ds.data.float() / 255).unsqueeze(1).to(args.device)
    y = ds.targets.to(args.device)
    half = args.epochs // 2

    tw.manual_seed(0)
    straight = make_model().to(args.device)
    train(straight, tw.optim.Adam(straight.parameters(), lr=1e-2), x, y, range(args.epochs))

    tw.manual_seed(0)
    model = make_model().to(args.device)
    optimizer = tw.optim.Adam(model.parameters(), lr=1e-2)
    loss = train(model, optimizer, x, y, range(half))
    tw.save({"epoch": half, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": optimizer.state_dict(), "loss": loss}, args.checkpoint)
    print(f"saved epoch {half} (loss {loss:.4f}) to {args.checkpoint}")

    checkpoint = tw.load(args.checkpoint, map_location=args.device)
    resumed = make_model().to(args.device)
    optimizer = tw.optim.Adam(resumed.parameters(), lr=1e-2)
    resumed.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    loss = train(resumed, optimizer, x, y, range(checkpoint["epoch"], args.epochs))
    same = all(bool((a == b).all()) for a, b in zip(straight.state_dict().values(),
                                                   resumed.state_dict().values()))
    print(f"resumed from epoch {checkpoint['epoch']} to {args.epochs} (loss {loss:.4f}); "
          f"weights equal to the uninterrupted run: {same}")
    return same


if __name__ == "__main__":
    main()
