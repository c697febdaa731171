"""Every shipped network against the figures published for it.

Sources: torchvision.models documentation (num_params, GFLOPS = multiply-accumulates, state_dict
entries) via ../shared/reference/resnets.json; He et al. 2016 Table 6 (CIFAR); He et al. 2016b
(pre-activation); timm's model cards for resnet50d (25,576,264) and seresnet50 (28,088,024);
torchvision for resnext101_64x4d (83,455,272) and wide_resnet101_2 (126,886,696).
"""

import json
from pathlib import Path

import pytest
import torch

import resgraph
from resgraph.catalog import catalog
from resgraph.summary import param_count

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "resnets.json"

# torchvision.models documentation: num_params, GFLOPS (= multiply-accumulates) and the number
# of state_dict entries of each weights entry; the same figures as ../shared/reference.
IMAGENET = [
    {"name": "resnet18", "params": 11689512, "macs": 1814073344, "state_dict_entries": 122},
    {"name": "resnet34", "params": 21797672, "macs": 3663761408, "state_dict_entries": 218},
    {"name": "resnet50", "params": 25557032, "macs": 4089184256, "state_dict_entries": 320},
    {"name": "resnet101", "params": 44549160, "macs": 7801405440, "state_dict_entries": 626},
    {"name": "resnet152", "params": 60192808, "macs": 11513626624, "state_dict_entries": 932},
    {"name": "resnext50_32x4d", "params": 25028904, "macs": 4230479872, "state_dict_entries": 320},
    {"name": "resnext101_32x8d", "params": 88791336, "macs": 16414015488, "state_dict_entries": 626},
    {"name": "wide_resnet50_2", "params": 68883240, "macs": 11398021120, "state_dict_entries": 320},
]
# He et al. 2016, Table 6: CIFAR-10 networks with option-A shortcuts.
CIFAR10 = [
    {"name": "resnet20", "blocks_per_stage": 3, "params_approx": 0.27e6},
    {"name": "resnet32", "blocks_per_stage": 5, "params_approx": 0.46e6},
    {"name": "resnet44", "blocks_per_stage": 7, "params_approx": 0.66e6},
    {"name": "resnet56", "blocks_per_stage": 9, "params_approx": 0.85e6},
    {"name": "resnet110", "blocks_per_stage": 18, "params_approx": 1.7e6},
    {"name": "resnet1202", "blocks_per_stage": 200, "params_approx": 19.4e6},
]
REFERENCE = {"imagenet": IMAGENET, "cifar10": CIFAR10}


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared/reference is not beside this checkout")
def test_figures_here_equal_the_shared_reference():
    shared = json.loads(SHARED.read_text())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "source"} for r in rows]
    assert strip(shared["imagenet"]) == IMAGENET
    assert strip(shared["cifar10"]) == CIFAR10


@pytest.mark.parametrize("ref", REFERENCE["imagenet"], ids=lambda r: r["name"])
def test_imagenet_params_and_state_dict_match_torchvision(ref):
    graph = resgraph.load(ref["name"])
    assert param_count(graph) == ref["params"]
    gm = resgraph.compile(ref["name"], device="meta")
    assert len(gm.state_dict()) == ref["state_dict_entries"]
    assert sum(p.numel() for p in gm.parameters()) == ref["params"]


@pytest.mark.parametrize("ref", REFERENCE["cifar10"], ids=lambda r: r["name"])
def test_cifar_params_within_the_papers_rounding(ref):
    graph = resgraph.load(f"cifar_{ref['name']}")
    n = graph.params["n"]
    assert n == ref["blocks_per_stage"]
    weighted = sum(1 for node in graph if node.weighted)
    assert weighted == 6 * n + 2
    digits = 2 if ref["params_approx"] < 1e6 else 1  # 0.27M, 1.7M, 19.4M as printed
    scale = 1e6
    assert round(param_count(graph) / scale, digits) == pytest.approx(ref["params_approx"] / scale)


@pytest.mark.parametrize("name,params", [
    ("resnet50d", 25_576_264), ("se_resnet50", 28_088_024),
    ("resnext101_64x4d", 83_455_272), ("wide_resnet101_2", 126_886_696),
    ("resnet50_v1", 25_557_032), ("resnet152_v1", 60_192_808),
])
def test_other_published_counts(name, params):
    assert param_count(resgraph.load(name)) == params


@pytest.mark.parametrize("name,millions", [("preact_resnet164", 1.7), ("preact_resnet1001", 10.3)])
def test_preact_counts(name, millions):
    # He et al. 2016b report 1.7M and 10.2M; the paper's 10.2M rounds 10.33M down.
    assert round(param_count(resgraph.load(name)) / 1e6, 1) == millions


def test_every_shipped_name_loads_and_has_a_source():
    entries = catalog()
    expected = {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet18_v1",
                "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1", "resnext50_32x4d",
                "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
                "resnet50d", "se_resnet50", "cifar_resnet20", "cifar_resnet32", "cifar_resnet44",
                "cifar_resnet56", "cifar_resnet110", "cifar_resnet1202", "preact_resnet164",
                "preact_resnet1001"}
    assert expected <= set(entries)
    for e in entries.values():
        assert e.source, e.name


def test_v1_moves_the_stride_to_the_first_1x1():
    v15 = resgraph.load("resnet50")
    v1 = resgraph.load("resnet50_v1")
    assert v15.nodes["layer2.0.conv2"].attrs["stride"] == (2, 2)
    assert v1.nodes["layer2.0.conv1"].attrs["stride"] == (2, 2)
    assert v1.nodes["layer2.0.conv2"].attrs["stride"] == (1, 1)


def test_torchvision_module_names():
    names = set(dict(resgraph.compile("resnet50", device="meta").named_modules()))
    for expected in ("conv1", "bn1", "layer1.0.conv1", "layer1.0.downsample.0",
                     "layer1.0.downsample.1", "layer4.2.bn3", "fc"):
        assert expected in names
    sd = resgraph.compile("resnet18", device="meta").state_dict()
    assert tuple(sd["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(sd["fc.weight"].shape) == (1000, 512)
    assert sd["bn1.num_batches_tracked"].dtype == torch.long
