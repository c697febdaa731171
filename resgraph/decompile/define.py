"""Blocks no prelude block writes, as block definitions of the spec's own.

Each such block is written as a body of op steps (:mod:`.body`) with its numbers taken out;
blocks of one module class whose bodies are then the same text are one definition (one form).
A number equal in every block of the form stays a literal; the numbers that differ become
parameters, one for each pattern of values (two numbers that differ alike, as a conv's width
and its batch norm's, are one parameter), and a number that is always the block's input width
is written ``in_channels``. A tensor the block reads from outside it, besides its input (a
U-Net decoder's skip), is a tensor parameter (``skip``, or ``skip1``, ``skip2`` …). Each
block is then a call of its form passing its own numbers and tensors.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from resgraph import syntax as s
from resgraph.decompile.body import body_lines
from resgraph.decompile.match import Call, Tensor, block_nodes
from resgraph.decompile.opcall import Unwritable, plain, value
from resgraph.elaborate.functions import BUILTINS
from resgraph.elaborate.network import prelude_module
from resgraph.ir import Graph, Node
from resgraph.ops import OPS, REQUIRED
from resgraph.parse import KEYWORDS

_SLOT = re.compile("\0(\\d+)\0")
#: an optional argument's slot, with the ", " before it where there is one
_OPTIONAL = re.compile("(, )?(\\w+)=\1(\\d+)\1")


@dataclass
class Definition:
    """A block the spec defines: its name, parameters, doc string and body lines."""

    name: str
    params: tuple[str, ...]
    doc: str
    lines: list[str]

    def text(self) -> str:
        head = f"block {self.name}({', '.join(self.params)}) {value(self.doc)} {{"
        return "\n".join([head, *(f"  {line}" for line in self.lines), "}"])


class _Numbers:
    """The literal writer of one body: each number (a square pair is one) is kept, with the
    attribute it sets and whether it is what the op gives when it is left out, and written
    as a slot: ``\0k\0`` for a required argument, ``\1k\1`` for an optional one, which
    is written even where it is the op's default, so that blocks that differ only there
    are one form."""

    def __init__(self) -> None:
        self.values: list[int | float] = []
        self.names: list[str] = []
        self.defaults: list[bool] = []

    def __call__(self, name: str, v: Any, default: Any) -> str | None:
        number = v[0] if isinstance(v, tuple) and len(v) == 2 and v[0] == v[1] else v
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return plain(name, v, default)
        value(v)  # refuses what has no literal
        self.values.append(number)
        self.names.append(name)
        self.defaults.append(default is not REQUIRED and v == default)
        mark = "\0" if default is REQUIRED else "\1"
        return f"{mark}{len(self.values) - 1}{mark}"


@dataclass
class _Member:
    block: str
    numbers: _Numbers
    in_channels: int
    #: the tensors it reads from outside it, besides its input
    tensors: list[str]


def _outside(nodes: list[Node], entry: str) -> list[str]:
    """The tensors ``nodes`` read from outside them, besides ``entry``, in the order read."""
    inside = {n.name for n in nodes} | {entry}
    return list(dict.fromkeys(i for n in nodes for i in n.inputs if i not in inside))


def _tensor_params(count: int) -> list[str]:
    return ["skip"] if count == 1 else [f"skip{k + 1}" for k in range(count)]


def define(graph: Graph, blocks: list[str], causes: list[str]
           ) -> tuple[list[Definition], dict[str, Call]]:
    """The definitions writing ``blocks`` (in the order their forms first appear) and each
    block's call of its definition; a block the language cannot write adds its cause to
    ``causes``."""
    forms: dict[tuple[str, str], list[_Member]] = {}
    for block in blocks:
        numbers = _Numbers()
        info = graph.blocks[block]
        nodes = block_nodes(graph, block)
        tensors = _outside(nodes, info.input)
        try:
            lines = body_lines(nodes, info.input, block + ".", numbers,
                               dict(zip(tensors, _tensor_params(len(tensors)))))
        except Unwritable as exc:
            causes.append(f"{block}: {exc}")
            continue
        member = _Member(block, numbers, graph.nodes[info.input].shape[0], tensors)
        forms.setdefault((info.type, "\n".join(lines)), []).append(member)
    taken = set(BUILTINS) | set(OPS) | set(KEYWORDS) | {
        i.name for i in prelude_module().items if isinstance(i, s.BlockDef)}
    definitions, calls = [], {}
    for (kind, body), members in forms.items():
        name = _fresh(_snake(kind), taken)
        definition, args = _generalise(name, kind, body, members)
        definitions.append(definition)
        calls.update({m.block: Call(name, a, tuple(
            (p, Tensor(t)) for p, t in zip(_tensor_params(len(m.tensors)), m.tensors)))
            for m, a in zip(members, args)})
    return definitions, calls


def _generalise(name: str, kind: str, body: str, members: list[_Member]
                ) -> tuple[Definition, list[tuple[Any, ...]]]:
    """The definition of one form, and each member's arguments."""
    columns = list(zip(*(m.numbers.values for m in members)))
    widths = tuple(m.in_channels for m in members)
    #: the optional arguments every member leaves to the op
    left_out = {j for j in range(len(columns)) if all(m.numbers.defaults[j] for m in members)}
    varying: dict[tuple[Any, ...], str] = {}  # a parameter's values → the attribute it sets
    for j, (column, attr) in enumerate(zip(columns, members[0].numbers.names)):
        if j not in left_out and len(set(column)) > 1 and column != widths:
            varying.setdefault(column, attr)
    names = dict(zip(varying, _numbered(list(varying.values()))))

    def text(column: tuple[Any, ...]) -> str:
        if len(set(column)) == 1:
            return value(column[0])
        return "in_channels" if column == widths else names[column]

    texts = [text(c) if j not in left_out else "" for j, c in enumerate(columns)]

    def optional(m: re.Match[str]) -> str:
        j = int(m.group(3))
        return "" if j in left_out else f"{m.group(1) or ''}{m.group(2)}={texts[j]}"

    body = _SLOT.sub(lambda m: texts[int(m.group(1))], _OPTIONAL.sub(optional, body))
    lines = body.replace("(, ", "(").replace("()", "").split("\n")
    doc = f"the model's {kind}, as traced"
    args = [tuple(column[i] for column in names) for i in range(len(members))]
    params = (*names.values(), *_tensor_params(len(members[0].tensors)))
    return Definition(name, params, doc, lines), args


def _numbered(names: list[str]) -> list[str]:
    """Parameter names: an attribute's name where it is one parameter's, else numbered
    (``out1``, ``out2``) in order."""
    count, seen = Counter(names), Counter[str]()
    out = []
    for n in names:
        seen[n] += 1
        out.append(n if count[n] == 1 else f"{n}{seen[n]}")
    return out


def _snake(kind: str) -> str:
    """``InvertedResidual`` → ``inverted_residual``, ``CNBlock`` → ``cn_block``."""
    word = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", kind)
    word = re.sub(r"\W+", "_", word).strip("_").lower() or "block"
    return word if not word[0].isdigit() else f"block_{word}"


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … where it is taken; the one given is taken then."""
    out, k = name, 1
    while out in taken:
        k += 1
        out = f"{name}_{k}"
    taken.add(out)
    return out
