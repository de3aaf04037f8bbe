"""The SimpleNet / IntermediateNet MLPs with Dropout, trained with SGD+momentum and StepLR,
Adam and RMSprop, with gradient clipping and gradient accumulation."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class SimpleNet(nn.Module):
    def __init__(self):
        super(SimpleNet, self).__init__()
        self.fc1 = nn.Linear(784, 128)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


class IntermediateNet(nn.Module):
    def __init__(self, input_size=784, hidden_sizes=(256, 128), num_classes=10, p=0.5):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_sizes[0])
        self.fc2 = nn.Linear(hidden_sizes[0], hidden_sizes[1])
        self.fc3 = nn.Linear(hidden_sizes[1], num_classes)
        self.dropout = nn.Dropout(p)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def make_data(n=512):
    torch.manual_seed(0)
    x = torch.randn(n, 1, 28, 28)
    teacher = torch.randn(784, 10)
    y = torch.argmax(x.view(n, -1) @ teacher, dim=1)
    return x, y


def train(model, optimizer, x, y, epochs, batch_size=64, scheduler=None, clip=None,
          accumulate=1):
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(x.size(0))
        running, batches = 0.0, 0
        optimizer.zero_grad()
        for i, start in enumerate(range(0, x.size(0), batch_size)):
            idx = perm[start:start + batch_size]
            loss = criterion(model(x[idx]), y[idx]) / accumulate
            loss.backward()
            if (i + 1) % accumulate == 0:
                if clip is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)
                optimizer.step()
                optimizer.zero_grad()
            running += loss.item() * accumulate
            batches += 1
        if scheduler is not None:
            scheduler.step()
        history.append(running / batches)
    return history


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
        return (pred == y).float().mean().item()


def main():
    x, y = make_data()
    results = {}
    setups = {
        "sgd_momentum_steplr": lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9),
        "adam_clip": lambda m: optim.Adam(m.parameters(), lr=1e-3),
        "rmsprop_accumulate": lambda m: optim.RMSprop(m.parameters(), lr=1e-3),
    }
    for name, make_optimizer in setups.items():
        torch.manual_seed(1)
        model = SimpleNet() if name != "adam_clip" else IntermediateNet()
        optimizer = make_optimizer(model)
        scheduler = StepLR(optimizer, step_size=3, gamma=0.5) if "steplr" in name else None
        history = train(model, optimizer, x, y, epochs=6, scheduler=scheduler,
                        clip=1.0 if "clip" in name else None,
                        accumulate=2 if "accumulate" in name else 1)
        results[name] = {"loss": history, "accuracy": accuracy(model, x, y),
                         "lr": optimizer.param_groups[0]["lr"]}
        print(f"{name}: loss {history[0]:.3f} -> {history[-1]:.3f}, "
              f"train accuracy {results[name]['accuracy']:.3f}")
    for model in (SimpleNet(), IntermediateNet()):
        print(model)
        count = sum(p.numel() for p in model.parameters() if p.requires_grad)
        print(f"Total trainable parameters: {count}")
        results[type(model).__name__] = {"repr": repr(model), "parameters": count}
    return results


if __name__ == "__main__":
    main()
