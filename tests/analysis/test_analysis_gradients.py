"""Gradient curves: deterministic under a seed; decaying per-path gradient at initialisation."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import resgraph
from resgraph.analysis.gradients import (
    branch_gains,
    calibrated,
    estimated_curve,
    measured_curve,
    shortest_range,
)
from resgraph.analysis.paths import residual_inputs
from resgraph.lower_fx import lower_fx


def _module(name: str):  # type: ignore[no-untyped-def]
    graph = resgraph.load(name)
    return graph, calibrated(lower_fx(graph), graph.input_shape, seed=0)


def test_measured_is_deterministic_under_a_seed() -> None:
    graph, module = _module("cifar_resnet20")
    a = measured_curve(graph, module, samples=2, seed=3)
    b = measured_curve(graph, module, samples=2, seed=3)
    c = measured_curve(graph, module, samples=2, seed=4)
    assert a == b and a.per_path != c.per_path
    assert len(a.carried) == 10 and a.samples == 2


def test_per_path_gradient_decays_with_length_at_init() -> None:
    graph, module = _module("cifar_resnet56")
    curve = measured_curve(graph, module, samples=3, seed=0)
    per_path = curve.per_path
    assert per_path is not None
    third = len(per_path) // 3
    assert sum(per_path[:third]) > 10 * sum(per_path[-third:])
    assert all(a >= b for a, b in zip(per_path[::6], per_path[6::6]))
    lo, hi = curve.range90
    assert 0 < lo < hi < 27  # short paths carry the gradient, not the longest ones


def test_estimate_agrees_with_measurement() -> None:
    graph, module = _module("cifar_resnet20")
    est = estimated_curve(graph, module, seed=0)
    meas = measured_curve(graph, module, samples=4, seed=0)
    assert abs(est.range90[0] - meas.range90[0]) <= 1 and abs(est.range90[1] - meas.range90[1]) <= 1
    assert sum(abs(a - b) for a, b in zip(est.normalised(), meas.normalised())) < 0.3


def test_analyze_gradients_needs_a_spec() -> None:
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
    with pytest.raises(resgraph.UsageError, match="need a spec"):
        resgraph.analyze(model, input_shape=(3, 8, 8), gradients=True)


def test_shortest_range() -> None:
    assert shortest_range([0, 1, 8, 1, 0]) == (1, 2)
    assert shortest_range([1, 1, 8, 1, 1]) == (0, 3)
    assert shortest_range([0, 0, 10, 0]) == (2, 2)
    assert shortest_range([5, 5]) == (0, 1)


def test_analyze_with_gradients_is_reproducible_and_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    runs = [resgraph.analyze("cifar_resnet20", gradients=True, samples=1, seed=0).to_json()
            for _ in range(2)]
    assert torch.equal(torch.get_rng_state(), state)
    assert runs[0] == runs[1] and "gradients_measured" in runs[0]


def test_gate_routes_are_not_counted_twice() -> None:
    """One SE block on the residual branch: the branch's gain already includes both routes
    through the gate, so the curve has one term per choice of branches, not one per route."""
    graph = resgraph.load(Path(__file__).parent / "tiny_se.rg")
    module = calibrated(lower_fx(graph), graph.input_shape, seed=0)
    gains = branch_gains(graph, module, seed=0)
    (add,) = residual_inputs(graph)
    (res,) = residual_inputs(graph)[add]
    est = estimated_curve(graph, module, seed=0)
    assert est.carried == pytest.approx([1.0, gains[(res, add)]])
    meas = measured_curve(graph, module, samples=2, seed=0)
    assert meas.per_path is not None and len(meas.carried) == 2
    # one gate-free path through each k: the share is 1/2 each, not 1/3 and 2/3
    assert meas.carried == pytest.approx([p / 2 for p in meas.per_path])
