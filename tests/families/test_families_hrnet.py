"""HRNet (specs/hrnet.rg) against timm's modules: names, shapes, counts, MACs and outputs of
every variant, the exchange units' wiring, the paths of parallel branches, and the domains."""

import pytest
import torch
from timm_families import check_timm_variant, timm_model
from torchvision_families import check_computes_as, check_refused_at_require

import resgraph
from resgraph.catalog import catalog

VARIANTS = sorted(n for n, e in catalog().items() if e.file == "hrnet.rg")


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_has_timms_names_params_and_macs(name):
    check_timm_variant(name)


@pytest.mark.parametrize("name", ["hrnet_w18_small", "hrnet_w18_small_v2"])
def test_loads_timms_weights_strictly_and_computes_the_same(name):
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), timm_model(name), 64)


def test_each_branch_sums_every_branch_at_its_resolution():
    """Wang et al. 2020, Fig. 3: the exchange unit of stage 4's branch 1 (stride 8) reads
    branch 0 through one strided 3x3 convolution, its own maps as they are, and branches 2
    and 3 through a 1x1 convolution and a nearest upsampling of 2 and 4."""
    graph = resgraph.load("hrnet_w18_small")
    unit = "stage4.0.fuse_layers.1"
    assert graph.nodes[f"{unit}.0.0.0"].attrs["stride"] == (2, 2)
    assert [graph.nodes[f"{unit}.{j}.2"].attrs["given"] for j in (2, 3)] == \
        [("scale", 2.0), ("scale", 4.0)]
    adds = [n for n in graph if n.op == "add" and n.name.startswith(unit + ".")]
    assert len(adds) == 3 and graph.nodes[f"{unit}.relu1"].shape == (32, 28, 28)


def test_the_shortest_path_rides_the_coarsest_branch_as_it_is_made():
    """The shortest path: the stem's two convolutions, layer1's projection shortcut, then
    each new branch's strided 3x3 convolution (transitions 1, 2 and 3) with no block on the
    way (each block's shortcut, each exchange's own maps), the coarsest bottleneck's
    projection, the final 1x1 convolution and the classifier: 2 + 1 + 3 + 1 + 1 + 1 = 9; the
    exchanges between branches give paths of many lengths beside it."""
    paths = resgraph.analyze("hrnet_w18_small").to_json()["paths"]["lengths"]
    assert paths["shortest"] == 2 + 1 + 3 + 1 + 1 + 1
    assert len(paths["counts"]) > 20


@pytest.mark.parametrize("setting,message", [
    ({"width": 0}, "width, the finest branch's channels, must be at least 1"),
    ({"modules3": 0}, "modules3 and modules4"),
    ({"image": 100}, "image must be a multiple of 32")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("hrnet_w18_small", setting, message)
