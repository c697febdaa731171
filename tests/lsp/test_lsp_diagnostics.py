"""Diagnostics as ``resgraph check`` gives them, after opening and after edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.conftest import ROOT, change_text, open_text, published

pytestmark = pytest.mark.asyncio(loop_scope="module")

GOOD = """resgraph 1
param n = 3

network cifar_resnet "ResNet for CIFAR-10"
input 3x32x32
stem {
  conv1: conv(3, 16) -> bn1: bn -> relu
}
stage layer1: basic(16, shortcut="A") x n
stage layer2: basic(32, shortcut="A") x n stride 2
stage layer3: basic(64, shortcut="A") x n stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
"""


async def test_a_shipped_spec_has_no_errors(client) -> None:
    found = await open_text(client, ROOT / "specs" / "resnet.rg")
    assert [d for d in found if d.severity == t.DiagnosticSeverity.Error] == []


async def test_an_edit_that_breaks_a_spec_is_reported_at_its_words(client, tmp_path: Path) -> None:
    path = tmp_path / "net.rg"
    assert await open_text(client, path, GOOD) == []
    broken = GOOD.replace("basic(16", "bsic(16")
    found = await change_text(client, path, broken, 2)
    line = broken.split("\n").index(next(x for x in broken.split("\n") if "bsic(16" in x))
    assert len(found) == 1 and "bsic" in found[0].message
    assert found[0].range.start.line == line
    assert found[0].range.start.character == broken.split("\n")[line].index("bsic")
    assert found[0].related_information, "the hint (did you mean) comes as related information"
    assert "basic" in found[0].related_information[0].message
    assert await change_text(client, path, GOOD, 3) == []


async def test_every_error_at_once(client, tmp_path: Path) -> None:
    text = GOOD.replace("basic(16", "bsic(16").replace("basic(64", "bsc(64")
    found = await open_text(client, tmp_path / "two.rg", text)
    assert sorted(d.range.start.line for d in found) == sorted(
        i for i, x in enumerate(text.split("\n")) if "bsic(" in x or "bsc(" in x)


async def test_roundings_are_information(client) -> None:
    found = await open_text(client, ROOT / "specs" / "regnet.rg")
    notes = [d for d in found if d.severity == t.DiagnosticSeverity.Information]
    assert notes and all("rounded" in d.message for d in notes)
    assert not [d for d in found if d.severity == t.DiagnosticSeverity.Error]
    line = (ROOT / "specs" / "regnet.rg").read_text().split("\n")[notes[0].range.start.line]
    assert "round(" in line[notes[0].range.start.character:]


async def test_an_error_in_a_used_file_is_shown_on_the_use_line(client, tmp_path: Path) -> None:
    (tmp_path / "lib.rg").write_text("resgraph 1\nlet width = 16 / 0\n")
    text = GOOD.replace("param n = 3", 'use "lib.rg"\nparam n = 3')
    found = await open_text(client, tmp_path / "user.rg", text)
    use_line = text.split("\n").index('use "lib.rg"')
    assert [d.range.start.line for d in found] == [use_line]
    assert "division by zero" in found[0].message and "lib.rg:2" in found[0].message
    lib_uri = (tmp_path / "lib.rg").resolve().as_uri()
    assert [d.range.start.line for d in await published(client, lib_uri)] == [1]


async def test_a_sweep_file_is_checked(client, tmp_path: Path) -> None:
    sweep = (ROOT / "examples" / "regnetx_400mf.sweep.rg").read_text()
    assert await open_text(client, ROOT / "examples" / "regnetx_400mf.sweep.rg") == []
    bad = tmp_path / "bad.sweep.rg"
    found = await open_text(client, bad, sweep.replace("accept", "acept", 1))
    assert found and found[0].severity == t.DiagnosticSeverity.Error
