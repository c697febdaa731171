"""What the page shows, gathered from one analysed graph and the optional bench and profile
files, then rendered by the Jinja2 template ``templates/page.html.j2``.

Every figure is one an analysis pass wrote (under :mod:`resgraph.analysis.keys`) or one
bench or profile measured; this module arranges them into tables, chart geometry
(:mod:`.charts`), the diagram's levels (:mod:`.diagram`) and the JSON the page's script
reads. Nothing here counts, measures or estimates anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resgraph.analysis import keys
from resgraph.analysis.conventions import CONVENTIONS
from resgraph.analysis.memory import live_bytes
from resgraph.analysis.report import CostRow, Report, cost_rows
from resgraph.render.labels import si
from resgraph.report import charts
from resgraph.report.diagram import DEFAULT_LEVEL, Sources, levels, line_links, search_index
from resgraph.report.inputs import Bench, Profile


def size(v: float) -> str:
    """Bytes in binary units, three significant digits: ``97.5 MiB``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if v >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.0f} B"


def percent(v: float) -> str:
    return f"{v:.3g}%"


@dataclass(frozen=True)
class Extras:
    """What was measured elsewhere and given to the page: bench and TensorRT profile."""

    bench: Bench | None = None
    profile: Profile | None = None


def context(report: Report, extras: Extras) -> dict[str, Any]:
    """Everything the template reads."""
    graph = report.graph
    sources = Sources(graph)
    level_list = levels(graph, sources, batch=report.batch,
                        times=extras.profile.values() if extras.profile else None)
    stage_rows = cost_rows(graph, "stage")
    links = line_links(level_list)
    return {
        "r": report, "title": graph.summary or graph.name, "figures": figures(report, extras),
        "conventions": conventions(report), "stages": stage_rows,
        "blocks": [r for r in cost_rows(graph, "block") if r.name in graph.blocks],
        "charts": [stage_chart(stage_rows), memory_chart(report), field_chart(report),
                   path_chart(report)],
        "levels": level_list, "default_level": DEFAULT_LEVEL,
        "bench": extras.bench, "profile": extras.profile,
        "sources": [(i, name, lines) for i, (name, lines) in enumerate(sources.files.items())],
        "params": graph.params, "notes": graph.notes,
        "linked": {key for table in links.values() for key in table},
        "data": {"units": {lv.name: lv.units for lv in level_list},
                 "links": links, "search": search_index(level_list),
                 "files": list(sources.files), "level": DEFAULT_LEVEL},
    }


def figures(r: Report, extras: Extras) -> list[tuple[str, str, str]]:
    """(what, figure, how it is counted) at the top of the page."""
    lengths = r.paths.lengths
    out = [("MACs", si(r.macs), "multiply-accumulates of conv and linear"),
           ("FLOPs", si(r.flops), "every floating-point operation once"),
           ("parameters", si(r.params), size(r.memory.param_bytes) + " " + r.dtype),
           ("activations", size(r.memory.activation_bytes), "every op's output, summed"),
           ("peak memory", size(r.memory.peak_bytes), "live at " + r.memory.peak_at),
           ("depth", str(r.paths.nominal_depth), "weighted layers on the longest path"),
           ("paths", _count(lengths.total),
            f"lengths {lengths.shortest}–{lengths.longest}, median {lengths.median}"),
           *[(f"paths to {key}", _count(d.total),
              f"lengths {d.shortest}–{d.longest}, median {d.median}")
             for key, d in r.paths_by_output.items()],
           ("receptive field", "x".join(map(str, r.receptive_fields[-1].size))
            if r.receptive_fields else "-", "input pixels seen by one output pixel"),
           *_training(r.training)]
    if extras.profile:
        out.append(("TensorRT", f"{extras.profile.total_ms:.3g} ms",
                    "per inference, " + extras.profile.engine))
    return out


def _training(t: Report | None) -> list[tuple[str, str, str]]:
    """A network with training outputs: the figures above are in eval; these in training."""
    if t is None:
        return []
    return [("MACs in training", si(t.macs), "with the training-only heads"),
            ("parameters in training", si(t.params), "every parameter the module holds"),
            *[(f"paths to {key} in training", _count(d.total),
               f"lengths {d.shortest}–{d.longest}, median {d.median}")
              for key, d in t.paths_by_output.items()]]


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**6 else f"{n:.3g}".replace("e+", "e")


def conventions(r: Report) -> list[tuple[str, int, str, str]]:
    names = {keys.MACS: "resgraph MACs", keys.FLOPS: "resgraph FLOPs"}
    return [(names.get(name, name), v, CONVENTIONS[name][1],
             f"{v / r.macs:.4f}" if r.macs else "-") for name, v in r.conventions.items()]


# charts --------------------------------------------------------------------------------------


def stage_chart(rows: list[CostRow]) -> charts.Chart:
    """Each stage's share of MACs and of parameters, side by side."""
    macs, params = (sum(getattr(r, k) for r in rows) or 1 for k in ("macs", "params"))
    shares = [("MACs", [100 * r.macs / macs for r in rows]),
              ("params", [100 * r.params / params for r in rows])]
    tips = [[f"{r.name}: {r.macs:,} MACs" for r in rows],
            [f"{r.name}: {r.params:,} parameters" for r in rows]]
    return charts.bars("MACs and parameters per stage", "share of the network's total",
                       [r.name for r in rows], shares, percent, tips)


def memory_chart(r: Report) -> charts.Chart:
    """Bytes live while each op runs, in execution order, the peak ringed."""
    graph = r.graph
    curve = live_bytes(graph)
    names = list(graph.nodes)
    return charts.curve("activation memory along execution order",
                        f"bytes live while each op runs, batch {r.batch}, {r.dtype}", curve,
                        size, labels=_stage_starts([graph.nodes[n].stage for n in names]),
                        mark=names.index(r.memory.peak_at),
                        mark_text=f"peak {size(r.memory.peak_bytes)} at {r.memory.peak_at}")


def field_chart(r: Report) -> charts.Chart:
    """The receptive field's side after the stem and after every block."""
    graph = r.graph
    outs = [n.name for n in graph if n.stage == "stem"][-1:] + \
        [b.output for b in graph.blocks.values()]
    if len(outs) < 2:
        outs = [n.name for n in graph if n.op != "input"]
    nodes = [graph.nodes[n] for n in outs]
    return charts.curve("receptive field growth",
                        "input pixels one output pixel sees (height), after the stem and "
                        "each block", [n.meta[keys.RF]["size"][0] for n in nodes],
                        lambda v: f"{v:.0f}", labels=_stage_starts([n.stage for n in nodes]))


def _stage_starts(stages: list[str]) -> list[tuple[int, str]]:
    return [(i, s) for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s]


def path_chart(r: Report) -> charts.Chart:
    """Paths by residual branches taken (Veit et al.), and the gradient they carry when the
    gradient curves were asked for, on the same scale (shares of their totals)."""
    counts = r.paths.branches.counts
    shares = [c / sum(counts) for c in counts]
    tips = [f"k={k}: {_count(c)} paths ({s:.3g})" for k, (c, s) in enumerate(zip(counts, shares))]
    caption = "share of input-to-output paths through k residual branches"
    if r.measured is not None and r.measured.shares and r.paths.gates.longest:
        # the curves are over the gate-free paths (resgraph.analysis.gradients): so the bars
        shares = r.measured.shares
        tips = [f"k={k}: {s:.3g} of the gate-free paths" for k, s in enumerate(shares)]
        caption = ("share of the gate-free input-to-output paths (every gate held constant) "
                   "through k residual branches")
    curves = [(name, c.normalised()) for name, c in
              (("gradient, estimated", r.estimated), ("gradient, measured", r.measured)) if c]
    high = max([*shares, *(v for _, vs in curves for v in vs)])
    chart = charts.bars("path-length distribution", caption,
                        [str(k) if _labelled(k, len(shares)) else "" for k in range(len(shares))],
                        [("paths", shares)], lambda v: f"{v:.2g}", [tips], high=high)
    if curves:
        chart.legend = [("paths", charts.COLORS[0])]
    for i, (name, values) in enumerate(curves):
        charts.line(chart, name, values, charts.ticks(high)[-1], charts.COLORS[1 + i])
    return chart


def _labelled(k: int, n: int) -> bool:
    """Every label when few, about ten evenly spaced when many."""
    return n <= 20 or k % max(1, n // 10) == 0
