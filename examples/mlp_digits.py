"""An MLP with Dropout on the 8 x 8 digits: a training loop with evaluation.

SGD with momentum, a StepLR schedule, gradient clipping, ``model.train()`` /
``model.eval()`` and ``no_grad`` evaluation -- the usual PyTorch loop, on any device:

    python examples/mlp_digits.py --device cpu --epochs 10
"""

from __future__ import annotations

import argparse

import tensorweave as tw
import tensorweave.nn as nn
from tensorweave.optim.lr_scheduler import StepLR
from tensorweave.utils.data import DataLoader, TensorDataset
from tensorweave.vision.datasets import Digits


def load(train: bool, device: str) -> tuple[tw.Tensor, tw.Tensor]:
    ds = Digits(train=train)
    return (ds.data.float().view(len(ds), 64) / 255).to(device), ds.targets.to(device)


def evaluate(model: nn.Module, x: tw.Tensor, y: tw.Tensor) -> float:
    model.eval()
    with tw.no_grad():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(y)


def main(argv: list[str] | None = None) -> float:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=10)
    args = p.parse_args(argv)
    tw.manual_seed(0)
    x, y = load(True, args.device)
    tx, ty = load(False, args.device)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)).to(args.device)
    optimizer = tw.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=5, gamma=0.5)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True,
                        generator=tw.Generator().manual_seed(0))
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            total += loss.item() * len(yb)
        scheduler.step()
        acc = evaluate(model, tx, ty)
        print(f"epoch {epoch + 1}: loss {total / len(y):.4f}, test accuracy {acc:.2%}, "
              f"lr {scheduler.get_last_lr()[0]:g}")
    print(f"final test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    main()
