"""What each FX node becomes: the op kind of :mod:`resgraph.ops` and its attributes, for a
module call (:func:`module_op`) or a function or method call (:func:`function_op`); None for a
node that changes nothing, an ``opaque`` kind for one resgraph cannot count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from resgraph.analysis.keys import IMPORT_SHAPE
from resgraph.import_fx.trace import ImportFxError
from resgraph.lower_fx import StochasticDepth, pad_channels
from resgraph.ops import INTERPOLATION_FLOPS, numel, pair

Attrs = dict[str, Any]


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
    """Whether its scale starts at 0, and its eps and momentum where they are not torch's
    defaults (a spec's ``bn`` says them the same way): in no state_dict, but they change the
    outputs (EfficientNet's 1e-3)."""
    w = m.weight
    zero = w is not None and w.device.type != "meta" and bool((w == 0).all())
    given = {k: getattr(m, k) for k, default in (("eps", 1e-5), ("momentum", 0.1))
             if isinstance(getattr(m, k), float) and getattr(m, k) != default}
    return {"zero_init": zero, **given}


def _pool_attrs(kernel: Any, stride: Any, pad: Any, ceil: bool) -> Attrs:
    return {"kernel": pair(kernel), "stride": pair(stride if stride else kernel),
            "pad": pair(pad), "ceil": bool(ceil)}


Kind = tuple[str, Attrs] | None


class Call:
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


def _adaptive(op: str, c: Call, size: Any) -> Kind:
    """Adaptive pooling: global for 1x1, a plain window where the sides divide, else (of an
    average) windows of unequal sides."""
    out = pair(size) if size is not None else (1, 1)
    if len(c.ins[0]) != 3:
        return None
    h, w = c.ins[0][1:]
    out = (out[0] or h, out[1] or w)
    if op == "avgpool" and out == (1, 1):
        return "global_avgpool", {}
    if h % out[0] or w % out[1]:
        return ("adaptive_avgpool", {"size": out}) if op == "avgpool" else None
    k = (h // out[0], w // out[1])
    attrs = _pool_attrs(k, k, 0, False)
    return (op, {**attrs, "count_pad": True}) if op == "avgpool" else (op, attrs)


def module_op(m: nn.Module, c: Call) -> Kind:
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
        return _softmax(c, m.dim) or c.opaque("Softmax")
    if isinstance(m, nn.LeakyReLU):
        return "leaky_relu", {"slope": m.negative_slope}
    if isinstance(m, nn.GELU) and m.approximate != "none":
        return c.opaque("GELU(approximate='tanh')")
    for cls, op in _MODULE_ACTIVATIONS.items():
        if isinstance(m, cls):
            return op, {}
    return c.opaque(type(m).__name__)


def _channels_first(m: nn.Linear | nn.LayerNorm, c: Call) -> Kind:
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


def _last_dims(m: nn.Linear | nn.LayerNorm, c: Call) -> Kind:
    if isinstance(m, nn.Linear):
        return "linear", {"out": m.out_features, "bias": m.bias is not None}
    return _layer_norm(c, m.normalized_shape, m.weight, m.eps)


def _layer_norm(c: Call, normalized: Any, weight: Any, eps: Any) -> Kind:
    """A layer norm over the last ``len(normalized_shape)`` dimensions, affine when it has a
    weight, its eps where it is not torch's 1e-5 (ViT's 1e-6; a spec's ``layer_norm`` says it
    the same way); opaque (None) when those reach the batch. Shape propagation ran it, so
    torch has checked that they are the input's last sides, which a model often writes as
    ``x.shape[-1]`` (a traced value, not a number)."""
    dims = len(normalized) if isinstance(normalized, (tuple, list, torch.Size)) else 1
    if dims > len(c.ins[0]) or not isinstance(eps, float):
        return None
    given = {"eps": eps} if eps != 1e-5 else {}
    return "layer_norm", {"dims": dims, "affine": weight is not None, **given}


_MODULE_ACTIVATIONS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.ReLU6: "relu6", nn.SiLU: "silu",
                       nn.Hardsigmoid: "hardsigmoid", nn.Hardswish: "hardswish", nn.GELU: "gelu"}


def _layout(c: Call) -> Kind:
    """A view, reshape or flatten: gone when it keeps the shape, opaque when it mixes samples."""
    before, after = c.ins[0], c.shape
    if after == before:
        return None
    if numel(after) != numel(before):
        return c.opaque(target_name(c.node))
    return ("flatten", {}) if len(after) == 1 else ("reshape", {"shape": after})


def _permute(c: Call, dims: tuple[int, ...]) -> Kind:
    rank = len(c.ins[0]) + 1
    dims = tuple(d % rank for d in dims)
    if dims[0] != 0:
        return c.opaque(target_name(c.node))  # the batch moves: not a per-sample op
    if dims == tuple(range(rank)):
        return None
    return "permute", {"dims": tuple(d - 1 for d in dims[1:])}


def permutation(c: Call) -> tuple[int, ...]:
    """The dimensions of permute(*dims) or permute(dims), of transpose(d0, d1) as a permutation."""
    rank = len(c.ins[0]) + 1
    if target_name(c.node) in ("Tensor.permute", "torch.permute"):
        rest = c.node.args[1:] or (c.node.kwargs.get("dims"),)
        return tuple(rest[0] if len(rest) == 1 and isinstance(rest[0], (tuple, list)) else rest)
    a, b = (d % rank for d in (c.arg(1, "dim0"), c.arg(2, "dim1")))
    order = list(range(rank))
    order[a], order[b] = order[b], order[a]
    return tuple(order)


def _arith(c: Call, fn: str) -> Kind:
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


def scale_param(node: fx.Node) -> fx.Node | None:
    """The parameter a product reads (ConvNeXt's ``self.layer_scale * x``), if it reads one."""
    return next((a for a in node.args if isinstance(a, fx.Node) and a.op == "get_attr"), None)


def _is_layer_scale(c: Call) -> bool:
    """A feature map times a Cx1x1 parameter: the spec's ``layer_scale``."""
    param = scale_param(c.node)
    return param is not None and len(c.ins) == 1 and len(c.shape) == 3 and c.shape == c.ins[0] \
        and param.meta.get(IMPORT_SHAPE) == (c.shape[0], 1, 1)


def _reduction(c: Call, fn: str) -> Kind:
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


def function_op(c: Call) -> Kind:
    """The op kind of a call_function or call_method node; None for a pass-through."""
    name = target_name(c.node)
    short = name.rsplit(".", 1)[-1].rstrip("_")
    if c.node.target is pad_channels:
        return "pad_channels", {"out": c.arg(1, "out"), "stride": c.arg(2, "stride", 1)}
    if short in _PASS:
        return None  # no arithmetic
    rule = _FUNCTIONS.get(short)
    kind = rule(c) if rule else None
    return kind if kind is not None or short in _MAYBE_NONE else c.opaque(name)


def _interpolation(c: Call, mode: str, given: tuple[str, Any]) -> Kind:
    """Nearest or bilinear resampling of a feature map; ``given`` is the size or scale as
    the call gave it, which some counters read instead of the output."""
    if mode not in INTERPOLATION_FLOPS or len(c.shape) != 3:
        return None
    kind, value = given
    value = tuple(value) if isinstance(value, (tuple, list)) else value
    return "interpolate", {"size": c.shape[1:], "mode": mode, "given": (kind, value)}


def _interpolate_call(c: Call) -> Kind:
    """A size read off another tensor's shape (torchvision's FPN: ``size=x.shape[-2:]``) is
    the size it had when traced."""
    size = c.arg(1, "size")
    if isinstance(size, fx.Node) or (isinstance(size, (tuple, list))
                                     and any(isinstance(s, fx.Node) for s in size)):
        size = tuple(c.shape[1:])
    given = ("size", size) if size is not None else ("scale", c.arg(2, "scale_factor"))
    return _interpolation(c, c.arg(3, "mode", "nearest"), given)


def _einsum_call(c: Call) -> Kind:
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


def _cat(c: Call) -> Kind:
    """A concatenation; of one tensor (DenseNet's first layer: ``torch.cat([x], 1)``) it is
    that tensor."""
    if len(c.ins) == 1:
        return None
    dim = c.arg(1, "dim", 0) % (len(c.shape) + 1)
    return ("concat", {}) if dim == 1 and len(c.shape) == 3 else ("cat", {"dim": dim - 1})


def _pool(op: str) -> Callable[[Call], Kind]:
    def rule(c: Call) -> Kind:
        k = c.arg(1, "kernel_size")
        attrs = _pool_attrs(k, c.arg(2, "stride"), c.arg(3, "padding", 0),
                            c.arg(5 if op == "maxpool" else 4, "ceil_mode", False))
        if op == "avgpool":
            return op, {**attrs, "count_pad": c.arg(5, "count_include_pad", True)}
        return (op, attrs) if pair(c.arg(4, "dilation", 1)) == (1, 1) else None
    return rule


def _plain(op: str) -> Callable[[Call], Kind]:
    """An element-wise op of the same name without attributes (``F.silu`` → ``silu``)."""
    return lambda c: (op, {})


_PASS = frozenset({"contiguous", "clone", "detach"})
#: rules that return None to drop a node that changes nothing, not to give up on it
_MAYBE_NONE = frozenset({"view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze",
                         "permute", "transpose", "swapaxes", "cat", "concat"})
_FUNCTIONS: dict[str, Callable[[Call], Kind]] = {
    **{name: _plain(name) for name in ("relu", "sigmoid", "relu6", "silu", "hardsigmoid",
                                       "hardswish")},
    "gelu": lambda c: ("gelu", {}) if c.arg(1, "approximate", "none") == "none" else None,
    "leaky_relu": lambda c: ("leaky_relu", {"slope": c.arg(1, "negative_slope", 0.01)})
    if isinstance(c.arg(1, "negative_slope", 0.01), float) else None,
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
    **dict.fromkeys(("permute", "transpose", "swapaxes"), lambda c: _permute(c, permutation(c))),
    "getitem": lambda c: _index(c, c.node.args[1]),
    "narrow": lambda c: _narrow(c, c.arg(2, "start"), c.arg(3, "length"), True),
    "select": lambda c: _narrow(c, c.arg(2, "index"), 1, False),
    **dict.fromkeys(("matmul", "bmm"), lambda c: ("matmul", {}) if len(c.ins) == 2 else None),
    "softmax": lambda c: _softmax(c, c.arg(1, "dim")),
    "scaled_dot_product_attention":
        lambda c: ("attention", {"causal": bool(c.arg(5, "is_causal", False))})
        if len(c.ins) >= 3 else None,
    # zero-cost nodes in eval, kept as the spec keeps them (the memory of their outputs counts)
    **dict.fromkeys(("dropout", "dropout2d", "alpha_dropout"),
                    lambda c: ("dropout", {"p": c.arg(1, "p", 0.5)})),
    "stochastic_depth": lambda c: ("stochastic_depth", {"p": c.arg(1, "p")}),
    "layer_norm": lambda c: _layer_norm(c, c.arg(1, "normalized_shape"), c.arg(2, "weight"),
                                        c.arg(4, "eps", 1e-5)),
    "interpolate": _interpolate_call, "upsample": _interpolate_call,
    "einsum": _einsum_call,
    "batch_norm": lambda c: ("bn", {"zero_init": False}) if len(c.ins[0]) == 3 else None,
    "linear": lambda c: _linear(c, c.arg(1, "weight"), c.arg(2, "bias")),
}


def _linear(c: Call, weight: Any, bias: Any) -> Kind:
    """``F.linear`` of a module's own weight (timm's ``Linear``, traced through): the spec's
    ``linear``, named by that module. Another weight (one computed) stays opaque."""
    shape = weight.meta.get(IMPORT_SHAPE) if isinstance(weight, fx.Node) \
        and weight.op == "get_attr" else None
    if shape is None or len(shape) != 2 or len(c.ins) != 1:
        return None
    return "linear", {"out": shape[0], "bias": bias is not None}


def _sample_dim(dim: Any, rank: int) -> int | None:
    """A torch dimension of a batch as one of a sample's (None: the batch's, or none)."""
    if not isinstance(dim, int) or dim == 0:
        return None
    d = dim - 1 if dim > 0 else dim + rank
    return d if 0 <= d < rank else None


def _softmax(c: Call, dim: Any) -> Kind:
    """Softmax along a sample's dimension (torch's counts the batch's; none: not followed)."""
    d = _sample_dim(dim, len(c.shape))
    return ("softmax", {"dim": d}) if d is not None else None


def _narrow(c: Call, start: Any, size: Any, keep: bool) -> Kind:
    """narrow (``keep``) or select as a spec's part, where its numbers are constants."""
    d = _sample_dim(c.arg(1, "dim"), len(c.ins[0])) if c.ins else None
    if d is None or not isinstance(start, int) or not isinstance(size, int):
        return "part", {"shape": c.shape}
    return _narrow_at(c, d, start, size, keep)


def _narrow_at(c: Call, d: int, start: int, size: int, keep: bool) -> Kind:
    """A part of ``size`` sides from ``start`` (from the end where negative) along ``d``."""
    start += c.ins[0][d] if start < 0 else 0
    return "part", {"dim": d, "start": start, "size": size, "keep": keep, "shape": c.shape}


def _index(c: Call, index: Any) -> Kind:
    """``x[:, 0]`` or ``x[:, 1:3]`` as a spec's part: the batch's side whole and one other
    indexed or sliced by constants (step 1), the rest whole; only its shape otherwise."""
    index = index if isinstance(index, tuple) else (index,)
    picks = [(d, i) for d, i in enumerate(index[1:]) if not _is_whole(i)]
    if not c.ins or not index or not _is_whole(index[0]) or len(picks) != 1 \
            or len(index) - 1 > len(c.ins[0]):
        return "part", {"shape": c.shape}
    d, i = picks[0]
    if isinstance(i, int) and not isinstance(i, bool):
        return _narrow_at(c, d, i, 1, False)
    if isinstance(i, slice) and i.step in (None, 1) \
            and all(x is None or type(x) is int for x in (i.start, i.stop)):
        start, stop, _ = i.indices(c.ins[0][d])
        if stop > start:
            return _narrow_at(c, d, start, stop - start, True)
    return "part", {"shape": c.shape}


def _is_whole(i: Any) -> bool:
    return isinstance(i, slice) and i == slice(None)


def split_part(c: Call, source: fx.Node) -> Kind:
    """Piece ``k`` of a split (``c.node`` is ``getitem(source, k)``; ``c.ins[0]`` the split
    tensor) as a spec's part: ``size`` sides from ``start`` along ``dim`` (per sample: one
    less than torch's where it counts from the front), without ``keep`` for unbind's. Only
    its shape where the split is not one this follows (tensor_split, the batch's side)."""
    def arg(i: int, *keys: str) -> Any:
        if len(source.args) > i:
            return source.args[i]
        return next((source.kwargs[k] for k in keys if k in source.kwargs), None)

    index, whole = c.node.args[1], c.ins[0]
    name = target_name(source).rsplit(".", 1)[-1]
    d = _sample_dim(arg(1, "dim") if name == "unbind" else arg(2, "dim") or 0, len(whole))
    if not isinstance(index, int) or name == "tensor_split" or d is None:
        return "part", {"shape": c.shape}
    if name == "unbind":
        return "part", {"dim": d, "start": index, "size": 1, "keep": False, "shape": c.shape}
    sides = arg(1, "split_size_or_sections", "split_size", "split_sizes", "chunks")
    if name == "chunk":
        sides = -(-whole[d] // sides)
    pieces = len(sides) if isinstance(sides, (list, tuple)) else -(-whole[d] // sides)
    index += pieces if index < 0 else 0  # spx[-1]
    start = sum(sides[:index]) if isinstance(sides, (list, tuple)) else index * sides
    return "part", {"dim": d, "start": start, "size": c.shape[d], "keep": True,
                    "shape": c.shape}


def target_name(node: fx.Node) -> str:
    """``F.gelu``, ``torch.cat``, ``operator.add``, ``Tensor.mean``: what a listing shows."""
    t = node.target
    if node.op == "call_method":
        return f"Tensor.{t}"
    module = getattr(t, "__module__", None) or ""
    if getattr(F, getattr(t, "__name__", ""), None) is t:
        module = "F"  # F.avg_pool2d is torch._C._nn's: named as the model calls it
    module = {"torch.nn.functional": "F", "_operator": "operator"}.get(module, module)
    return f"{module}.{getattr(t, '__name__', t)}" if module else str(getattr(t, "__name__", t))
