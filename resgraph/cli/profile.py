"""``resgraph profile``: an engine's per-layer times (TensorRT's profiler, or trtexec's
exported profile) summed onto the spec's blocks and stages, optionally drawn."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

from resgraph import api
from resgraph.cli.args import batch_argument, int_in, json_argument
from resgraph.cli.output import err, out, print_json
from resgraph.files import check_output

NAME = "profile"
HELP = "time an engine layer by layer and sum the times onto blocks and stages"
EPILOG = """examples:
  resgraph profile resnet50.engine
  resgraph profile resnet50.engine --batch 32 --runs 50 --draw r50_times.svg
  resgraph profile resnet50.engine --layer-times trtexec_profile.json --json

Times come from TensorRT's IProfiler (one synchronised run per inference, no CUDA graph),
layer contents from the engine inspector. A fused layer's time is split evenly among the
spec scopes it holds. --layer-times reads trtexec's --exportProfile JSON instead of running
the engine (no TensorRT or GPU needed then)."""


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("engine", help="an engine built by 'resgraph build' (its .json beside it)")
    batch_argument(p, "N", default=None, help="batch size (default: the profile's OPT)")
    p.add_argument("--runs", type=int_in(1, 100_000), default=20,
                   help="profiled inferences (default 20)")
    p.add_argument("--warmup", type=int_in(0, 100_000), default=5,
                   help="inferences before (default 5)")
    p.add_argument("--layer-times", metavar="FILE",
                   help="trtexec --exportProfile JSON to use instead of running the engine")
    p.add_argument("--draw", metavar="FILE", help="also draw the network coloured by time "
                                                   "(.svg, .png, .pdf or .dot)")
    p.add_argument("--level", default="block", help="diagram level (default block)")
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    from resgraph.backends import api

    if args.draw:
        check_output(args.draw, inputs=[args.engine], flag="--draw")
    result = api.profile(args.engine, batch=args.batch.size if args.batch else None,
                         runs=args.runs, warmup=args.warmup, layer_times=args.layer_times)
    drawn = _draw(args, result) if args.draw else None
    if args.json:
        print_json({**result.to_dict(), "diagram": drawn})
        return 0
    _print_profile(args.engine, result.meta, result.attribution)
    if drawn:
        out.print(f"wrote {drawn}: coloured by TensorRT time", markup=False)
    return 0


def _draw(args: argparse.Namespace, result: Any) -> str:
    graph, changed = result.spec()
    if changed:
        err.print(f"warning: {result.meta.source} changed since the engine was built; the "
                  "diagram shows the spec as it is now", markup=False)
    api.draw(graph, args.draw, color="values", values=result.values(),
             legend="ms per inference (TensorRT)", level=args.level)
    return str(args.draw)


def _print_profile(engine: str, meta: Any, result: Any) -> None:
    total = result.total or 1.0
    out.print(f"[bold]{engine}[/]: {meta.source} {meta.precision}, {result.total:.3f} ms per "
              f"inference over {len(result.scopes)} scopes; reformatting "
              f"{result.reformat:.3f} ms")
    for title, rows in (("stage", result.stages), ("block", result.blocks)):
        table = Table(title=f"time per {title}", title_justify="left")
        for col in (title, "ms", "share"):
            table.add_column(col, justify="left" if col == title else "right")
        for name, ms in rows.items():
            table.add_row(name, f"{ms:.3f}", f"{100 * ms / total:.1f}%")
        out.print(table)
    if result.unmapped:
        ms = sum(result.unmapped.values())
        out.print(f"{len(result.unmapped)} layer(s) matched no spec scope ({ms:.3f} ms, "
                  f"{100 * ms / total:.1f}%): " + ", ".join(list(result.unmapped)[:5]),
                  markup=False)
