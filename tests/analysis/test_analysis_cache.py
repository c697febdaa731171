"""Caches never change a result: every shipped network's report is its golden JSON with the
caches cold, warm and disabled (RESGRAPH_NO_CACHE=1), whatever ran before it; and random
networks of the prelude's blocks give the same report through the caches as without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resgraph
from resgraph import cache
from resgraph.analysis.report import analyze_graph
from resgraph.catalog import catalog

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "analysis"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RESGRAPH_NO_CACHE", raising=False)
    cache.clear()
    yield
    cache.clear()


def _report(target: object, **options: object) -> str:
    return json.dumps(resgraph.analyze(target, **options).to_json(), indent=1) + "\n"


@pytest.mark.parametrize("name", sorted(catalog()))
def test_cold_warm_and_disabled_caches_give_the_golden(
        name: str, own_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    cold = _report(name, level="stage")
    warm = _report(name, level="stage")
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    disabled = _report(name, level="stage")
    assert cold == warm == disabled
    assert json.loads(cold) == golden


def test_other_settings_of_the_same_graph_are_their_own_results(own_cache: None,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    settings_ = [{"batch": 1}, {"batch": 8, "dtype": "fp16"}, {"level": "block"},
                 {"input_shape": (3, 160, 160)}, {"batch": 1}]
    cached = [_report("resnet50", **s) for s in settings_]
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    assert cached == [_report("resnet50", **s) for s in settings_]
    assert cached[0] == cached[-1] and len(set(cached)) == 4


def test_a_renamed_graph_of_a_kept_analysis_is_named_by_its_own_name(own_cache: None) -> None:
    """A sweep's page names a candidate's graph ``NAME #INDEX``: its analysis, kept by the
    graph's content, names the network row of every later report by that report's graph."""
    renamed = resgraph.load("resnet18")
    renamed.name = "resnet18 #4"
    assert analyze_graph(renamed).rows[0].name == "resnet18 #4"
    again = resgraph.analyze("resnet18")
    assert again.name == again.rows[0].name == "resnet18"


def test_a_report_changed_by_its_reader_changes_no_later_report(own_cache: None) -> None:
    first = resgraph.analyze("resnet18", level="stage")
    expected = json.dumps(first.to_json())
    first.rows.clear()
    first.conventions.clear()
    first.graph.nodes["conv1"].meta.clear()
    second = resgraph.analyze("resnet18", level="stage")
    assert json.dumps(second.to_json()) == expected
    assert second.graph.nodes["conv1"].meta


_BLOCKS = st.sampled_from([("basic", 1), ("bottleneck", 4)])


@st.composite
def networks(draw: st.DrawFn) -> str:
    """A small spec: a stem, one to three stages of the prelude's blocks, a classifier."""
    size = draw(st.sampled_from([16, 24, 32]))
    lines = ["resgraph 1", "network random", f"input 3x{size}x{size}",
             "stem {", f"  conv(3, {draw(st.sampled_from([8, 16]))}) -> bn -> relu", "}"]
    for i in range(draw(st.integers(1, 3))):
        block, _ = draw(_BLOCKS)
        planes = draw(st.sampled_from([4, 8, 16]))
        depth = draw(st.integers(1, 3))
        stride = draw(st.sampled_from([1, 2])) if i else 1
        options = draw(st.sampled_from(["", ', shortcut="C"', ", se=4", ", groups=2, base_width=32"
                                        if block == "bottleneck" else ', stride_on="3x3"']))
        lines.append(f"stage s{i}: {block}({planes}{options}) x {depth} stride {stride}")
    lines += ["head {", "  global_avgpool -> flatten", "  fc: linear(10)", "}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=networks(), level=st.sampled_from(["network", "block", "op"]))
def test_random_networks_give_the_same_report_through_the_caches(
        text: str, level: str, own_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    source = resgraph.Source(text)
    through = [_report(source, level=level) for _ in range(2)]
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    assert through == [_report(source, level=level)] * 2
    monkeypatch.delenv("RESGRAPH_NO_CACHE")
