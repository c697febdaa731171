"""Gradient-path distributions: closed forms, per-node annotations, brute force on random DAGs."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import resgraph
from resgraph.analysis.keys import PATHS
from resgraph.analysis.paths import (
    EXACT_BELOW,
    annotate_paths,
    branch_distribution,
    count_text,
    gate_distribution,
    gate_inputs,
    length_distribution,
    multiply,
    output_polynomial,
    output_polynomials,
    power,
    relevant_order,
    residual_inputs,
    segment_poly,
    shift,
    shortcut_inputs,
)
from resgraph.analysis.report import analyze_graph
from resgraph.ir import Graph, Node
from resgraph.render import DrawOptions, render_dot
from resgraph.render.view import main_inputs


def test_cifar_resnet110_branches_are_binomial() -> None:
    dist = branch_distribution(resgraph.load("cifar_resnet110"))
    assert dist.counts == [math.comb(54, k) for k in range(55)]


def test_cifar_resnet110_lengths() -> None:
    dist = length_distribution(resgraph.load("cifar_resnet110"))
    # stem conv and fc always; each of 54 blocks adds 0 or 2 layers
    assert dist.counts == [math.comb(54, (k - 2) // 2) if k % 2 == 0 and k >= 2 else 0
                           for k in range(111)]
    assert (dist.shortest, dist.longest, dist.median, dist.mean) == (2, 110, 56, 56)


def test_resnet50_projection_blocks() -> None:
    dist = length_distribution(resgraph.load("resnet50"))
    assert dist.total == 2 ** 16 and dist.longest == 50
    assert dist.shortest == 2 + 4  # stem, the four projection shortcuts, fc


def test_annotate_paths_matches_output_distribution() -> None:
    graph = resgraph.load("se_resnet50")
    annotate_paths(graph)
    out = graph.nodes[graph.output].meta[PATHS]
    dist = length_distribution(graph)
    assert out == {"count": dist.total, "shortest": dist.shortest, "longest": dist.longest}


def test_power_is_exact() -> None:
    p = [0, 3, 0, 2, 5]
    expected = [1]
    for _ in range(7):
        expected = [sum(expected[i] * p[k - i] for i in range(len(expected)) if 0 <= k - i < len(p))
                    for k in range(len(expected) + len(p) - 1)]
    assert power(p, 7) == expected


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    """Random DAGs of add/mul/concat/conv/relu nodes with a single output reaching everything."""
    n = draw(st.integers(2, 12))
    graph = Graph("random", (1, 4, 4))
    graph.add(Node("n0", "input", (), {}, (1, 4, 4), "stem"))
    for i in range(1, n):
        k = draw(st.integers(1, min(3, i)))
        ins = tuple(draw(st.lists(st.integers(0, i - 1), min_size=k, max_size=k, unique=True)))
        op = draw(st.sampled_from(["add", "mul"])) if len(ins) == 2 else (
            "concat" if len(ins) > 2 else draw(st.sampled_from(["conv", "relu"])))
        graph.add(Node(f"n{i}", op, tuple(f"n{j}" for j in ins), {}, (1, 4, 4), "stem"))
    graph.output = f"n{n - 1}"
    return graph


def _enumerate(graph: Graph, name: str) -> list[list[str]]:
    node = graph.nodes[name]
    if not node.inputs:
        return [[name]]
    return [p + [name] for i in node.inputs for p in _enumerate(graph, i)]


@settings(derandomize=True)
@given(dags())
def test_lengths_equal_brute_force(graph: Graph) -> None:
    paths = _enumerate(graph, graph.output)
    expected = [0] * (max(sum(graph.nodes[v].weighted for v in p) for p in paths) + 1)
    for p in paths:
        expected[sum(graph.nodes[v].weighted for v in p)] += 1
    assert length_distribution(graph).counts == expected


def _brute(graph: Graph, measure) -> list[int]:  # type: ignore[no-untyped-def]
    paths = _enumerate(graph, graph.output)
    values = [measure(p) for p in paths]
    out = [0] * (max(values) + 1)
    for v in values:
        out[v] += 1
    return out


@settings(derandomize=True)
@given(dags())
def test_branches_equal_brute_force(graph: Graph) -> None:
    residual = residual_inputs(graph)
    taken = lambda p: sum(p[i] in residual.get(p[i + 1], ()) for i in range(len(p) - 1))
    assert branch_distribution(graph).counts == _brute(graph, taken)


@settings(derandomize=True)
@given(dags())
def test_gate_routes_equal_brute_force(graph: Graph) -> None:
    gates = gate_inputs(graph)
    taken = lambda p: sum(p[i] in gates.get(p[i + 1], ()) for i in range(len(p) - 1))
    assert gate_distribution(graph).counts == _brute(graph, taken)
    free = [p for p in _enumerate(graph, graph.output) if not taken(p)]
    lengths = [sum(graph.nodes[v].weighted for v in p) for p in free]
    assert length_distribution(graph, gates=False).counts == [
        lengths.count(k) for k in range(max(lengths) + 1)]


@settings(derandomize=True)
@given(dags())
def test_decomposition_equals_plain_dp(graph: Graph) -> None:
    order = relevant_order(graph)
    plain = segment_poly(order, lambda n: int(n.weighted), lambda u, v: 0)
    assert length_distribution(graph).counts == shift(plain, int(order[0].weighted))


@pytest.mark.parametrize("name", ["resnet50_fpn", "deeplabv3_resnet50"])
def test_one_programme_for_several_outputs_equals_each_outputs_decomposition(name: str) -> None:
    graph = resgraph.load(name, image=64)
    weights, edges = (lambda n: int(n.weighted)), (lambda u, v: 0)
    assert output_polynomials(graph, weights, edges) == {
        key: output_polynomial(graph, weights, edges, node)
        for key, node in graph.output_nodes().items()}


def test_residual_branch_is_the_deeper_input() -> None:
    graph = resgraph.load("resnet50")
    residual = residual_inputs(graph)
    assert residual["layer1.0.add1"] == {"layer1.0.bn3"}
    assert residual["layer2.0.add1"] == {"layer2.0.bn3"}  # not the projection shortcut


def test_between_equally_deep_inputs_the_last_is_the_shortcut() -> None:
    graph = Graph("tie", (1, 4, 4))
    for name, op, ins in (("x", "input", ()), ("a", "relu", ("x",)), ("b", "relu", ("x",)),
                          ("s", "add", ("a", "b")), ("t", "add", ("x", "a"))):
        graph.add(Node(name, op, ins, {}, (1, 4, 4), "stem"))
    graph.output = "t"
    assert shortcut_inputs(graph) == {"s": "b", "t": "x"}  # then fewer ops: x before relu(x)


@settings(derandomize=True)
@given(dags())
def test_the_diagram_main_column_takes_the_residual_branch(graph: Graph) -> None:
    residual, main = residual_inputs(graph), main_inputs(graph)
    assert all(main[add] in branches for add, branches in residual.items() if branches)


def test_twelve_hundred_blocks_exact() -> None:
    graph = resgraph.load("cifar_resnet20", n=400)  # 1200 blocks: 2^1200 paths
    dist = branch_distribution(graph)
    assert dist.counts == [math.comb(1200, k) for k in range(1201)]


def _deep(blocks: int) -> Graph:
    """``blocks`` blocks of one 1x1 conv and an identity shortcut: 2^blocks paths."""
    conv = {"kernel": (1, 1), "out": 1, "stride": (1, 1), "pad": (0, 0), "groups": 1,
            "dilation": (1, 1), "bias": False}
    graph = Graph("deep", (1, 1, 1))
    prev = graph.add(Node("input", "input", (), {}, (1, 1, 1), "stem")).name
    for i in range(blocks):
        graph.add(Node(f"b{i}.conv", "conv", (prev,), conv, (1, 1, 1), "stem"))
        prev = graph.add(Node(f"b{i}.add", "add", (f"b{i}.conv", prev), {}, (1, 1, 1),
                              "stem")).name
    graph.output = prev
    return graph


def test_counts_past_python_int_to_str_limit_are_written_safely() -> None:
    blocks = 14_400  # 2^14400 has 4,335 digits; Python prints 4,300 at most by default
    graph = _deep(blocks)
    data = json.loads(json.dumps(analyze_graph(graph).to_json()))
    branches = data["paths"]["branches"]
    assert branches["counts"]["0"] == "1" and branches["counts"]["2"] == str(math.comb(blocks, 2))
    exact = Decimal(2**blocks)
    assert abs(Decimal(branches["total"]) - exact) / exact < Decimal("1e-16")
    assert branches["total"].startswith("6.79105990290650") and branches["total"].endswith("e+4334")
    assert data["paths"]["lengths"]["longest"] == blocks
    text = render_dot(graph, DrawOptions(level="network", annotate=("paths",)))
    assert f"2^{blocks} paths, 0–{blocks} deep" in text


def test_count_text_is_exact_below_the_threshold() -> None:
    assert count_text(EXACT_BELOW - 1) == "9" * 300
    assert count_text(EXACT_BELOW) == "1.0000000000000000e+300"
    assert count_text(2**64, grouping=True) == "18,446,744,073,709,551,616"


# paths through a multiplicative gate (squeeze-excitation), hand-counted -------------------------

HERE = Path(__file__).parent
TINY_SE = HERE / "tiny_se.rg"
TWO_MBCONV = HERE / "two_mbconv.rg"


def test_se_block_paths_by_hand() -> None:
    graph = resgraph.load(TINY_SE)
    assert length_distribution(graph).counts == [0, 0, 1, 1, 0, 1]
    assert length_distribution(graph, gates=False).counts == [0, 0, 1, 1]
    assert branch_distribution(graph).counts == [1, 2]  # the value and the gate route
    assert branch_distribution(graph, gates=False).counts == [1, 1]
    assert gate_distribution(graph).counts == [2, 1]
    assert analyze_graph(graph).paths.nominal_depth == 3


class _TransformerBlock(torch.nn.Module):
    """One pre-norm transformer block over a 4x8x8 map's 64 tokens (ViT's encoder block):
    y = x + MHA(LN(x)), z = y + MLP(LN(y)), the tokens' mean out (no weight after)."""

    def __init__(self) -> None:
        super().__init__()
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(4), torch.nn.LayerNorm(4)
        self.self_attention = torch.nn.MultiheadAttention(4, 2, batch_first=True)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.GELU(),
                                       torch.nn.Linear(8, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(2).transpose(1, 2)
        h = self.ln_1(x)
        y = x + self.self_attention(h, h, h, need_weights=False)[0]
        return (y + self.mlp(self.ln_2(y))).mean(1)


def test_attention_paths_by_hand() -> None:
    # y = x + attention: the shortcut, and the q, k and v routes of two layers each (their
    # projection, the output's): 1 + 3x^2; z = y + MLP: (1 + 3x^2)(1 + x^2)
    graph = resgraph.analyze(_TransformerBlock().eval(), input_shape=(4, 8, 8)).graph
    [attention] = [n for n in graph if n.op == "attention"]
    q, k, _ = attention.inputs
    assert gate_inputs(graph)[attention.name] == frozenset({q, k})
    assert length_distribution(graph).counts == [1, 0, 4, 0, 3]
    # gate-free, the attention weights held: the value route alone, (1 + x^2)(1 + x^2)
    assert length_distribution(graph, gates=False).counts == [1, 0, 2, 0, 1]
    assert gate_distribution(graph).counts == [4, 4]  # each q or k route takes one gate
    assert analyze_graph(graph).paths.nominal_depth == 4


def test_shortcut_only_where_shapes_allow_by_hand() -> None:
    graph = resgraph.load(TWO_MBCONV)
    assert [n.op for n in graph].count("add") == 1
    # 2 + a + b for a in {0, 3, 5}, b in {3, 5}
    assert length_distribution(graph).counts == [0] * 5 + [1, 0, 1, 1, 0, 2, 0, 1]
    assert length_distribution(graph, gates=False).counts == [0] * 5 + [1, 0, 0, 1]
    assert branch_distribution(graph).counts == [2, 4]
    assert branch_distribution(graph, gates=False).counts == [1, 1]
    assert gate_distribution(graph).counts == [2, 3, 1]  # (2 + x)(1 + x)


def test_gate_is_the_deeper_input_of_mul() -> None:
    graph = resgraph.load(TINY_SE)
    assert gate_inputs(graph) == {"layer1.0.se.mul1": frozenset({"layer1.0.se.scale_activation"})}


@pytest.mark.parametrize("name, with_shortcut, without", [
    ("se_resnet50", 16, 0),  # every block: shortcut (identity or projection), value, gate
    ("efficientnet_b0", 9, 7),  # 16 MBConv with SE; the first of each stage has no shortcut
])
def test_gate_routes_on_shipped_networks(name: str, with_shortcut: int, without: int) -> None:
    """Every SE block offers one gate route beside each gate-free route through it: the
    paths by gate routes taken are the coefficients of (2 + x)^a (1 + x)^b."""
    graph = resgraph.load(name)
    gates, free = gate_distribution(graph), length_distribution(graph, gates=False)
    expected = power([2, 1], with_shortcut) if with_shortcut else [1]
    expected = multiply(expected, power([1, 1], without)) if without else expected
    assert gates.counts == expected
    assert gates.counts[0] == free.total == branch_distribution(graph, gates=False).total
    assert gates.total == length_distribution(graph).total == 3**with_shortcut * 2**without
    assert analyze_graph(graph).paths.nominal_depth == 50 == free.longest


def test_gate_free_paths_are_those_of_the_network_without_gates() -> None:
    """Holding every gate constant (its branch removed) leaves the gate-free paths."""
    graph = resgraph.load("efficientnet_b0")
    plain = Graph(graph.name, graph.input_shape)
    for node in graph:
        gates = gate_inputs(graph).get(node.name, frozenset())
        plain.add(Node(node.name, "relu" if gates else node.op,
                       tuple(i for i in node.inputs if i not in gates), node.attrs, node.shape,
                       node.stage))
    plain.output = graph.output
    assert length_distribution(plain).counts == length_distribution(graph, gates=False).counts


def test_paths_command_reports_gate_routes(capsys: pytest.CaptureFixture[str]) -> None:
    from resgraph.cli import main

    assert main(["paths", "se_resnet50"]) == 0
    text = capsys.readouterr().out
    assert "43,046,721 input-to-output paths; nominal depth 50" in text
    assert f"{3**16 - 2**16:,} of them take a gate route (squeeze-excitation), up to 16; " \
           f"{2**16:,} take none" in text
    assert main(["paths", "resnet18"]) == 0
    assert "gate route" not in capsys.readouterr().out
    assert main(["paths", str(TINY_SE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gates"]["counts"] == {"0": "2", "1": "1"} and data["nominal_depth"] == 3
