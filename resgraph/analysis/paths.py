"""Gradient paths (Veit, Wilber, Belongie 2016): exact path-length distributions of the DAG.

A network's input-to-output paths are counted by length, where length counts the weighted
layers (conv and linear) on the path, and separately by the number of residual branches
taken. Counts are exact Python integers, computed by dynamic programming over the
topological order, never by enumerating paths.

A distribution is a polynomial ``Σ c_k x^k`` held as its coefficient list (``c_k`` paths of
length ``k``). Every node ``v`` gets ``P(v) = x^{w(v)} · Σ_{u→v} x^{e(u,v)} P(u)``: for
lengths ``w`` is 1 on weighted layers and ``e`` is 0; for branches ``w`` is 0 and ``e`` is 1
on the edge from an ``add``'s residual-branch input. Doing this per node costs O(n²) big-int
additions, too slow for 10,000 blocks, so :func:`path_polynomial` first cuts the graph at its
articulation nodes (nodes every path passes through: single-entry single-exit blocks in
series), computes each segment's small polynomial, groups equal segments and raises each to
its multiplicity in closed form (J.C.P. Miller's recurrence for the power of a polynomial,
exact in integers), and multiplies the few results. A graph with no cut nodes is one segment:
the plain DP, which handles any DAG (nested shortcuts, multi-branch blocks, concatenation).

Which input of an ``add`` is the residual branch is decided structurally, so traced models
get the same answer as specs: the shortcut is the input with the shortest longest weighted
path from the network input (the block's entry dominates both inputs, so this equals the
comparison from the entry); the others are residual branches. ``concat`` and ``mul`` merge
no residual branches.

:func:`annotate_paths` writes on every node:

``resgraph.paths``  ``{"count": int, "shortest": int, "longest": int}``: the input-to-node
                    paths and their shortest and longest lengths in weighted layers (the
                    node's own weight included)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from resgraph.ir import Graph, Node

PATHS = "resgraph.paths"

Poly = list[int]
NodeExp = Callable[[Node], int]
EdgeExp = Callable[[str, Node], int]


def annotate_paths(graph: Graph) -> None:
    """Path count, shortest and longest length from the input to every node."""
    for node in graph:
        w = int(node.weighted)
        if not node.inputs:
            node.meta[PATHS] = {"count": 1, "shortest": w, "longest": w}
            continue
        ins = [graph.nodes[i].meta[PATHS] for i in node.inputs]
        node.meta[PATHS] = {"count": sum(p["count"] for p in ins),
                            "shortest": w + min(p["shortest"] for p in ins),
                            "longest": w + max(p["longest"] for p in ins)}


def longest_weighted(graph: Graph) -> dict[str, int]:
    """The longest weighted path from the input to each node, its own weight included."""
    out: dict[str, int] = {}
    for node in graph:
        out[node.name] = int(node.weighted) + max((out[i] for i in node.inputs), default=0)
    return out


def residual_inputs(graph: Graph) -> dict[str, frozenset[str]]:
    """For every ``add``: its inputs that are residual branches (all but the shortcut)."""
    depth = longest_weighted(graph)
    out: dict[str, frozenset[str]] = {}
    for node in graph:
        if node.op == "add":
            shortcut = min(node.inputs, key=lambda i: depth[i])
            out[node.name] = frozenset(i for i in node.inputs if i != shortcut)
    return out


# polynomial arithmetic on exact integer coefficients ---------------------------------------------


def multiply(p: Poly, q: Poly) -> Poly:
    if len(p) < len(q):
        p, q = q, p
    out = [0] * (len(p) + len(q) - 1)
    for j, b in enumerate(q):
        if b:
            for i, a in enumerate(p):
                out[i + j] += a * b
    return out


def power(p: Poly, m: int) -> Poly:
    """``p**m`` in O(m · deg(p)²) coefficient operations (Miller's recurrence), exactly.

    With ``p = x^s · q`` and ``q_0 ≠ 0``, the coefficients ``r_k`` of ``q^m`` obey
    ``k q_0 r_k = Σ_{j=1..min(k,d)} ((m + 1) j − k) q_j r_{k−j}``, and the division is exact.
    """
    shift = next(i for i, c in enumerate(p) if c)
    q = p[shift:]
    while q and q[-1] == 0:
        q.pop()
    d = len(q) - 1
    r = [q[0] ** m]
    for k in range(1, m * d + 1):
        acc = sum(((m + 1) * j - k) * q[j] * r[k - j] for j in range(1, min(k, d) + 1) if q[j])
        r.append(acc // (k * q[0]))
    return [0] * (shift * m) + r


def shift(p: Poly, k: int) -> Poly:
    return [0] * k + p if k else p


def add_into(acc: Poly, p: Poly) -> Poly:
    if len(acc) < len(p):
        acc = acc + [0] * (len(p) - len(acc))
    for i, c in enumerate(p):
        acc[i] += c
    return acc


# decomposition at articulation nodes --------------------------------------------------------------


def relevant_order(graph: Graph) -> list[Node]:
    """Nodes on some input-to-output path, in topological order (dead ends carry no path)."""
    reaches = {graph.output}
    for node in reversed(list(graph)):
        if node.name in reaches:
            reaches.update(node.inputs)
    return [n for n in graph if n.name in reaches]


def cut_positions(order: Sequence[Node]) -> list[int]:
    """Positions of the nodes every path passes through: those no edge jumps over."""
    pos = {n.name: i for i, n in enumerate(order)}
    cover = [0] * (len(order) + 1)
    for n in order:
        for source in n.inputs:
            a, b = pos[source], pos[n.name]
            if b - a > 1:
                cover[a + 1] += 1
                cover[b] -= 1
    cuts, running = [], 0
    for i in range(len(order)):
        running += cover[i]
        if running == 0:
            cuts.append(i)
    return cuts


def segment_poly(segment: Sequence[Node], node_exp: NodeExp, edge_exp: EdgeExp) -> Poly:
    """The paths from the segment's first node (weight excluded) to its last (included)."""
    polys: dict[str, Poly] = {segment[0].name: [1]}
    for node in segment[1:]:
        acc: Poly = []
        for i in node.inputs:
            if i in polys:
                acc = add_into(acc, shift(polys[i], edge_exp(i, node)))
        polys[node.name] = shift(acc, node_exp(node))
    return polys[segment[-1].name]


def path_polynomial(graph: Graph, node_exp: NodeExp, edge_exp: EdgeExp) -> Poly:
    """The exact input-to-output path distribution under the given exponents."""
    order = relevant_order(graph)
    cuts = cut_positions(order)
    groups = Counter(tuple(segment_poly(order[a:b + 1], node_exp, edge_exp))
                     for a, b in pairwise(cuts))
    result = shift([1], node_exp(order[0]))
    for poly, m in sorted(groups.items(), key=lambda g: len(g[0])):
        result = multiply(result, power(list(poly), m))
    return result


# the report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """Exact counts: ``counts[k]`` paths of length ``k``."""

    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shortest(self) -> int:
        return next(k for k, c in enumerate(self.counts) if c)

    @property
    def longest(self) -> int:
        return len(self.counts) - 1

    @property
    def mean(self) -> Fraction:
        return Fraction(sum(k * c for k, c in enumerate(self.counts)), self.total)

    @property
    def median(self) -> int:
        """The smallest length with at least half the paths at or below it."""
        run, half = 0, Fraction(self.total, 2)
        for k, c in enumerate(self.counts):
            run += c
            if run >= half:
                return k
        raise ValueError("empty distribution")

    def to_json(self) -> dict[str, object]:
        return {"total": str(self.total), "shortest": self.shortest, "longest": self.longest,
                "mean": float(self.mean), "median": self.median,
                "counts": {str(k): str(c) for k, c in enumerate(self.counts) if c}}


def length_distribution(graph: Graph) -> Distribution:
    """Paths by the number of weighted layers on them."""
    return Distribution(path_polynomial(graph, lambda n: int(n.weighted), lambda u, v: 0))


def branch_distribution(graph: Graph) -> Distribution:
    """Paths by the number of residual branches they take."""
    residual = residual_inputs(graph)
    return Distribution(path_polynomial(
        graph, lambda n: 0, lambda u, v: int(u in residual.get(v.name, ()))))
