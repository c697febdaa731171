"""TensorRT as an execution backend of the benchmark harness, timed the way trtexec times.

trtexec 11 times with CUDA graphs on, host↔device copies left out and spin-wait on by
default; :class:`TimingOptions` defaults to the same so that figures compare, and each can
be turned off. Every ``run`` records CUDA events around the input copy, the inference and
the output copy, so ``timings`` reports GPU compute time apart from the copies whatever the
options.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch

from resgraph.backends.base import Backend, Workload
from resgraph.backends.options import DEFAULT_OPT_LEVEL
from resgraph.backends.tolerance import ARITHMETIC
from resgraph.backends.trt import engine as files
from resgraph.backends.trt import runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.backends.trt.plan import BatchRange, BuildOptions
from resgraph.backends.trt.timing import DEFAULT_TIMING, TimingOptions

#: Workload precision → build precision: "fp32" is strict fp32 (TF32 off)
BUILD_PRECISION = {"fp32": "fp32", "fp16": "fp16", "bf16": "bf16"}


class TensorRTBackend(Backend):
    """Builds (or loads) an engine for the workload, then runs it on a CUDA stream."""

    name = "tensorrt"

    def __init__(self, timing: TimingOptions = DEFAULT_TIMING, engine: str | None = None,
                 workspace: int | None = None, opt_level: int = DEFAULT_OPT_LEVEL,
                 timing_cache: str | None = None):
        self.timing = timing
        self.engine_path = engine
        self.build_options = BuildOptions(workspace=workspace, opt_level=opt_level,
                                          timing_cache=timing_cache)
        self.runner: runtime.Runner | None = None
        self.info: dict[str, Any] = {}
        #: the precision an engine file was built in (None: built here for the workload)
        self.built_as: str | None = None
        self.events: list[list[torch.cuda.Event]] = []
        self.host_out: torch.Tensor | None = None

    def prepare(self, work: Workload) -> None:
        runtime.require()
        blob = self._load(self.engine_path) if self.engine_path else self._build(work)
        self.runner = runtime.load(blob, work.batch)
        if self.timing.copies:
            self.host_out = torch.empty_like(self.runner.output, device="cpu").pin_memory()
        if self.timing.cuda_graph:
            self.runner.capture()

    def _load(self, path: str) -> bytes:
        blob, meta = files.open_engine(path)
        self.built_as = meta.precision
        self.info = {"engine": path, "precision": meta.precision,
                     "built_for": meta.machine.describe()}
        return blob

    def _build(self, work: Workload) -> bytes:
        """An engine for exactly this workload, built in a scratch folder and read back."""
        options = replace(self.build_options, precision=BUILD_PRECISION[work.precision],
                          batch=BatchRange(work.batch, work.batch, work.batch))
        target = replace(files.spec_target(work.graph, work.graph.name, dict(work.graph.params),
                                           options), module=work.module)  # its weights
        with tempfile.TemporaryDirectory(prefix="resgraph-trt-") as tmp:
            output = str(Path(tmp) / f"{work.graph.name}.engine")
            meta = files.build(target, files.plan_for(target, options, output))
            self.info = {"engine": "built for this run", "precision": meta.precision,
                         "build_seconds": meta.build_seconds}
            return Path(output).read_bytes()

    def arithmetic(self, work: Workload) -> str:
        """An engine file computes as it was built (tf32 is TensorRT's default), whatever its
        workload's precision; int8 has no roundoff bound and is held to its workload's."""
        built = self.built_as
        return built if built is not None and built in ARITHMETIC else work.precision

    def run(self, x: torch.Tensor) -> torch.Tensor:
        r = self._runner()
        events = [torch.cuda.Event(enable_timing=True, blocking=not self.timing.spin_wait)
                  for _ in range(4)]
        caller = torch.cuda.current_stream()
        r.stream.wait_stream(caller)  # x may still be being written on the caller's stream
        with torch.cuda.stream(r.stream):
            events[0].record(r.stream)
            if x.data_ptr() != r.input.data_ptr():
                r.input.copy_(x, non_blocking=True)
            events[1].record(r.stream)
        r.launch()
        out = r.output
        with torch.cuda.stream(r.stream):
            events[2].record(r.stream)
            if self.host_out is not None:
                out = self.host_out.copy_(r.output, non_blocking=True)
            events[3].record(r.stream)
        caller.wait_stream(r.stream)  # whoever reads the output on its stream reads it whole
        self.events.append(events)
        return out

    def synchronize(self) -> None:
        if not self.events:
            self._runner().stream.synchronize()
            return
        last = self.events[-1][3]
        if self.timing.spin_wait:
            while not last.query():
                pass
        else:
            last.synchronize()

    def _runner(self) -> runtime.Runner:
        if self.runner is None:
            raise RuntimeError("TensorRTBackend.run before prepare")
        return self.runner

    def timings(self) -> dict[str, list[float]]:
        """Per run, ms of input copy, GPU compute and output copy (CUDA events); the harness
        summarises them beside the host's latency, as trtexec does."""
        if not self.events:
            return {}
        self.synchronize()
        spans = {"h2d_ms": (0, 1), "compute_ms": (1, 2), "d2h_ms": (2, 3)}
        return {key: [e[a].elapsed_time(e[b]) for e in self.events]
                for key, (a, b) in spans.items()}

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"backend": self.name, **asdict(self.timing), **self.info}
        if runtime.missing() is None:
            described.update(asdict(runtime.machine()))
        return described

    def close(self) -> None:
        self.runner = None
        self.events.clear()
        self.host_out = None


#: an engine's build precision → the precision its workload is checked and reported in
WORKLOAD_PRECISION = {"fp32": "fp32", "tf32": "fp32", "fp16": "fp16", "bf16": "bf16",
                      "int8": "fp32"}


def engine_workload(path: str, batch: int | None = None,
                    timing: TimingOptions = DEFAULT_TIMING) -> tuple[Workload, TensorRTBackend]:
    """What ``resgraph bench NAME.engine`` runs: the engine file as a backend, and a workload
    whose reference module has the engine's own weights (rebuilt from the spec and seed the
    sidecar names), at ``batch`` (default: the profile's OPT)."""
    meta = sc.engine_meta(path)
    runtime.require()
    graph, module = files.reference(meta)
    work = Workload(graph, module, batch or int(meta.profiles[0]["opt"][0]),
                    WORKLOAD_PRECISION[meta.precision], "cuda")
    return work, TensorRTBackend(timing, engine=path)
