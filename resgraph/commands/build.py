"""``resgraph build`` (a TensorRT engine from a spec or an ONNX file) and ``resgraph profile``
(an engine's per-layer times summed onto the spec's blocks and stages).

Everything up to the build plan runs without TensorRT, so ``--dry-run`` always prints the
complete plan; a real build or profile without TensorRT or a GPU stops in one line that says
what is missing (exit code 3).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from resgraph.cli import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    AddCommand,
    MissingDependency,
    UsageError,
    err,
    load_graph,
    out,
    parse_sets,
    print_json,
)

BUILD_EPILOG = """examples:
  resgraph build resnet50 -o resnet50.engine --precision fp16
  resgraph build resnet50 -o r50_dyn.engine --precision bf16 --batch 1:32:256 --workspace 4GiB
  resgraph build specs/resnet.rg --set depth=101 -o r101.engine --timing-cache trt.cache
  resgraph build model.onnx -o model.engine --precision fp32
  resgraph build resnet50 -o r50_int8.engine --precision int8 --calibration images.npy
  resgraph build resnet50 -o r50.engine --precision fp16 --dry-run --json

precision: fp32 (TF32 off), tf32 (fp32 with TF32, TensorRT's default), fp16, bf16. The network
is always strongly typed: for fp16/bf16 resgraph exports the graph in that type with fp32
inputs and outputs, which TensorRT 10 (strongly typed) and 11 both build as written.
int8 is explicit quantization: resgraph inserts Q/DQ nodes calibrated on --calibration data
and reports the outputs' drift from fp32 (ONNX Runtime, held-out samples).
Beside the engine goes NAME.engine.json: what it was built from, with which TensorRT, for
which GPU. Needs TensorRT and an NVIDIA GPU: pip install 'resgraph[tensorrt]'."""

PROFILE_EPILOG = """examples:
  resgraph profile resnet50.engine
  resgraph profile resnet50.engine --batch 32 --runs 50 --draw r50_times.svg
  resgraph profile resnet50.engine --layer-times trtexec_profile.json --json

Times come from TensorRT's IProfiler (one synchronised run per inference, no CUDA graph),
layer contents from the engine inspector. A fused layer's time is split evenly among the
spec scopes it holds. --layer-times reads trtexec's --exportProfile JSON instead of running
the engine (no TensorRT or GPU needed then)."""


def register(add: AddCommand) -> None:
    p = add("build", "build a TensorRT engine from a spec or an ONNX file", BUILD_EPILOG,
            run_build)
    p.add_argument("spec", help="a spec file, a shipped network's name, or a .onnx file")
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE",
                   help="override a 'param' of the spec (repeatable)")
    p.add_argument("-o", "--output", help="the engine file (default: NAME.engine)")
    p.add_argument("--precision", default="tf32",
                   help="fp32, tf32 (default, as TensorRT), fp16, bf16, or int8 (Q/DQ)")
    p.add_argument("--batch", default="1", metavar="N|MIN:OPT:MAX",
                   help="a fixed batch size, or a dynamic range tuned for OPT (default 1)")
    p.add_argument("--workspace", metavar="SIZE",
                   help="workspace memory pool limit, e.g. 4GiB or 512MiB (a bare number is "
                        "MiB; default: TensorRT's, all device memory)")
    p.add_argument("--opt-level", type=int, default=3, metavar="0-5",
                   help="builder optimisation level (default 3, TensorRT's)")
    p.add_argument("--timing-cache", metavar="FILE",
                   help="read tactic timings from FILE if it exists, write them back after")
    p.add_argument("--calibration", default="random", metavar="random|FILE.npy",
                   help="int8: calibrate on seeded random data (default) or on an array of "
                        "samples (NxCxHxW .npy)")
    p.add_argument("--calibration-batches", type=int, default=8, metavar="N",
                   help="int8: calibration batches of 8 samples (default 8)")
    p.add_argument("--dry-run", action="store_true",
                   help="print every setting the build would apply, and stop")
    p.add_argument("--json", action="store_true", help="print JSON for machines")

    p = add("profile", "time an engine layer by layer and sum the times onto blocks and stages",
            PROFILE_EPILOG, run_profile)
    p.add_argument("engine", help="an engine built by 'resgraph build' (its .json beside it)")
    p.add_argument("--batch", type=int, help="batch size (default: the profile's OPT)")
    p.add_argument("--runs", type=int, default=20, help="profiled inferences (default 20)")
    p.add_argument("--warmup", type=int, default=5, help="inferences before (default 5)")
    p.add_argument("--layer-times", metavar="FILE",
                   help="trtexec --exportProfile JSON to use instead of running the engine")
    p.add_argument("--draw", metavar="FILE", help="also draw the network coloured by time "
                                                   "(.svg, .png, .pdf or .dot)")
    p.add_argument("--level", default="block", help="diagram level (default block)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")


# build ----------------------------------------------------------------------------------------


def run_build(args: argparse.Namespace) -> int:
    from resgraph.backends.trt import engine, runtime
    from resgraph.backends.trt.runtime import ParseFailed

    options = _options(args)
    target = _target(args, options)
    name = Path(args.spec).stem if target.graph is None else target.graph.name
    plan = engine.plan_for(target, options, args.output or f"{name}.engine")
    if args.dry_run:
        return _print_plan(plan, args.json)
    runtime.require()
    try:
        with BuildDisplay() as display:
            meta = engine.build(target, plan, display)
    except ParseFailed as exc:
        return _parse_failed(exc, target)
    _print_built(meta, args.json)
    return EXIT_OK


def _options(args: argparse.Namespace) -> Any:
    from resgraph.backends.trt.plan import BuildOptions, parse_batch, parse_size

    return BuildOptions(precision=args.precision, batch=parse_batch(args.batch),
                        workspace=parse_size(args.workspace) if args.workspace else None,
                        opt_level=args.opt_level, timing_cache=args.timing_cache,
                        calibration=args.calibration,
                        calibration_batches=args.calibration_batches)


def _target(args: argparse.Namespace, options: Any) -> Any:
    from resgraph.backends.trt import engine

    if args.spec.endswith(".onnx"):
        if args.sets:
            raise UsageError("--set applies to specs; an ONNX file has no parameters")
        if not Path(args.spec).is_file():
            raise UsageError(f"no such file: {args.spec}")
        try:
            return engine.onnx_target(args.spec)
        except ImportError:
            raise MissingDependency("onnx is not installed: pip install 'resgraph[onnx]'") from None
    return engine.spec_target(load_graph(args), args.spec, parse_sets(args.sets), options)


def _print_plan(plan: Any, as_json: bool) -> int:
    if as_json:
        print_json({"dry_run": True, "plan": plan.to_dict()})
    else:
        out.print("build plan (dry run, nothing built):")
        for line in plan.lines():
            out.print(f"  {line}", markup=False)
    return EXIT_OK


def _parse_failed(exc: Any, target: Any) -> int:
    from resgraph.backends.trt.scopes import ScopeResolver, describe_parser_issues
    from resgraph.backends.trt.sidecar import places

    scopes = places(target.graph) if target.graph is not None else {}
    err.print(f"error: {exc}:", markup=False)
    resolver = ScopeResolver(exc.scopes, scopes)
    for line in describe_parser_issues(exc.issues, resolver, target.where):
        err.print(f"  {line}", markup=False)
    return EXIT_BAD_INPUT


def _print_built(meta: Any, as_json: bool) -> None:
    if as_json:
        print_json({"engine": meta.engine, "sidecar": f"{meta.engine}.json",
                    **json.loads(meta.to_json())})
        return
    size = Path(meta.engine).stat().st_size / 2**20
    out.print(f"wrote {meta.engine} ({size:.1f} MiB) in {meta.build_seconds:.1f} s: "
              f"{meta.precision}, {meta.machine.describe()}; sidecar {meta.engine}.json",
              markup=False)
    if meta.quantization:
        out.print(meta.quantization["summary"], markup=False)


class BuildDisplay:
    """TensorRT's build phases (``IProgressMonitor``) as rich progress bars on stderr."""

    def __init__(self) -> None:
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=err, transient=True, disable=not err.is_terminal)
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> BuildDisplay:
        self.progress.start()
        self.tasks["build"] = self.progress.add_task("building TensorRT engine", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def phase_start(self, phase: str, parent: str | None, steps: int) -> None:
        indent = "  " if parent else ""
        self.tasks[phase] = self.progress.add_task(f"{indent}{phase}", total=steps)

    def step(self, phase: str, step: int) -> None:
        if phase in self.tasks:
            self.progress.update(self.tasks[phase], completed=step + 1)

    def phase_finish(self, phase: str) -> None:
        task = self.tasks.pop(phase, None)
        if task is not None:
            self.progress.remove_task(task)


# profile --------------------------------------------------------------------------------------


def run_profile(args: argparse.Namespace) -> int:
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
        return EXIT_OK
    _print_profile(args.engine, meta, result)
    if drawn:
        out.print(f"wrote {drawn}: coloured by TensorRT time", markup=False)
    return EXIT_OK


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

    if args.runs < 1 or args.warmup < 0:
        raise UsageError("--runs must be at least 1 and --warmup at least 0")
    blob, meta = engine.open_engine(args.engine)
    batch = args.batch or meta.profiles[0]["opt"][0]
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
