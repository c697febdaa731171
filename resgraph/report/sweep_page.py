"""The page of a sweep folder (``resgraph report SWEEP_DIR``): what its journal holds, seen as
pycls shows a design space.

- the counts per status and the sweep's definition (``sweep.json``);
- for every figure the ``ok`` candidates have, its empirical distribution function (the share
  of candidates at or below each value, Radosavovic et al. 2019), on a log axis when the
  values span more than 100x;
- a scatter plot of any two figures (chosen on the page), the Pareto front of the pair marked
  (:func:`resgraph.sweep.summary.pareto_front`, both minimised, precomputed for every pair
  here so the page computes nothing);
- every candidate in a sortable table, linked to its own report page where one was written
  (:func:`candidate_pages` chooses which: the default pair's front first).

Like the network page it reads and arranges; every figure is one the sweep recorded.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph.elaborate import elaborate
from resgraph.errors import UsageError
from resgraph.ir import Graph
from resgraph.parse import parse
from resgraph.render.labels import si
from resgraph.report.charts import COLORS, HEIGHT, WIDTH, Chart, Fmt, frame, y_px

#: plot area inside the chart's box, pixels
LEFT, RIGHT, TOP, BOTTOM = 64, 14, 14, 40
Record = Mapping[str, Any]


@dataclass(frozen=True)
class Sweep:
    """A sweep folder as read: its definition and the journal's records."""

    folder: Path
    definition: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def ok(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "ok"]


def is_sweep(path: object) -> bool:
    """Whether ``path`` names a sweep folder (one with ``sweep.json``)."""
    return isinstance(path, (str, Path)) and (Path(path) / "sweep.json").is_file()


def read_sweep(folder: str | Path) -> Sweep:
    """The folder's definition and records; a clear error for a folder that is not one."""
    from resgraph.sweep import read_journal

    folder = Path(folder)
    try:
        meta = json.loads((folder / "sweep.json").read_text())
        definition = meta["definition"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{folder}/sweep.json is not a sweep's definition") from None
    return Sweep(folder, {**definition, "created": meta.get("created"),
                          "engine": meta.get("engine")},
                 read_journal(folder / "results.jsonl"))


def figure_names(records: Sequence[Record]) -> list[str]:
    """The numeric figures the records have, in the order the sweep wrote them."""
    seen: dict[str, None] = {}
    for r in records:
        for name, value in r["figures"].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seen.setdefault(name)
    return list(seen)


def default_pair(figures: Sequence[str]) -> tuple[str, str] | None:
    """What the scatter shows first: MACs against latency where measured, else params."""
    for pair in (("macs", "latency_ms"), ("macs", "params")):
        if all(f in figures for f in pair):
            return pair
    return (figures[0], figures[1]) if len(figures) > 1 else None


def fronts(records: Sequence[Record], figures: Sequence[str]) -> dict[str, list[int]]:
    """The Pareto front (both figures minimised) of every ordered pair, as indices:
    ``"macs|params" → [13, 2, ...]``."""
    from resgraph.sweep.summary import Objective, pareto_front

    return {f"{a}|{b}": [r["index"] for r in pareto_front(records, (Objective(a), Objective(b)))]
            for a in figures for b in figures if a != b}


@dataclass(frozen=True)
class Edf:
    """One figure's empirical distribution function as an SVG polyline."""

    figure: str
    points: str
    ticks: list[tuple[float, str]]
    log: bool
    n: int


def edf(figure: str, values: Sequence[float]) -> Edf:
    """The step function through the sorted values: at the i-th smallest, (i + 1) / n."""
    xs = sorted(values)
    scale = Scale(xs[0], xs[-1])
    n = len(xs)
    steps = []
    for i, x in enumerate(xs):
        px = scale.px(x)
        steps.append(f"{px},{share_px(i / n)} {px},{share_px((i + 1) / n)}")
    return Edf(figure, " ".join(steps), scale.ticks(), scale.log, n)


def edf_chart(figure: str, values: Sequence[float], label: str) -> Chart:
    """The EDF of ``values`` as a chart of its own (the page draws its EDFs in its template):
    shares 0 to 1 up the side, the figure's values along the bottom."""
    e = edf(figure, values)
    return Chart(label, "", ticks=[(share_px(s), f"{s:g}") for s in (0, 0.25, 0.5, 0.75, 1)],
                 xlabels=e.ticks, bottom=HEIGHT - BOTTOM,
                 lines=[{"points": e.points, "color": COLORS[0], "name": label}])


def scatter_chart(xs: Sequence[float], ys: Sequence[float], label: str, fmt: Fmt) -> Chart:
    """Points ``(x, y)``: x on the EDFs' scale (logarithmic past 100x), y from 0."""
    scale = Scale(min(xs), max(xs))
    chart, top = frame(label, "", max(ys), fmt)
    chart.xlabels = scale.ticks()
    chart.marks = [{"x": scale.px(x), "y": y_px(y, top), "text": "", "anchor": "start"}
                   for x, y in zip(xs, ys)]
    return chart


class Scale:
    """Values to x pixels: linear, or logarithmic when they span more than 100x."""

    def __init__(self, lo: float, hi: float) -> None:
        self.log = lo > 0 and hi / lo > 100
        self.lo, self.hi = (math.log10(lo), math.log10(hi)) if self.log else (lo, hi)
        if self.hi == self.lo:
            self.lo, self.hi = self.lo - 1, self.hi + 1

    def px(self, v: float) -> float:
        t = (math.log10(v) if self.log else v) - self.lo
        return round(LEFT + t / (self.hi - self.lo) * (WIDTH - LEFT - RIGHT), 1)

    def ticks(self) -> list[tuple[float, str]]:
        values = [self.lo + (self.hi - self.lo) * k / 4 for k in range(5)]
        return [(self.px(10 ** v if self.log else v), si(10 ** v if self.log else v))
                for v in values]


def share_px(share: float) -> float:
    """The y pixel of a share from 0 to 1 (an EDF's height)."""
    return round(HEIGHT - BOTTOM - share * (HEIGHT - BOTTOM - TOP), 1)


def sweep_context(sweep: Sweep, pages: Mapping[int, str]) -> dict[str, Any]:
    """Everything ``templates/sweep.html.j2`` reads."""
    ok = sweep.ok
    figures = figure_names(ok)
    counts = Counter(r["status"] for r in sweep.records)
    return {
        "title": f"sweep of {sweep.definition['spec'].get('name') or sweep.definition['spec']['file']}",
        "folder": str(sweep.folder), "definition": sweep.definition, "counts": counts,
        "total": len(sweep.records), "figures": figures,
        "edfs": [edf(f, [r["figures"][f] for r in ok if f in r["figures"]]) for f in figures],
        "pair": default_pair(figures), "records": sweep.records, "pages": pages,
        "data": {"figures": figures, "pair": default_pair(figures),
                 "fronts": fronts(ok, figures), "pages": {str(k): v for k, v in pages.items()},
                 "points": [{"i": r["index"], "f": r["figures"], "p": r["params"]} for r in ok]},
        "width": WIDTH, "height": HEIGHT, "plot": (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
    }


def candidate_graph(sweep: Sweep, record: Record) -> Graph:
    """A candidate's network, elaborated again from the spec text the sweep recorded."""
    spec, shape = sweep.definition["spec"], sweep.definition.get("input")
    graph = elaborate(parse(spec["text"], spec["file"]), spec["file"], dict(record["params"]),
                      input_shape=tuple(shape) if shape else None)
    graph.name = f"{graph.name} #{record['index']}"
    return graph


def candidate_pages(sweep: Sweep, limit: int) -> list[dict[str, Any]]:
    """The ``ok`` candidates that get a page of their own, at most ``limit``: the default
    pair's Pareto front first, then the best per figure, then by index."""
    ok = sweep.ok
    figures = figure_names(ok)
    pair = default_pair(figures)
    chosen: dict[int, None] = {}
    if pair:
        chosen.update(dict.fromkeys(fronts(ok, list(pair))[f"{pair[0]}|{pair[1]}"]))
    for f in figures:
        having = [r for r in ok if f in r["figures"]]
        if having:
            chosen.setdefault(min(having, key=lambda r: r["figures"][f])["index"])
    chosen.update(dict.fromkeys(r["index"] for r in ok))
    by_index = {r["index"]: r for r in ok}
    return [by_index[i] for i in list(chosen)[:limit]]
