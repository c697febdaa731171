"""What other operation counters would report for the same network, rule by rule.

resgraph counts every op once and says which convention a figure follows (see
:mod:`resgraph.ops`): ``macs`` (conv and linear multiply-accumulates, the figure torchvision
publishes and ``torch.utils.flop_counter.FlopCounterMode`` counts, ÷ 2) and ``flops`` (every
floating-point operation once, residual additions included). The counters below disagree
with both and with each other, and most of them count a layer differently when a model calls
a function (``F.relu``, ``x.mean``) instead of a module (``nn.ReLU``): each node says how it
was called (:data:`~resgraph.analysis.keys.CALLED`, ``module:ReLU``, ``function:F.relu``,
``method:Tensor.mean``); a spec's nodes, which have none, are counted as torchvision writes
the layer (conv, bn, activations, pooling and linear as modules, ``out += identity``,
``spatial_mean`` as MNASNet's ``x.mean([2, 3])``).
Each rule is that tool's released source, read at these versions and lines:

``fvcore``     0.1.5.post20221221, ``fvcore/nn/flop_count.py`` ``_DEFAULT_SUPPORTED_OPS``
               (l. 26-44; a jit trace counts aten ops, so modules and functions are alike):
               conv, linear and matmul one per MAC, biases ignored (``jit_handles.py``
               ``conv_flop_jit``, ``linear_flop_jit``); eval batch norm 2 per element when
               affine (``batchnorm_flop_jit``, l. 251-258); layer norm 5 per element when
               affine, else 4 (``norm_flop_counter``, l. 230-248); ``adaptive_avg_pool2d`` 1 per
               input element, but ``x.mean`` (``aten::mean``) nothing; every other op nothing.
``thop``       0.1.1.post2209072238, ``thop/profile.py`` ``register_hooks`` (l. 22-61; a hook
               per module whose type is exactly a key: functions and subclasses count
               nothing) and ``thop/vision/basic_hooks.py``: conv MACs without bias; batch and
               layer norm ``calculate_norm`` = 2 per element, doubled when affine (4,
               ``count_normalization``, l. 60-69); ReLU, ReLU6 and max pooling zero;
               ``AdaptiveAvgPool2d`` (kernel + 1) per output element (``count_adap_avgpool``,
               l. 114-121); ``AvgPool2d`` 1 per output element (l. 106-111); linear
               ``in_features`` per output element (``count_linear``, l. 140-147).
``ptflops``    0.7.5, backend ``pytorch``, "MACs": module hooks by exact type
               (``ptflops/pytorch_ops.py`` ``MODULES_MAPPING``, l. 271-320): conv MACs + bias,
               batch norm 2 per element when ``affine`` (LayerNorm has no such attribute: 1),
               ReLU, ReLU6 and GELU (l. 323-324) 1 per output element, every pooling 1 per
               *input* element, linear MACs + bias; and the run patches functions (``pytorch_engine.py``
               ``patch_functional``, l. 348-390: ``F.relu``, ``F.relu6``, ``F.gelu``,
               ``F.silu``, ``F.softmax``, every ``F.*pool*``; ``F.linear`` is commented out,
               l. 349) at 1 per input element, which the modules' own ``forward`` call too: so
               ReLU and GELU modules and every pooling module count twice, SiLU once (through
               its function); and tensor ops (``patch_tensor_ops``, l. 434-457):
               ``torch.matmul``/``mm``/``bmm`` and their methods one per MAC, ``torch.add``,
               ``torch.mul`` and their methods 1 per output element, but not ``+``, ``*``
               or ``@``.
``ptflops_aten``  0.7.5, backend ``aten`` (``ptflops/aten_ops.py`` ``ATEN_OPS_MAPPING``):
               only ``aten.convolution`` (MACs + bias, ``conv_flop_count``), ``aten.addmm``
               (MACs + bias: torch folds a linear layer of any rank into it, ConvNeXt's
               channels-last ones included), ``aten.mm``, ``aten.matmul`` and ``aten.bmm``
               (MACs).
``deepspeed``  0.19.8, ``deepspeed/profiling/flops_profiler/profiler.py`` (its FLOPs figure;
               it patches functions, l. 892-967, which modules call too, so the two are alike
               but for ``x.mean``, ``+`` and ``*``, which are not patched): conv 2·MACs + bias
               (``_conv_flops_compute``, l. 569-611), linear 2·MACs, bias ignored (l. 523-526),
               ``matmul``/``mm``/``bmm``/``@`` and attention 2·MACs (l. 769-774, 863-869);
               eval batch norm 2 per element when affine (l. 665-680), layer norm 5 (4 without
               affine, l. 683-692); ReLU, ReLU6, SiLU, GELU and softmax 1 per input element;
               every ``F.*pool*`` 1 per input element (l. 557-566); ``torch.add``,
               ``torch.mul`` and their methods 1 per output element (l. 838-860); sigmoid,
               hard-swish and hard-sigmoid nothing.
``torchinfo``  1.8.0, ``torchinfo/layer_info.py`` ``calculate_macs`` (l. 225-245, "Total
               mult-adds"): a ``Conv`` module's weight and bias elements × output positions
               (MACs + bias), every other module's ``weight`` and ``bias`` elements × batch:
               a linear layer on vectors MACs + bias, but on a map (ConvNeXt) its parameters
               only; batch and layer norm 2·C per sample; functions and other parameters
               (a layer scale) nothing.

Attention, resampling and einsum (rules beside the code, cited there): nn.MultiheadAttention
is imported as its projections, heads and ``out_proj``; asked for its weights (the default)
it computes them by ``torch.bmm`` and softmax, which fvcore, ptflops and DeepSpeed count,
else by ``scaled_dot_product_attention``, which only DeepSpeed patches; ptflops' module hook
counts its own terms; torchinfo sees none of its parameters. torch folds the bias of a
linear layer on tokens (N, L, C) into ``addmm`` only for a contiguous input, so the ``aten``
backend misses it after a transpose (a projection of ``x.flatten(2).transpose(1, 2)``):
resgraph, which does not follow memory layout, counts it as for a contiguous input (as after
a layer norm or a ``contiguous()``). Resampling: fvcore 1 (nearest) or 4 (bilinear) per output element; thop's modules 1
or 11; ptflops and DeepSpeed read the call's size or scale (DeepSpeed's size without the
channels). einsum: fvcore and DeepSpeed read ``numpy.einsum_path``'s printed estimate; the
``aten`` backend counts the bmm torch makes of it.

resgraph's own ``pad_channels`` (option-A shortcut) and ``concat`` cost nothing in any of them.

The pass writes every counter's figure for the whole network under
:data:`~resgraph.analysis.keys.COUNTERS` on the graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

from resgraph.analysis.costs import input_shapes, signature
from resgraph.analysis.keys import CALLED, COUNTERS, FLOPS, MACS
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph, Node, multihead_groups
from resgraph.ops import Shape, attention_scores, numel

Rule = Callable[[Node, Sequence[Shape]], int]

#: how torchvision writes each spec op: the module class, or the function, it calls
_TORCHVISION = {"conv": "module:Conv2d", "bn": "module:BatchNorm2d", "relu": "module:ReLU",
                "relu6": "module:ReLU6", "sigmoid": "module:Sigmoid", "silu": "module:SiLU",
                "hardsigmoid": "module:Hardsigmoid", "hardswish": "module:Hardswish",
                "gelu": "module:GELU", "leaky_relu": "module:LeakyReLU",
                "maxpool": "module:MaxPool2d",
                "avgpool": "module:AvgPool2d", "global_avgpool": "module:AdaptiveAvgPool2d",
                "adaptive_avgpool": "function:F.adaptive_avg_pool2d",
                "linear": "module:Linear", "channel_linear": "module:Linear",
                "layernorm": "module:LayerNorm2d", "add": "function:operator.add",
                "mul": "function:operator.mul", "flatten": "function:torch.flatten",
                "spatial_mean": "method:Tensor.mean"}


def _called(n: Node) -> tuple[bool, str]:
    """Whether the node was a module's call, and the module's class or the function's name."""
    how, _, what = n.meta.get(CALLED, _TORCHVISION.get(n.op, "function:")).partition(":")
    return how == "module", what


def _macs(n: Node, s: Sequence[Shape]) -> int:
    return n.opdef.macs(n.attrs, s, n.shape) if n.op in _PRODUCTS else 0


_PRODUCTS = frozenset({"conv", "linear", "channel_linear", "matmul", "einsum"})


def _bias(n: Node) -> int:
    return numel(n.shape) if n.attrs.get("bias") and n.op in _PRODUCTS else 0


def _adaptive_avg(n: Node) -> bool:
    return _called(n)[1] in ("AdaptiveAvgPool2d", "F.adaptive_avg_pool2d")


#: FLOPs per output element fvcore's handles give resampling (``flop_count.py`` l. 41-42)
_FVCORE_INTERPOLATION = {"nearest": 1, "bilinear": 4}


def _numpy_einsum_cost(n: Node, s: Sequence[Shape]) -> float:
    """What fvcore's and DeepSpeed's einsum handles read: ``numpy.einsum_path``'s optimised
    FLOP count as it prints it (numpy 2 ``_core/einsumfunc.py``: ``_flop_count``, l. 54-59,
    is the product of the indices' sizes times 1 plus 1 for an inner product; l. 900 adds 1;
    l. 908 prints it to four digits, ``{:.3e}``), at batch 1 (the libraries round the
    whole batch's count)."""
    ins, out = n.attrs["equation"].split("->")
    inner = bool(set(ins) - {","} - set(out))
    cost = numel(tuple(size for _, size in n.attrs["sizes"])) * (1 + inner) + 1
    return float(f"{cost:.3e}")


def _weights_path(n: Node, s: Sequence[Shape], per_weight: int = 0) -> int:
    """nn.MultiheadAttention asked for its weights (``need_weights``, the default) computes
    them by ``torch.bmm`` and ``softmax``, which counters see, where otherwise it calls
    ``scaled_dot_product_attention``: the products' MACs and ``per_weight`` per weight;
    nothing for attention called any other way."""
    if not n.attrs.get("weights"):
        return 0
    return n.opdef.macs(n.attrs, s, n.shape) + per_weight * attention_scores(n.attrs, s)


def _fvcore_einsum(n: Node, s: Sequence[Shape]) -> int:
    """fvcore's ``einsum_flop_jit`` (``jit_handles.py`` l. 174-214): letters renamed in
    order of appearance, two equations (bmm-like) counted exactly, others numpy's estimate
    halved."""
    equation = n.attrs["equation"]
    order = {c: chr(97 + i) for i, c in enumerate(dict.fromkeys(c for c in equation
                                                                 if c.isalpha()))}
    if "".join(order.get(c, c) for c in equation) in ("abc,abd->acd", "abc,adc->adb"):
        return numel(tuple(size for _, size in n.attrs["sizes"]))
    return int(_numpy_einsum_cost(n, s) // 2)


def _fvcore(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "interpolate":
        return _FVCORE_INTERPOLATION[n.attrs["mode"]] * numel(n.shape)
    if n.op == "einsum":
        return _fvcore_einsum(n, s)
    if n.op == "attention":  # aten::bmm where the weights are asked for; else
        return _weights_path(n, s)  # aten::scaled_dot_product_attention, not counted
    if n.op == "bn":
        return 2 * numel(n.shape)
    if n.op in ("layernorm", "layer_norm"):
        return (5 if n.attrs.get("affine", True) else 4) * numel(n.shape)
    if n.op in ("global_avgpool", "adaptive_avgpool", "avgpool"):
        return numel(s[0]) if _adaptive_avg(n) else 0
    return _macs(n, s)


def _thop(n: Node, s: Sequence[Shape]) -> int:
    module, what = _called(n)
    if not module:
        return 0
    if what in ("BatchNorm2d", "LayerNorm"):
        return 4 * numel(n.shape)
    if what == "AdaptiveAvgPool2d":
        return (numel(s[0][1:]) // numel(n.shape[1:]) + 1) * numel(n.shape)
    if what == "AvgPool2d":
        return numel(n.shape)
    if n.op == "interpolate" and what in _THOP_UPSAMPLING:
        return _THOP_UPSAMPLE_OPS[n.attrs["mode"]] * numel(n.shape)
    return _macs(n, s) if what in ("Conv2d", "Linear") else 0


#: thop's resampling modules (``profile.py`` l. 55-57) and ``calculate_upsample``'s ops per
#: output element by mode (``vision/calc_func.py`` l. 75-88; nearest keeps its 1)
_THOP_UPSAMPLING = frozenset({"Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"})
_THOP_UPSAMPLE_OPS = {"nearest": 1, "bilinear": 11}


#: module class → what its ptflops hook counts: "macs" (+ bias), or a factor per element of
#: its "in"put or "out"put; the factor 2 is the hook and the patched function its forward calls
_PTFLOPS_MODULES = {"Conv2d": ("macs", 1), "Linear": ("macs", 1), "BatchNorm2d": ("out", 2),
                    "LayerNorm": ("out", 1), "ReLU": ("out", 2), "ReLU6": ("out", 1),
                    "LeakyReLU": ("out", 1),
                    "SiLU": ("in", 1), "GELU": ("out", 2), "Softmax": ("in", 1),
                    **dict.fromkeys(("MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
                                     "AdaptiveMaxPool2d"), ("in", 2))}
_PTFLOPS_FUNCTIONS = {
    **dict.fromkeys(("F.relu", "F.relu6", "F.gelu", "F.silu", "F.softmax", "F.max_pool2d",
                     "F.avg_pool2d", "F.adaptive_avg_pool2d", "F.adaptive_max_pool2d"), "in"),
    **dict.fromkeys(("torch.matmul", "Tensor.matmul", "torch.mm", "Tensor.mm", "torch.bmm",
                     "Tensor.bmm"), "macs"),
    **dict.fromkeys(("torch.add", "Tensor.add", "torch.mul", "Tensor.mul"), "out")}


def _interpolate_given(n: Node, s: Sequence[Shape], counter: str) -> int:
    """ptflops' and DeepSpeed's interpolate hooks read the call's arguments: a size as given,
    times the channels for ptflops (an integer size squared, ``pytorch_ops.py`` l. 351-381),
    as it is for DeepSpeed (an integer size once, ``profiler.py`` l. 720-746); else the
    input's elements times the scale factor to the power of the spatial sides."""
    kind, value = n.attrs["given"]
    if kind == "scale":
        return int(numel(s[0]) * (numel(value) if isinstance(value, tuple) else value ** 2))
    if isinstance(value, tuple):
        return numel(value) * (n.shape[0] if counter == "ptflops" else 1)
    return value ** 2 * n.shape[0] if counter == "ptflops" else value


def _ptflops_attention(n: Node, s: Sequence[Shape]) -> int:
    """ptflops' ``multihead_attention_counter_hook`` (``pytorch_ops.py`` l. 180-243, 320)
    on the nodes resgraph makes of the module: each in-projection len·dim² of its input
    (plus a bias per output element); on the attention node, q's scaling (an element each),
    per head q·kᵀ, a softmax per weight and the weights times v of vdim / heads, and the
    out-projection as qlen·vdim·(vdim + 1), vdim the value's width before projection."""
    if n.op == "attention":  # and where weights are asked for, torch.bmm and F.softmax
        q, k = s[0], s[1]
        heads, vdim, length = n.attrs["heads"], n.attrs["vdim"], numel(q[:-1])
        per_head = length * k[-2] * (q[-1] // heads + 1 + vdim // heads)
        return numel(q) + heads * per_head + length * vdim * (vdim + 1) \
            + _weights_path(n, s, per_weight=1)
    if n.op != "linear" or _called(n)[1].endswith(".out_proj"):
        return 0  # out_proj: on the attention; the weights, where a model uses them: opaque
    return numel(s[0]) * s[0][-1] + (numel(n.shape) if n.attrs["bias"] else 0)


def _ptflops(n: Node, s: Sequence[Shape]) -> int:
    module, what = _called(n)
    if what.startswith("MultiheadAttention"):
        return _ptflops_attention(n, s)
    if n.op == "interpolate":  # F.interpolate patched (pytorch_engine.py l. 386), and
        # nn.Upsample's own hook (pytorch_ops.py l. 308)
        return _interpolate_given(n, s, "ptflops") + (numel(n.shape) if what == "Upsample" else 0)
    what_counts, times = _PTFLOPS_MODULES.get(what, ("", 0)) if module \
        else (_PTFLOPS_FUNCTIONS.get(what, ""), 1)
    if what_counts == "macs":
        return times * (_macs(n, s) + _bias(n))
    if what_counts:
        return times * numel(s[0] if what_counts == "in" else n.shape)
    return 0


def _ptflops_aten(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "attention":
        return _weights_path(n, s)
    return _macs(n, s) + _bias(n)  # convolution and addmm with their bias; mm, matmul, bmm


#: DeepSpeed patches functions, which modules call too: what each op's patched call counts
_DEEPSPEED_PER_ELEMENT = {"relu": 1, "relu6": 1, "silu": 1, "gelu": 1, "leaky_relu": 1,
                          "softmax": 1, "bn": 2,
                          "layernorm": 5, "layer_norm": 5}
_DEEPSPEED_FUNCTIONS = ("torch.add", "Tensor.add", "torch.mul", "Tensor.mul")


def _deepspeed(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "interpolate":  # _upsample_flops_compute: a size without channels
        return _interpolate_given(n, s, "deepspeed")
    if n.op == "einsum":  # _einsum_flops_compute, l. 785-804: numpy's estimate as printed
        return int(_numpy_einsum_cost(n, s))
    if n.op == "attention":  # patched bmm (2 per MAC) as patched attention, and F.softmax
        weights = attention_scores(n.attrs, s) if n.attrs.get("weights") else 0
        return 2 * n.opdef.macs(n.attrs, s, n.shape) + weights
    if n.op in ("conv", "linear", "channel_linear", "matmul"):
        return 2 * n.opdef.macs(n.attrs, s, n.shape) + (_bias(n) if n.op == "conv" else 0)
    if n.op in ("maxpool", "avgpool", "global_avgpool", "adaptive_avgpool"):
        return 0 if _called(n)[1].endswith("mean") else numel(s[0])
    if n.op == "layer_norm" and not n.attrs["affine"]:
        return 4 * numel(n.shape)
    if n.op in ("add", "mul", "elementwise"):
        return numel(n.shape) if _called(n)[1] in _DEEPSPEED_FUNCTIONS else 0
    return _DEEPSPEED_PER_ELEMENT.get(n.op, 0) * numel(n.shape)


def _torchinfo(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "conv":
        return _macs(n, s) + _bias(n)
    if _called(n)[1].startswith("MultiheadAttention"):
        return 0  # its parameters are in_proj_weight and in_proj_bias; out_proj is not called
    return sum(numel(shape) for name, shape in n.opdef.params(n.attrs, s).items()
               if name in ("weight", "bias"))


def _resgraph_macs(n: Node, s: Sequence[Shape]) -> int:
    return n.opdef.macs(n.attrs, s, n.shape)


def _resgraph_flops(n: Node, s: Sequence[Shape]) -> int:
    return n.opdef.flops(n.attrs, s, n.shape)


#: name → (per-sample rule, what the tool calls the figure); resgraph's own two figures are
#: named by the node keys they are summed from
CONVENTIONS: dict[str, tuple[Rule, str]] = {
    MACS: (_resgraph_macs, "MACs of conv and linear (torchvision, FlopCounterMode ÷ 2)"),
    FLOPS: (_resgraph_flops, "every floating-point operation once"),
    "fvcore": (_fvcore, "FlopCountAnalysis total ('flops', one per MAC)"),
    "thop": (_thop, "profile() 'MACs'"),
    "ptflops": (_ptflops, "get_model_complexity_info 'MACs' (pytorch backend)"),
    "ptflops_aten": (_ptflops_aten, "get_model_complexity_info 'MACs' (aten backend)"),
    "deepspeed": (_deepspeed, "flops profiler 'fwd FLOPs'"),
    "torchinfo": (_torchinfo, "summary 'Total mult-adds'"),
}


def _multihead_calls(graph: Graph) -> dict[str, str]:
    """How a spec's nodes that compile to one nn.MultiheadAttention (:func:`multihead_groups`)
    are called, as the import of that module records them: the counters' hooks see the
    module, and its ``out_proj`` uncalled."""
    calls = {}
    for out, attention in multihead_groups(graph).out.items():
        for name in (*graph.nodes[attention].inputs, attention):
            calls[name] = "module:MultiheadAttention"
        calls[out] = "module:MultiheadAttention.out_proj"
    return {n: c for n, c in calls.items() if CALLED not in graph.nodes[n].meta}


@analysis_pass("conventions")
def annotate_conventions(graph: Graph, batch: int = 1) -> None:
    """The figure every convention gives for the whole network at ``batch``, on the graph."""
    calls = _multihead_calls(graph)
    per_signature: Counter[Hashable] = Counter()
    example: dict[Hashable, Node] = {}
    for node in graph:
        if node.op != "input":
            called = calls.get(node.name)
            key: Hashable = (signature(graph, node), called or node.meta.get(CALLED))  # calls differ
            per_signature[key] += 1
            example.setdefault(key, replace(node, meta={**node.meta, CALLED: called})
                               if called else node)
    totals = dict.fromkeys(CONVENTIONS, 0)
    for key, times in per_signature.items():
        node = example[key]
        shapes = input_shapes(graph, node)
        for name, (rule, _) in CONVENTIONS.items():
            totals[name] += times * rule(node, shapes)
    graph.meta[COUNTERS] = {name: batch * v for name, v in totals.items()}
