"""What other operation counters would report for the same network, rule by rule.

resgraph counts every op once and says which convention a figure follows (see
:mod:`resgraph.ops`): ``macs`` (conv and linear multiply-accumulates, the figure torchvision
publishes and ``torch.utils.flop_counter.FlopCounterMode`` counts, ÷ 2) and ``flops`` (every
floating-point operation once, residual additions included). The counters below disagree
with both and with each other; each rule is what that tool's source does to a torchvision-style
model in inference (layers as ``nn.Module``\\ s, ``out += identity`` for the shortcut), read
from these versions:

``fvcore``     facebookresearch/fvcore ``fvcore/nn/jit_handles.py`` (``FlopCountAnalysis``):
               one "flop" per MAC for conv and linear, biases ignored; eval batch norm
               2 per element (affine); ``adaptive_avg_pool2d`` 1 per input element; ReLU,
               max pooling, additions and sigmoid are ignored ops.
``thop``       Lyken17/pytorch-OpCounter ``thop/vision/basic_hooks.py`` and ``calc_func.py``
               (``profile``, module hooks): conv MACs without bias; batch norm
               ``calculate_norm`` = 2 per element, doubled when affine (4); ReLU and max
               pooling zero; ``AdaptiveAvgPool2d`` (kernel + 1) per output element;
               ``AvgPool2d`` 1 per output element; linear ``in_features`` per output element;
               additions and functional calls uncounted.
``ptflops``    sovrasov/flops-counter.pytorch ``ptflops/pytorch_ops.py`` and
               ``pytorch_engine.py`` at 022a654 (pytorch backend, reported as "MACs"): module
               hooks count conv MACs + bias, batch norm 2 per element (affine), ReLU 1 per
               element, every pooling 1 per *input* element, linear MACs + bias; and the same
               run patches ``F.relu``, ``F.max_pool2d``, ``F.adaptive_avg_pool2d`` and
               ``F.linear``, which those modules' ``forward`` call, so ReLU, pooling and
               linear are counted twice. ``+`` and ``*`` on tensors are not patched.
``deepspeed``  microsoft/DeepSpeed ``deepspeed/profiling/flops_profiler/profiler.py``
               (patched functionals, its FLOPs figure): conv 2·MACs + bias, linear 2·MACs
               (bias ignored), eval batch norm 2 per element, ReLU 1 per element, every
               pooling 1 per input element; ``+``/``*`` operators and sigmoid uncounted.
``torchinfo``  TylerYep/torchinfo ``torchinfo/layer_info.py`` ``calculate_macs`` ("Total
               mult-adds"): conv weight and bias elements × output positions (MACs + bias),
               every other module's parameters × batch: linear MACs + bias, batch norm
               2·C per sample (its weight and bias, not its elements); nothing else.

resgraph's own ``pad_channels`` (option-A shortcut) and ``concat`` cost nothing in any of them.

The pass writes every counter's figure for the whole network under
:data:`~resgraph.analysis.keys.COUNTERS` on the graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from resgraph.analysis.costs import input_shapes, signature
from resgraph.analysis.keys import COUNTERS, FLOPS, MACS
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph, Node
from resgraph.ops import Shape, numel

Rule = Callable[[Node, Sequence[Shape]], int]


def _macs(n: Node, s: Sequence[Shape]) -> int:
    return n.opdef.macs(n.attrs, s, n.shape) if n.op in ("conv", "linear") else 0


def _bias(n: Node) -> int:
    return numel(n.shape) if n.op in ("conv", "linear") and n.attrs.get("bias") else 0


def _fvcore(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "bn":
        return 2 * numel(n.shape)
    if n.op == "global_avgpool":
        return numel(s[0])
    return _macs(n, s)


def _thop(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "bn":
        return 4 * numel(n.shape)
    if n.op == "global_avgpool":
        return (numel(s[0][1:]) + 1) * numel(n.shape)
    if n.op == "avgpool":
        return numel(n.shape)
    return _macs(n, s)


def _ptflops(n: Node, s: Sequence[Shape]) -> int:
    if n.op in ("conv",):
        return _macs(n, s) + _bias(n)
    if n.op == "linear":
        return 2 * (_macs(n, s) + _bias(n))  # module hook and patched F.linear
    if n.op == "bn":
        return 2 * numel(n.shape)
    if n.op == "relu":
        return 2 * numel(n.shape)  # module hook and patched F.relu
    if n.op in ("maxpool", "global_avgpool"):
        return 2 * numel(s[0])  # module hook and patched F.max_pool2d / adaptive_avg_pool2d
    if n.op == "avgpool":
        return 2 * numel(s[0])  # nn.AvgPool2d calls F.avg_pool2d, patched too
    return 0


def _deepspeed(n: Node, s: Sequence[Shape]) -> int:
    if n.op == "conv":
        return 2 * _macs(n, s) + _bias(n)
    if n.op == "linear":
        return 2 * _macs(n, s)
    if n.op == "bn":
        return 2 * numel(n.shape)
    if n.op == "relu":
        return numel(n.shape)
    if n.op in ("maxpool", "avgpool", "global_avgpool"):
        return numel(s[0])
    return 0


def _torchinfo(n: Node, s: Sequence[Shape]) -> int:
    if n.op in ("conv", "linear"):
        return _macs(n, s) + _bias(n)
    if n.op == "bn":
        return 2 * n.shape[0]
    return 0


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
    "deepspeed": (_deepspeed, "flops profiler 'fwd FLOPs'"),
    "torchinfo": (_torchinfo, "summary 'Total mult-adds'"),
}


@analysis_pass("conventions")
def annotate_conventions(graph: Graph, batch: int = 1) -> None:
    """The figure every convention gives for the whole network at ``batch``, on the graph."""
    per_signature: Counter[Hashable] = Counter()
    example: dict[Hashable, Node] = {}
    for node in graph:
        if node.op != "input":
            key = signature(graph, node)
            per_signature[key] += 1
            example.setdefault(key, node)
    totals = dict.fromkeys(CONVENTIONS, 0)
    for key, times in per_signature.items():
        node = example[key]
        shapes = input_shapes(graph, node)
        for name, (rule, _) in CONVENTIONS.items():
            totals[name] += times * rule(node, shapes)
    graph.meta[COUNTERS] = {name: batch * v for name, v in totals.items()}
