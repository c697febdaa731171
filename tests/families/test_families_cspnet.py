"""CSPResNet and CSPResNeXt (specs/cspnet.rg) against timm's modules: names, shapes, counts,
MACs and outputs of every variant, the cross-stage split, its paths by hand, and the
domains."""

import pytest
import torch
from timm_families import check_timm_variant, timm_model
from torchvision_families import check_computes_as, check_refused_at_require

import resgraph
from resgraph.catalog import catalog

VARIANTS = sorted(n for n, e in catalog().items() if e.file == "cspnet.rg")
# timm.models.cspnet's CspStagesCfg of all four: the blocks of each stage
DEPTHS = (3, 3, 5, 2)


def test_the_family_is_timm_s_four_cross_stage_resnets():
    assert VARIANTS == ["cspresnet50", "cspresnet50d", "cspresnet50w", "cspresnext50"]


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_has_timms_names_params_and_macs(name):
    check_timm_variant(name)


@pytest.mark.parametrize("name", ["cspresnet50", "cspresnext50"])
def test_loads_timms_weights_strictly_and_computes_the_same(name):
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), timm_model(name), 64)


def test_a_stage_splits_its_expanded_maps_and_concatenates_the_bypass_first():
    # Wang et al. 2020, Fig. 2 (b): half the maps through the blocks, half around them
    graph = resgraph.load("cspresnet50")
    expanded = graph.nodes["stages.1.conv_exp.bn"].shape[0]
    into_blocks = graph.nodes["stages.1.blocks.0.part1"]
    assert (into_blocks.attrs["start"], into_blocks.attrs["size"]) == (expanded // 2, expanded // 2)
    concat = next(n for n in graph if n.op == "concat" and n.name.startswith("stages.1."))
    bypass, blocks = (graph.nodes[i] for i in concat.inputs)
    assert bypass.op == "part" and bypass.attrs["start"] == 0
    assert blocks.name == "stages.1.conv_transition_b.bn.act"


def test_paths_are_the_bypass_or_each_block_s_two_ways():
    """Through a stage a path takes the bypass, or one of the 2^depth ways through its blocks:
    (1 + 2^d) per stage. The shortest takes every bypass: the stem's convolution, per stage
    the strided one (not in the first), the expansion and the last transition, and the
    classifier: 1 + 3 + 4 + 4 + 1 = 13 layers; the longest every block's three: 56."""
    paths = resgraph.analyze("cspresnet50").to_json()["paths"]["lengths"]
    count = 1
    for d in DEPTHS:
        count *= 1 + 2 ** d
    assert int(paths["total"]) == count == 13_365
    assert (paths["shortest"], paths["longest"]) == (13, 1 + 3 + 4 + 4 + 3 * sum(DEPTHS) + 4 + 1)


@pytest.mark.parametrize("setting,message", [
    ({"width": 12}, "width, the first stage's output maps, must be a multiple of 8"),
    ({"bottle_ratio": 0}, "must be more than 0")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("cspresnet50", setting, message)
