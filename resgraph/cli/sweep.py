"""``resgraph sweep``: a thin view of :func:`resgraph.sweep`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

from resgraph import api
from resgraph.cli.args import (
    int_in,
    json_argument,
    parse_sets,
    read_spec,
    shape_type,
    spec_arguments,
)
from resgraph.cli.output import count, err, out, print_json
from resgraph.errors import UsageError

NAME = "sweep"
HELP = "measure many networks of one spec: grids, seeded random samples, constraints"
EPILOG = """examples:
  resgraph sweep specs/resnet.rg --grid depth=18,34,50,101 --grid width_per_group=32,64,128 \\
      --out sweeps/resnet
  resgraph sweep specs/resnet.rg --grid depth=50,101 --sample groups='power2(1, 64)' \\
      --samples 100 --seed 0 --where 'macs <= 8e9 and params <= 60e6' --out sweeps/rx
  resgraph sweep resnet50 --grid width_per_group=32,64 --measure bench:onnxruntime:batch=8 \\
      --pareto macs,latency_ms --out sweeps/r50-ort
  resgraph sweep specs/resnet.rg --grid depth=18,34 --measure python:mypkg.train:short_run \\
      --engine ray --ray-address head:6379 --out sweeps/trained
  resgraph sweep examples/regnetx_400mf.sweep.rg --out sweeps/regnetx
  resgraph sweep examples/regnetx_400mf.sweep.rg --samples 100 --grid depth=16,20 --out sweeps/t
  resgraph sweep examples/regnetx_400mf.sweep.rg --accept 1000 --out sweeps/regnetx-1000

A sweep file (NAME.sweep.rg: 'sweep NAME of SPEC { grid ... sample ... where ... }', see
docs/sweeps.md) defines a sweep to version beside its spec. Options given beside it win:
--grid, --sample and --set replace the file's setting of the parameters they name and add
the others; --samples, --accept, --seed, --where, --measure, --pareto and --input replace
the file's.

Distributions (pycls's, each over [low, high] quantized to q; q's type is the value's):
  choice(a, b, ...)  int(low, high[, q])  uniform(low, high, q)  log_uniform(low, high, q)
  power2(low, high[, q])
--where reads the analysis figures (macs, flops, params, activations, activation_peak,
depth, path_mean, receptive_field, ...), the parameters and index (the candidate's place in
the space), with 'in (a, b)'; a term of a top-level 'and' that reads only parameters and
index rejects before elaboration. The same --out resumes a sweep:
only the candidates missing from DIR/results.jsonl run. Ctrl-C keeps every finished one."""

def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p, also="a sweep file NAME.sweep.rg, ")
    p.add_argument("--grid", action="append", metavar="NAME=V,V,...",
                   help="a parameter's values, crossed with every other --grid (repeatable)")
    p.add_argument("--sample", action="append", metavar="NAME=DIST",
                   help="a parameter drawn at random, such as wm='log_uniform(1.5, 3.0, 0.001)'")
    p.add_argument("--samples", type=int_in(1, 10_000_000), default=None, metavar="N",
                   help="how many random draws, each crossed with the grid")
    p.add_argument("--accept", type=int_in(1, 10_000_000), default=None, metavar="N",
                   help="stop drawing candidates once N pass --where (pycls's NUM_CONFIGS): "
                        "running ones finish, so the first N accepted by index are the same "
                        "on any engine; a rerun with a larger N goes on")
    p.add_argument("--seed", type=int_in(0, api.SWEEP_MAX_SEED), default=None,
                   help="seeds every draw (default 0)")
    p.add_argument("--where", metavar="EXPR", help="keep candidates whose analysis says yes, "
                                                   "such as 'macs <= 4e9 and params <= 30e6'")
    p.add_argument("--measure", default=None, metavar="WHAT",
                   help="analyze (default), bench:BACKEND[:k=v...], or python:PKG.MODULE:FN")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the sweep's folder: sweep.json and the journal results.jsonl")
    p.add_argument("--engine", default="local", choices=api.SWEEP_ENGINES,
                   help="local: a process pool (default); ray: Ray tasks")
    p.add_argument("--workers", type=int_in(1, api.SWEEP_MAX_WORKERS), metavar="N",
                   help="workers (default: this machine's CPUs; with ray, a new local "
                        "cluster's CPUs)")
    p.add_argument("--ray-address", metavar="HOST:PORT",
                   help="an existing Ray cluster (default: start one on this machine)")
    p.add_argument("--pareto", metavar="A,B",
                   help="show the Pareto front of two figures (max:NAME to maximise)")
    p.add_argument("--input", metavar="CxHxW", type=shape_type,
                   help="input shape: every candidate elaborated at this size")
    json_argument(p, "print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    if args.sample and args.samples is None and not api.is_sweep_file(args.spec):
        raise UsageError("--sample needs --samples N: how many draws to make")
    if args.ray_address and args.engine != "ray":
        raise UsageError("--ray-address is for --engine ray")
    options: dict[str, Any] = {
        "grid": _pairs(args.grid, "--grid"), "sample": _pairs(args.sample, "--sample"),
        "samples": args.samples, "accept": args.accept, "seed": args.seed, "where": args.where,
        "measure": args.measure, "params": parse_sets(args.sets), "input_shape": args.input,
        "pareto": args.pareto, "engine": args.engine, "workers": args.workers,
        "ray_address": args.ray_address}
    if args.json:
        print_json(api.sweep(read_spec(args), args.out, **options).to_json())
        return 0
    with _Bar() as bar:
        summary = api.sweep(read_spec(args), args.out, progress=bar.update, **options)
    _show(summary, args.out)
    return 0


def _pairs(items: list[str] | None, flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or []:
        name, eq, rest = item.partition("=")
        if not eq or not name.strip().isidentifier():
            raise UsageError(f"{flag} takes NAME=..., got '{item}'")
        if name.strip() in pairs:
            raise UsageError(f"{flag} {name.strip()} is given twice")
        pairs[name.strip()] = rest.strip()
    return pairs


class _Bar:
    """A rich progress bar: candidates done of all, ok / rejected / duplicate / failed, rate.
    It starts on the first report, so an error found before the sweep runs prints alone."""

    def __enter__(self) -> _Bar:  # noqa: PYI034 - a private class, never subclassed
        self.progress: Any = None
        self.start, self.first = time.perf_counter(), 0
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def update(self, counts: Mapping[str, int], total: int) -> None:
        done = sum(counts.values())
        if self.progress is None:
            self._begin(done)
        rate = (done - self.first) / max(time.perf_counter() - self.start, 1e-9)
        text = (f"ok {counts.get('ok', 0):,}  rejected {counts.get('rejected', 0):,}  "
                f"duplicate {counts.get('duplicate', 0):,}  failed {counts.get('error', 0):,}"
                f"  {rate:,.1f}/s")
        self.progress.update(self.task, completed=done, total=total, description=text)

    def _begin(self, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), console=err, transient=True)
        self.task = self.progress.add_task("", total=None)
        self.start, self.first = time.perf_counter(), done
        self.progress.__enter__()


def _show(summary: Any, folder: str) -> None:
    from rich.table import Table

    counts = Table(title=f"sweep: {summary.total:,} candidates ({folder}/results.jsonl)")
    for status in summary.counts:
        counts.add_column(status, justify="right")
    counts.add_row(*(f"{v:,}" for v in summary.counts.values()))
    out.print(counts)
    if summary.best:
        best = _table("best candidate per figure (smallest)", ("figure", "value"))
        for figure, rec in summary.best.items():
            best.add_row(figure, _figure(rec["figures"][figure]), *_candidate(rec))
        out.print(best)
    if summary.pareto_of:
        a, b = (f.removeprefix("max:") for f in summary.pareto_of)
        front = _table(f"Pareto front of {a} and {b}", (a, b))
        for rec in summary.pareto:
            front.add_row(_figure(rec["figures"][a]), _figure(rec["figures"][b]),
                          *_candidate(rec))
        out.print(front)


def _table(title: str, first: tuple[str, str]) -> Any:
    from rich.table import Table

    t = Table(title=title)
    t.add_column(first[0])
    t.add_column(first[1], justify="right")
    t.add_column("index", justify="right")
    t.add_column("params")
    return t


def _candidate(rec: Mapping[str, Any]) -> tuple[str, str]:
    return str(rec["index"]), ", ".join(f"{k}={v}" for k, v in rec["params"].items())


def _figure(v: float) -> str:
    return count(v) if isinstance(v, int) else f"{v:.4g}"
