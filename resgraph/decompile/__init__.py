"""decompile: a traceable PyTorch model → spec text that rebuilds it (``resgraph import``).

One step per module: :mod:`.canon` (when two graphs compute the same), :mod:`.opcall` (a node
as an op call), :mod:`.match` (an imported block as a prelude block's call, found by
elaborating the calls its layers suggest), :mod:`.define` (the other blocks as definitions),
:mod:`.stages` (runs of calls as stage lines with overrides), :mod:`.body` (a stem, head or
defined block as op steps), :mod:`.flow` (the network's parts in the order its data flows,
with the results each reads and its outputs). The model is imported with
:func:`resgraph.import_fx.import_fx`; the text is formatted as ``resgraph fmt`` formats it and
elaborated again, and it is handed out only if that gives the imported computation, with the
same state names: what cannot be written is an error naming each cause, never a spec that
silently differs.
"""

from __future__ import annotations

import re

from torch import nn

from resgraph.analysis.keys import MODULE_PARAMS
from resgraph.decompile.canon import same_graph
from resgraph.decompile.define import define
from resgraph.decompile.flow import network_lines, open_blocks
from resgraph.decompile.match import Call, match
from resgraph.elaborate import elaborate
from resgraph.errors import ResgraphError
from resgraph.format import format_module
from resgraph.import_fx import import_fx
from resgraph.ir import Graph
from resgraph.lower_fx import lower_fx
from resgraph.ops import fmt_shape
from resgraph.parse import parse

__all__ = ["DecompileError", "decompile"]


class DecompileError(ResgraphError):
    """What the language cannot say of a model: one line per cause, each at its module path."""

    def __init__(self, model: str, causes: list[str]) -> None:
        self.causes = causes
        super().__init__(f"cannot write {model} as a spec:\n" + "\n".join(
            f"  {c}" for c in causes))

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "causes": self.causes}


def decompile(model: nn.Module, input_shape: tuple[int, ...] = (3, 224, 224),
              name: str | None = None, origin: str | None = None) -> str:
    """The spec text of ``model`` traced on an ``input_shape`` input, canonical as ``resgraph
    fmt`` writes it; ``origin`` (``pkg.mod:factory``) is what its header says it came from."""
    where = origin or f"{type(model).__module__}.{type(model).__qualname__}"
    graph = _imported(model, tuple(input_shape), where)
    text = _text(graph, _network_name(name or type(model).__name__), where)
    try:
        text = format_module(parse(text, "<decompiled>"))
        rebuilt = elaborate(parse(text, "<decompiled>"), "<decompiled>", {})
    except ResgraphError as exc:
        raise DecompileError(where, [f"the written spec does not elaborate: {exc}"]) from None
    if not same_graph(graph, rebuilt):
        raise DecompileError(where, [("the written spec elaborates to another computation "
                                      "(a bug in resgraph import; please report it)")])
    differ = _state_differences(model, rebuilt)
    if differ:
        raise DecompileError(where, differ)
    return text


def _imported(model: nn.Module, input_shape: tuple[int, ...], where: str) -> Graph:
    """The model in eval; where eval leaves submodules unreached, the model in training too
    (GoogLeNet's and Inception v3's auxiliary heads), as one graph with training outputs if
    training reaches them all and computes what eval does."""
    graph = import_fx(model, input_shape)
    unreached = graph.meta[MODULE_PARAMS]["not_reached"]
    if not unreached:
        return graph
    trained = import_fx(model, input_shape, train=True)
    if trained.meta[MODULE_PARAMS]["not_reached"]:
        return graph  # the state check says what is missing
    evaluated = Graph(trained.name, trained.input_shape, trained.nodes, stages=trained.stages,
                      blocks=trained.blocks, outputs={
                          k: n for k, n in graph.output_nodes().items() if n in trained.nodes},
                      output_form=graph.output_form)
    evaluated.output = graph.output
    if len(evaluated.outputs) != len(graph.output_nodes()) or \
            not same_graph(graph, evaluated := evaluated.pruned()):
        raise DecompileError(where, [(f"{', '.join(unreached)}: run only in training, and the "
                                     "model in training computes otherwise what it computes "
                                     "in eval")])
    evaluated.training = trained
    return evaluated


def _state_differences(model: nn.Module, rebuilt: Graph) -> list[str]:
    """What keeps the written spec's module from loading the model's state_dict strictly:
    keys one has and the other lacks, or shapes that differ (at most a few of each)."""
    theirs = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    ours = {k: tuple(v.shape) for k, v in lower_fx(rebuilt, "meta").state_dict().items()}
    found = {"keys the model's state has and the spec's module lacks": theirs.keys() - ours.keys(),
             "keys the spec's module has and the model's state lacks": ours.keys() - theirs.keys(),
             "keys whose shapes differ": {k for k in theirs.keys() & ours.keys()
                                          if theirs[k] != ours[k]}}
    causes = []
    for what, keys in found.items():
        if keys:
            shown = ", ".join(sorted(keys)[:3]) + (", …" if len(keys) > 3 else "")
            causes.append(f"state_dict: {len(keys)} {what}: {shown}")
    return causes


def _network_name(name: str) -> str:
    """A spec name: letters, digits and underscores, not starting with a digit."""
    word = re.sub(r"\W+", "_", name.strip()).strip("_").lower() or "net"
    return word if not word[0].isdigit() else f"net_{word}"


def _text(network: Graph, name: str, where: str) -> str:
    graph = network.training or network  # every node, of a network with training outputs
    causes = [f"{n.name}: '{n.op}' is an op the language lacks ({n.attrs.get('target', '')})"
              .replace(" ()", "") for n in graph if n.op == "opaque"]
    if causes:
        raise DecompileError(where, causes)
    blocks = [b for b in graph.blocks if b not in open_blocks(graph)]
    calls: dict[str, Call] = {}
    for block in blocks:
        found = match(graph, block)
        if found is not None:
            calls[block] = found
    definitions, defined = define(graph, [b for b in blocks if b not in calls], causes)
    calls.update(defined)
    lines = ["resgraph 1", (f"# decompiled by resgraph import from {where}, input "
                            f"{fmt_shape(graph.input_shape)}"), ""]
    for definition in definitions:
        lines += [definition.text(), ""]
    lines += [f"network {name}", f"input {fmt_shape(graph.input_shape)}"]
    lines += network_lines(graph, calls, {d.name: d.params for d in definitions}, causes,
                           network if network.training else None)
    if causes:
        raise DecompileError(where, causes)
    return "\n".join(lines) + "\n"
