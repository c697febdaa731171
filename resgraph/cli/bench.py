"""``resgraph bench``: throughput and latency of a spec (or a TensorRT engine) on several
backends, checked against the spec's PyTorch module before timing.

A thin view of :func:`resgraph.backends.api.bench` and ``bench_engine``, imported only inside
``run`` so that the core never imports the backends. Exit code 1 when a backend's output was wrong (its figures are
shown, flagged), 3 when no backend could run (an extra, TensorRT or a GPU is missing).
"""

from __future__ import annotations

import argparse
from typing import Any, Self

from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from resgraph.cli.args import (
    batch_argument,
    int_in,
    json_argument,
    parse_sets,
    read_spec,
    seconds,
    set_argument,
)
from resgraph.cli.output import err, out
from resgraph.errors import UsageError

NAME = "bench"
HELP = "time a spec or a TensorRT engine on several backends, outputs checked first"
EPILOG = """examples:
  resgraph bench resnet50 --backend onnxruntime,torch,torch-compile --batch 1,8
  resgraph bench resnet50 --backend torch,torch-compile --device cuda --precision fp16 \\
      --batch 1,256 --channels-last
  resgraph bench specs/resnet.rg --set depth=101 --backend onnxruntime --iterations 50 --json
  resgraph bench resnet50 --backend tensorrt,torch-compile --device cuda --precision bf16
  resgraph bench resnet50.engine --backend torch-compile

Each backend is prepared, its output checked against the spec's PyTorch module (fp32, CPU) on
random input, then warmed up (--warmup seconds, not counted) and timed on fresh random
batches for --duration seconds (at least 10 runs) or exactly --iterations runs. Latency is
per run, synchronised; throughput is images over the timed loop's wall time; the statistics
are trtexec's (nearest-rank percentiles). On a GPU the backends' CUDA-event figures (GPU
compute, copies) are shown beside. A wrong output is reported WRONG and exits 1.
A NAME.engine file is timed as built (its precision, batch range and TensorRT sidecar)."""

def arguments(p: argparse.ArgumentParser) -> None:
    from resgraph.backends.api import add_timing_args

    p.add_argument("spec", help="a spec file, a shipped network's name, or NAME.engine")
    set_argument(p)
    p.add_argument("--backend", metavar="NAME[,NAME...]", action="append",
                   help="backends in order, given once with commas or repeated; ratios are "
                        "to the first (default for a spec: onnxruntime,torch,torch-compile; "
                        "for an engine: tensorrt, then these)")
    batch_argument(p, "N", "N,N", default=None,
                   help="batch sizes (default 1; for an engine its profile's OPT)")
    p.add_argument("--warmup", type=seconds(600), default=0.2, metavar="S",
                   help="seconds of untimed runs first (default 0.2, trtexec's)")
    p.add_argument("--duration", type=seconds(3600), metavar="S",
                   help="seconds of timed runs, at least 10 runs (default 3, trtexec's)")
    p.add_argument("--iterations", type=int_in(1, 1_000_000), metavar="N",
                   help="exactly N timed runs instead")
    p.add_argument("--threads", type=int_in(1, 1024), metavar="N",
                   help="CPU threads of torch and ONNX Runtime (default: theirs)")
    p.add_argument("--precision", metavar="fp32|fp16|bf16",
                   help="precision of weights and activations (default fp32; not for an engine)")
    p.add_argument("--device", metavar="cpu|cuda", help="default cpu (not for an engine)")
    p.add_argument("--channels-last", action="store_true",
                   help="torch backends: channels_last memory format")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0,
                   help="seed of the reference weights and the random inputs (default 0)")
    json_argument(p, "print the report as JSON")
    add_timing_args(p)


def run(args: argparse.Namespace) -> int:
    report = _bench(args)
    if not report.measured:
        for row in report.results:
            err.print(f"error: {row.backend}: {row.reason}", markup=False)
        return 3
    if args.json:
        out.print(report.to_json(), markup=False, highlight=False)
    else:
        print_report(report)
    return 1 if report.wrong else 0


def _bench(args: argparse.Namespace) -> Any:
    from resgraph.backends import api

    backend_options = {"threads": args.threads, "channels_last": args.channels_last,
                       "timing": api.timing_from_args(args)}
    timing = {"warmup": args.warmup, "duration": args.duration,
              "iterations": args.iterations, "seed": args.seed}
    batches = args.batch.sizes if args.batch else ()
    with BenchDisplay() as display:
        if args.spec.endswith(".engine"):
            _engine_only(args)
            return api.bench_engine(args.spec, parse_backends(args.backend),
                                    api.BenchOptions(**timing), batches=batches or None,
                                    progress=display, **backend_options)
        options = api.BenchOptions(batches=batches or (1,), precision=args.precision or "fp32",
                                   device=args.device or "cpu", **timing)
        names = parse_backends(args.backend) if args.backend else api.DEFAULT_BACKENDS
        return api.bench(read_spec(args), names, options, params=parse_sets(args.sets),
                         progress=display, **backend_options)


def _engine_only(args: argparse.Namespace) -> None:
    given = [flag for flag, value in (("--set", args.sets), ("--precision", args.precision),
                                      ("--device", args.device)) if value]
    if given:
        raise UsageError(f"{', '.join(given)} do not apply to an engine: it runs as it was "
                         "built (rebuild it with 'resgraph build')")


def parse_backends(given: list[str] | None) -> list[str]:
    """``--backend onnxruntime,torch`` (or the flag repeated) → the names, in order (checked
    against the registry by the harness)."""
    text = ",".join(given or [])
    names = [n.strip() for n in text.split(",")] if text else []
    if text and not all(names):
        raise UsageError(f"--backend takes names separated by commas, got '{text}'")
    return names


class BenchDisplay:
    """One progress bar on stderr over every backend and batch, naming the current phase."""

    def __init__(self) -> None:
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 TimeElapsedColumn(), console=err, transient=True,
                                 disable=not err.is_terminal)
        self.task: Any = None

    def __enter__(self) -> Self:
        self.progress.start()
        self.task = self.progress.add_task("benchmark", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, event: Any) -> None:
        self.progress.update(self.task, total=event.total,
                             completed=event.index + event.fraction,
                             description=f"{event.backend} batch {event.batch}: {event.phase}")


# the closing tables ------------------------------------------------------------------------

STATS = ("min", "mean", "median", "p90", "p95", "p99", "max")


def print_report(report: Any) -> None:
    options, env = report.options, report.environment
    source = f" ({report.source})" if report.source != report.network else ""
    out.print(f"[bold]{report.network}[/]{source} {options.precision} on "
              f"{options.device}: {env.get('gpu', {}).get('name') or env['cpu']}, "
              f"{env['torch_threads']} torch threads")
    for batch in options.batches:
        _print_wide(_table(report, batch))
    for row in report.results:
        if row.reason:
            out.print(f"{row.backend} (batch {row.batch}): {row.reason}", markup=False)
    if report.wrong:
        out.print("[red]WRONG[/]: the output differs from the spec's PyTorch module beyond the "
                  "precision's tolerance; its figures do not count")


def _print_wide(table: Table) -> None:
    """A table at its natural width even where the console is narrower (80 columns when
    piped): a figure cut to ``1.2…`` says nothing."""
    natural = out.measure(table, options=out.options.update_width(1000)).maximum
    Console(highlight=False, width=max(out.width, natural)).print(table)


def _table(report: Any, batch: int) -> Table:
    rows = [r for r in report.results if r.batch == batch]
    device_keys = sorted({k for r in rows for k in r.device})
    table = Table(title=f"batch {batch}: latency in ms per run, ratio of throughput to "
                        f"{report.baseline(batch) or '-'}", title_justify="left",
                  box=box.SIMPLE_HEAD)
    table.add_column("backend")
    table.add_column("verdict")
    for col in ("img/s", *STATS, *(f"{k.removesuffix('_ms')} median" for k in device_keys),
                "ratio"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(r.backend, _verdict(r), *_figures(r, device_keys))
    return table


def _verdict(row: Any) -> str:
    """ok or WRONG with the largest error relative to the reference's magnitude."""
    if row.parity is None:
        return row.status
    mark = "ok" if row.parity.ok else "[red]WRONG[/]"
    return f"{mark} {row.parity.max_rel_error:.0e}"


def _figures(row: Any, device_keys: list[str]) -> list[str]:
    if row.latency is None:
        return ["-"] * (len(STATS) + len(device_keys) + 2)
    stats = row.latency
    device = [_ms(row.device[k].median) if k in row.device else "-" for k in device_keys]
    return [f"{stats.throughput:.1f}", *(_ms(getattr(stats, s)) for s in STATS), *device,
            f"{row.ratio:.2f}x" if row.ratio is not None else "-"]


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"
