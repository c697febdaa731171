"""The analyses' contract: results under the keys of analysis/keys.py, each pass recording what
it ran with, readers rerunning a pass only when that differs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import resgraph
from resgraph.analysis import keys
from resgraph.analysis.costs import annotate_costs
from resgraph.analysis.memory import annotate_memory
from resgraph.analysis.passes import ensure
from resgraph.analysis.report import PASSES, analyze_graph

ROOT = Path(resgraph.__file__).parent


def test_every_pass_records_what_it_ran_with() -> None:
    graph = resgraph.load("cifar_resnet20")
    analyze_graph(graph, batch=4, dtype="fp16")
    ran = graph.meta[keys.RAN_WITH]
    assert list(ran) == [p.name for p in PASSES]
    assert ran["costs"] == {"input_shape": (3, 32, 32), "batch": 4}
    assert ran["memory"] == {"input_shape": (3, 32, 32), "batch": 4, "dtype": "fp16"}
    assert ran["receptive_fields"] == {"input_shape": (3, 32, 32)}


def test_a_direct_call_records_its_defaults() -> None:
    graph = resgraph.load("cifar_resnet20")
    annotate_costs(graph)
    assert graph.meta[keys.RAN_WITH]["costs"]["batch"] == 1


def test_ensure_reruns_only_when_the_parameters_differ() -> None:
    graph = resgraph.load("cifar_resnet20")
    conv = graph.nodes["conv1"]
    ensure(graph, annotate_costs, batch=2, dtype="bf16")  # a parameter it does not take: ignored
    macs = conv.meta[keys.MACS]
    conv.meta[keys.MACS] = -1  # a rerun would overwrite it
    ensure(graph, annotate_costs, batch=2)
    assert conv.meta[keys.MACS] == -1
    ensure(graph, annotate_costs, batch=6)
    assert conv.meta[keys.MACS] == 3 * macs


def test_a_report_reads_the_figures_of_its_own_parameters() -> None:
    graph = resgraph.load("cifar_resnet20")
    one = analyze_graph(graph)
    annotate_memory(graph, batch=3, dtype="fp16")  # someone else's run in between
    eight = analyze_graph(graph, batch=8)
    assert eight.macs == 8 * one.macs and eight.memory.activation_bytes == \
        8 * one.memory.activation_bytes
    assert analyze_graph(graph).to_json() == one.to_json()


def test_a_pass_refuses_a_parameter_it_does_not_take() -> None:
    with pytest.raises(TypeError):
        annotate_costs(resgraph.load("cifar_resnet20"), dtype="fp16")


@pytest.mark.parametrize("path", sorted([*ROOT.glob("analysis/*.py"), *ROOT.glob("render/*.py"),
                                          *ROOT.glob("import_fx/*.py"), ROOT / "lower_fx.py"]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_meta_keys_are_written_only_in_keys_py(path: Path) -> None:
    if path.name != "keys.py":
        assert not re.findall(r"""["']resgraph\.[a-z_]+["']""", path.read_text())
