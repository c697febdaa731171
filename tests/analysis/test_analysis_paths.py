"""Gradient-path distributions: closed forms, per-node annotations, brute force on random DAGs."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

import resgraph
from resgraph.analysis.paths import (
    PATHS,
    annotate_paths,
    branch_distribution,
    length_distribution,
    power,
    relevant_order,
    residual_inputs,
    segment_poly,
    shift,
)
from resgraph.ir import Graph, Node


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
    """Random DAGs of add/concat/conv/relu nodes with a single output reaching everything."""
    n = draw(st.integers(2, 12))
    graph = Graph("random", (1, 4, 4))
    graph.add(Node("n0", "input", (), {}, (1, 4, 4), "stem"))
    for i in range(1, n):
        k = draw(st.integers(1, min(3, i)))
        ins = tuple(draw(st.lists(st.integers(0, i - 1), min_size=k, max_size=k, unique=True)))
        op = "add" if len(ins) == 2 else ("concat" if len(ins) > 2 else draw(
            st.sampled_from(["conv", "relu"])))
        graph.add(Node(f"n{i}", op, tuple(f"n{j}" for j in ins), {}, (1, 4, 4), "stem"))
    graph.output = f"n{n - 1}"
    return graph


def _enumerate(graph: Graph, name: str) -> list[list[str]]:
    node = graph.nodes[name]
    if not node.inputs:
        return [[name]]
    return [p + [name] for i in node.inputs for p in _enumerate(graph, i)]


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


@given(dags())
def test_branches_equal_brute_force(graph: Graph) -> None:
    residual = residual_inputs(graph)
    taken = lambda p: sum(p[i] in residual.get(p[i + 1], ()) for i in range(len(p) - 1))
    assert branch_distribution(graph).counts == _brute(graph, taken)


@given(dags())
def test_decomposition_equals_plain_dp(graph: Graph) -> None:
    order = relevant_order(graph)
    plain = segment_poly(order, lambda n: int(n.weighted), lambda u, v: 0)
    assert length_distribution(graph).counts == shift(plain, int(order[0].weighted))


def test_residual_branch_is_the_deeper_input() -> None:
    graph = resgraph.load("resnet50")
    residual = residual_inputs(graph)
    assert residual["layer1.0.add1"] == {"layer1.0.bn3"}
    assert residual["layer2.0.add1"] == {"layer2.0.bn3"}  # not the projection shortcut


def test_twelve_hundred_blocks_exact() -> None:
    graph = resgraph.load("cifar_resnet20", n=400)  # 1200 blocks: 2^1200 paths
    dist = branch_distribution(graph)
    assert dist.counts == [math.comb(1200, k) for k in range(1201)]
