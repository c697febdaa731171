"""The primitive operations of resgraph: signatures, shape rules and analytic costs, side by side.

Shapes are per sample, without the batch dimension: ``(C, H, W)`` for feature maps,
``(F,)`` after ``flatten``, ``(N, C)`` for tokens and ``(h, N, d)`` for heads. Every rule here is pure Python; elaboration uses the signatures
and shape rules, ``lower_fx`` builds modules from the same attributes, and the analyses read
the cost rules. Costs are for one sample; analyses multiply by the batch size.

Cost conventions (see ``resgraph.analysis`` for the others it can print):

* ``macs`` — multiply-accumulates of convolutions and linear layers only, biases not
  counted: the figure torchvision publishes and ``torch.utils.flop_counter`` counts (÷ 2).
* ``flops`` — every floating-point operation once: 2 per MAC, 1 per bias add, 2 per element
  for inference batch norm (scale and shift), 1 per element for ReLU, add and multiply,
  4 for sigmoid (negate, exp, add, reciprocal), k·k − 1 comparisons per max-pool output,
  k·k per average-pool output (k·k − 1 adds and a divide); 2 for relu6, 5 for silu, 4 for
  hardsigmoid, 5 for hardswish, 5 for gelu, 7 for a layer norm (mean, subtract, square,
  variance, divide, scale, shift), 1 for a layer scale (multiply); a channel_linear counts as
  a linear layer at every pixel; dropout and stochastic depth are free (eval).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from resgraph.errors import ResgraphError

Shape = tuple[int, ...]
Attrs = dict[str, Any]

REQUIRED = object()

#: The most channels or features an op takes or makes (the input's channels, a convolution's,
#: a linear layer's outputs): 2**20, sixteen times the widest published layer.
MAX_CHANNELS = 1 << 20
#: The largest spatial size: the input's height and width, and a window's kernel, stride,
#: padding and dilation: 2**16 pixels a side.
MAX_SIZE = 1 << 16

_TYPE_WORDS = {"int": "an integer", "size": "an integer or a size such as 3x3 or [h, w]",
               "bool": "true or false", "number": "a number",
               "shape": "a shape such as 196x768 or a list of integers",
               "dims": "a list of dimensions such as [1, 2]", "str": "a string"}


class OpError(ResgraphError):
    """A rule of an op is broken; elaboration adds the spec location."""


@dataclass(frozen=True)
class Arg:
    """One argument of an op: its name, type (``int``, ``size``, ``bool``, ``tensor``), default
    and range (of an ``int``, or of each side of a ``size``), so that a value torch would
    refuse, or choke on, is refused where the spec gives it."""

    name: str
    type: str
    default: Any = REQUIRED
    least: int = 1
    most: int = MAX_SIZE
    #: the strings a ``str`` argument takes
    choices: tuple[str, ...] = ()

    @property
    def words(self) -> str:
        """What the argument takes, as a message says it."""
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        return _TYPE_WORDS[self.type]

    def typed(self, value: Any) -> bool:
        """Whether ``value`` has this argument's type (whatever its range)."""
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "number":
            return _is_int(value) or isinstance(value, float)
        if self.type == "str":
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if self.type in ("shape", "dims"):
            return isinstance(value, (tuple, list)) and bool(value) \
                and all(map(_is_int, value))
        return _is_int(value) or (self.type == "size" and isinstance(value, (tuple, list))
                                  and len(value) == 2 and all(map(_is_int, value)))

    def out_of_range(self, value: Any) -> str | None:
        """What is wrong with a value of the right type (``must be at least 1, got 0``)."""
        if self.type in ("bool", "str"):
            return None
        if self.type == "shape" and list(value).count(-1) > 1:
            return "may leave one side to be inferred (-1), not several"
        for v in value if isinstance(value, (tuple, list)) else (value,):
            if self.type == "shape" and v == -1:
                continue
            if v < self.least:
                return f"must be at least {self.least}, got {v}"
            if v > self.most:
                return f"must be at most {self.most}, got {v}"
        return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class OpDef:
    name: str
    doc: str
    args: tuple[Arg, ...]
    infer: Callable[[Attrs, Sequence[Shape]], Shape]
    #: parameter shapes by name under the op's scope ("" names the scope itself: layer_scale)
    params: Callable[[Attrs, Sequence[Shape]], dict[str, Shape]] = lambda a, s: {}
    buffers: Callable[[Attrs, Sequence[Shape]], dict[str, Shape]] = lambda a, s: {}
    macs: Callable[[Attrs, Sequence[Shape], Shape], int] = lambda a, s, o: 0
    flops: Callable[[Attrs, Sequence[Shape], Shape], int] = lambda a, s, o: 0
    #: number of tensor inputs; ``None`` for any number (see ``inputs``)
    arity: int | None = 1
    #: the fewest and most tensors a spec's call gives an op of any arity (None: no most)
    inputs: tuple[int, int | None] = (2, None)
    #: the attributes a spec leaves to its inputs' shapes (an einsum's index sizes, an
    #: interpolation's size), filled where the node is made, so that the IR holds what an
    #: import records
    derive: Callable[[Attrs, Sequence[Shape]], Attrs] | None = None
    #: conv and linear: the layers that count toward depth and gradient-path length
    weighted: bool = False

    @property
    def attr_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.type != "tensor")


def numel(shape: Shape) -> int:
    return math.prod(shape)


def _feature_map(shape: Shape, op: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise OpError(f"{op} needs a CxHxW feature map, got {fmt_shape(shape)}")
    return shape  # type: ignore[return-value]


def fmt_shape(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def pair(v: int | Shape) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    return (v[0], v[1])


def window_out(size: int, kernel: int, stride: int, pad: int, dilation: int = 1,
               ceil: bool = False) -> int:
    """Output length of a sliding window, with PyTorch's rule for ``ceil_mode``."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1  # the last window may not start in the right padding
    return out


def _windowed(attrs: Attrs, shape: Shape, op: str, channels: int, ceil: bool = False) -> Shape:
    _, h, w = _feature_map(shape, op)
    (kh, kw), (sh, sw), (ph, pw) = attrs["kernel"], attrs["stride"], attrs["pad"]
    dh, dw = attrs.get("dilation", (1, 1))
    if op != "conv" and (ph * 2 > kh or pw * 2 > kw):
        raise OpError(f"{op} padding {ph}x{pw} is more than half the kernel {kh}x{kw}")
    oh = window_out(h, kh, sh, ph, dh, ceil)
    ow = window_out(w, kw, sw, pw, dw, ceil)
    if oh < 1 or ow < 1:
        raise OpError(f"{op} {kh}x{kw} with stride {sh} on a {h}x{w} input leaves no output")
    return (channels, oh, ow)


# conv -----------------------------------------------------------------------------------------


def _conv_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    c = _feature_map(s[0], "conv")[0]
    g = a["groups"]
    if c % g or a["out"] % g:
        raise OpError(f"conv with groups={g} needs input and output channels divisible by {g}, "
                      f"got {c} in and {a['out']} out")
    return _windowed(a, s[0], "conv", a["out"])


def _conv_params(a: Attrs, s: Sequence[Shape]) -> dict[str, Shape]:
    kh, kw = a["kernel"]
    p: dict[str, Shape] = {"weight": (a["out"], s[0][0] // a["groups"], kh, kw)}
    if a["bias"]:
        p["bias"] = (a["out"],)
    return p


def _conv_macs(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    kh, kw = a["kernel"]
    return numel(o) * (s[0][0] // a["groups"]) * kh * kw


# pooling ----------------------------------------------------------------------------------------


def _pool_infer(op: str) -> Callable[[Attrs, Sequence[Shape]], Shape]:
    def infer(a: Attrs, s: Sequence[Shape]) -> Shape:
        return _windowed(a, s[0], op, s[0][0], ceil=a["ceil"])
    return infer


def _window_elems(a: Attrs) -> int:
    kh, kw = a["kernel"]
    return kh * kw


# the others -------------------------------------------------------------------------------------


def _same(a: Attrs, s: Sequence[Shape]) -> Shape:
    return s[0]


def _bn_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    _feature_map(s[0], "bn")
    return s[0]


def _add_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    if s[0] != s[1]:
        raise OpError(f"cannot add {fmt_shape(s[0])} to {fmt_shape(s[1])}")
    return s[0]


def _mul_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    x, y = s
    if len(x) != len(y) or any(p != q and 1 not in (p, q) for p, q in zip(x, y)):
        raise OpError(f"cannot multiply {fmt_shape(x)} by {fmt_shape(y)} (shapes do not broadcast)")
    return tuple(max(p, q) for p, q in zip(x, y))


def _concat_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    maps = [_feature_map(x, "concat") for x in s]
    if len({x[1:] for x in maps}) != 1:
        raise OpError("concat needs equal spatial sizes, got "
                      + ", ".join(fmt_shape(x) for x in maps))
    channels = sum(x[0] for x in maps)
    if channels > MAX_CHANNELS:
        raise OpError(f"concat makes {channels} channels, over the limit of {MAX_CHANNELS}")
    return (channels, *maps[0][1:])


def _gap_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    c = _feature_map(s[0], "global_avgpool")[0]
    return (c, 1, 1)


def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """The windows of adaptive pooling along one side, as torch takes them: the i-th of
    ``out`` runs from floor(i * size / out) to ceil((i + 1) * size / out)."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _adaptive_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    return (_feature_map(s[0], "adaptive_avgpool")[0], *a["size"])


def _adaptive_flops(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    """One add or divide per element of each window: the windows' areas, summed."""
    (h, w), (oh, ow) = s[0][1:], a["size"]
    rows = sum(e - b for b, e in adaptive_windows(h, oh))
    cols = sum(e - b for b, e in adaptive_windows(w, ow))
    return s[0][0] * rows * cols


def _spatial_mean_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    return (_feature_map(s[0], "spatial_mean")[0],)


def _linear_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    """Over the last side of a flat vector or of tokens (NxC, or heads' hxNxd beyond a
    feature map's rank); a CxHxW feature map is flattened first, or takes channel_linear."""
    if len(s[0]) == 3:
        raise OpError(f"linear needs a flat input or tokens, got {fmt_shape(s[0])}; add "
                      "'flatten' first (or channel_linear over each pixel's channels)")
    return (*s[0][:-1], a["out"])


def _linear_params(a: Attrs, s: Sequence[Shape]) -> dict[str, Shape]:
    p: dict[str, Shape] = {"weight": (a["out"], s[0][-1])}
    if a["bias"]:
        p["bias"] = (a["out"],)
    return p


def _pad_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    c, h, w = _feature_map(s[0], "pad_channels")
    if a["out"] < c:
        raise OpError(f"pad_channels cannot shrink {c} channels to {a['out']}")
    st = a["stride"]
    return (a["out"], -(-h // st), -(-w // st))


def _bias(a: Attrs, o: Shape) -> int:
    return numel(o) if a["bias"] else 0


def _per_element(cost: int) -> Callable[[Attrs, Sequence[Shape], Shape], int]:
    def flops(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
        return cost * numel(o)
    return flops


# activations: name, doc, flops per element (a comparison, add, multiply, divide or
# exponential is one; the formulas are torch.nn's)
_ACTIVATIONS = (
    ("relu6", "min(max(x, 0), 6) (MobileNetV2)", 2),
    ("silu", "x·sigmoid(x), also called swish (EfficientNet)", 5),
    ("hardsigmoid", "relu6(x + 3) / 6 (MobileNetV3)", 4),
    ("hardswish", "x·relu6(x + 3) / 6 (MobileNetV3)", 5),
    ("gelu", "x·Φ(x) = x·(1 + erf(x/√2))/2, exact (ConvNeXt)", 5),
)


def _channel_linear_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    _, h, w = _feature_map(s[0], "channel_linear")
    return (a["out"], h, w)


def _layer_scale_infer(a: Attrs, s: Sequence[Shape]) -> Shape:
    return _feature_map(s[0], "layer_scale")


def _channel_linear_macs(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    return numel(o) * s[0][0]


def _stats(a: Attrs, s: Sequence[Shape]) -> dict[str, Shape]:
    c = s[0][0]
    return {"running_mean": (c,), "running_var": (c,), "num_batches_tracked": ()}


OPS: dict[str, OpDef] = {op.name: op for op in [
    OpDef("conv", "2-D convolution (no bias unless bias=true); pad defaults to 'same' for stride 1",
          (Arg("x", "tensor"), Arg("kernel", "size"), Arg("out", "int", most=MAX_CHANNELS),
           Arg("stride", "size", 1), Arg("pad", "size", None, least=0),
           Arg("groups", "int", 1, most=MAX_CHANNELS), Arg("dilation", "size", 1),
           Arg("bias", "bool", False)),
          _conv_infer, _conv_params, macs=_conv_macs,
          flops=lambda a, s, o: 2 * _conv_macs(a, s, o) + _bias(a, o), weighted=True),
    OpDef("bn", "batch normalisation; zero_init=true starts its scale at 0; eps and momentum "
          "as torch's (1e-5 and 0.1 unless given: MobileNetV3 and EfficientNet use 1e-3)",
          (Arg("x", "tensor"), Arg("zero_init", "bool", False),
           Arg("eps", "number", None, least=0, most=1),
           Arg("momentum", "number", None, least=0, most=1)), _bn_infer,
          params=lambda a, s: {"weight": (s[0][0],), "bias": (s[0][0],)}, buffers=_stats,
          flops=lambda a, s, o: 2 * numel(o)),
    OpDef("relu", "rectified linear unit", (Arg("x", "tensor"),), _same,
          flops=lambda a, s, o: numel(o)),
    OpDef("sigmoid", "logistic sigmoid", (Arg("x", "tensor"),), _same,
          flops=lambda a, s, o: 4 * numel(o)),
    OpDef("maxpool", "max pooling; stride defaults to the kernel",
          (Arg("x", "tensor"), Arg("kernel", "size"), Arg("stride", "size", None),
           Arg("pad", "size", 0, least=0), Arg("ceil", "bool", False)), _pool_infer("maxpool"),
          flops=lambda a, s, o: (_window_elems(a) - 1) * numel(o)),
    OpDef("avgpool", "average pooling; stride defaults to the kernel",
          (Arg("x", "tensor"), Arg("kernel", "size"), Arg("stride", "size", None),
           Arg("pad", "size", 0, least=0), Arg("ceil", "bool", False),
           Arg("count_pad", "bool", True)),
          _pool_infer("avgpool"), flops=lambda a, s, o: _window_elems(a) * numel(o)),
    OpDef("global_avgpool", "average over the whole feature map, to Cx1x1",
          (Arg("x", "tensor"),), _gap_infer, flops=lambda a, s, o: numel(s[0])),
    OpDef("adaptive_avgpool", "average over size windows that tile the feature map, to "
          "CxSIZE (torch's adaptive_avg_pool2d: windows of unequal sides where size does not "
          "divide the input's, as GoogLeNet's auxiliary heads take 4x4 of 14x14)",
          (Arg("x", "tensor"), Arg("size", "size")), _adaptive_infer, flops=_adaptive_flops),
    OpDef("spatial_mean", "the mean over height and width, CxHxW to a flat C (torchvision's "
          "x.mean([2, 3]), MNASNet): as mean, its sum and a divide per channel",
          (Arg("x", "tensor"),), _spatial_mean_infer, flops=lambda a, s, o: numel(s[0])),
    OpDef("flatten", "CxHxW to a flat vector", (Arg("x", "tensor"),),
          lambda a, s: (numel(s[0]),)),
    OpDef("linear", "fully connected layer", (Arg("x", "tensor"),
                                              Arg("out", "int", most=MAX_CHANNELS),
                                              Arg("bias", "bool", True)),
          _linear_infer, _linear_params, macs=lambda a, s, o: numel(o) * s[0][-1],
          flops=lambda a, s, o: 2 * numel(o) * s[0][-1] + _bias(a, o), weighted=True),
    OpDef("add", "element-wise sum of two equal shapes", (Arg("a", "tensor"), Arg("b", "tensor")),
          _add_infer, flops=lambda a, s, o: numel(o), arity=2),
    OpDef("mul", "element-wise product, broadcasting Cx1x1 over CxHxW",
          (Arg("a", "tensor"), Arg("b", "tensor")), _mul_infer,
          flops=lambda a, s, o: numel(o), arity=2),
    OpDef("concat", "concatenation along channels", (Arg("xs", "tensor"),), _concat_infer,
          arity=None),
    OpDef("pad_channels", "option-A shortcut: subsample by stride, zero-pad channels to out",
          (Arg("x", "tensor"), Arg("out", "int", most=MAX_CHANNELS), Arg("stride", "int", 1)),
          _pad_infer),
    *(OpDef(name, doc, (Arg("x", "tensor"),), _same, flops=_per_element(cost))
      for name, doc, cost in _ACTIVATIONS),
    OpDef("leaky_relu", "x where positive, slope·x elsewhere (CSPNet, DarkNet): a multiply "
          "and a max per element", (Arg("x", "tensor"), Arg("slope", "number", 0.01, least=0,
                                                             most=1)),
          _same, flops=_per_element(2)),
    OpDef("layernorm", "layer normalisation over the channels of each pixel (ConvNeXt's "
          "LayerNorm2d), eps 1e-6", (Arg("x", "tensor"),), _bn_infer,
          params=lambda a, s: {"weight": (s[0][0],), "bias": (s[0][0],)},
          flops=_per_element(7)),
    OpDef("channel_linear", "a linear layer over each pixel's channels (ConvNeXt's nn.Linear "
          "on a channels-last map): a 1x1 convolution with a linear layer's (out, in) weight",
          (Arg("x", "tensor"), Arg("out", "int", most=MAX_CHANNELS), Arg("bias", "bool", True)),
          _channel_linear_infer,
          lambda a, s: _linear_params(a, [(s[0][0],)]), macs=_channel_linear_macs,
          flops=lambda a, s, o: 2 * _channel_linear_macs(a, s, o) + _bias(a, o), weighted=True),
    OpDef("layer_scale", "a learned per-channel multiplier, initialised to init (Touvron et "
          "al. 2021; ConvNeXt): one Cx1x1 parameter named by the op's own scope",
          (Arg("x", "tensor"), Arg("init", "number", 1e-6, least=0, most=MAX_SIZE)),
          _layer_scale_infer,
          params=lambda a, s: {"": (s[0][0], 1, 1)}, flops=_per_element(1)),
    OpDef("dropout", "zeroes elements with probability p in training; the identity in eval "
          "(free)", (Arg("x", "tensor"), Arg("p", "number", 0.5, least=0, most=1)), _same),
    OpDef("stochastic_depth", "drops a sample's residual branch with probability p in training "
          "(Huang et al. 2016, torchvision's mode 'row'); the identity in eval (free)",
          (Arg("x", "tensor"), Arg("p", "number", least=0, most=1)), _same),
]}


# ops of tensors of any rank ---------------------------------------------------------------------
# Layout ops, parts of tensors, reductions, matrix products, attention, resampling and
# element-wise arithmetic with numbers or broadcasting: what a traced model uses beyond the
# feature-map ops, and what a spec writes for tokens and heads. Shapes here may have any
# rank: CxHxW feature maps, NxC tokens (N tokens of C features), hxNxd heads. A dimension is
# counted per sample (0 is a feature map's channels), a negative one from the last; the
# attributes a spec gives are made what an import records (dimensions as non-negative
# tuples, a reshape's -1 resolved, an einsum's equation with the batch's index) by each op's
# ``derive``, so one rule counts both.


def _dim(d: int, rank: int, op: str) -> int:
    """A dimension as a non-negative index of a per-sample shape of ``rank`` sides."""
    if not -rank <= d < rank:
        raise OpError(f"{op}: dimension {d} is out of range for a shape of {rank} sides "
                      f"(0 to {rank - 1}, or -{rank} to -1 from the last)")
    return d % rank


def _dims(dims: Sequence[int], rank: int, op: str) -> tuple[int, ...]:
    out = tuple(_dim(d, rank, op) for d in dims)
    if len(set(out)) != len(out):
        raise OpError(f"{op}: dimensions {list(dims)} name one dimension twice")
    return out


def _derive_reshape(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """A side of -1 is what the others leave of the input's elements."""
    shape, total = list(a["shape"]), numel(s[0])
    if -1 in shape:
        known = -numel(tuple(shape))
        if total % known:
            raise OpError(f"cannot reshape {fmt_shape(s[0])} to {_written(shape)}: "
                          f"{total} elements are not a multiple of {known}")
        shape[shape.index(-1)] = total // known
    return {**a, "shape": tuple(shape)}


def _written(shape: Sequence[int]) -> str:
    return "x".join("?" if d == -1 else str(d) for d in shape)


def _derive_permute(a: Attrs, s: Sequence[Shape]) -> Attrs:
    dims = _dims(a["dims"], len(s[0]), "permute")
    if len(dims) != len(s[0]):
        raise OpError(f"permute of {fmt_shape(s[0])} needs {len(s[0])} dimensions, "
                      f"got {list(a['dims'])}")
    return {**a, "dims": dims}


def _derive_part(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """``size`` sides from ``start`` along ``dim`` (narrow); without ``keep`` the side goes
    (an index, ``x[:, 0]``)."""
    shape = s[0]
    d = _dim(a["dim"], len(shape), "part")
    if a["start"] + a["size"] > shape[d]:
        raise OpError(f"part {a['start']} to {a['start'] + a['size'] - 1} of dimension {d} "
                      f"is past its {shape[d]} sides ({fmt_shape(shape)})")
    if not a["keep"] and a["size"] != 1:
        raise OpError(f"part with keep=false takes one side (an index), got size {a['size']}")
    sides = (a["size"],) if a["keep"] else ()
    return {**a, "dim": d, "shape": (*shape[:d], *sides, *shape[d + 1:])}


def _derive_dim(extra: int, op: str) -> Callable[[Attrs, Sequence[Shape]], Attrs]:
    """``dim`` made non-negative; a stack's may also be one past the last (a new side)."""
    def derive(a: Attrs, s: Sequence[Shape]) -> Attrs:
        return {**a, "dim": _dim(a["dim"], len(s[0]) + extra, op)}
    return derive


def _derive_cat(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """A cat along a feature map's channels is ``concat``, as the import reads torch.cat there:
    one op for one computation, so a spec and its compiled module count it alike."""
    derived = _derive_dim(0, "cat")(a, s)
    if derived["dim"] == 0 and len(s[0]) == 3:
        raise OpError(f"cat along the channels of feature maps {fmt_shape(s[0])} is concat: "
                      "write concat(...)")
    return derived


def _derive_reduce(op: str) -> Callable[[Attrs, Sequence[Shape]], Attrs]:
    def derive(a: Attrs, s: Sequence[Shape]) -> Attrs:
        return {**a, "dims": _dims(a["dims"], len(s[0]), op)}
    return derive


def _derive_layer_norm(a: Attrs, s: Sequence[Shape]) -> Attrs:
    if a["dims"] > len(s[0]):
        raise OpError(f"layer_norm over the last {a['dims']} dimensions of {fmt_shape(s[0])}, "
                      f"which has {len(s[0])}")
    return {k: v for k, v in a.items() if v is not None}  # torch's eps stays implicit, as bn's


def _derive_interpolate(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """The output's size from ``size`` or ``scale`` (floor of side times scale, as torch),
    and what was given, which some counters read (as the import records them)."""
    _, h, w = _feature_map(s[0], "interpolate")
    if (a["size"] is None) == (a["scale"] is None):
        raise OpError("interpolate takes a size or a scale, one of them")
    if a["align_corners"] and a["mode"] != "bilinear":
        raise OpError("align_corners=true is for mode \"bilinear\" only")
    given = ("size", a["size"]) if a["size"] is not None else ("scale", a["scale"])
    size = a["size"] or (math.floor(h * a["scale"]), math.floor(w * a["scale"]))
    if min(size) < 1 or max(size) > MAX_SIZE:
        raise OpError(f"interpolate of {h}x{w} by {a['scale']} gives {fmt_shape(size)}; "
                      f"sides are from 1 to {MAX_SIZE}")
    out = {"size": tuple(size), "mode": a["mode"], "given": given}
    return {**out, "align_corners": True} if a["align_corners"] else out


def _derive_einsum(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """A spec's equation is per sample (``"nc,mc->nm"``): the batch's index is put in front
    of every operand and the output, a letter the equation does not use, as a traced model
    writes it; the sizes of the indices come from the operands."""
    equation = a["equation"].replace(" ", "")
    ins, arrow, out = equation.partition("->")
    subs = ins.split(",")
    if not arrow or not all(x.isalpha() for x in [*subs, out or "a"]) or len(subs) != len(s):
        raise OpError(f"einsum needs an equation of letters, one operand per tensor and an "
                      f"output, as \"nc,mc->nm\"; got \"{a['equation']}\" for {len(s)} "
                      f"tensor{'s' * (len(s) != 1)}")
    sizes: dict[str, int] = {}
    for sub, shape in zip(subs, s):
        if len(sub) != len(shape):
            raise OpError(f"einsum operand '{sub}' has {len(sub)} indices for a tensor "
                          f"{fmt_shape(shape)}")
        for i, n in zip(sub, shape):
            if sizes.setdefault(i, n) != n:
                raise OpError(f"einsum index '{i}' is {sizes[i]} in one operand and {n} "
                              "in another")
    if set(out) - set(sizes) or len(set(out)) != len(out):
        raise OpError(f"einsum output '{out}' must use each index of its operands once at most")
    batch = next(c for c in "bzyxwvutsrqponmlkjihgfedca" if c not in equation)
    full = ",".join(batch + x for x in subs) + "->" + batch + out
    return {"equation": full, "sizes": tuple(sorted(sizes.items())), "batch": batch,
            "weights": 0}


def _derive_elementwise(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """One tensor with a number (``by``), two that broadcast, or one negated."""
    operands = len(s) + (a["by"] is not None)
    if (a["fn"] == "neg") != (operands == 1) or operands > 2:
        raise OpError(f"elementwise '{a['fn']}' takes " + (
            "one tensor and no number" if a["fn"] == "neg"
            else "a tensor and a number (by=...), or two tensors"))
    return a if a["by"] is not None else {"fn": a["fn"]}


def broadcast(shapes: Sequence[Shape]) -> Shape:
    """NumPy's broadcasting rule over per-sample shapes, aligned at the right."""
    rank = max(len(x) for x in shapes)
    out = []
    for i in range(rank):
        sides = {x[i - rank + len(x)] for x in shapes if i - rank + len(x) >= 0} - {1}
        if len(sides) > 1:
            raise OpError("shapes do not broadcast: " + ", ".join(fmt_shape(x) for x in shapes))
        out.append(sides.pop() if sides else 1)
    return tuple(out)


def _reshape(a: Attrs, s: Sequence[Shape]) -> Shape:
    if numel(a["shape"]) != numel(s[0]):
        raise OpError(f"cannot reshape {fmt_shape(s[0])} to {fmt_shape(a['shape'])}")
    return tuple(a["shape"])


def _permute(a: Attrs, s: Sequence[Shape]) -> Shape:
    if sorted(a["dims"]) != list(range(len(s[0]))):
        raise OpError(f"cannot permute {fmt_shape(s[0])} by {a['dims']}")
    return tuple(s[0][d] for d in a["dims"])


def _part(a: Attrs, s: Sequence[Shape]) -> Shape:
    if numel(a["shape"]) > numel(s[0]):
        raise OpError(f"a part {fmt_shape(a['shape'])} is larger than {fmt_shape(s[0])}")
    return tuple(a["shape"])


def _stack(a: Attrs, s: Sequence[Shape]) -> Shape:
    if len(set(s)) != 1:
        raise OpError("stack needs equal shapes, got " + ", ".join(fmt_shape(x) for x in s))
    d = a["dim"] % (len(s[0]) + 1)
    return (*s[0][:d], len(s), *s[0][d:])


def _cat(a: Attrs, s: Sequence[Shape]) -> Shape:
    d = a["dim"] % len(s[0])
    if len({x[:d] + x[d + 1:] for x in s}) != 1:
        raise OpError(f"cat along dimension {d} needs the other sides equal, got "
                      + ", ".join(fmt_shape(x) for x in s))
    return (*s[0][:d], sum(x[d] for x in s), *s[0][d + 1:])


def _reduce(a: Attrs, s: Sequence[Shape]) -> Shape:
    dims = {d % len(s[0]) for d in a["dims"]} if a["dims"] else set(range(len(s[0])))
    return tuple(1 if i in dims else n for i, n in enumerate(s[0])
                 if a["keepdim"] or i not in dims)


def _matmul(a: Attrs, s: Sequence[Shape]) -> Shape:
    x, y = s
    if len(x) < 2 or len(y) < 2 or x[-1] != y[-2]:
        raise OpError(f"cannot multiply matrices {fmt_shape(x)} and {fmt_shape(y)}")
    return (*broadcast([x[:-2], y[:-2]]), x[-2], y[-1])


def _attention(a: Attrs, s: Sequence[Shape]) -> Shape:
    q, k, v = s[:3]
    if k[-1] != q[-1] or k[-2] != v[-2]:
        raise OpError(f"attention of q {fmt_shape(q)}, k {fmt_shape(k)}, v {fmt_shape(v)}")
    return (*q[:-1], v[-1])


def _derive_attention(a: Attrs, s: Sequence[Shape]) -> Attrs:
    """What an import records: ``causal`` alone for F.scaled_dot_product_attention; for
    nn.MultiheadAttention's heads, folded into the last side (L x E between its projections),
    also their number, whether the weights are asked for, and ``vdim``, the value's width
    before its projection (E unless given)."""
    if a["heads"] is None:
        if a["weights"] or a["vdim"] is not None:
            raise OpError("weights and vdim are those of heads folded into the last side: "
                          "give heads as well")
        return {"causal": a["causal"]}
    for what, side in (("q", s[0][-1]), ("v", s[2][-1])):
        if side % a["heads"]:
            raise OpError(f"{a['heads']} heads cannot split {what}'s {side} features evenly")
    vdim = s[2][-1] if a["vdim"] is None else a["vdim"]
    return {"causal": a["causal"], "heads": a["heads"], "weights": a["weights"], "vdim": vdim}


def _attention_macs(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    """q·kᵀ and the weights times v: L·S·E and L·S·Ev per head, as FlopCounterMode counts
    (``sdpa_flop_count``); heads folded into the last side (``nn.MultiheadAttention``'s
    L x E) split E among them, which leaves the sum the same."""
    q, k, v = s[:3]
    return numel(q[:-1]) * k[-2] * (q[-1] + v[-1])


def attention_scores(a: Attrs, s: Sequence[Shape]) -> int:
    """The attention weights' elements: L·S per head."""
    return a.get("heads", 1) * numel(s[0][:-1]) * s[1][-2]


def _interpolate(a: Attrs, s: Sequence[Shape]) -> Shape:
    c, _, _ = _feature_map(s[0], "interpolate")
    return (c, *a["size"])


#: FLOPs per output element of each interpolation: a copy, or 4 neighbours each times its
#: weight, summed (4 multiplies, 3 adds)
INTERPOLATION_FLOPS = {"nearest": 0, "nearest-exact": 0, "bilinear": 7}


def _einsum_sides(a: Attrs) -> tuple[list[str], str]:
    ins, out = a["equation"].split("->")
    return ins.split(","), out


def _einsum(a: Attrs, s: Sequence[Shape]) -> Shape:
    """The output's sides from the equation and the sizes of its indices; ``sizes`` leaves
    out the batch's index, which every tensor of the data flow starts with, and ``weights``
    counts the operands that are parameters (not inputs of the node)."""
    ins, out = _einsum_sides(a)
    sizes = dict(a["sizes"])
    if len(ins) != len(s) + a["weights"] or set(out) - set(sizes) - {a["batch"]}:
        raise OpError(f"einsum '{a['equation']}' does not fit its {len(s)} tensors")
    return tuple(sizes[i] for i in out if i != a["batch"])


def _einsum_plan(a: Attrs) -> tuple[int, int, bool]:
    """How torch computes an einsum of two operands (``sumproduct_pair`` in ATen's
    ``Linear.cpp``): each operand first sums the indices only it has and the output lacks
    (those adds are the first number); then the product's elements (the second) are one
    multiply-add each, a bmm, where an index of both operands that the output lacks has a
    side over 1 (the third), else one multiply each. One operand: only the sum."""
    ins, out = _einsum_sides(a)
    sizes = {**dict(a["sizes"]), a["batch"]: 1}
    private = [{i for i in x if i not in out and all(i not in y for y in ins[:k] + ins[k + 1:])}
               for k, x in enumerate(ins)]
    adds = sum(math.prod(sizes[i] for i in x) - math.prod(sizes[i] for i in x if i not in p)
               for x, p in zip(ins, private))
    kept = set("".join(ins)) - set().union(*private)
    product = math.prod(sizes[i] for i in kept)
    contracted = len(ins) == 2 and any(sizes[i] > 1 for i in kept - set(out))
    return adds, product, contracted


def _einsum_macs(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    """A contraction's multiply-adds, as torch's bmm does them and FlopCounterMode counts."""
    _, product, contracted = _einsum_plan(a)
    return product if contracted else 0


def _einsum_flops(a: Attrs, s: Sequence[Shape], o: Shape) -> int:
    """The operands' own sums, then 2 per multiply-add of a contraction; without one, a
    multiply per element of the product (two operands) and its sum down to the output."""
    adds, product, contracted = _einsum_plan(a)
    if contracted:
        return adds + 2 * product
    return adds + (product if len(_einsum_sides(a)[0]) == 2 else 0) + product - numel(o)


def _read_params(a: Attrs, s: Sequence[Shape]) -> dict[str, Shape]:
    """The parameters an imported op reads as tensors (a class token, a position embedding,
    an einsum's weight), by their paths in the model."""
    return {path: tuple(shape) for path, shape in a.get("params", ())}


_DIM: dict[str, Any] = {"least": -MAX_SIZE, "most": MAX_SIZE}
#: the bound of a number an element-wise op takes (the language bounds numbers further)
_ANY_NUMBER = 1 << 62
_SHAPE = Arg("shape", "shape", most=MAX_CHANNELS)
#: element-wise arithmetic as the import names it (a traced model's -, /, and + or * with a
#: number or broadcasting)
ELEMENTWISE_FNS = ("add", "sub", "mul", "div", "neg")
#: the resampling modes resgraph counts
INTERPOLATION_MODES = tuple(INTERPOLATION_FLOPS)

#: the most elements a ``param`` holds (ViT-H's position embedding holds 328,960)
MAX_PARAM_ELEMENTS = 1 << 28


def _param(a: Attrs, s: Sequence[Shape]) -> Shape:
    if -1 in a["shape"]:
        raise OpError("a parameter's shape has no side to infer: give every side")
    if numel(a["shape"]) > MAX_PARAM_ELEMENTS:
        raise OpError(f"a parameter of {fmt_shape(a['shape'])} is over the limit of "
                      f"{MAX_PARAM_ELEMENTS:,} elements")
    return tuple(a["shape"])


def _opaque(a: Attrs, s: Sequence[Shape]) -> Shape:
    if "shape" not in a:
        raise OpError("'opaque' stands for what resgraph cannot count in a traced model; "
                      "a spec writes what it computes instead")
    return tuple(a["shape"])


TENSOR_OPS = (
    OpDef("reshape", "a view or reshape to another shape (free: no arithmetic); one side may "
          "be -1, what the others leave", (Arg("x", "tensor"), _SHAPE), _reshape,
          derive=_derive_reshape),
    OpDef("permute", "dimensions reordered (permute, transpose; free)",
          (Arg("x", "tensor"), Arg("dims", "dims", **_DIM)), _permute, derive=_derive_permute),
    OpDef("part", "a part of a tensor: indexing, chunk, split, narrow (free); a spec takes "
          "size sides from start along dim, without keep an index",
          (Arg("x", "tensor"), Arg("dim", "int", 0, **_DIM), Arg("start", "int", 0, least=0,
                                                                 most=MAX_CHANNELS),
           Arg("size", "int", 1, most=MAX_CHANNELS), Arg("keep", "bool", True)), _part,
          derive=_derive_part),
    OpDef("stack", "tensors stacked along a new dimension (free)",
          (Arg("xs", "tensor"), Arg("dim", "int", 0, **_DIM)), _stack, _read_params,
          arity=None, inputs=(1, None), derive=_derive_dim(1, "stack")),
    OpDef("cat", "concatenation along a dimension other than a feature map's channels (free)",
          (Arg("xs", "tensor"), Arg("dim", "int", 0, **_DIM)), _cat, _read_params, arity=None,
          derive=_derive_cat),
    OpDef("sum", "a sum over dimensions: one add per input element beyond each output's first",
          (Arg("x", "tensor"), Arg("dims", "dims", **_DIM), Arg("keepdim", "bool", False)),
          _reduce, flops=lambda a, s, o: numel(s[0]) - numel(o), derive=_derive_reduce("sum")),
    OpDef("mean", "a mean over dimensions: its sum, and a divide per output element",
          (Arg("x", "tensor"), Arg("dims", "dims", **_DIM), Arg("keepdim", "bool", False)),
          _reduce, flops=lambda a, s, o: numel(s[0]), derive=_derive_reduce("mean")),
    OpDef("matmul", "a matrix product of two tensors (matmul, bmm, @), batched and broadcast",
          (Arg("a", "tensor"), Arg("b", "tensor")), _matmul, _read_params,
          macs=lambda a, s, o: numel(o) * s[0][-1], flops=lambda a, s, o: 2 * numel(o) * s[0][-1],
          arity=2),
    OpDef("softmax", "softmax along a dimension: max, subtract, exp, sum, divide per element",
          (Arg("x", "tensor"), Arg("dim", "int", -1, **_DIM)), lambda a, s: s[0],
          flops=lambda a, s, o: 5 * numel(o), derive=_derive_dim(0, "softmax")),
    OpDef("layer_norm", "layer normalisation over the last dims dimensions (nn.LayerNorm, "
          "F.layer_norm): 7 operations per element, as layernorm",
          (Arg("x", "tensor"), Arg("dims", "int", 1), Arg("affine", "bool", True),
           Arg("eps", "number", None, least=0, most=1)), lambda a, s: s[0],
          params=lambda a, s: dict.fromkeys(("weight", "bias"), s[0][-a["dims"]:])
          if a["affine"] else {}, flops=_per_element(7), derive=_derive_layer_norm),
    OpDef("attention", "scaled dot-product attention of q, k, v: two products and a softmax "
          "(F.scaled_dot_product_attention; nn.MultiheadAttention's heads, between its "
          "projections)",
          (Arg("q", "tensor"), Arg("k", "tensor"), Arg("v", "tensor"),
           Arg("causal", "bool", False), Arg("heads", "int", None, most=MAX_CHANNELS),
           Arg("weights", "bool", False), Arg("vdim", "int", None, most=MAX_CHANNELS)),
          _attention, macs=_attention_macs,
          flops=lambda a, s, o: 2 * _attention_macs(a, s, o) + 6 * attention_scores(a, s),
          arity=None, inputs=(3, 3), derive=_derive_attention),
    OpDef("interpolate", "resampling of a feature map to a size (F.interpolate, nn.Upsample): "
          "nearest copies (free), bilinear weighs 4 neighbours (7 per output element)",
          (Arg("x", "tensor"), Arg("size", "size", None), Arg("scale", "number", None,
                                                               least=0, most=MAX_SIZE),
           Arg("mode", "str", "nearest", choices=INTERPOLATION_MODES),
           Arg("align_corners", "bool", False)),
          _interpolate, flops=lambda a, s, o: INTERPOLATION_FLOPS[a["mode"]] * numel(o),
          derive=_derive_interpolate),
    OpDef("einsum", "torch.einsum of one or two tensors: a contraction of two is one MAC per "
          "combination of its indices, those only one operand has and the output lacks summed "
          "first, as torch does it (a bmm); a product without a contracted index is "
          "element-wise, of one tensor a sum (no MACs)",
          (Arg("xs", "tensor"), Arg("equation", "str")), _einsum, _read_params,
          macs=_einsum_macs, flops=_einsum_flops, arity=None, inputs=(1, 2),
          derive=_derive_einsum),
    OpDef("elementwise", "element-wise arithmetic with a number or broadcasting (sub, div, "
          "a scalar add or multiply): one operation per output element",
          (Arg("xs", "tensor"), Arg("fn", "str", choices=ELEMENTWISE_FNS),
           Arg("by", "number", None, least=-_ANY_NUMBER, most=_ANY_NUMBER)),
          lambda a, s: broadcast(s), _read_params, flops=lambda a, s, o: numel(o), arity=None,
          inputs=(1, 2), derive=_derive_elementwise),
    OpDef("param", "a learned tensor the network reads as data (ViT's class token and "
          "position embedding): per sample of the given shape, one parameter of a batch side "
          "of 1 named by the op's own scope and broadcast over the batch, drawn from a normal "
          "distribution of std (0: zeros)",
          (Arg("shape", "shape", most=MAX_CHANNELS), Arg("std", "number", 0, least=0, most=1)),
          _param, params=lambda a, s: {"": (1, *a["shape"])}, arity=0,
          derive=lambda a, s: {**a, "shape": tuple(a["shape"])}),
    OpDef("opaque", "an op resgraph cannot count: its shape from the trace, its cost unknown",
          (Arg("xs", "tensor"),), _opaque, _read_params, arity=None),
)
#: the ops that can own parameters they read (:func:`_read_params`)
PARAMETER_READERS = frozenset({"stack", "cat", "matmul", "einsum", "elementwise", "opaque"})
OPS.update({op.name: op for op in TENSOR_OPS})


def normalise(op: OpDef, attrs: Attrs) -> Attrs:
    """Fill derived defaults: sizes as pairs, pool stride = kernel, conv 'same' padding."""
    out = dict(attrs)
    for a in op.args:
        if a.type == "size" and out.get(a.name) is not None:
            out[a.name] = pair(out[a.name])
    if op.name in ("maxpool", "avgpool") and out["stride"] is None:
        out["stride"] = out["kernel"]
    if op.name == "bn":  # torch's defaults stay implicit, so an IR says only what a spec chose
        out = {k: v for k, v in out.items() if v is not None}
    if op.name == "conv" and out["pad"] is None:
        out["pad"] = tuple(d * (k - 1) // 2 for k, d in zip(out["kernel"], out["dilation"]))
    return out
