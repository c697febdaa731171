"""explain: every resolved value of each stage and block, and where in the spec it came from."""

from __future__ import annotations

from typing import Any

from resgraph.ir import Graph
from resgraph.ops import fmt_shape


def explain(graph: Graph) -> dict[str, Any]:
    """Every stage's blocks, their resolved arguments and where each came from (the data of
    ``resgraph explain``); in one pass over the ops, whatever the network's size."""
    ops: dict[str | None, list[str]] = {}
    for n in graph:
        ops.setdefault(n.block, []).append(n.name)
    stages = []
    for st in graph.stages:
        blocks = []
        for name in st.blocks:
            b = graph.blocks[name]
            blocks.append({"name": name, "type": b.type, "args": b.args, "origins": b.origins,
                           "input": fmt_shape(graph.nodes[b.input].shape),
                           "output": fmt_shape(graph.nodes[b.output].shape),
                           "ops": ops.get(name, [])})
        stages.append({"name": st.name, "block_type": st.block_type, "depth": st.depth,
                       "stride": st.stride, "at": str(st.span) if st.span else None,
                       "blocks": blocks})
    return {"network": graph.name, "summary": graph.summary, "parameters": graph.params,
            "input": fmt_shape(graph.input_shape), "stages": stages, "notes": graph.notes}
