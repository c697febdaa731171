"""elaborate: a parsed spec → the IR graph.

An interpreter over the syntax tree: it resolves parameters and defaults, evaluates
expressions, expands stages into block instances, instantiates blocks (the built-in ones come
from ``prelude.rg``), infers every shape with the rules of :mod:`resgraph.ops`, and names
every node by its scope (``layer2.0.conv1``). Every spec-level error comes from here or from
:mod:`resgraph.parse`, located at the user's own words: an error inside a built-in block is
reported at the line of the user's spec that used it.

Whatever the text, elaboration ends, soon, with a graph or a :class:`SpecError`: besides the
parser's bounds (:data:`~resgraph.parse.MAX_NESTING`, :data:`~resgraph.parse.MAX_INT`), blocks
never call themselves, stages repeat at most :data:`MAX_STAGE_DEPTH` blocks, a network holds
at most :data:`MAX_OPS` ops, values stay within :data:`MAX_ITEMS` and :data:`MAX_STRING`, and
:data:`MAX_STEPS` bounds the work of the whole run. The shipped networks stay far inside each
(the deepest, cifar_resnet1202, has 200 blocks a stage and 4209 ops, in 48,000 steps).
"""

from __future__ import annotations

import inspect
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from resgraph import syntax as s
from resgraph.errors import Span, SpecError, SpecErrors, UsageError, did_you_mean
from resgraph.files import read_spec_text
from resgraph.ir import BlockInfo, Graph, Node, StageInfo
from resgraph.ops import (
    MAX_CHANNELS,
    MAX_SIZE,
    OPS,
    REQUIRED,
    OpDef,
    OpError,
    Shape,
    fmt_shape,
    normalise,
)
from resgraph.parse import MAX_INT, MAX_NESTING, int_error, parse

PRELUDE = "<prelude>"

# a computed stage name or block scope: words joined by dots (torchvision's 'block1-0')
_SCOPE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*")

#: The most blocks one stage repeats (the deepest shipped stage has 200).
MAX_STAGE_DEPTH = 10_000
#: The most ops a network holds (the largest shipped network has 4209): two or three
#: seconds of elaboration.
MAX_OPS = 100_000
#: The most values a list or table holds, counting those in the lists and tables inside it.
MAX_ITEMS = 10_000
#: The longest string ``+`` makes.
MAX_STRING = 10_000
#: The most steps one elaboration takes: an expression evaluated, a value of a list or table
#: visited, an op or a block made. A few seconds of work; it bounds the run whatever the
#: spec does (blocks that use other blocks many times over, large values compared often).
MAX_STEPS = 2_000_000


@dataclass(frozen=True)
class Tensor:
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


def _brief(v: Any) -> str:
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


def _same_type(a: Any, b: Any) -> bool:
    return type(a) is type(b) or (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                                  ) or (_is_number(a) and _is_number(b))


def _fits(value: Any, default: Any) -> bool:
    """Whether ``value`` may stand where ``default`` does: of its type, or an integer for
    a number (``--set wm=2`` for ``param wm = 2.5``), never a number for an integer."""
    if isinstance(default, float):
        return _is_number(value)
    return not isinstance(value, float) and _same_type(value, default)


def _equal(a: Any, b: Any) -> bool:
    """The language's ``==``: values of one type that Python finds equal (``1 != true``,
    ``1 == 1.0``)."""
    return _same_type(a, b) and a == b


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_HOLDERS = (list, dict, Partial)


def _inner_values(v: Any) -> list[Any] | None:
    """The values a list, table or layer holds (a layer, its arguments), else None."""
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    if isinstance(v, Partial):
        return [a for a, _ in v.args] + [a for a, _, _ in v.kwargs.values()]
    return None


@cache
def _prelude() -> s.Module:
    text = resources.files("resgraph").joinpath("prelude.rg").read_text()
    return parse(text, PRELUDE)


def elaborate(module: s.Module, file: str, params: dict[str, Any] | None = None,
              name: str | None = None, input_shape: tuple[int, ...] | None = None) -> Graph:
    """Build the IR graph of a parsed spec, with ``params`` overriding its ``param`` defaults.

    ``input_shape`` replaces the shape of the spec's ``input`` line (``analyze --input``), so
    every shape, cost and receptive field is re-derived at that size.
    """
    elaborator = _Elaborator(file)
    elaborator.input_override = input_shape
    return elaborator.run(module, params or {}, name)


class _Return(Exception):
    def __init__(self, tensor: Tensor):
        self.tensor = tensor


class _Elaborator:
    def __init__(self, file: str):
        self.file = file
        self.graph: Graph | None = None
        self.scope = ""
        self.stage = "stem"
        self.block: str | None = None
        self.frames: list[tuple[Span, str]] = []
        self.input_override: tuple[int, ...] | None = None
        self.labels: dict[str, Counter[str]] = {}
        self.using: list[str] = []
        #: (span, what) → the distinct roundings made there, in order (see note_rounding)
        self.roundings: dict[tuple[Span, str], dict[str, str]] = {}
        #: the blocks being applied, outermost first (a block may not use itself)
        self.open_blocks: list[s.BlockDef] = []
        #: blocks, 'if' bodies and 'use's entered and not yet left (see MAX_NESTING)
        self.depth = 0
        self.steps = 0
        base = Env(dict(_BUILTINS))
        self.prelude = Env({}, base)
        self.exec_library(_prelude(), self.prelude, PRELUDE)

    # errors ---------------------------------------------------------------------------------

    def fail(self, message: str, span: Span | None, hint: str | None = None) -> NoReturn:
        self.throw(SpecError(message, span, hint))

    def throw(self, err: SpecError) -> NoReturn:
        """Raise ``err`` at the user's own words: an error inside a built-in block moves to
        the line that used the block; one inside a user's block notes where it was used."""
        span = err.span
        if span is not None and span.file == PRELUDE:
            inner = span
            for frame_span, what in reversed(self.frames):
                if frame_span.file != PRELUDE:
                    err.span = frame_span
                    err.notes.append(f"in {what}, at line {inner.line} of the built-in blocks")
                    break
        elif self.frames and span is not None and self.frames[-1][0] != span:
            frame_span, what = self.frames[-1]
            err.notes.append(f"in {what}, used at {frame_span}")
        raise err

    # limits ---------------------------------------------------------------------------------

    def spend(self, steps: int, span: Span) -> None:
        """Count elaboration work against :data:`MAX_STEPS`."""
        self.steps += steps
        if self.steps > MAX_STEPS:
            self.fail(f"elaboration is over its limit of {MAX_STEPS} steps", span,
                      hint="blocks that use blocks many times over multiply the work; "
                           "make the network smaller")

    @contextmanager
    def nested(self, span: Span) -> Iterator[None]:
        """One level more of blocks, 'if' bodies or 'use's: elaboration recurses along them,
        so they share one bound, :data:`MAX_NESTING`."""
        if self.depth >= MAX_NESTING:
            self.fail(f"blocks, 'if's and 'use's nested more than {MAX_NESTING} levels deep",
                      span)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def checked_int(self, value: int, span: Span) -> int:
        if not -MAX_INT <= value <= MAX_INT:
            self.throw(int_error(span))
        return value

    def checked_number(self, value: float, span: Span) -> float:
        """An integer or a number within the integers' bound (so never infinite or NaN)."""
        if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_INT):
            self.fail("number too large" if not math.isnan(value) else "not a number", span,
                      hint=f"numbers stay within -{MAX_INT} to {MAX_INT} (2**63 - 1)")
        return self.checked_int(value, span) if isinstance(value, int) else value

    def checked_value(self, value: Any, span: Span) -> Any:
        """``value`` unless it is a list or table past :data:`MAX_ITEMS` values or nested past
        :data:`MAX_NESTING`; an explicit walk, paid in steps, as printing and comparing such
        values recurse and take time."""
        stack, count = [(value, 0)], 0
        while stack:
            v, depth = stack.pop()
            inner = _inner_values(v)
            if inner is None:
                continue
            count += len(inner)
            if depth >= MAX_NESTING:
                self.fail(f"lists and tables nested more than {MAX_NESTING} levels deep", span)
            if count > MAX_ITEMS:
                self.fail(f"a list or table over the limit of {MAX_ITEMS} values "
                          "(counting those inside it)", span)
            stack.extend((x, depth + 1) for x in inner if isinstance(x, _HOLDERS))
        self.spend(count, span)
        return value

    # files ----------------------------------------------------------------------------------

    def exec_library(self, module: s.Module, env: Env, file: str) -> None:
        """Run a file brought in by ``use`` (or the prelude): blocks, lets, requires, uses."""
        for item in module.items:
            if isinstance(item, (s.BlockDef, s.Let, s.Require, s.Use)):
                self.exec_item(item, env, file)
            else:
                self.fail(f"'{_keyword(item)}' cannot appear in a file brought in with 'use'; "
                          "such a file holds blocks and lets", item.span)

    def exec_use(self, item: s.Use, env: Env, file: str) -> None:
        base = Path(file).parent if file not in (PRELUDE, "<spec>") else Path.cwd()
        path = (base / item.path).resolve()
        if not path.exists():
            self.fail(f"cannot find '{item.path}' (looked for {_display(path)})", item.span)
        root = str(Path(self.file).resolve())
        if str(path) in self.using or str(path) == root:
            chain = " → ".join(Path(p).name for p in [root, *self.using, str(path)])
            self.fail(f"'use' goes round in a circle: {chain}", item.span)
        if not (path.is_file() or path.is_dir()):  # a pipe would wait for a writer forever
            self.fail(f"'{item.path}' is not a file (a device or a pipe)", item.span)
        try:
            text = read_spec_text(Path(_display(path)), "file")
        except UsageError as exc:
            self.fail(str(exc), item.span)
        self.using.append(str(path))
        try:
            lib = Env({}, self.prelude)
            with self.nested(item.span):
                self.exec_library(parse(text, _display(path)), lib, str(path))
        finally:
            self.using.pop()
        env.vars.update(lib.vars)

    # the network ----------------------------------------------------------------------------

    def run(self, module: s.Module, params: dict[str, Any], name: str | None) -> Graph:
        env = Env({}, self.prelude)
        declared = {i.name: i for i in module.items if isinstance(i, s.Param)}
        unknown = [k for k in params if k not in declared]
        if unknown:
            raise SpecErrors([SpecError(f"unknown parameter '{k}'", None,
                                        did_you_mean(k, declared) or "this spec declares no parameters")
                              for k in unknown])
        self.params = params
        self.graph = Graph(name=name or Path(self.file).stem, input_shape=())
        self.graph.source = self.file
        self.current: Tensor | None = None
        errors: list[SpecError] = []
        for item in module.items:
            try:
                if errors and isinstance(item, (s.Stem, s.Head, s.Input, s.For)):
                    continue  # they need the shapes the failed item would have made
                if errors and isinstance(item, s.Stage):
                    self.stage_header(item, env)  # still check what needs no shapes
                else:
                    self.exec_item(item, env, self.file)
            except SpecError as exc:
                errors.append(exc)
                if not isinstance(item, (s.Stage, s.Stem, s.Head, s.Input, s.For)):
                    break  # a missing name or value would make every later error noise
        if len(errors) > 1:
            raise SpecErrors(errors)
        if errors:
            raise errors[0]
        if self.current is None:
            self.fail("the spec has no 'input' line; write one such as 'input 3x224x224'",
                      module.span)
        self.graph.output = self.current.node
        self.report_roundings()
        return self.graph

    def exec_item(self, item: s.Stmt, env: Env, file: str) -> None:
        handler: Callable[..., None] = getattr(self, "item_" + type(item).__name__)
        handler(item, env, file)

    def item_Use(self, item: s.Use, env: Env, file: str) -> None:
        self.exec_use(item, env, file)

    def item_Let(self, item: s.Let, env: Env, file: str) -> None:
        env.vars[item.name] = self.eval(item.value, env)

    def item_Require(self, item: s.Require, env: Env, file: str) -> None:
        self.check_require(item, env)

    def item_BlockDef(self, item: s.BlockDef, env: Env, file: str) -> None:
        if item.name in env.vars:
            self.fail(f"block '{item.name}' is defined twice in this file", item.span)
        if item.name in OPS:
            self.fail(f"'{item.name}' is a built-in op; give the block another name", item.span)
        seen: set[str] = set()
        for p in item.params:
            if p.name in seen:
                self.fail(f"parameter '{p.name}' is declared twice", p.span)
            seen.add(p.name)
        env.vars[item.name] = BlockValue(item, env)

    def item_Param(self, item: s.Param, env: Env, file: str) -> None:
        default = self.eval(item.value, env)
        value = default
        if item.name in self.params:
            value = self.checked_value(self.params[item.name], item.span)
            if _is_int(value):
                self.checked_int(value, item.span)
            if not _fits(value, default):
                self.fail(f"parameter '{item.name}' takes {type_name(default)} "
                          f"(default {show(default)}), got {type_name(value)} {show(value)}",
                          item.span)
        if isinstance(default, float):
            value = float(self.checked_number(value, item.span))
        env.vars[item.name] = value
        assert self.graph is not None
        self.graph.params[item.name] = value

    def item_Variant(self, item: s.Variant, env: Env, file: str) -> None:
        pass  # read by the catalog, which turns a variant into parameters

    def item_Network(self, item: s.Network, env: Env, file: str) -> None:
        assert self.graph is not None
        if self.graph.name == Path(self.file).stem:
            self.graph.name = item.name
        self.graph.summary = item.summary

    def item_Input(self, item: s.Input, env: Env, file: str) -> None:
        assert self.graph is not None
        if self.current is not None:
            self.fail("the network already has an input", item.span)
        value = self.input_override or self.eval(item.shape, env)
        if isinstance(value, list):
            value = tuple(value)
        if not (isinstance(value, tuple) and len(value) == 3 and all(map(_is_int, value))):
            self.fail(f"input must be a CxHxW shape such as 3x224x224, got {show(value)}",
                      item.shape.span)
        for what, size, most in zip(("channels", "height", "width"), value,
                                    (MAX_CHANNELS, MAX_SIZE, MAX_SIZE)):
            if not 1 <= size <= most:
                self.fail(f"input {what} must be from 1 to {most}, got {size}", item.shape.span)
        self.graph.input_shape = value
        self.graph.add(Node("input", "input", (), {}, value, "stem", span=item.span))
        self.current = Tensor("input", value)

    def require_input(self, item: s.Stmt) -> Tensor:
        if self.current is None:
            self.fail(f"'{_keyword(item)}' needs the network's input first; "
                      "write a line such as 'input 3x224x224' above it", item.span)
        return self.current

    def item_Stem(self, item: s.Stem, env: Env, file: str) -> None:
        self.stage = "stem"
        self.current = self.run_body(item.body, Env({}, env), self.require_input(item))

    def item_Head(self, item: s.Head, env: Env, file: str) -> None:
        x = self.require_input(item)
        self.stage = "head"
        self.current = self.run_body(item.body, Env({}, env), x)

    def item_For(self, item: s.For, env: Env, file: str) -> None:
        items = self.eval(item.items, env)
        if not isinstance(items, (list, tuple)):
            self.fail(f"'for' goes over a list, got {type_name(items)} {show(items)}",
                      item.items.span)
        with self.nested(item.span):
            for value in items:
                inner = Env({item.var: value}, env)
                for it in item.body:
                    if not isinstance(it, (s.Stage, s.Let, s.Require, s.For)):
                        self.fail(f"'{_keyword(it)}' cannot appear in a 'for'; it repeats "
                                  "stages, lets and requires", it.span)
                    self.exec_item(it, inner, file)

    def item_Stage(self, item: s.Stage, env: Env, file: str) -> None:
        assert self.graph is not None
        x = self.require_input(item)
        name = self.stage_name(item, env)
        block, depth, stride, per_block = self.stage_header(item, env, name)
        self.stage = name
        names = []
        for i in range(depth):
            if i:
                block = self.stage_block(item, Env({"i": i}, env))
            call = Partial(block.target, block.name, list(block.args), dict(block.kwargs))
            if item.stride is not None and i == 0:
                call.kwargs["stride"] = (stride, item.stride.span, f"stage stride at {item.stride.span}")
            call.kwargs.update(per_block.get(i, {}))
            self.block = self.block_scope(item, name, i, env)
            x = self.apply_block(call, x, self.block, item.span, stage=name)
            names.append(self.block)
        self.block = None
        self.current = x
        self.graph.stages.append(StageInfo(name, block.target_name, depth, stride, names, item.span))

    def stage_name(self, item: s.Stage, env: Env) -> str:
        if item.name_fmt is None:
            return item.name
        return self.scope_text(self.eval(item.name_fmt, env), item.name_fmt.span, "a stage name")

    def block_scope(self, item: s.Stage, name: str, i: int, env: Env) -> str:
        """The scope of a stage's block ``i``: ``NAME.i``, or what ``at`` makes of ``i``."""
        if item.at is None:
            return f"{name}.{i}"
        where = self.eval(item.at, Env({"i": i}, env))
        return self.scope_text(where, item.at.span, "a block's scope")

    def scope_text(self, value: Any, span: Span, what: str) -> str:
        """A computed name: words of letters, digits, '_' and '-', joined by dots."""
        if not isinstance(value, str) or not _SCOPE.fullmatch(value):
            self.fail(f"{what} is words of letters, digits, '_' and '-' joined by dots, "
                      f"got {show(value)}", span)
        return value

    def stage_header(self, item: s.Stage, env: Env, name: str | None = None
                     ) -> tuple[Partial, int, int, dict[int, dict[str, tuple[Any, Span, str]]]]:
        """Everything about a stage that needs no shapes: its block, depth, stride, overrides."""
        assert self.graph is not None
        name = name or self.stage_name(item, env)
        if any(st.name == name for st in self.graph.stages) or name in ("stem", "head"):
            self.fail(f"there is already a stage named '{name}'", item.span)
        block = self.stage_block(item, Env({"i": 0}, env))
        depth = self.eval_int(item.depth, env, "the number of blocks")
        if depth < 1:
            self.fail(f"a stage needs at least one block, got {depth}", item.depth.span)
        if depth > MAX_STAGE_DEPTH:
            self.fail(f"stage {item.name}: depth {depth} is over the limit of "
                      f"{MAX_STAGE_DEPTH} blocks", item.depth.span)
        stride = 1
        if item.stride is not None:
            stride = self.eval_int(item.stride, env, "the stage stride")
            if stride < 1:
                self.fail(f"stride must be at least 1, got {stride}", item.stride.span)
            defn = block.target.defn  # type: ignore[union-attr]  # stage_block made sure
            if not any(p.name == "stride" for p in defn.params):
                self.fail(f"block '{defn.name}' has no 'stride' parameter", item.stride.span)
        return block, depth, stride, self.overrides(item, block, depth, env)

    def stage_block(self, item: s.Stage, env: Env) -> Partial:
        """The block a stage repeats, its arguments evaluated for one block: ``i`` is the
        block's index in the stage, as in ``at`` (a rate that grows over blocks)."""
        block = self.eval(item.block, env)
        if not (isinstance(block, Partial) and isinstance(block.target, BlockValue)):
            self.fail(f"a stage repeats a block, but this is {type_name(block)} "
                      f"({show(block)})", item.block.span)
        return block

    def overrides(self, item: s.Stage, block: Partial, depth: int, env: Env
                  ) -> dict[int, dict[str, tuple[Any, Span, str]]]:
        assert isinstance(block.target, BlockValue)
        known = [p.name for p in block.target.defn.params]
        out: dict[int, dict[str, tuple[Any, Span, str]]] = {}
        for ov in item.overrides:
            for lo, hi in ov.ranges:
                if lo > hi or hi >= depth:
                    self.fail(f"stage '{item.name}' has blocks 0 to {depth - 1}; "
                              f"there is no block {hi if hi >= depth else lo}", ov.span)
            for kw in ov.kwargs:
                if kw.name not in known:
                    self.fail(f"block '{block.target.defn.name}' has no parameter '{kw.name}'",
                              kw.span, did_you_mean(kw.name, known))
                value = (self.eval(kw.value, env), kw.span, f"override at {kw.span}")
                for lo, hi in ov.ranges:
                    self.spend(hi - lo + 1, kw.span)
                    for i in range(lo, hi + 1):
                        out.setdefault(i, {})[kw.name] = value
        return out

    def check_require(self, item: s.Require, env: Env) -> None:
        ok = self.eval(item.test, env)
        if not isinstance(ok, bool):
            self.fail(f"'require' needs a condition, got {type_name(ok)}", item.test.span)
        if not ok:
            self.fail(item.message, item.span)

    # bodies -------------------------------------------------------------------------------

    def run_body(self, body: s.Body, env: Env, x: Tensor) -> Tensor:
        env.vars.setdefault("input", x)
        try:
            return self.exec_stmts(body.stmts, env, x)
        except _Return as ret:
            return ret.tensor

    def exec_stmts(self, stmts: list[s.Stmt], env: Env, x: Tensor) -> Tensor:
        for st in stmts:
            if isinstance(st, s.Let):
                env.vars[st.name] = self.eval(st.value, env)
            elif isinstance(st, s.Require):
                self.check_require(st, env)
            elif isinstance(st, s.Assign):
                x = self.eval_flow(st.flow, env, x)
                env.vars[st.name] = x
            elif isinstance(st, s.FlowStmt):
                x = self.eval_flow(st.flow, env, x)
            elif isinstance(st, s.Return):
                raise _Return(self.eval_flow(st.flow, env, x))
            elif isinstance(st, s.If):
                x = self.exec_if(st, env, x)
        return x

    def exec_if(self, st: s.If, env: Env, x: Tensor) -> Tensor:
        for test, body in st.branches:
            ok = self.eval(test, env)
            if not isinstance(ok, bool):
                self.fail(f"'if' needs a condition, got {type_name(ok)}", test.span)
            if ok:
                return self.exec_body(body, env, x)
        return self.exec_body(st.orelse, env, x) if st.orelse else x

    def exec_body(self, body: s.Body, env: Env, x: Tensor) -> Tensor:
        with self.nested(body.span):
            return self.exec_stmts(body.stmts, env, x)

    def eval_flow(self, flow: s.Flow, env: Env, x: Tensor) -> Tensor:
        for i, step in enumerate(flow.steps):
            value = self.eval_step(step, env)
            if isinstance(value, Tensor):
                if i > 0:
                    self.fail("a tensor cannot follow '->'; expected a layer or a block",
                              step.span)
                x = value
            elif isinstance(value, Partial):
                x = self.apply(value, x, self.step_label(step, env), step.span)
            else:
                self.fail(f"expected a layer, a block or a tensor, got {type_name(value)} "
                          f"{show(value)}", step.expr.span)
        return x

    def step_label(self, step: s.Step, env: Env) -> str | None:
        """A step's label; an f-string label is computed here (``f"block.{n}.0"``: where a
        layer sits depends on which layers the block has)."""
        if not isinstance(step.label, s.FString):
            return step.label
        return self.scope_text(self.eval(step.label, env), step.label.span, "a label")

    def eval_step(self, step: s.Step, env: Env) -> Any:
        expr = step.expr
        if isinstance(expr, s.Call) and self.multi_input_op(expr, env) is not None:
            return self.call_multi(expr, env, self.step_label(step, env))
        if step.label is not None and isinstance(expr, s.Name):
            value = self.eval(expr, env)
            if isinstance(value, Tensor):
                self.fail("a label names a layer or block, not a tensor", step.span)
            return value
        return self.eval(expr, env)

    # layers and blocks ----------------------------------------------------------------------

    def multi_input_op(self, call: s.Call, env: Env) -> OpDef | None:
        try:
            value = env.lookup(call.func)
        except KeyError:
            return None
        return value if isinstance(value, OpDef) and value.arity != 1 else None

    def call_multi(self, call: s.Call, env: Env, label: str | None) -> Tensor:
        op = self.multi_input_op(call, env)
        assert op is not None
        if call.kwargs:
            self.fail(f"'{op.name}' takes only tensors", call.kwargs[0].span)
        inputs = [self.eval(a, env) for a in call.args]
        for a, v in zip(call.args, inputs):
            if not isinstance(v, Tensor):
                self.fail(f"'{op.name}' takes tensors, got {type_name(v)} {show(v)}", a.span)
        if op.arity is not None and len(inputs) != op.arity:
            self.fail(f"'{op.name}' takes {op.arity} tensors, got {len(inputs)}", call.span)
        if op.arity is None and len(inputs) < 2:
            self.fail(f"'{op.name}' takes two or more tensors", call.span)
        return self.make_node(op, inputs, {}, label, call.span)

    def apply(self, partial: Partial, x: Tensor, label: str | None, span: Span) -> Tensor:
        if isinstance(partial.target, OpDef):
            return self.make_node(partial.target, [x], self.bind_op(partial, span), label, span)
        return self.apply_block(partial, x, label, span)

    def bind_op(self, partial: Partial, span: Span) -> dict[str, Any]:
        """The attributes of an op applied at ``span`` (its arguments' names and number
        were checked by :meth:`checked_call`); an argument's error is at the argument, a
        missing one's at the op."""
        op = partial.target
        assert isinstance(op, OpDef)
        sig = op.attr_args
        values: dict[str, tuple[Any, Span]] = {
            a.name: (v, sp) for a, (v, sp) in zip(sig, partial.args)}
        for key, (v, sp, _) in partial.kwargs.items():
            if key in values:
                self.fail(f"'{op.name}' got '{key}' twice", sp)
            values[key] = (v, sp)
        attrs: dict[str, Any] = {}
        for a in sig:
            if a.name not in values:
                if a.default is REQUIRED:
                    self.fail(f"'{op.name}' needs '{a.name}'", span, hint=_signature(op))
                attrs[a.name] = a.default
                continue
            v, sp = values[a.name]
            if not a.typed(v):
                self.fail(f"'{op.name}' argument '{a.name}' takes {a.words}, got "
                          f"{type_name(v)} {show(v)}", sp, hint=_signature(op))
            problem = a.out_of_range(v) if a.type != "bool" else None
            if problem:
                self.fail(f"'{op.name}' argument '{a.name}' {problem}", sp, hint=_signature(op))
            attrs[a.name] = v
        return attrs

    def make_node(self, op: OpDef, inputs: list[Tensor], attrs: dict[str, Any],
                  label: str | None, span: Span) -> Tensor:
        assert self.graph is not None
        name = self.node_name(op.name, label, span)
        if len(self.graph.nodes) > MAX_OPS:
            self.fail(f"{name}: the network is over the limit of {MAX_OPS} ops",
                      self.frames[0][0] if self.frames else span)
        self.spend(1, span)
        attrs = normalise(op, attrs)
        try:
            shape = op.infer(attrs, [t.shape for t in inputs])
        except OpError as exc:
            hint = None
            if op.name == "add" and self.block is not None:
                hint = ("the shortcut needs a projection where the shape changes: "
                        "shortcut=\"B\" or \"C\"")
            self.fail(f"{name}: {exc}", span, hint)
        self.graph.add(Node(name, op.name, tuple(t.node for t in inputs), attrs, shape,
                            self.stage, self.block, span))
        return Tensor(name, shape)

    def node_name(self, kind: str, label: str | None, span: Span) -> str:
        counts = self.labels.setdefault(self.scope, Counter())
        counts[kind] += 1
        if label is None:
            n = counts[kind]
            while self.qualify(f"{kind}{n}") in self.graph.nodes:  # type: ignore[union-attr]
                n += 1
            label = f"{kind}{n}"
        name = self.qualify(label)
        if name in self.graph.nodes:  # type: ignore[union-attr]
            self.fail(f"'{name}' is already taken; labels within a block must differ", span)
        return name

    def qualify(self, label: str) -> str:
        return f"{self.scope}.{label}" if self.scope else label

    def apply_block(self, partial: Partial, x: Tensor, label: str | None, span: Span,
                    stage: str | None = None) -> Tensor:
        """Apply a block at ``label`` in the current scope; a stage's block (``stage`` named)
        is at ``label``, a whole path, and recorded as the stage's."""
        assert isinstance(partial.target, BlockValue)
        defn = partial.target.defn
        outer = self.scope
        if label is None:
            counts = self.labels.setdefault(outer, Counter())
            counts[defn.name] += 1
            label = f"{defn.name}{counts[defn.name]}"
        inner = label if stage is not None or not outer else f"{outer}.{label}"
        self.check_not_recursive(defn, span)
        bound = self.bind_block(partial, span, x)
        env = Env({k: b.value for k, b in bound.items()}, partial.target.env)
        env.vars["in_channels"] = x.shape[0]
        self.frames.append((span, f"block '{defn.name}' ({inner})"))
        self.open_blocks.append(defn)
        self.scope = inner
        try:
            with self.nested(span):
                self.spend(1, span)
                out = self.run_body(defn.body, env, x)
        finally:
            self.scope = outer
            self.frames.pop()
            self.open_blocks.pop()
        if stage is not None:
            assert self.graph is not None
            self.graph.blocks[inner] = BlockInfo(
                inner, partial.target_name, stage, x.node, out.node,
                {k: b.value for k, b in bound.items()}, {k: b.origin for k, b in bound.items()},
                span)
        return out

    def check_not_recursive(self, defn: s.BlockDef, span: Span) -> None:
        """A block that uses itself, directly or through others, would never end."""
        for i, open_block in enumerate(self.open_blocks):
            if open_block is defn:
                chain = " → ".join(b.name for b in [*self.open_blocks[i:], defn])
                self.fail(f"block '{defn.name}' uses itself: {chain}", span,
                          hint="a block cannot use itself; repeat blocks with a stage")

    def bind_block(self, partial: Partial, span: Span, x: Tensor) -> dict[str, Bound]:
        block = partial.target
        assert isinstance(block, BlockValue)
        defn = block.defn
        given: dict[str, tuple[Any, Span, str]] = {
            p.name: (v, sp, f"{sp}") for p, (v, sp) in zip(defn.params, partial.args)}
        given.update(partial.kwargs)
        bound: dict[str, Bound] = {}
        env = Env({}, block.env)
        env.vars["in_channels"] = x.shape[0]
        for p in defn.params:
            if p.default is not None:
                default = self.eval(p.default, env)
            if p.name in given:
                v, sp, origin = given[p.name]
                if p.default is not None and not _fits(v, default):
                    self.fail(f"block '{defn.name}' parameter '{p.name}' takes "
                              f"{type_name(default)} (default {show(default)}), got "
                              f"{type_name(v)} {show(v)}", sp)
                bound[p.name] = Bound(v, origin)
            elif p.default is None:
                self.fail(f"block '{defn.name}' needs '{p.name}'", span,
                          hint=f"{defn.name}({', '.join(_param_text(q) for q in defn.params)})")
            else:
                bound[p.name] = Bound(default, f"default at {p.default.span}")
            env.vars[p.name] = bound[p.name].value
        return bound

    # expressions --------------------------------------------------------------------------

    def eval(self, expr: s.Expr, env: Env) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.spend(0, expr.span)
        method: Callable[[Any, Env], Any] = getattr(self, "eval_" + type(expr).__name__)
        return method(expr, env)

    def eval_int(self, expr: s.Expr, env: Env, what: str) -> int:
        v = self.eval(expr, env)
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(f"{what} must be an integer, got {type_name(v)} {show(v)}", expr.span)
        return v

    def eval_Int(self, e: s.Int, env: Env) -> int:
        return e.value

    def eval_Float(self, e: s.Float, env: Env) -> float:
        return e.value

    def eval_Str(self, e: s.Str, env: Env) -> str:
        return e.value

    def eval_FString(self, e: s.FString, env: Env) -> str:
        out = []
        for part in e.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            v = self.eval(part, env)
            if not (_is_number(v) or isinstance(v, str)):
                self.fail(f"an f-string shows integers, numbers and strings, got "
                          f"{type_name(v)} {show(v)}", part.span)
            out.append(show(v) if not isinstance(v, str) else v)
        text = "".join(out)
        if len(text) > MAX_STRING:
            self.fail(f"string too long: over the limit of {MAX_STRING} characters", e.span)
        return text

    def eval_Comp(self, e: s.Comp, env: Env) -> list[Any]:
        """``[expr for v in items if test]``, each value in a scope of its own."""
        items = self.eval(e.items, env)
        if not isinstance(items, (list, tuple)):
            self.fail(f"'for' goes over a list or shape, got {type_name(items)} {show(items)}",
                      e.items.span)
        out = []
        for v in items:
            inner = Env({e.var: v}, env)
            if e.test is None or self.eval_bool(e.test, inner, "if"):
                out.append(self.eval(e.expr, inner))
        return self.checked_value(out, e.span)

    def eval_Bool(self, e: s.Bool, env: Env) -> bool:
        return e.value

    def eval_ShapeLit(self, e: s.ShapeLit, env: Env) -> tuple[int, ...]:
        return e.dims

    def eval_ListLit(self, e: s.ListLit, env: Env) -> list[Any]:
        return self.checked_value([self.eval(i, env) for i in e.items], e.span)

    def eval_DictLit(self, e: s.DictLit, env: Env) -> dict[Any, Any]:
        out = {}
        for k, v in e.entries:
            out[self.table_key(self.eval(k, env), k.span)] = self.eval(v, env)
        return self.checked_value(out, e.span)

    def table_key(self, key: Any, span: Span) -> int | str:
        if not (_is_int(key) or isinstance(key, str)):
            self.fail(f"table keys are integers or strings, got {type_name(key)} {show(key)}",
                      span)
        return key

    def eval_Name(self, e: s.Name, env: Env) -> Any:
        try:
            value = env.lookup(e.id)
        except KeyError:
            self.fail(f"unknown name '{e.id}'", e.span, did_you_mean(e.id, _visible(env)))
        if isinstance(value, OpDef):
            if value.arity != 1:
                self.fail(f"'{e.id}' needs its inputs, as in {e.id}(a, b)", e.span)
            return Partial(value, e.id)
        if isinstance(value, BlockValue):
            return Partial(value, e.id)
        if callable(value):
            self.fail(f"'{e.id}' is a function; call it as {e.id}(...)", e.span)
        return value

    def eval_Index(self, e: s.Index, env: Env) -> Any:
        target = self.eval(e.target, env)
        key = self.eval(e.key, env)
        if isinstance(target, dict):
            if self.table_key(key, e.key.span) not in target:
                self.fail(f"no entry for {show(key)} in this table", e.key.span,
                          hint="the table has " + ", ".join(show(k) for k in target))
            return target[key]
        if isinstance(target, (list, tuple)):
            if not _is_int(key):
                self.fail(f"an index must be an integer, got {type_name(key)} {show(key)}",
                          e.key.span)
            if not -len(target) <= key < len(target):
                self.fail(f"index {key} is out of range for {show(target)} "
                          f"({len(target)} items)", e.key.span)
            return target[key]
        self.fail(f"cannot index {type_name(target)} ({show(target)}); only lists, shapes "
                  "and tables can be indexed", e.target.span)

    def eval_Call(self, e: s.Call, env: Env) -> Any:
        try:
            fn = env.lookup(e.func)
        except KeyError:
            self.fail(f"unknown block or function '{e.func}'", e.span,
                      did_you_mean(e.func, _callables(env)))
        if isinstance(fn, OpDef) and fn.arity != 1:
            return self.call_multi(e, env, None)
        args = [(self.eval(a, env), a.span) for a in e.args]
        kwargs = {k.name: (self.eval(k.value, env), k.span, f"{k.span}") for k in e.kwargs}
        if isinstance(fn, (OpDef, BlockValue)):
            return self.checked_call(Partial(fn, e.func, args, kwargs))
        if isinstance(fn, Partial):
            merged = dict(fn.kwargs)
            merged.update(kwargs)
            return self.checked_call(Partial(fn.target, e.func, fn.args + args, merged))
        if callable(fn):
            return self.call_builtin(e, fn, args, kwargs)
        self.fail(f"'{e.func}' is {type_name(fn)}, not a block or function", e.span)

    def checked_call(self, call: Partial) -> Partial:
        """A layer or block whose arguments fit its parameters: checked where the call is
        written, so that calls of calls (``let b = b(16)``, line after line) cannot pile up
        arguments."""
        if isinstance(call.target, OpDef):
            op = call.target
            names = [a.name for a in op.attr_args]
            what, noun, hint = f"'{op.name}'", "argument", _signature(op)
        else:
            names = [q.name for q in call.target.defn.params]
            what, noun, hint = f"block '{call.target.defn.name}'", "parameter", None
        if len(call.args) > len(names):
            self.fail(f"{what} takes at most {len(names)} arguments, got {len(call.args)}",
                      call.args[len(names)][1], hint=hint)
        for key, (_, sp, _) in call.kwargs.items():
            if key not in names:
                self.fail(f"{what} has no {noun} '{key}'", sp, did_you_mean(key, names) or hint)
        return call

    def call_builtin(self, e: s.Call, fn: Callable[..., Any], spanned: list[tuple[Any, Span]],
                     kwargs: dict[str, tuple[Any, Span, str]]) -> Any:
        if kwargs:
            self.fail(f"'{e.func}' takes no keyword arguments", next(iter(kwargs.values()))[1])
        args = [a for a, _ in spanned]
        try:
            inspect.signature(fn).bind(*args)
            value = fn(*args)
        except (TypeError, ValueError, OverflowError) as exc:
            self.fail(f"{e.func}(): {exc}", e.span)
        if fn in _ROUNDINGS and value != args[0]:
            self.note_rounding(e.func, f"{e.func} rounded {_brief(args[0])} to {value}", e.span)
        if isinstance(value, list):
            return self.checked_value(value, e.span)
        return self.checked_number(value, e.span) if _is_number(value) else value

    def note(self, text: str, span: Span, where: str | None = None) -> None:
        assert self.graph is not None
        where = where or self.scope or "network"
        self.graph.notes.append(f"{where}: {text} ({'built-in block' if span.file == PRELUDE else span})")

    def note_rounding(self, what: str, text: str, span: Span) -> None:
        """A rounding that changed a value. One place in a spec can round many values (a
        comprehension's, a block's in every instance): each place is reported once, with
        the first rounding and how many distinct ones it made (:meth:`report_roundings`)."""
        self.roundings.setdefault((span, what), {}).setdefault(text, self.scope or "network")

    def report_roundings(self) -> None:
        for (span, what), made in self.roundings.items():
            (first, where), = list(made.items())[:1]
            extra = len(made) - 1
            more = f"; {what} rounded {extra} more value{'s' * (extra > 1)} here" if extra else ""
            self.note(first + more, span, where)

    def eval_BinOp(self, e: s.BinOp, env: Env) -> Any:
        a, b = self.eval(e.left, env), self.eval(e.right, env)
        if e.op == "+" and isinstance(a, str) and isinstance(b, str):
            if len(a) + len(b) > MAX_STRING:
                self.fail(f"string too long: over the limit of {MAX_STRING} characters", e.span)
            return a + b
        for v, sub in ((a, e.left), (b, e.right)):
            if not _is_number(v):
                self.fail(f"'{e.op}' works on numbers, got {type_name(v)} {show(v)}", sub.span)
        if e.op in ("/", "//", "%") and b == 0:
            self.fail("division by zero", e.right.span)
        if e.op == "**":
            return self.power(a, b, e)
        if isinstance(a, float) or isinstance(b, float):
            return self.float_op(e, a, b)
        if e.op == "/":
            if a % b:
                self.fail(f"{a} / {b} is not a whole number", e.span,
                          hint="write // to round down, make_divisible(x, d) to round to a "
                               "multiple (both reported), or float(a) / b for a number")
            return a // b
        if e.op == "//" and a % b:
            self.note_rounding("//", f"{a} // {b} rounded down to {a // b}", e.span)
        return self.checked_int(_ARITH[e.op](a, b), e.span)

    def float_op(self, e: s.BinOp, a: float, b: float) -> float:
        """Arithmetic with a number that is not an integer: no rounding happens, so ``//``
        and ``%`` (which round) take integers only; ``floor(a / b)`` says it."""
        if e.op in ("//", "%"):
            self.fail(f"'{e.op}' works on integers, got {show(a)} and {show(b)}", e.span,
                      hint="round explicitly: floor(a / b), round(x), ceil(x)")
        return self.checked_number(_ARITH[e.op](a, b), e.span)

    def power(self, a: float, b: float, e: s.BinOp) -> float:
        """``a ** b``: an integer for integers (a negative power is a number), bounded
        before it is computed, as 2 ** 10 ** 18 would take forever."""
        if _is_int(a) and _is_int(b) and b >= 0:
            if abs(a) > 1 and b > 64:
                self.throw(int_error(e.span))
            return self.checked_int(a ** b, e.span)
        if a == 0 and b < 0:
            self.fail("division by zero", e.right.span)
        if a < 0 and not float(b).is_integer():
            self.fail(f"{show(a)} ** {show(b)} is not a real number", e.span)
        try:
            value = float(a) ** float(b)
        except OverflowError:
            value = math.inf
        return self.checked_number(value, e.span)

    def eval_Compare(self, e: s.Compare, env: Env) -> bool:
        a, b = self.eval(e.left, env), self.eval(e.right, env)
        if e.op == "in":
            return self.contains(b, a, e)
        if e.op in ("==", "!="):
            self.spend_on_values(e, a, b)
            return _equal(a, b) == (e.op == "==")
        for v, sub in ((a, e.left), (b, e.right)):
            if not _is_number(v):
                self.fail(f"'{e.op}' compares numbers, got {type_name(v)} {show(v)}", sub.span)
        return bool(_ARITH[e.op](a, b))

    def contains(self, container: Any, item: Any, e: s.Compare) -> bool:
        """``item in container``: an element of a list or shape, a key of a table, a part of
        a string."""
        if isinstance(container, dict):
            return self.table_key(item, e.left.span) in container
        if isinstance(container, str):
            if not isinstance(item, str):
                self.fail(f"'in' a string looks for a string, got {type_name(item)} "
                          f"{show(item)}", e.left.span)
            return item in container
        if not isinstance(container, (list, tuple)):
            self.fail(f"'in' needs a list, shape, table or string, got {type_name(container)} "
                      f"{show(container)}", e.right.span)
        self.spend_on_values(e, item, container)
        return any(_equal(item, x) for x in container)

    def spend_on_values(self, e: s.Expr, *values: Any) -> None:
        """Comparing lists and tables takes time as they are large: pay for it in steps."""
        for v in values:
            if _inner_values(v):
                self.checked_value(v, e.span)

    def eval_Logic(self, e: s.Logic, env: Env) -> bool:
        a = self.eval_bool(e.left, env, e.op)
        if (e.op == "and" and not a) or (e.op == "or" and a):
            return a
        return self.eval_bool(e.right, env, e.op)

    def eval_bool(self, expr: s.Expr, env: Env, what: str) -> bool:
        v = self.eval(expr, env)
        if not isinstance(v, bool):
            self.fail(f"'{what}' needs true or false, got {type_name(v)} {show(v)}", expr.span)
        return v

    def eval_Not(self, e: s.Not, env: Env) -> bool:
        return not self.eval_bool(e.operand, env, "not")

    def eval_Neg(self, e: s.Neg, env: Env) -> float:
        v = self.eval(e.operand, env)
        if not _is_number(v):
            self.fail(f"'-' must be a number, got {type_name(v)} {show(v)}", e.operand.span)
        return -v

    def eval_Cond(self, e: s.Cond, env: Env) -> Any:
        return self.eval(e.then if self.eval_bool(e.test, env, "?") else e.orelse, env)


def _display(path: Path) -> str:
    """A path as errors show it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _keyword(item: s.Stmt) -> str:
    return {"BlockDef": "block", "Let": "let", "Param": "param", "Use": "use",
            "Require": "require"}.get(type(item).__name__, type(item).__name__.lower())


def _visible(env: Env) -> set[str]:
    return {n for n in env.names() if not callable(env.lookup(n)) or isinstance(
        env.lookup(n), (OpDef, BlockValue))} | {"input", "in_channels"}


def _callables(env: Env) -> set[str]:
    return {n for n in env.names() if isinstance(env.lookup(n), (OpDef, BlockValue, Partial))
            or callable(env.lookup(n))}


def _param_text(p: s.ParamDecl) -> str:
    return p.name if p.default is None else f"{p.name}=…"


def _signature(op: OpDef) -> str:
    parts = [a.name if a.default is REQUIRED else f"{a.name}={show(a.default) if a.default is not None else 'auto'}"
             for a in op.attr_args]
    return f"usage: {op.name}({', '.join(parts)})"


# The built-in functions; call_builtin reports their TypeError and ValueError at the call.


def _numbers(values: tuple[Any, ...]) -> list[float]:
    """The numbers of ``min(a, b, …)`` or ``min([a, b, …])``."""
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not items or not all(map(_is_number, items)):
        raise TypeError("takes numbers, or a list of them")
    return items


def _min(*values: Any) -> float:
    return min(_numbers(values))


def _max(*values: Any) -> float:
    return max(_numbers(values))


def _sum(values: Any) -> float:
    if not isinstance(values, list) or not all(map(_is_number, values)):
        raise TypeError("takes a list of numbers")
    return sum(values)


def _number(v: Any) -> float:
    if not _is_number(v):
        raise TypeError(f"takes a number, got {type_name(v)} {show(v)}")
    return v


def _log(v: Any, base: Any = math.e) -> float:
    """The natural logarithm, or to a base: ``log(w / w0, wm)``."""
    if _number(v) <= 0 or _number(base) <= 0 or base == 1:
        raise ValueError(f"log needs a positive number and a positive base other than 1, "
                         f"got {show(v)} and {show(base)}")
    return math.log(v) / math.log(base) if base != math.e else math.log(v)


def _sqrt(v: Any) -> float:
    if _number(v) < 0:
        raise ValueError(f"sqrt of a negative number, {show(v)}")
    return math.sqrt(v)


def _round(v: Any) -> int:
    """To the nearest integer, halves to the even one: Python's, numpy's and torch's
    rounding."""
    return round(_number(v))


def _floor(v: Any) -> int:
    return math.floor(_number(v))


def _ceil(v: Any) -> int:
    return math.ceil(_number(v))


def _float(v: Any) -> float:
    return float(_number(v))


def _str(v: Any) -> str:
    if not (_is_number(v) or isinstance(v, str)):
        raise TypeError(f"takes an integer, number or string, got {type_name(v)}")
    return v if isinstance(v, str) else show(v)


def _range(*bounds: Any) -> list[int]:
    """``range(n)``, ``range(a, b)``, ``range(a, b, step)``: integers, as in Python."""
    if not bounds or len(bounds) > 3 or not all(map(_is_int, bounds)):
        raise TypeError("takes one to three integers")
    if len(bounds) == 3 and bounds[2] == 0:
        raise ValueError("the step must not be 0")
    span = range(*bounds)
    if len(span) > MAX_ITEMS:
        raise ValueError(f"{len(span)} values, over the limit of {MAX_ITEMS}")
    return list(span)


def _len(v: Any) -> int:
    if not isinstance(v, (list, dict, str, tuple)):
        raise TypeError(f"takes a list, table, string or shape, got {type_name(v)}")
    return len(v)


def _make_divisible(v: Any, divisor: Any, round_limit: Any = 0.0) -> int:
    """Round ``v`` to the nearest multiple of ``divisor``, never below it, as timm's
    ``make_divisible`` does; with ``round_limit`` 0.9 never more than 10% below ``v`` either,
    as torchvision's ``_make_divisible`` for MobileNet and EfficientNet (Sandler et al. 2018)."""
    if not (_is_number(v) and _is_int(divisor) and _is_number(round_limit)):
        raise TypeError("takes a number, an integer divisor and a number round_limit")
    if divisor <= 0:
        raise ValueError("the divisor must be positive")
    nearest = v + divisor // 2 if _is_int(v) else int(v + divisor / 2)
    out = max(divisor, nearest // divisor * divisor)
    return out + divisor if out < round_limit * v else out


def _channels(t: Any) -> int:
    if not isinstance(t, Tensor):
        raise TypeError(f"takes a tensor, got {type_name(t)}")
    return t.shape[0]


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}

_BUILTINS: dict[str, Any] = {
    **OPS, "min": _min, "max": _max, "sum": _sum, "len": _len, "range": _range,
    "channels": _channels, "make_divisible": _make_divisible, "log": _log, "sqrt": _sqrt,
    "round": _round, "floor": _floor, "ceil": _ceil, "float": _float, "str": _str}
#: the functions that round: each reports a value it changes
_ROUNDINGS = frozenset({_make_divisible, _round, _floor, _ceil})
