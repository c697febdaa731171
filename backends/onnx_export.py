"""ONNX export of a spec's module through PyTorch's own (dynamo) exporter.

The exported file is what ONNX Runtime runs and what TensorRT parses, so it is made to leave
no work behind and to map back to the spec:

* BatchNorm layers that follow a convolution are folded into it before export (a BN whose
  input is not a convolution, as in pre-activation blocks, stays a ``BatchNormalization``);
* every spec op becomes a module at its scope path, so the exporter's name scopes carry it,
  and every ONNX node is renamed after its scope: ``layer2.0.conv1`` when the op made one
  node, ``layer2.0.shortcut/Slice``, ``layer2.0.shortcut/Pad`` when it made several;
* PyTorch exports unoptimised and resgraph cleans the graph with public onnxscript passes,
  no pattern rewrites (:func:`optimize`): only :func:`fold_batchnorm` decides whether a BN
  folds, so ``fold_bn=False`` keeps every BN a node whatever the installed onnxscript's
  default rules are; then ``onnx.checker`` (full check, which includes strict shape
  inference) runs, and the file is written whole or not at all.

Names are stable: the input is ``input`` (``batch x C x H x W``), the output ``output``, and a
dynamic batch dimension is the symbol ``batch``; its range, which ONNX shapes cannot hold, is
in the model's metadata (``resgraph.batch``: ``"1:32"``, ``"1:"`` without an upper bound). In
fp16/bf16 the whole network computes in that type and the input and output stay fp32,
converted by one ``Cast`` at each edge (what TensorRT's strongly typed mode builds as written).

This module writes where it is told; :func:`resgraph.backends.api.export_onnx`, the public
entry, checks the output path first.
"""

from __future__ import annotations

import ast
import copy
import json
import logging
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from resgraph.analysis import keys
from resgraph.backends.base import MissingExtra, require
from resgraph.backends.options import MIN_OPSET, PRECISIONS, batch_size, choice
from resgraph.errors import UsageError
from resgraph.files import atomic_path
from resgraph.ir import Graph
from resgraph.lower_fx import ELEMENTWISE, ChannelsLast

INPUT_NAME = "input"
OUTPUT_NAME = "output"
BATCH_SYMBOL = "batch"
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
#: ONNX node metadata key holding the spec scope (the node name holds it too); the ONNX
#: file's own key, spelt like the FX node meta key it copies
SCOPE_KEY = "resgraph.scope"

BatchArg = int | str | tuple[int, int | None]  # str: only "dynamic"


class ExportError(UsageError, ValueError):
    """A bad export request (a batch range, a precision); the message says which."""


@dataclass(frozen=True)
class ExportInfo:
    """What was written and how to feed it."""

    path: Path
    network: str
    input_name: str
    #: the first output's name and per-sample shape (the one of a network of one output)
    output_name: str
    #: per-sample input shape (C, H, W) and output shape
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    opset: int
    #: smallest and largest batch the file accepts; None: no upper bound
    batch_min: int
    batch_max: int | None
    precision: str
    fold_bn: bool
    #: how many nodes the ONNX graph has
    nodes: int
    #: ONNX node name → spec scope
    scopes: dict[str, str] = field(default_factory=dict)
    #: folded BN scope → the convolution's scope that now holds it
    folded: dict[str, str] = field(default_factory=dict)
    #: every output's name → its per-sample shape, in the spec's order: the keys of a
    #: network of several (``out``, ``aux``; FPN's ``"0"`` … ``pool``), else ``output``
    outputs: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def dynamic(self) -> bool:
        return self.batch_min != self.batch_max

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path), "dynamic": self.dynamic}


def parse_batch(batch: BatchArg) -> tuple[int, int | None]:
    """``8``: fixed; ``"dynamic"``: 1 upward; ``(MIN, MAX)``: a range (``MAX`` None: no upper
    bound). Every size is from 1 to ``MAX_BATCH``. (Text such as ``1:64`` is the command
    line's grammar, :func:`resgraph.cli.args.batch_type`; the API takes the values.)"""
    first, last = _batch_ends(batch)
    lo = batch_size(first, "batch", ExportError)
    if last is None:
        return lo, None
    hi = batch_size(last, "batch", ExportError)
    if hi < lo:
        raise ExportError(f"batch range {lo}:{hi} is empty: MIN is above MAX")
    return lo, hi


def _batch_ends(batch: BatchArg) -> tuple[object, object]:
    if isinstance(batch, tuple) and len(batch) == 2:
        return batch
    if batch == "dynamic":
        return 1, None
    if isinstance(batch, str):
        raise ExportError(f"batch is a size, 'dynamic' or (MIN, MAX), got '{batch[:40]}'")
    return batch, batch


def export_onnx(source: fx.GraphModule | Graph, path: str | Path, *, batch: BatchArg = 1,
                opset: int | None = None, fold_bn: bool = True,
                precision: str = "fp32") -> ExportInfo:
    """Export a spec's module (from :func:`resgraph.lower_fx.lower_fx`, weights kept) or a
    graph (weights drawn from seed 0, the same on every run) to ``path``; the request is
    checked before any work, the model before it is written."""
    onnx = require("onnx", "onnx")
    require("onnxscript", "onnx")
    choice(precision, PRECISIONS, "precision", ExportError)
    opset = _opset_for(precision, check_opset(opset))
    lo, hi = parse_batch(batch)
    graph, module = _graph_and_module(source)
    prepared, folded = prepare(module, graph, fold_bn, DTYPES[precision])
    outputs = output_shapes(graph)
    model = _export(prepared, graph, lo, hi, opset, list(outputs))
    if opset is not None and _opset(model) != opset:
        raise ExportError(f"the exporter could not write opset {opset} (it wrote "
                          f"{_opset(model)}); try another --opset")
    scopes = name_nodes(model, set(graph.nodes) | set(folded))
    onnx.checker.check_model(model, full_check=True)
    _annotate(model, graph, precision, folded, _batch_text(lo, hi))
    with atomic_path(path) as tmp:
        onnx.save(model, str(tmp))
    first, shape = next(iter(outputs.items()))
    return ExportInfo(Path(path), graph.name, INPUT_NAME, first, tuple(graph.input_shape), shape,
                      _opset(model), lo, hi, precision, fold_bn, len(model.graph.node), scopes,
                      folded, outputs)


def output_shapes(graph: Graph) -> dict[str, tuple[int, ...]]:
    """The file's outputs by name, each with its per-sample shape: :data:`OUTPUT_NAME` for a
    network of one output, the spec's keys for one of several."""
    if graph.output_form == "one":
        return {OUTPUT_NAME: tuple(graph.nodes[graph.output].shape)}
    return {key: tuple(graph.nodes[node].shape) for key, node in graph.outputs.items()}


def check_opset(opset: int | None) -> int | None:
    """An opset the exporter can write: from :data:`MIN_OPSET` to the installed onnx's newest
    (below it the exporter quietly keeps 18; above it the version converter fails)."""
    import onnx

    newest = onnx.defs.onnx_opset_version()
    if opset is not None and (isinstance(opset, bool) or not isinstance(opset, int)
                              or not MIN_OPSET <= opset <= newest):
        raise ExportError(f"opset must be from {MIN_OPSET} to {newest} (the installed onnx's "
                          f"newest), got {opset!r}")
    return opset


def _batch_text(lo: int, hi: int | None) -> str:
    return str(lo) if lo == hi else f"{lo}:{hi or ''}"


#: the first opset whose Conv, MaxPool and AveragePool take bfloat16
BF16_OPSET = 22


def _opset_for(precision: str, opset: int | None) -> int | None:
    """bf16 needs opset 22 (ONNX's convolutions and pools take bfloat16 from there)."""
    if precision != "bf16":
        return opset
    if opset is not None and opset < BF16_OPSET:
        raise ExportError(f"bf16 needs opset {BF16_OPSET} or later (Conv takes bfloat16 from "
                          f"there), got --opset {opset}")
    return opset or BF16_OPSET


def _graph_and_module(source: fx.GraphModule | Graph) -> tuple[Graph, fx.GraphModule]:
    if isinstance(source, Graph):
        from resgraph.lower_fx import lower_fx

        return source, lower_fx(source, seed=0).eval()
    graph = source.meta.get(keys.GRAPH)
    if graph is None:
        raise ExportError("export_onnx takes a resgraph Graph or the module lower_fx made of one")
    return graph, source


# preparing the module --------------------------------------------------------------------


class ScopedOp(nn.Module):
    """One spec op without weights as a module at its scope path, so that the exporter's name
    scopes (which follow modules) carry the scope of every node it makes."""

    def __init__(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]):
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        def fill(a: Any) -> Any:
            return tensors[a.index] if isinstance(a, _Slot) else a

        return self.fn(*fx.node.map_aggregate(self.args, fill),
                       **fx.node.map_aggregate(self.kwargs, fill))


@dataclass(frozen=True)
class _Slot:
    index: int


def prepare(module: fx.GraphModule, graph: Graph, fold_bn: bool,
            dtype: torch.dtype) -> tuple[fx.GraphModule, dict[str, str]]:
    """A copy of ``module`` ready to export: BN folded, ops scoped, in ``dtype`` with fp32
    edges. Returns it and the folded BN scopes."""
    gm = copy.deepcopy(module).eval().float()
    folded = fold_batchnorm(gm) if fold_bn else {}
    join_channels_last(gm)
    scope_functions(gm)
    if dtype != torch.float32:
        gm.to(dtype)
        cast_edges(gm, dtype)
    gm.recompile()
    return gm, folded


def fold_batchnorm(gm: fx.GraphModule) -> dict[str, str]:
    """Fold every BN whose input is a convolution used by nothing else into that convolution."""
    folded: dict[str, str] = {}
    for node in list(gm.graph.nodes):
        conv = _foldable_conv(gm, node)
        if conv is None:
            continue
        conv_name, bn_name = str(conv.target), str(node.target)
        conv_module, bn = gm.get_submodule(conv_name), gm.get_submodule(bn_name)
        assert isinstance(conv_module, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)
        _set_submodule(gm, conv_name, fuse_conv_bn_eval(conv_module, bn))
        node.replace_all_uses_with(conv)
        gm.graph.erase_node(node)
        gm.delete_submodule(bn_name)
        folded[bn_name] = conv_name
    return folded


def _foldable_conv(gm: fx.GraphModule, node: fx.Node) -> fx.Node | None:
    """The convolution node ``node`` (a BN) can fold into, if any."""
    if node.op != "call_module" or not isinstance(gm.get_submodule(str(node.target)),
                                                  nn.BatchNorm2d):
        return None
    conv = node.args[0]
    if not isinstance(conv, fx.Node):
        return None
    ok = (conv.op == "call_module" and len(conv.users) == 1
          and isinstance(gm.get_submodule(str(conv.target)), nn.Conv2d))
    return conv if ok else None


def join_channels_last(gm: fx.GraphModule) -> None:
    """Channels-last layers in a row, maybe with element-wise ops between, pass NHWC on
    instead of permuting back and forth (:class:`resgraph.lower_fx.ChannelsLast`)."""
    for node in gm.graph.nodes:
        layer, user = _channels_last(gm, node), node
        while layer is not None and len(user.users) == 1:
            (user,) = user.users
            following = _channels_last(gm, user)
            if following is not None:
                layer.permute_out = following.permute_in = False
                break
            if user.op != "call_function" or user.meta.get(keys.OP) not in ELEMENTWISE:
                break


def _channels_last(gm: fx.GraphModule, node: fx.Node) -> ChannelsLast | None:
    module = gm.get_submodule(str(node.target)) if node.op == "call_module" else None
    return module if isinstance(module, ChannelsLast) else None


def _set_submodule(gm: nn.Module, target: str, module: nn.Module) -> None:
    parent, _, name = target.rpartition(".")
    setattr(gm.get_submodule(parent) if parent else gm, name, module)


def scope_functions(gm: fx.GraphModule) -> None:
    """Turn each scoped ``call_function`` node into a call of a :class:`ScopedOp` at its scope."""
    for node in list(gm.graph.nodes):
        scope = node.meta.get(keys.SCOPE)
        if node.op != "call_function" or not scope:
            continue
        inputs = list(node.all_input_nodes)
        slots: dict[fx.Node, Any] = {n: _Slot(i) for i, n in enumerate(inputs)}
        op = ScopedOp(node.target, fx.node.map_arg(node.args, slots.__getitem__),
                      fx.node.map_arg(node.kwargs, slots.__getitem__))
        gm.add_submodule(scope, op)
        with gm.graph.inserting_before(node):
            call = gm.graph.call_module(scope, tuple(inputs))
        call.meta.update(node.meta)
        node.replace_all_uses_with(call)
        gm.graph.erase_node(node)


def cast_edges(gm: fx.GraphModule, dtype: torch.dtype) -> None:
    """fp32 in, ``dtype`` inside, fp32 out."""
    placeholder = next(n for n in gm.graph.nodes if n.op == "placeholder")
    with gm.graph.inserting_after(placeholder):
        cast_in = gm.graph.call_method("to", (placeholder, dtype))
    placeholder.replace_all_uses_with(cast_in, delete_user_cb=lambda user: user is not cast_in)
    output = next(n for n in gm.graph.nodes if n.op == "output")
    for result in output.all_input_nodes:  # each of several outputs
        with gm.graph.inserting_before(output):
            cast_out = gm.graph.call_method("to", (result, torch.float32))
        output.replace_input_with(result, cast_out)


# exporting -------------------------------------------------------------------------------


def _export(gm: fx.GraphModule, graph: Graph, lo: int, hi: int | None,
            opset: int | None, outputs: list[str]) -> Any:
    example = torch.randn(_example_batch(lo, hi), *graph.input_shape)
    dynamic = None
    if hi != lo:
        dim = torch.export.Dim(BATCH_SYMBOL, min=lo, max=hi) if hi else torch.export.Dim(
            BATCH_SYMBOL, min=lo)
        dynamic = ({0: dim},)
    registration = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = registration.level
    registration.setLevel(logging.ERROR)  # "torchvision is not installed" is no news here
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(gm, (example,), dynamo=True, opset_version=opset,
                                        input_names=[INPUT_NAME], output_names=outputs,
                                        dynamic_shapes=dynamic, optimize=False, verbose=False,
                                        report=False)
    finally:
        registration.setLevel(level)
    if program is None:
        raise RuntimeError("torch.onnx.export returned no program")
    optimize(program.model)
    return program.model_proto


def _example_batch(lo: int, hi: int | None) -> int:
    """The batch to trace with: inside the range, and 2 or more when the batch is dynamic (the
    exporter would specialise a dimension traced at 1)."""
    if hi == lo:
        return lo
    return max(2, lo) if hi is None else min(max(2, lo), hi)


def optimize(model: Any) -> None:
    """Clean an exported ``onnx_ir`` model in place with onnxscript's public passes: fold
    constants (the exporter's shape arithmetic, a flatten's Concat, BN's broadcast
    statistics), drop what nothing uses, lift constants into initializers and merge common
    subexpressions. No pattern rewrite runs: the exporter's default rule set would also fold
    Conv + BN, which is :func:`fold_batchnorm`'s decision alone."""
    from onnxscript import ir, optimizer

    optimizer.fold_constants(model)
    passes = ir.passes.common
    ir.passes.Sequential(
        passes.RemoveUnusedNodesPass(),
        passes.LiftConstantsToInitializersPass(lift_all_constants=True, size_limit=0),
        passes.CommonSubexpressionEliminationPass(),
        passes.RemoveUnusedNodesPass(),
        passes.RemoveUnusedOpsetsPass(),
    )(model)


def name_nodes(model: Any, scopes: set[str]) -> dict[str, str]:
    """Rename every node after the deepest spec scope among its name scopes; drop the
    exporter's bulky metadata (stack traces, FX dumps), keeping the scope. Returns name → scope."""
    by_scope: dict[str, list[Any]] = {}
    for node in model.graph.node:
        scope = _scope_of(node, scopes)
        del node.metadata_props[:]
        if scope is not None:
            by_scope.setdefault(scope, []).append(node)
    _name_edge_casts(model)
    table: dict[str, str] = {}
    for scope, nodes in by_scope.items():
        counts: dict[str, int] = {}
        for node in nodes:
            name = scope
            if len(nodes) > 1:
                k = counts[node.op_type] = counts.get(node.op_type, 0) + 1
                name = f"{scope}/{node.op_type}" + (f"_{k - 1}" if k > 1 else "")
            node.name = name
            entry = node.metadata_props.add()
            entry.key, entry.value = SCOPE_KEY, scope
            table[name] = scope
    return table


def _name_edge_casts(model: Any) -> None:
    """The fp32 ↔ fp16/bf16 casts at the edges: ``input/Cast`` and ``output/Cast`` (each
    output's, by its name)."""
    outputs = {o.name for o in model.graph.output}
    for node in model.graph.node:
        if node.op_type == "Cast" and INPUT_NAME in node.input:
            node.name = f"{INPUT_NAME}/Cast"
        elif node.op_type == "Cast" and (named := outputs & set(node.output)):
            node.name = f"{named.pop()}/Cast"


def _scope_of(node: Any, scopes: set[str]) -> str | None:
    props = {p.key: p.value for p in node.metadata_props}
    raw = props.get("pkg.torch.onnx.name_scopes")
    if raw is None:
        return None
    try:
        stack = ast.literal_eval(raw)  # the repr of a list of strings
    except (SyntaxError, ValueError):
        return None
    return next((s for s in reversed(stack) if s in scopes), None)


def _annotate(model: Any, graph: Graph, precision: str, folded: dict[str, str],
              batch: str) -> None:
    for key, value in (("resgraph.network", graph.name),
                       ("resgraph.params", json.dumps(graph.params, default=str)),
                       ("resgraph.precision", precision),
                       ("resgraph.batch", batch),
                       ("resgraph.folded_bn", json.dumps(folded))):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value


def _opset(model: Any) -> int:
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


__all__ = ["BATCH_SYMBOL", "DTYPES", "INPUT_NAME", "MIN_OPSET", "OUTPUT_NAME", "ExportError",
           "ExportInfo", "MissingExtra", "check_opset", "export_onnx", "parse_batch"]
