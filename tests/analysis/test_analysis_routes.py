"""The IR route and the FX route give the same report; MACs equal FlopCounterMode's count / 2."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import resgraph
from resgraph.analysis.report import analyze_graph
from resgraph.catalog import catalog
from resgraph.import_fx import import_fx

#: tracing a 1000+-layer network takes tens of seconds; their IR route is tested elsewhere
SLOW = {"cifar_resnet1202", "preact_resnet1001"}


def _small(name: str) -> tuple[int, int, int]:
    return (3, 32, 32) if resgraph.load(name).input_shape[1] <= 32 else (3, 64, 64)


@pytest.mark.parametrize("name", sorted(set(catalog()) - SLOW))
def test_ir_route_equals_fx_route(name: str) -> None:
    shape = _small(name)
    graph = resgraph.load(name, input_shape=shape)
    traced = import_fx(resgraph.compile(name, device="meta"), shape) if shape == graph.input_shape \
        else import_fx(_meta(name, shape), shape)
    ir = analyze_graph(graph, batch=2, level="block").to_json()
    fx = analyze_graph(traced, batch=2, level="block").to_json()
    assert fx.pop("uncounted_ops") == []
    for report in (ir, fx):
        report.pop("name")
        for row in report["rows"]:
            row.pop("kind")  # the block's type: the spec's block name, or the module's class
    assert fx == ir


def _meta(name: str, shape: tuple[int, ...]) -> torch.nn.Module:
    from resgraph.lower_fx import lower_fx

    return lower_fx(resgraph.load(name, input_shape=shape), "meta")


@pytest.mark.parametrize("name", ["cifar_resnet20", "resnext50_32x4d", "se_resnet50", "resnet50d"])
def test_macs_equal_flop_counter_mode(name: str) -> None:
    shape = _small(name)
    graph = resgraph.load(name, input_shape=shape)
    module = resgraph.lower_fx.lower_fx(graph).eval()  # type: ignore[attr-defined]
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.randn(2, *shape))
    assert analyze_graph(graph, batch=2).macs * 2 == counter.get_total_flops()
