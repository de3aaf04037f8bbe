"""A small CNN (Conv2d / MaxPool2d / Dropout) on 3x32x32 images, trained with Adam."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 8 * 8, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def main(n=128, epochs=4, batch_size=32):
    torch.manual_seed(0)
    x = torch.randn(n, 3, 32, 32)
    # A learnable labelling: which quadrant of the image has the brightest red channel.
    quadrants = x[:, 0].reshape(n, 2, 16, 2, 16).sum(dim=(2, 4)).view(n, 4)
    y = quadrants.argmax(dim=1)
    model = CNN(num_classes=4)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for start in range(0, n, batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.size(0)
        history.append(total / n)
        print(f"epoch {epoch}: loss {history[-1]:.4f}")
    print(model)
    count = sum(p.numel() for p in model.parameters())
    print(f"Total parameters: {count}")
    return {"loss": history, "CNN": {"repr": repr(model), "parameters": count}}


if __name__ == "__main__":
    main()
