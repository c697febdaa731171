"""elaborate: parameters, stages, overrides, user blocks, 'use', names and reported roundings."""

from pathlib import Path

import pytest

import resgraph

FIXTURES = Path(__file__).parent / "specs_fixtures"

NET = """resgraph 1
param width = 16
network t
input 3x32x32
stem {
  conv1: conv(3, width) -> bn1: bn -> relu
}
stage layer1: bottleneck(8) x 4 stride 2 {
  0: shortcut="C"
  2..3: se=4
}
head {
  global_avgpool -> flatten
  fc: linear(10)
}
"""


def test_stage_stride_goes_to_the_first_block_only():
    g = resgraph.load(resgraph.Source(NET))
    assert g.blocks["layer1.0"].args["stride"] == 2
    assert all(g.blocks[f"layer1.{i}"].args["stride"] == 1 for i in (1, 2, 3))
    assert g.nodes["layer1.0.add1"].shape == (32, 16, 16)


def test_overrides_reach_single_blocks_and_say_where_from():
    g = resgraph.load(resgraph.Source(NET))
    assert [g.blocks[f"layer1.{i}"].args["se"] for i in range(4)] == [0, 0, 4, 4]
    assert g.blocks["layer1.0"].origins["shortcut"].startswith("override at <spec>:9:")
    assert g.blocks["layer1.1"].origins["shortcut"].startswith("default at")
    assert "layer1.2.se.fc1" in g.nodes and "layer1.1.se.fc1" not in g.nodes


def test_params_from_python_keywords():
    g = resgraph.load(resgraph.Source(NET), width=24)
    assert g.nodes["conv1"].shape == (24, 32, 32)
    assert g.params == {"width": 24}


def test_use_brings_in_blocks_and_lets():
    g = resgraph.load(FIXTURES / "uses_lib.rg")
    assert [b for b in g.blocks] == ["layer1.0", "layer1.1", "layer1.2"]
    assert g.nodes["layer1.2.conv2"].attrs["out"] == 8


def test_missing_spec_file_is_a_usage_error():
    with pytest.raises(resgraph.UsageError, match="no such file"):
        resgraph.load("missing/net.rg")


def test_make_divisible_rounding_is_reported():
    text = NET.replace("conv1: conv(3, width)", "conv1: conv(3, make_divisible(width + 3, 8))")
    g = resgraph.load(resgraph.Source(text))
    assert g.nodes["conv1"].shape[0] == 16
    assert any("make_divisible rounded 19 to 16" in n for n in g.notes)


def test_unrounded_bottleneck_reports_nothing():
    assert resgraph.load("resnext50_32x4d").notes == []


def test_partial_blocks_and_preactivation_order():
    g = resgraph.load("preact_resnet164")
    ops = [n.op for n in g if n.block == "layer1.1"]
    assert ops[:3] == ["bn", "relu", "conv"]  # BN and ReLU come before the convolution
    assert ops[-1] == "add"


def test_resnet_d_and_se_follow_timm_names():
    d = resgraph.load("resnet50d")
    assert d.nodes["layer2.0.downsample.0"].op == "avgpool"
    assert d.nodes["layer2.0.downsample.1"].op == "conv"
    assert "layer1.0.downsample.0" not in d.nodes  # stride 1: no pooling, as timm's Identity
    assert d.nodes["conv1.6"].op == "conv"
    se = resgraph.load("se_resnet50")
    assert se.nodes["layer1.0.se.fc1"].attrs["out"] == 16
    assert se.nodes["layer4.2.se.fc2"].attrs["out"] == 2048


def test_option_a_only_where_shape_changes():
    g = resgraph.load("cifar_resnet20")
    pads = [n.name for n in g if n.op == "pad_channels"]
    assert pads == ["layer2.0.downsample.pad_channels1", "layer3.0.downsample.pad_channels1"]


def test_shortcut_c_projects_every_block():
    g = resgraph.load("resnet18", shortcut="C")
    assert all(f"{b}.downsample.0" in g.nodes for b in g.blocks)


def test_any_number_of_stages_and_input_channels():
    text = NET.replace("input 3x32x32", "input 1x64x64").replace(
        "stage layer1: bottleneck(8) x 4 stride 2 {\n  0: shortcut=\"C\"\n  2..3: se=4\n}",
        "\n".join(f"stage s{i}: basic({8 * 2 ** i}) x 1 stride 2" for i in range(5)))
    g = resgraph.load(resgraph.Source(text))
    assert [s.name for s in g.stages] == ["s0", "s1", "s2", "s3", "s4"]
    assert g.nodes[g.blocks["s4.0"].output].shape == (128, 2, 2)
