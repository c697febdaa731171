"""Hover, definition, references, completion, symbols, formatting, rename and hints, from a
real client; the figures checked against ``resgraph analyze --json``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.conftest import ROOT, at, change_text, open_text, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")

RESNET = ROOT / "specs" / "resnet.rg"
#: a block of the user's, used by two stages at different widths
TWO_STAGES = """resgraph 1
use "lib.rg"
let width = 16

network two "a block used by two stages"
input 3x32x32
stem {
  conv1: conv(3, width) -> bn1: bn -> relu
}
stage s1: pair(width) x 2
stage s2: pair(2 * width) x 1 stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
"""
LIB = """resgraph 1
block pair(out, stride = 1) "two 3x3 convolutions, no shortcut" {
  a: conv(3, out, stride=stride) -> bn
  b: conv(3, out) -> bn -> relu
}
"""


def analyze_json(spec: Path, level: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "resgraph.cli", "analyze", str(spec),
                           "--level", level, "--json"], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout)


def numbers(text: str, label: str) -> list[int]:
    """The figures of a hover's table row ``| label | 1,234 | ...``."""
    row = next(x for x in text.split("\n") if x.startswith(f"| {label} |"))
    return [int(n.replace(",", "")) for n in re.findall(r"\| ([\d,]+) \|", row)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "lib.rg").write_text(LIB)
    (tmp_path / "two.rg").write_text(TWO_STAGES)
    return tmp_path / "two.rg"


async def hover_text(client, path: Path, line: int, character: int) -> str:
    found = await client.text_document_hover_async(t.HoverParams(**(at(path, line, character))))
    assert found is not None, f"no hover at {line}:{character}"
    return found.contents.value


async def test_stage_hover_has_the_figures_of_analyze(client) -> None:
    await open_text(client, RESNET)
    text = RESNET.read_text()
    line, _ = position_of(text, "stage layer2")
    shown = await hover_text(client, RESNET, line, 2)
    row = next(r for r in analyze_json(RESNET, "stage")["rows"] if r["name"] == "layer2")
    assert numbers(shown, "MACs")[0] == row["macs"]
    assert numbers(shown, "params")[0] == row["params"]
    assert numbers(shown, "activation bytes")[0] == row["activation_bytes"]
    assert "`bottleneck` × 4" in shown and "256x56x56 → 512x28x28" in shown


async def test_layer_hover_per_stage_of_a_shared_block(client, project: Path) -> None:
    await open_text(client, project.parent / "lib.rg")
    assert await open_text(client, project) == []
    ops = {r["name"]: r for r in analyze_json(project, "op")["rows"]}
    # the layer in lib.rg shows no figures of its own (it has no network); from the
    # user's file the stage line shows them, and the stem's layer its own
    line, character = position_of(TWO_STAGES, "conv1: conv", 8)
    shown = await hover_text(client, project, line, character)
    assert "conv1" in shown and f"| {ops['conv1']['macs']:,} |" in shown
    assert "3x32x32 → 16x32x32" in shown


async def test_layer_hover_of_a_block_used_by_two_stages(client, tmp_path: Path) -> None:
    path = tmp_path / "inline.rg"
    path.write_text(TWO_STAGES.replace('use "lib.rg"\n', LIB.removeprefix("resgraph 1\n")))
    text = path.read_text()
    assert await open_text(client, path) == []
    ops = {r["name"]: r for r in analyze_json(path, "op")["rows"]}
    line, character = position_of(text, "a: conv", 3)
    shown = await hover_text(client, path, line, character)
    rows = [x for x in shown.split("\n") if x.startswith("| s")]
    assert len(rows) == 2, shown
    assert rows[0].startswith("| s1.0.a (and 1 more in s1) |") and "16x32x32 → 16x32x32" in rows[0]
    assert f"| {ops['s1.0.a']['macs']:,} | {ops['s1.0.a']['params']:,} |" in rows[0]
    assert rows[1].startswith("| s2.0.a |") and "16x32x32 → 32x16x16" in rows[1]
    assert f"| {ops['s2.0.a']['macs']:,} | {ops['s2.0.a']['params']:,} |" in rows[1]


async def test_argument_hover_lists_each_instance_value(client, tmp_path: Path) -> None:
    path = tmp_path / "inline.rg"
    text = TWO_STAGES.replace('use "lib.rg"\n', LIB.removeprefix("resgraph 1\n"))
    await open_text(client, path, text)
    line, character = position_of(text, "pair(out", 5)
    shown = await hover_text(client, path, line, character)
    assert "argument of block `pair`" in shown
    assert "- `16` in s1.0, s1.1" in shown and "- `32` in s2.0" in shown


async def test_name_hover_gives_the_value_and_the_definition(client) -> None:
    await open_text(client, RESNET)
    text = RESNET.read_text()
    line, character = position_of(text, "[depth]", 1)
    shown = await hover_text(client, RESNET, line, character)
    assert "param depth = 50" in shown and "value **50**" in shown
    assert f"resnet.rg:{position_of(text, 'param depth')[0] + 1}" in shown


#: lets at the top, in a ``for``, from a used file and in a block
LETS = """resgraph 1
use "lib.rg"
let width = base * 2
block wide(out) {
  let inner = out * 2
  a: conv(3, inner) -> bn -> relu
}

network lets "lets of every kind"
input 3x32x32
stem {
  conv1: conv(3, width) -> bn1: bn -> relu
}
for k in range(3) {
  let w = width * (k + 1)
  stage f"s{k}": pair(w) x 1
}
stage last: wide(8) x 1
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
"""


async def test_let_hover_gives_its_value_for_the_chosen_variant(client) -> None:
    await open_text(client, RESNET)
    uri, text = RESNET.resolve().as_uri(), RESNET.read_text()
    layers, unit = position_of(text, "let layers", 5), position_of(text, "unit(128)", 1)
    assert "value **[3, 4, 6, 3]**" in await hover_text(client, RESNET, *layers)
    assert ('value **bottleneck(groups=1, base_width=64, stride_on="3x3", shortcut="B", '
            'zero_init=false)**') in await hover_text(client, RESNET, *unit)
    await client.workspace_execute_command_async(t.ExecuteCommandParams(
        "resgraph.selectVariant", [uri, "resnet18"]))
    try:
        assert "value **[2, 2, 2, 2]**" in await hover_text(client, RESNET, *layers)
        assert "value **basic(groups=1" in await hover_text(client, RESNET, *unit)
    finally:
        await client.workspace_execute_command_async(t.ExecuteCommandParams(
            "resgraph.selectVariant", [uri, None]))


async def test_let_hover_in_a_for_a_used_file_and_a_block(client, tmp_path: Path) -> None:
    (tmp_path / "lib.rg").write_text(LIB + "let base = 8\n")
    path = tmp_path / "lets.rg"
    await open_text(client, path, LETS)
    assert "value **16**" in await hover_text(client, path, *position_of(LETS, "let width", 5))
    turns = await hover_text(client, path, *position_of(LETS, "let w ", 5))
    assert "values **16**, **32**, **48** (one per turn of its `for`)" in turns
    used = await hover_text(client, path, *position_of(LETS, "base * 2", 1))
    assert "value **8**" in used and "lib.rg:6" in used
    inner = await hover_text(client, path, *position_of(LETS, "let inner", 5))
    assert "let inner = out * 2" in inner and "value" not in inner
    broken = LETS.replace("let width = base * 2", "let width = base * 2\nlet bad = 1 // 0")
    await change_text(client, path, broken, 2)
    after = await hover_text(client, path, *position_of(broken, "let bad", 5))
    assert "let bad = 1 // 0" in after and "value" not in after


async def test_block_call_hover_gives_docstring_and_signature(client, project: Path) -> None:
    await open_text(client, project)
    line, character = position_of(TWO_STAGES, "pair(width)")
    shown = await hover_text(client, project, line, character)
    assert "block pair(out, stride=1)" in shown and "two 3x3 convolutions" in shown
    assert "stage **s1**" in shown


async def test_definition_into_a_used_file_and_the_prelude(client, project: Path) -> None:
    await open_text(client, project)
    line, character = position_of(TWO_STAGES, "pair(width)")
    found = await client.text_document_definition_async(
        t.DefinitionParams(**(at(project, line, character))))
    assert found.uri == (project.parent / "lib.rg").resolve().as_uri()
    assert found.range.start.line == 1
    await open_text(client, RESNET)
    text = RESNET.read_text()
    line, character = position_of(text, "basic : bottleneck", 8)
    found = await client.text_document_definition_async(
        t.DefinitionParams(**(at(RESNET, line, character))))
    prelude = Path(found.uri.removeprefix("file://"))
    assert prelude.name == "prelude.rg"
    assert prelude.read_text().split("\n")[found.range.start.line].startswith("block bottleneck(")
    assert not prelude.stat().st_mode & 0o222, "the prelude opens read-only"
    line, character = position_of(TWO_STAGES, '"lib.rg"', 2)
    found = await client.text_document_definition_async(
        t.DefinitionParams(**(at(project, line, character))))
    assert found.uri.endswith("/lib.rg")


async def test_references_and_rename_of_a_let(client, project: Path) -> None:
    await open_text(client, project)
    line, character = position_of(TWO_STAGES, "let width", 5)
    refs = await client.text_document_references_async(t.ReferenceParams(
        context=t.ReferenceContext(include_declaration=True), **(at(project, line, character))))
    assert len(refs) == TWO_STAGES.count("width")
    edit = await client.text_document_rename_async(t.RenameParams(
        new_name="base", **(at(project, line, character))))
    edits = edit.changes[project.resolve().as_uri()]
    assert len(edits) == TWO_STAGES.count("width") and {e.new_text for e in edits} == {"base"}


async def test_completion_offers_ops_blocks_and_keyword_arguments(client, project: Path) -> None:
    await open_text(client, project)
    line, _ = position_of(TWO_STAGES, "stage s2")
    found = await client.text_document_completion_async(
        t.CompletionParams(**(at(project, line, 0))))
    labels = {i.label: i for i in found.items}
    assert {"conv", "bn", "pair", "bottleneck", "width", "stage"} <= set(labels)
    assert labels["bottleneck"].detail.startswith("block bottleneck(planes, stride=1")
    assert labels["stage"].insert_text_format == t.InsertTextFormat.Snippet
    line, character = position_of(TWO_STAGES, "pair(2", 5)
    found = await client.text_document_completion_async(
        t.CompletionParams(**(at(project, line, character))))
    assert [i.label for i in found.items] == ["out=", "stride="]


async def test_symbols_are_an_outline(client) -> None:
    await open_text(client, RESNET)
    found = await client.text_document_document_symbol_async(t.DocumentSymbolParams(
        t.TextDocumentIdentifier(RESNET.resolve().as_uri())))
    names = [s.name for s in found]
    assert names.index("resnet") < names.index("stem") < names.index("layer1") < names.index("head")
    assert next(s for s in found if s.name == "layer2").detail == "unit(128) x layers[1]"
    assert {"depth", "layers", "resnet50"} <= set(names)


async def test_formatting_is_fmt(client, tmp_path: Path) -> None:
    path = tmp_path / "messy.rg"
    messy = TWO_STAGES.replace("use \"lib.rg\"\n", "").replace("pair(width) x 2", "basic(width)  x 2") \
        .replace("pair(2 * width) x 1", "basic(2*width) x 1")
    await open_text(client, path, messy)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(path.resolve().as_uri()), t.FormattingOptions(2, True)))
    from resgraph import api
    from resgraph.errors import Source

    assert edits and edits[0].new_text == api.fmt(Source(messy, str(path)))
    assert "basic(2 * width) x 1" in edits[0].new_text


async def test_inlay_hints_show_each_stage_output_and_macs(client) -> None:
    await open_text(client, RESNET)
    found = await client.text_document_inlay_hint_async(t.InlayHintParams(
        t.TextDocumentIdentifier(RESNET.resolve().as_uri()),
        t.Range(t.Position(0, 0), t.Position(100, 0))))
    labels = [h.label for h in found]
    assert len(labels) == 4 and "2048x7x7" in labels[-1] and "MACs" in labels[-1]


async def test_choosing_a_variant_changes_the_figures(client) -> None:
    await open_text(client, RESNET)
    uri = RESNET.resolve().as_uri()
    names = await client.workspace_execute_command_async(t.ExecuteCommandParams(
        "resgraph.variants", [uri]))
    assert names[0] == "resnet18" and "resnet50" in names
    line, _ = position_of(RESNET.read_text(), "stage layer2")
    before = await hover_text(client, RESNET, line, 2)
    await client.workspace_execute_command_async(t.ExecuteCommandParams(
        "resgraph.selectVariant", [uri, "resnet18"]))
    after = await hover_text(client, RESNET, line, 2)
    assert "`bottleneck` × 4" in before and "`basic` × 2" in after
    await client.workspace_execute_command_async(t.ExecuteCommandParams(
        "resgraph.selectVariant", [uri, None]))


async def test_references_of_a_used_files_block_cross_files(client, tmp_path: Path) -> None:
    lib = tmp_path / "lib.rg"
    lib.write_text('resgraph 1\nblock pair(out) {\n  conv(3, out) -> relu\n}\n'
                   'block twice(out) {\n  pair(out) -> pair(out)\n}\n')
    spec = ('resgraph 1\nuse "lib.rg"\nnetwork {name}\ninput 3x8x8\n'
            'stem {{\n  pair(8)\n}}\nstage s: twice(8) x 1\n')
    a, b = tmp_path / "a.rg", tmp_path / "b.rg"
    for path in (a, b):
        path.write_text(spec.format(name=path.stem))
        await open_text(client, path)
    line, character = position_of(a.read_text(), "pair(8)")
    refs = await client.text_document_references_async(t.ReferenceParams(
        context=t.ReferenceContext(include_declaration=True), **at(a, line, character)))
    found = sorted((Path(r.uri.removeprefix("file://")).name, r.range.start.line)
                   for r in refs)
    # the definition and the two uses inside lib.rg (not open), and one use in each spec
    assert found == [("a.rg", 5), ("b.rg", 5), ("lib.rg", 1), ("lib.rg", 5), ("lib.rg", 5)]
