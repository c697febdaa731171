"""Bodies and flows: the statements of a stem, head, block or ``if`` run in order, each flow's
steps applied to the previous result (``a -> b -> c``), ``return`` ending a body."""

from __future__ import annotations

from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.nodes import Nodes
from resgraph.elaborate.values import Env, Partial, Tensor, described, show, type_name
from resgraph.errors import Span
from resgraph.ops import OpDef


class _Return(Exception):
    """``return`` ends a body from inside its ``if``s."""

    def __init__(self, tensor: Tensor):
        self.tensor = tensor


class Bodies(Nodes):
    """Statements, ``if``s and flows."""

    def check_require(self, item: s.Require, env: Env) -> None:
        ok = self.eval(item.test, env)
        if not isinstance(ok, bool):
            self.fail(f"'require' needs a condition, got {type_name(ok)}", item.test.span)
        if not ok:
            self.fail(item.message, item.span)

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
            elif isinstance(st, s.Loop):
                x = self.exec_loop(st, env, x)
        return x

    def loop_items(self, expr: s.Expr, env: Env) -> list[Any] | tuple[Any, ...]:
        """The values a ``for`` goes over, of a network's items or a body's statements."""
        items = self.eval(expr, env)
        if not isinstance(items, (list, tuple)):
            hint = f"range({items}) counts 0 to {items - 1}" if isinstance(items, int) \
                and not isinstance(items, bool) and items > 0 else None
            self.fail(f"'for' goes over a list, got {described(items)}",
                      expr.span, hint=hint)
        return items

    def exec_loop(self, st: s.Loop, env: Env, x: Tensor) -> Tensor:
        for value in self.loop_items(st.items, env):
            env.vars[st.var] = value
            x = self.exec_body(st.body, env, x)
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
            label = self.step_label(step, env)
            value = self.eval_step(step, env, label)
            if isinstance(value, Tensor):
                if i > 0:
                    self.fail("a tensor cannot follow '->'; expected a layer or a block",
                              step.span)
                x = value
            elif isinstance(value, Partial):
                x = self.apply(value, x, label, step.span)
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

    def eval_step(self, step: s.Step, env: Env, label: str | None) -> Any:
        """A step's value; a call that makes a node (``add(a, b)``, ``reshape(q, 4x16)``)
        makes it at the step's label."""
        expr = step.expr
        if isinstance(expr, s.Call):
            return self.eval_call(expr, env, label)
        if step.label is not None and isinstance(expr, s.Name):
            value = self.eval(expr, env)
            if isinstance(value, Tensor):
                self.fail("a label names a layer or block, not a tensor", step.span)
            return value
        return self.eval(expr, env)

    def apply(self, partial: Partial, x: Tensor, label: str | None, span: Span) -> Tensor:
        """A layer or a block applied to ``x``, the result of the step before."""
        if isinstance(partial.target, OpDef):
            return self.make_node(partial.target, [x], self.bind_op(partial, span), label, span)
        return self.apply_block(partial, x, label, span)

    def apply_block(self, partial: Partial, x: Tensor, label: str | None, span: Span,
                    stage: str | None = None) -> Tensor:
        """Bodies apply blocks and blocks run bodies: defined in :mod:`.blocks`."""
        raise NotImplementedError
