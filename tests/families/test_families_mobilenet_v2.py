"""MobileNetV2 (specs/mobilenet_v2.rg) against torchvision's module: names, shapes, counts,
MACs, published figures and outputs, and the width multiplier's domain."""

import pytest
import torch
import torchvision
from torchvision_families import check_names_params_and_macs, check_same_outputs, on_meta, shapes

import resgraph

# torchvision 0.29's MobileNet_V2_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at 224)
PUBLISHED = {"mobilenet_v2": (3_504_872, 0.301)}


def test_names_params_and_macs_are_torchvisions():
    check_names_params_and_macs("mobilenet_v2", on_meta("mobilenet_v2"), 224,
                                PUBLISHED["mobilenet_v2"])


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("mobilenet_v2", 64)


@pytest.mark.parametrize("width_mult", [0.35, 0.75, 1.4])
def test_width_multipliers_give_torchvisions_module(width_mult):
    with torch.device("meta"):
        theirs = torchvision.models.mobilenet_v2(width_mult=width_mult)
    ours = resgraph.compile("mobilenet_v2", device="meta", width_mult=width_mult)
    assert shapes(ours) == shapes(theirs)


def test_residuals_only_where_shapes_allow():
    graph = resgraph.load("mobilenet_v2")
    adds = sorted({n.name.split(".")[1] for n in graph if n.op == "add"}, key=int)
    # stride 1 and equal widths: blocks 2nd onwards of each stage of Table 2
    assert adds == ["3", "5", "6", "8", "9", "10", "12", "13", "15", "16"]


def test_a_width_multiplier_outside_its_domain_is_refused_at_its_require():
    with pytest.raises(resgraph.SpecError, match="width_mult must be more than 0") as info:
        resgraph.load("mobilenet_v2", width_mult=0.0)
    assert info.value.span.file.endswith("mobilenet_v2.rg")
