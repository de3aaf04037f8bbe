"""The same small custom models built with tensorweave or with PyTorch (``fw`` is either
module), so names, orders, state dicts, reprs and error texts can be compared one to one.
"""

from __future__ import annotations

from typing import Any


def leaf_classes(fw: Any) -> tuple[type, type]:
    """``Leaf(n, multi=False)``: one ``(n, 2)`` weight and an extra_repr (two lines with
    ``multi``); ``Empty()``: no state, prints ``Empty()``.
    """
    nn = fw.nn

    class Leaf(nn.Module):
        def __init__(self, n: int, multi: bool = False) -> None:
            super().__init__()
            self.n, self.multi = n, multi
            self.weight = nn.Parameter(fw.arange(2 * n, dtype=fw.float32).reshape(n, 2))

        def forward(self, x: Any) -> Any:
            return x @ self.weight

        def extra_repr(self) -> str:
            return f"n={self.n}\nmulti=True" if self.multi else f"n={self.n}"

    class Empty(nn.Module):
        def forward(self, x: Any) -> Any:
            return x

    return Leaf, Empty


def make_net(fw: Any) -> Any:
    """A nested model with parameters, persistent and non-persistent buffers, an integer
    buffer, a None slot, a shared submodule and every container.
    """
    nn = fw.nn
    Leaf, Empty = leaf_classes(fw)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(fw.tensor([1.0, 2.0]))
            self.register_buffer("steps", fw.tensor(0))
            self.register_buffer("cache", fw.zeros(2), persistent=False)
            self.register_parameter("unused", None)
            self.inner = Leaf(1, multi=True)

        def forward(self, x: Any) -> Any:
            return x * self.scale

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = Leaf(3)
            self.block = Block()
            self.seq = nn.Sequential(Leaf(1), Empty(), nn.Sequential(Leaf(2, multi=True)))
            self.seq.append(self.first)  # shared: reported once by the named_* methods
            self.blocks = nn.ModuleList([Block(), Block(), Empty(), Empty(), Empty(), Leaf(4)])
            self.heads = nn.ModuleDict({"b": Empty(), "a": Leaf(5)})
            self.register_buffer("running", fw.ones(2))
            self.bias = nn.Parameter(fw.zeros(2))

        def forward(self, x: Any) -> Any:
            return self.block(x) + self.bias

    return Net()
