"""A stem or head: its nodes as a body of op steps, one chain per line. A layer that holds
state (or is a module at its own scope: dropout, stochastic depth) keeps its module path as
its label, since a state_dict key is that path; the others take the spec's numbering. A
tensor read again later, or by a merge, is kept under a name (``t1 = ...``)."""

from __future__ import annotations

import re

from resgraph.decompile.canon import stateful
from resgraph.decompile.opcall import Literal, Unwritable, call, plain, value
from resgraph.ir import Node
from resgraph.parse import KEYWORDS

#: free ops that are modules of their own in a model, named as the model names them
_MODULES = frozenset({"dropout", "stochastic_depth"})
#: a label the grammar reads as it is: ``conv1``, ``layer.0.conv``, ``3``
_PLAIN_LABEL = re.compile(r"[A-Za-z_]\w*(\.([A-Za-z_]\w*|\d+))*|\d+")


def _multihead(node: Node) -> bool:
    """The heads of an nn.MultiheadAttention, whose path names the module it compiles to."""
    return node.op == "attention" and "heads" in node.attrs


def _label(node: Node, prefix: str) -> str:
    """The step's label: its module path where it must keep it, as an f-string where the
    path is no label's plain form (``0.layer_norm1``, ``stem``)."""
    if not (stateful(node) or node.op in _MODULES or _multihead(node)):
        return ""
    path = node.name.removeprefix(prefix)
    plain = _PLAIN_LABEL.fullmatch(path) and path not in KEYWORDS  # ``stem`` is a keyword
    return f"{path}: " if plain else f"f{value(path)}: "


def _named(names: dict[str, str], tensor: str) -> str:
    if tensor not in names:
        raise Unwritable(f"reads {tensor}, a tensor from outside it")
    return names[tensor]


def body_lines(nodes: list[Node], entry: str, prefix: str = "",
               literal: Literal = plain) -> list[str]:
    """The steps computing ``nodes`` from ``entry`` (the tensor the body starts from, named
    ``input`` where it must be named), each argument written by ``literal``."""
    users: dict[str, list[str]] = {n.name: [] for n in nodes}  # the body's own readers only
    for n in nodes:
        for i in n.inputs:
            users.get(i, []).append(n.name)
    names = {entry: "input"}
    lines: list[str] = []
    current = entry  # the flow's value after the last line
    chain: list[str] = []
    for k, node in enumerate(nodes):
        ins = list(node.inputs)
        label = _label(node, prefix)
        if len(ins) == 1 and ins[0] == current:
            chain.append(label + call(node, literal=literal))
        else:
            if chain:
                lines.append(" -> ".join(chain))
                chain = []
            read = [_named(names, i) for i in ins]
            if len(ins) == 1:  # a named tensor, then the step: ``t1 -> conv1: conv(...)``
                chain += [read[0], label + call(node, literal=literal)]
            else:
                chain.append(label + call(node, read, literal))
        current = node.name
        nxt = nodes[k + 1] if k + 1 < len(nodes) else None
        later = [u for u in users[node.name] if nxt is None or u != nxt.name
                 or len(nxt.inputs) > 1]
        if later:
            names[node.name] = f"t{len(names)}"
            lines.append(f"{names[node.name]} = " + " -> ".join(chain))
            chain = []
    if chain:
        lines.append(" -> ".join(chain))
    return lines
