"""lower_fx: IR graph → ``torch.fx.GraphModule`` with real ``nn.Module`` layers.

Layers with weights (conv, bn, linear, channel_linear, layernorm), dropout and stochastic
depth become submodules at their scope path, so parameter names equal torchvision's
(``layer1.0.conv1.weight``); a layer scale is a parameter at its own path
(``features.1.0.layer_scale``); ``spatial_mean`` is ``x.mean([2, 3])``; the rest become calls
of functions.
Every FX node carries the IR's facts under the FX keys of :mod:`resgraph.analysis.keys`
(:data:`~resgraph.analysis.keys.SCOPE`, ``OP``, ``STAGE``, ``BLOCK``, ``SHAPE``, ``SPAN``), and
the module keeps its IR graph under :data:`~resgraph.analysis.keys.GRAPH`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from resgraph.analysis import keys
from resgraph.ir import Graph, Node, multihead_groups


def pad_channels(x: torch.Tensor, out: int, stride: int) -> torch.Tensor:
    """Option-A shortcut: keep every ``stride``-th pixel, zero-pad channels evenly to ``out``."""
    if stride > 1:
        x = x[:, :, ::stride, ::stride]
    extra = out - x.shape[1]
    return F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))


class ChannelsLast:
    """A layer over each pixel's channels that permutes an NCHW map to NHWC and back.

    Where such layers follow each other (ConvNeXt's LayerNorm, Linear, GELU, Linear), the
    permute back and the next one's permute forth cancel: the ONNX export clears
    ``permute_out`` and the next layer's ``permute_in`` (element-wise ops between run on NHWC
    unchanged), so the file permutes once around the run, as torchvision's block does."""

    permute_in = True
    permute_out = True

    def to_nhwc(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1) if self.permute_in else x

    def to_nchw(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 3, 1, 2) if self.permute_out else x


class LayerNorm2d(ChannelsLast, nn.LayerNorm):
    """Layer normalisation over the channels of an NCHW map: torchvision's ``LayerNorm2d``
    (ConvNeXt), with its parameter names (``weight``, ``bias``) and eps."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(self.to_nhwc(x), self.normalized_shape, self.weight, self.bias, self.eps)
        return self.to_nchw(x)


class StochasticDepth(nn.Module):
    """Drops a whole sample's branch with probability ``p`` in training, scaling the kept
    ones by 1/(1 − p) (torchvision.ops.StochasticDepth, mode 'row'); the identity in eval."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = torch.empty([x.shape[0]] + [1] * (x.ndim - 1), dtype=x.dtype, device=x.device)
        keep = keep.bernoulli_(1.0 - self.p)
        return x * keep / (1.0 - self.p) if self.p < 1.0 else x * keep


class ChannelLinear(ChannelsLast, nn.Linear):
    """A linear layer over the channels of each pixel of an NCHW map: torchvision's
    ``nn.Linear`` on ConvNeXt's channels-last tensor, with its (out, in) weight."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_nchw(F.linear(self.to_nhwc(x), self.weight, self.bias))


def _conv(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    a = n.attrs
    return nn.Conv2d(ins[0].shape[0], a["out"], a["kernel"], a["stride"], a["pad"], a["dilation"],
                     a["groups"], a["bias"], device=device)


def _bn(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    a = n.attrs
    return nn.BatchNorm2d(n.shape[0], eps=a.get("eps", 1e-5), momentum=a.get("momentum", 0.1),
                          device=device)


def _linear(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    return nn.Linear(ins[0].shape[-1], n.attrs["out"], n.attrs["bias"], device=device)


_MODULES: dict[str, Callable[[Node, list[Node], torch.device], nn.Module]] = {
    "conv": _conv, "bn": _bn, "linear": _linear,
    "channel_linear": lambda n, ins, dev: ChannelLinear(ins[0].shape[0], n.attrs["out"],
                                                        n.attrs["bias"], device=dev),
    "layernorm": lambda n, ins, dev: LayerNorm2d(n.shape[0], eps=1e-6, device=dev),
    # modules, so that train() and eval() switch them as they do torchvision's
    "dropout": lambda n, ins, dev: nn.Dropout(n.attrs["p"]),
    "stochastic_depth": lambda n, ins, dev: StochasticDepth(n.attrs["p"]),
    "layer_norm": lambda n, ins, dev: nn.LayerNorm(
        n.shape[len(n.shape) - n.attrs["dims"]:], eps=n.attrs.get("eps", 1e-5),
        elementwise_affine=n.attrs["affine"], device=dev)}

# the element-wise activations: one function of one tensor each
_ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "relu": F.relu, "sigmoid": torch.sigmoid, "relu6": F.relu6, "silu": F.silu,
    "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish, "gelu": F.gelu}
#: the IR ops lowered to one element-wise function call (any memory layout will do)
ELEMENTWISE = frozenset(_ACTIVATIONS)


def _call(n: Node, args: list[Any]) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    a = n.attrs
    if n.op in _ACTIVATIONS:
        return _ACTIVATIONS[n.op], (args[0],), {}
    if n.op == "leaky_relu":
        return F.leaky_relu, (args[0], float(a["slope"])), {}
    if n.op == "maxpool":
        return F.max_pool2d, (args[0], a["kernel"], a["stride"], a["pad"]), {"ceil_mode": a["ceil"]}
    if n.op == "avgpool":
        return F.avg_pool2d, (args[0], a["kernel"], a["stride"], a["pad"]), {
            "ceil_mode": a["ceil"], "count_include_pad": a["count_pad"]}
    if n.op == "global_avgpool":
        return F.adaptive_avg_pool2d, (args[0], 1), {}
    if n.op == "adaptive_avgpool":
        return F.adaptive_avg_pool2d, (args[0], a["size"]), {}
    if n.op == "flatten":
        return torch.flatten, (args[0], 1), {}
    if n.op == "add":
        return operator.add, tuple(args), {}
    if n.op == "mul":
        return operator.mul, tuple(args), {}
    if n.op == "concat":
        return torch.cat, (list(args), 1), {}
    if n.op == "pad_channels":
        return pad_channels, (args[0], a["out"], a["stride"]), {}
    raise ValueError(f"no lowering for op '{n.op}'")


#: a node of the ops of any rank as the FX node it lowers to: how it is called, what, with
#: which arguments; a dimension moves one on, past the batch's (what the import reads back)
Lowered = tuple[str, Any, tuple[Any, ...], dict[str, Any]]


def _batched(dims: tuple[int, ...]) -> list[int]:
    return [d + 1 for d in dims]


def _part(n: Node, x: fx.Node) -> Lowered:
    a = n.attrs
    if a["keep"]:
        return "call_method", "narrow", (x, a["dim"] + 1, a["start"], a["size"]), {}
    return "call_method", "select", (x, a["dim"] + 1, a["start"]), {}


def _interpolate(n: Node, x: fx.Node) -> Lowered:
    kind, value = n.attrs["given"]
    kwargs: dict[str, Any] = {"size": value} if kind == "size" else {"scale_factor": value}
    kwargs["mode"] = n.attrs["mode"]
    if n.attrs["mode"] == "bilinear":
        kwargs["align_corners"] = n.attrs.get("align_corners", False)
    return "call_function", F.interpolate, (x,), kwargs


def _reduce(method: str, n: Node, x: fx.Node) -> Lowered:
    return "call_method", method, (x, _batched(n.attrs["dims"])), {"keepdim": n.attrs["keepdim"]}


_ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
               "div": operator.truediv, "neg": operator.neg}


def _elementwise(n: Node, args: list[fx.Node]) -> Lowered:
    by = n.attrs.get("by")
    operands = (*args, by) if by is not None else tuple(args)
    return "call_function", _ARITHMETIC[n.attrs["fn"]], operands, {}


_TENSOR_OPS: dict[str, Callable[[Node, list[fx.Node]], Lowered]] = {
    "reshape": lambda n, a: ("call_method", "reshape", (a[0], -1, *n.shape), {}),
    "permute": lambda n, a: ("call_method", "permute", (a[0], 0, *_batched(n.attrs["dims"])), {}),
    "part": lambda n, a: _part(n, a[0]),
    "stack": lambda n, a: ("call_function", torch.stack, (list(a), n.attrs["dim"] + 1), {}),
    "cat": lambda n, a: ("call_function", torch.cat, (list(a), n.attrs["dim"] + 1), {}),
    "sum": lambda n, a: _reduce("sum", n, a[0]), "mean": lambda n, a: _reduce("mean", n, a[0]),
    "matmul": lambda n, a: ("call_function", torch.matmul, tuple(a), {}),
    "softmax": lambda n, a: ("call_function", F.softmax, (a[0], n.attrs["dim"] + 1), {}),
    "attention": lambda n, a: ("call_function", F.scaled_dot_product_attention, tuple(a),
                               {"is_causal": n.attrs["causal"]}) if "heads" not in n.attrs
    else ("call_function", heads_attention, (*a, n.attrs["heads"], n.attrs["causal"]), {}),
    "interpolate": lambda n, a: _interpolate(n, a[0]),
    "einsum": lambda n, a: ("call_function", torch.einsum, (n.attrs["equation"], *a), {}),
    "elementwise": _elementwise,
}


def heads_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int,
                    causal: bool) -> torch.Tensor:
    """Attention of heads folded into the last side (L x E, as between nn.MultiheadAttention's
    projections): each head's E / heads features apart, their results side by side again."""
    def split(t: torch.Tensor) -> torch.Tensor:
        return t.unflatten(-1, (heads, -1)).transpose(-3, -2)
    out = F.scaled_dot_product_attention(split(q), split(k), split(v), is_causal=causal)
    return out.transpose(-3, -2).flatten(-2)


class _Layers:
    """The layers of one module. On the meta device, where weights hold no values, a layer
    equal to one made before (ResNet-152's 155 convolutions are 15 distinct ones) is a copy of
    it with tensors of its own: a third of the cost of constructing it, which runs its
    initialisation on meta tensors. Elsewhere each layer is constructed, so weights drawn from
    a seed are drawn in the same order as ever."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.made: dict[Hashable, nn.Module] = {}

    def make(self, n: Node, ins: list[Node]) -> nn.Module:
        build = _MODULES[n.op]
        if self.device.type != "meta":
            return build(n, ins, self.device)
        try:
            key = (n.op, tuple(sorted(n.attrs.items())), tuple(i.shape for i in ins), n.shape)
            hash(key)
        except TypeError:  # an attribute that is a list
            return build(n, ins, self.device)
        if key not in self.made:
            self.made[key] = build(n, ins, self.device)
            return self.made[key]
        return _copy_layer(self.made[key])


def _copy_layer(layer: nn.Module) -> nn.Module:
    """A module of no submodules equal to ``layer``, with containers (hooks, parameters,
    buffers) and meta tensors of its own."""
    copy = object.__new__(type(layer))
    state = {k: type(v)(v) if isinstance(v, (dict, set, list)) else v
             for k, v in layer.__dict__.items()}
    state["_parameters"] = {k: None if v is None else nn.Parameter(torch.empty_like(v),
                                                                   v.requires_grad)
                            for k, v in layer._parameters.items()}
    state["_buffers"] = {k: None if v is None else torch.empty_like(v)
                         for k, v in layer._buffers.items()}
    copy.__dict__.update(state)
    return copy


def _init(module: nn.Module, node: Node) -> None:
    """torchvision's initialisation: He-normal convolutions (fan-out), BN scale 1 (or 0)."""
    if isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
    elif isinstance(module, nn.BatchNorm2d) and node.attrs.get("zero_init"):
        nn.init.zeros_(module.weight)


def lower_fx(graph: Graph, device: str | torch.device = "cpu",
             seed: int | None = None) -> fx.GraphModule:
    """Build a runnable GraphModule; on ``device="meta"`` no memory is allocated. With a
    ``seed`` the weights are drawn from it, so the same spec and seed give the same module
    (what an exported file, an engine and a benchmark reference must share), and the global
    random state is left as it was."""
    if seed is None:
        return _lower(graph, torch.device(device))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _lower(graph, torch.device(device))


def _lower(network: Graph, dev: torch.device) -> fx.GraphModule:
    graph = network.training or network  # every node, of a network with training outputs
    fxg = fx.Graph()
    layers = _Layers(dev)
    modules: dict[str, Any] = {}  # submodules and layer scales' parameters, by path
    values: dict[str, fx.Node] = {}
    heads = multihead_groups(graph)
    for n in graph:
        if n.name in heads.within:
            continue  # made by the nn.MultiheadAttention of their group
        if n.name in heads.out:
            values[n.name] = values[heads.out[n.name]]
            continue
        ins = [graph.nodes[i] for i in n.inputs]
        args = [values[i] for i in n.inputs if i not in heads.within]
        safe = n.name.replace(".", "_")
        if n.op == "input":
            fxn = fxg.placeholder("x")
        elif n.name in heads.scope:
            fxn = _multihead_call(fxg, modules, graph, n, values, heads.scope[n.name], dev)
        elif n.op == "layer_scale":
            fxn = _layer_scale(fxg, modules, n, args[0], dev)
        elif n.op == "param":
            fxn = _param(fxg, modules, n, dev)
        elif n.op == "cat" and any(i.op == "param" for i in ins):
            fxn = _cat_params(fxg, n, ins, args, values["input"])
        elif n.op == "spatial_mean":  # a method call, as torchvision's MNASNet makes it
            fxn = fxg.create_node("call_method", "mean", (args[0], [2, 3]), name=safe)
        elif n.op in _TENSOR_OPS:
            how, target, fargs, fkwargs = _TENSOR_OPS[n.op](n, args)
            fxn = fxg.create_node(how, target, fargs, fkwargs, name=safe)
        elif n.op in _MODULES:
            module = layers.make(n, ins)
            if dev.type != "meta":
                _init(module, n)
            modules[n.name] = module
            fxn = fxg.create_node("call_module", n.name, tuple(args), name=safe)
        else:
            fn, fargs, fkwargs = _call(n, args)
            fxn = fxg.create_node("call_function", fn, fargs, fkwargs, name=safe)
        fxn.meta.update({keys.SCOPE: n.name, keys.OP: n.op, keys.STAGE: n.stage,
                         keys.BLOCK: n.block, keys.SHAPE: n.shape, keys.SPAN: n.span})
        values[n.name] = fxn
    if network.training is None:
        fxg.output(_outputs(network, values))
    else:
        modules["training"] = True  # a module's own flag, as nn.Module.train sets it
        fxg.output(fxg.call_function(by_mode, (fxg.get_attr("training"), _outputs(network, values),
                                               _outputs(network.training, values))))
    gm = fx.GraphModule(modules, fxg, class_name=_class_name(graph.name))
    gm.meta[keys.GRAPH] = network
    return gm


def by_mode(training: bool, evaluated: Any, trained: Any) -> Any:
    """The outputs of the mode the module is in: an FX graph has no branches, so a network
    with training outputs computes them in eval too (its auxiliary heads, a fraction of a
    percent of GoogLeNet's and Inception v3's MACs) and returns the eval outputs; an export
    traced in eval drops them as dead code."""
    return trained if training else evaluated


def _outputs(graph: Graph, values: dict[str, fx.Node]) -> Any:
    """What the module returns: its one tensor, or a tuple or dict of its outputs as the
    spec's ``output`` line writes them (one FX output node either way)."""
    if graph.output_form == "one":
        return values[graph.output]
    if graph.output_form == "tuple":
        return tuple(values[n] for n in graph.outputs.values())
    return {k: values[n] for k, n in graph.outputs.items()}


def _layer_scale(fxg: fx.Graph, modules: dict[str, Any], n: Node, x: fx.Node,
                 dev: torch.device) -> fx.Node:
    """A parameter named by the node's own scope (torchvision's ``features.1.0.layer_scale``
    is a parameter of the block, not of a submodule) times the input: a method call, since
    the path is the parameter's and cannot also hold a module for the multiply (as the ONNX
    export gives each scoped function call)."""
    modules[n.name] = nn.Parameter(torch.full((n.shape[0], 1, 1), float(n.attrs["init"]),
                                              device=dev))
    scale = fxg.get_attr(n.name)
    return fxg.create_node("call_method", "mul", (x, scale), name=n.name.replace(".", "_"))


def _param(fxg: fx.Graph, modules: dict[str, Any], n: Node, dev: torch.device) -> fx.Node:
    """A learned tensor at the node's own path, of a batch side of 1 (torchvision's
    ``class_token``, ``encoder.pos_embedding``): zeros, or drawn from a normal distribution."""
    value = torch.zeros((1, *n.shape), device=dev)
    if n.attrs["std"] and dev.type != "meta":
        nn.init.normal_(value, std=float(n.attrs["std"]))
    modules[n.name] = nn.Parameter(value)
    return fxg.get_attr(n.name)


def _cat_params(fxg: fx.Graph, n: Node, ins: list[Node], args: list[fx.Node],
                x: fx.Node) -> fx.Node:
    """A cat of learned tensors beside the data flow's: each parameter expanded over the
    batch first (torch.cat does not broadcast), as ViT's ``class_token.expand(n, -1, -1)``."""
    batch = fxg.call_method("size", (x, 0))
    parts = [fxg.call_method("expand", (a, batch, *[-1] * len(i.shape))) if i.op == "param"
             else a for i, a in zip(ins, args)]
    return fxg.call_function(torch.cat, (parts, n.attrs["dim"] + 1),
                             name=n.name.replace(".", "_"))


def _multihead_call(fxg: fx.Graph, modules: dict[str, Any], graph: Graph, n: Node,
                    values: dict[str, fx.Node], path: str, dev: torch.device) -> fx.Node:
    """nn.MultiheadAttention at ``path`` called on the in-projections' inputs, batch first,
    as torchvision's ViT calls it (``need_weights`` as the node says; not causal, which
    torch asks a mask for); its first result."""
    q, k, v = (graph.nodes[graph.nodes[i].inputs[0]] for i in n.inputs)
    a = n.attrs
    modules[path] = nn.MultiheadAttention(
        n.shape[-1], a["heads"], bias=graph.nodes[n.inputs[0]].attrs["bias"], batch_first=True,
        kdim=k.shape[-1], vdim=v.shape[-1], device=dev)
    call = fxg.call_module(path, (values[q.name], values[k.name], values[v.name]),
                           {"need_weights": a["weights"]})
    return fxg.call_function(operator.getitem, (call, 0), name=n.name.replace(".", "_"))


def _class_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in name)
    return cleaned if cleaned[:1].isalpha() else f"Net_{cleaned}"
