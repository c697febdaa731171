"""Blocks: a block called with arguments, bound against its parameters and run on an input
tensor in a scope of its own."""

from __future__ import annotations

from collections import Counter
from typing import Any

from resgraph import cache
from resgraph import syntax as s
from resgraph.elaborate import reuse
from resgraph.elaborate.bodies import Bodies
from resgraph.elaborate.values import (
    BlockValue,
    Bound,
    Env,
    Partial,
    Tensor,
    described,
    fits,
    show,
    type_name,
)
from resgraph.errors import Span
from resgraph.ir import BlockInfo


class Blocks(Bodies):
    """A block applied: named, its arguments bound, its body run (:meth:`run_block`)."""

    def apply_block(self, partial: Partial, x: Tensor, label: str | None, span: Span,
                    stage: str | None = None) -> Tensor:
        """Apply a block at ``label`` in the current scope; a stage's block (``stage`` named)
        is at ``label``, a whole path, and recorded as the stage's."""
        block = partial.target
        assert isinstance(block, BlockValue)
        path = self.block_path(block.defn, label, stage is not None)
        self.check_not_recursive(block.defn, span)
        bound = self.bind_block(partial, span, x)
        out = self.run_block(block, bound, x, path, span)
        if stage is not None:
            assert self.graph is not None
            self.graph.blocks[path] = BlockInfo(
                path, block.defn.name, stage, x.node, out.node,
                {k: b.value for k, b in bound.items()}, {k: b.origin for k, b in bound.items()},
                span)
        return out

    def block_path(self, defn: s.BlockDef, label: str | None, whole: bool) -> str:
        """Where a block's nodes go: its label under the current scope (or the label alone,
        a whole path, for a stage's block); an unlabelled block is numbered per kind."""
        outer = self.scope
        if label is None:
            counts = self.labels.setdefault(outer, Counter())
            counts[defn.name] += 1
            label = f"{defn.name}{counts[defn.name]}"
        return label if whole or not outer else f"{outer}.{label}"

    def run_block(self, block: BlockValue, bound: dict[str, Bound], x: Tensor, path: str,
                  span: Span) -> Tensor:
        """The body of ``block`` run on ``x`` with its arguments ``bound``, its nodes added to
        the graph under ``path``; its output returned.

        The one way a block's body is elaborated. What it makes is decided by the definition,
        the bound values and ``x.shape``; the names (``path``, ``x.node``, ``self.stage``,
        ``self.block``) and the spans of the nodes only place it. Besides nodes it may add
        notes and roundings (at spans of the body), spend steps and raise errors located at
        ``span``, the use. So a run is kept (:mod:`resgraph.elaborate.reuse`), and a run of
        the same key copies its nodes instead."""
        assert self.graph is not None
        key = reuse.key(block, bound, x.shape, self.depth) if cache.enabled() else None
        kept = reuse.TEMPLATES.peek(key) if key is not None else None
        if kept is not None and kept.fits(self.graph, path, self.steps):
            self.steps += kept.steps
            return kept.copy(self.graph, x, path, self.stage, self.block)
        nodes, steps, noted = len(self.graph.nodes), self.steps, self.noted
        out = self.run_body_of(block, bound, x, path, span)
        if key is not None and self.noted == noted:
            reuse.TEMPLATES.put(key, reuse.Template.of(
                self.graph, len(self.graph.nodes) - nodes, x, out, path, self.steps - steps))
        return out

    def run_body_of(self, block: BlockValue, bound: dict[str, Bound], x: Tensor, path: str,
                    span: Span) -> Tensor:
        defn = block.defn
        env = Env({k: b.value for k, b in bound.items()}, block.env)
        env.vars["in_channels"] = x.shape[0]
        outer = self.scope
        self.frames.append((span, f"block '{defn.name}' ({path})"))
        self.open_blocks.append(defn)
        self.scope = path
        self.block_inputs.append(x.node)
        try:
            with self.nested(span):
                self.spend(1, span)
                return self.run_body(defn.body, env, x)
        finally:
            self.block_inputs.pop()
            self.scope = outer
            self.frames.pop()
            self.open_blocks.pop()

    def check_not_recursive(self, defn: s.BlockDef, span: Span) -> None:
        """A block that uses itself, directly or through others, would never end."""
        for i, open_block in enumerate(self.open_blocks):
            if open_block is defn:
                chain = " → ".join(b.name for b in [*self.open_blocks[i:], defn])
                self.fail(f"block '{defn.name}' uses itself: {chain}", span,
                          hint="a block cannot use itself; repeat blocks with a stage")

    def bind_block(self, partial: Partial, span: Span, x: Tensor) -> dict[str, Bound]:
        """A block's arguments by parameter, with where each came from; defaults are
        evaluated in the block's own environment, where ``in_channels`` is ``x``'s."""
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
                if p.default is not None and not fits(v, default):
                    self.fail(f"block '{defn.name}' parameter '{p.name}' takes "
                              f"{type_name(default)} (default {show(default)}), got "
                              f"{described(v)}", sp)
                bound[p.name] = Bound(v, origin)
            elif p.default is None:
                self.fail(f"block '{defn.name}' needs '{p.name}'", span,
                          hint=f"{defn.name}({', '.join(_param_text(q) for q in defn.params)})")
            else:
                bound[p.name] = Bound(default, f"default at {p.default.span}")
            env.vars[p.name] = bound[p.name].value
        return bound


def _param_text(p: s.ParamDecl) -> str:
    return p.name if p.default is None else f"{p.name}=…"


