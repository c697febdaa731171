"""The IR route and the FX route give the same report; MACs equal FlopCounterMode's count / 2."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import torch
from small_inputs import load_small
from torch.utils.flop_counter import FlopCounterMode

import resgraph
from resgraph.analysis.report import analyze_graph
from resgraph.catalog import catalog
from resgraph.import_fx import import_fx
from resgraph.ir import Graph

#: tracing a 1000+-layer network takes tens of seconds; their IR route is tested elsewhere
SLOW = {"cifar_resnet1202", "preact_resnet1001"}


def _small(name: str) -> tuple[int, int, int]:
    return (3, 32, 32) if resgraph.load(name).input_shape[1] <= 32 else (3, 64, 64)


@functools.lru_cache(maxsize=2)
def _graphs(name: str) -> tuple[Graph, Graph]:
    """The spec's graph and its compiled module's import, shared by a worker's two tests."""
    graph = load_small(name, _small(name))
    shape = graph.input_shape
    # compiled at the traced shape: a spec's reshape names the sides of its own input's maps
    module = resgraph.compile(name, device="meta", input_shape=shape) \
        if shape == graph.input_shape else _meta(name, shape)
    traced = import_fx(module, shape)
    return graph, traced


def _reports(name: str, level: str) -> tuple[dict[str, Any], dict[str, Any]]:
    graph, traced = _graphs(name)
    ir = analyze_graph(graph, batch=2, level=level).to_json()
    fx = analyze_graph(traced, batch=2, level=level).to_json()
    assert fx.pop("uncounted_ops") == []
    params = ir["params"]
    # a network with training outputs: the module holds the training-only heads, which the
    # trace in eval does not reach (as torchvision's Inception v3's AuxLogits)
    total = ir.pop("training")["params"] if "training" in ir else params
    assert fx.pop("module_params") == {"total": total, "traced": params,
                                       "not_reached": sorted({
                                           n.split(".")[0] for n in graph.training.nodes
                                           if n not in graph.nodes} if graph.training else [])}
    for report in (ir, fx):
        report.pop("name")
        for counter in CALL_DEPENDENT:
            report["other_counters"].pop(counter)
    return ir, fx


#: counters that count a function call unlike a module's: the spec's figure is torchvision's
#: (nn.ReLU), the compiled module's is resgraph's lowering (F.relu), and both are right
CALL_DEPENDENT = ("thop", "ptflops")


@pytest.mark.parametrize("name", sorted(set(catalog()) - SLOW))
def test_ir_route_equals_fx_route(name: str) -> None:
    """Every op, by name, with its figures; totals, counters and memory: all but the grouping
    into stages, which :func:`test_stages_round_trip` checks."""
    ir, fx = _reports(name, "op")
    for report in (ir, fx):
        report.pop("receptive_fields")  # one per stage
        for row in report["rows"]:
            row.pop("stage")
            # a function call's FX name is its scope with "." as "_" (layer2_0_downsample_pad1):
            # where the scope is no module, which "_" was a "." cannot be known
            row["name"] = row["name"].replace(".", "_")
    assert fx == ir


#: networks whose heads hold blocks (segmentation's ASPP), whose pyramid's modules are two
#: lists of levels (FPN's inner_blocks, layer_blocks) or whose stage modules the spec makes
#: three stages (CSPNet's stages.k: its entry, blocks and exit), or whose branches and
#: exchange units are lists of modules (HRNet's branches, fuse_layers), or whose stage ends
#: where an auxiliary head reads it (GoogLeNet's 4a, 4d), or whose grid reductions are stages
#: of their own (Inception v3's Mixed_6a, Mixed_7a): the module tree cannot tell
#: which modules the spec made stages, so the FX route groups them otherwise; every op and
#: figure still agrees (above)
HEADS_OF_BLOCKS = {n for n, e in catalog().items()
                   if e.file in ("segmentation.rg", "fpn.rg", "cspnet.rg", "hrnet.rg",
                                 "googlenet.rg", "inception_v3.rg")}


@pytest.mark.parametrize("name", sorted(set(catalog()) - SLOW - HEADS_OF_BLOCKS))
def test_stages_round_trip(name: str) -> None:
    """The same stages, blocks and figures; a stage is named by the spec's words in one and
    by its module's path in the other (``stage1``, ``features.1``), so names map in order."""
    graph, traced = _graphs(name)
    assert len(traced.stages) == len(graph.stages)
    names = {a.name: b.name for a, b in zip(graph.stages, traced.stages)}
    ir, fx = _reports(name, "block")
    for row in ir["rows"]:
        row["stage"] = names.get(row["stage"], row["stage"])
    for field in ir["receptive_fields"]:
        field["stage"] = names.get(field["stage"], field["stage"])
    for report in (ir, fx):
        for row in report["rows"]:
            row.pop("kind")  # the block's type: the spec's block name, or the module's class
    assert fx == ir


def _meta(name: str, shape: tuple[int, ...]) -> torch.nn.Module:
    from resgraph.lower_fx import lower_fx

    return lower_fx(resgraph.load(name, input_shape=shape), "meta")


@pytest.mark.parametrize("name", ["cifar_resnet20", "resnext50_32x4d", "se_resnet50", "resnet50d"])
def test_macs_equal_flop_counter_mode(name: str) -> None:
    graph = load_small(name, _small(name))
    shape = graph.input_shape
    module = resgraph.lower_fx.lower_fx(graph).eval()  # type: ignore[attr-defined]
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.randn(2, *shape))
    assert analyze_graph(graph, batch=2).macs * 2 == counter.get_total_flops()
