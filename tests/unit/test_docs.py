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


def test_backend_guide_embeds_the_current_primitive_table():
    """docs/backends.md carries the primitive table between its markers, as generated."""
    from tensorweave.ops._table import primitive_table

    text = (DOCS.parent / "backends.md").read_text()
    section = text.split("<!-- primitives:begin -->\n")[1].split("<!-- primitives:end -->")[0]
    assert section == primitive_table(CORE_OPS)
