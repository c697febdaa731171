"""Candidates per second of an analyze-only sweep, the local engine against the Ray engine
on this machine, in the same run.

The sweep: ResNet-50-sized members of the ResNet family (``specs/resnet.rg`` at depth 50,
``groups`` and ``width_per_group`` drawn by pycls's samplers, seeded), every candidate
elaborated, analysed, hashed and journalled. The rate counts from the first finished job
(start-up, the workers' imports and Ray's cluster, is reported apart) to the last. Targets
(issue 13): at least 150 candidates/s with the local engine on 2 cores, and the Ray engine's
time within 1.5x of the local engine's. It also prints the per-candidate costs that
docs/sweeps.md sizes large sweeps from (the records' own timings).

    python benchmarks/sweep_bench.py [--samples 2000] [--workers 2] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from resgraph.api import sweep

SPACE = {"sample": {"width_per_group": "int(16, 128, 4)", "groups": "power2(1, 4)"},
         "params": {"depth": 50}, "seed": 0}


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
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        sweep("specs/resnet.rg", Path(tmp) / "s", engine=engine, workers=workers,
              samples=samples, progress=clock, **SPACE)
        end = time.perf_counter()
        recs = [json.loads(line) for line in (Path(tmp) / "s/results.jsonl").open()]
    assert clock.first is not None and len(recs) == samples
    timings = [r["timings"] for r in recs if r["status"] == "ok"]
    return {"startup_s": clock.first - clock.start, "total_s": end - clock.start,
            "rate": (samples - clock.first_done) / (end - clock.first),
            "screen_ms": 1e3 * statistics.median(t["screen_s"] for t in timings),
            "analyze_ms": 1e3 * statistics.median(t["analyze_s"] for t in timings),
            "line_bytes": statistics.mean(len(json.dumps(r)) + 1 for r in recs)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-ray", action="store_true")
    args = p.parse_args()
    results = {"local": run("local", args.samples, args.workers)}
    if not args.no_ray:
        results["ray"] = run("ray", args.samples, args.workers)
    for engine, r in results.items():
        print(f"{engine:5}: {r['rate']:6.1f} candidates/s after start-up "
              f"({r['startup_s']:.2f} s), {r['total_s']:.2f} s in all; per candidate "
              f"(median): screen {r['screen_ms']:.2f} ms, of which analysis "
              f"{r['analyze_ms']:.2f} ms; {r['line_bytes']:,.0f} bytes of journal")
    local = results["local"]
    print(f"local target (150/s): {'met' if local['rate'] >= 150 else 'MISSED'}")
    if "ray" in results:
        ratio = results["ray"]["total_s"] / local["total_s"]
        steady = local["rate"] / results["ray"]["rate"]
        print(f"ray / local time: {ratio:.2f}x in all, {steady:.2f}x after start-up "
              f"(target within 1.5x): {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
