"""Values of the spec language: what an expression evaluates to, and how they are shown,
typed and compared. Pure data and pure functions: no elaboration state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resgraph import syntax as s
from resgraph.errors import Span
from resgraph.ops import REQUIRED, OpDef, Shape, fmt_shape


@dataclass(frozen=True)
class Tensor:
    """A tensor of the network: the node that makes it and its shape."""

    node: str
    shape: Shape


@dataclass(eq=False)
class BlockValue:
    """A block definition and the environment it was defined in; equal only to itself (its
    environment holds it, so comparing fields would go round in circles)."""

    defn: s.BlockDef
    env: Env


@dataclass(frozen=True)
class Bound:
    """An argument value and where it came from (for ``resgraph explain``)."""

    value: Any
    origin: str


@dataclass
class Partial:
    """A layer or block with some arguments bound, waiting for its input tensor."""

    target: OpDef | BlockValue
    name: str
    args: list[tuple[Any, Span]] = field(default_factory=list)
    kwargs: dict[str, tuple[Any, Span, str]] = field(default_factory=dict)

    @property
    def target_name(self) -> str:
        return self.target.name if isinstance(self.target, OpDef) else self.target.defn.name


@dataclass(eq=False)
class Env:
    """A scope of names, looked up outward through its parents."""

    vars: dict[str, Any]
    parent: Env | None = None

    def lookup(self, name: str) -> Any:
        env: Env | None = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        raise KeyError(name)

    def names(self) -> set[str]:
        out: set[str] = set()
        env: Env | None = self
        while env is not None:
            out |= env.vars.keys()
            env = env.parent
        return out



def type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "a boolean"
    return {int: "an integer", float: "a number", str: "a string", tuple: "a shape", list: "a list",
            dict: "a table", Tensor: "a tensor", Partial: "a layer", BlockValue: "a block"
            }.get(type(v), type(v).__name__)


def described(v: Any) -> str:
    """A value as an error names what it got: ``an integer 3``, ``a tensor of 64x4``."""
    if isinstance(v, Tensor):
        return f"a tensor of {fmt_shape(v.shape)}"
    return f"{type_name(v)} {show(v)}"


def brief(v: Any) -> str:
    """A number as a note shows it: floats to 6 significant digits (13.8, not
    13.799999999999999)."""
    return f"{v:.6g}" if isinstance(v, float) else show(v)


def show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, tuple):
        return fmt_shape(v)
    if isinstance(v, list):
        return "[" + ", ".join(show(x) for x in v) + "]"
    if isinstance(v, Tensor):
        return f"tensor {fmt_shape(v.shape)}"
    if isinstance(v, Partial):
        return v.name
    return repr(v) if isinstance(v, float) else str(v)


def same_type(a: Any, b: Any) -> bool:
    return type(a) is type(b) or (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                                  ) or (is_number(a) and is_number(b))


def fits(value: Any, default: Any) -> bool:
    """Whether ``value`` may stand where ``default`` does: of its type, or an integer for
    a number (``--set wm=2`` for ``param wm = 2.5``), never a number for an integer."""
    if isinstance(default, float):
        return is_number(value)
    return not isinstance(value, float) and same_type(value, default)


def equal(a: Any, b: Any) -> bool:
    """The language's ``==``: values of one type that Python finds equal (``1 != true``,
    ``1 == 1.0``)."""
    return same_type(a, b) and a == b


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


HOLDERS = (list, dict, Partial)


def inner_values(v: Any) -> list[Any] | None:
    """The values a list, table or layer holds (a layer, its arguments), else None."""
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    if isinstance(v, Partial):
        return [a for a, _ in v.args] + [a for a, _, _ in v.kwargs.values()]
    return None


def signature(op: OpDef) -> str:
    """How a call of ``op`` is written: an op of several tensors names them first."""
    tensors = [] if op.arity == 1 else [
        "x1, x2, ..." if a.name == "xs" else a.name for a in op.args if a.type == "tensor"]
    parts = [a.name if a.default is REQUIRED else f"{a.name}={show(a.default) if a.default is not None else 'auto'}"
             for a in op.attr_args]
    return f"usage: {op.name}({', '.join(tensors + parts)})"


