"""What a diagram shows: the IR folded into units (ops, layers, blocks, runs of blocks, stages).

A diagram never draws the IR directly. Each IR node is assigned to one *unit* according to
the level and the scopes the user expanded; edges between units are the IR edges that cross
unit borders. Because every unit keeps the list of IR nodes it stands for, costs, tooltips and
colours are sums over members, read from the analyses' ``node.meta`` keys.

The *main column* (``spine``) is found once on the IR: walking back from the output, each
node's main input is, for an ``add``, its residual branch (the analyses' one rule,
:func:`resgraph.analysis.paths.shortcut_inputs`, names the shortcut), and for any other node
the input that keeps its shape and lies deepest. Every other edge into an ``add`` is a
shortcut; other side edges (squeeze-excitation) are branches. The renderer keeps the main
column straight and draws shortcuts beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resgraph.analysis.paths import shortcut_inputs
from resgraph.errors import UsageError, did_you_mean, unknown
from resgraph.ir import LEVELS, Graph, Node

#: ops that a *layer* absorbs after its head (conv → bn → relu is one layer)
FOLLOWERS = frozenset({"bn", "relu", "flatten"})
#: the parts of a network that are not stages
PARTS = ("stem", "head")
#: identity in eval, their rate left out when blocks are compared for folding: EfficientNet's
#: and ConvNeXt's stochastic-depth rate grows over the blocks, which are still the same block
RATE_ONLY = frozenset({"stochastic_depth", "dropout"})


class DrawError(UsageError):
    """A bad drawing request (unknown level, unknown scope); the message suggests a fix."""


@dataclass
class Unit:
    """One node of the diagram and the IR nodes it stands for."""

    id: str
    #: "input", "op", "layer", "block", "run" (identical blocks folded), "stage" or "part"
    kind: str
    members: list[str]
    #: the clusters it sits in, outermost first: (stage,) or (stage, block)
    clusters: tuple[str, ...] = ()
    #: the block instances it stands for (block, run and stage units)
    blocks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    #: "main" (the main column), "shortcut" (into a merge) or "branch" (any other side path)
    kind: str


@dataclass
class View:
    graph: Graph
    units: dict[str, Unit]
    edges: list[Edge]
    #: unit ids on the main column
    spine: set[str]
    #: each IR node's main input
    main_input: dict[str, str | None]
    #: IR nodes off the main column: "shortcut" (on the way into a merge) or "branch"
    side: dict[str, str]


def build_view(graph: Graph, level: str, expand: tuple[str, ...] = ()) -> View:
    """Fold ``graph`` for ``level``; the scopes in ``expand`` are shown op by op."""
    check_request(graph, level, expand)
    expanded = frozenset(expand)
    runs = _runs(graph, level, expanded)
    users = graph.users()
    unit_of: dict[str, str] = {}
    units: dict[str, Unit] = {}
    for node in graph:
        grain = _grain(graph, node, level, expanded)
        key = _unit_key(graph, node, grain, unit_of, runs, users)
        unit_of[node.name] = key
        if key not in units:
            units[key] = _new_unit(graph, node, key, grain, runs)
        units[key].members.append(node.name)
    main_input = main_inputs(graph)
    spine_nodes = _spine(graph, main_input)
    side = _side_kinds(graph, main_input, spine_nodes, users)
    edges = _edges(graph, unit_of, main_input, spine_nodes, side)
    spine = {unit_of[n] for n in spine_nodes}
    return View(graph, units, edges, spine, main_input, side)


def scopes(graph: Graph) -> list[str]:
    """The scopes ``expand`` accepts: stem, head, every stage and every block."""
    return [*PARTS, *(s.name for s in graph.stages), *graph.blocks]


def check_request(graph: Graph, level: str, expand: tuple[str, ...]) -> None:
    if level not in LEVELS:
        raise DrawError(unknown("level", level, LEVELS))
    known = scopes(graph)
    for scope in expand:
        if scope not in known:
            hint = did_you_mean(scope, known)
            raise DrawError(f"--expand: {graph.name} has no stage or block '{scope}'; {hint}")


# granularity ------------------------------------------------------------------------------------


def _grain(graph: Graph, node: Node, level: str, expanded: frozenset[str]) -> str:
    """How finely ``node`` is shown: "op", "layer", "block", "stage" or "part"."""
    if node.op == "input" or node.stage in expanded or node.block in expanded or level == "op":
        return "op"
    if level == "block" or node.block not in graph.blocks:
        return "part" if level == "network" and node.block is None else "layer"
    if level == "stage" or _stage_opened(graph, node.stage, expanded):
        return "block"
    return "stage"


def _stage_opened(graph: Graph, stage: str, expanded: frozenset[str]) -> bool:
    return any(s.name == stage and expanded.intersection(s.blocks) for s in graph.stages)


def _unit_key(graph: Graph, node: Node, grain: str, unit_of: dict[str, str],
              runs: dict[str, str], users: dict[str, list[str]]) -> str:
    if grain == "layer":
        return _layer_head(graph, node, unit_of, users)
    if grain == "block":
        return runs[node.block]  # type: ignore[index]
    if grain in ("stage", "part"):
        return node.stage
    return node.name


def _layer_head(graph: Graph, node: Node, unit_of: dict[str, str],
                users: dict[str, list[str]]) -> str:
    """A follower (bn, relu, flatten) joins the layer of its only producer in the same scope."""
    if node.op not in FOLLOWERS or len(node.inputs) != 1:
        return node.name
    producer = graph.nodes[node.inputs[0]]
    same_scope = (producer.block, producer.stage) == (node.block, node.stage)
    if not same_scope or producer.op == "input" or len(users[producer.name]) != 1:
        return node.name
    return unit_of[producer.name]


def _new_unit(graph: Graph, node: Node, key: str, grain: str, runs: dict[str, str]) -> Unit:
    if grain == "op" and node.op == "input":
        return Unit(key, "input", [])
    if grain in ("stage", "part"):
        stage_blocks = [b for b, info in graph.blocks.items() if info.stage == node.stage]
        return Unit(key, grain, [], (), stage_blocks)
    if grain == "block":
        blocks = [b for b, run in runs.items() if run == key]
        return Unit(key, "run" if len(blocks) > 1 else "block", [], (node.stage,), blocks)
    clusters = (node.stage,) if node.block is None else (node.stage, node.block)
    return Unit(key, grain, [], clusters)


# folding identical blocks -----------------------------------------------------------------------


def _runs(graph: Graph, level: str, expanded: frozenset[str]) -> dict[str, str]:
    """Block name → the id of its run: consecutive identical blocks share one (stage level)."""
    runs: dict[str, str] = {}
    fold = level in ("stage", "network")
    members: dict[str, list[Node]] = {}
    for node in graph:
        if node.block is not None:
            members.setdefault(node.block, []).append(node)
    signatures: dict[str, tuple[Any, ...]] = {}

    def signature(block: str) -> tuple[Any, ...]:
        if block not in signatures:
            signatures[block] = _signature(graph, block, members.get(block, []))
        return signatures[block]

    for stage in graph.stages:
        current: list[str] = []
        for block in stage.blocks:
            same = current and fold and block not in expanded and current[-1] not in expanded \
                and signature(block) == signature(current[-1])
            if not same:
                _close_run(current, runs)
                current = []
            current.append(block)
        _close_run(current, runs)
    for block in graph.blocks:  # blocks of no stage (a traced model's) stand alone
        runs.setdefault(block, block)
    return runs


def _close_run(blocks: list[str], runs: dict[str, str]) -> None:
    if not blocks:
        return
    run_id = blocks[0] if len(blocks) == 1 else f"{blocks[0]}..{blocks[-1]}"
    runs.update({b: run_id for b in blocks})


def _signature(graph: Graph, block: str, members: list[Node]) -> tuple[Any, ...]:
    """The block with its own name taken out: equal signatures mean identical blocks."""
    prefix = block + "."
    inside = {n.name for n in members}

    def local(name: str) -> Any:
        return name.removeprefix(prefix) if name in inside else ("in", graph.nodes[name].shape)

    return tuple((local(n.name), n.op, () if n.op in RATE_ONLY else tuple(sorted(n.attrs.items())),
                  tuple(local(i) for i in n.inputs), n.shape) for n in members)


# the main column ------------------------------------------------------------------------------


def main_inputs(graph: Graph) -> dict[str, str | None]:
    """Each node's main input: an ``add``'s first input that is not its shortcut; any other
    node's deepest input (longest op chain) of those that keep its shape."""
    shortcut = shortcut_inputs(graph)
    depth: dict[str, int] = {}
    main: dict[str, str | None] = {}
    for node in graph:
        depth[node.name] = 1 + max((depth[i] for i in node.inputs), default=-1)
        if node.name in shortcut:
            main[node.name] = next((i for i in node.inputs if i != shortcut[node.name]),
                                   shortcut[node.name])
            continue
        same = [i for i in node.inputs if graph.nodes[i].shape == node.shape]
        candidates = same if len(node.inputs) > 1 and same else list(node.inputs)
        main[node.name] = max(candidates, key=depth.__getitem__, default=None)
    return main


def _spine(graph: Graph, main_input: dict[str, str | None]) -> set[str]:
    spine: set[str] = set()
    name: str | None = graph.output
    while name is not None:
        spine.add(name)
        name = main_input[name]
    return spine


def _edges(graph: Graph, unit_of: dict[str, str], main_input: dict[str, str | None],
           spine: set[str], side: dict[str, str]) -> list[Edge]:
    found: dict[tuple[str, str], str] = {}
    for node in graph:
        for i in node.inputs:
            pair = (unit_of[i], unit_of[node.name])
            if pair[0] == pair[1]:
                continue
            if node.name in spine and main_input[node.name] == i:
                kind = "main"
            elif node.op == "add":
                kind = "shortcut"
            else:
                kind = side.get(node.name, "branch")
            if found.get(pair) != "main":
                found[pair] = kind
    return [Edge(t, h, k) for (t, h), k in found.items()]


def _side_kinds(graph: Graph, main_input: dict[str, str | None], spine: set[str],
                users: dict[str, list[str]]) -> dict[str, str]:
    """Off the main column, a node on the way into a merge is a shortcut, else a branch."""
    kinds: dict[str, str] = {}
    for node in reversed(list(graph)):
        if node.name in spine:
            continue
        merges = any(graph.nodes[u].op == "add" and main_input[u] != node.name
                     for u in users[node.name])
        inherited = any(kinds.get(u) == "shortcut" for u in users[node.name])
        kinds[node.name] = "shortcut" if merges or inherited else "branch"
    return kinds
