"""The abstract syntax tree of a spec file. Every node carries the span of its text."""

from __future__ import annotations

from dataclasses import dataclass, field

from resgraph.errors import Span


@dataclass
class Node:
    span: Span = field(repr=False, compare=False)


# Expressions -------------------------------------------------------------------------------


class Expr(Node):
    pass


@dataclass
class Int(Expr):
    value: int


@dataclass
class Float(Expr):
    """A number with a fractional part (``2.09``); it becomes a count only by an explicit
    rounding (``round``, ``floor``, ``ceil``, ``make_divisible``)."""

    value: float


@dataclass
class Str(Expr):
    value: str


@dataclass
class FString(Expr):
    """``f"block{k}-{i}"``: text with expressions in braces, each shown as text."""

    parts: list[str | Expr]


@dataclass
class Bool(Expr):
    value: bool


@dataclass
class ShapeLit(Expr):
    dims: tuple[int, ...]


@dataclass
class Name(Expr):
    id: str


@dataclass
class ListLit(Expr):
    items: list[Expr]


@dataclass
class Comp(Expr):
    """``[expr for name in items if test]``: a list built from another."""

    expr: Expr
    var: str
    items: Expr
    test: Expr | None


@dataclass
class DictLit(Expr):
    entries: list[tuple[Expr, Expr]]


@dataclass
class Index(Expr):
    target: Expr
    key: Expr


@dataclass
class Kwarg(Node):
    name: str
    value: Expr


@dataclass
class Call(Expr):
    func: str
    args: list[Expr]
    kwargs: list[Kwarg]


@dataclass
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass
class Logic(Expr):
    op: str  # "and" | "or"
    left: Expr
    right: Expr


@dataclass
class Not(Expr):
    operand: Expr


@dataclass
class Neg(Expr):
    operand: Expr


@dataclass
class Cond(Expr):
    test: Expr
    then: Expr
    orelse: Expr


# Flows and statements -----------------------------------------------------------------------


@dataclass
class Step(Node):
    label: str | FString | None
    expr: Expr


@dataclass
class Flow(Node):
    steps: list[Step]


class Stmt(Node):
    pass


@dataclass
class Let(Stmt):
    name: str
    value: Expr


@dataclass
class Require(Stmt):
    test: Expr
    message: str


@dataclass
class Assign(Stmt):
    name: str
    flow: Flow


@dataclass
class FlowStmt(Stmt):
    flow: Flow


@dataclass
class Return(Stmt):
    flow: Flow


@dataclass
class Body(Node):
    stmts: list[Stmt]


@dataclass
class If(Stmt):
    branches: list[tuple[Expr, Body]]
    orelse: Body | None


@dataclass
class Loop(Stmt):
    """``for i in range(scale - 1) { ... }`` in a body: its statements run once per value, in
    the body's own scope, so a tensor it rebinds (Res2Net's ``sp``) carries to the next."""

    var: str
    items: Expr
    body: Body


# Top-level items ----------------------------------------------------------------------------


@dataclass
class Use(Stmt):
    path: str


@dataclass
class Param(Stmt):
    name: str
    value: Expr


@dataclass
class Variant(Stmt):
    name: str
    kwargs: list[Kwarg]
    summary: str | None


@dataclass
class Network(Stmt):
    name: str
    summary: str | None


@dataclass
class Input(Stmt):
    shape: Expr


@dataclass
class Stem(Stmt):
    body: Body


@dataclass
class Head(Stmt):
    body: Body
    #: ``head aux { }``: a named head, one of several; its output is a result named so
    name: str | None = None
    #: ``head aux on layer3 { }``: the result it reads (else the one made before it)
    on: Expr | None = None


@dataclass
class OutputName(Node):
    """One output of ``output``: its key (the result's name in ``output a, b``, the table's
    key in ``output { out: h }``) and the result it is."""

    key: str
    result: str


@dataclass
class Output(Stmt):
    """``output a, b`` (a tuple) or ``output { out: h, aux: a }`` (a table): the network's
    outputs, as its compiled module returns them; ``output training ...``: what it returns
    in training mode instead (GoogLeNet's auxiliary classifiers beside its logits)."""

    names: list[OutputName]
    form: str  # "tuple" | "dict"
    training: bool = False


@dataclass
class Override(Node):
    ranges: list[tuple[int, int]]  # inclusive
    kwargs: list[Kwarg]


@dataclass
class Stage(Stmt):
    name: str
    block: Expr
    depth: Expr
    stride: Expr | None
    overrides: list[Override]
    #: the scope of each block (``at f"features.{first + i}"``), ``i`` its index in the stage
    at: Expr | None = None
    #: a name computed in a ``for`` (``stage f"block{k}": ...``); ``name`` is then its text
    name_fmt: FString | None = None
    #: ``on layer3``: the result the stage reads (else the one made before it)
    on: Expr | None = None


@dataclass
class For(Stmt):
    """``for k in items { stage ... }``: items repeated for each value, each in a scope of
    its own (stages as many as a list holds)."""

    var: str
    items: Expr
    body: list[Stmt]


@dataclass
class ParamDecl(Node):
    name: str
    default: Expr | None


@dataclass
class BlockDef(Stmt):
    name: str
    params: list[ParamDecl]
    doc: str | None
    body: Body


@dataclass
class Comment:
    line: int
    text: str


@dataclass
class Module(Node):
    version: int
    items: list[Stmt]
    comments: list[Comment] = field(default_factory=list, compare=False)


# Sweep files ---------------------------------------------------------------------------------


@dataclass
class SweepSetting(Node):
    """One line of a sweep: ``key`` (``set``, ``grid``, ``sample``, ``samples``, ``accept``,
    ``seed``, ``where``, ``measure``, ``pareto``, ``input``), the parameter it names (``grid depth =
    ...``) and its text as written, which the sweep package reads as the command line's."""

    key: str
    name: str | None
    name_span: Span | None
    text: str
    text_span: Span


@dataclass
class Sweep(Node):
    """``sweep NAME of "spec.rg" { settings }``; ``spec`` is a path (``is_path``, relative to
    the sweep file's folder) or a shipped network's name."""

    name: str
    spec: str
    is_path: bool
    spec_span: Span
    settings: list[SweepSetting]
