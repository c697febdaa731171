"""Columns in UTF-16 code units, as the protocol counts them by default: a character outside
the Basic Multilingual Plane (an emoji) is two, in positions coming in and going out."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.conftest import at, change_text, open_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

SPEC = """resgraph 1
# widths 😀 for the emoji's sake
let width = 16
let a = ["😀😀", widht]
network n "a line with emoji before an error"
input 3x32x32
stem {
  conv1: conv(3, width) -> bn1: bn -> relu
}
head {
  fc: global_avgpool -> flatten -> linear(10)
}
"""


def utf16(line: str, needle: str, offset: int = 0) -> int:
    """The UTF-16 column of ``needle`` in ``line`` (plus ``offset`` code points, all in the
    BMP)."""
    return len(line[:line.index(needle)].encode("utf-16-le")) // 2 + offset


async def test_an_error_after_an_emoji_is_at_its_utf16_columns(client, tmp_path: Path) -> None:
    path = tmp_path / "emoji.rg"
    found = await open_text(client, path, SPEC)
    line = SPEC.split("\n")[3]
    assert [(d.range.start.line, d.range.start.character, d.range.end.character)
            for d in found] == [(3, utf16(line, "widht"), utf16(line, "widht", 5))]
    assert utf16(line, "widht") == line.index("widht") + 2


async def test_hover_and_references_count_utf16_both_ways(client, tmp_path: Path) -> None:
    path = tmp_path / "emoji.rg"
    text = SPEC.replace("widht", "width")
    await open_text(client, path, SPEC)
    assert await change_text(client, path, text, 2) == []
    line = text.split("\n")[3]
    # on the 'h' of width: in code points that column is past the name, on the ']'
    hover = await client.text_document_hover_async(t.HoverParams(**at(path, 3, utf16(line, "width", 4))))
    assert hover is not None and "let width = 16" in hover.contents.value
    found = await client.text_document_references_async(t.ReferenceParams(
        context=t.ReferenceContext(include_declaration=False), **at(path, 3, utf16(line, "width"))))
    on_line = [(r.range.start.character, r.range.end.character) for r in found if r.range.start.line == 3]
    assert on_line == [(utf16(line, "width"), utf16(line, "width", 5))]
