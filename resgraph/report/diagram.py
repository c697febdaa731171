"""The diagram's three levels and what the side panel shows of each node drawn on them.

Each level's SVG is :func:`resgraph.render.render_dot` through Graphviz, coloured by MACs, or
by TensorRT time when a profile is given (as ``resgraph profile --draw`` colours it). Every
node the diagram draws (a *unit*: an op, a layer, a block, a run of identical blocks, a stage)
is described from the analyses' node keys summed over its members, exactly the figures its
tooltip and label give, plus the spec lines that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from resgraph.analysis import keys
from resgraph.errors import MissingDependency, Span
from resgraph.ir import Graph, Node
from resgraph.ops import fmt_shape
from resgraph.render import labels as lb
from resgraph.render import make_options, render_dot
from resgraph.render.view import Unit, View, build_view

#: the levels the page switches between, coarsest first, and the one it opens at: stage
#: level folds runs of identical blocks, so even a thousand-layer network opens small
LEVELS = ("network", "stage", "block")
DEFAULT_LEVEL = "stage"
#: at most this many ops are named in a panel; more are counted
MAX_OPS_SHOWN = 8


@dataclass(frozen=True)
class Level:
    name: str
    svg: str
    #: unit id → its panel
    units: dict[str, dict[str, Any]]
    #: unit id → the IR nodes and blocks it draws
    members: dict[str, list[str]]


class Sources:
    """The spec files the spans point into, numbered in the order met (the network's first),
    and each line that made nodes."""

    def __init__(self, graph: Graph) -> None:
        self.files: dict[str, list[str]] = {}
        for span in _all_spans(graph):
            if span.source is not None and span.file not in self.files:
                self.files[span.file] = span.source.text.split("\n")
        if graph.source in self.files:  # the network's own file first
            self.files = {graph.source: self.files[graph.source],
                          **{k: v for k, v in self.files.items() if k != graph.source}}
        self.index = {f: i for i, f in enumerate(self.files)}

    def lines(self, graph: Graph, node: Node) -> list[tuple[int, int]]:
        """(file number, line) of the node's own span, its block's and its stage's."""
        block = graph.blocks.get(node.block) if node.block else None
        stage = next((s for s in graph.stages if s.name == node.stage), None)
        spans = [node.span, block.span if block else None, stage.span if stage else None]
        return [(self.index[s.file], s.line) for s in spans
                if s is not None and s.file in self.index]


def _all_spans(graph: Graph) -> list[Span]:
    spans = [n.span for n in graph] + [b.span for b in graph.blocks.values()]
    return [s for s in spans + [s.span for s in graph.stages] if s is not None]


def levels(graph: Graph, sources: Sources, *, batch: int,
           times: Mapping[str, float] | None) -> list[Level]:
    """Every level's SVG and panels; ``times`` (ms per scope, block and stage) colour it.
    The three ``dot`` processes run at once: they are most of the page's time."""
    color = {"color": "values", "values": dict(times), "legend": "ms per inference (TensorRT)"} \
        if times else {}
    dots = [render_dot(graph, make_options(level=level, batch=batch, **color))
            for level in LEVELS]
    with ThreadPoolExecutor(len(dots)) as pool:
        svgs = list(pool.map(_svg, dots))
    node_lines = {n.name: sources.lines(graph, n) for n in graph}
    out = []
    for level, svg in zip(LEVELS, svgs):
        view = build_view(graph, level)
        drawn = [u for u in view.units.values() if u.kind != "input"] + _clusters(view)
        out.append(Level(level, svg,
                         {u.id: _panel(graph, u, node_lines, times or {}) for u in drawn},
                         {u.id: [*u.blocks, *u.members] for u in drawn}))
    return out


def _svg(dot: str) -> str:
    """The SVG element Graphviz draws of ``dot``, without the XML prolog and doctype, which
    HTML does not take inline."""
    import graphviz

    try:
        svg = graphviz.pipe("dot", "svg", dot.encode()).decode()
    except graphviz.ExecutableNotFound:
        raise MissingDependency("the report draws its diagram with Graphviz's 'dot', which is "
                                "not on PATH; install Graphviz (apt-get install graphviz, or "
                                "https://graphviz.org/download/)") from None
    return svg[svg.index("<svg"):]


def _clusters(view: View) -> list[Unit]:
    """The stages and blocks drawn as boxes around their nodes (Graphviz clusters, whose SVG
    title is ``cluster_`` and the name), as units of their own: clicking one opens its panel."""
    members: dict[str, list[str]] = {}
    for unit in view.units.values():
        for name in unit.clusters:
            members.setdefault(name, []).extend(unit.members)
    graph = view.graph
    return [Unit(name, "block" if name in graph.blocks else "stage", ns,
                 blocks=[name] if name in graph.blocks else
                 [b for b, info in graph.blocks.items() if info.stage == name])
            for name, ns in members.items() if name not in view.units]


def _panel(graph: Graph, unit: Unit, node_lines: Mapping[str, list[tuple[int, int]]],
           times: Mapping[str, float]) -> dict[str, Any]:
    members = [graph.nodes[n] for n in unit.members]
    out_node = lb.unit_output(graph, unit)
    rf = out_node.meta.get(keys.RF)
    timed = [times[n.name] for n in members if n.name in times]
    ops = lb.op_summary(members) if len(members) <= MAX_OPS_SHOWN else \
        f"{len(members)} ops: " + lb.op_summary(members[:MAX_OPS_SHOWN]) + " · …"
    lines = sorted({line for n in members for line in node_lines[n.name]})
    return {
        "title": lb.run_title(unit.blocks) if unit.kind == "run" else unit.id,
        "kind": unit.kind, "ops": ops,
        "in": [fmt_shape(n.shape) for n in lb.unit_inputs(graph, unit)],
        "out": fmt_shape(out_node.shape),
        "macs": lb.total(graph, unit, keys.MACS), "flops": lb.total(graph, unit, keys.FLOPS),
        "params": lb.total(graph, unit, keys.PARAMS),
        "act": lb.total(graph, unit, keys.ACTIVATION_BYTES),
        "rf": "x".join(map(str, rf["size"])) + " (stride " + "x".join(map(str, rf["stride"]))
              + ")" if rf else None,
        "ms": sum(timed) if timed else None,
        "lines": [list(x) for x in lines],
    }


def search_index(level_list: list[Level]) -> dict[str, list[str]]:
    """Every name a user may look for → ``[level, unit]``: a unit at the coarsest level that
    draws it as a node of its own, else the node of the finest level that holds it (an op
    of a block → the block)."""
    index: dict[str, list[str]] = {}
    for level in level_list:
        for uid in level.units:
            index.setdefault(uid, [level.name, uid])
    for uid, names in level_list[-1].members.items():
        for name in names:
            index.setdefault(name, [level_list[-1].name, uid])
    return index


def line_links(level_list: list[Level]) -> dict[str, dict[str, list[str]]]:
    """Per level, ``"file:line"`` → the units that line made (the source pane's links)."""
    out: dict[str, dict[str, list[str]]] = {}
    for level in level_list:
        table: dict[str, list[str]] = {}
        for uid, panel in level.units.items():
            for f, line in panel["lines"]:
                table.setdefault(f"{f}:{line}", []).append(uid)
        out[level.name] = table
    return out
