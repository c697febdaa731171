"""Candidates per second of an analyze-only sweep, the local engine against the Ray engine
on this machine, in the same run.

The sweep: ResNet-50-sized members of the ResNet family (``specs/resnet.rg`` at depth 50,
``groups`` and ``width_per_group`` drawn by pycls's samplers, seeded: 87 distinct networks,
so most draws repeat a parameter set a worker has screened before), every candidate
elaborated (or its screening reused), analysed, hashed and journalled. The rate after
start-up counts from the first finished job to the last; start-up (the workers' imports,
Ray's cluster) is reported apart, and the rate "in all" counts it.

Targets (issue 21), 2 workers: the local engine at least 1,000 candidates/s after start-up
and 400/s in all on 576 candidates; the Ray engine's time within 1.3x of the local engine's
on 8,000, both with the cluster Ray starts for the sweep and with one already running. It
also prints the per-candidate costs that docs/sweeps.md sizes large sweeps from (the
records' own timings: the median screen of a candidate elaborated, and of one reused).

    python benchmarks/sweep_bench.py [--small 576] [--large 8000] [--workers 2] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from resgraph.api import sweep

SPACE = {"sample": {"width_per_group": "int(16, 128, 4)", "groups": "power2(1, 4)"},
         "params": {"depth": 50}, "seed": 0}
#: (what, the figure's key, the bound, whether the figure must be at least the bound)
TARGETS = (("local, after start-up (candidates/s)", "rate", 1000, True),
           ("local, start-up included (candidates/s)", "rate_all", 400, True))
RAY_RATIO = 1.3


class Clock:
    """When the sweep started, when its first job came back, when it ended."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.first_done = 0

    def __call__(self, counts: Mapping[str, int], total: int) -> None:
        done = sum(counts.values())
        if self.first is None and done:
            self.first, self.first_done = time.perf_counter(), done


def run(engine: str, samples: int, workers: int) -> dict[str, float]:
    """One sweep of ``samples`` candidates: its rates, start-up and per-candidate costs."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        sweep("specs/resnet.rg", Path(tmp) / "s", engine=engine, workers=workers,
              samples=samples, progress=clock, **SPACE)
        end = time.perf_counter()
        recs = [json.loads(line) for line in (Path(tmp) / "s/results.jsonl").open()]
    assert clock.first is not None and len(recs) == samples
    check_statuses(recs)
    timings = [r["timings"] for r in recs if r["graph"]]
    fresh = [t for t in timings if "elaborate_s" in t]
    return {"startup_s": clock.first - clock.start, "total_s": end - clock.start,
            "rate": (samples - clock.first_done) / (end - clock.first),
            "rate_all": samples / (end - clock.start), "fresh": len(fresh),
            "screen_ms": _median_ms(fresh, "screen_s"), "analyze_ms": _median_ms(fresh, "analyze_s"),
            "reused_ms": _median_ms([t for t in timings if "elaborate_s" not in t], "screen_s"),
            "line_bytes": statistics.mean(len(json.dumps(r)) + 1 for r in recs)}


def check_statuses(recs: list[dict[str, Any]]) -> None:
    """Every candidate of this space is a network (ok or a duplicate): a benchmark of
    errors (a broken checkout) measures nothing."""
    bad = [r for r in recs if r["status"] not in ("ok", "duplicate")]
    if bad:
        raise SystemExit(f"{len(bad):,} candidates are not networks, e.g. {bad[0]['error']}")


def _median_ms(timings: list[dict[str, float]], key: str) -> float:
    return 1e3 * statistics.median(t[key] for t in timings) if timings else float("nan")


def show(name: str, samples: int, r: Mapping[str, float]) -> None:
    print(f"{name:12} {samples:6,}: {r['rate']:7.1f}/s after start-up ({r['startup_s']:.2f} s), "
          f"{r['rate_all']:7.1f}/s in all ({r['total_s']:.2f} s); {r['fresh']:.0f} elaborated, "
          f"screen {r['screen_ms']:.2f} ms (analysis {r['analyze_ms']:.2f} ms), reused "
          f"{1e3 * r['reused_ms']:.0f} us; {r['line_bytes']:,.0f} bytes of journal a candidate")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def with_cluster(workers: int, body: Callable[[], Any]) -> Any:
    """``body()`` with a local Ray cluster already running in this process."""
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, logging_level="ERROR",
             log_to_driver=False)
    try:
        return body()
    finally:
        ray.shutdown()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", type=int, default=576)
    p.add_argument("--large", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-ray", action="store_true")
    args = p.parse_args()
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    small = run("local", args.small, args.workers)
    show("local", args.small, small)
    large = run("local", args.large, args.workers)
    show("local", args.large, large)
    for what, key, bound, at_least in TARGETS:
        ok = small[key] >= bound if at_least else small[key] <= bound
        print(f"target {what} >= {bound:,}: {small[key]:.0f}: {verdict(ok)}")
    if not args.no_ray:
        ray_own = run("ray", args.large, args.workers)
        show("ray (new)", args.large, ray_own)
        ray_up = with_cluster(args.workers, lambda: run("ray", args.large, args.workers))
        show("ray (up)", args.large, ray_up)
        for what, r in (("Ray starting its cluster", ray_own), ("a running cluster", ray_up)):
            ratio = r["total_s"] / large["total_s"]
            print(f"target ray / local time at {args.large:,}, {what}: {ratio:.2f}x in all, "
                  f"{large['rate'] / r['rate']:.2f}x after start-up (within {RAY_RATIO}x in "
                  f"all): {verdict(ratio <= RAY_RATIO)}")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
