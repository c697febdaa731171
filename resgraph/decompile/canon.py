"""Canonical forms of IR nodes, so that two graphs (an import and an elaboration) compare as
the same computation: op, attributes, shape and inputs, and the names of the nodes that hold
state (a ``state_dict`` key is a name). Other nodes' names are the tracer's or the spec's
numbering and mean nothing to the module, so they are left out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from resgraph.ir import Graph, Node
from resgraph.ops import OPS

#: torch's batch-norm defaults: an import leaves them out, and so may a spec
_BN_DEFAULTS = {"eps": 1e-5, "momentum": 0.1}
#: attributes that say only how a parameter starts, which a model's loaded state replaces
#: and an import cannot read back
_INITIALISERS = {"bn": "zero_init", "layer_scale": "init"}
#: ops whose inputs may be given in either order
_COMMUTATIVE = frozenset({"add", "mul"})


def stateful(node: Node) -> bool:
    """Whether the node owns parameters or buffers, so that its name is a state_dict key."""
    op = OPS.get(node.op)
    if op is None or node.op == "input":
        return False
    shapes = [()] * max(1, len(node.inputs))
    try:
        return bool(op.params(node.attrs, [node.shape] * len(shapes))
                    or op.buffers(node.attrs, [node.shape] * len(shapes)))
    except Exception:  # noqa: BLE001 - an op whose rule needs more than its output's shape
        return False


def attrs_key(node: Node) -> tuple[tuple[str, Any], ...]:
    """The attributes as a hashable, with torch's batch-norm defaults and initialisers left
    out."""
    attrs = dict(node.attrs)
    attrs.pop(_INITIALISERS.get(node.op, ""), None)
    if node.op == "bn":
        attrs = {k: v for k, v in attrs.items() if _BN_DEFAULTS.get(k, object()) != v}
    return tuple(sorted((k, _hashable(v)) for k, v in attrs.items()))


def _hashable(v: Any) -> Any:
    return tuple(_hashable(x) for x in v) if isinstance(v, (list, tuple)) else v


class Canon:
    """Interns node forms to small integers; forms of both graphs share the one table, so
    equal ids mean equal computations."""

    def __init__(self) -> None:
        self.ids: dict[tuple[Any, ...], int] = {}

    def intern(self, form: tuple[Any, ...]) -> int:
        return self.ids.setdefault(form, len(self.ids))

    def forms(self, graph: Graph, nodes: Iterable[Node], entry: str | None,
              prefix: str) -> dict[str, int]:
        """Each node's id, in topological order; ``entry`` (a block's input) is one leaf, and
        a state holder's name counts less ``prefix`` (the block's scope and a dot)."""
        ids: dict[str, int] = {}
        if entry is not None:
            ids[entry] = self.intern(("IN", graph.nodes[entry].shape))
        for node in nodes:
            ins = [ids.get(i, -1) for i in node.inputs]
            if node.op in _COMMUTATIVE:
                ins.sort()
            label = node.name.removeprefix(prefix) if stateful(node) else None
            ids[node.name] = self.intern((*_pooling(node, graph), node.shape, label, tuple(ins)))
        return ids


def _pooling(node: Node, graph: Graph) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """The op and attributes, adaptive pooling as the window it is where its size divides the
    input's sides (as an import writes it: ``avgpool``, or ``global_avgpool`` to 1x1)."""
    if node.op != "adaptive_avgpool":
        return node.op, attrs_key(node)
    (h, w), (oh, ow) = graph.nodes[node.inputs[0]].shape[1:], node.attrs["size"]
    if (oh, ow) == (1, 1):
        return "global_avgpool", ()
    if h % oh or w % ow:
        return node.op, attrs_key(node)
    k = (h // oh, w // ow)
    return "avgpool", tuple(sorted({"kernel": k, "stride": k, "pad": (0, 0), "ceil": False,
                                    "count_pad": True}.items()))

def same_graph(a: Graph, b: Graph) -> bool:
    """Whether two whole graphs compute the same with the same state names, and return it
    alike (every output by its key, in one form), in eval and, where either has training
    outputs, in training."""
    if (a.training is None) != (b.training is None):
        return False
    if a.training is not None and not same_graph(a.training, b.training):  # type: ignore[arg-type]
        return False
    canon = Canon()
    ia = canon.forms(a, a, None, "")
    ib = canon.forms(b, b, None, "")
    # only a dict's keys are returned: a tuple's or one tensor's are the names of results,
    # which an import and a spec give apart
    keyed = a.output_form == "dict"
    outs_a = [(k if keyed else "", ia[v]) for k, v in a.output_nodes().items()]
    outs_b = [(k if keyed else "", ib[v]) for k, v in b.output_nodes().items()]
    return a.input_shape == b.input_shape and outs_a == outs_b \
        and a.output_form == b.output_form and sorted(ia.values()) == sorted(ib.values())
