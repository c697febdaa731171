"""What a sweep's journal says at the end: counts per status, the best candidate per figure,
and the Pareto front of two figures. Read from the records alone, so it is the same after a
resume as after one run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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


def summarise(records: Sequence[Mapping[str, Any]], total: int,
              pareto: tuple[Objective, Objective] | None = None,
              figures: Sequence[str] = BEST) -> Summary:
    counts = Counter(r["status"] for r in records)
    ok = [r for r in records if r["status"] == "ok"]
    best = {}
    for name in figures:
        having = [r for r in ok if name in r["figures"]]
        if having:
            best[name] = _brief(min(having, key=Objective(name).key))
    front = pareto_front(ok, pareto) if pareto else []
    return Summary(total, {s: counts.get(s, 0) for s in STATUSES}, best,
                   [_brief(r) for r in front], (str(pareto[0]), str(pareto[1])) if pareto else None)


def pareto_front(records: Sequence[Mapping[str, Any]],
                 objectives: tuple[Objective, Objective]) -> list[Mapping[str, Any]]:
    """The records no other beats on both objectives, by the first objective: one sort and
    a sweep, O(n log n)."""
    a, b = objectives
    having = [r for r in records if a.figure in r["figures"] and b.figure in r["figures"]]
    front: list[Mapping[str, Any]] = []
    for r in sorted(having, key=lambda r: (a.key(r), b.key(r))):
        if not front or b.key(r) < b.key(front[-1]):
            front.append(r)
    return front


def _brief(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {"index": rec["index"], "params": rec["params"], "figures": rec["figures"]}
