"""Res2Net and Res2NeXt (specs/res2net.rg) against timm's modules: names, shapes, counts, MACs
and outputs of every variant, the hierarchical splits of the paper, the family's parameters
beyond the variants, and their domain."""

import pytest
import torch
from timm_families import check_timm_variant, timm_model
from torchvision_families import check_computes_as, check_refused_at_require, shapes

import resgraph
from resgraph.catalog import catalog

VARIANTS = sorted(n for n, e in catalog().items() if e.file == "res2net.rg")


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_has_timms_names_params_and_macs(name):
    check_timm_variant(name)


@pytest.mark.parametrize("name", ["res2net50_26w_4s", "res2next50"])
def test_loads_timms_weights_strictly_and_computes_the_same(name):
    torch.manual_seed(0)
    check_computes_as(resgraph.load(name, image=64), timm_model(name), 64)


def test_each_split_adds_the_one_before_but_in_a_first_block():
    # Gao et al., Fig. 2: y_i = K_i(x_i + y_{i-1}) for 2 <= i < s; timm's "stage" blocks
    # (stride or width change) convolve each split alone and pool the last
    graph = resgraph.load("res2net50_26w_6s")

    def adds(block: str) -> int:
        return sum(n.op == "add" and n.name.startswith(block + ".") for n in graph)

    assert adds("layer1.0") == 1 and adds("layer2.0") == 1  # the shortcut's alone
    assert adds("layer1.1") == 1 + (6 - 2)
    assert graph.nodes["layer1.0.pool"].op == "avgpool"
    assert "layer1.1.pool" not in graph.nodes
    widths = [graph.nodes[f"layer3.1.convs.{i}"].shape[0] for i in range(5)]
    assert widths == [256 * 26 // 64] * 5


def test_scale_and_width_beyond_the_variants_are_timms():
    theirs = timm_model("res2net50_26w_4s", "meta", block_args={"scale": 3}, base_width=20)
    ours = resgraph.compile("res2net50_26w_4s", device="meta", scale=3, base_width=20)
    assert shapes(ours) == shapes(theirs)


@pytest.mark.parametrize("setting,message", [
    ({"scale": 1}, "scale counts the splits"),
    ({"base_width": 0}, "base_width is a split's width"),
    ({"depth": 34}, "depth must be 50, 101 or 152"),
    ({"groups": 0}, "groups is the splits' convolutions' cardinality")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("res2net50_26w_4s", setting, message)
