"""FCN and DeepLabV3 over dilated ResNets (specs/segmentation.rg) against torchvision's
segmentation modules, built with their auxiliary head (aux_loss=True, as their published
weights are): names, shapes, counts, MACs, published figures, both outputs, the dilated
stages, and the family's domain."""

import pytest
import torch
from torchvision.models import segmentation
from torchvision_families import (
    check_computes_as,
    check_names_params_and_macs,
    check_refused_at_require,
    shapes,
)

import resgraph

# torchvision 0.29's {FCN,DeepLabV3}_ResNet{50,101}_Weights.COCO_WITH_VOC_LABELS_V1.meta:
# num_params, _ops (its "GFLOPS", GMACs at 520x520, the auxiliary head's included)
PUBLISHED = {
    "fcn_resnet50": (35_322_218, 152.717), "fcn_resnet101": (54_314_346, 232.738),
    "deeplabv3_resnet50": (42_004_074, 178.722),
    "deeplabv3_resnet101": (60_996_202, 258.743),
}


def theirs(name: str, device: str = "cpu") -> torch.nn.Module:
    """torchvision's module with its auxiliary head, no weights (nor the backbone's)."""
    with torch.device(device):
        return getattr(segmentation, name)(weights=None, weights_backbone=None,
                                           aux_loss=True).eval()


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, theirs(name, "meta"), 520, PUBLISHED[name])


@pytest.mark.parametrize("name", ["fcn_resnet50", "deeplabv3_resnet50"])
def test_loads_torchvision_weights_strictly_and_gives_both_outputs(name):
    # at 64x64: the map of the dilated stages is 8x8, the ASPP's rates reach past it
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), theirs(name), 64)


def test_out_and_aux_are_the_dict_torchvision_returns_each_at_the_image_size():
    graph = resgraph.load("deeplabv3_resnet50")
    assert graph.output_form == "dict" and list(graph.outputs) == ["out", "aux"]
    assert [graph.nodes[graph.outputs[k]].shape for k in graph.outputs] == [(21, 520, 520)] * 2
    report = resgraph.analyze("deeplabv3_resnet50").to_json()
    assert set(report["paths_by_output"]) == {"out", "aux"}


def test_the_last_two_stages_dilate_instead_of_striding():
    # torchvision's replace_stride_with_dilation=[False, True, True]: a stage's first block
    # keeps the dilation of the stage before (1 in layer3, 2 in layer4), the others double it
    graph = resgraph.load("fcn_resnet50")
    dilation = {n.name: n.attrs["dilation"] for n in graph if n.op == "conv"
                and n.name.startswith("backbone.layer") and n.name.endswith("conv2")}
    assert dilation["backbone.layer2.0.conv2"] == (1, 1)
    assert dilation["backbone.layer3.0.conv2"] == (1, 1)
    assert dilation["backbone.layer3.5.conv2"] == (2, 2)
    assert dilation["backbone.layer4.0.conv2"] == (2, 2)
    assert dilation["backbone.layer4.2.conv2"] == (4, 4)
    assert graph.nodes["backbone.layer4.2.relu3"].shape == (2048, 65, 65)  # stride 8


def test_classes_and_rates_are_torchvisions_beyond_the_variants():
    with torch.device("meta"):
        model = segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None,
                                                aux_loss=True, num_classes=5)
    ours = resgraph.load("deeplabv3_resnet50", num_classes=5, rates=[6, 12, 18])
    assert shapes(resgraph.compile(ours, device="meta")) == shapes(model)
    assert ours.nodes["classifier.0.convs.1.0"].attrs["dilation"] == (6, 6)


@pytest.mark.parametrize("setting,message", [
    ({"decoder": "pspnet"}, "decoder must be 'fcn' or 'deeplabv3'"),
    ({"depth": 34}, "depth must be 50, 101 or 152"),
    ({"rates": [6, 12]}, "rates are the ASPP's three dilations"),
    ({"image": 16}, "image must be at least 32")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("deeplabv3_resnet50", setting, message)
