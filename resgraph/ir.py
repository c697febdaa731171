"""The IR: a small typed graph of primitive ops with shapes, scopes and source spans.

It is what elaboration produces, what ``lower_fx`` turns into a ``torch.fx.GraphModule``, and
what the analyses and the renderer read; ``import_fx`` builds the same graph from any traced
PyTorch model. It holds no tensors, so it is cheap to build for the deepest networks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from resgraph.errors import Span
from resgraph.ops import OPS, OpDef, Shape, fmt_shape

#: the granularities a network is seen at, coarsest first: the rows of an analysis report and
#: the levels of a diagram
LEVELS = ("network", "stage", "block", "op")


@dataclass
class Node:
    """One op. ``name`` is its hierarchical scope (``layer2.0.conv1``), unique in the graph."""

    name: str
    op: str  # a key of resgraph.ops.OPS, or "input"
    inputs: tuple[str, ...]
    attrs: dict[str, Any]
    shape: Shape
    #: "stem", a stage name, or "head"
    stage: str
    #: the scope of the block instance it belongs to (``layer2.0``), or None outside blocks
    block: str | None = None
    span: Span | None = None
    #: results of analyses, under the keys of :mod:`resgraph.analysis.keys`
    meta: dict[str, Any] = field(default_factory=dict)

    def fresh(self) -> Node:
        """The node without analysis results (sharing what nothing changes)."""
        return Node(self.name, self.op, self.inputs, self.attrs, self.shape, self.stage,
                    self.block, self.span)

    @property
    def opdef(self) -> OpDef:
        return OPS[self.op]

    @property
    def weighted(self) -> bool:
        return self.op in OPS and OPS[self.op].weighted


@dataclass
class StageInfo:
    """A stage as the spec wrote it: ``stage layer2: bottleneck(128) x 4 stride 2``."""

    name: str
    block_type: str
    depth: int
    stride: int
    blocks: list[str]
    span: Span | None = None


@dataclass
class BlockInfo:
    """A block instance of a stage (``layer2.0``): its type and every resolved argument."""

    name: str
    type: str
    stage: str
    input: str
    output: str
    args: dict[str, Any]
    #: where each argument's value came from: a default, the stage line, an override, --set
    origins: dict[str, str]
    span: Span | None = None


@dataclass
class Graph:
    name: str
    input_shape: Shape
    nodes: dict[str, Node] = field(default_factory=dict)
    #: the node of the first output: the one output of a chain
    output: str = ""
    summary: str | None = None
    #: the parameters the spec was elaborated with
    params: dict[str, Any] = field(default_factory=dict)
    stages: list[StageInfo] = field(default_factory=list)
    blocks: dict[str, BlockInfo] = field(default_factory=dict)
    #: what elaboration reports without failing (declared roundings, for instance)
    notes: list[str] = field(default_factory=list)
    source: str | None = None
    #: a digest of everything the graph was elaborated from (the spec's text and its used
    #: files', the parameters, the input shape), set by elaboration; analyses keep their
    #: results by it. None for a graph made otherwise, and to be set to None by whoever
    #: changes a graph after elaboration.
    key: str | None = field(default=None, compare=False)
    #: whole-graph results of analyses and the parameters each ran with, under the keys of
    #: :mod:`resgraph.analysis.keys`
    meta: dict[str, Any] = field(default_factory=dict, repr=False)
    #: every output's node by its key (a tuple's by the result's name), in the spec's order;
    #: empty for a graph made before outputs were named (then ``output`` is the one)
    outputs: dict[str, str] = field(default_factory=dict)
    #: how the compiled module returns them: "one" (the tensor), "tuple" or "dict"
    output_form: str = "one"
    #: a network with ``output training ...``: the graph of every node, whose outputs are
    #: those of training mode. This graph is then the network in eval: only what its own
    #: outputs read (:meth:`pruned`), which the analyses count; the compiled module is the
    #: training graph's, returning this graph's outputs in eval.
    training: Graph | None = field(default=None, repr=False)

    def output_nodes(self) -> dict[str, str]:
        """Every output's node by key; ``{"output": output}`` for a graph with one."""
        return self.outputs or {"output": self.output}

    @property
    def input(self) -> Node:
        return next(iter(self.nodes.values()))

    def __iter__(self) -> Iterator[Node]:
        """Nodes in topological (execution) order."""
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def copy(self) -> Graph:
        """The graph with new nodes and containers and no analysis results, sharing only what
        nothing changes after elaboration (attributes, shapes, spans, stage and block infos):
        what a cache hands out of a graph it keeps."""
        nodes = {name: n.fresh() for name, n in self.nodes.items()}
        return Graph(self.name, self.input_shape, nodes, self.output, self.summary,
                     dict(self.params), list(self.stages), dict(self.blocks), list(self.notes),
                     self.source, self.key, outputs=dict(self.outputs),
                     output_form=self.output_form,
                     training=self.training.copy() if self.training else None)

    def pruned(self) -> Graph:
        """The graph of the nodes its outputs read (new nodes, as :meth:`copy`'s), with the
        stages and blocks they are in."""
        kept: set[str] = set()
        todo = list(self.output_nodes().values())
        while todo:
            name = todo.pop()
            if name not in kept:
                kept.add(name)
                todo.extend(self.nodes[name].inputs)
        blocks = {k: b for k, b in self.blocks.items() if b.output in kept}
        stages = [st for st in self.stages if any(b in blocks for b in st.blocks)]
        return Graph(self.name, self.input_shape,
                     {k: n.fresh() for k, n in self.nodes.items() if k in kept},
                     self.output, self.summary, dict(self.params), stages, blocks,
                     list(self.notes), self.source, self.key, outputs=dict(self.outputs),
                     output_form=self.output_form)

    def add(self, node: Node) -> Node:
        self.nodes[node.name] = node
        return node

    def users(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self:
            for i in node.inputs:
                out[i].append(node.name)
        return out

    def to_text(self) -> str:
        """A line per node: ``name = op(inputs) attrs -> shape``; stable, for golden files."""
        lines = [f"graph {self.name} input {fmt_shape(self.input_shape)}"]
        lines.extend(_node_line(n) for n in self)
        if self.output_form == "one":
            lines.append(f"output {self.output}")
        else:
            outs = ", ".join(f"{k}={v}" for k, v in self.outputs.items())
            lines.append(f"output {self.output_form} {outs}")
        if self.training is not None:
            lines.extend(_node_line(n) for n in self.training if n.name not in self.nodes)
            outs = ", ".join(f"{k}={v}" for k, v in self.training.outputs.items())
            lines.append(f"output training {self.training.output_form} {outs}")
        return "\n".join(lines) + "\n"


def _node_line(n: Node) -> str:
    attrs = ", ".join(f"{k}={_fmt_attr(v)}" for k, v in sorted(n.attrs.items()))
    args = ", ".join(n.inputs)
    return f"{n.name} = {n.op}({args}{', ' if args and attrs else ''}{attrs}) -> {fmt_shape(n.shape)}"


def _fmt_attr(v: Any) -> str:
    if isinstance(v, tuple):
        return "x".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Multihead(NamedTuple):
    """The groups of nodes that are one ``nn.MultiheadAttention`` (:func:`multihead_groups`)."""

    #: each group's attention node → the group's path (the module's)
    scope: dict[str, str]
    #: each group's out-projection → its attention node, whose value it is
    out: dict[str, str]
    #: the in-projections, computed inside the module
    within: frozenset[str]


def multihead_groups(graph: Graph) -> Multihead:
    """Where nodes are what the import makes of ``nn.MultiheadAttention`` at a path P (the
    linear layers ``P.q_proj``, ``P.k_proj``, ``P.v_proj`` read by nothing but the heads'
    ``P.attention``, read by nothing but the linear ``P.out_proj``, biases alike), one module
    computes them: ``lower_fx`` makes it, so that its parameters have torch's names
    (``P.in_proj_weight``), and the counters count them as they count that module."""
    users: dict[str, list[str]] = {}
    for n in graph:
        for i in n.inputs:
            users.setdefault(i, []).append(n.name)
    scope: dict[str, str] = {}
    out: dict[str, str] = {}
    within: set[str] = set()
    for n in graph:
        p = n.name.removesuffix(".attention")
        projections = [graph.nodes.get(f"{p}.{part}_proj") for part in "qkv"]
        last = graph.nodes.get(f"{p}.out_proj")
        if n.op != "attention" or "heads" not in n.attrs or n.attrs["causal"] or p == n.name \
                or last is None \
                or n.inputs != tuple(f"{p}.{part}_proj" for part in "qkv") \
                or users.get(n.name) != [last.name] or last.op != "linear":
            continue
        if any(x is None or x.op != "linear" or users.get(x.name) != [n.name] for x in projections) \
                or len({x.attrs["bias"] for x in [*projections, last]}) != 1:  # type: ignore[union-attr]
            continue
        scope[n.name], out[last.name] = p, n.name
        within.update(x.name for x in projections)  # type: ignore[union-attr]
    return Multihead(scope, out, frozenset(within))
