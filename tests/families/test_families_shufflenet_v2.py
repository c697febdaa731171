"""ShuffleNetV2 0.5x-2.0x (specs/shufflenet_v2.rg) against torchvision's modules: names,
shapes, counts, MACs, published figures and outputs (the split, the concatenation and the
shuffle among them), and the width multiplier's domain."""

import pytest
from torchvision_families import check_names_params_and_macs, check_same_outputs, on_meta

import resgraph

# torchvision 0.29's ShuffleNet_V2_X*_Weights.IMAGENET1K_V1.meta: num_params, _ops (its
# "GFLOPS", GMACs at 224x224)
PUBLISHED = {
    "shufflenet_v2_x0_5": (1_366_792, 0.04), "shufflenet_v2_x1_0": (2_278_604, 0.145),
    "shufflenet_v2_x1_5": (3_503_624, 0.296), "shufflenet_v2_x2_0": (7_393_996, 0.583),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


@pytest.mark.parametrize("name", ["shufflenet_v2_x0_5", "shufflenet_v2_x1_0"])
def test_loads_torchvision_weights_strictly_and_computes_the_same(name):
    # at the spec's own resolution: its reshapes name the sides of a 224x224 input's maps
    check_same_outputs(name, 224)


def test_stride_1_units_split_and_every_unit_shuffles():
    graph = resgraph.load("shufflenet_v2_x1_0")
    units = [b for st in graph.stages for b in st.blocks]
    parts = {n.name.rsplit(".", 1)[0] for n in graph if n.op == "part"}
    permutes = {n.name.rsplit(".", 1)[0] for n in graph if n.op == "permute"}
    assert len(units) == 4 + 8 + 4
    assert sorted(parts) == sorted(u for u in units if not u.endswith(".0"))
    assert sorted(permutes) == sorted(units)


def test_a_width_outside_table_5_is_refused_at_its_require():
    with pytest.raises(resgraph.SpecError, match="width_mult must be one of") as info:
        resgraph.load("shufflenet_v2_x1_0", width_mult=0.75)
    assert info.value.span.file.endswith("shufflenet_v2.rg")
