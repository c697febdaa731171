"""``resgraph profile``: an engine's per-layer times (TensorRT's profiler, or trtexec's
exported profile) summed onto the spec's blocks and stages, optionally drawn."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from resgraph.cli.args import batch_argument, int_in, json_argument
from resgraph.cli.output import err, out, print_json
from resgraph.errors import UsageError

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
    from resgraph.backends.trt import sidecar as sc
    from resgraph.backends.trt.plan import sidecar_path
    from resgraph.backends.trt.scopes import ScopeResolver, attribute

    if args.layer_times:
        meta = sc.read(sidecar_path(args.engine))
        times, layers = _trtexec_times(args.layer_times), None
    else:
        meta, times, layers = _measure(args)
    resolver = ScopeResolver(meta.scopes, meta.places)
    result = attribute(times, resolver, meta.places, layers)
    drawn = _draw(args, meta, result) if args.draw else None
    if args.json:
        print_json({"engine": args.engine, "layers": times, **result.to_dict(),
                    "diagram": drawn})
        return 0
    _print_profile(args.engine, meta, result)
    if drawn:
        out.print(f"wrote {drawn}: coloured by TensorRT time", markup=False)
    return 0


def _trtexec_times(path: str) -> dict[str, float]:
    from resgraph.backends.trt.scopes import trtexec_profile

    try:
        return trtexec_profile(json.loads(Path(path).read_text()))
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise UsageError(f"{path}: not a trtexec --exportProfile JSON file") from None


def _measure(args: argparse.Namespace) -> tuple[Any, dict[str, float], dict[str, list[str]]]:
    from resgraph.backends.trt import engine, runtime
    from resgraph.backends.trt.scopes import inspector_layers

    blob, meta = engine.open_engine(args.engine)
    batch = args.batch.size if args.batch else meta.profiles[0]["opt"][0]
    runner = runtime.load(blob, batch)
    for _ in range(args.warmup):
        runner.launch()
    runner.stream.synchronize()
    times = runner.layer_times(args.runs)
    return meta, times, inspector_layers(runner.inspect())


def _draw(args: argparse.Namespace, meta: Any, result: Any) -> str:
    from resgraph.api import draw, load
    from resgraph.backends.trt.sidecar import graph_hash

    if meta.source_kind != "spec":
        raise UsageError("--draw needs an engine built from a spec (this one came from ONNX)")
    graph = load(meta.source, **meta.params)
    if graph_hash(graph) != meta.source_hash:
        err.print(f"warning: {meta.source} changed since the engine was built; the diagram "
                  "shows the spec as it is now", markup=False)
    values = {**result.scopes, **result.blocks, **result.stages}
    draw(graph, args.draw, color="values", values=values, legend="ms per inference (TensorRT)",
         level=args.level)
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
