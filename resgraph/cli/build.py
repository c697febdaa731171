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
from typing import Any, Self

from resgraph.cli.args import (
    batch_argument,
    int_in,
    json_argument,
    output_argument,
    parse_sets,
    read_spec,
    set_argument,
)
from resgraph.cli.output import err, out, print_json

NAME = "build"
HELP = "build a TensorRT engine from a spec or an ONNX file"
EPILOG = """examples:
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



def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="a spec file, a shipped network's name, or a .onnx file")
    set_argument(p)
    output_argument(p, "the engine file (default: NAME.engine)")
    p.add_argument("--precision", default="tf32",
                   help="fp32, tf32 (default, as TensorRT), fp16, bf16, or int8 (Q/DQ)")
    batch_argument(p, "N", "MIN:OPT:MAX",
                   help="a fixed batch size, or a dynamic range tuned for OPT (default 1)")
    p.add_argument("--workspace", metavar="SIZE",
                   help="workspace memory pool limit, e.g. 4GiB or 512MiB (a bare number is "
                        "MiB; default: TensorRT's, all device memory)")
    p.add_argument("--opt-level", type=int_in(0, 5), default=3, metavar="0-5",
                   help="builder optimisation level (default 3, TensorRT's)")
    p.add_argument("--timing-cache", metavar="FILE",
                   help="read tactic timings from FILE if it exists, write them back after")
    p.add_argument("--calibration", default="random", metavar="random|FILE.npy",
                   help="int8: calibrate on seeded random data (default) or on an array of "
                        "samples (NxCxHxW .npy)")
    p.add_argument("--calibration-batches", type=int_in(1, 10_000),
                   default=8, metavar="N",
                   help="int8: calibration batches of 8 samples (default 8)")
    p.add_argument("--dry-run", action="store_true",
                   help="print every setting the build would apply, and stop")
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    from resgraph.backends import api

    spec = args.spec if args.spec.endswith(".onnx") else read_spec(args)
    options = api.BuildOptions(
        precision=args.precision, batch=args.batch.range or args.batch.size,
        workspace=api.parse_size(args.workspace) if args.workspace else None,
        opt_level=args.opt_level, timing_cache=args.timing_cache, calibration=args.calibration,
        calibration_batches=args.calibration_batches)
    params = parse_sets(args.sets)
    if args.dry_run:
        return _print_plan(api.plan_build(spec, args.output, options, params=params), args.json)
    with BuildDisplay() as display:
        meta = api.build(spec, args.output, options, params=params, progress=display)
    _print_built(meta, args.json)
    return 0


def _print_plan(plan: Any, as_json: bool) -> int:
    if as_json:
        print_json({"dry_run": True, "plan": plan.to_dict()})
    else:
        out.print("build plan (dry run, nothing built):")
        for line in plan.lines():
            out.print(f"  {line}", markup=False)
    return 0


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
        from rich.progress import (  # here: every command imports this module for its help
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=err, transient=True, disable=not err.is_terminal)
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Self:
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
