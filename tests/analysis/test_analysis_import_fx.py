"""import_fx: traced models become the same IR as their specs, names, stages and blocks included."""

from __future__ import annotations

import pytest
import torch
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
    assert [(n.op, n.shape) for n in flat][2:] == [("mean", (4,))]
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
