"""A 2-layer LSTM sequence classifier (batch_first, dropout between layers), trained with
Adam and gradient clipping, evaluated on held-out sequences, on any device:

    python examples/lstm_sequences.py --device cpu --epochs 40

The label of a sequence is which of three feature groups has the largest sum over time,
so the network must integrate over the whole sequence.
"""

from __future__ import annotations

import argparse

import tensorweave as tw
import tensorweave.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, input_size: int = 6, hidden_size: int = 32, num_classes: int = 3):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers=2, batch_first=True,
                            dropout=0.1)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x: tw.Tensor) -> tw.Tensor:
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1, :])


def make_data(n: int, seq_len: int = 10) -> tuple[tw.Tensor, tw.Tensor]:
    x = tw.randn(n, seq_len, 6)
    sums = x.view(n, seq_len, 3, 2).sum(dim=(1, 3))
    return x, sums.argmax(dim=1)


def main(argv: list[str] | None = None) -> float:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=40)
    args = p.parse_args(argv)
    tw.manual_seed(0)
    x, y = (t.to(args.device) for t in make_data(256))
    tx, ty = (t.to(args.device) for t in make_data(128))
    model = LSTMClassifier().to(args.device)
    optimizer = tw.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for i in range(0, len(y), 64):
            optimizer.zero_grad()
            loss = criterion(model(x[i:i + 64]), y[i:i + 64])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        if (epoch + 1) % 10 == 0 or epoch + 1 == args.epochs:
            model.eval()
            with tw.no_grad():
                acc = (model(tx).argmax(dim=1) == ty).float().mean().item()
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {acc:.2%}")
    print(f"final test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    main()
