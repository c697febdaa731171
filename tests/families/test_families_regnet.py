"""RegNet X and Y (specs/regnet.rg) against torchvision's own modules: names and shapes of
every parameter and buffer, parameter counts and MACs for every variant (on the meta device),
outputs in eval mode for two variants, the published figures, and the width rule against
the paper's formula on random draws."""

import math
from unittest import mock

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.models import regnet
from torchvision_families import (
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
)

import resgraph

X = ["regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf", "regnet_x_3_2gf", "regnet_x_8gf",
     "regnet_x_16gf", "regnet_x_32gf"]
Y = ["regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf", "regnet_y_8gf",
     "regnet_y_16gf", "regnet_y_32gf", "regnet_y_128gf"]

# torchvision 0.29's weights metadata, (num_params, _ops = GMACs at 224x224), typed from
# torchvision.models.RegNet_*_Weights.IMAGENET1K_V1.meta (regnet_y_128gf: IMAGENET1K_SWAG_E2E_V1,
# whose _ops are at its 384x384 resolution, so only its parameters are compared)
PUBLISHED = {
    "regnet_x_400mf": (5_495_976, 0.414), "regnet_x_800mf": (7_259_656, 0.800),
    "regnet_x_1_6gf": (9_190_136, 1.603), "regnet_x_3_2gf": (15_296_552, 3.177),
    "regnet_x_8gf": (39_572_648, 7.995), "regnet_x_16gf": (54_278_536, 15.941),
    "regnet_x_32gf": (107_811_560, 31.736), "regnet_y_400mf": (4_344_144, 0.402),
    "regnet_y_800mf": (6_432_512, 0.834), "regnet_y_1_6gf": (11_202_430, 1.612),
    "regnet_y_3_2gf": (19_436_338, 3.176), "regnet_y_8gf": (39_381_472, 8.473),
    "regnet_y_16gf": (83_590_140, 15.912), "regnet_y_32gf": (145_046_770, 32.280),
    "regnet_y_128gf": (644_812_894, None),
}


def torchvision_meta(name: str) -> torch.nn.Module:
    """torchvision's module on the meta device: its block parameters computed as its
    function computes them (on the CPU: they are read back with .tolist()), the module
    then built by its own _regnet, without memory."""
    built = []
    build = regnet._regnet
    with mock.patch.object(regnet, "_regnet", lambda params, *a, **k: built.append(params)):
        getattr(regnet, name)()
    with torch.device("meta"):
        return build(built[0], None, False).eval()


@pytest.mark.parametrize("name", X + Y)
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, torchvision_meta(name), 224, PUBLISHED[name])


@pytest.mark.parametrize("name", ["regnet_x_400mf", "regnet_y_400mf"])
def test_loads_torchvision_weights_strictly_and_computes_the_same(name):
    check_same_outputs(name, 64)


def paper_widths(depth: int, w0: int, wa: float, wm: float) -> list[int]:
    """Radosavovic et al. 2020, eqs. 2-4: u_j = w0 + wa·j, s_j = round(log_wm(u_j / w0)),
    w_j = w0·wm^s_j rounded to a multiple of 8."""
    out = []
    for j in range(depth):
        s = round(math.log((w0 + wa * j) / w0) / math.log(wm))
        out.append(round(w0 * wm ** s / 8) * 8)
    return out


@settings(max_examples=25, deadline=None, derandomize=True)
@given(depth=st.integers(12, 28), w0=st.integers(2, 32).map(lambda k: 8 * k),
       wa=st.floats(8, 128), wm=st.floats(1.5, 3), g=st.sampled_from([1, 2, 4, 8, 16, 24]))
def test_widths_and_depths_follow_the_paper_on_random_draws(depth, w0, wa, wm, g):
    graph = resgraph.load("regnet_x_400mf", depth=depth, w0=w0, wa=wa, wm=wm, group_width=g)
    widths = paper_widths(depth, w0, wa, wm)
    runs = _runs(widths)
    assert [st.depth for st in graph.stages] == [len(run) for run in runs]
    for stage, w in zip(graph.stages, [run[0] for run in runs]):
        gw = min(g, w)
        want = max(gw, int(w + gw / 2) // gw * gw)
        want += gw if want < 0.9 * w else 0
        assert graph.blocks[stage.blocks[0]].args["width"] == want
    assert any("round rounded" in n for n in graph.notes)


def _runs(values):
    out, run = [], [values[0]]
    for v in values[1:]:
        if v == run[-1]:
            run.append(v)
        else:
            out.append(run)
            run = [v]
    return out + [run]


@pytest.mark.parametrize("setting,message", [
    ({"wm": 1.0}, "wm must be more than 1"), ({"w0": 20}, "w0 must be a positive multiple of 8"),
    ({"wa": -1.0}, "wa must be at least 0")])
def test_a_parameter_outside_the_design_space_is_refused_at_its_require(setting, message):
    check_refused_at_require("regnet_y_400mf", setting, message)
