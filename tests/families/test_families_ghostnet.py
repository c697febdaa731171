"""GhostNet (specs/ghostnet.rg) against timm's modules: names, shapes, counts, MACs and outputs
of every variant, the Ghost module's cheap half, and the width's domain."""

import pytest
import torch
from timm_families import check_timm_variant, timm_model
from torchvision_families import check_computes_as, check_refused_at_require

import resgraph
from resgraph.catalog import catalog

VARIANTS = sorted(n for n, e in catalog().items() if e.file == "ghostnet.rg")


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_has_timms_names_params_and_macs(name):
    check_timm_variant(name)


@pytest.mark.parametrize("name", ["ghostnet_100", "ghostnet_050"])
def test_loads_timms_weights_strictly_and_computes_the_same(name):
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), timm_model(name), 64)


def test_a_ghost_module_makes_half_its_maps_cheaply():
    # Han et al., section 3.1 (s = 2): m = n / 2 intrinsic maps by a 1x1 convolution, the
    # other half by a 3x3 depthwise one of them, concatenated
    graph = resgraph.load("ghostnet_100")
    primary = graph.nodes["blocks.6.3.ghost1.primary_conv.0"]
    cheap = graph.nodes["blocks.6.3.ghost1.cheap_operation.0"]
    assert primary.shape[0] == cheap.shape[0] == 480 // 2
    assert cheap.attrs["groups"] == 240 and cheap.attrs["kernel"] == (3, 3)
    assert graph.nodes["blocks.6.3.ghost1.concat1"].shape[0] == 480


@pytest.mark.parametrize("setting,message", [
    ({"width": 0}, "width multiplies every layer's maps"),
    ({"drop_rate": 2}, "drop_rate must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("ghostnet_100", setting, message)
