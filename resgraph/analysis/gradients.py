"""Gradient-weighted paths: estimated from per-branch gains, and measured (Veit et al. 2016).

**Estimate.** Each ``add`` gets the gain of each of its inputs: the norm of the
vector-Jacobian product (``torch.func.vjp``) of the function from the merge's entry (its
immediate dominator) to that input, against a seeded random unit cotangent, evaluated at the
activations of a seeded random input with the module's weights (initialised or loaded). An
identity shortcut has gain 1 exactly. The path recursion of :mod:`resgraph.analysis.paths`
then runs with these gains as edge weights, over the number of residual branches taken: its
``k``-th coefficient, the sum over paths through ``k`` residual branches of the product of
their gains, predicts the gradient those paths carry, without sampling.

**Measurement.** Veit, Wilber, Belongie (NeurIPS 2016), section 5: for each ``k``, send the
gradient through the residual branch of ``k`` randomly chosen merges and through the shortcut
of the rest, and record the gradient's norm at the input. Every ``add`` is replaced by
``m·r + (1−m)·r̄ + (1−m)·s + m·s̄`` (a bar is ``detach``), equal to ``r + s`` in value and
passing the gradient to one input, chosen per sample by ``m``; so all samples of all ``k`` run
as one batched forward and backward (in chunks), BN in eval mode. The gradient carried by
paths through ``k`` branches is the mean norm times the number of such paths (as a share of
all paths, which stays a float however deep the network); the report gives the shortest
range of ``k`` that carries 90 % of the total.

**Gates.** A ``mul`` (squeeze-excitation) is not switched: the gradient through it is its
whole Jacobian, the value route and the gate route together (see
:mod:`resgraph.analysis.paths`), and a branch's gain includes the gates inside it. So both
curves run over the gate-free paths (``gates=False``), each of which stands for itself and
the paths that differ from it only in gate routes: they are the choices of branches the
experiment can make. Counting the gate routes too would count one measured gradient once per
route (2^k times for k SE blocks on the residual branches taken).

Both need the module that ``resgraph.compile`` builds (its FX nodes carry
:data:`~resgraph.analysis.keys.SCOPE`). Every random draw comes from a ``torch.Generator`` of
its own, seeded from ``seed``: the same seed gives the same curves, and torch's global random
state is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx

from resgraph.analysis.keys import SCOPE
from resgraph.analysis.paths import (
    branch_distribution,
    gate_inputs,
    relevant_order,
    residual_inputs,
)
from resgraph.ir import Graph


@dataclass(frozen=True)
class GradientCurve:
    """Gradient carried by paths through ``k`` residual branches, ``k = 0..n``."""

    carried: list[float]
    #: the shortest range of k carrying ``fraction`` of the total
    range90: tuple[int, int]
    #: measured only: mean input-gradient norm of one path through k branches (with the
    #: gate routes that differ from it only at a ``mul``)
    per_path: list[float] | None = None
    samples: int = 0
    seed: int = 0
    #: measured only: the share of the gate-free paths through k branches, which weights
    #: ``per_path`` (all paths, where no ``mul`` gates)
    shares: list[float] | None = None

    def normalised(self) -> list[float]:
        total = sum(self.carried)
        return [c / total for c in self.carried] if total else self.carried

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"carried": self.normalised(), "range90": list(self.range90)}
        if self.per_path is not None:
            out.update(per_path=self.per_path, samples=self.samples, seed=self.seed,
                       shares=self.shares)
        return out


def shortest_range(weights: list[float], fraction: float = 0.9) -> tuple[int, int]:
    """The shortest run of indices whose weights sum to at least ``fraction`` of the total."""
    need = fraction * sum(weights)
    best = (0, len(weights) - 1)
    lo, run = 0, 0.0
    for hi, w in enumerate(weights):
        run += w
        while lo < hi and run - weights[lo] >= need:
            run -= weights[lo]
            lo += 1
        if run >= need and hi - lo < best[1] - best[0]:
            best = (lo, hi)
    return best


def calibrated(gm: fx.GraphModule, input_shape: tuple[int, ...], seed: int = 0,
               batches: int = 4, batch: int = 32) -> fx.GraphModule:
    """A copy whose BN running statistics are averages over seeded random inputs.

    At initialisation they are 0 and 1, which makes eval-mode BN the identity and no trained
    network behaves like that; estimating them as training would (batch statistics) gives the
    residual branches their normalised gains while keeping samples independent in eval mode.
    """
    import copy

    out = copy.deepcopy(gm)
    gen = torch.Generator().manual_seed(seed + 2)
    for m in out.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average
    out.train()
    with torch.no_grad():
        for _ in range(batches):
            out(torch.randn((batch, *input_shape), generator=gen))
    return out.eval()


def _fx_nodes(gm: fx.GraphModule) -> dict[str, fx.Node]:
    nodes = {n.meta[SCOPE]: n for n in gm.graph.nodes if SCOPE in n.meta}
    if not nodes:
        raise ValueError("gradient analyses need a module built by resgraph.compile")
    return nodes


class _ValuesInterpreter(fx.Interpreter):
    """An interpreter that keeps every node's value (``Interpreter`` frees them)."""

    def __init__(self, gm: fx.GraphModule) -> None:
        super().__init__(gm, garbage_collect_values=False)


def _subgraph_fn(gm: fx.GraphModule, env: dict[fx.Node, Any], entry: fx.Node,
                 target: fx.Node) -> Callable[[torch.Tensor], torch.Tensor]:
    """The function from ``entry``'s value to ``target``'s, the rest of the graph held fixed."""
    order = list(gm.graph.nodes)
    pos = {n: i for i, n in enumerate(order)}
    needed = {target}
    for n in reversed(order[pos[entry] + 1:pos[target] + 1]):
        if n in needed:
            needed.update(a for a in n.all_input_nodes if pos[a] > pos[entry])
    body = [n for n in order[pos[entry] + 1:pos[target] + 1] if n in needed]

    def fn(x: torch.Tensor) -> torch.Tensor:
        if not body:
            return x
        interp = _ValuesInterpreter(gm)
        interp.env = dict(env)
        interp.env[entry] = x
        for n in body:
            interp.env[n] = interp.run_node(n)
        return interp.env[target]
    return fn


def _dominators(graph: Graph) -> dict[str, str]:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((i, n.name) for n in graph for i in n.inputs)
    return nx.immediate_dominators(g, graph.input.name)


def branch_gains(graph: Graph, gm: fx.GraphModule, seed: int = 0) -> dict[tuple[str, str], float]:
    """The gain of every ``add`` input edge ``(input, add)``: a VJP norm from a unit cotangent."""
    gen = torch.Generator().manual_seed(seed)
    gm.eval()
    x = torch.randn((1, *graph.input_shape), generator=gen)
    interp = _ValuesInterpreter(gm)
    with torch.no_grad():
        interp.run(x)
    env = interp.env
    fxn = _fx_nodes(gm)
    idom = _dominators(graph)
    gains: dict[tuple[str, str], float] = {}
    for node in graph:
        if node.op != "add":
            continue
        entry = fxn[idom[node.name]]
        for i in node.inputs:
            fn = _subgraph_fn(gm, env, entry, fxn[i])
            out, vjp = torch.func.vjp(fn, env[entry])  # type: ignore[misc]
            g = torch.randn(out.shape, generator=gen)
            (grad,) = vjp(g / g.norm())
            gains[(i, node.name)] = float(grad.detach().norm())
    return gains


def estimated_curve(graph: Graph, gm: fx.GraphModule, seed: int = 0) -> GradientCurve:
    """The gain-weighted recursion over the gate-free paths, by residual branches taken."""
    gains = branch_gains(graph, gm, seed)
    residual, gates = residual_inputs(graph), gate_inputs(graph)
    polys: dict[str, list[float]] = {}
    for node in relevant_order(graph):
        if not node.inputs:
            polys[node.name] = [1.0]
            continue
        acc: list[float] = []
        for i in node.inputs:
            if i not in polys or i in gates.get(node.name, ()):
                continue
            w = gains.get((i, node.name), 1.0)
            shift = int(i in residual.get(node.name, ()))
            p = [0.0] * shift + [w * c for c in polys[i]]
            acc += [0.0] * (len(p) - len(acc))
            for k, c in enumerate(p):
                acc[k] += c
        polys[node.name] = acc
    carried = polys[graph.output]
    return GradientCurve(carried, shortest_range(carried))


# the measured experiment -------------------------------------------------------------------------


def _gated_add(res: torch.Tensor, skip: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    return m * res + (1 - m) * res.detach() + (1 - m) * skip + m * skip.detach()


class _Gated(fx.Interpreter):
    """Runs the module with every residual ``add`` passing the gradient to one input per sample."""

    def __init__(self, gm: fx.GraphModule, gates: dict[fx.Node, tuple[int, torch.Tensor]]) -> None:
        super().__init__(gm)
        self.gates = gates

    def run_node(self, n: fx.Node) -> Any:
        if n in self.gates:
            res_index, m = self.gates[n]
            a, b = (self.env[x] for x in n.args)  # type: ignore[index]
            res, skip = (a, b) if res_index == 0 else (b, a)
            return _gated_add(res, skip, m)
        return super().run_node(n)


def _masks(n: int, samples: int, seed: int) -> torch.Tensor:
    """``(n + 1) · samples`` rows of n gates: row ``k·samples + j`` opens k random branches."""
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for k in range(n + 1):
        for _ in range(samples):
            row = torch.zeros(n)
            row[torch.randperm(n, generator=gen)[:k]] = 1.0
            rows.append(row)
    return torch.stack(rows)


def _chunks(total: int, size: int) -> Iterator[slice]:
    for start in range(0, total, size):
        yield slice(start, min(total, start + size))


def measured_curve(graph: Graph, gm: fx.GraphModule, samples: int = 8, seed: int = 0,
                   chunk: int = 64, progress: Callable[[int, int], None] | None = None
                   ) -> GradientCurve:
    """Veit et al.'s experiment on the module, deterministic for a given ``seed``."""
    gm.eval()
    fxn = _fx_nodes(gm)
    residual = residual_inputs(graph)
    adds = [name for name in residual if residual[name]]
    res_index = {name: graph.nodes[name].inputs.index(next(iter(residual[name]))) for name in adds}
    masks = _masks(len(adds), samples, seed)
    gen = torch.Generator().manual_seed(seed + 1)
    x0 = torch.randn((1, *graph.input_shape), generator=gen)
    norms = torch.empty(len(masks))
    done = 0
    for part in _chunks(len(masks), chunk):
        m = masks[part]
        x = x0.expand(len(m), *graph.input_shape).clone().requires_grad_(True)
        gates = {fxn[a]: (res_index[a], m[:, j].view(-1, *([1] * len(graph.nodes[a].shape))))
                 for j, a in enumerate(adds)}
        out = _Gated(gm, gates).run(x)
        g = torch.randn(out.shape[1:], generator=gen)
        (grad,) = torch.autograd.grad(out, x, (g / g.norm()).expand_as(out))
        norms[part] = grad.flatten(1).norm(dim=1).detach()
        done += len(m)
        if progress:
            progress(done, len(masks))
    per_path = norms.view(len(adds) + 1, samples).mean(dim=1).tolist()
    branches = branch_distribution(graph, gates=False)
    counts = branches.counts + [0] * (len(per_path) - len(branches.counts))
    shares = [c / branches.total for c in counts]
    carried = [s * p for s, p in zip(shares, per_path)]
    return GradientCurve(carried, shortest_range(carried), per_path, samples, seed, shares)


