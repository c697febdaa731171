"""The page of a sweep folder (``resgraph report SWEEP_DIR``): what its journal holds, seen as
pycls shows a design space.

- the counts per status and the sweep's definition (``sweep.json``);
- for every figure the ``ok`` candidates have, its empirical distribution function (the share
  of candidates at or below each value, Radosavovic et al. 2019), on a log axis when the
  values span more than 100x;
- a scatter plot of any two figures (chosen on the page), the Pareto front of the pair marked
  (:func:`resgraph.sweep.summary.pareto_front`, both minimised, precomputed for every pair
  here so the page computes nothing);
- every candidate in a sortable table, a page of rows at a time, linked to its own report
  page where one was written (:func:`candidate_pages` chooses which: the default pair's front
  first).

Like the network page it reads and arranges; every figure is one the sweep recorded.

It scales with what is distinct, not with the candidates: a sweep of 200,000 draws of a
family of a hundred networks is a few megabytes. The journal is read a line at a time and
each record kept slim (no analysis, timings or hash) with its parameters and figures shared
with every equal record's, read once (:func:`read_sweep`); the table's data is columnar, each distinct
row once and a row number per candidate (:func:`table_data`); an EDF has a step per distinct
pixel, which draws the same line as a step per candidate; the scatter draws a point per
occupied pixel cell (the page bins; the front is always drawn whole); the fronts are computed
over distinct figures.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from operator import itemgetter
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
#: the table's rows on one page of it
PAGE_ROWS = 100
#: what the page keeps of a record (the journal's fields up to the last of them are read)
KEPT = ("index", "params", "status", "figures", "error", "duplicate_of")
Record = Mapping[str, Any]


@dataclass(frozen=True)
class Sweep:
    """A sweep folder as read: its definition and the journal's records (slim: :data:`KEPT`)."""

    folder: Path
    definition: dict[str, Any]
    records: list[dict[str, Any]]

    @cached_property
    def ok(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "ok"]


def is_sweep(path: object) -> bool:
    """Whether ``path`` names a sweep folder (one with ``sweep.json``)."""
    return isinstance(path, (str, Path)) and (Path(path) / "sweep.json").is_file()


def read_sweep(folder: str | Path) -> Sweep:
    """The folder's definition and records; a clear error for a folder that is not one."""
    from resgraph.sweep.journal import Fields, iter_journal

    folder = Path(folder)
    try:
        meta = json.loads((folder / "sweep.json").read_text())
        definition = meta["definition"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{folder}/sweep.json is not a sweep's definition") from None
    journal = iter_journal(folder / "results.jsonl", fields=Fields(KEPT[-1]))
    return Sweep(folder, {**definition, "created": meta.get("created"),
                          "engine": meta.get("engine")}, list(slim_records(journal)))


def slim_records(records: Iterable[Record]) -> Iterator[dict[str, Any]]:
    """What the page needs of each record (:data:`KEPT`), equal errors shared by one string
    (equal parameters and figures are shared as the journal is read: ``Fields``), so 200,000
    records of a hundred networks hold a hundred of each."""
    errors: dict[str, str] = {}
    for r in records:
        slim = {k: r.get(k) for k in KEPT}
        if slim["error"] is not None:
            slim["error"] = errors.setdefault(slim["error"], slim["error"])
        yield slim


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def distinct(records: Iterable[Record]) -> list[Record]:
    """The first record of each distinct ``figures`` object (:func:`slim_records` shares
    equal ones), in order: what a front or a figure's name needs to see."""
    first: dict[int, Record] = {}
    for r in records:
        first.setdefault(id(r["figures"]), r)
    return list(first.values())


def figure_names(records: Sequence[Record]) -> list[str]:
    """The numeric figures the records have, in the order the sweep wrote them."""
    seen: dict[str, None] = {}
    for r in distinct(records):
        for name, value in r["figures"].items():
            if _number(value):
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

    firsts = distinct(records)  # of equal figures only the first can be on a front
    return {f"{a}|{b}": [r["index"] for r in pareto_front(firsts, (Objective(a), Objective(b)))]
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
    """The step function through the sorted values: at the i-th smallest, (i + 1) / n; one
    step per distinct pixel column, which draws the same line as one per value (equal or
    nearly equal values rise in one vertical stroke), so a million values are a few
    hundred steps."""
    xs = sorted(values)
    scale = Scale(xs[0], xs[-1])
    n = len(xs)
    counts = [(scale.px(x), sum(1 for _ in run)) for x, run in groupby(xs)]
    steps, below = [], 0
    for px, same in groupby(counts, key=itemgetter(0)):
        at = below + sum(c for _, c in same)
        steps.append(f"{px},{share_px(below / n)} {px},{share_px(at / n)}")
        below = at
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
    from jinja2.utils import htmlsafe_json_dumps

    ok = sweep.ok
    figures = figure_names(ok)
    counts = Counter(r["status"] for r in sweep.records)
    data = {"figures": figures, "pair": default_pair(figures), "fronts": fronts(ok, figures),
            "pages": {str(k): v for k, v in pages.items()},
            "table": table_data(sweep.records, figures), "page_rows": PAGE_ROWS}
    return {
        "title": f"sweep of {sweep.definition['spec'].get('name') or sweep.definition['spec']['file']}",
        "folder": str(sweep.folder), "definition": sweep.definition, "counts": counts,
        "total": len(sweep.records), "figures": figures,
        "edfs": [edf(f, [r["figures"][f] for r in ok if f in r["figures"]]) for f in figures],
        "pair": default_pair(figures), "page_rows": PAGE_ROWS,
        "data": htmlsafe_json_dumps(data, separators=(",", ":")),
        "width": WIDTH, "height": HEIGHT, "plot": (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
    }


def table_data(records: Iterable[Record], figures: Sequence[str]) -> dict[str, Any]:
    """Every candidate of the table, columnar and compact: each distinct row once (status,
    parameters, the duplicate's original, the error's first line and whole text, the
    figures' values and their text), then a row number per candidate in index order, and
    the indices as runs ``[start, count]`` (one run for a whole sweep). The page's script
    unpacks it; 200,000 candidates of a hundred networks are about a megabyte."""
    rows: dict[tuple[Any, ...], int] = {}
    #: the row number of each record's shared parts (:func:`slim_records`), so a row is
    #: made once per distinct row, not per candidate
    made: dict[tuple[Any, ...], int] = {}
    of, indices = [], []
    for r in sorted(records, key=lambda r: r["index"]):
        parts = (r["status"], id(r["params"]), id(r["figures"]), id(r["error"]),
                 r["duplicate_of"])
        code = made.get(parts)
        if code is None:
            code = made[parts] = rows.setdefault(_row(r, figures), len(rows))
        of.append(code)
        indices.append(r["index"])
    return {"rows": [[*row[:5], list(row[5]), list(row[6])] for row in rows], "of": of,
            "runs": runs(indices)}


def _row(r: Record, figures: Sequence[str]) -> tuple[Any, ...]:
    values = tuple(v if _number(v := r["figures"].get(f)) else None for f in figures)
    error = r["error"] or ""
    params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
    return (r["status"], params, r["duplicate_of"] if r["status"] == "duplicate" else None,
            error.split("\n", 1)[0], error, values,
            tuple("" if v is None else si(v) for v in values))


def runs(indices: Sequence[int]) -> list[list[int]]:
    """Sorted indices as runs of consecutive ones: ``[0, 1, 2, 7, 8]`` → ``[[0, 3], [7, 2]]``."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][0] + out[-1][1] == i:
            out[-1][1] += 1
        else:
            out.append([i, 1])
    return out


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
