"""Stages: a block repeated, its stride on the first, its arguments overridden per block
(``{ 0: shortcut="C" }``), each block named by the stage's rule (``NAME.i`` or ``at``)."""

from __future__ import annotations

from typing import Any

from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.elaborate.blocks import Blocks
from resgraph.elaborate.values import BlockValue, Env, Partial, Tensor, show, type_name
from resgraph.errors import Span, did_you_mean
from resgraph.ir import StageInfo


class Stages(Blocks):
    def expand_stage(self, item: s.Stage, env: Env, x: Tensor) -> Tensor:
        """A stage's blocks applied one after another to ``x``; the stage recorded."""
        assert self.graph is not None
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
        self.graph.stages.append(StageInfo(name, block.target_name, depth, stride, names, item.span))
        return x

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
        if depth > limits.MAX_STAGE_DEPTH:
            self.fail(f"stage {item.name}: depth {depth} is over the limit of "
                      f"{limits.MAX_STAGE_DEPTH} blocks", item.depth.span)
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
