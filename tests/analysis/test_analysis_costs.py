"""Per-node costs: scaled by the batch where they should be, equal to the module's tensors.
The published figures are checked in test_analysis_published.py."""

from __future__ import annotations

import resgraph
from resgraph.analysis.costs import annotate_costs
from resgraph.analysis.keys import BUFFERS, FLOPS, MACS, PARAMS


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
