"""The network: a spec's items in order (params, lets, blocks, uses, input, stem, stages,
head), stages expanded into their blocks, files brought in with ``use``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.checks import PRELUDE
from resgraph.elaborate.dataflow import Dataflow, made_by, plan
from resgraph.elaborate.functions import BUILTINS
from resgraph.elaborate.values import (
    BlockValue,
    Env,
    Tensor,
    described,
    fits,
    is_int,
    show,
    type_name,
)
from resgraph.errors import SpecError, SpecErrors, UsageError, did_you_mean
from resgraph.files import read_spec_text
from resgraph.ir import Graph, Node
from resgraph.ops import MAX_CHANNELS, MAX_SIZE, OPS
from resgraph.parse import parse


@cache
def prelude_module() -> s.Module:
    """The prelude's syntax tree (its blocks are every spec's)."""
    text = resources.files("resgraph").joinpath("prelude.rg").read_text()
    return parse(text, PRELUDE)


class Elaborator(Dataflow):
    """One elaboration of one spec: every part's methods over one state (:class:`Checks`)."""

    def __init__(self, file: str):
        super().__init__(file)
        self.input_override: tuple[int, ...] | None = None
        self.using: list[str] = []
        #: the text of every file brought in with ``use``, by path: what the result depends on
        self.read: dict[str, str] = {}
        self.params: dict[str, Any] = {}
        self.current: Tensor | None = None
        self.prelude = Env({}, Env(dict(BUILTINS)))
        self.exec_library(prelude_module(), self.prelude, PRELUDE)

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
        self.read[str(path)] = text
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
        self.current = None
        self.planned = plan(module.items)
        self.network_env = env
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
        self.report_roundings()
        return self.network_outputs(self.current)

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
            if is_int(value):
                self.checked_int(value, item.span)
            if not fits(value, default):
                self.fail(f"parameter '{item.name}' takes {type_name(default)} "
                          f"(default {show(default)}), got {described(value)}",
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
        if not (isinstance(value, tuple) and len(value) == 3 and all(map(is_int, value))):
            self.fail(f"input must be a CxHxW shape such as 3x224x224, got {show(value)}",
                      item.shape.span)
        for what, size, most in zip(("channels", "height", "width"), value,
                                    (MAX_CHANNELS, MAX_SIZE, MAX_SIZE)):
            if not 1 <= size <= most:
                self.fail(f"input {what} must be from 1 to {most}, got {size}", item.shape.span)
        self.graph.input_shape = value
        self.graph.add(Node("input", "input", (), {}, value, "stem", span=item.span))
        self.current = Tensor("input", value)

    def item_Stage(self, item: s.Stage, env: Env, file: str) -> None:
        assert self.graph is not None
        x = self.require_input(item)
        self.making = [item.name]
        self.current = self.expand_stage(item, env, self.read_on(item.on, env, x))
        self.bind_result(self.graph.stages[-1].name, self.current, item.span, self.network_env)

    def require_input(self, item: s.Stmt) -> Tensor:
        if self.current is None:
            self.fail(f"'{_keyword(item)}' needs the network's input first; "
                      "write a line such as 'input 3x224x224' above it", item.span)
        return self.current

    def item_Stem(self, item: s.Stem, env: Env, file: str) -> None:
        self.stage = "stem"
        self.making = [name for name, _ in made_by(item)]
        inner = Env({}, env)
        self.current = self.run_body(item.body, inner, self.require_input(item))
        self.bind_assigned(item.body, inner, self.network_env)

    def item_Head(self, item: s.Head, env: Env, file: str) -> None:
        """The head, or a named one (``head aux on layer3 { }``: its nodes under ``aux``)."""
        x = self.read_on(item.on, env, self.require_input(item))
        self.stage = item.name or "head"
        self.making = [name for name, _ in made_by(item)]
        inner, outer = Env({}, env), self.scope
        self.scope = item.name or ""
        try:
            self.current = self.run_body(item.body, inner, x)
        finally:
            self.scope = outer
        self.bind_assigned(item.body, inner, self.network_env)
        if item.name is not None:
            self.bind_result(item.name, self.current, item.span, self.network_env)

    def item_For(self, item: s.For, env: Env, file: str) -> None:
        items = self.loop_items(item.items, env)
        with self.nested(item.span):
            for value in items:
                inner = Env({item.var: value}, env)
                for it in item.body:
                    if not isinstance(it, (s.Stage, s.Let, s.Require, s.For)):
                        self.fail(f"'{_keyword(it)}' cannot appear in a 'for'; it repeats "
                                  "stages, lets and requires", it.span)
                    self.exec_item(it, inner, file)



def _display(path: Path) -> str:
    """A path as errors show it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _keyword(item: s.Stmt) -> str:
    return {"BlockDef": "block", "Let": "let", "Param": "param", "Use": "use",
            "Require": "require", "Output": "output"}.get(type(item).__name__, type(item).__name__.lower())


