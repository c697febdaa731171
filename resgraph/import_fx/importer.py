"""FX nodes → IR nodes, in the graph's order: each node's kind (:mod:`.kinds`), its inputs
through the aliases of nodes that became none or several, the parameters an op reads
without a module, and ``nn.MultiheadAttention`` as the nodes its forward computes."""

from __future__ import annotations

from typing import Any

from torch import fx, nn

from resgraph.analysis.keys import CALLED
from resgraph.import_fx.kinds import (
    Attrs,
    Call,
    Kind,
    function_op,
    module_op,
    permutation,
    scale_param,
    split_part,
    target_name,
)
from resgraph.import_fx.stages import Scopes
from resgraph.import_fx.trace import shape_of
from resgraph.ir import Graph, Node
from resgraph.ops import PARAMETER_READERS


class Importer:
    """FX nodes → IR nodes, in order; ``alias`` maps each FX node to the IR node that holds its
    value, and ``tuples`` a node that returns several tensors to the inputs it read."""

    def __init__(self, gm: fx.GraphModule, graph: Graph, scopes: Scopes) -> None:
        self.gm, self.graph, self.scopes = gm, graph, scopes
        self.alias: dict[fx.Node, str] = {}
        self.tuples: dict[fx.Node, list[str]] = {}
        #: a module call that became several IR nodes → the IR node of each of its results
        #: (None: not computed as a node), and the node the others are computed from
        self.results: dict[fx.Node, tuple[list[str | None], str]] = {}
        #: parameter → its shape; the parameters each weight-only node reads; those counted
        self.parameters = {name: p.shape for name, p in gm.named_parameters()}
        self.reads: dict[fx.Node, set[str]] = {}
        self.claimed: set[str] = set()
        #: a permute that moves the batch, and the unbind(0) of it: the input's IR node and
        #: the permutation (:meth:`_moves_batch`)
        self.moved: dict[fx.Node, tuple[str, tuple[int, ...]]] = {}

    def run(self) -> None:
        for node in self.gm.graph.nodes:
            if node.op == "output":
                self._output(node.args[0])
            elif node.op == "placeholder":
                self._placeholder(node)
            elif node.op == "get_attr":  # attributes: not tensors of the data flow
                self._attribute(node)
            else:
                self._call(node)

    def _output(self, value: Any) -> None:
        """The forward's result: one tensor, a tuple or list of them, or a dict by string
        keys (torchvision's segmentation and FPN), as a spec's ``output`` line makes them; a
        named tuple (GoogLeNet's outputs in training) as the tuple it is."""
        if isinstance(value, fx.Node) and isinstance(value.target, type) \
                and issubclass(value.target, tuple):
            fields = getattr(value.target, "_fields", ())
            value = (*value.args, *(value.kwargs[f] for f in fields if f in value.kwargs))
        if isinstance(value, fx.Node):
            self.graph.output = self.alias[value]
            return
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            items, form = list(value.items()), "dict"
        else:
            items, form = [(self.alias.get(v, ""), v) for v in value], "tuple"
        names = {k: self.alias[v] for k, v in items if isinstance(v, fx.Node) and v in self.alias}
        self.graph.outputs, self.graph.output_form = names, form
        self.graph.output = next(iter(names.values()))

    def _placeholder(self, node: fx.Node) -> None:
        if self.graph.nodes:
            return  # an extra forward argument, fixed at its default by the trace
        self.graph.add(Node("input", "input", (), {}, self.graph.input_shape, "stem"))
        self.alias[node] = "input"

    def _call(self, node: fx.Node) -> None:
        shape = shape_of(node)
        first = node.args[0] if node.args else None
        if isinstance(first, fx.Node) and first in self.results:
            self._result(node, first)
            return
        if isinstance(first, fx.Node) and first in self.moved:
            self._piece(node, first)
            return
        source = first if isinstance(first, fx.Node) and first in self.tuples else None
        if target_name(node) in _DATA_READERS:
            self._lift_params(node)
        inputs = self.tuples[source] if source is not None else input_names(node, self.alias)
        if node.op == "call_module" and self._attention(node, inputs):
            return
        if self._moves_batch(node, inputs):
            return
        if shape is None:
            if inputs and node.op.startswith("call_"):
                self.tuples[node] = inputs  # chunk, split, attention: parts taken by getitem
            return  # sizes and other numbers
        if not inputs:  # made of weights and constants alone: the same for every input
            self.reads[node] = self._read(node)
            return
        call = Call(node, [self.graph.nodes[i].shape for i in inputs], shape)
        kind = self._kind(call, source)
        if kind is None:
            self.alias[node] = inputs[0]
            return
        self._add(node, self._with_params(node, kind), inputs, shape, source or node)

    def _attribute(self, node: fx.Node) -> None:
        target = str(node.target)
        if target in self.parameters:
            self.reads[node] = {target}

    def _read(self, node: fx.Node) -> set[str]:
        """The parameters a node reads, directly or through ops on them alone."""
        found: set[str] = set()
        fx.node.map_arg((node.args, node.kwargs), lambda a: found.update(self.reads.get(a, ())))
        return found

    def _moves_batch(self, node: fx.Node, inputs: list[str]) -> bool:
        """A permute that moves the batch behind one side, whose result only ``unbind(0)``
        takes apart (timm's attention: ``qkv.permute(2, 0, 3, 1, 4).unbind(0)``), makes no
        node: each piece is a part of its input along that side, then a permute of the rest
        (:meth:`_piece`), what a spec writes. Any other permute of the batch stays opaque."""
        if target_name(node) not in ("Tensor.permute", "torch.permute") or len(inputs) != 1 \
                or not node.users or not all(_unbinds_first(u) for u in node.users):
            return False
        dims = permutation(Call(node, [self.graph.nodes[inputs[0]].shape], ()))
        dims = tuple(d % len(dims) for d in dims)
        if dims[0] == 0 or dims[1] != 0:
            return False
        self.moved[node] = (inputs[0], dims)
        self.moved.update(dict.fromkeys(node.users, (inputs[0], dims)))
        return True

    def _piece(self, node: fx.Node, source: fx.Node) -> None:
        """The unbind of a moved permute (nothing), or its piece ``k``: the part at ``k``
        along the side the permute put first, then the permute of the other sides."""
        x, dims = self.moved[source]
        if node in self.moved:
            return  # the unbind itself: its pieces are made where getitem takes them
        index, shape = node.args[1], self.graph.nodes[x].shape
        side = dims[0] - 1  # per sample
        piece = shape[:side] + shape[side + 1:]
        part = self._add(node, ("part", {"dim": side, "start": index, "size": 1, "keep": False,
                                         "shape": piece}), [x], piece, node)
        rest = [d - (d > dims[0]) for d in dims[1:]]  # the piece's torch dimensions, batch first
        if rest != sorted(rest):
            order = tuple(d - 1 for d in rest[1:])
            self._add(node, ("permute", {"dims": order}), [part],
                      tuple(piece[d] for d in order), node)

    def _lift_params(self, node: fx.Node) -> None:
        """A parameter of a batch side of 1 that a cat or a sum reads as data, as it is or
        expanded over the batch (ViT's class token and position embedding), is a ``param``
        node named by its path, the spec's ``param``; its ``std`` is the weights' own to one
        significant digit (torchvision draws the position embedding with 0.02: a ViT-B's
        151,296 weights give 0.02 however drawn), zeros 0."""
        for a in node.all_input_nodes:
            read = self.reads.get(a, set()) - self.claimed
            path = next(iter(read)) if len(read) == 1 and a not in self.alias else None
            shape = tuple(self.parameters[path]) if path else ()
            if not path or len(shape) < 2 or shape[0] != 1 or shape_of(a) != shape[1:]:
                continue
            self.claimed.add(path)
            value = self.gm.get_parameter(path)
            std = 0 if value.is_meta or not value.any() else float(f"{value.std().item():.1g}")
            self._add(a, ("param", {"shape": shape[1:], "std": std}), [], shape[1:], a, path)

    def _with_params(self, node: fx.Node, kind: tuple[str, Attrs]) -> tuple[str, Attrs]:
        """An op of the data flow that reads parameters no module holds for it (ViT's class
        token and position embedding, an einsum's weight) owns them: ``params`` lists each
        path and shape, so they count, once, where they are used."""
        op, attrs = kind
        read = sorted(self._read(node) - self.claimed)
        if op not in PARAMETER_READERS or not read:
            return kind
        self.claimed.update(read)
        return op, {**attrs, "params": tuple((p, tuple(self.parameters[p])) for p in read)}

    def _attention(self, node: fx.Node, inputs: list[str]) -> bool:
        """``nn.MultiheadAttention`` as the IR nodes its forward computes, named under its
        path: the projections of query, key and value, the heads' attention (q·kᵀ, softmax
        and the weights times v; heads folded into E; ``weights`` when the call asks for
        them, which takes another path through torch that counters see; ``vdim``, the
        value's width before projection, which ptflops reads) and ``out_proj``. False for any other
        module, and for an attention this cannot follow (batch second, bias_k, masks from
        the data), which stays opaque."""
        m = self.gm.get_submodule(str(node.target))
        if not isinstance(m, nn.MultiheadAttention):
            return False
        qkv = [a for a in node.args[:3] if isinstance(a, fx.Node)]
        if not m.batch_first or m.bias_k is not None or m.add_zero_attn or len(qkv) != 3 \
                or len(inputs) != 3 or any(a not in self.alias for a in qkv):
            return False
        p, e = str(node.target), m.embed_dim
        projected = self._projections(node, m, [self.alias[a] for a in qkv])
        shapes = [self.graph.nodes[x].shape for x in projected]
        weights = node.kwargs.get("need_weights", node.args[4] if len(node.args) > 4 else True)
        attention = self._synth(node, f"{p}.attention", ("attention", {
            "causal": bool(node.kwargs.get("is_causal", False)), "heads": m.num_heads,
            "weights": bool(weights), "vdim": m.vdim}),
            projected, (*shapes[0][:-1], e))
        out = self._synth(node, f"{p}.out_proj", ("linear", {
            "out": e, "bias": m.out_proj.bias is not None}), [attention], (*shapes[0][:-1], e))
        self.graph.nodes[out].meta[CALLED] += ".out_proj"  # counted unlike the in-projections
        self.results[node] = ([out, None], attention)
        return True

    def _projections(self, node: fx.Node, m: nn.MultiheadAttention, qkv: list[str]) -> list[str]:
        """q, k and v of the heads, each a linear layer to E of query, key and value: a
        packed in-projection (``in_proj_weight``, one matrix product when the three are one
        tensor) costs what its three thirds cost, and the counters' hooks count thirds."""
        bias = m.in_proj_bias is not None
        return [self._synth(node, f"{node.target}.{part}_proj",
                            ("linear", {"out": m.embed_dim, "bias": bias}), [x],
                            (*self.graph.nodes[x].shape[:-1], m.embed_dim))
                for part, x in zip("qkv", qkv)]

    def _synth(self, node: fx.Node, name: str, kind: tuple[str, Attrs], inputs: list[str],
               shape: tuple[int, ...]) -> str:
        """One IR node of a module call that makes several, under the call's origin."""
        return self._add(node, kind, inputs, shape, node, name)

    def _result(self, node: fx.Node, source: fx.Node) -> None:
        """``getitem`` of a call that became several IR nodes: the node of that result; the
        attention weights nn.MultiheadAttention returns are opaque where a model uses them."""
        results, computed_from = self.results[source]
        index, shape = node.args[1], shape_of(node)
        found = results[index] if isinstance(index, int) else None
        if found is not None:
            self.alias[node] = found
        elif node.users and shape is not None:
            kind = Call(node, [], shape).opaque(f"{self._called(source)} weights")
            self._add(node, kind, [computed_from], shape, source)  # type: ignore[arg-type]

    def _kind(self, call: Call, source: fx.Node | None) -> Kind:
        if source is not None:
            split = target_name(source).rsplit(".", 1)[-1] in SPLITS
            if split and not call.node.users:
                return None  # a piece nothing reads (Res2Net's spx[0] taken twice): no node
            return split_part(call, source) if split else call.opaque(self._called(source))
        if call.node.op == "call_module":
            return module_op(self.gm.get_submodule(str(call.node.target)), call)
        return function_op(call)

    def _called(self, node: fx.Node) -> str:
        if node.op == "call_module":
            return type(self.gm.get_submodule(str(node.target))).__name__
        return target_name(node)

    def _add(self, node: fx.Node, kind: tuple[str, Attrs], inputs: list[str],
             shape: tuple[int, ...], origin: fx.Node, name: str | None = None) -> str:
        op, attrs = kind
        scopes = self.scopes
        ir_name = name or (scopes.demangled(node) if node.op != "call_module" else None)
        if op == "layer_scale":  # named by its parameter, as a spec's layer scale is
            ir_name = str(scale_param(node).target)  # type: ignore[union-attr]
        elif op in _OWNED and node.op == "call_function" and _owner(node):
            ir_name = _owner(node)  # F.batch_norm of timm's BatchNormAct2d: its module's path
        ir_name = scopes.unique(ir_name) if ir_name else scopes.name(node, op)
        ir = Node(ir_name, op, tuple(inputs), attrs, shape, "stem")  # stages: structure
        ir.meta[CALLED] = f"{origin.op.removeprefix('call_')}:{self._called(origin)}"
        self.graph.add(ir)
        self.alias[node] = ir_name
        return ir_name

#: ops that a module traced through may compute with a function of its own parameters
#: (timm's BatchNormAct2d calls F.batch_norm, its LayerNorm F.layer_norm, its Linear
#: F.linear): named by that module, as its state_dict is
_OWNED = frozenset({"bn", "conv", "layer_norm", "linear"})


def _owner(node: fx.Node) -> str | None:
    """The module whose parameters a function call reads directly, where it is one."""
    owners = {str(a.target).rpartition(".")[0] for a in node.all_input_nodes
              if a.op == "get_attr"}
    return owners.pop() if len(owners) == 1 and "" not in owners else None


def _unbinds_first(node: fx.Node) -> bool:
    """Whether the node is ``unbind`` along the first dimension."""
    dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
    return target_name(node).rsplit(".", 1)[-1] == "unbind" and isinstance(dim, int) and dim == 0


#: the calls that read a parameter of a batch side of 1 as data (:meth:`Importer._lift_params`)
_DATA_READERS = frozenset({"torch.cat", "operator.add", "torch.add", "Tensor.add"})

#: what returns several tensors that getitem takes apart, each part free
SPLITS = frozenset({"chunk", "split", "unbind", "tensor_split", "split_with_sizes"})


def input_names(node: fx.Node, alias: dict[fx.Node, str]) -> list[str]:
    """The IR names of a node's tensor inputs, in argument order (lists flattened, for cat)."""
    names: list[str] = []
    fx.node.map_arg((node.args, node.kwargs), lambda a: names.append(alias[a]) if a in alias else None)
    return names
