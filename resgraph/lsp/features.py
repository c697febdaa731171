"""The protocol's answers built from an analysed :class:`~.document.Document`: diagnostics,
symbols, completion, inlay hints, definition, references and rename, as lsprotocol types.

Positions: the protocol counts lines and characters from 0, spans from 1; characters are
counted as Python counts them (code points), which is the protocol's UTF-16 count for all
text outside the astral planes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types as t
from pygls.uris import from_fs_path

from resgraph import syntax as s
from resgraph.errors import Span
from resgraph.format import format_expr
from resgraph.lsp.document import Document, Problem
from resgraph.lsp.hover import block_text, short, stage_shapes
from resgraph.lsp.index import Ref, Symbol, contains
from resgraph.lsp.names import libraries, target_at, used_indexes
from resgraph.ops import OPS
from resgraph.parse import KEYWORDS

_SEVERITY = {"error": t.DiagnosticSeverity.Error, "information": t.DiagnosticSeverity.Information}
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")


def to_range(span: Span) -> t.Range:
    return t.Range(t.Position(span.line - 1, span.column - 1),
                   t.Position(span.end_line - 1, max(0, span.end_column - 1)))


def uri_of(file: str) -> str:
    return from_fs_path(str(Path(file).resolve())) or file


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, ValueError):
        return a == b


# diagnostics --------------------------------------------------------------------------------


def diagnostics(doc: Document) -> tuple[list[t.Diagnostic], dict[str, list[t.Diagnostic]]]:
    """The document's diagnostics, and those it finds in other files (``use``d ones, a
    sweep's spec) by their URIs; a problem in another file is also shown on the line of
    this one that brings it in."""
    own: list[t.Diagnostic] = []
    foreign: dict[str, list[t.Diagnostic]] = {}
    for problem in doc.problems:
        span = problem.span
        if span is None or _same_file(span.file, doc.file):
            own.append(_diagnostic(doc, problem, span))
            continue
        foreign.setdefault(uri_of(span.file), []).append(_diagnostic(doc, problem, span))
        moved = Problem(f"in {Path(span.file).name}:{span.line}:{span.column}: {problem.message}",
                        _bringing_in(doc, span.file), problem.severity, problem.hint,
                        problem.notes)
        own.append(_diagnostic(doc, moved, moved.span, related=span))
    return own, foreign


def _diagnostic(doc: Document, problem: Problem, span: Span | None,
                related: Span | None = None) -> t.Diagnostic:
    where = to_range(span) if span is not None else t.Range(t.Position(0, 0), t.Position(0, 0))
    at = t.Location(uri_of(span.file if span else doc.file), where)
    extra = [t.DiagnosticRelatedInformation(at, text)
             for text in [*problem.notes, problem.hint] if text]
    if related is not None:
        extra.insert(0, t.DiagnosticRelatedInformation(
            t.Location(uri_of(related.file), to_range(related)), "the error is here"))
    return t.Diagnostic(where, problem.message, severity=_SEVERITY[problem.severity],
                        source="resgraph", related_information=extra or None)


def _bringing_in(doc: Document, file: str) -> Span | None:
    """The line of the document that brings ``file`` in: its ``use`` (the first ``use``
    when the file is reached through another), or a sweep file's spec."""
    module = doc.module
    if isinstance(module, s.Sweep):
        return module.spec_span
    uses = [i for i in module.items if isinstance(i, s.Use)] if module is not None else []
    for use in uses:
        if _same_file(str(Path(doc.file).parent / use.path), file):
            return use.span
    return uses[0].span if uses else None


# symbols and hints --------------------------------------------------------------------------


_SYMBOL_KINDS = {"block": t.SymbolKind.Class, "param": t.SymbolKind.Constant,
                 "let": t.SymbolKind.Variable, "variant": t.SymbolKind.Enum,
                 "stage": t.SymbolKind.Module, "use": t.SymbolKind.File}


def document_symbols(doc: Document) -> list[t.DocumentSymbol]:
    """The outline: network, stem, stages (with block and depth), head, blocks, params,
    lets, variants and uses, in the file's order."""
    if not isinstance(doc.module, s.Module) or doc.index is None:
        return []
    out = [_symbol(sym) for sym in doc.index.symbols
           if sym.scope is None and sym.kind in _SYMBOL_KINDS]
    for item in doc.module.items:
        if isinstance(item, (s.Network, s.Stem, s.Head)):
            name = item.name if isinstance(item, s.Network) else type(item).__name__.lower()
            out.append(t.DocumentSymbol(name, t.SymbolKind.Namespace, to_range(item.span),
                                        to_range(item.span)))
    return sorted(out, key=lambda d: (d.range.start.line, d.range.start.character))


def _symbol(sym: Symbol) -> t.DocumentSymbol:
    node = sym.node
    detail = (f"{format_expr(node.block)} x {format_expr(node.depth)}"
              if isinstance(node, s.Stage) else None)
    return t.DocumentSymbol(sym.name, _SYMBOL_KINDS[sym.kind], to_range(sym.whole),
                            to_range(sym.span), detail=detail)


def inlay_hints(doc: Document) -> list[t.InlayHint]:
    """Each stage's output shape and MACs at the end of its line."""
    costs = doc.costs()
    if doc.graph is None or costs is None:
        return []
    texts: dict[tuple[int, int], list[str]] = {}
    for stage in doc.graph.stages:
        if stage.span is None or not stage.blocks or stage.name not in costs.stages:
            continue
        at = (stage.span.end_line - 1, stage.span.end_column - 1)
        macs = short(costs.stages[stage.name].macs)
        texts.setdefault(at, []).append(f"→ {stage_shapes(doc.graph, stage)[1]} · {macs} MACs")
    return [t.InlayHint(t.Position(*at), "  " + "; ".join(parts), padding_left=True)
            for at, parts in texts.items()]


# completion ---------------------------------------------------------------------------------


STAGE_SNIPPET = "stage ${1:name}: ${2:block}(${3:channels}) x ${4:1}"


def completions(doc: Document, line: int, column: int, prefix_line: str) -> list[t.CompletionItem]:
    """What may be typed at a position: a call's keyword arguments inside its parentheses,
    else the names in scope, blocks, ops, functions, keywords and a stage-line snippet."""
    call = re.search(r"([A-Za-z_][A-Za-z_0-9]*)\((?:[^()]*)$", prefix_line)
    if call:
        kwargs = _kwarg_items(doc, call.group(1))
        if kwargs:
            return kwargs
    items = _name_items(doc, _scope_at(doc, line, column))
    items += [t.CompletionItem(name, kind=t.CompletionItemKind.Function,
                               detail=_op_signature(name), documentation=op.doc)
              for name, op in OPS.items()]
    items += [t.CompletionItem(k, kind=t.CompletionItemKind.Keyword) for k in sorted(KEYWORDS)]
    items.append(t.CompletionItem("stage", kind=t.CompletionItemKind.Snippet,
                                  detail="a stage line", insert_text=STAGE_SNIPPET,
                                  insert_text_format=t.InsertTextFormat.Snippet))
    return items


def _op_signature(name: str) -> str:
    from resgraph.elaborate.values import signature

    return signature(OPS[name]).removeprefix("usage: ")


def _scope_at(doc: Document, line: int, column: int) -> str | None:
    if not isinstance(doc.module, s.Module):
        return None
    return next((i.name for i in doc.module.items
                 if isinstance(i, s.BlockDef) and contains(i.span, line, column)), None)


def _name_items(doc: Document, scope: str | None) -> list[t.CompletionItem]:
    """The names a position sees: its block's own, the file's, the libraries' blocks."""
    seen: dict[str, t.CompletionItem] = {}
    indexes = [doc.index] if doc.index else []
    for index in [*indexes, *libraries(doc)]:
        for sym in index.symbols:
            visible = sym.scope is None or (index is doc.index and sym.scope == scope)
            if visible and sym.kind in _COMPLETION_KINDS and sym.name not in seen:
                seen[sym.name] = _name_item(sym)
    return list(seen.values())


_COMPLETION_KINDS = {"block": t.CompletionItemKind.Class, "param": t.CompletionItemKind.Constant,
                     "let": t.CompletionItemKind.Variable, "argument": t.CompletionItemKind.Variable,
                     "tensor": t.CompletionItemKind.Variable, "for": t.CompletionItemKind.Variable}


def _name_item(sym: Symbol) -> t.CompletionItem:
    node = sym.node
    if isinstance(node, s.BlockDef):
        text = block_text(node)
        return t.CompletionItem(sym.name, kind=t.CompletionItemKind.Class,
                                detail=text.split("\n")[1], documentation=node.doc,
                                insert_text=f"{sym.name}($1)",
                                insert_text_format=t.InsertTextFormat.Snippet)
    detail = f"{sym.kind} = {format_expr(node.value)}" if isinstance(node, (s.Let, s.Param)) \
        else sym.kind
    return t.CompletionItem(sym.name, kind=_COMPLETION_KINDS[sym.kind], detail=detail)


def _kwarg_items(doc: Document, func: str) -> list[t.CompletionItem]:
    """``name=`` for each argument of the block or op being called, with its default."""
    if func in OPS:
        return [t.CompletionItem(f"{a.name}=", kind=t.CompletionItemKind.Field,
                                 detail=f"default {a.default!r}")
                for a in OPS[func].attr_args]
    for index in [doc.index, *libraries(doc)] if doc.index else libraries(doc):
        sym = index.lookup(func, None)
        if sym is not None and isinstance(sym.node, s.BlockDef):
            return [t.CompletionItem(f"{p.name}=", kind=t.CompletionItemKind.Field,
                                     detail="required" if p.default is None
                                     else f"default {format_expr(p.default)}")
                    for p in sym.node.params]
    return []


# navigation ---------------------------------------------------------------------------------


def definition(doc: Document, line: int, column: int) -> t.Location | None:
    """Where the name at a position is defined: this file, a ``use``d one or the prelude;
    on a ``use`` line, the file it names."""
    target = target_at(doc, line, column)
    if target is None or target.symbol is None:
        return None
    sym = target.symbol
    if sym.kind == "use":
        path = Path(doc.file).parent / sym.name
        return t.Location(uri_of(str(path)), t.Range(t.Position(0, 0), t.Position(0, 0)))
    return t.Location(uri_of(sym.span.file), to_range(sym.span))


def references(doc: Document, line: int, column: int, declaration: bool,
               others: Sequence[Document] = ()) -> list[t.Location]:
    """Every use of the name at a position that means the same definition: in this file, in
    the ``others`` (the other open documents: a block of a used file is found from every
    file that uses it) and in the used file that defines it; its definition too, if asked."""
    target = target_at(doc, line, column)
    if target is None or doc.index is None:
        return []
    meant = _where(target.symbol)
    spans = [r.span for d in (doc, *others) if d.index is not None
             for r in d.index.refs if r.name == target.name and _where(_meaning(d, r)) == meant]
    symbol = target.symbol
    home = next((lib for lib in used_indexes(doc) if symbol in lib.symbols), None)
    if symbol is not None and home is not None and not any(
            _same_file(d.file, symbol.span.file) for d in (doc, *others)):
        spans += [r.span for r in home.refs
                  if r.name == target.name and _where(home.lookup(r.name, r.scope)) == meant]
    if declaration and symbol is not None:
        spans.insert(0, symbol.span)
    return [t.Location(uri_of(sp.file), to_range(sp)) for sp in dict.fromkeys(spans)]


def _meaning(doc: Document, ref: Ref) -> Symbol | None:
    """The definition a use means in its document: its own, else its libraries' first."""
    assert doc.index is not None
    return doc.index.lookup(ref.name, ref.scope) or next(
        (sym for lib in libraries(doc) if (sym := lib.lookup(ref.name, None)) is not None), None)


def _where(symbol: Symbol | None) -> tuple[str, str, int, int] | None:
    """A definition by its place, the same in every index of its file."""
    if symbol is None:
        return None
    return symbol.name, os.path.realpath(symbol.span.file), symbol.span.line, symbol.span.column


def rename(doc: Document, line: int, column: int, new_name: str) -> t.WorkspaceEdit | None:
    """Rename a block or a let defined in this file, at its definition and every use."""
    if not _NAME.match(new_name) or new_name in KEYWORDS:
        raise ValueError(f"'{new_name}' is not a name a spec can define")
    target = target_at(doc, line, column)
    if target is None or target.symbol is None or target.symbol.kind not in ("block", "let") \
            or doc.index is None or target.symbol not in doc.index.symbols:
        return None
    edits = [t.TextEdit(to_range(sp), new_name) for sp in doc.index.references(target.symbol)]
    return t.WorkspaceEdit(changes={uri_of(doc.file): edits})
