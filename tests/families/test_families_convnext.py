"""ConvNeXt (specs/convnext.rg) against torchvision's modules: names, shapes, counts, MACs,
published figures, outputs, the layer scale at torchvision's path and stochastic depth
growing over blocks as torchvision's does."""

import pytest
from torchvision_families import (
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
    on_meta,
)

import resgraph

# torchvision 0.29's ConvNeXt_*_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at 224)
PUBLISHED = {
    "convnext_tiny": (28_589_128, 4.456), "convnext_small": (50_223_688, 8.684),
    "convnext_base": (88_591_464, 15.355), "convnext_large": (197_767_336, 34.361),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("convnext_tiny", 64)


def test_layer_scale_is_a_parameter_of_the_block_and_stochastic_depth_grows():
    ours = resgraph.compile("convnext_small", device="meta")
    theirs = on_meta("convnext_small")
    assert ours.get_parameter("features.1.0.layer_scale").shape == (96, 1, 1)
    rates = [m.p for m in ours.modules() if type(m).__name__ == "StochasticDepth"]
    assert rates == [m.p for m in theirs.modules() if type(m).__name__ == "StochasticDepth"]
    assert rates[0] == 0.0 and rates[-1] == pytest.approx(0.4) and rates == sorted(rates)


@pytest.mark.parametrize("setting,message", [
    ({"width": 0}, "width must be at least 1"),
    ({"stochastic_depth_prob": 1.5}, "stochastic_depth_prob must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("convnext_tiny", setting, message)
