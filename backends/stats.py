"""Latency statistics in the shape of trtexec's summary, shared by every backend's figures."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

#: the percentiles reported beside min, mean, median and max
PERCENTILES = (90, 95, 99)


@dataclass(frozen=True)
class LatencyStats:
    """Per-inference latency (ms) over the timed runs, and the throughput they imply."""

    runs: int
    batch: int
    min: float
    mean: float
    median: float
    p90: float
    p95: float
    p99: float
    max: float
    #: images per second: batch x runs / the time the runs took
    throughput: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of sorted values, as trtexec computes it: the smallest value
    with at least ``p`` percent of the runs at or below it (never an interpolated time)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(latencies_ms: Sequence[float], batch: int,
              wall_s: float | None = None) -> LatencyStats:
    """Statistics of ``latencies_ms``; throughput from ``wall_s`` (the timed loop's wall time)
    when given, else from the sum of the latencies (runs back to back)."""
    if not latencies_ms:
        raise ValueError("no latencies to summarize")
    if batch < 1:
        raise ValueError(f"batch must be positive, got {batch}")
    ordered = sorted(latencies_ms)
    seconds = wall_s if wall_s is not None else math.fsum(ordered) / 1000
    p90, p95, p99 = (percentile(ordered, p) for p in PERCENTILES)
    return LatencyStats(len(ordered), batch, ordered[0], statistics.fmean(ordered),
                        statistics.median(ordered), p90, p95, p99, ordered[-1],
                        batch * len(ordered) / seconds if seconds > 0 else math.inf)
