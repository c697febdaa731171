"""A real client (pytest-lsp) driving ``resgraph lsp`` over stdio, one server per test module."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the extra resgraph[lsp]")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="the server's tests need pytest-lsp")
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "resgraph.cli", "lsp"]
#: how long a test waits for the server's diagnostics before it fails
WAIT_S = 60.0


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(t.InitializeParams(
        capabilities=t.ClientCapabilities(), root_uri=ROOT.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def diagnostics_after(client: LanguageClient, uri: str, send) -> list[t.Diagnostic]:
    """Call ``send`` (an open or a change) and wait for the diagnostics it brings."""
    client.diagnostics.pop(uri, None)
    send()
    return await published(client, uri)


async def published(client: LanguageClient, uri: str) -> list[t.Diagnostic]:
    """The diagnostics of ``uri``, once some came (each file's come in a message of its own:
    a used file's may follow the user's)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while uri not in client.diagnostics:
        assert loop.time() < deadline, f"no diagnostics for {uri} within {WAIT_S} s"
        await asyncio.sleep(0.005)
    return list(client.diagnostics[uri])


async def open_text(client: LanguageClient, path: Path, text: str | None = None,
                    version: int = 1) -> list[t.Diagnostic]:
    """Open ``path`` (its text, or ``text``) and return its first diagnostics."""
    uri = path.resolve().as_uri()
    body = path.read_text() if text is None else text
    return await diagnostics_after(client, uri, lambda: client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "resgraph", version, body))))


async def change_text(client: LanguageClient, path: Path, text: str,
                      version: int) -> list[t.Diagnostic]:
    """Replace the whole text of an open document and return its diagnostics."""
    uri = path.resolve().as_uri()
    return await diagnostics_after(client, uri, lambda: client.text_document_did_change(
        t.DidChangeTextDocumentParams(t.VersionedTextDocumentIdentifier(version=version, uri=uri),
                                      [t.TextDocumentContentChangeWholeDocument(text)])))


def at(path: Path, line: int, character: int) -> dict[str, object]:
    """A 0-based position in ``path``, as a request's keyword parameters."""
    return {"text_document": t.TextDocumentIdentifier(path.resolve().as_uri()),
            "position": t.Position(line, character)}


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """The 0-based (line, character) of the first ``needle`` in ``text``, plus ``offset``."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)
