"""DOT source of a diagram: ``render_dot(graph, options)``.

Layout choices, each against a failure of earlier tools:

* repeated blocks fold into one node ``layer3.1–5 × 5`` (see :mod:`resgraph.render.view`);
* the main column shares one ``group`` and heavy edge weights, so ``dot`` draws it as a
  straight line; shortcuts are blue, dashed, weightless and leave it sideways, so they run
  alongside it instead of hiding behind it; the merge is a small ``+`` circle;
* tight ``nodesep``/``ranksep`` and HTML-like labels of two or three short lines keep even
  ResNet-152 compact.

The text is built by hand in graph order, so the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resgraph.analysis.costs import annotate_costs
from resgraph.analysis.keys import MACS, PARAMS, PATHS
from resgraph.analysis.passes import ensure
from resgraph.analysis.paths import annotate_paths
from resgraph.errors import unknown
from resgraph.ir import LEVELS, Graph
from resgraph.ops import fmt_shape
from resgraph.render import labels as lb
from resgraph.render.colors import PALETTE, Scale, make_scale
from resgraph.render.ushape import UShape, u_shape
from resgraph.render.view import DrawError, Unit, View, build_view

ANNOTATIONS = ("shapes", "macs", "params", "paths")
COLORS = ("macs", "params", "depth", "values", "none")
RANKDIRS = ("TB", "LR", "BT", "RL")
FONT = "Helvetica"
SHORTCUT, BRANCH, SKIP = "#2b6cb0", "#6b46c1", "#2f855a"
#: the levels a U-Net draws as a U at: one unit per stage (or per run of its blocks)
U_LEVELS = ("network", "stage")


@dataclass(frozen=True)
class DrawOptions:
    """What to draw; ``values`` (with ``color="values"``) colours by any per-scope number,
    keyed by IR node name, block or stage, e.g. measured milliseconds per layer."""

    level: str = "stage"
    expand: tuple[str, ...] = ()
    rankdir: str = "TB"
    annotate: tuple[str, ...] = ("shapes",)
    color: str = "macs"
    values: Mapping[str, float] | None = field(default=None, compare=False)
    legend: str | None = None
    batch: int = 1

    def check(self) -> None:
        _one_of("level", self.level, LEVELS)
        _one_of("rankdir", self.rankdir, RANKDIRS)
        _one_of("color", self.color, COLORS)
        for a in self.annotate:
            _one_of("annotation", a, ANNOTATIONS)
        if self.color == "values" and not self.values:
            raise DrawError("color='values' needs values={scope: number, ...}")


def _one_of(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise DrawError(unknown(what, value, choices))


def render_dot(graph: Graph, options: DrawOptions = DrawOptions()) -> str:
    """The diagram of ``graph`` as DOT text: of every layer its module holds (a network with
    training outputs as in training, its auxiliary heads drawn)."""
    options.check()
    graph = graph.training or graph
    view = build_view(graph, options.level, options.expand)
    _ensure_analyses(graph, options)
    scale = _scale(view, options)
    lines = [f"digraph {_q(graph.name)} {{", *_header(graph, options)]
    lines += _clusters(view, options, scale)
    shape = u_shape(view) if options.level in U_LEVELS else None
    lines += [_edge(view, e, shape) for e in view.edges]
    kinds = {e.kind for e in view.edges}
    if shape is not None:
        lines += shape.rank_lines()
        kinds = {e.kind for e in view.edges if (e.tail, e.head) not in shape.skips} | {"skip"}
    if scale is not None:
        lines.append(_legend(scale, kinds))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ensure_analyses(graph: Graph, options: DrawOptions) -> None:
    """Costs at the diagram's batch feed every tooltip; paths only what asks for them. Each
    pass runs only if its results on the graph are missing or of other parameters."""
    ensure(graph, annotate_costs, batch=options.batch)
    if "paths" in options.annotate or options.color == "depth":
        ensure(graph, annotate_paths)


def _header(graph: Graph, options: DrawOptions) -> list[str]:
    title = f"{graph.name}: {graph.summary}" if graph.summary else graph.name
    return [
        (f'  graph [rankdir={options.rankdir}, nodesep=0.12, ranksep=0.18, newrank=true, '
        f'fontname="{FONT}", fontsize=10, margin=0.05, pad=0.05, tooltip={_q(title)}];'),
        (f'  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#4a5568", '
        f'fontname="{FONT}", fontsize=9, margin="0.06,0.02", height=0.22, penwidth=0.7];'),
        '  edge [color="#2d3748", arrowsize=0.45, penwidth=0.8];',
    ]


# nodes ------------------------------------------------------------------------------------------


def _clusters(view: View, options: DrawOptions, scale: Scale | None) -> list[str]:
    """Units nested in their clusters, each cluster written once where it first appears."""
    tree: dict[tuple[str, ...], list[Any]] = {(): []}
    for unit in view.units.values():
        for depth in range(1, len(unit.clusters) + 1):
            path = unit.clusters[:depth]
            if path not in tree:
                tree[path] = []
                tree[path[:-1]].append(path)
        tree[unit.clusters].append(unit)
    return _emit(view, options, scale, tree, (), "  ")


def _emit(view: View, options: DrawOptions, scale: Scale | None,
          tree: dict[tuple[str, ...], list[Any]], path: tuple[str, ...], pad: str) -> list[str]:
    lines: list[str] = []
    for item in tree[path]:
        if isinstance(item, Unit):
            lines.append(pad + _node(view, item, options, scale))
            continue
        lines.append(f"{pad}subgraph {_q('cluster_' + item[-1])} {{")
        lines.append(pad + "  " + _cluster_style(view, item))
        lines += _emit(view, options, scale, tree, item, pad + "  ")
        lines.append(pad + "}")
    return lines


def _cluster_style(view: View, path: tuple[str, ...]) -> str:
    name = path[-1]
    stage = next((s for s in view.graph.stages if s.name == name), None)
    if len(path) > 1:
        return (f'label={_q(name)}; style="rounded,dashed"; color="#a0aec0"; fillcolor="#ffffff"; '
                f'fontsize=8; fontcolor="#4a5568"; labeljust=l; margin=4;')
    title = f"<<B>{_h(name)}</B>" + (f"  {_h(stage.block_type)} × {stage.depth}" if stage else "") + ">"
    return (f'label={title}; style="rounded,filled"; color="#cbd5e0"; fillcolor="#f7fafc"; '
            f'fontsize=10; labeljust=l; margin=5;')


def _node(view: View, unit: Unit, options: DrawOptions, scale: Scale | None) -> str:
    graph = view.graph
    attrs = {"tooltip": _q(_tooltip(view, unit, options))}
    if unit.id in view.spine:
        attrs["group"] = '"main"'
    if unit.kind == "input":
        attrs.update(shape="plaintext", style='""',
                     label=_html([("b", "input"), ("", fmt_shape(graph.input_shape))]))
        return f"{_q(unit.id)} [{_attrs(attrs)}];"
    head = graph.nodes[unit.members[0]]
    if unit.kind in ("op", "layer") and head.op in lb.SYMBOLS:
        attrs.update(shape="circle", label=_q(lb.SYMBOLS[head.op]), width="0.22",
                     height="0.22", fixedsize="true", fontsize="11", margin="0")
    else:
        attrs["label"] = _html(_label_lines(view, unit, options))
    if scale is not None:
        attrs["fillcolor"] = _q(scale.color(_value(view, unit, options)))
    return f"{_q(unit.id)} [{_attrs(attrs)}];"


def _label_lines(view: View, unit: Unit, options: DrawOptions) -> list[tuple[str, str]]:
    """(style, text) rows: "b" the title, "" the body, "d" dim annotations."""
    graph = view.graph
    nodes = [graph.nodes[n] for n in unit.members]
    if unit.kind in ("op", "layer"):
        rows = [("b", lb.describe(nodes[0]))]
        if len(nodes) > 1:
            rows.append(("", " · ".join(lb.describe(n) for n in nodes[1:])))
    elif unit.kind in ("block", "run"):
        body, side = lb.block_summary(view, unit.blocks[-1])
        rows = [("b", lb.run_title(unit.blocks)), ("", body)] + ([("d", side)] if side else [])
    elif unit.kind == "stage":
        stage = next(s for s in graph.stages if s.name == unit.id)
        body, _ = lb.block_summary(view, stage.blocks[0])
        rows = [("b", f"{stage.name}: {stage.block_type} × {stage.depth}"), ("", body)]
    else:
        rows = [("b", unit.id), ("", lb.op_summary([n for n in nodes if n.op not in lb.FOLLOWERS]))]
    return rows + [("d", a) for a in _annotations(view, unit, options) if a]


def _annotations(view: View, unit: Unit, options: DrawOptions) -> list[str]:
    graph = view.graph
    out = lb.unit_output(graph, unit)
    notes = {
        "shapes": "" if _keeps_shape(graph, unit) else fmt_shape(out.shape),
        "macs": _count(lb.total(graph, unit, MACS), "MACs"),
        "params": _count(lb.total(graph, unit, PARAMS), "params"),
        "paths": lb.paths_text(out),
    }
    picked = [notes[a] for a in ANNOTATIONS if a in options.annotate]
    if unit.kind in ("stage", "part"):
        share = lb.total(graph, unit, MACS) / max(1, sum(n.meta.get(MACS, 0) for n in graph))
        picked.append(f"{100 * share:.1f}% of MACs")
    return [" · ".join(p for p in picked if p)]


def _count(value: int, what: str) -> str:
    return f"{lb.si(value)} {what}" if value else ""


def _keeps_shape(graph: Graph, unit: Unit) -> bool:
    """An unweighted op drawn alone that keeps its input's shape (bn, relu): the shape above
    it says it already, so the diagram stays a line shorter per op."""
    node = graph.nodes[unit.members[0]]
    return unit.kind == "op" and not node.weighted and len(node.inputs) == 1 and \
        graph.nodes[node.inputs[0]].shape == node.shape


def _tooltip(view: View, unit: Unit, options: DrawOptions) -> str:
    graph = view.graph
    scope = lb.run_title(unit.blocks) if unit.kind == "run" else unit.id
    ins = ", ".join(fmt_shape(n.shape) for n in lb.unit_inputs(graph, unit))
    ops = lb.op_summary([graph.nodes[n] for n in unit.members])
    if len(unit.members) > 6:
        ops = f"{len(unit.members)} ops"
    lines = [scope, *([ops] if ops != scope else []), *([f"in: {ins}"] if ins else []), f"out: {fmt_shape(lb.unit_output(graph, unit).shape)}",
             f"MACs: {lb.total(graph, unit, MACS):,}",
             f"params: {lb.total(graph, unit, PARAMS):,}"]
    if options.color == "values":
        value = _value(view, unit, options)
        lines.append(f"{options.legend or 'value'}: {'-' if value is None else f'{value:.4g}'}")
    return "\n".join(lines)


# colour ------------------------------------------------------------------------------------------


def _value(view: View, unit: Unit, options: DrawOptions) -> float | None:
    graph = view.graph
    if options.color == "macs":
        return lb.total(graph, unit, MACS)
    if options.color == "params":
        return lb.total(graph, unit, PARAMS)
    if options.color == "depth":
        paths = lb.unit_output(graph, unit).meta.get(PATHS)
        return paths["longest"] if paths else None
    values = options.values or {}
    keys = [k for k in (unit.id, *unit.blocks) if k in values] or \
        [n for n in unit.members if n in values]
    return sum(values[k] for k in keys) if keys else None


def _scale(view: View, options: DrawOptions) -> Scale | None:
    if options.color == "none":
        return None
    titles: dict[str, tuple[str, Callable[[float], str]]] = {
        "macs": ("MACs per node", lb.si), "params": ("parameters per node", lb.si),
        "depth": ("depth (weighted layers)", lambda v: f"{v:.0f}"),
        "values": (options.legend or "value", lambda v: f"{v:.3g}"),
    }
    title, fmt = titles[options.color]
    values = [_value(view, u, options) for u in view.units.values() if u.kind != "input"]
    return make_scale(title, [v for v in values if v is not None], fmt)


def _legend(scale: Scale, edge_kinds: set[str]) -> str:
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{_h(scale.title)}</B></TD></TR>']
    for color, (lo, hi) in zip(PALETTE, scale.bounds()):
        rows.append(f'<TR><TD BGCOLOR="{color}" WIDTH="14" BORDER="1"> </TD>'
                    f'<TD ALIGN="LEFT">{_h(scale.fmt(lo))} – {_h(scale.fmt(hi))}</TD></TR>')
    for kind, color, text in (("shortcut", SHORTCUT, "shortcut"), ("branch", BRANCH, "branch"),
                              ("skip", SKIP, "long skip")):
        if kind in edge_kinds:
            rows.append(f'<TR><TD><FONT COLOR="{color}"><B>- -</B></FONT></TD>'
                        f'<TD ALIGN="LEFT">{text}</TD></TR>')
    table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">'
             + "".join(rows) + "</TABLE>>")
    return (f'  "legend" [shape=box, style="rounded", color="#cbd5e0", fontsize=8, '
            f'tooltip="legend", label={table}];')


# edges -------------------------------------------------------------------------------------------


def _edge(view: View, edge: Any, shape: UShape | None = None) -> str:
    """Main edges are heavy, so the main column stays straight; shortcuts weigh nothing, so
    ``dot`` routes them around it rather than through it. In a U (``shape``) a long skip is a
    flat edge labelled with the tensor it carries, and the rising side's edges are written
    head to tail, drawn back, so that ``dot`` ranks the decoder upwards."""
    if shape is not None and (edge.tail, edge.head) in shape.skips:
        carried = fmt_shape(lb.unit_output(view.graph, view.units[edge.tail]).shape)
        return (f'  {_q(edge.tail)} -> {_q(edge.head)} [color="{SKIP}", style=dashed, '
                f'penwidth=1.3, label={_q(carried)}, fontsize=8, fontcolor="{SKIP}"];')
    back = shape is not None and shape.reversed(edge)
    ends = f"{_q(edge.head)} -> {_q(edge.tail)}" if back else f"{_q(edge.tail)} -> {_q(edge.head)}"
    extra = ", dir=back" if back else ""
    if edge.kind == "main":
        return f"  {ends} [weight={8 if edge.tail in view.spine else 2}{extra}];"
    color = SHORTCUT if edge.kind == "shortcut" else BRANCH
    return f'  {ends} [color="{color}", style=dashed, penwidth=1.1, weight=0{extra}];'


# quoting -----------------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A DOT double-quoted string; newlines become DOT's ``\\n``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _h(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html(rows: list[tuple[str, str]]) -> str:
    cells = []
    for style, text in rows:
        body = _h(text)
        if style == "b":
            body = f"<B>{body}</B>"
        elif style == "d":
            body = f'<FONT POINT-SIZE="8" COLOR="#4a5568">{body}</FONT>'
        cells.append(f"<TR><TD>{body}</TD></TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">' + "".join(cells) + "</TABLE>>"


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())
