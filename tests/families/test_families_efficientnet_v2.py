"""EfficientNetV2 S/M/L (specs/efficientnet_v2.rg) against torchvision's modules: names,
shapes, counts, MACs at each variant's resolution, published figures, outputs of S (Fused-MBConv,
BN eps 1e-3), stochastic depth over blocks, and the size's domain."""

import pytest
from torchvision_families import (
    bn_settings,
    check_names_params_and_macs,
    check_same_outputs,
    on_meta,
)

import resgraph

# torchvision 0.29's EfficientNet_V2_*_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at
# the weights' crop size, the resolution of each variant here)
PUBLISHED = {
    "efficientnet_v2_s": (21_458_488, 8.366), "efficientnet_v2_m": (54_139_356, 24.582),
    "efficientnet_v2_l": (118_515_272, 56.08),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    size = resgraph.load(name).input_shape[1]
    check_names_params_and_macs(name, on_meta(name), size, PUBLISHED[name])


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("efficientnet_v2_s", 32)


def test_stochastic_depth_and_bn_settings_are_torchvisions():
    ours, theirs = resgraph.load("efficientnet_v2_m"), on_meta("efficientnet_v2_m")
    want = {f"{name}.stochastic_depth": m.stochastic_depth.p
            for name, m in theirs.named_modules() if getattr(m, "use_res_connect", False)}
    assert {n.name: n.attrs["p"] for n in ours if n.op == "stochastic_depth"} == want
    assert bn_settings(resgraph.compile("efficientnet_v2_m", device="meta")) == bn_settings(theirs)


def test_a_size_outside_its_domain_is_refused_at_its_require():
    with pytest.raises(resgraph.SpecError, match="size must be s, m or l") as info:
        resgraph.load("efficientnet_v2_s", size="xl")
    assert info.value.span.file.endswith("efficientnet_v2.rg")
