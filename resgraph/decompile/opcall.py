"""One IR node as the op call a spec writes (``conv(3, 64, stride=2)``): required arguments
in order, the others by name where they differ from the op's default, so the call
elaborates to the node's own attributes and says no more than it must."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from resgraph.elaborate.functions import OVERLOADED
from resgraph.ir import Node
from resgraph.ops import OPS, REQUIRED, normalise


class Unwritable(Exception):
    """A node the language cannot write; the message says why."""


def value(v: Any) -> str:
    """A value as spec text: ``true``, ``3`` for a square 3x3, ``3x1``, ``[1, 0]``, ``1e-05``,
    ``"nearest"``."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise Unwritable(f"the number {v} has no spec literal")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return str(v[0]) if v[0] == v[1] else f"{v[0]}x{v[1]}"
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise Unwritable(f"a {type(v).__name__} attribute has no spec literal")


def _part(attrs: dict[str, Any]) -> dict[str, Any]:
    if "dim" not in attrs:
        raise Unwritable("a part of a tensor the import could not place (indexing)")
    return {k: v for k, v in attrs.items() if k != "shape"}


def _interpolate(attrs: dict[str, Any]) -> dict[str, Any]:
    kind, given = attrs["given"]
    out = {k: v for k, v in attrs.items() if k not in ("size", "given")}
    return {**out, kind: tuple(given) if isinstance(given, list) else given}


#: the arguments that give a node's attributes, for ops whose elaboration derives some
#: (a part's shape, an interpolation's size from the scale it was given)
_ARGUMENTS = {"part": _part, "interpolate": _interpolate}


def _defaults(op_name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The attributes the call without optional arguments would give."""
    op = OPS[op_name]
    given = {a.name: attrs[a.name] if a.default is REQUIRED else a.default
             for a in op.attr_args if a.name in attrs or a.default is not REQUIRED}
    return normalise(op, given)


#: how an argument is written, given its name, its value and the value the call gives it
#: when it is left out (:data:`REQUIRED` for a required one): its text, or None to leave it
#: out
Literal = Callable[[str, Any, Any], "str | None"]


def plain(name: str, v: Any, default: Any) -> str | None:
    """An argument as a literal, left out where it is what the call gives anyway."""
    return None if v == default else value(v)


def call(node: Node, tensors: list[str] | None = None, literal: Literal = plain) -> str:
    """The op call of ``node``; ``tensors`` are the names its tensor inputs are written as
    (none for an op of one tensor that takes the flow); ``literal`` writes each argument."""
    if node.op not in OPS or node.op == "opaque":
        raise Unwritable(f"'{node.op}' is an op the language lacks")
    op = OPS[node.op]
    attrs = _ARGUMENTS.get(node.op, dict)(node.attrs)
    known = {a.name for a in op.attr_args}
    extra = sorted(set(attrs) - known)
    if extra:
        raise Unwritable(f"{node.op} has attributes no spec writes: {', '.join(extra)}")
    defaults = _defaults(node.op, attrs)
    words = list(tensors or [])
    for a in op.attr_args:
        v = attrs.get(a.name)
        if a.default is REQUIRED:  # first in the op table; never left out
            written = literal(a.name, v, REQUIRED) or value(v)
            # named for the op's sum (not the list function's), and after tensors
            named = node.op in OVERLOADED or bool(tensors)
            words.append(f"{a.name}={written}" if named else written)
        elif a.name in attrs and v is not None:
            text = literal(a.name, v, defaults.get(a.name))
            words += [f"{a.name}={text}"] if text is not None else []
    return f"{node.op}({', '.join(words)})" if words else node.op
