"""MobileNetV3 large and small (specs/mobilenet_v3.rg) against torchvision's modules: names,
shapes, counts, MACs, published figures, outputs, BN settings, width multipliers and the
parameters' domain."""

import pytest
import torch
import torchvision
from torchvision_families import (
    bn_settings,
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
    on_meta,
    shapes,
)

import resgraph

# torchvision 0.29's MobileNet_V3_*_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at 224)
PUBLISHED = {"mobilenet_v3_large": (5_483_032, 0.217), "mobilenet_v3_small": (2_542_856, 0.057)}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_loads_torchvision_weights_strictly_and_computes_the_same(name):
    check_same_outputs(name, 64)


def test_bn_settings_and_width_multipliers_are_torchvisions():
    assert bn_settings(resgraph.compile("mobilenet_v3_large", device="meta")) == bn_settings(
        on_meta("mobilenet_v3_large"))
    with torch.device("meta"):
        theirs = torchvision.models.mobilenet_v3_small(width_mult=0.75)
    assert shapes(resgraph.compile("mobilenet_v3_small", device="meta", width_mult=0.75)) == \
        shapes(theirs)


@pytest.mark.parametrize("setting,message", [
    ({"width_mult": 0.0}, "width_mult must be more than 0"),
    ({"size": "medium"}, "size must be large or small")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("mobilenet_v3_large", setting, message)
