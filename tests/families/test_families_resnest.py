"""ResNeSt (specs/resnest.rg) against timm's modules: names, shapes, counts, MACs and outputs
of every variant, the split attention's softmax over each cardinal group's radix splits,
the family's parameters beyond the variants, and their domain."""

import pytest
import torch
from timm_families import check_timm_variant, timm_model
from torchvision_families import check_computes_as, check_refused_at_require, shapes

import resgraph
from resgraph.catalog import catalog

VARIANTS = sorted(n for n, e in catalog().items() if e.file == "resnest.rg")


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_has_timms_names_params_and_macs(name):
    check_timm_variant(name)


@pytest.mark.parametrize("name", ["resnest50d", "resnest50d_4s2x40d", "resnest50d_1s4x24d"])
def test_loads_timms_weights_strictly_and_computes_the_same(name):
    # at 64x64: the split attention's reshapes name the sides of the spec's own image
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), timm_model(name), 64)


def test_the_softmax_runs_over_each_cardinal_groups_radix_splits():
    # Zhang et al., Eq. 3 and Fig. 2: the attention of split i of group k is a softmax over
    # the radix splits of that group, so the softmax's side is the radix and each of the
    # groups' weights is a reshape of its own slice
    graph = resgraph.load("resnest50d_4s2x40d")
    block = "layer2.1.conv2"
    [softmax] = [n for n in graph if n.op == "softmax" and n.name.startswith(block + ".")]
    width = 128 * 40 // 64 * 2
    assert softmax.attrs["dim"] == 0 and softmax.shape == (4, 2, width * 4 // (4 * 2))
    assert graph.nodes[f"{block}.conv"].attrs["groups"] == 4 * 2
    # radix 1: a sigmoid per map instead, no softmax
    ones = resgraph.load("resnest50d_1s4x24d")
    assert not any(n.op == "softmax" for n in ones)
    assert ones.nodes["layer1.0.conv2.sigmoid1"].op == "sigmoid"


def test_radix_cardinality_and_width_beyond_the_variants_are_timms():
    theirs = timm_model("resnest50d", "meta", base_width=48,
                        block_args={"radix": 3, "avd": True, "avd_first": False})
    ours = resgraph.compile("resnest50d", device="meta", radix=3, base_width=48)
    assert shapes(ours) == shapes(theirs)


@pytest.mark.parametrize("setting,message", [
    ({"radix": 0}, "radix counts the splits"),
    ({"cardinality": 0}, "cardinality counts the groups"),
    ({"base_width": 0}, "base_width is a group's width"),
    ({"depth": 34}, "depth must be 14, 26, 50, 101, 200 or 269")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("resnest50d", setting, message)
