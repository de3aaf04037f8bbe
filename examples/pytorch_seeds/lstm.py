"""A 2-layer LSTM sequence classifier (batch_first), trained with Adam."""

import torch
import torch.nn as nn
import torch.optim as optim


class LSTMClassifier(nn.Module):
    def __init__(self, input_size=8, hidden_size=32, num_layers=2, num_classes=3):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True,
                            dropout=0.1)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, (hn, cn) = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])


def main(n=96, seq_len=12, epochs=15):
    torch.manual_seed(0)
    x = torch.randn(n, seq_len, 8)
    # The class is which of three feature groups has the largest sum over time.
    y = torch.stack([x[:, :, 0:2].sum(dim=(1, 2)), x[:, :, 2:4].sum(dim=(1, 2)),
                     x[:, :, 4:6].sum(dim=(1, 2))], dim=1).argmax(dim=1)
    model = LSTMClassifier()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        history.append(loss.item())
    print(f"loss {history[0]:.4f} -> {history[-1]:.4f}")
    print(model)
    count = sum(p.numel() for p in model.parameters())
    print(f"Total parameters: {count}")
    return {"loss": history, "LSTMClassifier": {"repr": repr(model), "parameters": count}}


if __name__ == "__main__":
    main()
