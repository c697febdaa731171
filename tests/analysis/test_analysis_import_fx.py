"""import_fx: traced models become the same IR as their specs, names, stages and blocks included."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.ops import StochasticDepth
from torchvision_resnet import TINY_SPEC, tiny

import resgraph
from resgraph.analysis.keys import CALLED
from resgraph.import_fx import ImportFxError, import_fx


def _rows(graph: resgraph.ir.Graph) -> list[tuple]:
    return [(n.op, n.inputs and len(n.inputs), n.attrs, n.shape, n.stage, n.block) for n in graph]


@pytest.mark.parametrize("spec", ["cifar_resnet20", "resnet18", "resnet50d", "se_resnet50",
                                  "preact_resnet164"])
def test_compiled_spec_round_trips(spec: str) -> None:
    graph = resgraph.load(spec)
    traced = import_fx(resgraph.compile(spec, device="meta"), graph.input_shape)
    assert _rows(traced) == _rows(graph)
    assert [(s.name, s.depth, s.stride, s.blocks) for s in traced.stages] == \
        [(s.name, s.depth, s.stride, s.blocks) for s in graph.stages]
    assert {b.name: (b.input, b.output) for b in traced.blocks.values()} == \
        {b.name: (b.input, b.output) for b in graph.blocks.values()}


def test_torchvision_style_model() -> None:
    graph = import_fx(tiny(2, 2, 10), (3, 16, 16))
    names = [n.name for n in graph]
    assert names[:5] == ["input", "conv1", "bn1", "relu", "layer1.0.conv1"]
    assert "layer1.0.relu_1" in names and "layer1.0.add1" in names
    assert graph.nodes["layer2.0.add1"].inputs == ("layer2.0.bn2", "layer2.0.downsample.1")
    assert [(s.name, s.depth, s.stride) for s in graph.stages] == [("layer1", 2, 1), ("layer2", 2, 2)]
    assert graph.blocks["layer2.0"].type == "BasicBlock"
    assert graph.blocks["layer2.0"].input == "layer1.1.relu_1"
    assert graph.nodes["fc"].stage == "head" and graph.nodes["bn1"].stage == "stem"
    assert graph.nodes[graph.output].shape == (10,)


class Untraceable(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if x.sum() > 0 else -x


class Unsupported(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.act = nn.Tanh()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x)


class MeanPool(nn.Module):
    def __init__(self, keepdim: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.keepdim = keepdim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x).mean((2, 3), keepdim=self.keepdim).flatten(1)


def test_spatial_mean_is_global_average_pooling() -> None:
    graph = import_fx(MeanPool(), (3, 8, 8))
    assert [n.op for n in graph] == ["input", "conv", "global_avgpool", "flatten"]
    flat = import_fx(MeanPool(keepdim=False), (3, 8, 8))
    assert [(n.op, n.shape) for n in flat][2:] == [("spatial_mean", (4,))]  # MNASNet's
    assert flat.nodes["mean"].meta[CALLED] == "method:Tensor.mean"


def test_uncounted_op_is_opaque() -> None:
    graph = import_fx(Unsupported(), (3, 8, 8))
    assert [(n.op, n.attrs, n.shape) for n in graph][1:] == \
        [("opaque", {"target": "Tanh", "shape": (3, 8, 8)}, (3, 8, 8))]


def test_errors() -> None:
    with pytest.raises(ImportFxError, match="cannot trace Untraceable"):
        import_fx(Untraceable(), (3, 8, 8))
    with pytest.raises(ImportFxError, match=r"--strict: Unsupported uses ops resgraph cannot "
                                            r"count: Tanh ×1 \(act\)"):
        import_fx(Unsupported(), (3, 8, 8), strict=True)
    with pytest.raises(ImportFxError, match="shape propagation"):
        import_fx(tiny(2, 2, 10), (5, 16, 16))




def test_hand_written_model_reports_like_its_spec() -> None:
    from resgraph.analysis.report import analyze_graph

    reports = [analyze_graph(g, batch=3, level="stage").to_json()
               for g in (resgraph.load(TINY_SPEC, d1=2, d2=2, classes=10), import_fx(tiny(2, 2, 10), (3, 16, 16)))]
    assert reports[1].pop("uncounted_ops") == []
    params = reports[0]["params"]
    assert reports[1].pop("module_params") == {"total": params, "traced": params, "not_reached": []}
    for report in reports:
        report.pop("name")
        report["memory"].pop("peak_at")  # an op name: relu1 in the spec, relu in the model
        for field in report["receptive_fields"]:
            field.pop("node")
    assert reports[0] == reports[1]


class _ConvNeXtish(nn.Module):
    """torchvision's ConvNeXt block as it traces: LayerNorm2d's permute and layer norm over the
    last dimension, a layer scale parameter times the branch, stochastic depth, and dropout."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.norm = nn.LayerNorm(8)
        self.layer_scale = nn.Parameter(torch.ones(8, 1, 1))
        self.drop = nn.Dropout(0.2)
        self.depth = StochasticDepth(0.1, "row")  # traced as a call of its wrapped function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.conv(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        y = self.depth(self.layer_scale * y)
        return self.drop(torch.nn.functional.dropout(y, 0.3, self.training))


def test_normalisation_layer_scale_and_dropouts_are_the_spec_ops() -> None:
    graph = import_fx(_ConvNeXtish(), (3, 8, 8))
    ops = {n.name: (n.op, n.attrs) for n in graph if n.op != "permute"}
    assert ops["norm"] == ("layer_norm", {"dims": 1, "affine": True})
    assert ops["layer_scale"] == ("layer_scale", {})
    assert [a for o, a in ops.values() if o in ("dropout", "stochastic_depth")] == \
        [{"p": 0.1}, {"p": 0.3}, {"p": 0.2}]
    assert graph.nodes["norm"].opdef.params(graph.nodes["norm"].attrs, [(8, 8, 8)]) == \
        {"weight": (8,), "bias": (8,)}


def _flop_counter_macs(model: nn.Module, shape: tuple[int, ...]) -> int:
    """FlopCounterMode's count ÷ 2 on meta tensors, where attention decomposes into the
    products it counts (on the CPU its fused kernels count nothing)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.to("meta")(torch.zeros(1, *shape, device="meta"))
    return counter.get_total_flops() // 2


def _macs(graph: resgraph.ir.Graph) -> int:
    from resgraph.analysis.report import analyze_graph

    return analyze_graph(graph, batch=1).to_json()["macs"]


class _Attention(nn.Module):
    """Self-attention over a map's pixels, the weights used or not, batch first or not."""

    def __init__(self, use_weights: bool = False, batch_first: bool = True) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=batch_first)
        self.use_weights = use_weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(2).transpose(1, 2)
        out, weights = self.attn(x, x, x, need_weights=self.use_weights)
        return out + weights.sum(2, keepdim=True) if self.use_weights else out


def test_multihead_attention_is_its_projections_and_heads() -> None:
    model = _Attention()
    graph = import_fx(model, (8, 4, 4))
    nodes = [(n.name, n.op, n.shape) for n in graph if n.name.startswith("attn.")]
    assert nodes == [("attn.q_proj", "linear", (16, 8)), ("attn.k_proj", "linear", (16, 8)),
                     ("attn.v_proj", "linear", (16, 8)), ("attn.attention", "attention", (16, 8)),
                     ("attn.out_proj", "linear", (16, 8))]
    assert graph.nodes["attn.attention"].attrs == {"causal": False, "heads": 2, "weights": False,
                                                   "vdim": 8}
    assert graph.output == "attn.out_proj"
    from resgraph.analysis.report import analyze_graph

    report = analyze_graph(graph, batch=1).to_json()
    assert report["params"] == sum(p.numel() for p in model.parameters())
    assert report["macs"] == _flop_counter_macs(model, (8, 4, 4)) == 3 * 16 * 8 * 8 + \
        16 * 16 * (8 + 8) + 16 * 8 * 8


def test_attention_the_importer_cannot_follow_is_listed() -> None:
    used = import_fx(_Attention(use_weights=True), (8, 4, 4))
    assert [n.attrs["target"] for n in used if n.op == "opaque"] == \
        ["MultiheadAttention weights"]
    seq_first = import_fx(_Attention(batch_first=False), (8, 4, 4))
    assert [n.attrs["target"] for n in seq_first if n.op == "opaque"] == ["MultiheadAttention"]


class _Resample(nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode=mode)
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.interpolate(self.up(x), size=(5, 7), mode=self.mode)


@pytest.mark.parametrize("mode, flops", [("nearest", 0), ("bilinear", 7)])
def test_interpolation(mode: str, flops: int) -> None:
    from resgraph.analysis.report import analyze_graph

    graph = import_fx(_Resample(mode), (3, 4, 4))
    assert [(n.op, n.attrs, n.shape) for n in graph][1:] == [
        ("interpolate", {"size": (8, 8), "mode": mode, "given": ("scale", 2.0)}, (3, 8, 8)),
        ("interpolate", {"size": (5, 7), "mode": mode, "given": ("size", (5, 7))}, (3, 5, 7))]
    assert [graph.nodes[n].meta[CALLED] for n in ("up", "interpolate")] == \
        ["module:Upsample", "function:F.interpolate"]
    report = analyze_graph(graph, batch=1).to_json()
    assert (report["macs"], report["flops"]) == (0, flops * 3 * (64 + 35))
    assert report["macs"] == _flop_counter_macs(_Resample(mode), (3, 4, 4))
    bicubic = import_fx(_Resample("bicubic"), (3, 4, 4))
    assert [n.attrs["target"] for n in bicubic if n.op == "opaque"] == ["Upsample", "F.interpolate"]


class _Einsum(nn.Module):
    """``torch.einsum`` of the input with a parameter, or of two maps computed from it."""

    def __init__(self, equation: str, weight: tuple[int, ...] | None) -> None:
        super().__init__()
        self.equation = equation
        self.weight = nn.Parameter(torch.zeros(weight)) if weight else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        other = self.weight if self.weight is not None else torch.relu(x)
        return torch.einsum(self.equation, x, other)


@st.composite
def _contractions(draw: st.DrawFn) -> tuple[str, tuple[int, ...], tuple[int, ...] | None]:
    """A two-operand einsum: the batch's index b leads the input and the output; each other
    index is in the input, the other operand or both, kept in the output or summed."""
    letters = draw(st.lists(st.sampled_from("cdefg"), min_size=1, max_size=4, unique=True))
    sizes = {i: draw(st.integers(1, 4)) for i in letters}
    x = [i for i in letters if draw(st.booleans())] or letters[:1]
    with_param = draw(st.booleans())
    y = [i for i in letters if i not in x or draw(st.booleans())] or letters[-1:]
    if not with_param:  # two maps of the data flow: the same sides, b leading both
        y = x
    out = [i for i in letters if (i in x or i in y) and draw(st.booleans())]
    equation = f"b{''.join(x)},{'' if with_param else 'b'}{''.join(y)}->b{''.join(out)}"
    shape = tuple(sizes[i] for i in x)
    return equation, shape, tuple(sizes[i] for i in y) if with_param else None


@settings(max_examples=40, deadline=None, derandomize=True)
@given(_contractions())
def test_einsum_macs_are_the_product_of_its_index_sizes(
        case: tuple[str, tuple[int, ...], tuple[int, ...] | None]) -> None:
    equation, shape, weight = case
    graph = import_fx(_Einsum(equation, weight), shape)
    node = next(n for n in graph if n.op == "einsum")
    assert node.shape == torch.einsum(equation, torch.zeros(1, *shape), torch.zeros(
        weight or (1, *shape))).shape[1:]
    assert _macs(graph) == _flop_counter_macs(_Einsum(equation, weight), shape)


@pytest.mark.parametrize("equation, shapes, macs", [
    ("bld,de->ble", [(5, 4), (4, 3)], 5 * 4 * 3),  # a linear layer: every index counts
    ("bhld,bhsd->bhls", [(2, 5, 4), (2, 5, 4)], 2 * 5 * 5 * 4),  # attention's q·kᵀ
    ("bcd,de->b", [(3, 4), (4, 2)], 4),  # c and e summed in their operands first
    ("bc,bc->bc", [(3,), (3,)], 0),  # nothing contracted: element-wise
    ("bcd,de->bce", [(3, 1), (1, 2)], 0),  # contracted over a side of 1: element-wise
])
def test_einsum_macs(equation: str, shapes: list[tuple[int, ...]], macs: int) -> None:
    x, y = shapes
    weight = None if equation.split(",")[1].startswith("b") else y
    graph = import_fx(_Einsum(equation, weight), x)
    assert _macs(graph) == macs == _flop_counter_macs(_Einsum(equation, weight), x)


def test_einsum_the_importer_cannot_follow_is_opaque() -> None:
    over_batch = import_fx(_Einsum("bc,bc->c", None), (3,))  # mixes samples
    ellipsis = import_fx(_Einsum("b...,b...->b", None), (3, 2))
    assert [n.op for n in over_batch][-1] == [n.op for n in ellipsis][-1] == "opaque"


@pytest.mark.parametrize("name, stages", [
    # nested: each stage a Sequential of blocks inside features, one block or more
    ("efficientnet_b0", {f"features.{k}": True for k in range(1, 8)}),
    # the downsampling between two stages: a stage of one block, itself
    ("convnext_tiny", {f"features.{k}": k % 2 == 1 for k in range(1, 8)}),
    ("regnet_x_400mf", {f"trunk_output.block{k}": True for k in range(1, 5)}),
    # flat: blocks of one width in a run, between the stem's and the head's layers
    ("mobilenet_v2", {"features.1": False, "features.2–3": True, "features.4–6": True,
                      "features.7–10": True, "features.11–13": True, "features.14–16": True,
                      "features.17": False}),
    ("vit_b_16", {"encoder.layers": True}),
    ("resnet18", {f"layer{k}": True for k in range(1, 5)}),
    # top-level blocks that concatenate: stages are their runs between other ops
    ("googlenet", {"inception3a–b": True, "inception4a–e": True, "inception5a–b": True}),
    # no merge at all: the top-level modules that hold modules that hold modules
    ("alexnet", {}),
])
def test_stages_from_the_module_tree(name: str, stages: dict[str, bool]) -> None:
    import torchvision.models as tvm

    kwargs = {"googlenet": {"init_weights": False}, "vit_b_16": {"image_size": 32}}.get(name, {})
    device = "cpu" if name.startswith("regnet") else "meta"  # RegNet reads its weights back
    with torch.device(device):
        model = getattr(tvm, name)(**kwargs)
    graph = import_fx(model, (3, 64, 64) if name in ("googlenet", "alexnet") else (3, 32, 32))
    assert {s.name: s.blocks != [s.name] for s in graph.stages} == stages
    assert graph.nodes["features.2.1" if name == "convnext_tiny" else graph.output].block == \
        ("features.2" if name == "convnext_tiny" else None)
    if name == "mobilenet_v2":
        assert (graph.nodes["features.0.0"].stage, graph.nodes["features.18.0"].stage) == \
            ("stem", "head")


def test_parameters_read_as_tensors_are_counted_once() -> None:
    """ViT's class token and position embedding, and an einsum's weight: parameters the
    model reads directly, each counted once: the first two are ``param`` nodes named by
    their paths (a spec's learned tensors), the weight owned by the op that uses it."""
    from analyze_factories import tiny_fpn, tiny_vit

    from resgraph.analysis.report import analyze_graph

    for model, shape in ((tiny_vit(), (3, 32, 32)), (tiny_fpn(), (3, 16, 16))):
        graph = import_fx(model, shape)
        total = sum(p.numel() for p in model.parameters())
        assert analyze_graph(graph).module_params == {"total": total, "traced": total,
                                                      "not_reached": []}
    vit = import_fx(tiny_vit(), (3, 32, 32))
    assert {n.name for n in vit if n.op == "param"} == {"class_token", "encoder.pos_embedding"}
    assert not any("params" in n.attrs for n in vit)
    owners = {p: n.op for n in import_fx(tiny_fpn(), (3, 16, 16)) for p, _ in n.attrs.get("params", ())}
    assert set(owners.values()) == {"einsum"}


class _PackedHeads(nn.Module):
    """timm's attention: one linear layer for q, k and v, their heads split by a permute that
    moves the batch, then unbind(0)."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(8, 24)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.flatten(2).transpose(1, 2)
        q, k, v = self.qkv(t).reshape(t.shape[0], 16, 3, 2, 4).permute(2, 0, 3, 1, 4).unbind(0)
        return torch.nn.functional.scaled_dot_product_attention(q, k, v)


def test_a_permute_of_the_batch_taken_apart_by_unbind_is_parts_and_permutes() -> None:
    model = _PackedHeads().eval()
    graph = import_fx(model, (8, 4, 4))
    assert [n.op for n in graph][4:] == ["reshape", "part", "permute", "part", "permute",
                                         "part", "permute", "attention"]
    assert [n.attrs["start"] for n in graph if n.op == "part"] == [0, 1, 2]
    ours = resgraph.compile(graph).eval()
    ours.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(2, 8, 4, 4)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), model(x))


def test_a_permute_of_the_batch_read_otherwise_stays_opaque() -> None:
    class Moves(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.permute(1, 0, 2, 3).sum(0)

    assert "opaque" in {n.op for n in import_fx(Moves(), (8, 4, 4))}


@pytest.mark.parametrize(("index", "attrs"), [
    ((slice(None), 0), {"dim": 0, "start": 0, "size": 1, "keep": False}),
    ((slice(None), -1), {"dim": 0, "start": 7, "size": 1, "keep": False}),
    ((slice(None), slice(None), slice(1, 3)), {"dim": 1, "start": 1, "size": 2, "keep": True}),
    ((slice(None), slice(None, None, 2)), None),  # a step: only its shape
    ((Ellipsis, 0), None),
])
def test_indexing_of_one_side_is_a_part(index: tuple, attrs: dict | None) -> None:
    class Index(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x[index]

    node = list(import_fx(Index(), (8, 4, 4)))[-1]
    assert node.op == "part"
    assert {k: v for k, v in node.attrs.items() if k != "shape"} == (attrs or {})
