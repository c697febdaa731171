"""Every analysis of one network in one typed report; the CLI shows it.

A spec is analysed from its IR, with no tensors; a PyTorch model goes through
:func:`resgraph.import_fx.import_fx` first and then through exactly the same passes, so a
spec and a traced model of the same network give the same report. The passes run in the
order of :data:`PASSES`, each in its own module; the report only reads what they wrote under
the keys of :mod:`resgraph.analysis.keys`. The gradient curves (:mod:`.gradients`) run the
compiled module, so they are added on request by :func:`gradient_curves`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from resgraph import cache
from resgraph.analysis import keys
from resgraph.analysis.conventions import CONVENTIONS, annotate_conventions
from resgraph.analysis.costs import annotate_costs
from resgraph.analysis.memory import DTYPE_BYTES, Memory, annotate_memory
from resgraph.analysis.passes import ensure
from resgraph.analysis.paths import Distribution, annotate_path_distributions, nominal_depth
from resgraph.analysis.receptive import annotate_receptive_fields
from resgraph.errors import UsageError, unknown
from resgraph.ir import LEVELS, Graph, Node

#: the passes of a report, in the order they run
PASSES = (annotate_costs, annotate_conventions, annotate_memory, annotate_receptive_fields,
          annotate_path_distributions)


class AnalysisError(UsageError):
    """A request the analysis cannot take (a level, a dtype, a batch size, a missing input
    shape); the CLI prints it on one line and exits 2."""



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
    #: weighted layers on the longest gate-free path: the depth a network is named after
    nominal_depth: int
    #: paths by the gate routes they take (squeeze-excitation; resgraph.analysis.paths)
    gates: Distribution

    def to_json(self) -> dict[str, Any]:
        return {"nominal_depth": self.nominal_depth, "lengths": self.lengths.to_json(),
                "branches": self.branches.to_json(), "gates": self.gates.to_json()}


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
    #: each output's path lengths, for a network of several outputs
    paths_by_output: dict[str, Distribution] = field(default_factory=dict)
    #: a network with training outputs (``output training``): the report of the whole
    #: graph in training mode, its auxiliary heads counted; this report is the eval network's
    training: Report | None = None

    def training_json(self) -> dict[str, Any]:
        """The figures that differ in training: costs, parameters, and the paths to each
        output (an auxiliary head's are shorter: the reason it is there)."""
        paths = self.paths_by_output or {"output": self.paths.lengths}
        return {"macs": self.macs, "flops": self.flops, "params": self.params,
                "buffers": self.buffers,
                "paths_by_output": {k: d.to_json() for k, d in paths.items()}}

    @property
    def module_params(self) -> dict[str, Any] | None:
        """An imported model's parameters: the module's ``total``, the ``traced`` count the
        figures use, and the submodules ``not_reached`` by the trace; None for a spec."""
        found = self.graph.meta.get(keys.MODULE_PARAMS)
        return None if found is None else {**found, "traced": self.params}

    def to_json(self) -> dict[str, Any]:
        out = {
            "name": self.name, "input_shape": list(self.input_shape), "batch": self.batch,
            "dtype": self.dtype,
            "conventions_used": {"macs": CONVENTIONS[keys.MACS][1],
                                 "flops": CONVENTIONS[keys.FLOPS][1]},
            "macs": self.macs, "flops": self.flops, "params": self.params,
            "buffers": self.buffers, "flops_by_op": self.flops_by_op,
            "other_counters": {k: v for k, v in self.conventions.items()
                               if k not in (keys.MACS, keys.FLOPS)},
            "memory": self.memory.to_json(),
            "receptive_fields": [{"stage": r.stage, "node": r.node, "size": list(r.size),
                                  "stride": list(r.stride), "centre": list(r.centre)}
                                 for r in self.receptive_fields],
            "paths": self.paths.to_json(),
            "level": self.level,
            "rows": [dict(r.__dict__) for r in self.rows],
        }
        if self.paths_by_output:
            out["paths_by_output"] = {k: d.to_json() for k, d in self.paths_by_output.items()}
        if self.training is not None:
            out["training"] = self.training.training_json()
        if any(keys.CALLED in n.meta for n in self.graph):  # an imported model
            out["uncounted_ops"] = [{"op": op, "count": len(names), "nodes": names}
                                    for op, names in uncounted_ops(self.graph).items()]
        if self.module_params is not None:
            out["module_params"] = self.module_params
        if self.estimated is not None:
            out["gradients_estimated"] = self.estimated.to_json()
        if self.measured is not None:
            out["gradients_measured"] = self.measured.to_json()
        return out


def _row(name: str, level: str, stage: str, kind: str, nodes: list[Node]) -> CostRow:
    by_op: dict[str, int] = {}
    for n in nodes:
        if n.meta[keys.FLOPS]:
            by_op[n.op] = by_op.get(n.op, 0) + n.meta[keys.FLOPS]

    def total(key: str) -> int:
        return sum(n.meta[key] for n in nodes)

    return CostRow(name, level, stage, kind, total(keys.MACS), total(keys.FLOPS),
                   total(keys.PARAMS), total(keys.BUFFERS), total(keys.ACTIVATION_BYTES), by_op)


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


def uncounted_ops(graph: Graph) -> dict[str, list[str]]:
    """The ops of an imported model that resgraph cannot count (``opaque`` nodes): what was
    called (``GELU``, ``F.interpolate``) → the nodes, by module path, in graph order."""
    found: dict[str, list[str]] = {}
    for n in graph:
        if n.op == "opaque":
            found.setdefault(n.attrs["target"], []).append(n.name)
    return found


def uncounted_text(found: dict[str, list[str]], shown: int = 3) -> str:
    """``GELU ×12 (encoder.0.mlp.1, …); F.interpolate ×1 (decoder.up1)``: one line."""
    def one(target: str, names: list[str]) -> str:
        more = ", …" if len(names) > shown else ""
        return f"{target} ×{len(names)} ({', '.join(names[:shown])}{more})"
    return "; ".join(one(t, ns) for t, ns in found.items())


def receptive_fields(graph: Graph) -> list[ReceptiveField]:
    """The field of the stem's output and of every stage's output."""
    outputs: dict[str, str] = {}
    for n in graph:
        if n.op != "input" and (n.stage == "stem" or n.block is not None):
            outputs[n.stage] = n.name
    fields = []
    for stage, name in outputs.items():
        rf = graph.nodes[name].meta[keys.RF]
        centre = tuple(float(s + (z - 1) / 2) for s, z in zip(rf["start"], rf["size"]))
        fields.append(ReceptiveField(stage, name, rf["size"], rf["stride"], centre))  # type: ignore
    return fields


def analyze_graph(graph: Graph, *, batch: int = 1, dtype: str = "fp32",
                  level: str = "network") -> Report:
    """Every analysis of an IR graph: the :data:`PASSES` whose results on ``graph`` are not
    already those of ``batch`` and ``dtype`` run (annotating its nodes), then the report
    reads their results.

    A graph that elaboration keyed by its content (:attr:`Graph.key`) and that holds no
    results yet is analysed once per key and settings: later graphs of the same key get the
    same results written onto their nodes, and a report of their own."""
    _check(batch, dtype, level)
    if graph.key is None or graph.meta:
        return _analyze(graph, batch, dtype, level)
    kept = _ANALYSED.get((graph.key, batch, dtype, level),
                         lambda: _Analysed.of(_analyze(graph, batch, dtype, level)))
    return kept.onto(graph)


def _analyze(graph: Graph, batch: int, dtype: str, level: str) -> Report:
    for analysis in PASSES:
        ensure(graph, analysis, batch=batch, dtype=dtype)
    lengths: Distribution = graph.meta[keys.PATH_LENGTHS]
    network = cost_rows(graph, "network")[0]
    return Report(graph.name, graph.input_shape, batch, dtype, level, network.macs,
                  network.flops, network.params, network.buffers, network.flops_by_op,
                  dict(graph.meta[keys.COUNTERS]), graph.meta[keys.MEMORY], receptive_fields(graph),
                  Paths(lengths, graph.meta[keys.PATH_BRANCHES], nominal_depth(graph, lengths),
                        graph.meta[keys.PATH_GATES]),
                  cost_rows(graph, level), graph,
                  paths_by_output=graph.meta[keys.PATH_LENGTHS_BY_OUTPUT],
                  training=None if graph.training is None
                  else analyze_graph(graph.training, batch=batch, dtype=dtype))


@dataclass(frozen=True)
class _Analysed:
    """A report and the results its passes wrote, by node, to be written onto another graph
    of the same key; the results are values no reader changes."""

    report: Report
    nodes: list[dict[str, Any]]
    graph: dict[str, Any]

    @staticmethod
    def of(report: Report) -> _Analysed:
        graph = report.graph
        return _Analysed(report, [dict(n.meta) for n in graph], dict(graph.meta))

    def onto(self, graph: Graph) -> Report:
        for node, meta in zip(graph, self.nodes):
            node.meta.update(meta)
        graph.meta.update(self.graph)
        graph.meta[keys.RAN_WITH] = {k: dict(v) for k, v in self.graph[keys.RAN_WITH].items()}
        r = self.report
        # the one row named by the graph: a sweep's candidates of one key have their own names
        rows = [replace(row, name=graph.name) if row.level == "network" else row for row in r.rows]
        return replace(r, name=graph.name, flops_by_op=dict(r.flops_by_op), conventions=dict(r.conventions),
                       receptive_fields=list(r.receptive_fields), rows=rows, graph=graph)


#: analyses by (graph key, batch, dtype, level)
_ANALYSED: cache.Memo[_Analysed] = cache.Memo("analysed", 128)


def _check(batch: int, dtype: str, level: str) -> None:
    if level not in LEVELS:
        raise AnalysisError(unknown("level", level, LEVELS))
    if dtype not in DTYPE_BYTES:
        raise AnalysisError(unknown("dtype", dtype, DTYPE_BYTES))
    if batch < 1:
        raise AnalysisError(f"batch must be at least 1, got {batch}")


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
