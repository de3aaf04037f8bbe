"""Fit a linear regression with tensorweave's autograd: the README's quick start.

Uses only core features -- tensors, matmul, sum, backward and in-place updates
under ``no_grad`` -- on the default device (cpu, or whatever the environment
variable ``TENSORWEAVE_DEVICE`` names, e.g. ``TENSORWEAVE_DEVICE=opencl:0``).

Run it with ``python examples/quickstart.py``; it prints the loss as it falls
and the fitted weights next to the true ones.
"""

from __future__ import annotations

import tensorweave as tw

TRUE_W = [[2.0], [-3.0], [0.5]]
TRUE_B = 1.0
STEPS = 300
LR = 0.1


def make_data(n: int = 64) -> tuple[tw.Tensor, tw.Tensor]:
    """Inputs spread over [-1, 1) (deterministic, so the run is reproducible) and exact targets."""
    rows = [[(i % 8) / 4 - 1, (i // 8) / 4 - 1, ((3 * i) % 16) / 8 - 1] for i in range(n)]
    x = tw.tensor(rows)
    y = x @ tw.tensor(TRUE_W) + TRUE_B
    return x, y


def main() -> float:
    """Train and return the final mean squared error."""
    x, y = make_data()
    n = x.shape[0]
    w = tw.zeros(3, 1, requires_grad=True)
    b = tw.zeros(1, requires_grad=True)
    print(f"fitting y = x @ w + b on {x.device} ({n} samples, {STEPS} steps of gradient descent)")
    for step in range(STEPS + 1):
        loss = ((x @ w + b - y) ** 2).sum() / n
        loss.backward()
        with tw.no_grad():  # the update itself must not be recorded by autograd
            w -= LR * w.grad
            b -= LR * b.grad
        w.grad = None
        b.grad = None
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():.3e}")
    print(f"learned w = {[round(v, 3) for v in w.detach().flatten().tolist()]}, "
          f"b = {b.item():.3f}")
    print(f"true    w = {[v[0] for v in TRUE_W]}, b = {TRUE_B}")
    final = loss.item()
    print(f"final loss: {final:.2e}")
    return final


if __name__ == "__main__":
    main()
