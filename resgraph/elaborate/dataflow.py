"""The network as dataflow: named results (each stage's output by the stage's name, each
``name = flow`` of the stem or a head, each named head), what a stage or head reads
(``on layer3``, else the result made before it), and the network's outputs (``output a, b``
or ``output { out: h, aux: a }``).

A result is read only after it is made, so the network stays a graph in the order the spec
writes it; a read of a result the spec makes further down is an error that says where it is
made, or names the cycle where the two results read each other. Every result is read or is an
output: one that is neither is a mistake (a skip wired to the wrong stage), not dead code to
keep quietly. The names a spec's items make and read are known before any runs
(:func:`plan`), so a forward read is told from a name that does not exist."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.stages import Stages
from resgraph.elaborate.values import Env, Tensor, show, type_name
from resgraph.errors import Span, did_you_mean
from resgraph.ir import Graph

#: the name of the table of every result made so far
RESULTS = "results"


@dataclass(frozen=True)
class Plan:
    """A result the spec makes: where, and the results its item reads (by name)."""

    span: Span
    reads: frozenset[str]


def names_read(node: Any) -> Iterator[str]:
    """Every name an expression or body reads (a superset: any :class:`~resgraph.syntax.Name`
    in it), walked over the syntax tree's fields."""
    if isinstance(node, s.Name):
        yield node.id
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from names_read(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "span":
                yield from names_read(getattr(node, f.name))


def assigned(body: s.Body) -> Iterator[s.Assign]:
    """The ``name = flow`` statements of a stem's or head's body, in ``if``s too: each names
    a result of the network."""
    for st in body.stmts:
        if isinstance(st, s.Assign):
            yield st
        elif isinstance(st, s.If):
            for _, branch in st.branches:
                yield from assigned(branch)
            if st.orelse is not None:
                yield from assigned(st.orelse)
        elif isinstance(st, s.Loop):
            yield from assigned(st.body)


def made_by(item: s.Stmt) -> list[tuple[str, Span]]:
    """The results an item makes, by name: a stage's (unless its name is computed), a named
    head's, and the assigned names of a stem or head."""
    if isinstance(item, s.Stage):
        return [] if item.name_fmt is not None else [(item.name, item.span)]
    if isinstance(item, (s.Stem, s.Head)):
        made = [(a.name, a.span) for a in assigned(item.body)]
        if isinstance(item, s.Head) and item.name is not None:
            made.append((item.name, item.span))
        return made
    return []


def plan(items: Iterable[s.Stmt]) -> dict[str, Plan]:
    """The results the network's items make, with what each item reads: a stage or head
    without ``on`` reads the result made before it."""
    out: dict[str, Plan] = {}
    last: str | None = None
    for item in items:
        made = made_by(item)
        if not made:
            continue
        reads = set(names_read(item))
        if isinstance(item, (s.Stage, s.Head)) and item.on is None and last is not None:
            reads.add(last)
        for name, span in made:
            out.setdefault(name, Plan(span, frozenset(reads - {name})))
        last = made[-1][0]
    return out


def cycle(plans: dict[str, Plan], start: str, goal: str) -> list[str] | None:
    """A chain of reads from ``start`` to ``goal`` (``start`` reads … reads ``goal``)."""
    stack, seen = [[start]], {start}
    while stack:
        chain = stack.pop()
        if chain[-1] == goal:
            return chain
        for name in sorted(plans[chain[-1]].reads if chain[-1] in plans else ()):
            if name not in seen:
                seen.add(name)
                stack.append([*chain, name])
    return None


class Dataflow(Stages):
    """Results by name, the inputs of stages and heads, and the network's outputs."""

    def __init__(self, file: str):
        super().__init__(file)
        #: the results made so far, by name, and where
        self.results: dict[str, tuple[Tensor, Span]] = {}
        #: the item whose results are being made (for a cycle's message)
        self.making: list[str] = []
        self.output_item: s.Output | None = None
        self.training_item: s.Output | None = None
        #: the ``results`` table last bound (a spec's own ``results`` is never replaced)
        self.table: dict[str, Tensor] | None = None

    def fail_unmade(self, name: str, span: Span) -> None:
        """``name`` is a result the spec makes further down: say where, or the cycle."""
        made = self.planned[name].span
        for reader in self.making:
            chain = cycle(self.planned, name, reader)
            if chain is not None:
                loop = " → ".join([reader, *chain])
                self.fail(f"results read each other: {loop}", span,
                          hint=f"'{name}' is made at {made}, below, from '{reader}'; "
                               "a result reads only results made above it")
        self.fail(f"'{name}' is read before it is made: it is made at {made}, below", span,
                  hint="a result reads only results made above it; move this line below "
                       f"line {made.line}, or read another result")

    def bind_result(self, name: str, tensor: Tensor, span: Span, env: Env) -> None:
        """``name`` a result of the network, and a name the items below it read (unless a
        let, parameter or block of the spec has that name: the spec's own name wins). The
        table ``results`` holds them all by name, for a name computed in a ``for``
        (``results[f"enc{k}"]``); a new table each time, so a let that took the table keeps
        what it held."""
        self.results[name] = (tensor, span)
        self.result_nodes.setdefault(tensor.node, name)
        self.planned.pop(name, None)
        if name not in env.vars:
            env.vars[name] = tensor
        if env.vars.get(RESULTS) is self.table or RESULTS not in env.vars:
            self.table = {k: t for k, (t, _) in self.results.items()}
            env.vars[RESULTS] = self.table

    def read_on(self, on: s.Expr | None, env: Env, x: Tensor) -> Tensor:
        """What a stage or head reads: ``on``'s result, else ``x``, the result before it."""
        if on is None:
            return x
        value = self.eval(on, env)
        if not isinstance(value, Tensor):
            self.fail(f"'on' reads a result of the network, got {type_name(value)} "
                      f"{show(value)}", on.span,
                      hint="name a stage, a named head, or a 'name = ...' of the stem")
        return value

    def bind_assigned(self, body: s.Body, inner: Env, env: Env) -> None:
        """A stem's or head's ``name = flow`` results, made names of the network."""
        for st in assigned(body):
            value = inner.vars.get(st.name)
            if isinstance(value, Tensor) and st.name not in self.results:
                self.bind_result(st.name, value, st.span, env)

    def network_outputs(self, last: Tensor) -> Graph:
        """The graph's outputs: the ``output`` line's, else the last result; every result
        read or an output. With an ``output training`` line, the graph in eval: what its
        outputs read, its :attr:`~resgraph.ir.Graph.training` the whole graph."""
        graph = self.graph
        assert graph is not None
        out = self.output_item
        if out is None:
            graph.output = last.node
            graph.outputs = {"output": last.node}
        else:
            self.set_outputs(graph, out)
        if self.training_item is None:
            self.check_used(set(graph.outputs.values()))
            return graph
        training = Graph(graph.name, graph.input_shape, graph.nodes, summary=graph.summary,
                         params=graph.params, stages=graph.stages, blocks=graph.blocks,
                         notes=graph.notes, source=graph.source)
        self.set_outputs(training, self.training_item)
        self.check_used(set(graph.outputs.values()) | set(training.outputs.values()))
        evaluated = graph.pruned()
        evaluated.training = training
        return evaluated

    def set_outputs(self, graph: Graph, out: s.Output) -> None:
        """The outputs of ``out``: ``output a`` of one name returns the tensor, as a chain's
        network does (GoogLeNet's logits in eval), a list of several a tuple."""
        graph.outputs = {o.key: self.output_tensor(o).node for o in out.names}
        graph.output = next(iter(graph.outputs.values()))
        graph.output_form = "one" if out.form == "tuple" and len(out.names) == 1 else out.form

    def output_tensor(self, o: s.OutputName) -> Tensor:
        if o.result in self.results:
            return self.results[o.result][0]
        made = sorted(self.results)
        listed = f"the results are {', '.join(made)}" if made else \
            "the network makes no named results: name a head ('head out { }') or a stage"
        self.fail(f"no result named '{o.result}' to output", o.span,
                  did_you_mean(o.result, made) or listed)

    def check_used(self, outputs: set[str]) -> None:
        """Every named result is read by a node or is one of ``outputs``."""
        assert self.graph is not None
        users = self.graph.users()
        for name, (tensor, span) in self.results.items():
            if not users[tensor.node] and tensor.node not in outputs:
                self.fail(f"result '{name}' is made but never used", span,
                          hint=f"read it ('on {name}', or as a block's argument) or list it in "
                               "the network's 'output' line")

    def item_Output(self, item: s.Output, env: Env, file: str) -> None:
        before = self.training_item if item.training else self.output_item
        if before is not None:
            line = "'output training' line" if item.training else "'output' line"
            self.fail(f"the network already has an {line}", item.span,
                      hint=f"one {line} lists every output (the first is at {before.span})")
        keys = [o.key for o in item.names]
        for o in item.names:
            if not o.key:
                self.fail("an output's key is empty", o.span,
                          hint='a key is a name or a string such as "0" (FPN\'s levels)')
            if keys.count(o.key) > 1:
                self.fail(f"output '{o.key}' is listed twice", o.span)
        if item.training:
            self.training_item = item
        else:
            self.output_item = item
