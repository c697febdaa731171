"""Golden IR text of every shipped network: ``tests/golden/ir/NAME.txt`` holds
``resgraph.load(NAME).to_text()``, one test case per network.

A text over 200 KB (the two networks of a thousand layers and more, cifar_resnet1202 and
preact_resnet1001) is stored as its first 200 lines and a last line with the sha256 of the
whole text: the files stay small, the diff still shows a change near the input, and any
other change still fails. ``RESGRAPH_REGENERATE=1`` rewrites the files; review the diff.
"""

import hashlib
import os
from pathlib import Path

import pytest

import resgraph
from resgraph.catalog import catalog

GOLDEN = Path(__file__).parent / "golden" / "ir"
WHOLE_UP_TO = 200_000  # bytes
HEAD_LINES = 200


def stored(text: str) -> str:
    """The form a text is kept in: whole, or its head and the sha256 of the whole."""
    data = text.encode()
    if len(data) <= WHOLE_UP_TO:
        return text
    lines = text.splitlines(keepends=True)
    return "".join(lines[:HEAD_LINES]) + (
        f"# {len(lines) - HEAD_LINES} more lines; sha256 of the whole text: "
        f"{hashlib.sha256(data).hexdigest()}\n")


@pytest.mark.parametrize("name", sorted(catalog()))
def test_ir_text_is_golden(name):
    text = stored(resgraph.load(name).to_text())
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("RESGRAPH_REGENERATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden for {name}; RESGRAPH_REGENERATE=1 writes it"
    assert text == path.read_text(), f"{path.name} differs; RESGRAPH_REGENERATE=1 rewrites it"


def test_every_golden_is_a_shipped_network():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(catalog())
