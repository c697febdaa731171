"""What each name of a spec file defines and where it is used, read from the syntax tree.

The parser gives every statement a span but not its name's own, so a definition's name is
found in the statement's first line (``let NAME``, ``block NAME``). A name used inside a
block resolves to the block's own arguments, lets and kept tensors first, then to the
file's; what the file does not define (an op, a built-in function, a block of a ``use``d
file or of the prelude) is left to the caller (:mod:`.document`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from resgraph import syntax as s
from resgraph.errors import Span


@dataclass(frozen=True)
class Symbol:
    """A definition: ``kind`` is block, let, param, argument (a block's), tensor (``x =
    flow``), label, variant, stage, use or for; ``scope`` the block it is local to."""

    kind: str
    name: str
    span: Span
    whole: Span
    scope: str | None
    node: s.Node = field(compare=False, repr=False)


@dataclass(frozen=True)
class Ref:
    """A use of a name (``depth``, or the ``bottleneck`` of a call) inside ``scope``."""

    name: str
    span: Span
    scope: str | None


@dataclass
class Index:
    symbols: list[Symbol] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)

    def lookup(self, name: str, scope: str | None) -> Symbol | None:
        """The definition ``name`` means inside ``scope``: the block's own, else the file's."""
        for wanted in (scope, None) if scope is not None else (None,):
            for sym in self.symbols:
                if sym.name == name and sym.scope == wanted and sym.kind not in _NOT_NAMES:
                    return sym
        return None

    def at(self, line: int, column: int) -> Symbol | Ref | None:
        """The definition or use whose name covers the (1-based) position."""
        items: list[Symbol | Ref] = [*self.refs, *self.symbols]
        for item in items:
            if contains(item.span, line, column):
                return item
        return None

    def target(self, line: int, column: int) -> tuple[str, Symbol | None, Span] | None:
        """The name at a position, what it resolves to in this file, and its span there."""
        found = self.at(line, column)
        if found is None:
            return None
        if isinstance(found, Symbol):
            return found.name, found, found.span
        return found.name, self.lookup(found.name, found.scope), found.span

    def references(self, symbol: Symbol) -> list[Span]:
        """Every span naming ``symbol`` in this file, its definition first."""
        uses = [r.span for r in self.refs if r.name == symbol.name
                and self.lookup(r.name, r.scope) == symbol]
        return [symbol.span, *uses]


#: definitions a bare name never refers to (a stage's or variant's name, a label)
_NOT_NAMES = frozenset({"label", "variant", "stage", "use"})


def contains(span: Span, line: int, column: int) -> bool:
    """Whether the 1-based (line, column) lies in ``span`` (its end column included, so a
    cursor just after a name still finds it)."""
    if not span.line <= line <= span.end_line:
        return False
    if line == span.line and column < span.column:
        return False
    return not (line == span.end_line and column > span.end_column)


def name_span(span: Span, name: str, start: int | None = None) -> Span:
    """The span of ``name`` as a word in the first line of ``span`` (the statement's), from
    ``start`` (a column) on; the statement's start when it cannot be found."""
    text = span.source.line(span.line) if span.source is not None else None
    column = span.column if start is None else start
    found = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])").search(
        text or "", column - 1)
    if found is None:
        return Span(span.file, span.line, span.column, span.line, span.column + len(name),
                    span.source)
    return Span(span.file, span.line, found.start() + 1, span.line, found.end() + 1,
                span.source)


def build_index(module: s.Module) -> Index:
    """The definitions and uses of every name of a parsed file."""
    index = Index()
    for item in module.items:
        _item(index, item, None)
    return index


def _define(index: Index, kind: str, name: str, node: s.Node, scope: str | None,
            start: int | None = None) -> None:
    index.symbols.append(Symbol(kind, name, name_span(node.span, name, start), node.span,
                                scope, node))


def _item(index: Index, item: s.Stmt, scope: str | None) -> None:
    """One top-level statement (or one inside a ``for``): its definitions and uses."""
    if isinstance(item, (s.Let, s.Param)):
        _define(index, "let" if isinstance(item, s.Let) else "param", item.name, item, scope,
                item.span.column + 4)
        _uses(index, item.value, scope)
    elif isinstance(item, s.BlockDef):
        _block(index, item)
    elif isinstance(item, s.Variant):
        _define(index, "variant", item.name, item, None, item.span.column + 7)
        _uses(index, item.kwargs, scope)
    elif isinstance(item, s.Use):
        index.symbols.append(Symbol("use", item.path, item.span, item.span, None, item))
    elif isinstance(item, s.Stage):
        _stage(index, item, scope)
    elif isinstance(item, s.For):
        _define(index, "for", item.var, item, scope, item.span.column + 3)
        _uses(index, item.items, scope)
        for inner in item.body:
            _item(index, inner, scope)
    elif isinstance(item, (s.Stem, s.Head)):
        _body(index, item.body, scope)
    else:
        _uses(index, item, scope)


def _stage(index: Index, item: s.Stage, scope: str | None) -> None:
    if item.name_fmt is None:
        _define(index, "stage", item.name, item, scope, item.span.column + 5)
    _uses(index, [item.name_fmt, item.block, item.depth, item.stride, item.at, item.overrides],
          scope)


def _block(index: Index, item: s.BlockDef) -> None:
    _define(index, "block", item.name, item, None, item.span.column + 5)
    for p in item.params:
        _define(index, "argument", p.name, p, item.name)
        if p.default is not None:
            _uses(index, p.default, None)
    _body(index, item.body, item.name)


def _body(index: Index, body: s.Body, scope: str | None) -> None:
    for stmt in body.stmts:
        if isinstance(stmt, s.Let):
            _define(index, "let", stmt.name, stmt, scope, stmt.span.column + 4)
            _uses(index, stmt.value, scope)
        elif isinstance(stmt, s.Assign):
            _define(index, "tensor", stmt.name, stmt, scope)
            _flow(index, stmt.flow, scope)
        elif isinstance(stmt, s.If):
            for test, branch in stmt.branches:
                _uses(index, test, scope)
                _body(index, branch, scope)
            if stmt.orelse is not None:
                _body(index, stmt.orelse, scope)
        elif isinstance(stmt, s.Loop):
            _define(index, "let", stmt.var, stmt, scope, stmt.span.column + 4)
            _uses(index, stmt.items, scope)
            _body(index, stmt.body, scope)
        elif isinstance(stmt, (s.FlowStmt, s.Return)):
            _flow(index, stmt.flow, scope)
        else:
            _uses(index, stmt, scope)


def _flow(index: Index, flow: s.Flow, scope: str | None) -> None:
    for step in flow.steps:
        if isinstance(step.label, str):
            _define(index, "label", step.label, step, scope)
        _uses(index, step.expr, scope)


def _uses(index: Index, tree: object, scope: str | None) -> None:
    """Every name used in an expression tree (a node, a list of them, or None)."""
    for node in walk(tree):
        if isinstance(node, s.Name):
            index.refs.append(Ref(node.id, node.span, scope))
        elif isinstance(node, s.Call):
            sp = node.span
            index.refs.append(Ref(node.func, Span(sp.file, sp.line, sp.column, sp.line,
                                                  sp.column + len(node.func), sp.source), scope))


def walk(tree: object) -> Iterator[s.Node]:
    """The nodes of a tree in no particular order, without recursion (trees can be deep)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, s.Node):
            yield item
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item)
                         if f.name != "span")
