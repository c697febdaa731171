"""EfficientNet B0-B7 (specs/efficientnet.rg) against torchvision's modules: names, shapes,
counts, MACs at each variant's resolution, published figures, outputs, stochastic depth
growing over blocks, and the multipliers' domain."""

import pytest
from torchvision_families import (
    bn_settings,
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
    on_meta,
)

import resgraph

# torchvision 0.29's EfficientNet_B*_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at
# the weights' crop size, the resolution of each variant here)
PUBLISHED = {
    "efficientnet_b0": (5_288_548, 0.386), "efficientnet_b1": (7_794_184, 0.687),
    "efficientnet_b2": (9_109_994, 1.088), "efficientnet_b3": (12_233_232, 1.827),
    "efficientnet_b4": (19_341_616, 4.394), "efficientnet_b5": (30_389_784, 10.266),
    "efficientnet_b6": (43_040_704, 19.068), "efficientnet_b7": (66_347_960, 37.746),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    size = resgraph.load(name).input_shape[1]
    check_names_params_and_macs(name, on_meta(name), size, PUBLISHED[name])


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("efficientnet_b0", 32)


def test_b5_to_b7_normalise_with_torchvisions_eps_and_momentum():
    ours, theirs = resgraph.compile("efficientnet_b5", device="meta"), on_meta("efficientnet_b5")
    assert bn_settings(ours) == bn_settings(theirs)
    assert set(bn_settings(ours).values()) == {(1e-3, 0.01)}


@pytest.mark.parametrize("name", ["efficientnet_b3"])
def test_stochastic_depth_grows_over_blocks_as_torchvisions(name):
    ours = resgraph.load(name)
    theirs = on_meta(name)
    want = {f"{name}.stochastic_depth": m.stochastic_depth.p
            for name, m in theirs.named_modules() if hasattr(m, "use_res_connect")
            and m.use_res_connect}
    assert {n.name: n.attrs["p"] for n in ours if n.op == "stochastic_depth"} == want


@pytest.mark.parametrize("setting,message", [
    ({"width_mult": 0.0}, "width_mult must be more than 0"),
    ({"depth_mult": -1.0}, "depth_mult must be more than 0")])
def test_a_multiplier_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("efficientnet_b0", setting, message)

