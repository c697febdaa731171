"""The network's lines in the order its data flows: the stem, runs of blocks as stage lines,
the layers outside blocks as heads, and the output line.

The imported graph is cut into parts, in node order: the stem (every layer before the first
block), runs of blocks (a block joins the run before it where it is of the same stage, reads
that run's output and nothing else reads that output, so that every tensor a later part
reads is a run's output) and heads (the layers outside blocks between two runs). Every tensor a part reads from an earlier
one, other than the one made just before, is a result: a stage's name, or a name the stem or
a head gives it (an output's key where that is a name, ``out0`` for a key ``"0"``, else ``t1``, ``t2`` …); a part that
does not start from the result made just before says ``on`` which. A chain of stages is
written as before: ``stem``, its stage lines and one ``head``, none of them with ``on``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from resgraph.decompile.body import body_lines
from resgraph.decompile.match import Call, Tensor
from resgraph.decompile.opcall import Unwritable, value
from resgraph.decompile.stages import IDENT, stage_lines
from resgraph.ir import Graph, Node, StageInfo
from resgraph.parse import KEYWORDS


@dataclass
class _Part:
    """A stretch of the graph written as one item: ``stem``, ``stage`` lines or ``head``."""

    kind: str
    nodes: list[Node] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)

    def reads(self) -> list[str]:
        """The tensors it reads from before it, in the order read."""
        inside = {n.name for n in self.nodes}
        return list(dict.fromkeys(i for n in self.nodes for i in n.inputs if i not in inside))


def open_blocks(graph: Graph) -> set[str]:
    """The blocks that leave more than their output to the rest of the network (a tensor of
    theirs read outside them, or returned): torchvision's FPN, one module making every level.
    A block call gives one tensor, so their layers are written as a head's."""
    outputs = set(graph.outputs.values())
    out = set()
    for n in graph:
        for i in n.inputs:
            block = graph.nodes[i].block
            if block is not None and block != n.block and graph.blocks[block].output != i:
                out.add(block)
    return out | {b.name for b in graph.blocks.values()
                  if any(graph.nodes[t].block == b.name and t != b.output for t in outputs)}


def _parts(graph: Graph) -> list[_Part]:
    opened = open_blocks(graph)
    readers: dict[str, set[str | None]] = {}
    for n in graph:
        for i in n.inputs:
            readers.setdefault(i, set()).add(n.block or n.name)
    parts: list[_Part] = []
    for node in graph:
        if node.op == "input":
            continue
        last = parts[-1] if parts else None
        block = node.block if node.block not in opened else None
        if block is not None:
            kind = "blocks"
            joins = last is not None and bool(last.blocks) and (
                last.blocks[-1] == block or _chains(graph, last.blocks[-1], block, readers))
        elif node.stage != "head" and not any(p.kind == "blocks" for p in parts):
            kind, joins = "stem", True
        else:
            kind, joins = "head", True
        if last is None or last.kind != kind or not joins:
            last = _Part(kind)
            parts.append(last)
        if block is not None and last.blocks[-1:] != [block]:
            last.blocks.append(block)
        last.nodes.append(node)
    return parts


def _chains(graph: Graph, before: str, block: str, readers: Mapping[str, set[str | None]]
            ) -> bool:
    """Whether ``block`` goes on the run that ends with ``before``: of its stage, reading
    its output, which nothing else reads."""
    a, b = graph.blocks[before], graph.blocks[block]
    return a.stage == b.stage and b.input == a.output and readers[a.output] == {block}


def _entry(part: _Part, graph: Graph) -> str:
    if part.kind == "blocks":
        return graph.blocks[part.blocks[0]].input
    return part.reads()[0] if part.reads() else "input"


def _kept(graph: Graph, parts: list[_Part], evaluated: Graph | None) -> dict[str, str]:
    """The tensors of stems and heads that must be named, each with the name it is given
    (empty: the next free ``tK``): the outputs where there are several, those in eval of a
    network with training outputs, and those a later part reads other than as the value
    made just before."""
    outputs = dict(graph.outputs if graph.output_form != "one" else {})
    if evaluated is not None:
        outputs.update({k: n for k, n in evaluated.output_nodes().items()
                        if n not in outputs.values()})
    kept = {node: key if IDENT.fullmatch(key) and key not in KEYWORDS
            else f"out{key}" if key.isdigit() else "" for key, node in outputs.items()}
    for k, part in enumerate(parts[1:], 1):
        before = parts[k - 1].nodes[-1].name
        for t in part.reads():
            if t != before or t != _entry(part, graph):
                kept.setdefault(t, "")
    return kept


def network_lines(graph: Graph, calls: Mapping[str, Call],
                  defined: Mapping[str, tuple[str, ...]], causes: list[str],
                  evaluated: Graph | None = None) -> list[str]:
    """The lines after ``input``: ``stem``, stages, heads and the output line; what cannot be
    written is added to ``causes``. With ``evaluated`` (the network in eval of a model whose
    training mode returns more: ``graph``'s outputs), the ``output`` line is its and an
    ``output training`` line says ``graph``'s."""
    parts = _parts(graph)
    kept = _kept(graph, parts, evaluated)
    results = {graph.input.name: "input"}  # each result's tensor → its name
    taken = set(results.values())
    lines: list[str] = []
    before = graph.input.name
    number = 0
    for part in parts:
        entry = _entry(part, graph)
        on = "" if entry == before else results.get(entry, "")
        if entry != before and not on:
            causes.append(f"{part.nodes[0].name}: reads {entry}, a tensor inside a block")
            return lines
        if part.kind == "blocks":
            number += 1
            lines += _stage_lines(graph, part, number, calls, defined, results, taken, on,
                                  causes)
        else:
            lines += _body(part, entry, on, results, kept, causes)
            taken.update(results.values())
        before = part.nodes[-1].name
    if evaluated is None:
        return lines + _output_line(graph, results, before, causes)
    return (lines + _output_line(evaluated, results, before, causes, "output", named=True)
            + _output_line(graph, results, before, causes, "output training", named=True))


def _stage_lines(graph: Graph, part: _Part, number: int, calls: Mapping[str, Call],
                 defined: Mapping[str, tuple[str, ...]], results: dict[str, str],
                 taken: set[str], on: str, causes: list[str]) -> list[str]:
    if not all(b in calls for b in part.blocks):
        return []  # the blocks' causes are said already
    try:
        written = [_resolved(calls[b], results, b) for b in part.blocks]
    except Unwritable as exc:
        causes.append(str(exc))
        return []
    stage = graph.blocks[part.blocks[0]].stage
    info = StageInfo(stage, "", len(part.blocks), 1, part.blocks)
    lines, name = stage_lines(info, written, number, defined, taken, on)
    results[part.nodes[-1].name] = name
    return lines


def _resolved(call: Call, results: Mapping[str, str], block: str) -> Call:
    """``call`` with each tensor argument named by its result."""
    def named(v: object) -> object:
        if not isinstance(v, Tensor):
            return v
        if v.name not in results:
            raise Unwritable(f"{block}: reads {v.name}, a tensor inside a block")
        return Tensor(results[v.name])
    return Call(call.block, call.args, tuple((k, named(v)) for k, v in call.kwargs))


def _body(part: _Part, entry: str, on: str, results: dict[str, str],
          kept: Mapping[str, str], causes: list[str]) -> list[str]:
    word = "stem" if part.kind == "stem" else "head"
    names = dict(results)
    try:
        steps = body_lines(part.nodes, entry, names=names, keep={
            t: n if n not in results.values() else "" for t, n in kept.items()})
    except Unwritable as exc:
        causes.append(f"{word}: {exc}")
        return []
    results.update(names)
    return [f"{word} on {on} {{" if on else f"{word} {{", *(f"  {s}" for s in steps), "}"]


def _output_line(graph: Graph, results: Mapping[str, str], last: str, causes: list[str],
                 word: str = "output", named: bool = False) -> list[str]:
    """``output …`` where the network returns several tensors; for one, nothing (it is the
    last value made) unless ``named`` (``output NAME``)."""
    if graph.output_form == "one" and not named:
        if graph.output != last:
            causes.append(f"{graph.output}: the output is not the last value made")
        return []
    outputs = graph.output_nodes()
    missing = [k for k, t in outputs.items() if t not in results]
    if missing:
        causes.append(f"outputs {', '.join(missing)}: made inside a block")
        return []
    if graph.output_form in ("one", "tuple"):
        return [f"{word} " + ", ".join(results[t] for t in outputs.values())]
    entries = [f"{k if IDENT.fullmatch(k) and k not in KEYWORDS else value(k)}: {results[t]}"
               for k, t in outputs.items()]
    return [f"{word} {{ " + ", ".join(entries) + " }"]
