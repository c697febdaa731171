"""A stem or head: its nodes as a body of op steps, one chain per line. A layer that holds
state (or is a module at its own scope: dropout, stochastic depth) keeps its module path as
its label, since a state_dict key is that path; the others take the spec's numbering. A
tensor read again later, or by a merge, is kept under a name (``t1 = ...``)."""

from __future__ import annotations

from resgraph.decompile.canon import stateful
from resgraph.decompile.opcall import call
from resgraph.ir import Graph, Node

#: free ops that are modules of their own in a model, named as the model names them
_MODULES = frozenset({"dropout", "stochastic_depth"})


def _label(node: Node, prefix: str) -> str:
    if stateful(node) or node.op in _MODULES:
        return f"{node.name.removeprefix(prefix)}: "
    return ""


def body_lines(graph: Graph, nodes: list[Node], entry: str, prefix: str = "") -> list[str]:
    """The steps computing ``nodes`` from ``entry`` (the tensor the body starts from, named
    ``input`` where it must be named)."""
    users = graph.users()
    inside = {n.name for n in nodes}
    names = {entry: "input"}
    lines: list[str] = []
    current = entry  # the flow's value after the last line
    chain: list[str] = []
    for k, node in enumerate(nodes):
        ins = list(node.inputs)
        if len(ins) == 1 and ins[0] == current:
            step = call(node)
        else:
            if chain:
                lines.append(" -> ".join(chain))
                chain = []
            step = (f"{names[ins[0]]} -> {call(node)}" if len(ins) == 1
                    else call(node, [names[i] for i in ins]))
        chain.append(_label(node, prefix) + step)
        current = node.name
        nxt = nodes[k + 1] if k + 1 < len(nodes) else None
        later = [u for u in users[node.name] if u in inside and (nxt is None or u != nxt.name
                                                                 or len(nxt.inputs) > 1)]
        if later:
            names[node.name] = f"t{len(names)}"
            lines.append(f"{names[node.name]} = " + " -> ".join(chain))
            chain = []
    if chain:
        lines.append(" -> ".join(chain))
    return lines
