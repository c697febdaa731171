"""import_fx: any traceable PyTorch model → the resgraph IR, so every analysis runs on it.

The model is traced with ``torch.fx.symbolic_trace`` (a ``GraphModule`` is taken as it is)
and its shapes come from shape propagation on fake (``meta``-backed) tensors, so nothing is
computed and no activation memory is allocated. Each FX node becomes an IR node of the op
kinds of :mod:`resgraph.ops`; layers that change nothing (dropout, identity, ``contiguous``)
are dropped, and size queries vanish with them.

Names are module scopes: a ``call_module`` node keeps its module path (``layer1.0.conv1``);
a function call gets ``<scope>.<op><k>`` (``layer1.0.add1``), where the scope is the module
whose ``forward`` made the call, read from FX's ``nn_module_stack`` or, for a graph built
without it, recovered from the node's name (``layer1_0_relu1`` → ``layer1.0.relu1``). Stages
and blocks come from the module tree: a top-level module that holds modules that hold modules
(``layer1``, holding ``layer1.0``) is a stage and each such child a block; nodes before the
first stage belong to ``stem``, those after the last to ``head``.

``resgraph.compile``'s GraphModules carry their IR under :data:`~resgraph.analysis.keys.GRAPH`;
this importer ignores it and every ``resgraph.*`` node meta key, so that comparing the two
routes tests something.

On the traced ``GraphModule``'s FX nodes (not the IR) it leaves one key,
:data:`~resgraph.analysis.keys.IMPORT_SHAPE`.
"""

from __future__ import annotations

import inspect
import operator
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from resgraph.analysis.keys import IMPORT_SHAPE
from resgraph.errors import UsageError
from resgraph.ir import BlockInfo, Graph, Node, StageInfo
from resgraph.lower_fx import pad_channels
from resgraph.ops import pair


class ImportFxError(UsageError):
    """The model cannot be traced, or uses an operation resgraph has no op kind for."""


Attrs = dict[str, Any]


# what each FX node becomes -----------------------------------------------------------------------


def _conv_attrs(m: nn.Conv2d, shape: tuple[int, ...]) -> Attrs:
    if m.padding_mode != "zeros":
        raise ImportFxError(f"conv padding_mode '{m.padding_mode}' is not supported")
    kernel, dilation = pair(m.kernel_size), pair(m.dilation)
    if isinstance(m.padding, str):  # "same" or "valid"
        pad = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation)) \
            if m.padding == "same" else (0, 0)
    else:
        pad = pair(m.padding)
    return {"kernel": kernel, "out": m.out_channels, "stride": pair(m.stride), "pad": pad,
            "groups": m.groups, "dilation": dilation, "bias": m.bias is not None}


def _bn_attrs(m: nn.BatchNorm2d) -> Attrs:
    w = m.weight
    zero = w is not None and w.device.type != "meta" and bool((w == 0).all())
    return {"zero_init": zero}


def _pool_attrs(kernel: Any, stride: Any, pad: Any, ceil: bool) -> Attrs:
    return {"kernel": pair(kernel), "stride": pair(stride if stride else kernel),
            "pad": pair(pad), "ceil": bool(ceil)}


def _module_op(m: nn.Module, shape: tuple[int, ...]) -> tuple[str, Attrs] | None:
    """The op kind and attributes of a leaf module; None for one that passes its input on."""
    if isinstance(m, nn.Conv2d):
        return "conv", _conv_attrs(m, shape)
    if isinstance(m, nn.BatchNorm2d):
        return "bn", _bn_attrs(m)
    if isinstance(m, nn.Linear):
        return "linear", {"out": m.out_features, "bias": m.bias is not None}
    if isinstance(m, nn.ReLU):
        return "relu", {}
    if isinstance(m, nn.Sigmoid):
        return "sigmoid", {}
    if isinstance(m, nn.MaxPool2d):
        if pair(m.dilation) != (1, 1):
            raise ImportFxError("dilated max pooling is not supported")
        return "maxpool", _pool_attrs(m.kernel_size, m.stride, m.padding, m.ceil_mode)
    if isinstance(m, nn.AvgPool2d):
        return "avgpool", {**_pool_attrs(m.kernel_size, m.stride, m.padding, m.ceil_mode),
                           "count_pad": m.count_include_pad}
    if isinstance(m, nn.AdaptiveAvgPool2d) and m.output_size in (1, (1, 1)):
        return "global_avgpool", {}
    if isinstance(m, nn.Flatten):
        return "flatten", {}
    if isinstance(m, (nn.Identity, nn.Dropout)):
        return None
    raise ImportFxError(f"no resgraph op for module {type(m).__name__}")


def _arg(node: fx.Node, i: int, key: str, default: Any) -> Any:
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(key, default)


def _is_spatial_mean(node: fx.Node) -> bool:
    """``x.mean((2, 3), keepdim=True)``: global average pooling as timm and others write it."""
    dims = _arg(node, 1, "dim", None)
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    if sorted(d % 4 for d in dims if isinstance(d, int)) != [2, 3] or len(dims) != 2:
        return False
    if not _arg(node, 2, "keepdim", False):
        raise ImportFxError(f"'{node.name}': a spatial mean without keepdim=True is not "
                            "supported; write x.mean((2, 3), keepdim=True) then flatten")
    return True


def _function_op(node: fx.Node, shape: tuple[int, ...]) -> tuple[str, Attrs] | None:
    """The op kind of a call_function or call_method node; None for a pass-through."""
    t = node.target
    if t in (F.relu, torch.relu, "relu", "relu_", F.relu_, torch.relu_):
        return "relu", {}
    if t in (torch.sigmoid, F.sigmoid, "sigmoid"):
        return "sigmoid", {}
    if t in (operator.add, operator.iadd, torch.add, "add", "add_"):
        return "add", {}
    if t in (operator.mul, operator.imul, torch.mul, "mul", "mul_"):
        return "mul", {}
    if t in (torch.cat, torch.concat):
        if _arg(node, 1, "dim", 0) not in (1, -3):
            raise ImportFxError("concatenation is supported along channels only")
        return "concat", {}
    if t is F.max_pool2d:
        k = _arg(node, 1, "kernel_size", None)
        return "maxpool", _pool_attrs(k, _arg(node, 2, "stride", None), _arg(node, 3, "padding", 0),
                                      _arg(node, 5, "ceil_mode", False))
    if t is F.avg_pool2d:
        k = _arg(node, 1, "kernel_size", None)
        return "avgpool", {**_pool_attrs(k, _arg(node, 2, "stride", None),
                                         _arg(node, 3, "padding", 0), _arg(node, 4, "ceil_mode", False)),
                           "count_pad": _arg(node, 5, "count_include_pad", True)}
    if t is F.adaptive_avg_pool2d and pair(_arg(node, 1, "output_size", None)) == (1, 1):
        return "global_avgpool", {}
    if t in (torch.mean, "mean") and _is_spatial_mean(node):
        return "global_avgpool", {}
    if t in (torch.flatten, "flatten", "view", "reshape", torch.reshape):
        return ("flatten", {}) if len(shape) == 1 else None
    if t is pad_channels:
        return "pad_channels", {"out": _arg(node, 1, "out", None), "stride": _arg(node, 2, "stride", 1)}
    if t in (F.dropout, "contiguous", "clone"):
        return None
    name = getattr(t, "__name__", t)
    raise ImportFxError(f"no resgraph op for '{name}' (FX node '{node.name}')")


# tracing and shapes ------------------------------------------------------------------------------


def _trace(model: nn.Module) -> fx.GraphModule:
    """The model's FX graph; extra ``forward`` arguments are fixed at their defaults."""
    if isinstance(model, fx.GraphModule):
        return model
    concrete = _concrete_args(model)
    try:
        return fx.symbolic_trace(model, concrete_args=concrete)
    except Exception as exc:  # symbolic tracing raises many kinds on data-dependent code
        raise ImportFxError(f"cannot trace {type(model).__name__} with torch.fx: "
                            f"{_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _concrete_args(model: nn.Module) -> dict[str, Any]:
    """Every ``forward`` parameter after the input, at its default: tracing specialises the
    model to the call ``model(x)``, which is the one resgraph analyses."""
    params = [p for p in inspect.signature(model.forward).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    required = [p.name for p in params[1:] if p.default is p.empty]
    what = type(model).__name__
    if not params:
        raise ImportFxError(f"{what}.forward takes no input; resgraph traces model(x)")
    if required:
        raise ImportFxError(f"{what}.forward needs {len(required) + 1} inputs "
                            f"({', '.join([params[0].name, *required])}); resgraph traces "
                            "models of one tensor input (give the others defaults)")
    return {p.name: p.default for p in params[1:]}


@contextmanager
def _mode(model: nn.Module, train: bool) -> Iterator[None]:
    """``model`` in training or evaluation mode while it is traced and its shapes found, as the
    caller left it afterwards: in eval mode training-only branches (auxiliary heads) are
    not traced and batch norm takes a batch of one."""
    before = {m: m.training for m in model.modules()}
    model.train(train)
    try:
        yield
    finally:
        for m, training in before.items():
            m.training = training


class _ShapeRecorder(fx.Interpreter):
    """Runs the graph and notes every tensor result's shape on its node."""

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        if isinstance(result, torch.Tensor):
            n.meta[IMPORT_SHAPE] = tuple(int(d) for d in result.shape)
        return result


def _propagate(gm: fx.GraphModule, input_shape: tuple[int, ...], batch: int) -> None:
    """Shapes for every node, on fake tensors: nothing allocated, nothing computed.

    Real weights are turned into fake ones as ops meet them, so the model is not copied. In
    training mode the batch is 2, since batch norm needs two values per channel to train.
    """
    from torch._subclasses.fake_tensor import FakeTensorMode

    param = next(iter(gm.parameters()), None)
    device = param.device if param is not None else torch.device("cpu")
    with FakeTensorMode(allow_non_fake_inputs=True), torch.no_grad():
        x = torch.empty((batch, *input_shape), device=device)
        try:
            _ShapeRecorder(gm).run(x)
        except Exception as exc:
            first = _first_line(exc)
            raise ImportFxError(f"shape propagation of a {batch}x{'x'.join(map(str, input_shape))} "
                                f"input failed: {first}") from exc


def _shape(node: fx.Node) -> tuple[int, ...] | None:
    shape = node.meta.get(IMPORT_SHAPE)
    return None if shape is None else shape[1:]


# names, stages and blocks ------------------------------------------------------------------------


class _Scopes:
    """Module scopes of FX nodes, and stage and block membership from the module tree."""

    def __init__(self, model: nn.Module) -> None:
        self.modules = dict(model.named_modules())  # the model's own classes, not FX's copies
        self.mangled = {path.replace(".", "_"): path for path in self.modules if path}
        self.counts: Counter[str] = Counter()
        self.used: set[str] = set()

    def name(self, node: fx.Node, op: str) -> str:
        if node.op == "call_module":
            return self._unique(str(node.target))
        scope = self._scope(node)
        self.counts[(scope, op)] += 1  # type: ignore[index]
        leaf = f"{op}{self.counts[(scope, op)]}"  # type: ignore[index]
        return self._unique(f"{scope}.{leaf}" if scope else leaf)

    def _scope(self, node: fx.Node) -> str:
        stack = node.meta.get("nn_module_stack")
        if stack:
            return str(next(reversed(stack.values()))[0])
        best = ""
        for mangled, path in self.mangled.items():
            if node.name.startswith(mangled + "_") and len(path) > len(best) and self._holder(path):
                best = path
        return best

    def demangled(self, node: fx.Node) -> str | None:
        """``layer1_0_relu1`` → ``layer1.0.relu1`` for graphs without module stacks."""
        if node.meta.get("nn_module_stack"):
            return None
        scope = self._scope(node)
        if not scope:
            return node.name
        return f"{scope}.{node.name[len(scope) + 1:]}"

    def _unique(self, name: str) -> str:
        base, k = name, 1
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name

    def _holder(self, path: str) -> bool:
        return any(True for _ in self.modules[path].children())

    def is_stage(self, top: str) -> bool:
        m = self.modules.get(top)
        return m is not None and any(any(True for _ in c.children()) for c in m.children())

    def block_of(self, name: str) -> str | None:
        parts = name.split(".")
        if len(parts) < 3 or not self.is_stage(parts[0]):
            return None
        path = f"{parts[0]}.{parts[1]}"
        return path if path in self.modules and self._holder(path) else None


# the import ---------------------------------------------------------------------------------------


def import_fx(model: nn.Module, input_shape: tuple[int, ...], name: str | None = None, *,
              train: bool = False) -> Graph:
    """Trace ``model`` on an ``input_shape`` input and build its IR graph, in evaluation mode
    unless ``train`` (the model's modes are restored afterwards)."""
    with _mode(model, train):
        gm = _trace(model)
        _propagate(gm, tuple(input_shape), 2 if train else 1)
    scopes = _Scopes(model)
    graph = Graph(name=name or type(model).__name__, input_shape=tuple(input_shape))
    alias: dict[fx.Node, str] = {}
    seen_stage = False
    for node in gm.graph.nodes:
        if node.op == "output":
            graph.output = _input_names(node, alias)[0]
            continue
        if node.op == "placeholder":
            if graph.nodes:
                continue  # an extra forward argument, fixed at its default by the trace
            graph.add(Node("input", "input", (), {}, tuple(input_shape), "stem"))
            alias[node] = "input"
            continue
        shape = _shape(node)
        if shape is None or node.op == "get_attr":
            continue  # sizes, attributes: not tensors of the data flow
        kind = _classify(gm, node, shape)
        inputs = _input_names(node, alias)
        if kind is None:
            alias[node] = inputs[0]
            continue
        op, attrs = kind
        ir_name = scopes.demangled(node) if node.op != "call_module" else None
        ir_name = scopes._unique(ir_name) if ir_name else scopes.name(node, op)
        stage = ir_name.split(".")[0]
        if scopes.is_stage(stage) and "." in ir_name:
            seen_stage = True
        else:
            stage = "head" if seen_stage else "stem"
        graph.add(Node(ir_name, op, tuple(inputs), attrs, shape, stage, scopes.block_of(ir_name)))
        alias[node] = ir_name
    _structure(graph, scopes)
    return graph


def _classify(gm: fx.GraphModule, node: fx.Node, shape: tuple[int, ...]) -> tuple[str, Attrs] | None:
    if node.op == "call_module":
        return _module_op(gm.get_submodule(str(node.target)), shape)
    if node.op in ("call_function", "call_method"):
        return _function_op(node, shape)
    raise ImportFxError(f"unsupported FX node kind '{node.op}' ({node.name})")


def _input_names(node: fx.Node, alias: dict[fx.Node, str]) -> list[str]:
    """The IR names of a node's tensor inputs, in argument order (lists flattened, for cat)."""
    names: list[str] = []
    fx.node.map_arg((node.args, node.kwargs), lambda a: names.append(alias[a]) if a in alias else None)
    return names


def _structure(graph: Graph, scopes: _Scopes) -> None:
    """Fill ``graph.blocks`` and ``graph.stages`` from the nodes' block and stage."""
    members: dict[str, list[Node]] = {}
    for node in graph:
        if node.block:
            members.setdefault(node.block, []).append(node)
    for block, nodes in members.items():
        inside = {n.name for n in nodes}
        entry = next(i for n in nodes for i in n.inputs if i not in inside)
        graph.blocks[block] = BlockInfo(block, type(scopes.modules[block]).__name__, nodes[0].stage,
                                        entry, nodes[-1].name, {}, {})
    for stage in dict.fromkeys(b.stage for b in graph.blocks.values()):
        blocks = [b for b in graph.blocks.values() if b.stage == stage]
        first, last = graph.nodes[blocks[0].input].shape, graph.nodes[blocks[-1].output].shape
        stride = first[-1] // last[-1] if len(first) == 3 and len(last) == 3 else 1
        kind = Counter(b.type for b in blocks).most_common(1)[0][0]
        graph.stages.append(StageInfo(stage, kind, len(blocks), stride, [b.name for b in blocks]))
