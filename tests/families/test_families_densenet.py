"""DenseNet-BC 121, 161, 169 and 201 (specs/densenet.rg) against torchvision's modules: names,
shapes, counts, MACs, published figures and outputs, the dense connectivity of the paper,
the family's parameters beyond the shipped variants, and their domain."""

import pytest
import torch
from torchvision.models import DenseNet
from torchvision_families import (
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
    on_meta,
    shapes,
)

import resgraph

# torchvision 0.29's DenseNet*_Weights.IMAGENET1K_V1.meta: num_params, _ops (its "GFLOPS",
# GMACs at 224x224)
PUBLISHED = {
    "densenet121": (7_978_856, 2.834), "densenet161": (28_681_000, 7.728),
    "densenet169": (14_149_480, 3.36), "densenet201": (20_013_928, 4.291),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


@pytest.mark.parametrize("name", ["densenet121", "densenet161"])
def test_loads_torchvision_weights_strictly_and_computes_the_same(name):
    check_same_outputs(name, 64)


def test_each_layer_reads_the_maps_of_every_layer_before_it_in_its_block():
    # Huang et al., section 3: the l-th layer of a block has k0 + k(l - 1) input maps
    graph = resgraph.load("densenet161")
    for st in graph.stages:
        if st.name.startswith("denseblock"):
            k0 = graph.nodes[f"{st.blocks[0]}.norm1"].shape[0]
            widths = [graph.nodes[f"{b}.norm1"].shape[0] for b in st.blocks]
            assert widths == [k0 + 48 * j for j in range(len(st.blocks))]


def test_growth_init_features_and_dropout_are_torchvisions_beyond_the_variants():
    with torch.device("meta"):
        theirs = DenseNet(12, (6, 12, 24, 16), 24, bn_size=2, drop_rate=0.2)
    ours = resgraph.compile("densenet121", device="meta", growth_rate=12, init_features=24,
                            bn_size=2, drop_rate=0.2)
    assert shapes(ours) == shapes(theirs)
    assert sum(n.op == "dropout" for n in resgraph.load("densenet121", drop_rate=0.2)) == 58


@pytest.mark.parametrize("setting,message", [
    ({"depth": 100}, "depth must be one of"),
    ({"growth_rate": 0}, "growth_rate must be at least 1"),
    ({"drop_rate": 1.5}, "drop_rate must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("densenet121", setting, message)
