"""Every analysis of one network in one typed report; the CLI shows it.

A spec is analysed from its IR, with no tensors; a PyTorch model goes through
:func:`resgraph.import_fx.import_fx` first and then through exactly the same passes, so a
spec and a traced model of the same network give the same report. The passes (each in its
own module, each documenting the ``node.meta`` keys it writes): :mod:`.costs`,
:mod:`.conventions`, :mod:`.memory`, :mod:`.receptive`, :mod:`.paths`, :mod:`.gradients`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from resgraph.analysis.conventions import CONVENTIONS, all_counts
from resgraph.analysis.costs import BUFFERS, FLOPS, MACS, PARAMS, annotate_costs
from resgraph.analysis.memory import ACTIVATION_BYTES, DTYPE_BYTES, Memory, annotate_memory
from resgraph.analysis.paths import Distribution, branch_distribution, length_distribution
from resgraph.analysis.receptive import RF, annotate_receptive_fields
from resgraph.errors import UsageError
from resgraph.ir import Graph, Node


class AnalysisError(UsageError):
    """A request the analysis cannot take (a level, a dtype, a batch size, a missing input
    shape); the CLI prints it on one line and exits 2."""


LEVELS = ("network", "stage", "block", "op")


@dataclass(frozen=True)
class CostRow:
    """The costs of one op, block, stage or the whole network."""

    name: str
    level: str
    stage: str
    #: the op kind at op level, the block type at block level, else ""
    kind: str
    macs: int
    flops: int
    params: int
    buffers: int
    activation_bytes: int
    flops_by_op: dict[str, int]


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field of a stage's output, in input pixels, per axis (h, w)."""

    stage: str
    node: str
    size: tuple[int, int]
    stride: tuple[int, int]
    centre: tuple[float, float]


@dataclass(frozen=True)
class Paths:
    lengths: Distribution
    branches: Distribution
    #: weighted layers on the longest path: the depth a network is named after
    nominal_depth: int

    def to_json(self) -> dict[str, Any]:
        return {"nominal_depth": self.nominal_depth, "lengths": self.lengths.to_json(),
                "branches": self.branches.to_json()}


@dataclass
class Report:
    name: str
    input_shape: tuple[int, ...]
    batch: int
    dtype: str
    level: str
    macs: int
    flops: int
    params: int
    buffers: int
    flops_by_op: dict[str, int]
    #: the network's figure under each counter's convention (see resgraph.analysis.conventions)
    conventions: dict[str, int]
    memory: Memory
    receptive_fields: list[ReceptiveField]
    paths: Paths
    rows: list[CostRow]
    graph: Graph = field(repr=False)
    estimated: Any = None  # GradientCurve, with gradients=True
    measured: Any = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "name": self.name, "input_shape": list(self.input_shape), "batch": self.batch,
            "dtype": self.dtype,
            "conventions_used": {"macs": CONVENTIONS["resgraph.macs"][1],
                                 "flops": CONVENTIONS["resgraph.flops"][1]},
            "macs": self.macs, "flops": self.flops, "params": self.params,
            "buffers": self.buffers, "flops_by_op": self.flops_by_op,
            "other_counters": {k: v for k, v in self.conventions.items()
                               if not k.startswith("resgraph.")},
            "memory": self.memory.to_json(),
            "receptive_fields": [{"stage": r.stage, "node": r.node, "size": list(r.size),
                                  "stride": list(r.stride), "centre": list(r.centre)}
                                 for r in self.receptive_fields],
            "paths": self.paths.to_json(),
            "level": self.level,
            "rows": [dict(r.__dict__) for r in self.rows],
        }
        if self.estimated is not None:
            out["gradients_estimated"] = self.estimated.to_json()
        if self.measured is not None:
            out["gradients_measured"] = self.measured.to_json()
        return out


def _row(name: str, level: str, stage: str, kind: str, nodes: list[Node]) -> CostRow:
    by_op: dict[str, int] = {}
    for n in nodes:
        if n.meta[FLOPS]:
            by_op[n.op] = by_op.get(n.op, 0) + n.meta[FLOPS]
    return CostRow(name, level, stage, kind, sum(n.meta[MACS] for n in nodes),
                   sum(n.meta[FLOPS] for n in nodes), sum(n.meta[PARAMS] for n in nodes),
                   sum(n.meta[BUFFERS] for n in nodes),
                   sum(n.meta[ACTIVATION_BYTES] for n in nodes), by_op)


def _group(graph: Graph, key: Callable[[Node], str]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    for n in graph:
        if n.op != "input":
            groups.setdefault(key(n), []).append(n)
    return groups


def cost_rows(graph: Graph, level: str) -> list[CostRow]:
    """Costs at one level; outside blocks, block level shows the stem and head as rows."""
    if level == "network":
        return [_row(graph.name, level, "", "", [n for n in graph if n.op != "input"])]
    if level == "stage":
        return [_row(s, level, s, "", ns) for s, ns in _group(graph, lambda n: n.stage).items()]
    if level == "block":
        groups = _group(graph, lambda n: n.block or n.stage)
        return [_row(b, level, ns[0].stage,
                     graph.blocks[b].type if b in graph.blocks else "", ns)
                for b, ns in groups.items()]
    return [_row(n.name, level, n.stage, n.op, [n]) for n in graph if n.op != "input"]


def receptive_fields(graph: Graph) -> list[ReceptiveField]:
    """The field of the stem's output and of every stage's output."""
    outputs: dict[str, str] = {}
    for n in graph:
        if n.op != "input" and (n.stage == "stem" or n.block is not None):
            outputs[n.stage] = n.name
    fields = []
    for stage, name in outputs.items():
        rf = graph.nodes[name].meta[RF]
        centre = tuple(float(s + (z - 1) / 2) for s, z in zip(rf["start"], rf["size"]))
        fields.append(ReceptiveField(stage, name, rf["size"], rf["stride"], centre))  # type: ignore
    return fields


def analyze_graph(graph: Graph, *, batch: int = 1, dtype: str = "fp32",
                  level: str = "network") -> Report:
    """Every analysis of an IR graph (annotating its nodes as a side effect)."""
    if level not in LEVELS:
        raise AnalysisError(f"level must be one of {', '.join(LEVELS)}, got '{level}'")
    if dtype not in DTYPE_BYTES:
        raise AnalysisError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got '{dtype}'")
    if batch < 1:
        raise AnalysisError(f"batch must be at least 1, got {batch}")
    annotate_costs(graph, batch)
    memory = annotate_memory(graph, batch, dtype)
    annotate_receptive_fields(graph)
    lengths = length_distribution(graph)
    network = cost_rows(graph, "network")[0]
    return Report(graph.name, graph.input_shape, batch, dtype, level, network.macs,
                  network.flops, network.params, network.buffers, network.flops_by_op,
                  all_counts(graph, batch), memory, receptive_fields(graph),
                  Paths(lengths, branch_distribution(graph), lengths.longest),
                  cost_rows(graph, level), graph)


def gradient_curves(report: Report, *, samples: int = 8, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None) -> Report:
    """Add the estimated and the measured gradient-carrying curves to ``report``: they run
    the graph's compiled module on the CPU, its weights and inputs drawn from ``seed``."""
    from resgraph.analysis.gradients import calibrated, estimated_curve, measured_curve
    from resgraph.lower_fx import lower_fx

    graph = report.graph
    module = calibrated(lower_fx(graph, seed=seed), graph.input_shape, seed)
    report.estimated = estimated_curve(graph, module, seed)
    report.measured = measured_curve(graph, module, samples, seed, progress=progress)
    return report
