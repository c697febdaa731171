"""Blocks elaborated once: a block run with the same arguments on the same input shape makes
the same nodes, so the second time they are copied under the new scope instead of evaluated.

ResNet-50's 16 blocks are 8 distinct runs, ResNet-152's 50 are 8, and a sweep's candidates
share most of theirs. What a block's run makes is decided by its definition, the values of
its arguments, the values its body reads from the environment it was defined in, the input's
shape, the nesting it starts at and the limits (:func:`key`); where its nodes go (the scope,
the input's node, the stage and block they belong to) only places them (:class:`Template`).

Copying gives exactly what running gives, or the run happens instead:

* a run that noted something (a rounding, a note) is not kept, since a note's text names the
  scope and a rounding is reported once per place, not once per run;
* a copy that would take the network past :data:`~resgraph.elaborate.limits.MAX_OPS` or the
  run past :data:`~resgraph.elaborate.limits.MAX_STEPS` runs the block instead, so the error
  is the one a run gives, at the same place;
* a value the key cannot describe (none of the language's values is such) makes the run
  unkept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from resgraph import cache
from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.elaborate.values import BlockValue, Bound, Env, Partial, Tensor
from resgraph.ir import Graph, Node
from resgraph.ops import OpDef, Shape


class _Same:
    """An object in a key, equal only to itself; the key holds it, so its identity is never
    given to another object while the key is in use."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


class Unkeyed(Exception):
    """A value :func:`value_key` cannot describe."""


def value_key(v: Any, seen: frozenset[int] = frozenset()) -> Hashable:
    """A hashable description of a value of the language, equal for equal values (a block by
    its definition and what its body reads, an op by its name, a function by itself)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return (type(v).__name__, v)
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(value_key(x, seen) for x in v))
    if isinstance(v, dict):
        return ("dict", tuple((value_key(k, seen), value_key(x, seen)) for k, x in v.items()))
    if isinstance(v, OpDef):
        return ("op", v.name)
    if isinstance(v, Partial):
        return ("partial", value_key(v.target, seen),
                tuple(value_key(a, seen) for a, _ in v.args),
                tuple((k, value_key(a, seen)) for k, (a, _, _) in v.kwargs.items()))
    if isinstance(v, BlockValue):
        if id(v) in seen:  # a block reached again through its own environment
            return ("again", _Same(v.defn))
        return ("block", _Same(v.defn), env_key(v.defn, v.env, seen | {id(v)}))
    if isinstance(v, Tensor):
        return ("tensor", v.node, v.shape)
    if callable(v):
        return ("function", _Same(v))
    raise Unkeyed(type(v).__name__)


_WORDS: cache.Memo[frozenset[str]] = cache.Memo("block words", 1024)

#: the strings of the syntax tree that are not names read from an environment: literals,
#: operators, argument names, labels and the names a body binds; every other string (a name,
#: a called function, op or block, and any field a later syntax adds) counts as read
_NOT_READ = frozenset({(s.Str, "value"), (s.FString, "parts"), (s.BinOp, "op"),
                       (s.Compare, "op"), (s.Logic, "op"), (s.Kwarg, "name"),
                       (s.Step, "label"), (s.Require, "message"), (s.BlockDef, "name"),
                       (s.BlockDef, "doc"), (s.ParamDecl, "name")})


def words(defn: s.BlockDef) -> frozenset[str]:
    """The names a block's definition may read from the environment it was defined in (a
    superset: every string of its tree but those of :data:`_NOT_READ`), so that every value
    its run can depend on is in its key."""
    return _WORDS.get(_Same(defn), lambda: frozenset(_strings(defn)))


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _strings(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name == "span" or (type(node), f.name) in _NOT_READ and isinstance(value, str):
                continue
            if isinstance(node, s.FString) and f.name == "parts":
                value = [part for part in value if not isinstance(part, str)]
            yield from _strings(value)


def env_key(defn: s.BlockDef, env: Env, seen: frozenset[int] = frozenset()) -> Hashable:
    """The values a block's body can read from the environment it was defined in."""
    out = []
    for word in sorted(words(defn)):
        try:
            out.append((word, value_key(env.lookup(word), seen)))
        except KeyError:
            pass
    return tuple(out)


def key(block: BlockValue, bound: dict[str, Bound], shape: Shape, depth: int) -> Hashable | None:
    """What a run of ``block`` with ``bound`` on an input of ``shape`` makes depends on, or
    None where a value cannot be described (the run is then not kept)."""
    try:
        return (_Same(block.defn), env_key(block.defn, block.env),
                tuple((k, value_key(b.value)) for k, b in bound.items()), shape, depth,
                limits.MAX_OPS, limits.MAX_STEPS, limits.MAX_ITEMS, limits.MAX_STRING)
    except Unkeyed:
        return None


#: where a template's node reads the block's input
_INPUT = ""


@dataclass(frozen=True)
class Template:
    """The nodes a block's run made, named relative to its scope, with the steps it spent."""

    nodes: tuple[tuple[str, str, tuple[str | tuple[str], ...], dict[str, Any], Shape, Any], ...]
    output: str | tuple[str]
    shape: Shape
    steps: int

    @staticmethod
    def of(graph: Graph, count: int, x: Tensor, out: Tensor, path: str, steps: int
           ) -> Template:
        """The template of the last ``count`` nodes of ``graph``, made under ``path`` from ``x``."""
        made = list(islice(reversed(graph.nodes.values()), count))[::-1]
        prefix = path + "."

        def ref(name: str) -> str | tuple[str]:
            if name == x.node:
                return _INPUT
            return name[len(prefix):] if name.startswith(prefix) else (name,)

        return Template(tuple((n.name[len(prefix):], n.op, tuple(ref(i) for i in n.inputs),
                               n.attrs, n.shape, n.span) for n in made),
                        ref(out.node), out.shape, steps)

    def fits(self, graph: Graph, path: str, steps: int) -> bool:
        """Whether a copy under ``path`` stays within the limits and takes no name in use."""
        return (len(graph.nodes) + len(self.nodes) <= limits.MAX_OPS + 1
                and steps + self.steps <= limits.MAX_STEPS
                and not any(f"{path}.{n[0]}" in graph.nodes for n in self.nodes))

    def copy(self, graph: Graph, x: Tensor, path: str, stage: str, block: str | None
             ) -> Tensor:
        """Add the template's nodes under ``path``, reading ``x``; the output tensor."""
        def name(ref: str | tuple[str]) -> str:
            if isinstance(ref, tuple):
                return ref[0]
            return x.node if ref == _INPUT else f"{path}.{ref}"

        for rel, op, inputs, attrs, shape, span in self.nodes:
            graph.add(Node(f"{path}.{rel}", op, tuple(name(i) for i in inputs), attrs, shape,
                           stage, block, span))
        return Tensor(name(self.output), self.shape)


#: templates by :func:`key`
TEMPLATES: cache.Memo[Template] = cache.Memo("blocks", 4096)
