"""The backends' public entries, one home: :func:`export_onnx` (``resgraph export``),
:func:`bench` and :func:`bench_engine` (``resgraph bench``), :func:`plan_build` and
:func:`build` (``resgraph build``, ``--dry-run``), :func:`profile` (``resgraph profile``).
The command line is a view of these; nothing it does is missing here.

Every entry checks the whole request before it does any work, in this order: the numbers
(the option objects check themselves against :mod:`resgraph.backends.options`' bounds), the
files it reads (there, and files, before any optional dependency is looked for: a missing
engine is reported missing, not "TensorRT is not installed"), the files it writes
(:func:`resgraph.files.check_output`: an existing folder, writable, none of the inputs);
then what is missing to install. Every file it writes is written whole or not at all.

Importing this module is cheap (no torch, onnx or TensorRT); each entry imports what it runs.
It is also all a command line needs of the backends to build its parser and its requests:
the names (:data:`BACKEND_NAMES`, :data:`PRECISIONS`, :data:`BUILD_PRECISIONS`,
:data:`DEVICES`), the bounds (``MAX_*``), the option objects that check themselves
(:class:`BenchOptions`, :class:`BuildOptions`, :class:`TimingOptions`) and the TensorRT
timing flags (:func:`add_timing_args`, :func:`timing_from_args`), re-exported from
:mod:`.options`, :mod:`.trt.plan` and :mod:`.trt.timing`.

A spec argument is what :func:`resgraph.load` takes (a path, a shipped name or a
:class:`resgraph.Source`) or an IR :class:`~resgraph.ir.Graph`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resgraph.backends.options import (
    BUILD_PRECISIONS,
    DEFAULT_BACKENDS,
    DEFAULT_BUILD_PRECISION,
    DEFAULT_OPT_LEVEL,
    DEVICES,
    MAX_BATCH,
    MAX_BATCH_SIZES,
    MAX_CALIBRATION_BATCHES,
    MAX_DURATION_S,
    MAX_ITERATIONS,
    MAX_OPT_LEVEL,
    MAX_PROFILE_RUNS,
    MAX_PROFILE_WARMUP,
    MAX_SEED,
    MAX_THREADS,
    MAX_WARMUP_S,
    MAX_WORKSPACE,
    MIN_OPSET,
    PRECISIONS,
    BenchError,
    BenchOptions,
    batch_size,
    check_batches,
    check_threads,
    existing_file,
    whole,
)
from resgraph.backends.registry import BACKENDS, UnknownBackend
from resgraph.backends.trt.plan import (
    BatchRange,
    BuildOptions,
    BuildPlan,
    PlanError,
    parse_size,
    sidecar_path,
)
from resgraph.backends.trt.timing import (
    DEFAULT_TIMING,
    TimingOptions,
    add_timing_args,
    timing_from_args,
)
from resgraph.errors import Source, UsageError
from resgraph.files import check_output
from resgraph.ir import Graph

if TYPE_CHECKING:
    from torch import fx

    from resgraph.backends.base import Backend, Workload
    from resgraph.backends.harness import Case, Progress, Report
    from resgraph.backends.onnx_export import BatchArg, ExportInfo
    from resgraph.backends.trt.engine import Target
    from resgraph.backends.trt.runtime import BuildProgress
    from resgraph.backends.trt.scopes import Attribution
    from resgraph.backends.trt.sidecar import Sidecar

SpecArg = str | Path | Source
#: the backends ``bench`` can name, in the registry's order
BACKEND_NAMES = tuple(BACKENDS)
#: what a benchmark or a build does when not told otherwise
DEFAULT_BENCH, DEFAULT_BUILD = BenchOptions(), BuildOptions()


# ONNX -----------------------------------------------------------------------------------------


def export_onnx(source: SpecArg | Graph | fx.GraphModule, output: str | Path, *,
                batch: BatchArg = 1, opset: int | None = None, fold_bn: bool = True,
                precision: str = "fp32", params: Mapping[str, Any] | None = None) -> ExportInfo:
    """Export a spec, a graph (weights from seed 0, the same file every time) or the module
    :func:`resgraph.lower_fx.lower_fx` made (its weights) to ONNX at ``output``.

    ``batch``: ``1`` (fixed), ``"dynamic"`` (1 upward), ``(MIN, MAX)``;
    ``opset``: 18 to the installed onnx's newest (default the exporter's, 22 for bf16);
    ``precision``: fp32, fp16 or bf16 inside, fp32 at the edges; ``fold_bn=False`` keeps
    every BN a node. What ``resgraph export`` runs."""
    from resgraph.backends.onnx_export import export_onnx as export

    check_output(output, inputs=_files(source))
    return export(_graph(source, params), output, batch=batch, opset=opset, fold_bn=fold_bn,
                  precision=precision)


# benchmarks -----------------------------------------------------------------------------------


def bench(spec: SpecArg | Graph, backends: Sequence[str] = DEFAULT_BACKENDS,
          options: BenchOptions = DEFAULT_BENCH, *, params: Mapping[str, Any] | None = None,
          progress: Progress | None = None, **backend_options: Any) -> Report:
    """Benchmark a spec on ``backends``, each checked against the spec's PyTorch module
    before it is timed; ``backend_options`` (``threads``, ``channels_last``, ``timing``...)
    go to every backend whose constructor takes them. What ``resgraph bench SPEC`` runs."""
    from resgraph.backends.base import Workload
    from resgraph.backends.harness import measure
    from resgraph.lower_fx import lower_fx

    names = check_names(backends)
    check_threads(backend_options.get("threads"))
    graph = _graph(spec, params)
    module = lower_fx(graph, "cpu", seed=options.seed).eval()
    cases = [_case(n, Workload(graph, module, b, options.precision, options.device),
                   backend_options) for b in options.batches for n in names]
    return measure(cases, options, graph.name, _ref(spec, graph), dict(graph.params),
                   progress)


def bench_engine(path: str | Path, backends: Sequence[str] = (),
                 options: BenchOptions = DEFAULT_BENCH, *,
                 batches: Sequence[int] | None = None, progress: Progress | None = None,
                 **backend_options: Any) -> Report:
    """Benchmark a TensorRT engine file (``resgraph bench NAME.engine``) at ``batches``
    (default: its profile's OPT), and ``backends`` beside it on the engine's own reference
    module; ``options`` time it (batch sizes, precision and device are the engine's). The
    file is checked first, then TensorRT and a GPU (:class:`MissingExtra` without them)."""
    from resgraph.backends.harness import Case, measure
    from resgraph.backends.trt.backend import engine_workload

    names = [n for n in check_names(backends) if n != "tensorrt"] if backends else []
    check_threads(backend_options.get("threads"))
    asked = check_batches(batches) if batches is not None else (None,)
    timing = backend_options.get("timing", DEFAULT_TIMING)
    engines = [engine_workload(str(path), batch, timing) for batch in asked]
    first = engines[0][0]
    options = replace(options, batches=tuple(w.batch for w, _ in engines),
                      precision=first.precision, device=first.device)
    cases: list[Case] = []
    for work, engine in engines:
        cases.append(Case("tensorrt", work.batch, partial(_given, work, engine)))
        cases += [_case(n, work, backend_options) for n in names]
    return measure(cases, options, first.graph.name, str(path), dict(first.graph.params),
                   progress)


def check_names(backends: Sequence[str]) -> list[str]:
    """The backend names, each known (else :class:`UnknownBackend` with a suggestion)."""
    if not backends:
        raise BenchError("name at least one backend")
    for name in backends:
        if name not in BACKENDS:
            raise UnknownBackend(name)
    if len(set(backends)) != len(backends):
        raise BenchError(f"a backend is named twice: {', '.join(backends)}")
    return list(backends)


def _case(name: str, work: Workload, backend_options: dict[str, Any]) -> Case:
    from resgraph.backends.harness import Case
    from resgraph.backends.registry import get_backend

    return Case(name, work.batch, lambda: (work, get_backend(name, **backend_options)))


def _given(work: Workload, backend: Backend) -> tuple[Workload, Backend]:
    return work, backend


# TensorRT engines -------------------------------------------------------------------------------


def plan_build(source: SpecArg | Graph, output: str | Path | None = None,
               options: BuildOptions = DEFAULT_BUILD, *,
               params: Mapping[str, Any] | None = None) -> BuildPlan:
    """Every setting a build of ``source`` (a spec or a ``.onnx`` file) into ``output``
    (default ``NAME.engine``) would apply, without TensorRT: ``resgraph build --dry-run``."""
    return _planned(source, output, options, params)[1]


def build(source: SpecArg | Graph, output: str | Path | None = None,
          options: BuildOptions = DEFAULT_BUILD, *, params: Mapping[str, Any] | None = None,
          progress: BuildProgress | None = None) -> Sidecar:
    """Build a TensorRT engine of a spec (exported by resgraph) or a ``.onnx`` file into
    ``output`` (default ``NAME.engine``), with its sidecar ``output.json`` beside it;
    returns the sidecar. Needs TensorRT and a GPU (:class:`MissingExtra`, after every
    argument and file is checked). A parser failure is :class:`ParseFailed`, one line per
    ONNX node naming its spec scope. What ``resgraph build`` runs."""
    from resgraph.backends.trt import engine, runtime

    target, plan = _planned(source, output, options, params)
    inputs = _files(source) + _calibration(options)
    for path, flag in ((plan.output, "-o"), (plan.sidecar, "-o"),
                       (plan.timing_cache, "--timing-cache")):
        if path is not None:
            check_output(path, inputs=inputs, flag=flag)
    runtime.require()
    return engine.build(target, plan, progress)


def _planned(source: SpecArg | Graph, output: str | Path | None, options: BuildOptions,
             params: Mapping[str, Any] | None) -> tuple[Target, BuildPlan]:
    from resgraph.backends.trt import engine

    _calibration(options)
    if _is_onnx(source):
        if params:
            raise PlanError("params (--set) apply to specs; an ONNX file has no parameters")
        target = engine.onnx_target(str(source))
        name = Path(str(source)).stem
    else:
        graph = _graph(source, params)
        target = engine.spec_target(graph, _ref(source, graph), dict(params or {}), options)
        name = graph.name
    return target, engine.plan_for(target, options, str(output or f"{name}.engine"))


def _is_onnx(source: object) -> bool:
    return isinstance(source, (str, Path)) and str(source).endswith(".onnx")


def _calibration(options: BuildOptions) -> list[Path]:
    """The calibration file an int8 build reads, checked to be there."""
    if options.precision != "int8" or options.calibration == "random":
        return []
    return [existing_file(options.calibration, "--calibration file")]


# profiles ---------------------------------------------------------------------------------------


@dataclass
class Profile:
    """An engine's per-layer times and their sums onto the spec's scopes, blocks, stages."""

    engine: str
    #: the engine's sidecar: what it was built from, and its scope tables
    meta: Sidecar
    #: TensorRT layer name → ms per inference
    layers: dict[str, float]
    attribution: Attribution

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "layers": self.layers, **self.attribution.to_dict()}

    def values(self) -> dict[str, float]:
        """ms per inference of every scope, block and stage: what a diagram is coloured by."""
        a = self.attribution
        return {**a.scopes, **a.blocks, **a.stages}

    def spec(self) -> tuple[Graph, bool]:
        """The spec the engine was built from, as it is now, and whether it changed since
        the build (a diagram of it then shows the spec, not the engine)."""
        from resgraph.api import load
        from resgraph.backends.trt.sidecar import graph_hash

        if self.meta.source_kind != "spec":
            raise UsageError(f"{self.engine} was built from an ONNX file, not a spec")
        graph = load(self.meta.source, **self.meta.params)
        return graph, graph_hash(graph) != self.meta.source_hash


def profile(engine: str | Path, *, batch: int | None = None, runs: int = 20, warmup: int = 5,
            layer_times: str | Path | None = None) -> Profile:
    """Time an engine layer by layer (TensorRT's profiler: ``warmup`` inferences, then
    ``runs`` profiled ones at ``batch``, default the profile's OPT) and sum the times onto
    the spec's scopes, blocks and stages; with ``layer_times`` (trtexec's
    ``--exportProfile`` JSON) the times are read instead, with no TensorRT or GPU.
    What ``resgraph profile`` runs."""
    from resgraph.backends.trt import sidecar as sc
    from resgraph.backends.trt.scopes import ScopeResolver, attribute

    whole(runs, 1, MAX_PROFILE_RUNS, "--runs", UsageError)
    whole(warmup, 0, MAX_PROFILE_WARMUP, "--warmup", UsageError)
    if layer_times is not None:
        meta = sc.read(sidecar_path(str(engine)))
        times, layers = _trtexec_times(layer_times), None
    else:
        meta, times, layers = _measure(engine, batch, runs, warmup)
    attribution = attribute(times, ScopeResolver(meta.scopes, meta.places), meta.places, layers)
    return Profile(str(engine), meta, times, attribution)


def _trtexec_times(path: str | Path) -> dict[str, float]:
    import json

    from resgraph.backends.trt.scopes import trtexec_profile

    text = existing_file(path, "--layer-times file").read_text(errors="replace")
    try:
        return trtexec_profile(json.loads(text))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise UsageError(f"{path}: not a trtexec --exportProfile JSON file") from None


def _measure(engine: str | Path, batch: int | None, runs: int,
             warmup: int) -> tuple[Sidecar, dict[str, float], dict[str, list[str]]]:
    from resgraph.backends.trt import engine as files
    from resgraph.backends.trt import runtime
    from resgraph.backends.trt.scopes import inspector_layers

    blob, meta = files.open_engine(engine)
    runner = runtime.load(blob, _profile_batch(meta, batch))
    for _ in range(warmup):
        runner.launch()
    runner.stream.synchronize()
    times = runner.layer_times(runs)
    return meta, times, inspector_layers(runner.inspect())


def _profile_batch(meta: Sidecar, batch: int | None) -> int:
    """``batch``, within the engine's profile (default its OPT)."""
    shapes = meta.profiles[0]
    if batch is None:
        return int(shapes["opt"][0])
    lo, hi = int(shapes["min"][0]), int(shapes["max"][0])
    if not lo <= batch_size(batch, "--batch") <= hi:
        raise UsageError(f"--batch {batch} is outside the engine's profile ({lo} to {hi})")
    return batch


# shared ----------------------------------------------------------------------------------------


def _graph(source: Any, params: Mapping[str, Any] | None) -> Any:
    """The graph of a spec argument; a graph or a module as it is (params are a spec's)."""
    if isinstance(source, (str, Path, Source)):
        from resgraph.api import load

        return load(source, **(params or {}))
    if params:
        raise UsageError("params override a spec's params; give a spec, not a "
                         f"{type(source).__name__}")
    return source


def _ref(source: object, graph: Graph) -> str:
    """How reports and sidecars name the source: its path or shipped name, else the
    network's name (a graph, or spec text)."""
    return str(source) if isinstance(source, (str, Path)) else graph.name


def _files(source: object) -> list[Path]:
    """The file a spec or ONNX argument names, so that no output lands on it."""
    if isinstance(source, (str, Path)) and Path(source).is_file():
        return [Path(source)]
    return []


#: the entries, and what a command line needs of the backends (all cheap to import)
__all__ = [
    "BACKEND_NAMES", "BUILD_PRECISIONS", "DEFAULT_BACKENDS", "DEFAULT_BUILD_PRECISION",
    "DEFAULT_OPT_LEVEL", "DEFAULT_TIMING", "DEVICES", "MAX_BATCH", "MAX_BATCH_SIZES",
    "MAX_CALIBRATION_BATCHES", "MAX_DURATION_S", "MAX_ITERATIONS", "MAX_OPT_LEVEL",
    "MAX_PROFILE_RUNS", "MAX_PROFILE_WARMUP", "MAX_SEED", "MAX_THREADS", "MAX_WARMUP_S",
    "MAX_WORKSPACE", "MIN_OPSET", "PRECISIONS", "BatchRange", "BenchError", "BenchOptions",
    "BuildOptions", "PlanError", "Profile", "TimingOptions", "UnknownBackend", "add_timing_args",
    "bench", "bench_engine", "build", "check_names", "export_onnx", "parse_size", "plan_build",
    "profile", "timing_from_args",
]
