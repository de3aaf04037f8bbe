"""An MLP with BatchNorm1d, trained with SGD+momentum, evaluated in eval mode."""

import torch
import torch.nn as nn
import torch.optim as optim


class BNNet(nn.Module):
    def __init__(self, input_size=20, hidden=64, num_classes=2):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(input_size, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden // 2),
            nn.BatchNorm1d(hidden // 2),
            nn.ReLU(),
            nn.Linear(hidden // 2, num_classes),
        )

    def forward(self, x):
        return self.net(x)


def main(n=256, epochs=10, batch_size=32):
    torch.manual_seed(0)
    x = torch.randn(n, 20) * 3 + 1
    y = ((x[:, 0] * x[:, 1] + x[:, 2]) > 1).long()
    model = BNNet()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for start in range(0, n, batch_size):
            optimizer.zero_grad()
            loss = criterion(model(x[start:start + batch_size]), y[start:start + batch_size])
            loss.backward()
            optimizer.step()
            total += loss.item()
        history.append(total / (n // batch_size))
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    print(f"loss {history[0]:.4f} -> {history[-1]:.4f}, eval accuracy {acc:.3f}")
    print(model)
    count = sum(p.numel() for p in model.parameters())
    print(f"Total parameters: {count}")
    return {"loss": history, "accuracy": acc, "BNNet": {"repr": repr(model), "parameters": count}}


if __name__ == "__main__":
    main()
