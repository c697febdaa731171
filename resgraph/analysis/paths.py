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

Which input of an ``add`` is the shortcut is decided structurally, in one place
(:func:`shortcut_inputs`, which the renderer's main column follows too), so traced models get
the same answer as specs: the shortcut is the shallowest input, with the fewest weighted
layers on its longest path from the network input (the block's entry dominates both inputs,
so this equals the comparison from the entry), then the fewest ops; between equals, the last
(specs and torchvision write ``add(residual, shortcut)``). The other inputs are residual
branches. ``concat`` and ``mul`` merge no residual branches.

**Paths through a multiplicative gate.** A path is a product of Jacobian factors, one per
node it passes (Veit et al.). At a ``mul`` such as squeeze-excitation's ``y = x · g(x)``,
``g = σ(f(pool(x)))``, the Jacobian is ``∂y/∂x = diag(g) + diag(x) · ∂g/∂x``: two routes,
both real. The *value route* goes straight through the multiplied input (the factor
``diag(g)``, no weighted layer); the *gate route* goes through the gate branch and carries its
weighted layers (SE's two 1x1 convolutions). So a path may take either input of a ``mul``,
and every distribution here counts both: an SE block triples a block's paths where a
residual block doubles them. Which input is the gated value and which the gate is decided as
for ``add`` (:func:`gate_inputs`): the value is the shallowest input, the others are gates.
The paths that take no gate route (``gates=False``) are the paths of the network read with
every gate held constant; they are the routes Veit et al.'s experiment can choose between,
since it switches only ``add`` inputs (see :mod:`resgraph.analysis.gradients`).
:func:`gate_distribution` counts paths by the gate routes they take: its ``counts[0]`` is the
number of gate-free paths, and ``total − counts[0]`` the paths through some gate.

**Paths through attention.** ``attention(q, k, v) = softmax(q·kᵀ/√d)·v`` is a gate of the
same kind: the attention weights ``A = softmax(q·kᵀ/√d)`` multiply the value as σ
multiplies SE's input. Its Jacobian has a term per input, so a path may enter it by any of
the three: the *value route* through ``v`` (``A`` held, the factor ``A`` itself) and two
*attention routes* through ``q`` and ``k`` (through the softmax). The op multiplies
activations by activations and holds no weight, so it adds no layer to a path's length;
the projections before it and after it do. nn.MultiheadAttention's block (q, k and v each a
linear layer of x, then the output's projection) thus gives every path entering it three
routes of two weighted layers, and its gate-free reading (``gates=False``, the weights held
as Veit et al.'s experiment holds gates) the value route alone: attention's sublayer
with its shortcut has 4 paths (1 + 3x², the shortcut and three routes of two layers) where a
residual block of two layers has 2, and 2 gate-free (1 + x²); a pre-norm transformer block,
attention's sublayer then the MLP's, has (1 + 3x²)(1 + x²)
(``tests/analysis/test_analysis_paths.py::test_attention_paths_by_hand``). Where
``q``, ``k`` and ``v`` are one tensor (``attention(h, h, h)`` of a spec), its three routes
are three edges of one input, all read as the value's: the gate-free reading keeps them.

Counts are exact, but no output prints all the digits of a huge one: :func:`count_text`
writes counts from :data:`EXACT_BELOW` on in scientific notation.

:func:`annotate_paths` writes :data:`~resgraph.analysis.keys.PATHS` on every node;
:func:`annotate_path_distributions` writes :data:`~resgraph.analysis.keys.PATH_LENGTHS`,
:data:`~resgraph.analysis.keys.PATH_BRANCHES` and :data:`~resgraph.analysis.keys.PATH_GATES`
on the graph.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from resgraph.analysis.keys import (
    PATH_BRANCHES,
    PATH_GATES,
    PATH_LENGTHS,
    PATH_LENGTHS_BY_OUTPUT,
    PATHS,
)
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph, Node

Poly = list[int]
NodeExp = Callable[[Node], int]
#: an edge's exponent, or None where paths may not take the edge
EdgeExp = Callable[[str, Node], int | None]


@analysis_pass("paths")
def annotate_paths(graph: Graph) -> None:
    """Path count, shortest and longest length from the input to every node it reaches (a
    learned tensor, ViT's position embedding, is reached by none and gets none)."""
    for node in graph:
        w = int(node.weighted)
        if node.op == "input":
            node.meta[PATHS] = {"count": 1, "shortest": w, "longest": w}
            continue
        ins = [graph.nodes[i].meta[PATHS] for i in node.inputs if PATHS in graph.nodes[i].meta]
        if not ins:
            node.meta.pop(PATHS, None)
            continue
        node.meta[PATHS] = {"count": sum(p["count"] for p in ins),
                            "shortest": w + min(p["shortest"] for p in ins),
                            "longest": w + max(p["longest"] for p in ins)}


def _depths(graph: Graph) -> dict[str, tuple[int, int]]:
    """The longest path from the input to each node it reaches, its own included: (weighted
    layers, ops). A node it does not reach (a learned tensor) has none: an add of one is no
    merge of paths, and none of its inputs a shortcut or a branch."""
    out: dict[str, tuple[int, int]] = {}
    for node in graph:
        reached = [out[i] for i in node.inputs if i in out]
        if reached or node.op == "input":
            w, n = max(reached, default=(0, -1))
            out[node.name] = (w + int(node.weighted), n + 1)
    return out


def shortcut_inputs(graph: Graph) -> dict[str, str]:
    """For every ``add``: its shortcut, the shallowest input, the last of equals (see above)."""
    depth = _depths(graph)
    return {node.name: shallow for node in graph if node.op == "add"
            if (shallow := _shallowest(node, depth)) is not None}


def _shallowest(node: Node, depth: dict[str, tuple[int, int]]) -> str | None:
    reached = [i for i in reversed(node.inputs) if i in depth]
    return min(reached, key=depth.__getitem__) if reached else None


def _deeper_inputs(graph: Graph, op: str) -> dict[str, frozenset[str]]:
    """For every ``op`` node: its inputs other than the shallowest (the last of equals)."""
    depth = _depths(graph)
    out = {}
    for node in graph:
        if node.op == op:
            shallow = _shallowest(node, depth)
            out[node.name] = frozenset(i for i in node.inputs if i != shallow and i in depth)
    return out


def residual_inputs(graph: Graph) -> dict[str, frozenset[str]]:
    """For every ``add``: its inputs that are residual branches (all but the shortcut)."""
    return _deeper_inputs(graph, "add")


def gate_inputs(graph: Graph) -> dict[str, frozenset[str]]:
    """For every ``mul``: its gate inputs, all but the gated value (the shallowest input);
    for every ``attention``: its query and key, the routes through the attention weights
    (see above), but where one is the value's tensor too."""
    gates = _deeper_inputs(graph, "mul")
    for node in graph:
        if node.op == "attention":
            q, k, v = node.inputs[:3]
            gates[node.name] = frozenset({q, k} - {v})
    return gates


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


def relevant_order(graph: Graph, *outputs: str) -> list[Node]:
    """Nodes on some path from the input to one of ``outputs`` (the first output by default),
    in topological order (dead ends, and the parts only another output reads, carry no
    path)."""
    reaches = set(outputs) or {graph.output}
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
    return node_polys(segment, node_exp, edge_exp)[segment[-1].name]


def node_polys(segment: Sequence[Node], node_exp: NodeExp, edge_exp: EdgeExp) -> dict[str, Poly]:
    """The paths from the segment's first node (weight excluded) to each of its nodes: the
    plain dynamic programme."""
    polys: dict[str, Poly] = {segment[0].name: [1]}
    for node in segment[1:]:
        acc: Poly = []
        for i in node.inputs:
            e = edge_exp(i, node) if i in polys else None
            if e is not None:
                acc = add_into(acc, shift(polys[i], e))
        polys[node.name] = shift(acc, node_exp(node))
    return polys


def path_polynomial(graph: Graph, node_exp: NodeExp, edge_exp: EdgeExp) -> Poly:
    """The exact input-to-output path distribution under the given exponents; of a network
    of several outputs, the paths to each output together (a path is one to one output)."""
    total: Poly = []
    for poly in output_polynomials(graph, node_exp, edge_exp).values():
        total = add_into(total, poly)
    return total


def output_polynomials(graph: Graph, node_exp: NodeExp, edge_exp: EdgeExp) -> dict[str, Poly]:
    """Each output's distribution by its key. Of a network of several, one plain dynamic
    programme over the nodes that reach any output gives them all: their long skips and
    merges leave few cuts (an FPN's finest level bypasses all but 13 of its 184 nodes), so
    decomposing for each output again would repeat the whole graph's work per output."""
    outputs = graph.output_nodes()
    if len(outputs) == 1:
        return {key: output_polynomial(graph, node_exp, edge_exp, node)
                for key, node in outputs.items()}
    order = relevant_order(graph, *outputs.values())
    polys, first = node_polys(order, node_exp, edge_exp), node_exp(order[0])
    return {key: shift(polys[node], first) for key, node in outputs.items()}


def output_polynomial(graph: Graph, node_exp: NodeExp, edge_exp: EdgeExp, output: str) -> Poly:
    """The exact distribution of the paths from the input to ``output``."""
    order = relevant_order(graph, output)
    cuts = cut_positions(order)
    groups = Counter(tuple(segment_poly(order[a:b + 1], node_exp, edge_exp))
                     for a, b in pairwise(cuts))
    result = shift([1], node_exp(order[0]))
    for poly, m in sorted(groups.items(), key=lambda g: len(g[0])):
        result = multiply(result, power(list(poly), m))
    return result


# the report -------------------------------------------------------------------------------------


#: counts below this are written with every digit; from it on, in scientific notation
EXACT_BELOW = 10**300
_LOG10_2 = math.log10(2)


def count_text(count: int, grouping: bool = False) -> str:
    """A path count as text: every digit below :data:`EXACT_BELOW` (``,``-grouped with
    ``grouping``), else 17 significant digits in scientific notation
    (``2.8179608796313976e+4515``).

    Counts grow like 2^blocks: past about 14,000 blocks they have more digits than Python
    will print (4,300 by default), and a distribution's exact counts together grow with the
    square of the depth. 17 digits are all a float holds, and below 10^300 every count is a
    float too. Only the leading 20-odd digits are computed, so the last shown digit may be
    off by one where the dropped ones decide a tie.
    """
    if count < EXACT_BELOW:
        return f"{count:,}" if grouping else str(count)
    drop = int(count.bit_length() * _LOG10_2) - 20
    return f"{Decimal(count // 10**drop).scaleb(drop):.16e}"



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
        """Counts as strings (:func:`count_text`): exact decimal digits, which no JSON reader
        rounds, or scientific notation for the huge ones."""
        return {"total": count_text(self.total), "shortest": self.shortest,
                "longest": self.longest, "mean": float(self.mean), "median": self.median,
                "counts": {str(k): count_text(c) for k, c in enumerate(self.counts) if c}}


def _edges(graph: Graph, gates: bool, marked: dict[str, frozenset[str]]) -> EdgeExp:
    """Exponent 1 on the ``marked`` edges, else 0; without ``gates`` no gate edge is taken."""
    gate = {} if gates else gate_inputs(graph)

    def exp(u: str, v: Node) -> int | None:
        if u in gate.get(v.name, ()):
            return None
        return int(u in marked.get(v.name, ()))
    return exp


def length_distribution(graph: Graph, gates: bool = True) -> Distribution:
    """Paths by the number of weighted layers on them; only gate-free ones without ``gates``."""
    return Distribution(path_polynomial(graph, lambda n: int(n.weighted), _edges(graph, gates, {})))


def lengths_by_output(graph: Graph) -> dict[str, Distribution]:
    """Each output's paths by the number of weighted layers on them, for a network of several
    outputs (an auxiliary head's paths are short beside the main one's); empty for one."""
    if len(graph.output_nodes()) < 2:
        return {}
    polys = output_polynomials(graph, lambda n: int(n.weighted), _edges(graph, True, {}))
    return {key: Distribution(poly) for key, poly in polys.items()}


def branch_distribution(graph: Graph, gates: bool = True) -> Distribution:
    """Paths by the number of residual branches they take; only gate-free ones without
    ``gates``."""
    return Distribution(path_polynomial(graph, lambda n: 0,
                                        _edges(graph, gates, residual_inputs(graph))))


def gate_distribution(graph: Graph) -> Distribution:
    """Paths by the number of gate routes they take (``counts[0]``: the gate-free paths)."""
    return Distribution(path_polynomial(graph, lambda n: 0, _edges(graph, True, gate_inputs(graph))))


def nominal_depth(graph: Graph, lengths: Distribution) -> int:
    """The weighted layers on the longest gate-free path: the depth a network is named after
    (SE-ResNet-50's 50; its gate routes reach 82). ``lengths`` is the graph's length
    distribution, the answer where no ``mul`` gates."""
    if not any(gate_inputs(graph).values()):
        return lengths.longest
    return length_distribution(graph, gates=False).longest


@analysis_pass("path_distributions")
def annotate_path_distributions(graph: Graph) -> None:
    """The distributions of the input-to-output paths, on the graph."""
    by_output = lengths_by_output(graph)
    total: Poly = []
    for d in by_output.values():  # a network's paths are each output's together
        total = add_into(total, d.counts)
    graph.meta[PATH_LENGTHS] = Distribution(total) if by_output else length_distribution(graph)
    graph.meta[PATH_BRANCHES] = branch_distribution(graph)
    graph.meta[PATH_GATES] = gate_distribution(graph)
    graph.meta[PATH_LENGTHS_BY_OUTPUT] = by_output
