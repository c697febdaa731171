"""What a sweep's journal says at the end: counts per status, the best candidate per figure,
and the Pareto front of two figures. Read from the records alone, so it is the same after a
resume as after one run; and read one record at a time (:class:`Tally`, :class:`Front`), so
the driver of a sweep of millions keeps only the counts, the best and the front, never the
records."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from resgraph.errors import UsageError, unknown
from resgraph.sweep.figures import ANALYSIS

STATUSES = ("ok", "rejected", "duplicate", "error")
#: the figures the summary ranks by default, smaller being better, when a record has them
BEST = ("macs", "params", "activation_peak", "latency_ms")
#: bench figures, known before a bench runs (for ``--pareto``)
BENCH_FIGURES = ("latency_ms", "latency_p90_ms", "latency_min_ms", "throughput")


@dataclass(frozen=True)
class Objective:
    """A figure and its direction: ``macs`` is minimised, ``max:accuracy`` maximised."""

    figure: str
    maximise: bool = False

    def key(self, rec: Mapping[str, Any]) -> float:
        v = rec["figures"][self.figure]
        return -v if self.maximise else v

    def __str__(self) -> str:
        return ("max:" if self.maximise else "") + self.figure


def pareto_goals(text: str | None, measure_kind: str) -> tuple[Objective, Objective] | None:
    """``--pareto``'s two figures, checked against what the measure gives (a ``python:``
    function's figures are known only once it runs)."""
    if not text:
        return None
    goals = objectives(text)
    known = set(ANALYSIS) | (set(BENCH_FIGURES) if measure_kind == "bench" else set())
    for goal in goals:
        if measure_kind != "python" and goal.figure not in known:
            raise UsageError("--pareto: " + unknown("figure", goal.figure, known))
    return goals


def objectives(text: str) -> tuple[Objective, Objective]:
    """``--pareto macs,latency_ms`` (``max:NAME`` for a figure to maximise)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(p.removeprefix("max:") for p in parts):
        raise UsageError(f"--pareto takes two figures, such as macs,latency_ms, got '{text}'")
    a, b = (Objective(p.removeprefix("max:"), p.startswith("max:")) for p in parts)
    return a, b


@dataclass
class Summary:
    """Counts per status, the best ``ok`` candidate per figure, the Pareto front."""

    total: int
    counts: dict[str, int]
    best: dict[str, dict[str, Any]] = field(default_factory=dict)
    pareto: list[dict[str, Any]] = field(default_factory=list)
    pareto_of: tuple[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "counts": self.counts, "best": self.best,
                "pareto": {"figures": list(self.pareto_of) if self.pareto_of else None,
                           "front": self.pareto}}


class Front:
    """The Pareto front of records given one at a time: the records no other beats on both
    objectives (of equal ones the first given), ordered by the first objective; the same as
    sorting them all and sweeping, in memory for the front alone. A record is kept only
    while nothing given before is as good on both; one that beats front members removes
    them (everything they beat, it beats)."""

    def __init__(self, objectives: tuple[Objective, Objective]) -> None:
        self.objectives = objectives
        #: the front's keys on each objective: the first ascending, the second descending
        self._a: list[float] = []
        self._b: list[float] = []
        self._records: list[Mapping[str, Any]] = []

    def add(self, rec: Mapping[str, Any]) -> None:
        a, b = self.objectives
        if a.figure not in rec["figures"] or b.figure not in rec["figures"]:
            return
        ka, kb = a.key(rec), b.key(rec)
        below = bisect_right(self._a, ka)  # members at most as bad on the first objective
        if below and self._b[below - 1] <= kb:
            return
        start = end = bisect_left(self._a, ka)
        while end < len(self._b) and self._b[end] >= kb:
            end += 1
        self._a[start:end], self._b[start:end], self._records[start:end] = [ka], [kb], [rec]

    @property
    def records(self) -> list[Mapping[str, Any]]:
        return list(self._records)


class Tally:
    """The summary of records given one at a time (in the journal's order): the counts, the
    best ``ok`` record per figure (of equal ones the first) and the Pareto front."""

    def __init__(self, pareto: tuple[Objective, Objective] | None = None,
                 figures: Sequence[str] = BEST) -> None:
        self.counts: Counter[str] = Counter()
        self.figures, self.pareto = figures, pareto
        self.best: dict[str, tuple[float, dict[str, Any]]] = {}
        self.front = Front(pareto) if pareto else None

    def add(self, rec: Mapping[str, Any]) -> None:
        self.counts[rec["status"]] += 1
        if rec["status"] != "ok":
            return
        for name in self.figures:
            value = rec["figures"].get(name)
            if value is not None and (name not in self.best or value < self.best[name][0]):
                self.best[name] = (value, _brief(rec))
        if self.front is not None:
            self.front.add(rec)

    def extend(self, records: Iterable[Mapping[str, Any]]) -> None:
        for rec in records:
            self.add(rec)

    def summary(self, total: int) -> Summary:
        pareto = self.pareto
        return Summary(total, {s: self.counts.get(s, 0) for s in STATUSES},
                       {n: self.best[n][1] for n in self.figures if n in self.best},
                       [_brief(r) for r in self.front.records] if self.front else [],
                       (str(pareto[0]), str(pareto[1])) if pareto else None)


def summarise(records: Iterable[Mapping[str, Any]], total: int,
              pareto: tuple[Objective, Objective] | None = None,
              figures: Sequence[str] = BEST) -> Summary:
    tally = Tally(pareto, figures)
    tally.extend(records)
    return tally.summary(total)


def pareto_front(records: Iterable[Mapping[str, Any]],
                 objectives: tuple[Objective, Objective]) -> list[Mapping[str, Any]]:
    """The records no other beats on both objectives, by the first objective (:class:`Front`)."""
    front = Front(objectives)
    for rec in records:
        front.add(rec)
    return front.records


def _brief(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {"index": rec["index"], "params": rec["params"], "figures": rec["figures"]}
