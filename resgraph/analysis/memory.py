"""Activation memory of an inference forward pass: each tensor, their sum, the peak live set.

Every op's output is a new tensor of ``batch × numel(shape)`` elements of the dtype, except
``flatten``, a view that allocates nothing and keeps its input alive as long as it is used.
Ops run in the graph's topological (execution) order; a tensor is live from the op that makes
it until the last op that reads it has run (the network's output until the end), and the
input tensor is live from the start. In-place ops (``ReLU(inplace=True)``) are not modelled:
each op's output is counted as a fresh allocation, as a graph without in-place rewrites
executes. The peak is taken while an op runs: its inputs and its new output are both live.

Parameter and buffer bytes use the dtype for floating-point tensors and 8 bytes for
``num_batches_tracked`` (an int64 in PyTorch).

It writes :data:`~resgraph.analysis.keys.ACTIVATION_BYTES` on every node and the totals
(:class:`Memory`) under :data:`~resgraph.analysis.keys.MEMORY` on the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from resgraph.analysis.costs import node_buffers, node_params
from resgraph.analysis.keys import ACTIVATION_BYTES, MEMORY
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph
from resgraph.ops import numel

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2}
VIEWS = frozenset({"flatten"})


@dataclass(frozen=True)
class Memory:
    dtype: str
    batch: int
    activation_bytes: int
    peak_bytes: int
    #: the op during which the peak is reached
    peak_at: str
    param_bytes: int
    buffer_bytes: int

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


@analysis_pass("memory")
def annotate_memory(graph: Graph, batch: int = 1, dtype: str = "fp32") -> None:
    """Write each node's output bytes, and the totals and the peak on the graph."""
    size = DTYPE_BYTES[dtype]
    for node in graph:
        node.meta[ACTIVATION_BYTES] = 0 if node.op in VIEWS else batch * numel(node.shape) * size
    peak, peak_at = _peak(graph)
    params = sum(numel(s) for n in graph for s in node_params(graph, n).values())
    buffers = sum(8 if name == "num_batches_tracked" else numel(s) * size
                  for n in graph for name, s in node_buffers(graph, n).items())
    graph.meta[MEMORY] = Memory(dtype, batch, sum(n.meta[ACTIVATION_BYTES] for n in graph),
                                peak, peak_at, params * size, buffers)


def _storage(graph: Graph) -> dict[str, str]:
    """The node whose allocation each node's output lives in (itself, or a view's source)."""
    root: dict[str, str] = {}
    for node in graph:
        root[node.name] = root[node.inputs[0]] if node.op in VIEWS else node.name
    return root


def live_bytes(graph: Graph) -> list[int]:
    """The bytes live while each op runs, in execution order (its inputs and its new output
    included): the curve whose maximum is the peak. Reads the pass's
    :data:`~resgraph.analysis.keys.ACTIVATION_BYTES`, so the pass must have run."""
    root = _storage(graph)
    order = {n.name: i for i, n in enumerate(graph)}
    last_use = {n.name: order[n.name] for n in graph}
    for node in graph:
        for i in node.inputs:
            last_use[root[i]] = max(last_use[root[i]], order[node.name])
    for output in graph.output_nodes().values():  # every output lives until the end
        last_use[root[output]] = len(order)
    frees: dict[int, list[str]] = {}
    for name, step in last_use.items():
        frees.setdefault(step, []).append(name)
    live, curve = 0, []
    for step, node in enumerate(graph):
        live += node.meta[ACTIVATION_BYTES]
        curve.append(live)
        live -= sum(graph.nodes[name].meta[ACTIVATION_BYTES] for name in frees.get(step, []))
    return curve


def _peak(graph: Graph) -> tuple[int, str]:
    curve = live_bytes(graph)
    peak = max(curve, default=0)
    return peak, list(graph.nodes)[curve.index(peak)] if peak > 0 else graph.input.name
