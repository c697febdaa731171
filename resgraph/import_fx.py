"""import_fx: any traceable PyTorch model → the resgraph IR, so every analysis runs on it.

The model is traced with ``torch.fx.symbolic_trace`` (a ``GraphModule`` is taken as it is)
and its shapes come from shape propagation on fake (``meta``-backed) tensors, so nothing is
computed and no activation memory is allocated. Each FX node becomes an IR node of the op
kinds of :mod:`resgraph.ops`; layers that change nothing (identity, ``contiguous``) are
dropped, and size queries vanish with them. Dropout and stochastic depth stay, as the spec's
free ``dropout`` and ``stochastic_depth`` ops (their outputs are activations a spec counts).

Names are module scopes: a ``call_module`` node keeps its module path (``layer1.0.conv1``);
a function call gets ``<scope>.<op><k>`` (``layer1.0.add1``), where the scope is the module
whose ``forward`` made the call, read from FX's ``nn_module_stack`` or, for a graph built
without it, recovered from the node's name (``layer1_0_relu1`` → ``layer1.0.relu1``). Stages
and blocks come from the module tree and the residual additions: a module that adds is a
block and its parent a stage, at any depth (``layer1``, ``features.2``,
``trunk_output.block1``), with the parent's other deep children and the modules between two
stages (see :meth:`_Scopes.find_stages`); a flat stage of blocks between a stem and a head
layer (MobileNet's ``features``) splits where the width changes; top-level blocks group into
runs; a model without merges has its top-level modules that hold modules that hold modules
as stages. Nodes before the first stage belong
to ``stem``, those after the last to ``head``.

``resgraph.compile``'s GraphModules carry their IR under :data:`~resgraph.analysis.keys.GRAPH`;
this importer ignores it and every ``resgraph.*`` node meta key, so that comparing the two
routes tests something.

On the traced ``GraphModule``'s FX nodes (not the IR) it leaves one key,
:data:`~resgraph.analysis.keys.IMPORT_SHAPE`.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from resgraph.analysis.keys import CALLED, IMPORT_SHAPE, MODULE_PARAMS
from resgraph.analysis.report import uncounted_ops, uncounted_text
from resgraph.errors import UsageError
from resgraph.ir import BlockInfo, Graph, Node, StageInfo
from resgraph.lower_fx import StochasticDepth, pad_channels
from resgraph.ops import INTERPOLATION_FLOPS, PARAMETER_READERS, numel, pair


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


Kind = tuple[str, Attrs] | None


class _Call:
    """One FX call as the classifier sees it: its node, the per-sample shapes of its tensor
    inputs (the data flow's only: attributes and numbers are not among them) and output."""

    def __init__(self, node: fx.Node, ins: list[tuple[int, ...]], shape: tuple[int, ...]) -> None:
        self.node, self.ins, self.shape = node, ins, shape

    def arg(self, i: int, key: str, default: Any = None) -> Any:
        if len(self.node.args) > i:
            return self.node.args[i]
        return self.node.kwargs.get(key, default)

    def opaque(self, target: str) -> Kind:
        return "opaque", {"target": target, "shape": self.shape}


def _adaptive(op: str, c: _Call, size: Any) -> Kind:
    """Adaptive pooling: global for 1x1, else a plain window where the sides divide."""
    out = pair(size) if size is not None else (1, 1)
    if len(c.ins[0]) != 3:
        return None
    h, w = c.ins[0][1:]
    out = (out[0] or h, out[1] or w)
    if op == "avgpool" and out == (1, 1):
        return "global_avgpool", {}
    if h % out[0] or w % out[1]:
        return None
    k = (h // out[0], w // out[1])
    attrs = _pool_attrs(k, k, 0, False)
    return (op, {**attrs, "count_pad": True}) if op == "avgpool" else (op, attrs)


def _module_op(m: nn.Module, c: _Call) -> Kind:
    """The op kind and attributes of a leaf module; None for one that passes its input on."""
    if isinstance(m, nn.Identity):
        return None
    if isinstance(m, (nn.Dropout, nn.Dropout2d, StochasticDepth)):
        return ("dropout" if isinstance(m, nn.Dropout) else "stochastic_depth"), {"p": m.p}
    if isinstance(m, nn.Conv2d) and m.padding_mode == "zeros":
        return "conv", _conv_attrs(m, c.shape)
    if isinstance(m, nn.BatchNorm2d):
        return "bn", _bn_attrs(m)
    if isinstance(m, (nn.Linear, nn.LayerNorm)):
        return _channels_first(m, c) or _last_dims(m, c)
    if isinstance(m, nn.MaxPool2d) and pair(m.dilation) == (1, 1):
        return "maxpool", _pool_attrs(m.kernel_size, m.stride, m.padding, m.ceil_mode)
    if isinstance(m, nn.AvgPool2d):
        return "avgpool", {**_pool_attrs(m.kernel_size, m.stride, m.padding, m.ceil_mode),
                           "count_pad": m.count_include_pad}
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        op = "avgpool" if isinstance(m, nn.AdaptiveAvgPool2d) else "maxpool"
        return _adaptive(op, c, m.output_size) or c.opaque(type(m).__name__)
    if isinstance(m, nn.Flatten):
        return _layout(c)
    if isinstance(m, nn.Upsample):
        given = ("size", m.size) if m.size is not None else ("scale", m.scale_factor)
        return _interpolation(c, m.mode, given) or c.opaque(type(m).__name__)
    if isinstance(m, nn.Softmax):
        return "softmax", {"dim": m.dim}
    if isinstance(m, nn.GELU) and m.approximate != "none":
        return c.opaque("GELU(approximate='tanh')")
    for cls, op in _MODULE_ACTIVATIONS.items():
        if isinstance(m, cls):
            return op, {}
    return c.opaque(type(m).__name__)


def _channels_first(m: nn.Linear | nn.LayerNorm, c: _Call) -> Kind:
    """A linear layer or layer norm whose own ``forward`` applies it to each pixel's channels
    of a CxHxW map (``ChannelLinear``, ``LayerNorm2d``): the spec's ``channel_linear`` and
    ``layernorm``. Only an overridden ``forward`` can do that, so the shapes alone decide."""
    base = nn.Linear if isinstance(m, nn.Linear) else nn.LayerNorm
    if type(m).forward is base.forward or len(c.ins[0]) != 3 or len(c.shape) != 3 \
            or c.ins[0][1:] != c.shape[1:]:
        return None
    if isinstance(m, nn.Linear) and c.ins[0][0] == m.in_features:
        return "channel_linear", {"out": m.out_features, "bias": m.bias is not None}
    if isinstance(m, nn.LayerNorm) and tuple(m.normalized_shape) == c.ins[0][:1]:
        return "layernorm", {}
    return None


def _last_dims(m: nn.Linear | nn.LayerNorm, c: _Call) -> Kind:
    if isinstance(m, nn.Linear):
        return "linear", {"out": m.out_features, "bias": m.bias is not None}
    return _layer_norm(c, m.normalized_shape, m.weight)


def _layer_norm(c: _Call, normalized: Any, weight: Any) -> Kind:
    """A layer norm over the last ``len(normalized_shape)`` dimensions, affine when it has a
    weight; opaque (None) when those reach the batch. Shape propagation ran it, so torch has
    checked that they are the input's last sides, which a model often writes as
    ``x.shape[-1]`` (a traced value, not a number)."""
    dims = len(normalized) if isinstance(normalized, (tuple, list, torch.Size)) else 1
    if dims > len(c.ins[0]):
        return None
    return "layer_norm", {"dims": dims, "affine": weight is not None}


_MODULE_ACTIVATIONS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.ReLU6: "relu6", nn.SiLU: "silu",
                       nn.Hardsigmoid: "hardsigmoid", nn.Hardswish: "hardswish", nn.GELU: "gelu"}


def _layout(c: _Call) -> Kind:
    """A view, reshape or flatten: gone when it keeps the shape, opaque when it mixes samples."""
    before, after = c.ins[0], c.shape
    if after == before:
        return None
    if numel(after) != numel(before):
        return c.opaque(_target_name(c.node))
    return ("flatten", {}) if len(after) == 1 else ("reshape", {"shape": after})


def _permute(c: _Call, dims: tuple[int, ...]) -> Kind:
    rank = len(c.ins[0]) + 1
    dims = tuple(d % rank for d in dims)
    if dims[0] != 0:
        return c.opaque(_target_name(c.node))  # the batch moves: not a per-sample op
    if dims == tuple(range(rank)):
        return None
    return "permute", {"dims": tuple(d - 1 for d in dims[1:])}


def _dims(c: _Call) -> tuple[int, ...]:
    """The dimensions of permute(*dims) or permute(dims), of transpose(d0, d1) as a permutation."""
    rank = len(c.ins[0]) + 1
    if _target_name(c.node) in ("Tensor.permute", "torch.permute"):
        rest = c.node.args[1:] or (c.node.kwargs.get("dims"),)
        return tuple(rest[0] if len(rest) == 1 and isinstance(rest[0], (tuple, list)) else rest)
    a, b = (d % rank for d in (c.arg(1, "dim0"), c.arg(2, "dim1")))
    order = list(range(rank))
    order[a], order[b] = order[b], order[a]
    return tuple(order)


def _arith(c: _Call, fn: str) -> Kind:
    """``+`` and ``*`` of two tensors are the spec's add and mul; with a number, a parameter
    or broadcasting to a new shape, any arithmetic is element-wise."""
    if len(c.ins) == 2 and fn == "add" and c.ins[0] == c.ins[1]:
        return "add", {}
    if len(c.ins) == 2 and fn == "mul" and len(c.ins[0]) == len(c.ins[1]) == 3 \
            and c.shape in c.ins:
        return "mul", {}
    if fn == "mul" and _is_layer_scale(c):
        return "layer_scale", {}
    return "elementwise", {"fn": fn}


def _scale_param(node: fx.Node) -> fx.Node | None:
    """The parameter a product reads (ConvNeXt's ``self.layer_scale * x``), if it reads one."""
    return next((a for a in node.args if isinstance(a, fx.Node) and a.op == "get_attr"), None)


def _is_layer_scale(c: _Call) -> bool:
    """A feature map times a Cx1x1 parameter: the spec's ``layer_scale``."""
    param = _scale_param(c.node)
    return param is not None and len(c.ins) == 1 and len(c.shape) == 3 and c.shape == c.ins[0] \
        and param.meta.get(IMPORT_SHAPE) == (c.shape[0], 1, 1)


def _reduction(c: _Call, fn: str) -> Kind:
    """A sum or mean over per-sample dimensions; None (opaque) for one over the batch."""
    dims = c.arg(1, "dim")
    rank = len(c.ins[0]) + 1
    dims = () if dims is None else tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    dims = tuple(d % rank for d in dims)
    keep = bool(c.arg(2, "keepdim", False))
    if not dims or 0 in dims:
        return None
    if fn == "mean" and rank == 4 and sorted(dims) == [2, 3]:
        # timm's x.mean((2, 3), keepdim=True) pools; torchvision MNASNet's x.mean([2, 3]) flattens
        return ("global_avgpool" if keep else "spatial_mean"), {}
    return fn, {"dims": tuple(d - 1 for d in dims), "keepdim": keep}


def _function_op(c: _Call) -> Kind:
    """The op kind of a call_function or call_method node; None for a pass-through."""
    name = _target_name(c.node)
    short = name.rsplit(".", 1)[-1].rstrip("_")
    if c.node.target is pad_channels:
        return "pad_channels", {"out": c.arg(1, "out"), "stride": c.arg(2, "stride", 1)}
    if short in _PASS:
        return None  # no arithmetic
    rule = _FUNCTIONS.get(short)
    kind = rule(c) if rule else None
    return kind if kind is not None or short in _MAYBE_NONE else c.opaque(name)


def _interpolation(c: _Call, mode: str, given: tuple[str, Any]) -> Kind:
    """Nearest or bilinear resampling of a feature map; ``given`` is the size or scale as
    the call gave it, which some counters read instead of the output."""
    if mode not in INTERPOLATION_FLOPS or len(c.shape) != 3:
        return None
    kind, value = given
    value = tuple(value) if isinstance(value, (tuple, list)) else value
    return "interpolate", {"size": c.shape[1:], "mode": mode, "given": (kind, value)}


def _interpolate_call(c: _Call) -> Kind:
    size = c.arg(1, "size")
    given = ("size", size) if size is not None else ("scale", c.arg(2, "scale_factor"))
    return _interpolation(c, c.arg(3, "mode", "nearest"), given)


def _einsum_call(c: _Call) -> Kind:
    """``torch.einsum(equation, *operands)`` of one or two operands without ``...``: the
    index sizes from the operands' traced shapes; the batch's index must lead every tensor
    of the data flow and the output, and appear in no parameter."""
    equation, *operands = c.node.args
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    equation = str(equation).replace(" ", "")
    if "->" not in equation or "." in equation or not 1 <= len(operands) <= 2:
        return None
    ins, out = equation.split("->")
    subscripts = ins.split(",")
    shapes: list[tuple[int, ...]] = [
        a.meta.get(IMPORT_SHAPE, ()) if isinstance(a, fx.Node) else () for a in operands]
    data = [isinstance(a, fx.Node) and a.op != "get_attr" for a in operands]
    if any(len(s) != len(sub) for s, sub in zip(shapes, subscripts)) \
            or len(subscripts) != len(operands) or data.count(True) != len(c.ins) or not out:
        return None
    batch = out[0]
    if any((sub[:1] == batch) != d or batch in sub[1:] for sub, d in zip(subscripts, data)):
        return None
    sizes = {i: n for sub, shape in zip(subscripts, shapes) for i, n in zip(sub, shape)}
    sizes.pop(batch)
    return "einsum", {"equation": equation, "sizes": tuple(sorted(sizes.items())),
                      "batch": batch, "weights": data.count(False)}


def _cat(c: _Call) -> Kind:
    dim = c.arg(1, "dim", 0) % (len(c.shape) + 1)
    return ("concat", {}) if dim == 1 and len(c.shape) == 3 else ("cat", {"dim": dim - 1})


def _pool(op: str) -> Callable[[_Call], Kind]:
    def rule(c: _Call) -> Kind:
        k = c.arg(1, "kernel_size")
        attrs = _pool_attrs(k, c.arg(2, "stride"), c.arg(3, "padding", 0),
                            c.arg(5 if op == "maxpool" else 4, "ceil_mode", False))
        if op == "avgpool":
            return op, {**attrs, "count_pad": c.arg(5, "count_include_pad", True)}
        return (op, attrs) if pair(c.arg(4, "dilation", 1)) == (1, 1) else None
    return rule


def _plain(op: str) -> Callable[[_Call], Kind]:
    """An element-wise op of the same name without attributes (``F.silu`` → ``silu``)."""
    return lambda c: (op, {})


_PASS = frozenset({"contiguous", "clone", "detach"})
#: rules that return None to drop a node that changes nothing, not to give up on it
_MAYBE_NONE = frozenset({"view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze",
                         "permute", "transpose", "swapaxes"})
_FUNCTIONS: dict[str, Callable[[_Call], Kind]] = {
    **{name: _plain(name) for name in ("relu", "sigmoid", "relu6", "silu", "hardsigmoid",
                                       "hardswish")},
    "gelu": lambda c: ("gelu", {}) if c.arg(1, "approximate", "none") == "none" else None,
    "add": lambda c: _arith(c, "add"), "iadd": lambda c: _arith(c, "add"),
    "mul": lambda c: _arith(c, "mul"), "imul": lambda c: _arith(c, "mul"),
    "sub": lambda c: _arith(c, "sub"), "isub": lambda c: _arith(c, "sub"),
    "truediv": lambda c: _arith(c, "div"), "div": lambda c: _arith(c, "div"),
    "neg": lambda c: _arith(c, "neg"),
    "cat": _cat, "concat": _cat,
    "stack": lambda c: ("stack", {"dim": c.arg(1, "dim", 0) % (len(c.shape) + 1) - 1}),
    "max_pool2d": _pool("maxpool"), "avg_pool2d": _pool("avgpool"),
    "adaptive_avg_pool2d": lambda c: _adaptive("avgpool", c, c.arg(1, "output_size")),
    "adaptive_max_pool2d": lambda c: _adaptive("maxpool", c, c.arg(1, "output_size")),
    "mean": lambda c: _reduction(c, "mean"), "sum": lambda c: _reduction(c, "sum"),
    **dict.fromkeys(("view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze"), _layout),
    **dict.fromkeys(("permute", "transpose", "swapaxes"), lambda c: _permute(c, _dims(c))),
    "getitem": lambda c: ("part", {"shape": c.shape}),
    "narrow": lambda c: ("part", {"shape": c.shape}),
    "select": lambda c: ("part", {"shape": c.shape}),
    **dict.fromkeys(("matmul", "bmm"), lambda c: ("matmul", {}) if len(c.ins) == 2 else None),
    "softmax": lambda c: ("softmax", {"dim": c.arg(1, "dim")}),
    "scaled_dot_product_attention":
        lambda c: ("attention", {"causal": bool(c.arg(5, "is_causal", False))})
        if len(c.ins) >= 3 else None,
    # zero-cost nodes in eval, kept as the spec keeps them (the memory of their outputs counts)
    **dict.fromkeys(("dropout", "dropout2d", "alpha_dropout"),
                    lambda c: ("dropout", {"p": c.arg(1, "p", 0.5)})),
    "stochastic_depth": lambda c: ("stochastic_depth", {"p": c.arg(1, "p")}),
    "layer_norm": lambda c: _layer_norm(c, c.arg(1, "normalized_shape"), c.arg(2, "weight")),
    "interpolate": _interpolate_call, "upsample": _interpolate_call,
    "einsum": _einsum_call,
    "batch_norm": lambda c: ("bn", {"zero_init": False}) if len(c.ins[0]) == 3 else None,
}


def _target_name(node: fx.Node) -> str:
    """``F.gelu``, ``torch.cat``, ``operator.add``, ``Tensor.mean``: what a listing shows."""
    t = node.target
    if node.op == "call_method":
        return f"Tensor.{t}"
    module = getattr(t, "__module__", None) or ""
    if getattr(F, getattr(t, "__name__", ""), None) is t:
        module = "F"  # F.avg_pool2d is torch._C._nn's: named as the model calls it
    module = {"torch.nn.functional": "F", "_operator": "operator"}.get(module, module)
    return f"{module}.{getattr(t, '__name__', t)}" if module else str(getattr(t, "__name__", t))


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


def _heights(model: nn.Module) -> dict[str, int]:
    """Each module's height in the module tree: 0 for a leaf, 1 for a module of leaves."""
    heights: dict[str, int] = {}
    for path, m in reversed(list(model.named_modules())):
        heights[path] = 1 + max((heights.get(f"{path}.{n}" if path else n, 0)
                                 for n, _ in m.named_children()), default=-1)
    return heights


class _Scopes:
    """Module scopes of FX nodes, and stage and block membership from the module tree."""

    def __init__(self, model: nn.Module) -> None:
        self.modules = dict(model.named_modules())  # the model's own classes, not FX's copies
        # FX names a node by its path with every character not in [0-9a-zA-Z_] as one "_"
        # (torch.fx.graph._Namespace.create_name): RegNet's block4-1 is block4_1
        self.mangled = {re.sub(r"[^0-9a-zA-Z_]+", "_", path): path for path in self.modules if path}
        self.counts: Counter[str] = Counter()
        self.used: set[str] = set()
        self.heights = _heights(model)
        self.root_blocks: set[str] = set()
        self.merging: set[str] = set()
        self.flat: dict[str, list[str]] = {}
        #: stage path → whether its children are its blocks (else it is its one block)
        self.stages: dict[str, bool] = {}

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
        return self.heights.get(path, 0) >= 1

    def find_stages(self, residual: set[str], order: dict[str, int]) -> None:
        """Stages from the module tree and the scopes of merges (additions, concatenations).

        A block is a module that merges (``layer1.0``, ``features.2.1``,
        ``trunk_output.block1.block1-0``, DenseNet's ``features.denseblock1``) and a stage
        its parent, at any depth; its siblings that hold modules that hold modules are
        stages too (EfficientNet's ``features.1``, whose one block does not add), and a
        module between two stages is a stage of one block, itself (ConvNeXt's downsampling
        ``features.2``). Top-level modules that merge (Inception's ``Mixed_5b``,
        GoogLeNet's ``inception3a``) are blocks that :func:`_root_runs` groups into stages;
        other top-level modules that hold modules that hold modules are stages. ``order``
        gives each module's place in the data flow (a GraphModule's children are not in
        that order)."""
        self.merging = residual
        self.root_blocks = {r for r in residual if r and "." not in r and r in self.modules}
        parents = {r.rsplit(".", 1)[0] for r in residual if "." in r and r in self.modules}
        outermost = {p for p in parents if not any(p.startswith(q + ".") for q in parents)}
        for container in {p.rsplit(".", 1)[0] if "." in p else "" for p in outermost}:
            self._siblings(container, outermost, order)
        for top in (p for p in self.modules if p and "." not in p and p not in self.root_blocks):
            if self.heights[top] >= 2 and not any(s == top or s.startswith(top + ".")
                                                  for s in self.stages):
                self.stages[top] = True

    def _siblings(self, container: str, found: set[str], order: dict[str, int]) -> None:
        kids = sorted((f"{container}.{n}" if container else n
                       for n, _ in self.modules[container].named_children()),
                      key=lambda p: order.get(p, len(order)))
        marks = [i for i, p in enumerate(kids) if p in found or self.heights.get(p, 0) >= 2]
        for i, path in enumerate(kids):
            if i in marks:
                self.stages[path] = True
            elif marks and marks[0] < i < marks[-1] and self._holder(path):
                self.stages[path] = False

    def flat_stages(self, order: dict[str, int]) -> dict[str, list[str]]:
        """The stages whose children are blocks between a stem and a head layer, and no
        other (MobileNet's ``features``), each with its blocks: a child that merges or holds
        modules that hold modules is a block, any other a layer."""
        for stage, of_blocks in self.stages.items():
            kids = sorted((f"{stage}.{n}" for n, _ in self.modules[stage].named_children()),
                          key=lambda p: order.get(p, len(order)))
            block = [k in self.merging or self.heights.get(k, 0) >= 2 for k in kids]
            if not of_blocks or all(block) or not any(block):
                continue
            first, last = block.index(True), len(block) - block[::-1].index(True)
            if all(block[first:last]):
                self.flat[stage] = kids[first:last]
        return self.flat

    def stage_of(self, name: str) -> str | None:
        """The stage whose module holds the node ``name``: the longest stage path before it."""
        parts = name.split(".")
        return next((p for p in (".".join(parts[:k]) for k in range(len(parts) - 1, 0, -1))
                     if p in self.stages), None)

    def block_of(self, name: str) -> str | None:
        stage = self.stage_of(name)
        if stage is None or not self.stages[stage]:
            return stage  # a stage of one block, the stage's own module
        path = ".".join(name.split(".")[:stage.count(".") + 2])
        return path if path != name and path in self.modules and self._holder(path) else None


# the import ---------------------------------------------------------------------------------------


def import_fx(model: nn.Module, input_shape: tuple[int, ...], name: str | None = None, *,
              train: bool = False, strict: bool = False) -> Graph:
    """Trace ``model`` on an ``input_shape`` input and build its IR graph, in evaluation mode
    unless ``train`` (the model's modes are restored afterwards). An op resgraph cannot count
    becomes an ``opaque`` node; with ``strict`` they are an error that names them all."""
    with _mode(model, train):
        gm = _trace(model)
        _propagate(gm, tuple(input_shape), 2 if train else 1)
    graph = Graph(name=name or type(model).__name__, input_shape=tuple(input_shape))
    scopes = _Scopes(model)
    _Importer(gm, graph, scopes).run()
    _structure(graph, scopes)
    graph.meta[MODULE_PARAMS] = {"total": sum(p.numel() for p in model.parameters()),
                                 "not_reached": _not_reached(model, gm)}
    lost = uncounted_ops(graph)
    if strict and lost:
        raise ImportFxError(f"--strict: {type(model).__name__} uses ops resgraph cannot count: "
                            + uncounted_text(lost))
    return graph


def _not_reached(model: nn.Module, gm: fx.GraphModule) -> list[str]:
    """The submodules whose parameters the trace never uses (Inception's ``AuxLogits`` in
    eval mode), each the outermost module all of whose parameters are unused."""
    used = {str(n.target) for n in gm.graph.nodes if n.op in ("call_module", "get_attr")}
    names = [name for name, _ in model.named_parameters()]
    missing = {p for p in names if not any(p == u or p.startswith(u + ".") for u in used)}
    out: dict[str, None] = {}
    for p in names:
        if p in missing:
            parts = p.split(".")[:-1] or p.split(".")
            out[next(prefix for prefix in (".".join(parts[:k]) for k in range(1, len(parts) + 1))
                     if all(q in missing for q in names if q.startswith(prefix + ".")))] = None
    return list(out)


class _Importer:
    """FX nodes → IR nodes, in order; ``alias`` maps each FX node to the IR node that holds its
    value, and ``tuples`` a node that returns several tensors to the inputs it read."""

    def __init__(self, gm: fx.GraphModule, graph: Graph, scopes: _Scopes) -> None:
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

    def run(self) -> None:
        for node in self.gm.graph.nodes:
            if node.op == "output":
                self.graph.output = _input_names(node, self.alias)[0]
            elif node.op == "placeholder":
                self._placeholder(node)
            elif node.op == "get_attr":  # attributes: not tensors of the data flow
                self._attribute(node)
            else:
                self._call(node)

    def _placeholder(self, node: fx.Node) -> None:
        if self.graph.nodes:
            return  # an extra forward argument, fixed at its default by the trace
        self.graph.add(Node("input", "input", (), {}, self.graph.input_shape, "stem"))
        self.alias[node] = "input"

    def _call(self, node: fx.Node) -> None:
        shape = _shape(node)
        first = node.args[0] if node.args else None
        if isinstance(first, fx.Node) and first in self.results:
            self._result(node, first)
            return
        source = first if isinstance(first, fx.Node) and first in self.tuples else None
        inputs = self.tuples[source] if source is not None else _input_names(node, self.alias)
        if node.op == "call_module" and self._attention(node, inputs):
            return
        if shape is None:
            if inputs and node.op.startswith("call_"):
                self.tuples[node] = inputs  # chunk, split, attention: parts taken by getitem
            return  # sizes and other numbers
        if not inputs:  # made of weights and constants alone: the same for every input
            self.reads[node] = self._read(node)
            return
        call = _Call(node, [self.graph.nodes[i].shape for i in inputs], shape)
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
        index, shape = node.args[1], _shape(node)
        found = results[index] if isinstance(index, int) else None
        if found is not None:
            self.alias[node] = found
        elif node.users and shape is not None:
            kind = _Call(node, [], shape).opaque(f"{self._called(source)} weights")
            self._add(node, kind, [computed_from], shape, source)  # type: ignore[arg-type]

    def _kind(self, call: _Call, source: fx.Node | None) -> Kind:
        if source is not None:
            split = _target_name(source).rsplit(".", 1)[-1] in _SPLITS
            return ("part", {"shape": call.shape}) if split else call.opaque(self._called(source))
        if call.node.op == "call_module":
            return _module_op(self.gm.get_submodule(str(call.node.target)), call)
        return _function_op(call)

    def _called(self, node: fx.Node) -> str:
        if node.op == "call_module":
            return type(self.gm.get_submodule(str(node.target))).__name__
        return _target_name(node)

    def _add(self, node: fx.Node, kind: tuple[str, Attrs], inputs: list[str],
             shape: tuple[int, ...], origin: fx.Node, name: str | None = None) -> str:
        op, attrs = kind
        scopes = self.scopes
        ir_name = scopes.demangled(node) if node.op != "call_module" else name
        if op == "layer_scale":  # named by its parameter, as a spec's layer scale is
            ir_name = str(_scale_param(node).target)  # type: ignore[union-attr]
        ir_name = scopes._unique(ir_name) if ir_name else scopes.name(node, op)
        ir = Node(ir_name, op, tuple(inputs), attrs, shape, "stem")  # stages: _structure
        ir.meta[CALLED] = f"{origin.op.removeprefix('call_')}:{self._called(origin)}"
        self.graph.add(ir)
        self.alias[node] = ir_name
        return ir_name


#: what returns several tensors that getitem takes apart, each part free
_SPLITS = frozenset({"chunk", "split", "unbind", "tensor_split", "split_with_sizes"})


def _input_names(node: fx.Node, alias: dict[fx.Node, str]) -> list[str]:
    """The IR names of a node's tensor inputs, in argument order (lists flattened, for cat)."""
    names: list[str] = []
    fx.node.map_arg((node.args, node.kwargs), lambda a: names.append(alias[a]) if a in alias else None)
    return names


def _runs(graph: Graph, block_of: Callable[[Node], str | None],
          starts: Callable[[list[Node], list[Node]], bool]) -> dict[str, tuple[str, str | None]]:
    """Stages made of runs of consecutive blocks: each node → (stage, block). ``block_of``
    says which block a node is in ("" for another op in the same scope, None for a node out
    of it); a run ends at another op, whose ops open the next run, or where ``starts`` says
    a block begins a new one (given the last block's nodes and its own). A run is named by
    its first and last block (``inception4a–e``)."""
    units: list[tuple[str, list[Node]]] = []  # a block's nodes, or one other node
    for node in graph:
        block = block_of(node)
        if block is None:
            continue
        if block and units and units[-1][0] == block:
            units[-1][1].append(node)
        else:
            units.append((block, [node]))
    runs: list[list[tuple[str, list[Node]]]] = []
    before: list[tuple[str, list[Node]]] = []  # the other ops since the last block
    for unit in units:
        if not unit[0]:
            before.append(unit)
        elif runs and not before and not starts(runs[-1][-1][1], unit[1]):
            runs[-1].append(unit)
        else:
            runs.append((before if runs else []) + [unit])
            before = []
    return {n.name: (_run_name([b for b, _ in run if b]), b or None) for run in runs
            for b, nodes in run for n in nodes}


def _root_runs(graph: Graph, blocks: set[str]) -> dict[str, tuple[str, str | None]]:
    """Stages of top-level blocks (GoogLeNet's ``inception3a``): a run is broken by any other
    top-level op (GoogLeNet's pooling) and begun anew by a block that shrinks the map
    (Inception v3's ``Mixed_6a``)."""
    def block_of(node: Node) -> str:
        top = node.name.split(".")[0]
        return top if "." in node.name and top in blocks else ""
    return _runs(graph, block_of, lambda last, nodes: _shrinks(graph, nodes))


def _flat_runs(graph: Graph, stage: str, blocks: list[str]) -> dict[str, tuple[str, str | None]]:
    """The stages of a flat one (MobileNetV2's ``features``, whose blocks are its children
    between a stem layer and a head layer): runs of blocks of one output width; the layers
    at its ends are the network's stem and head."""
    def block_of(node: Node) -> str | None:
        if not node.name.startswith(stage + "."):
            return None
        child = ".".join(node.name.split(".")[:stage.count(".") + 2])
        return child if child in blocks else None
    return _runs(graph, block_of, lambda last, nodes: last[-1].shape[:1] != nodes[-1].shape[:1])


def _shrinks(graph: Graph, nodes: list[Node]) -> bool:
    inside = {n.name for n in nodes}
    entry = next((i for n in nodes for i in n.inputs if i not in inside), None)
    before, after = graph.nodes[entry].shape if entry else (), nodes[-1].shape
    return len(before) == len(after) == 3 and after[1] < before[1]


def _run_name(blocks: list[str]) -> str:
    """``inception4a–e``: the first block, and the last less what the two share."""
    first, last = blocks[0], blocks[-1]
    if first == last:
        return first
    common = len(next((first[:k] for k in range(len(first), 0, -1)
                       if last.startswith(first[:k])), ""))
    while 0 < common < len(last) and last[common].isdigit() and last[common - 1].isdigit():
        common -= 1  # features.11–12, not features.11–2
    return f"{first}–{last[common:]}"


def _structure(graph: Graph, scopes: _Scopes) -> None:
    """Each node's stage and block (nodes before the first stage are the stem, those after
    the last the head), then ``graph.blocks`` and ``graph.stages``."""
    order: dict[str, int] = {}
    for i, node in enumerate(graph):
        parts = node.name.split(".")
        for k in range(1, len(parts)):
            order.setdefault(".".join(parts[:k]), i)
    scopes.find_stages({n.name.rsplit(".", 1)[0] for n in graph if n.op in ("add", "concat")},
                       order)
    runs = _root_runs(graph, scopes.root_blocks)
    for flat, its_blocks in scopes.flat_stages(order).items():
        runs.update(_flat_runs(graph, flat, its_blocks))
    seen_stage = False
    for node in graph:
        found: tuple[str | None, str | None] = runs.get(node.name) or (
            scopes.stage_of(node.name), None)
        stage, block = found
        if stage in scopes.flat:
            stage = None  # the stem or head layer at an end of a flat stage
        seen_stage = seen_stage or stage is not None
        node.stage = stage or ("head" if seen_stage else "stem")
        node.block = block or (scopes.block_of(node.name) if stage else None)
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
