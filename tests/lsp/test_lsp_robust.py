"""Bad input never ends the server: each case is answered or reported, and the server still
answers a hover afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as t
from pygls.exceptions import JsonRpcException

from tests.lsp.conftest import ROOT, at, diagnostics_after, open_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

CIFAR = ROOT / "specs" / "cifar_resnet.rg"


async def still_serving(client) -> None:
    """The server answers a hover on a stage line of a shipped spec."""
    await open_text(client, CIFAR)
    line = CIFAR.read_text().split("\n").index(next(
        x for x in CIFAR.read_text().split("\n") if x.startswith("stage layer2")))
    found = await client.text_document_hover_async(t.HoverParams(**at(CIFAR, line, 2)))
    assert found is not None and "stage **layer2**" in found.contents.value


@pytest.mark.parametrize(("text", "said"), [
    ("resgraph 1\n\0\0\x01binary", "binary file"),
    ("resgraph 1\n" + "# padding\n" * (1 << 17), "larger than 1 MiB"),
    ("resgraph 1\n" + "let a = [i for i in range(9000)]\n" * 400, "limit of 2000000 steps"),
    ("resgraph 1\nlet x = " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    ("\udcff not even text", None),
], ids=["binary", "1-MiB", "step-limit", "deep-nesting", "lone-surrogate"])
async def test_bad_text_is_reported(client, tmp_path: Path, text: str, said: str | None) -> None:
    found = await open_text(client, tmp_path / "bad.rg", text)
    assert found and found[0].severity == t.DiagnosticSeverity.Error
    if said:
        assert said in found[0].message
    await still_serving(client)


async def test_a_use_cycle_is_reported(client, tmp_path: Path) -> None:
    (tmp_path / "a.rg").write_text('resgraph 1\nuse "b.rg"\n')
    (tmp_path / "b.rg").write_text('resgraph 1\nuse "a.rg"\n')
    found = await open_text(client, tmp_path / "a.rg")
    assert any("circle" in d.message for d in found)
    await still_serving(client)


async def test_edits_faster_than_analysis_publish_the_last(client, tmp_path: Path) -> None:
    path = tmp_path / "fast.rg"
    text = CIFAR.read_text()
    await open_text(client, path, text)
    uri = path.resolve().as_uri()
    for version in range(2, 40):
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [t.TextDocumentContentChangeWholeDocument(text.replace("x n", f"x {version}"))]))
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(version=40, uri=uri),
        [t.TextDocumentContentChangeWholeDocument(text.replace("basic(", "bsic("))]))
    for _ in range(2000):  # an older version's may come first, while it was the latest
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.01)
    found = list(client.diagnostics[uri])
    assert found and all("bsic" in d.message for d in found)
    await asyncio.sleep(0.5)  # nothing of an older version arrives after the last one
    assert list(client.diagnostics[uri]) == found


async def test_invalid_requests_are_answered_with_errors(client) -> None:
    client.protocol._send_data({"jsonrpc": "2.0", "id": 99999, "method": t.TEXT_DOCUMENT_HOVER,
                                "params": {"nonsense": 1}})
    client.protocol._send_data({"jsonrpc": "2.0", "method": t.TEXT_DOCUMENT_DID_CHANGE,
                                "params": {"textDocument": 5}})
    client.protocol.writer.write(b"Content-Length: 9\r\n\r\n{not json")
    with pytest.raises(JsonRpcException):
        await client.text_document_hover_async(t.HoverParams(
            **at(Path("/nonexistent/never-opened.rg"), 0, 0)))
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(t.ExecuteCommandParams(
            "resgraph.selectVariant", [1, 2, 3, 4]))
    await still_serving(client)


async def test_a_hover_past_the_end_is_none(client) -> None:
    await open_text(client, CIFAR)
    assert await client.text_document_hover_async(t.HoverParams(**at(CIFAR, 5000, 3))) is None
    await still_serving(client)


async def test_a_rename_to_a_keyword_is_refused(client) -> None:
    await open_text(client, CIFAR)
    line = CIFAR.read_text().split("\n").index("let unit = basic(shortcut=shortcut)")
    with pytest.raises(JsonRpcException):
        await client.text_document_rename_async(t.RenameParams(
            new_name="stage", **at(CIFAR, line, 5)))
    await still_serving(client)


async def test_an_unknown_variant_is_reported(client) -> None:
    await open_text(client, CIFAR)
    uri = CIFAR.resolve().as_uri()
    found = await diagnostics_after(client, uri, lambda: asyncio.ensure_future(
        client.workspace_execute_command_async(t.ExecuteCommandParams(
            "resgraph.selectVariant", [uri, "cifar_resnet21"]))))
    assert "unknown variant 'cifar_resnet21'" in found[0].message
    await client.workspace_execute_command_async(t.ExecuteCommandParams(
        "resgraph.selectVariant", [uri, None]))
    await still_serving(client)
