"""Generated documentation stays in step with the op definitions."""

from __future__ import annotations

from pathlib import Path

from tensorweave.ops import CORE_OPS, PRIMITIVE
from tensorweave.ops._table import markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ops.md"


def test_ops_table_is_current():
    """docs/ops.md equals `python -m tensorweave.ops._table`; regenerate it after adding an op."""
    assert DOCS.read_text() == markdown(CORE_OPS)


def test_ops_table_lists_every_primitive_with_its_dtypes():
    """Each primitive appears in the primitive section with a one-line semantics entry."""
    text = DOCS.read_text()
    prims = text.split("## Composites")[0]
    for op in CORE_OPS:
        if op.kind is PRIMITIVE:
            assert f"| `{op.name}` |" in prims
