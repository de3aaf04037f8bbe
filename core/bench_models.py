"""Training-step workloads for ``tensorweave bench``: the seed models, written once.

tensorweave's API is PyTorch's, so each workload is one function that takes the
framework module (``tensorweave`` or ``torch``) and builds the same model, data
and optimizer with it; the benchmark then times one training step
(zero_grad, forward, loss, backward, optimizer step) in each framework.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["STEPS", "GPU_STEPS", "BFLOAT16_STEPS"]


def _step(fw: Any, model: Any, x: Any, y: Any, optimizer: Any) -> Callable[[], Any]:
    criterion = fw.nn.CrossEntropyLoss()

    def step() -> Any:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def mlp(fw: Any, device: str, batch: int = 64, dtype: str = "float32") -> Callable[[], Any]:
    """The seed MLP 784-256-128-10, batch 64 (or ``batch``), Adam, in float32 (or ``dtype``:
    parameters, data and optimizer state)."""
    nn = fw.nn
    dt = getattr(fw, dtype)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10)).to(device, dt)
    x, y = (fw.randn(batch, 784, device=device, dtype=dt),
            fw.randint(0, 10, (batch,), device=device))
    return _step(fw, model, x, y, fw.optim.Adam(model.parameters(), lr=1e-3))


def cnn(fw: Any, device: str, batch: int = 64) -> Callable[[], Any]:
    """The seed CNN on 3x32x32 (two conv-relu-maxpool blocks, dropout, two linears), batch 64
    (or ``batch``), Adam."""
    nn = fw.nn
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10)).to(device)
    x, y = (fw.randn(batch, 3, 32, 32, device=device),
            fw.randint(0, 10, (batch,), device=device))
    return _step(fw, model, x, y, fw.optim.Adam(model.parameters(), lr=1e-3))


def lstm(fw: Any, device: str) -> Callable[[], Any]:
    """The seed 2-layer LSTM (hidden 256), batch 32, sequence 35, classifying the last step."""
    nn = fw.nn

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(64, 256, num_layers=2, batch_first=True)
            self.fc = nn.Linear(256, 10)

        def forward(self, x: Any) -> Any:
            out, _ = self.lstm(x)
            return self.fc(out[:, -1])

    model = Classifier().to(device)
    x, y = fw.randn(32, 35, 64, device=device), fw.randint(0, 10, (32,), device=device)
    return _step(fw, model, x, y, fw.optim.Adam(model.parameters(), lr=1e-3))


STEPS: dict[str, Callable[[Any, str], Callable[[], Any]]] = {
    "MLP train step (784-256-128-10, b64, Adam)": mlp,
    "CNN train step (3x32x32, b64, Adam)": cnn,
    "LSTM train step (2x256, b32, seq 35, Adam)": lstm,
}
# A GPU is also measured at batch 1024, where the kernels rather than the launches count.
GPU_STEPS: dict[str, Callable[[Any, str], Callable[[], Any]]] = {
    "MLP train step (784-256-128-10, b1024, Adam)": lambda fw, dev: mlp(fw, dev, 1024),
    "CNN train step (3x32x32, b1024, Adam)": lambda fw, dev: cnn(fw, dev, 1024),
}
# Measured on devices whose backend lists bfloat16.
BFLOAT16_STEPS: dict[str, Callable[[Any, str], Callable[[], Any]]] = {
    "MLP train step bf16 (784-256-128-10, b64, Adam)":
        lambda fw, dev: mlp(fw, dev, dtype="bfloat16"),
}
