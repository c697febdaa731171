"""A stem or head: its nodes as a body of op steps, one chain per line. A layer that holds
state (or is a module at its own scope: dropout, stochastic depth) keeps its module path as
its label, since a state_dict key is that path; the others take the spec's numbering. A
tensor read again later, or by a merge, is kept under a name (``t1 = ...``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from resgraph.decompile.canon import stateful
from resgraph.decompile.opcall import Literal, Unwritable, call, plain, value
from resgraph.ir import Node
from resgraph.ops import OPS, REQUIRED
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


#: the op of a stand-in for nn.MultiheadAttention's five nodes (:func:`_self_attention`)
_SELF_ATTENTION = "multihead_attention"


def _self_attention(nodes: list[Node]) -> list[Node]:
    """``nodes`` with each self-attention of one nn.MultiheadAttention at a path P (its q, k
    and v projections of one tensor, the heads, ``P.out_proj``; biases alike, no weights
    asked for) as one stand-in node, written as the prelude's ``P: multihead_attention``:
    named by its output, reading the tensor, its path and heads as attributes."""
    by_name = {n.name: n for n in nodes}
    out: list[Node] = []
    skip: set[str] = set()
    for n in nodes:
        if n.name in skip:
            continue
        path = n.name.removesuffix(".q_proj")
        group = [by_name[f"{path}.{part}"] for part in _PARTS if f"{path}.{part}" in by_name]
        if path == n.name or len(group) != len(_PARTS) or not _is_self_attention(*group):
            out.append(n)
            continue
        q, _, _, heads, last = group
        skip.update(x.name for x in group[1:])
        out.append(Node(last.name, _SELF_ATTENTION, q.inputs,
                        {"path": path, "heads": heads.attrs["heads"], "bias": q.attrs["bias"]},
                        last.shape, last.stage, last.block))
    return out


#: the nodes the import makes of nn.MultiheadAttention, under its path
_PARTS = ("q_proj", "k_proj", "v_proj", "attention", "out_proj")


def _is_self_attention(q: Node, k: Node, v: Node, heads: Node, last: Node) -> bool:
    linears = (q, k, v, last)
    return (all(x.op == "linear" for x in linears) and heads.op == "attention"
            and q.inputs == k.inputs == v.inputs
            and heads.inputs == (q.name, k.name, v.name) and last.inputs == (heads.name,)
            and len({x.attrs["bias"] for x in linears}) == 1
            and bool(heads.attrs.get("heads")) and not heads.attrs["weights"]
            and not heads.attrs["causal"] and heads.attrs["vdim"] == v.shape[-1]
            and {x.attrs["out"] for x in linears} == {q.shape[-1]})


def _self_attention_call(node: Node, prefix: str, literal: Literal) -> str:
    path = node.attrs["path"].removeprefix(prefix)
    args = [literal("heads", node.attrs["heads"], REQUIRED)]
    if not node.attrs["bias"]:
        args.append("bias=false")
    label = f"{path}: " if _PLAIN_LABEL.fullmatch(path) and path not in KEYWORDS \
        else f"f{value(path)}: "
    return f"{label}{_SELF_ATTENTION}({', '.join(a for a in args if a)})"


def body_lines(nodes: list[Node], entry: str, prefix: str = "",
               literal: Literal = plain, names: dict[str, str] | None = None,
               keep: Mapping[str, str] | None = None) -> list[str]:
    """The steps computing ``nodes`` from ``entry`` (the tensor the body starts from, named
    ``input`` where it must be named), each argument written by ``literal``; a
    self-attention of nn.MultiheadAttention is the prelude's block. ``names`` gives the
    other tensors from outside the body it may read (a block's tensor parameters, the
    network's results) and receives the names the body gives its own; every tensor in
    ``keep`` (one a later part of the network reads) is named, read later here or not, by
    the name it maps to where that is not empty."""
    nodes = _self_attention(nodes)
    users: dict[str, list[str]] = {n.name: [] for n in nodes}  # the body's own readers only
    for n in nodes:
        for i in n.inputs:
            users.get(i, []).append(n.name)
    table = names if names is not None else {}
    local = {**table, entry: "input"}
    lines: list[str] = []
    current = entry  # the flow's value after the last line
    chain: list[str] = []
    for k, node in enumerate(nodes):
        ins = list(node.inputs)
        step = _self_attention_call(node, prefix, literal) if node.op == _SELF_ATTENTION \
            else None
        if len(ins) == 1 and ins[0] == current and not _listed(node):
            chain.append(step or _label(node, prefix) + call(node, literal=literal))
        else:
            if chain:
                lines.append(" -> ".join(chain))
                chain = []
            read = [_named(local, i) for i in ins]
            if len(ins) == 1 and not _listed(node):  # a named tensor, then the step: ``t1 -> conv1: conv(...)``
                chain += [read[0], step or _label(node, prefix) + call(node, literal=literal)]
            else:
                chain.append(_label(node, prefix) + call(node, read, literal))
        current = node.name
        nxt = nodes[k + 1] if k + 1 < len(nodes) else None
        later = [u for u in users[node.name] if nxt is None or u != nxt.name
                 or len(nxt.inputs) > 1 or _listed(nxt)]
        kept = (keep or {}).get(node.name)
        if later or kept is not None:
            local[node.name] = table[node.name] = kept or _fresh({*local.values(), *table.values()})
            lines.append(f"{local[node.name]} = " + " -> ".join(chain))
            chain = []
    if chain:
        lines.append(" -> ".join(chain))
    return lines


def _listed(node: Node) -> bool:
    """Whether the op's call names its tensors even where it reads one (``concat(t1)``)."""
    op = OPS.get(node.op)
    return op is not None and op.arity is None


def _fresh(taken: set[str]) -> str:
    """``t1``, ``t2`` …: the first not taken."""
    k = 1
    while f"t{k}" in taken:
        k += 1
    return f"t{k}"
