"""The page's structure and figures, read back from the HTML: every section, every level's
diagram, panels that carry the analyses' own figures, links from source lines to nodes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import resgraph
from resgraph.analysis import keys
from resgraph.report import render_report

pytestmark = pytest.mark.skipif(not __import__("shutil").which("dot"), reason="needs Graphviz")


class Outline(HTMLParser):
    """Section ids, level divs, external references and inline scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.levels: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "div" and "level" in (a.get("class") or "").split():
            self.levels.append(a.get("data-level") or "")
        for key in ("src", "href"):
            value = a.get(key) or ""
            if tag in ("script", "link", "img") and value and not value.startswith("#"):
                self.external.append(value)


def _data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                      re.DOTALL)
    assert found
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def resnet50() -> tuple[str, resgraph.Graph]:
    graph = resgraph.load("resnet50")
    return render_report(graph), graph


def test_the_outline(resnet50: tuple[str, resgraph.Graph]) -> None:
    html, _ = resnet50
    outline = Outline()
    outline.feed(html)
    assert outline.ids == ["summary", "diagram", "charts", "tables", "source"]
    assert outline.levels == ["network", "stage", "block"]
    assert outline.external == []  # self-contained: nothing to fetch
    assert html.count("<svg") == 3 + 4  # three diagrams, four charts
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_panels_carry_the_analyses_figures(resnet50: tuple[str, resgraph.Graph]) -> None:
    html, graph = resnet50
    units = _data(html)["units"]
    block = units["block"]["layer3.4"]
    members = [n for n in graph if n.block == "layer3.4"]
    assert block["macs"] == sum(n.meta[keys.MACS] for n in members)
    assert block["params"] == sum(n.meta[keys.PARAMS] for n in members)
    assert block["out"] == "1024x14x14"
    conv = units["block"]["conv1"]
    assert conv["macs"] == 118_013_952  # 7x7x3x64 x 112x112: torchvision's stem
    assert conv["rf"] == "7x7 (stride 2x2)"
    # the network level draws a node per stage (and the stem and head): together, every MAC
    assert sum(u["macs"] for u in units["network"].values()) == 4_089_184_256  # torchvision's


def test_search_and_source_links(resnet50: tuple[str, resgraph.Graph]) -> None:
    html, _ = resnet50
    data = _data(html)
    assert data["search"]["layer3.4"] == ["block", "layer3.4"]  # folded at stage level
    assert data["search"]["layer3.0"] == ["stage", "layer3.0"]
    assert data["search"]["layer2.1.conv2"] == ["block", "layer2.1.conv2"]
    assert data["files"][0] == "specs/resnet.rg"
    stage_line = next(k for k, v in data["links"]["network"].items() if v == ["layer3"])
    assert f'data-key="{stage_line}"' in html


def test_a_profile_colours_and_times(tmp_path: Path) -> None:
    from resgraph.report import read_profile

    graph = resgraph.load("resnet18")
    times = {n.name: 0.01 for n in graph if n.op == "conv"}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"engine": "r18.engine", "total_ms": 0.2, "scopes": times,
                                "blocks": {}, "stages": {"layer1": 0.04}}))
    html = render_report(graph, profile=read_profile(path))
    assert "ms per inference (TensorRT)" in html
    assert _data(html)["units"]["block"]["conv1"]["ms"] == pytest.approx(0.01)


def test_a_traced_model_has_no_source() -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU())
    graph = resgraph.api.target_graph(model, (3, 16, 16))
    html = render_report(graph)
    assert 'id="source"' not in html and _data(html)["files"] == []


def test_the_path_chart_of_a_gated_network_shows_the_paths_its_curves_are_over() -> None:
    """The gradient curves are over the gate-free paths: with them the bars are those paths'
    shares (tiny_se: one gate-free path through each k, 1/2 each; with gate routes 1/3, 2/3)."""
    from resgraph.analysis.report import analyze_graph, gradient_curves
    from resgraph.report.page import path_chart

    graph = resgraph.load(Path(__file__).parents[1] / "analysis" / "tiny_se.rg")
    plain = path_chart(analyze_graph(graph))
    curved = path_chart(gradient_curves(analyze_graph(graph), samples=1))
    assert [b["tip"] for b in plain.bars] == ["k=0: 1 paths (0.333)", "k=1: 2 paths (0.667)"]
    assert [b["tip"] for b in curved.bars] == ["k=0: 0.5 of the gate-free paths",
                                               "k=1: 0.5 of the gate-free paths"]
    assert "gate-free" in curved.caption and len(curved.lines) == 2


def test_a_network_of_several_outputs_lists_the_paths_to_each() -> None:
    # resunet_small has one output; the FPN five: a figure per level, beside the sum
    from resgraph.analysis.report import analyze_graph
    from resgraph.report.page import Extras, figures

    report = analyze_graph(resgraph.load("resnet50_fpn", image=64))
    rows = {what: (figure, how) for what, figure, how in figures(report, Extras())}
    levels = [f"paths to {k}" for k in ("0", "1", "2", "3", "pool")]
    assert all(level in rows for level in levels)
    totals = [report.paths_by_output[k].total for k in ("0", "1", "2", "3", "pool")]
    assert rows["paths"][0] == f"{sum(totals):,}"
    # the finest level reads every stage (its lateral, and the top-down path from the others)
    assert rows["paths to 0"][0] == f"{totals[0]:,}" and totals[0] > totals[3]
    one = figures(analyze_graph(resgraph.load("resunet_small")), Extras())
    assert not any(what.startswith("paths to") for what, _, _ in one)
