"""Run a PyTorch program on tensorweave by changing nothing but its imports.

    python examples/pytorch_seeds/run_on_tensorweave.py examples/pytorch_seeds/mlp.py

Every ``import torch...`` / ``from torch... import`` line is rewritten to name
``tensorweave`` instead (``import torch`` becomes ``import tensorweave as torch``);
no other line is touched.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

_IMPORT = re.compile(r"^(\s*)(import|from)\s+torch\b")


def port(source: str) -> str:
    """``source`` with its torch imports pointed at tensorweave."""
    out = []
    for line in source.splitlines(keepends=True):
        if _IMPORT.match(line):
            if line.strip() == "import torch":
                line = line.replace("import torch", "import tensorweave as torch")
            else:
                line = re.sub(r"\btorch\b", "tensorweave", line)
        out.append(line)
    return "".join(out)


def load(path: str | Path, framework: str = "tensorweave") -> types.ModuleType:
    """Import the program at ``path`` as a module, on ``framework`` ("tensorweave" or "torch")."""
    path = Path(path)
    source = path.read_text()
    if framework == "tensorweave":
        source = port(source)
    module = types.ModuleType(f"{path.stem}_on_{framework}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    load(sys.argv[1]).main()
