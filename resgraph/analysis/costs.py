"""Per-node costs from the analytic rules of :mod:`resgraph.ops`: MACs, FLOPs, parameters, buffers.

The rules live beside each op's shape rule (one place to read and to fix); this pass only
applies them to a graph's shapes and scales them by the batch. It writes
:data:`~resgraph.analysis.keys.MACS`, :data:`~resgraph.analysis.keys.FLOPS`,
:data:`~resgraph.analysis.keys.PARAMS` and :data:`~resgraph.analysis.keys.BUFFERS` on every
node (the input node gets zeros).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial

from resgraph import cache
from resgraph.analysis.keys import BUFFERS, FLOPS, MACS, PARAMS
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph, Node
from resgraph.ops import Shape, numel


def input_shapes(graph: Graph, node: Node) -> list[Shape]:
    return [graph.nodes[i].shape for i in node.inputs]


def node_params(graph: Graph, node: Node) -> dict[str, Shape]:
    """The shapes of a node's trainable parameters, by name (``weight``, ``bias``)."""
    if node.op == "input":
        return {}
    return node.opdef.params(node.attrs, input_shapes(graph, node))


def node_buffers(graph: Graph, node: Node) -> dict[str, Shape]:
    if node.op == "input":
        return {}
    return node.opdef.buffers(node.attrs, input_shapes(graph, node))


def signature(graph: Graph, node: Node) -> Hashable:
    """What an op's costs depend on: equal in every repeat of a block, so rules run once."""
    return (node.op, tuple(node.attrs.items()), tuple(input_shapes(graph, node)), node.shape)


def _costs(graph: Graph, node: Node) -> dict[str, int]:
    shapes = input_shapes(graph, node)
    op = node.opdef
    return {MACS: op.macs(node.attrs, shapes, node.shape),
            FLOPS: op.flops(node.attrs, shapes, node.shape),
            PARAMS: sum(numel(s) for s in op.params(node.attrs, shapes).values()),
            BUFFERS: sum(numel(s) for s in op.buffers(node.attrs, shapes).values())}


#: the costs of an op by :func:`signature`, across graphs: a sweep's candidates and an edited
#: spec's graphs share most of their layers
_COSTS: cache.Memo[dict[str, int]] = cache.Memo("costs", 1 << 16)


@analysis_pass("costs")
def annotate_costs(graph: Graph, batch: int = 1) -> None:
    """Write MACs, FLOPs, parameters and buffers of every node into ``node.meta``."""
    for node in graph:
        if node.op == "input":
            node.meta.update({MACS: 0, FLOPS: 0, PARAMS: 0, BUFFERS: 0})
            continue
        costs = _COSTS.get(signature(graph, node), partial(_costs, graph, node))
        node.meta.update({MACS: batch * costs[MACS], FLOPS: batch * costs[FLOPS],
                          PARAMS: costs[PARAMS], BUFFERS: costs[BUFFERS]})
