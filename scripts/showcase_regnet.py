"""The README's RegNetX showcase: a design-space study as in Radosavovic et al. 2020, run with
``resgraph sweep`` and drawn with resgraph's own chart code.

1. The analysis sweep of ``examples/regnetx_400mf.sweep.rg`` (pycls's RegNet sampler, 16,000
   draws, kept when ``macs <= 400e6`` with four stages) into ``sweeps/regnetx_400mf``; the
   population is its first 1,000 accepted candidates by index.
2. 50 of those, distinct networks drawn uniformly at random (seed 0), timed on ONNX Runtime
   (batch 1, CPU, one thread): the same sweep file with ``--measure bench:onnxruntime`` and
   ``index in (...)`` added to its constraint, into ``sweeps/regnetx_400mf_ort``.
3. ``docs/regnetx_params.svg`` and ``docs/regnetx_activations.svg`` (empirical distribution
   functions, as the paper plots them), ``docs/regnetx_latency.svg`` (latency, the fastest
   timed run, against MACs), and the numbers the README quotes, on standard output as JSON.

Each sweep resumes: a rerun measures only what is missing, then redraws. Usage::

    python scripts/showcase_regnet.py [--sweeps sweeps] [--docs docs]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from resgraph.api import sweep, write_text
from resgraph.report import chart_svg
from resgraph.report.sweep_page import edf_chart, scatter_chart
from resgraph.sweep import load_sweep, read_journal

ROOT = Path(__file__).resolve().parents[1]
SWEEP_FILE = ROOT / "examples" / "regnetx_400mf.sweep.rg"
POPULATION, TIMED, SEED = 1000, 50, 0
BENCH = "bench:onnxruntime:batch=1:threads=1:warmup=0.2:duration=1"


def accepted(folder: Path) -> list[dict[str, Any]]:
    """The population: the first :data:`POPULATION` accepted candidates (``ok``, or a
    ``duplicate`` of one), by index."""
    records = sorted(read_journal(folder / "results.jsonl"), key=lambda r: r["index"])
    return [r for r in records if r["status"] in ("ok", "duplicate")][:POPULATION]


def chosen(population: Sequence[dict[str, Any]]) -> list[int]:
    """:data:`TIMED` distinct networks of the population, uniformly at random, seeded."""
    distinct = [r["index"] for r in population if r["status"] == "ok"]
    return sorted(random.Random(SEED).sample(distinct, TIMED))


def run_sweeps(out: Path) -> dict[str, float]:
    """Both sweeps (each resumed if its folder is there), and the seconds each took."""
    seconds = {}
    t = time.perf_counter()
    sweep(SWEEP_FILE, out / "regnetx_400mf", workers=2)
    seconds["analysis"] = time.perf_counter() - t
    where = load_sweep(SWEEP_FILE).options["where"]
    picks = chosen(accepted(out / "regnetx_400mf"))
    t = time.perf_counter()
    sweep(SWEEP_FILE, out / "regnetx_400mf_ort", measure=BENCH, workers=1,
                   where=f"{where} and index in ({', '.join(map(str, picks))})")
    seconds["latency"] = time.perf_counter() - t
    return seconds


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get their mean rank)."""
    def ranks(v: Sequence[float]) -> list[float]:
        order = sorted(range(len(v)), key=v.__getitem__)
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    return statistics.correlation(ranks(xs), ranks(ys))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sweeps", type=Path, default=ROOT / "sweeps",
                   help="the folder of both sweeps' folders, resumed if there (default: sweeps/)")
    p.add_argument("--docs", type=Path, default=ROOT / "docs",
                   help="where the three SVG charts are written (default: docs/)")
    args = p.parse_args(argv)
    seconds = run_sweeps(args.sweeps)
    population = accepted(args.sweeps / "regnetx_400mf")
    all_records = read_journal(args.sweeps / "regnetx_400mf" / "results.jsonl")
    timed = [r for r in read_journal(args.sweeps / "regnetx_400mf_ort" / "results.jsonl")
             if r["status"] == "ok"]
    params = [r["figures"]["params"] for r in population]
    acts = [r["figures"]["activations"] for r in population]
    macs = [r["figures"]["macs"] for r in timed]
    # the fastest timed run: the figure least disturbed by other jobs on a shared machine
    latency = [r["figures"]["latency_min_ms"] for r in timed]
    median = [r["figures"]["latency_ms"] for r in timed]
    n = len(population)
    files = {
        "regnetx_params.svg": chart_svg(
            edf_chart("params", params, "params"),
            f"RegNetX at 400 MF: share of {n:,} models at or below", "parameters"),
        "regnetx_activations.svg": chart_svg(
            edf_chart("activations", acts, "activation bytes"),
            f"RegNetX at 400 MF: share of {n:,} models at or below",
            "bytes of all activations (float32, batch 1)"),
        "regnetx_latency.svg": chart_svg(
            scatter_chart(macs, latency, "latency", lambda v: f"{v:g} ms"),
            f"ONNX Runtime latency (fastest run), batch 1, 1 CPU thread: {len(timed)} models",
            "MACs"),
    }
    for name, text in files.items():
        write_text(args.docs / name, text)
    facts = {
        "sampled": max(r["index"] for r in population) + 1, "drawn": len(all_records),
        "accepted_of_drawn": sum(r["status"] in ("ok", "duplicate") for r in all_records),
        "population": n, "distinct": sum(r["status"] == "ok" for r in population),
        "params": [min(params), statistics.median(params), max(params)],
        "activations": [min(acts), statistics.median(acts), max(acts)],
        "timed": len(timed),
        "latency_min_ms": [min(latency), statistics.median(latency), max(latency)],
        "latency_ms": [min(median), statistics.median(median), max(median)],
        "spearman": {"latency_min_ms~macs": spearman(macs, latency),
                     "latency_ms~macs": spearman(macs, median),
                     "latency_min_ms~activations": spearman(
                         [r["figures"]["activations"] for r in timed], latency)},
        "seconds": seconds,
    }
    print(json.dumps(facts, indent=2))
    return facts


if __name__ == "__main__":
    main()
