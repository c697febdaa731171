"""A one-paragraph summary of an IR graph (what ``resgraph check`` prints)."""

from __future__ import annotations

import math
from typing import Any

from resgraph.ir import Graph
from resgraph.ops import fmt_shape


def param_count(graph: Graph) -> int:
    """Trainable parameters, from the ops' analytic rules."""
    total = 0
    for n in graph:
        if n.op == "input":
            continue
        shapes = [graph.nodes[i].shape for i in n.inputs]
        total += sum(math.prod(s) for s in n.opdef.params(n.attrs, shapes).values())
    return total


def summarise(graph: Graph) -> dict[str, Any]:
    """What ``resgraph check`` says of a network (in eval); ``outputs`` (each output's shape
    by its key) only for a network of several, whose ``output`` is the first's; ``training``
    only for one with training outputs."""
    out = {"network": graph.name, "nodes": len(graph) - 1, "blocks": len(graph.blocks),
           "stages": [s.name for s in graph.stages], "params": param_count(graph),
           "input": fmt_shape(graph.input_shape), "output": fmt_shape(graph.nodes[graph.output].shape),
           "parameters": graph.params, "notes": graph.notes}
    if graph.output_form != "one":
        out["outputs"] = {k: fmt_shape(graph.nodes[n].shape) for k, n in graph.outputs.items()}
    if graph.training is not None:  # what the network returns in training, and its size then
        t = graph.training
        out["training"] = {"outputs": {k: fmt_shape(t.nodes[n].shape) for k, n in t.outputs.items()},
                           "nodes": len(t) - 1, "params": param_count(t)}
    return out
