"""The README's op list is the op table's: every op, in order, with its one-line doc."""

from __future__ import annotations

from pathlib import Path

from resgraph.ops import OPS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_the_op_table() -> None:
    text = README.read_text()
    listed = text.split("<!-- ops: generated from resgraph.ops.OPS -->\n")[1].split("<!-- end ops")[0]
    assert listed == "".join(f"- `{name}`: {op.doc}\n" for name, op in OPS.items())
