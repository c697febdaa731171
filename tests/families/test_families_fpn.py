"""The ResNet FPN backbone (specs/fpn.rg) against torchvision's, the backbone of
fasterrcnn_resnet50_fpn: names, shapes, counts, MACs, its five outputs, the pyramid's MACs
derived by hand from Lin et al. 2017, and the family's domain."""

import pytest
import torch
from torchvision.models.detection import fasterrcnn_resnet50_fpn
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision_families import (
    check_computes_as,
    check_refused_at_require,
    flop_counter_macs,
    shapes,
)

import resgraph

LEVELS = ["0", "1", "2", "3", "pool"]


def theirs(device: str = "cpu") -> torch.nn.Module:
    """Faster R-CNN's backbone, no weights (so nn.BatchNorm2d, as its builder chooses)."""
    with torch.device(device):
        return fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None).backbone.eval()


def test_names_shapes_params_and_macs_are_faster_rcnns_backbones():
    model = theirs("meta")
    assert shapes(resgraph.compile("resnet50_fpn", device="meta")) == shapes(model)
    report = resgraph.analyze("resnet50_fpn")
    # no published figure for the backbone alone: its parameters, counted from the module
    assert report.params == 26_852_416 == sum(p.numel() for p in model.parameters())
    assert report.macs == flop_counter_macs(model, 800)


def test_resnet101_fpn_is_torchvisions_resnet_fpn_backbone():
    with torch.device("meta"):
        model = resnet_fpn_backbone(backbone_name="resnet101", weights=None,
                                    norm_layer=torch.nn.BatchNorm2d, trainable_layers=5)
    assert shapes(resgraph.compile("resnet101_fpn", device="meta")) == shapes(model)


def test_loads_torchvision_weights_strictly_and_gives_its_five_levels():
    torch.manual_seed(0)
    check_computes_as(resgraph.load("resnet50_fpn", image=224), theirs(), 224)


def test_the_levels_halve_from_stride_4_and_the_pyramid_costs_what_lin_et_al_give():
    graph = resgraph.load("resnet50_fpn", image=224)
    assert graph.output_form == "dict" and list(graph.outputs) == LEVELS
    assert [graph.nodes[graph.outputs[k]].shape for k in LEVELS] == [
        (256, 56, 56), (256, 28, 28), (256, 14, 14), (256, 7, 7), (256, 4, 4)]
    # level k: a 1x1 lateral from the stage's 256 * 2**k maps, a 3x3 smoothing of 256 maps,
    # at a side of 224 / 2**(k + 2); the upsampling (nearest) and the adds cost no MACs
    sides = [56, 28, 14, 7]
    by_hand = sum((256 * 2 ** k * 256 + 256 * 256 * 9) * side ** 2
                  for k, side in enumerate(sides))
    report = resgraph.analyze(graph, level="op").to_json()
    pyramid = sum(r["macs"] for r in report["rows"] if r["name"].startswith("fpn."))
    assert pyramid == by_hand
    assert set(report["paths_by_output"]) == set(LEVELS)


@pytest.mark.parametrize("setting,message", [
    ({"depth": 18}, "depth must be 50, 101 or 152"),
    ({"out_channels": 100}, "out_channels is every level's width"),
    ({"image": 100}, "image must be a multiple of 32")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("resnet50_fpn", setting, message)
