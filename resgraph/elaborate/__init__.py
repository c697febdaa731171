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

The package is one elaborator in parts, a class per concern, each over the one before:
:mod:`~resgraph.elaborate.values` (what expressions evaluate to) and
:mod:`~resgraph.elaborate.functions` (the built-in functions) hold no state;
:mod:`~resgraph.elaborate.checks` the state, the errors and the limits
(:mod:`~resgraph.elaborate.limits`); then :mod:`~resgraph.elaborate.expressions`,
:mod:`~resgraph.elaborate.nodes` (ops applied to tensors), :mod:`~resgraph.elaborate.bodies`
(statements and flows), :mod:`~resgraph.elaborate.blocks`, :mod:`~resgraph.elaborate.stages`
and :mod:`~resgraph.elaborate.network` (the items of a spec, ``use``), whose
:class:`~resgraph.elaborate.network.Elaborator` is the whole.
"""

from __future__ import annotations

from typing import Any

from resgraph import syntax as s
from resgraph.elaborate.limits import MAX_ITEMS, MAX_OPS, MAX_STAGE_DEPTH, MAX_STEPS, MAX_STRING
from resgraph.elaborate.memo import elaborated
from resgraph.elaborate.network import Elaborator
from resgraph.ir import Graph

__all__ = ["MAX_ITEMS", "MAX_OPS", "MAX_STAGE_DEPTH", "MAX_STEPS", "MAX_STRING", "elaborate"]


def elaborate(module: s.Module, file: str, params: dict[str, Any] | None = None,
              name: str | None = None, input_shape: tuple[int, ...] | None = None) -> Graph:
    """Build the IR graph of a parsed spec, with ``params`` overriding its ``param`` defaults.

    ``input_shape`` replaces the shape of the spec's ``input`` line (``analyze --input``), so
    every shape, cost and receptive field is re-derived at that size.
    """
    params = params or {}

    def run() -> tuple[Graph, dict[str, str]]:
        elaborator = Elaborator(file)
        elaborator.input_override = input_shape
        return elaborator.run(module, params, name), elaborator.read

    return elaborated(module, file, params, name, input_shape, run)

