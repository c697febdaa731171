"""MACs and parameters of every shipped ImageNet spec equal the published figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import resgraph
from resgraph.analysis.costs import BUFFERS, FLOPS, MACS, PARAMS, annotate_costs

REFERENCE = Path(__file__).parents[3] / "shared" / "reference" / "resnets.json"

#: torchvision.models documentation: num_params and GFLOPS (its MACs) of each weights entry
PUBLISHED = {
    "resnet18": (11689512, 1814073344), "resnet34": (21797672, 3663761408),
    "resnet50": (25557032, 4089184256), "resnet101": (44549160, 7801405440),
    "resnet152": (60192808, 11513626624), "resnext50_32x4d": (25028904, 4230479872),
    "resnext101_32x8d": (88791336, 16414015488), "wide_resnet50_2": (68883240, 11398021120),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_macs_and_params(name: str) -> None:
    graph = resgraph.load(name)
    annotate_costs(graph)
    params, macs = PUBLISHED[name]
    assert sum(n.meta[MACS] for n in graph) == macs
    assert sum(n.meta[PARAMS] for n in graph) == params


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference/resnets.json is absent")
def test_shared_reference_agrees() -> None:
    entries = json.loads(REFERENCE.read_text())["imagenet"]
    assert {e["name"]: (e["params"], e["macs"]) for e in entries} == PUBLISHED


def test_batch_scales_macs_and_flops_not_params() -> None:
    one, eight = resgraph.load("cifar_resnet20"), resgraph.load("cifar_resnet20")
    annotate_costs(one)
    annotate_costs(eight, batch=8)
    for a, b in zip(one, eight):
        assert b.meta[MACS] == 8 * a.meta[MACS]
        assert b.meta[FLOPS] == 8 * a.meta[FLOPS]
        assert b.meta[PARAMS] == a.meta[PARAMS] and b.meta[BUFFERS] == a.meta[BUFFERS]


def test_params_and_buffers_match_the_module() -> None:
    gm = resgraph.compile("se_resnet50", device="meta")
    graph = resgraph.load("se_resnet50")
    annotate_costs(graph)
    assert sum(n.meta[PARAMS] for n in graph) == sum(p.numel() for p in gm.parameters())
    assert sum(n.meta[BUFFERS] for n in graph) == sum(b.numel() for b in gm.buffers())
