"""``resgraph lsp``: the Language Server Protocol over standard input and output (pygls).

Analyses run one at a time on one worker thread, so the event loop keeps reading while a
spec elaborates. Each keystroke's analysis first checks that its version is still the
document's latest: work for an edit superseded by the next one is skipped before it starts,
and its result, if it finished meanwhile, is never published. Requests (hover, hints,
completion) go through the same worker and find the analysis of the current text in the
:class:`~.document.Cache`, so after the diagnostics they cost a look-up.

Settings (``initializationOptions`` or the ``resgraph`` section of
``workspace/didChangeConfiguration``): ``variant``, the variant whose figures a spec with
several shows (none: the spec's own defaults, as ``resgraph check FILE``), and ``set``,
parameters as ``--set`` gives them. The command ``resgraph.selectVariant`` (arguments: the
document's URI and a variant name, or null) chooses one document's variant;
``resgraph.variants`` lists a document's variants.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from resgraph import __version__
from resgraph import cache as caches
from resgraph import syntax as s
from resgraph.api import fmt
from resgraph.errors import ResgraphError, Source
from resgraph.lsp import features
from resgraph.lsp.document import Cache, Document
from resgraph.lsp.hover import hover
from resgraph.lsp.positions import from_client, to_client

T = TypeVar("T")

#: how many texts the core's caches keep in the server (a few documents, a version or two
#: each), and how many elaborated block templates (those of a few versions of the largest
#: shipped spec)
EDITOR_VERSIONS = 8
EDITOR_BLOCKS = 64


class ResgraphServer(LanguageServer):
    """The server and the state it keeps: document versions, settings, the cache."""

    def __init__(self) -> None:
        super().__init__("resgraph", __version__)
        self.cache = Cache()
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="resgraph-analysis")
        self.versions: dict[str, int] = {}
        self.variants: dict[str, str | None] = {}
        self.settings: dict[str, Any] = {}
        #: diagnostics found in a file while analysing another: file's URI → {other: list}
        self.foreign: dict[str, dict[str, list[t.Diagnostic]]] = {}
        self.own: dict[str, list[t.Diagnostic]] = {}
        self.skipped = 0

    # analysis -------------------------------------------------------------------------------

    def document(self, uri: str) -> Document:
        """The analysis of the document's current text under the current settings."""
        text = self.workspace.get_text_document(uri).source
        params = self.settings.get("set") or {}
        variant = self.variants.get(uri, self.settings.get("variant"))
        return self.cache.get(text, file_of(uri), params if isinstance(params, dict) else {},
                              variant if isinstance(variant, str) else None)

    def lines_of(self, uri: str) -> Sequence[str]:
        """The lines of a file as the client sees them: an open document's text, else the
        file's on disk (none where it cannot be read)."""
        open_doc = self.workspace.text_documents.get(uri)
        if open_doc is not None:
            return open_doc.lines
        try:
            return Path(file_of(uri)).read_text(errors="replace").splitlines()
        except (OSError, ValueError):
            return []

    def out(self, value: T, uri: str) -> T:
        """A reply or notification for ``uri`` with its positions in the client's units."""
        return to_client(value, uri, self.workspace.position_codec, self.lines_of)

    async def run(self, work: Callable[[], T]) -> T:
        """``work`` on the analysis thread, awaited without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.worker, work)

    def _if_current(self, uri: str, version: int) -> Document | None:
        if self.versions.get(uri) != version:
            self.skipped += 1
            return None
        return self.document(uri)

    async def refresh(self, uri: str, version: int) -> None:
        """Analyse the document at ``version`` and publish its diagnostics, unless a newer
        edit came first."""
        doc = await self.run(lambda: self._if_current(uri, version))
        if doc is None or self.versions.get(uri) != version:
            return
        own, foreign = features.diagnostics(doc)
        self.own[uri] = self.out(own, uri)
        foreign = {other: self.out(found, other) for other, found in foreign.items()}
        self._publish(uri, version)
        for other in set(self.foreign) | set(foreign):
            found = self.foreign.setdefault(other, {})
            if foreign.get(other) or uri in found:
                found[uri] = foreign.get(other, [])
                self._publish(other, self.versions.get(other))

    def _publish(self, uri: str, version: int | None) -> None:
        found = [d for ds in self.foreign.get(uri, {}).values() for d in ds]
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
            uri, self.own.get(uri, []) + found, version))

    async def refresh_all(self) -> None:
        for uri, version in list(self.versions.items()):
            await self.refresh(uri, version)


def file_of(uri: str) -> str:
    """The file a URI names; an unsaved document is named as if in the working folder."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return path or str(Path.cwd() / uri.rsplit("/", 1)[-1].replace(":", "_"))


server = ResgraphServer()


@server.feature(t.INITIALIZE)
def _initialize(ls: ResgraphServer, params: t.InitializeParams) -> None:
    _configure(ls, params.initialization_options)


def _configure(ls: ResgraphServer, options: Any) -> None:
    if isinstance(options, dict):
        options = options.get("resgraph", options)
        ls.settings = {k: options[k] for k in ("variant", "set") if k in options}


@server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def _configuration(ls: ResgraphServer, params: t.DidChangeConfigurationParams) -> None:
    _configure(ls, params.settings)
    await ls.refresh_all()


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def _did_open(ls: ResgraphServer, params: t.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    ls.versions[doc.uri] = doc.version
    await ls.refresh(doc.uri, doc.version)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
async def _did_change(ls: ResgraphServer, params: t.DidChangeTextDocumentParams) -> None:
    doc = params.text_document
    ls.versions[doc.uri] = doc.version
    await ls.refresh(doc.uri, doc.version)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: ResgraphServer, params: t.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.versions.pop(uri, None)
    ls.own.pop(uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri, []))


def _at(ls: ResgraphServer, params: Any) -> tuple[str, int, int]:
    """The document and the 1-based (line, column, in code points) of a request's position
    (a ``TextDocumentPositionParams``)."""
    uri, position = params.text_document.uri, params.position
    column = from_client(ls.workspace.position_codec, ls.lines_of(uri), position)
    return uri, position.line + 1, column + 1


@server.feature(t.TEXT_DOCUMENT_HOVER)
async def _hover(ls: ResgraphServer, params: t.HoverParams) -> t.Hover | None:
    uri, line, column = _at(ls, params)
    text = await ls.run(lambda: hover(ls.document(uri), line, column))
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, text)) if text else None


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
async def _definition(ls: ResgraphServer, params: t.DefinitionParams) -> t.Location | None:
    uri, line, column = _at(ls, params)
    return ls.out(await ls.run(lambda: features.definition(ls.document(uri), line, column)), uri)


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
async def _references(ls: ResgraphServer, params: t.ReferenceParams) -> list[t.Location]:
    uri, line, column = _at(ls, params)
    declaration = params.context.include_declaration

    def work() -> list[t.Location]:
        others = [ls.document(other) for other in ls.workspace.text_documents if other != uri]
        return features.references(ls.document(uri), line, column, declaration, others)

    return ls.out(await ls.run(work), uri)


@server.feature(t.TEXT_DOCUMENT_RENAME)
async def _rename(ls: ResgraphServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    uri, line, column = _at(ls, params)
    edit = await ls.run(lambda: features.rename(ls.document(uri), line, column, params.new_name))
    return ls.out(edit, uri)


@server.feature(t.TEXT_DOCUMENT_COMPLETION,
                t.CompletionOptions(trigger_characters=["(", ",", " "]))
async def _completion(ls: ResgraphServer, params: t.CompletionParams) -> t.CompletionList:
    uri, line, column = _at(ls, params)
    lines = ls.workspace.get_text_document(uri).lines
    prefix = lines[line - 1][:column - 1] if line <= len(lines) else ""
    items = await ls.run(lambda: features.completions(ls.document(uri), line, column, prefix))
    return t.CompletionList(is_incomplete=False, items=items)


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def _symbols(ls: ResgraphServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    uri = params.text_document.uri
    return ls.out(await ls.run(lambda: features.document_symbols(ls.document(uri))), uri)


@server.feature(t.TEXT_DOCUMENT_INLAY_HINT)
async def _inlay_hints(ls: ResgraphServer, params: t.InlayHintParams) -> list[t.InlayHint]:
    uri = params.text_document.uri
    return ls.out(await ls.run(lambda: features.inlay_hints(ls.document(uri))), uri)


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
async def _formatting(ls: ResgraphServer,
                      params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    text, file = document.source, file_of(document.uri)

    def work() -> list[t.TextEdit] | None:
        try:
            formatted = fmt(Source(text, file))
        except ResgraphError:
            return None  # the diagnostics say what is wrong; nothing to format
        end = t.Position(len(document.lines), 0)
        return [] if formatted == text else [t.TextEdit(t.Range(t.Position(0, 0), end),
                                                        formatted)]
    return await ls.run(work)


@server.command("resgraph.selectVariant")
async def _select_variant(ls: ResgraphServer, uri: str, name: str | None = None) -> str | None:
    """Choose the variant whose figures a document shows (None: the spec's defaults)."""
    ls.variants[uri] = name
    if uri in ls.versions:
        await ls.refresh(uri, ls.versions[uri])
    return name


@server.command("resgraph.variants")
async def _list_variants(ls: ResgraphServer, uri: str) -> list[str]:
    doc = await ls.run(lambda: ls.document(uri))
    items = doc.module.items if isinstance(doc.module, s.Module) else []
    return [i.name for i in items if isinstance(i, s.Variant)]


def serve() -> None:
    """Serve on standard input and output until the client says exit.

    An editor's server lives long and every keystroke is a new text, whose entries in the
    content-keyed caches are never asked for again once the next one comes: the caches keep
    only a few versions here, and what start-up built (modules, the grammar) is left out of
    the garbage collector's passes, so that a full pass after many edits stays short (the
    p95 of benchmarks/lsp_bench.py)."""
    caches.bound(EDITOR_VERSIONS, "parsed", "elaborated", "analysed")
    caches.bound(EDITOR_BLOCKS, "blocks", "block words")
    gc.freeze()
    server.start_io()
