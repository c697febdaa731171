"""What a position of a spec means, in Markdown: a stage line's figures, a layer's op and
figures (for each stage that uses its block), a name's value and definition, a block's
docstring and signature. Every figure is a row of :class:`~.document.Costs`, the rows of
``resgraph analyze --json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.values import signature
from resgraph.format import format_expr
from resgraph.ir import Graph, Node, StageInfo
from resgraph.lsp.document import Costs, Document, nodes_at
from resgraph.lsp.index import Symbol, contains
from resgraph.lsp.lets import let_values, shown, value_text
from resgraph.lsp.names import Target, target_at
from resgraph.ops import OPS, fmt_shape


def hover(doc: Document, line: int, column: int) -> str | None:
    """The hover text at a 1-based position, or None where there is nothing to say."""
    parts = [p for p in (_name(doc, line, column), _layers(doc, line, column),
                         _stage(doc, line, column)) if p]
    return "\n\n---\n\n".join(parts) or None


# names --------------------------------------------------------------------------------------


def _name(doc: Document, line: int, column: int) -> str | None:
    target = target_at(doc, line, column)
    if target is None or target.kind in ("label", "tensor", "stage", "unknown"):
        return None
    if target.kind == "op":
        return f"```\n{signature(OPS[target.name]).removeprefix('usage: ')}\n```\n{OPS[target.name].doc}"
    if target.kind == "function":
        return f"`{target.name}`: a built-in function"
    assert target.symbol is not None
    return _symbol_text(doc, target) + f"\n\ndefined at {_where(target.symbol)}"


def _symbol_text(doc: Document, target: Target) -> str:
    sym = target.symbol
    assert sym is not None
    node: Any = sym.node
    if sym.kind == "block":
        return block_text(node)
    if sym.kind == "param":
        return _param_text(doc, node)
    if sym.kind == "argument":
        return _argument_text(doc, sym)
    if sym.kind == "use":
        return f"`use \"{node.path}\"`: {Path(doc.file).parent / node.path}"
    if sym.kind in ("let", "for"):
        expr = node.value if sym.kind == "let" else node.items
        values = let_values(doc, sym)
        return f"```\n{sym.kind} {sym.name} = {format_expr(expr)}\n```" + (
            f"\n\n{value_text(values)}" if values else "") + _params_used(doc, expr)
    return f"`{sym.name}` ({sym.kind})"


def block_text(block: s.BlockDef) -> str:
    """A block's signature and docstring."""
    params = ", ".join(p.name if p.default is None else f"{p.name}={format_expr(p.default)}"
                       for p in block.params)
    return f"```\nblock {block.name}({params})\n```\n{block.doc or ''}".rstrip()


def _param_text(doc: Document, param: s.Param) -> str:
    text = f"```\nparam {param.name} = {format_expr(param.value)}\n```"
    if doc.graph is not None and param.name in doc.graph.params:
        value = doc.graph.params[param.name]
        given = param.name in doc.params
        text += f"\n\nvalue **{shown(value)}**" + (" (set by the chosen variant or setting)"
                                               if given else " (its default)")
    return text


def _params_used(doc: Document, expr: s.Expr) -> str:
    """The values of the parameters an expression reads, as elaborated."""
    from resgraph.lsp.index import walk

    if doc.graph is None:
        return ""
    names = sorted({n.id for n in walk(expr) if isinstance(n, s.Name)} & set(doc.graph.params))
    text = ", ".join(f"{n} = {shown(doc.graph.params[n])}" for n in names)
    return f"\n\nwith {text}" if text else ""


def _argument_text(doc: Document, sym: Symbol) -> str:
    """A block argument: its default and the values its instances were given."""
    decl: Any = sym.node
    text = f"`{sym.name}`, argument of block `{sym.scope}`" + (
        f", default `{format_expr(decl.default)}`" if decl.default is not None else "")
    if doc.graph is None:
        return text
    values: dict[str, list[str]] = {}
    for b in doc.graph.blocks.values():
        if b.type == sym.scope and sym.name in b.args:
            values.setdefault(repr(b.args[sym.name]), []).append(b.name)
    rows = [f"- `{v}` in {_names(names)}" for v, names in values.items()]
    return text + ("\n\nvalues:\n" + "\n".join(rows) if rows else "")


def _where(sym: Symbol) -> str:
    return f"{Path(sym.span.file).name}:{sym.span.line}"


def _names(names: list[str], shown: int = 3) -> str:
    more = f", … ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


# layers -------------------------------------------------------------------------------------


def _layers(doc: Document, line: int, column: int) -> str | None:
    """The ops made by the step at the position: one row per distinct use (stage, shapes,
    arguments), with how many instances it covers."""
    costs = doc.costs()
    if doc.graph is None or costs is None:
        return None
    nodes = [n for n in nodes_at(doc.graph, doc.file, line, column) if n.op != "input"]
    nodes = [n for n in nodes if n.span == _innermost(nodes)]
    if not nodes:
        return None
    groups: dict[tuple[Any, ...], list[Node]] = {}
    for n in nodes:
        row = costs.ops[n.name]
        key = (n.stage, _in_shape(doc.graph, n), fmt_shape(n.shape), _attrs(n), row.macs,
               row.params)
        groups.setdefault(key, []).append(n)
    head = f"**{nodes[0].op}**: {OPS[nodes[0].op].doc}" if nodes[0].op in OPS else nodes[0].op
    rows = [_layer_row(key, ns) for key, ns in groups.items()]
    return head + "\n\n| where | args | shape | MACs | params |\n|---|---|---|---|---|\n" + \
        "\n".join(rows)


def _innermost(nodes: list[Node]) -> Any:
    """The narrowest span among the nodes' (a step inside a longer chain's line)."""
    spans = [n.span for n in nodes if n.span is not None]
    return min(spans, key=lambda sp: (sp.end_line - sp.line, sp.end_column - sp.column),
               default=None)


def _layer_row(key: tuple[Any, ...], nodes: list[Node]) -> str:
    stage, shape_in, shape_out, attrs, macs, params = key
    where = nodes[0].name + (f" (and {len(nodes) - 1} more in {stage})" if len(nodes) > 1 else "")
    return f"| {where} | {attrs or '-'} | {shape_in} → {shape_out} | {macs:,} | {params:,} |"


def _in_shape(graph: Graph, node: Node) -> str:
    return ", ".join(fmt_shape(graph.nodes[i].shape) for i in node.inputs)


def _attrs(node: Node) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in sorted(node.attrs.items()))


def _value(v: Any) -> str:
    return "x".join(map(str, v)) if isinstance(v, tuple) else str(v)


# stages -------------------------------------------------------------------------------------


def _stage(doc: Document, line: int, column: int) -> str | None:
    costs = doc.costs()
    if doc.graph is None or costs is None:
        return None
    stages = stages_at(doc, line, column)
    return "\n\n".join(stage_text(doc.graph, costs, st) for st in stages) or None


def stages_at(doc: Document, line: int, column: int) -> list[StageInfo]:
    """The stages a stage line at the position made (several, for a line in a ``for``)."""
    assert doc.graph is not None
    return [st for st in doc.graph.stages if st.span is not None and st.span.file == doc.file
            and contains(st.span, line, column)]


def stage_shapes(graph: Graph, stage: StageInfo) -> tuple[str, str]:
    """The shape a stage takes and the one it gives."""
    first, last = graph.blocks[stage.blocks[0]], graph.blocks[stage.blocks[-1]]
    return fmt_shape(graph.nodes[first.input].shape), fmt_shape(graph.nodes[last.output].shape)


def stage_text(graph: Graph, costs: Costs, stage: StageInfo) -> str:
    """A stage's block, depth, shapes and figures, and its share of the network's."""
    row = costs.stages.get(stage.name)
    if row is None or not stage.blocks:
        return f"stage **{stage.name}**: no blocks"
    shape_in, shape_out = stage_shapes(graph, stage)
    network = costs.network
    return (f"stage **{stage.name}**: `{stage.block_type}` × {stage.depth}, stride {stage.stride}"
            f"\n\n{shape_in} → {shape_out}\n\n"
            f"| | stage | share |\n|---|---|---|\n"
            f"| MACs | {row.macs:,} | {_share(row.macs, network.macs)} |\n"
            f"| params | {row.params:,} | {_share(row.params, network.params)} |\n"
            f"| activation bytes | {row.activation_bytes:,} | "
            f"{_share(row.activation_bytes, network.activation_bytes)} |")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def short(number: int, units: Iterable[tuple[int, str]] = ((10**9, "G"), (10**6, "M"),
                                                           (10**3, "k"))) -> str:
    """``4.09G``: a figure in three digits, for hints."""
    for scale, unit in units:
        if abs(number) >= scale:
            return f"{number / scale:.3g}{unit}"
    return str(number)
