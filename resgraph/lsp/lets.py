"""The value a ``let`` takes, for its hover.

Elaboration keeps no values of lets (a graph holds tensors and parameters), so the value is
computed again here, by the elaborator's own evaluator (:class:`Elaborator`) in the
environment the spec has at that point: the file's items that bind names (``param``,
``let``, ``block``, ``use``) run in order up to the let, the parameters taking the values
the document's elaboration resolved (its variant and ``set``). A let in a ``for`` takes one
value per turn. Only the few items before the let run, with the elaborator's own step limit,
so a hover costs far less than an elaboration; a spec wrong before the let gives no value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.network import Elaborator
from resgraph.elaborate.values import BlockValue, Env, Partial, show
from resgraph.errors import ResgraphError, Span
from resgraph.files import read_spec_text
from resgraph.lsp.document import Document
from resgraph.lsp.index import Symbol
from resgraph.ops import OpDef
from resgraph.parse import parse

#: at most this many values of a let in a ``for`` are shown
SHOWN = 8


def let_values(doc: Document, sym: Symbol) -> list[Any] | None:
    """The values of a file-level let (one, or one per turn of its ``for``); None for a
    block's let (it has a value per instance) or where the items before it fail."""
    if sym.kind != "let" or sym.scope is not None:
        return None
    module = _module(doc, sym.span.file)
    if module is None:
        return None
    own = sym.span.file == doc.file
    params = (doc.graph.params if doc.graph is not None else doc.params) if own else {}
    elaborator = Elaborator(sym.span.file)
    found: list[Any] = []
    try:
        _run(elaborator, module.items, Env({}, elaborator.prelude), params, sym.node.span, found)
    except (ResgraphError, RecursionError):
        return None
    return found or None


def _module(doc: Document, file: str) -> s.Module | None:
    """The parsed file the let is in: the document, or a file it uses (parsed again, which
    the parse cache answers)."""
    if file == doc.file:
        return doc.module if isinstance(doc.module, s.Module) else None
    try:
        module = parse(read_spec_text(Path(file), "file"), file)
    except (ResgraphError, RecursionError, OSError):
        return None
    return module if isinstance(module, s.Module) else None


def _run(elaborator: Elaborator, items: list[s.Stmt], env: Env, params: dict[str, Any],
         target: Span, found: list[Any]) -> bool:
    """Run the items that bind names, in order, until the let at ``target`` (whose values go
    to ``found``); True once it was reached."""
    for item in items:
        if isinstance(item, s.Let) and item.span == target:
            found.append(elaborator.eval(item.value, env))
            return True
        if isinstance(item, s.For) and _inside(item.span, target):
            values = elaborator.eval(item.items, env)
            for value in values if isinstance(values, (list, tuple)) else []:
                _run(elaborator, item.body, Env({item.var: value}, env), params, target, found)
            return True
        if isinstance(item, s.Param):
            env.vars[item.name] = (params[item.name] if item.name in params
                                   else elaborator.eval(item.value, env))
        elif isinstance(item, (s.Let, s.Use, s.BlockDef)):
            elaborator.exec_item(item, env, elaborator.file)
    return False


def _inside(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def value_text(values: list[Any]) -> str:
    """``value **[3, 4, 6, 3]**``, or the values of each turn of a ``for``."""
    if len(values) == 1:
        return f"value **{shown(values[0])}**"
    more = f", … ({len(values)} in all)" if len(values) > SHOWN else ""
    return "values " + ", ".join(f"**{shown(v)}**" for v in values[:SHOWN]) + more + \
        " (one per turn of its `for`)"


def shown(value: Any) -> str:
    """A value as a spec would write it; a block with arguments bound as its call."""
    if isinstance(value, Partial):
        args = [shown(v) for v, _ in value.args]
        args += [f"{k}={shown(v[0])}" for k, v in value.kwargs.items()]
        kind = "op" if isinstance(value.target, OpDef) else "block"
        return f"{value.target_name}({', '.join(args)})" if args else f"{kind} {value.target_name}"
    if isinstance(value, BlockValue):
        return f"block {value.defn.name}"
    if isinstance(value, (list, tuple)) and not all(isinstance(v, int) for v in value):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{shown(k)}: {shown(v)}" for k, v in value.items()) + "}"
    return show(value)
