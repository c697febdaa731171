"""Diagrams of the families beyond ResNet, one variant of each spec file, at every level that
``resgraph draw`` offers, rendered by the real ``dot``: MBConv's three layers, squeeze-excitation
as a side branch, no shortcut where a block has none, repeated blocks folded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

import resgraph
from resgraph.api import draw
from resgraph.ir import LEVELS, Graph
from resgraph.render.view import View, build_view

#: one variant of each family's spec file
FAMILIES = ("mobilenet_v2", "mobilenet_v3_small", "mnasnet0_5", "efficientnet_b0",
            "efficientnet_v2_s", "regnet_y_400mf", "convnext_tiny")
#: the families whose blocks hold squeeze-excitation
WITH_SE = ("mobilenet_v3_small", "efficientnet_b0", "efficientnet_v2_s", "regnet_y_400mf")
#: the families with blocks that have no shortcut (MBConv and Fused-MBConv that change shape)
MBCONV = ("mobilenet_v2", "mobilenet_v3_small", "mnasnet0_5", "efficientnet_b0",
          "efficientnet_v2_s")
SVG = "{http://www.w3.org/2000/svg}"


@cache
def _graph(name: str) -> Graph:
    return resgraph.load(name)


def _view(name: str, level: str) -> tuple[Graph, View, dict[str, str]]:
    """The network, its view at ``level``, and the unit that draws each IR node."""
    graph = _graph(name)
    view = build_view(graph, level)
    return graph, view, {m: u.id for u in view.units.values() for m in u.members}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", FAMILIES)
def test_every_level_renders_one_svg_node_per_unit(tmp_path: Path, name: str, level: str) -> None:
    graph = _graph(name)
    path = tmp_path / f"{name}-{level}.svg"
    draw(graph, path, level=level, color="none")
    root = ET.parse(path).getroot()
    titles = {g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")  # type: ignore[union-attr]
              if g.get("class") == "node"}
    assert titles == set(build_view(graph, level).units)


@pytest.mark.parametrize("level", ["block", "op"])
@pytest.mark.parametrize("name", WITH_SE)
def test_squeeze_excitation_is_a_side_branch_not_a_shortcut(name: str, level: str) -> None:
    graph, view, unit = _view(name, level)
    muls = {unit[n.name] for n in graph if n.op == "mul"}
    into_mul = [e for e in view.edges if e.head in muls]
    assert muls and into_mul
    assert {e.kind for e in into_mul} == {"main", "branch"}  # the value, and the gate beside it
    assert all(e.head in view.spine for e in into_mul)
    gates = [n for n in graph if n.op == "conv" and n.name.rsplit(".", 1)[-1] in ("fc1", "fc2")]
    assert gates and all(view.side[n.name] == "branch" for n in gates)


@pytest.mark.parametrize("level", ["block", "op"])
@pytest.mark.parametrize("name", MBCONV)
def test_blocks_without_a_shortcut_draw_none(name: str, level: str) -> None:
    graph, view, unit = _view(name, level)
    adding = {n.block for n in graph if n.op == "add"}
    plain = {b for b in graph.blocks if b not in adding}
    shortcut_heads = {e.head for e in view.edges if e.kind == "shortcut"}
    assert plain and adding
    assert not shortcut_heads & {unit[n.name] for n in graph if n.block in plain}
    assert len(shortcut_heads) == len(adding)  # one merge drawn per block with a shortcut


def test_mbconv_shows_expansion_depthwise_and_projection() -> None:
    graph, view, unit = _view("efficientnet_b0", "block")
    layers = [n for n in graph if n.block == "features.2.1" and n.op == "conv"
              and unit[n.name] in view.spine]
    assert [(n.attrs["kernel"], n.attrs["out"], n.attrs["groups"]) for n in layers] == [
        ((1, 1), 144, 1), ((3, 3), 144, 144), ((1, 1), 24, 1)]
    text = draw(graph, level="stage")
    assert "1x1, 144 · 3x3, 144 g144 · 1x1, 24" in text  # the folded block, in paper notation
    assert "shortcut: identity · gate: 2 layers" in text


def test_a_block_without_shortcut_still_names_its_gate() -> None:
    text = draw(_graph("efficientnet_b0"), level="stage")
    label = text.split('"features.2.0" [', 1)[1].split("\n", 1)[0]
    assert "gate: 2 layers" in label and "shortcut" not in label


@pytest.mark.parametrize("name, run, blocks", [
    ("efficientnet_b0", "features.6.1..features.6.3", 3),  # stochastic depth grows over them
    ("convnext_tiny", "features.5.0..features.5.8", 9),
    ("regnet_y_400mf", "trunk_output.block3.block3-1..trunk_output.block3.block3-5", 5),
    ("mobilenet_v2", "features.8..features.10", 3),
])
def test_repeated_blocks_fold_at_stage_level(name: str, run: str, blocks: int) -> None:
    view = build_view(_graph(name), "stage")
    assert view.units[run].kind == "run" and len(view.units[run].blocks) == blocks
    assert f"× {blocks}" in draw(_graph(name), level="stage")
