"""Ops applied to tensors: an op's arguments bound and checked against the op table
(:mod:`resgraph.ops`), its shape inferred by the table's rule, the IR node named and added.
A new op is an entry in the table; only an op whose arguments the language must read in a
new way touches this module."""

from __future__ import annotations

from collections import Counter
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.elaborate.expressions import Expressions
from resgraph.elaborate.values import Env, Partial, Tensor, described, signature
from resgraph.errors import Span
from resgraph.ir import Node
from resgraph.ops import REQUIRED, OpDef, OpError, fmt_shape, normalise


class Nodes(Expressions):
    """Ops made into IR nodes."""

    def multi_input_op(self, call: s.Call, env: Env) -> OpDef | None:
        try:
            value = env.lookup(call.func)
        except KeyError:
            return None
        return value if isinstance(value, OpDef) and value.arity != 1 else None

    def call_multi(self, call: s.Call, env: Env, label: str | None) -> Tensor:
        """An op of several tensors, or of any number: the tensors are its positional
        arguments (``cat(a, b, dim=1)``), its attributes keywords; an op of none (``param``)
        takes its attributes by position too."""
        op = self.multi_input_op(call, env)
        assert op is not None
        inputs: list[Tensor] = []
        given = [] if op.arity != 0 else [(self.eval(a, env), a.span) for a in call.args]
        for a in call.args if op.arity != 0 else []:
            v = self.eval(a, env)
            # a list of tensors stands for them in an op of any number (Res2Net's pieces)
            spread = op.arity is None and isinstance(v, (list, tuple)) and bool(v)
            for t in v if spread else [v]:
                if not isinstance(t, Tensor):
                    self.fail(f"'{op.name}' takes tensors, got {described(t)}",
                              a.span, hint=signature(op) + "; attributes are given by name")
                inputs.append(t)
        self.check_inputs(op, len(inputs), call.span)
        kwargs = {k.name: (self.eval(k.value, env), k.span, f"{k.span}") for k in call.kwargs}
        attrs = self.bind_op(self.checked_call(Partial(op, call.func, given, kwargs)), call.span)
        return self.make_node(op, inputs, attrs, label, call.span)

    def check_inputs(self, op: OpDef, given: int, span: Span) -> None:
        """As many tensors as the op takes: its arity, or its range of inputs."""
        least, most = (op.arity, op.arity) if op.arity is not None else op.inputs
        if least <= given and (most is None or given <= most):
            return
        words = {1: "one tensor", 2: "two tensors", 3: "three tensors"}
        if least == most:
            wanted = words.get(least, f"{least} tensors")
        elif most is None:
            wanted = f"{words.get(least, f'{least} tensors')} or more"
        else:
            wanted = f"{least} to {most} tensors" if most - least > 1 else \
                f"{words[least].split()[0]} or {words[most]}"
        self.fail(f"'{op.name}' takes {wanted}, got {given}", span, hint=signature(op))

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
                    self.fail(f"'{op.name}' needs '{a.name}'", span, hint=signature(op))
                attrs[a.name] = a.default
                continue
            v, sp = values[a.name]
            if not a.typed(v):
                self.fail(f"'{op.name}' argument '{a.name}' takes {a.words}, got "
                          f"{described(v)}", sp, hint=signature(op))
            problem = a.out_of_range(v) if a.type != "bool" else None
            if problem:
                self.fail(f"'{op.name}' argument '{a.name}' {problem}", sp, hint=signature(op))
            attrs[a.name] = v
        return attrs

    def make_node(self, op: OpDef, inputs: list[Tensor], attrs: dict[str, Any],
                  label: str | None, span: Span) -> Tensor:
        assert self.graph is not None
        name = self.node_name(op.name, label, span)
        if len(self.graph.nodes) > limits.MAX_OPS:
            self.fail(f"{name}: the network is over the limit of {limits.MAX_OPS} ops",
                      self.frames[0][0] if self.frames else span)
        self.spend(1, span)
        attrs = normalise(op, attrs)
        try:
            if op.derive is not None:
                attrs = op.derive(attrs, [t.shape for t in inputs])
            shape = op.infer(attrs, [t.shape for t in inputs])
        except OpError as exc:
            hint = signature(op) if op.derive is not None else None
            sources = self.sources(inputs)
            if sources:
                self.fail(f"{name}: cannot merge {sources}: {exc}", span,
                          hint="tensors of two results merge where their shapes fit: read "
                               "the result of the other size, or resample one of them")
            if op.name == "add" and self.block is not None:
                hint = ("the shortcut needs a projection where the shape changes: "
                        "shortcut=\"B\" or \"C\"")
            self.fail(f"{name}: {exc}", span, hint)
        self.graph.add(Node(name, op.name, tuple(t.node for t in inputs), attrs, shape,
                            self.stage, self.block, span))
        return Tensor(name, shape)

    def sources(self, inputs: list[Tensor]) -> str | None:
        """Where the tensors of an op come from, where one is a result of the network read
        from outside the block (an encoder's skip beside a decoder's upsampled tensor):
        ``64x56x56 from 'enc2' and …``; None otherwise, where the op's error says enough."""
        assert self.graph is not None
        own = self.block_inputs[-1] if self.block_inputs else None
        if not any(t.node in self.result_nodes and t.node != own for t in inputs):
            return None
        return " and ".join(
            f"{fmt_shape(t.shape)} from '{self.result_nodes.get(t.node, self.graph.nodes[t.node].stage)}'"
            f" ({t.node})" for t in inputs)

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

