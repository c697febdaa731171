"""The one module that calls TensorRT: apply a build plan, load an engine, run it.

Kept thin on purpose: what to build comes from :mod:`.plan`, what an engine was built for
from :mod:`.sidecar`, what a layer name means from :mod:`.scopes`; this module only turns
those into TensorRT calls (TensorRT 10 and 11 Python API) and is checked by ``mypy
--strict`` against the ``tensorrt-stubs`` package. ``tensorrt`` is imported inside each
function, after :func:`require` said it is there, so that everything else runs without it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import torch

from resgraph.backends.base import MissingExtra
from resgraph.backends.trt.plan import BuildPlan
from resgraph.backends.trt.scopes import ParserIssue, ScopeResolver, describe_parser_issues
from resgraph.backends.trt.sidecar import Machine
from resgraph.errors import UsageError
from resgraph.files import write_atomic

if TYPE_CHECKING:
    import tensorrt as trt

INSTALL = ("pip install 'resgraph[tensorrt]' (TensorRT's libraries come from NVIDIA's package "
           "index: see NVIDIA's TensorRT installation guide)")


class TensorRTMissing(MissingExtra):
    """TensorRT or a CUDA GPU is missing; one line saying which and how to get it (exit 3)."""

    def __init__(self, message: str):
        Exception.__init__(self, message)


class TensorRTError(UsageError):
    """TensorRT refused a model or an engine; the message says which and why."""


class ParseFailed(TensorRTError):
    """TensorRT's ONNX parser rejected the model; ``issues`` lists its errors node by node,
    and the rendered error shows one line each."""

    def __init__(self, issues: list[ParserIssue]):
        super().__init__(f"TensorRT's ONNX parser reported {len(issues)} error(s)")
        self.issues = issues
        #: the export's ONNX node → spec scope table, filled in by whoever knows it
        self.scopes: dict[str, str] = {}
        #: one line per issue; whoever knows the scopes names them (``engine.build`` does)
        self.lines = describe_parser_issues(issues, ScopeResolver({}, ()))

    def render(self) -> str:
        return "\n".join([f"error: {self}:", *(f"  {line}" for line in self.lines)])

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "issues": list(self.lines)}


def missing() -> str | None:
    """What this machine lacks to build or run an engine, in one line; None if nothing."""
    try:
        import tensorrt
    except (ImportError, OSError) as exc:
        return f"TensorRT is not installed ({_first_line(exc)}): {INSTALL}"
    if not hasattr(tensorrt, "Builder"):  # a folder of type stubs imports as an empty package
        return f"TensorRT is not installed (only its type stubs are): {INSTALL}"
    if not torch.cuda.is_available():
        return ("no CUDA GPU here: TensorRT builds and runs engines on an NVIDIA GPU "
                "(torch.cuda.is_available() is False; check the driver and a CUDA build of torch)")
    return None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def require() -> None:
    """Raise :class:`TensorRTMissing` unless TensorRT and a CUDA GPU are both here."""
    reason = missing()
    if reason:
        raise TensorRTMissing(reason)


def machine() -> Machine:
    """This machine as an engine sees it: TensorRT release, GPU, compute capability."""
    import tensorrt as trt

    major, minor = torch.cuda.get_device_capability()
    return Machine(trt.__version__, torch.cuda.get_device_name(), f"{major}.{minor}")


# building ----------------------------------------------------------------------------------


class BuildProgress(Protocol):
    """Receives TensorRT's build phases (``IProgressMonitor``) for a progress display."""

    def phase_start(self, phase: str, parent: str | None, steps: int) -> None: ...

    def step(self, phase: str, step: int) -> None: ...

    def phase_finish(self, phase: str) -> None: ...


@dataclass
class Built:
    engine: bytes
    seconds: float
    input_name: str
    output_name: str


def build_engine(plan: BuildPlan, onnx: Path, progress: BuildProgress | None = None) -> Built:
    """Parse ``onnx`` and build the serialised engine exactly as ``plan`` says."""
    require()
    import tensorrt as trt

    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(_network_flags(plan))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx)):
        raise ParseFailed([_issue(parser.get_error(i)) for i in range(parser.num_errors)])
    _check_input(plan, network)
    config = _config(plan, builder)
    monitor = _monitor(progress) if progress is not None else None  # alive through the build
    if monitor is not None:
        config.progress_monitor = monitor
    start = time.perf_counter()
    blob = builder.build_serialized_network(network, config)
    seconds = time.perf_counter() - start
    if blob is None:
        raise TensorRTError("TensorRT could not build the engine (its messages above say why)")
    _save_timing_cache(plan, config)
    return Built(bytes(blob), seconds, network.get_input(0).name, network.get_output(0).name)


def _network_flags(plan: BuildPlan) -> int:
    import tensorrt as trt

    known = {"STRONGLY_TYPED": trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED}
    return sum(1 << int(known[name]) for name in plan.network_flags)


def _issue(error: trt.ParserError) -> ParserIssue:
    return ParserIssue(error.node(), error.node_name(), error.node_operator(), error.desc())


def _check_input(plan: BuildPlan, network: trt.INetworkDefinition) -> None:
    names = [network.get_input(i).name for i in range(network.num_inputs)]
    wanted = [p.input for p in plan.profiles]
    if sorted(names) != sorted(wanted):
        raise TensorRTError(f"the model's inputs are {names}, the plan's profile is for {wanted}")


def _config(plan: BuildPlan, builder: trt.Builder) -> trt.IBuilderConfig:
    import tensorrt as trt

    config = builder.create_builder_config()
    flags = {"TF32": trt.BuilderFlag.TF32}
    for name, on in plan.builder_flags.items():
        (config.set_flag if on else config.clear_flag)(flags[name])
    pools = {"WORKSPACE": trt.MemoryPoolType.WORKSPACE}
    for name, limit in plan.memory_pool_limits.items():
        config.set_memory_pool_limit(pools[name], limit)
    profile = builder.create_optimization_profile()
    for p in plan.profiles:
        profile.set_shape(p.input, trt.Dims(list(p.min)), trt.Dims(list(p.opt)),
                          trt.Dims(list(p.max)))
    config.add_optimization_profile(profile)
    config.builder_optimization_level = plan.builder_optimization_level
    verbosity = {"DETAILED": trt.ProfilingVerbosity.DETAILED,
                 "LAYER_NAMES_ONLY": trt.ProfilingVerbosity.LAYER_NAMES_ONLY}
    config.profiling_verbosity = verbosity[plan.profiling_verbosity]
    if plan.timing_cache:
        cache_file = Path(plan.timing_cache)
        data = cache_file.read_bytes() if cache_file.is_file() else b""
        config.set_timing_cache(config.create_timing_cache(data), False)
    return config


def _save_timing_cache(plan: BuildPlan, config: trt.IBuilderConfig) -> None:
    if plan.timing_cache:
        write_atomic(plan.timing_cache, bytes(config.get_timing_cache().serialize()))


def _monitor(progress: BuildProgress) -> trt.IProgressMonitor:
    import tensorrt as trt

    class Monitor(trt.IProgressMonitor):
        def __init__(self) -> None:
            trt.IProgressMonitor.__init__(self)

        def phase_start(self, phase_name: str, parent_phase: str, num_steps: int) -> None:
            progress.phase_start(phase_name, parent_phase or None, num_steps)

        def step_complete(self, phase_name: str, step: int) -> bool:
            progress.step(phase_name, step)
            return True  # False would cancel the build

        def phase_finish(self, phase_name: str) -> None:
            progress.phase_finish(phase_name)

    return Monitor()


# running ------------------------------------------------------------------------------------


def _torch_dtype(dtype: trt.DataType) -> torch.dtype:
    import tensorrt as trt

    table = {trt.DataType.FLOAT: torch.float32, trt.DataType.HALF: torch.float16,
             trt.DataType.BF16: torch.bfloat16, trt.DataType.INT32: torch.int32,
             trt.DataType.INT64: torch.int64, trt.DataType.INT8: torch.int8,
             trt.DataType.UINT8: torch.uint8, trt.DataType.BOOL: torch.bool}
    if dtype not in table:
        raise TensorRTError(f"engine I/O of type {dtype} is not supported by resgraph")
    return table[dtype]


@dataclass
class Runner:
    """A deserialised engine and one execution context, its I/O bound to torch CUDA tensors
    at one batch size; ``launch`` enqueues one inference on ``stream``."""

    engine: trt.ICudaEngine
    context: trt.IExecutionContext
    stream: torch.cuda.Stream
    input_name: str
    output_name: str
    buffers: dict[str, torch.Tensor]
    graph: torch.cuda.CUDAGraph | None = None
    #: keeps the runtime alive as long as its engine
    keep: list[object] = field(default_factory=list)

    @property
    def input(self) -> torch.Tensor:
        return self.buffers[self.input_name]

    @property
    def output(self) -> torch.Tensor:
        return self.buffers[self.output_name]

    def launch(self) -> None:
        with torch.cuda.stream(self.stream):
            if self.graph is not None:
                self.graph.replay()
            elif not self.context.execute_async_v3(self.stream.cuda_stream):
                raise TensorRTError("execute_async_v3 failed (TensorRT's messages say why)")

    def capture(self) -> None:
        """Record one inference as a CUDA graph; later launches replay it."""
        self.launch()  # the first enqueue after a shape change does set-up work
        self.stream.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=self.stream):
            self.context.execute_async_v3(self.stream.cuda_stream)
        self.graph = graph

    def layer_times(self, runs: int) -> dict[str, float]:
        """Mean ms per layer over ``runs`` inferences, from TensorRT's ``IProfiler``."""
        sink: dict[str, list[float]] = {}
        self.context.profiler = _profiler(sink)
        graph, self.graph = self.graph, None  # a profiled run cannot be a graph replay
        try:
            for _ in range(runs):
                self.launch()
                self.stream.synchronize()
        finally:
            self.graph = graph
        return {name: sum(ms) / len(ms) for name, ms in sink.items()}

    def inspect(self) -> str:
        """The engine inspector's JSON: every layer, with its ONNX nodes when DETAILED."""
        import tensorrt as trt

        inspector = self.engine.create_engine_inspector()
        inspector.execution_context = self.context
        return inspector.get_engine_information(trt.LayerInformationFormat.JSON)


def load(blob: bytes, batch: int) -> Runner:
    """Deserialise an engine and bind fresh CUDA buffers for ``batch`` samples."""
    require()
    import tensorrt as trt

    logger = trt.Logger(trt.Logger.WARNING)
    runtime = trt.Runtime(logger)
    engine = runtime.deserialize_cuda_engine(blob)
    if engine is None:
        raise TensorRTError("TensorRT could not deserialise the engine (built by another "
                            "TensorRT release or for another GPU?)")
    context = engine.create_execution_context()
    names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
    inputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
    outputs = [n for n in names if n not in inputs]
    for name in inputs:
        shape = [batch, *engine.get_tensor_shape(name)[1:]]
        if not context.set_input_shape(name, shape):
            raise TensorRTError(f"batch {batch} is outside the engine's profile for '{name}'")
    buffers = {name: _bind(context, name, _torch_dtype(engine.get_tensor_dtype(name)))
               for name in names}
    return Runner(engine, context, torch.cuda.Stream(), inputs[0], outputs[0], buffers,
                  keep=[runtime, logger])


def _bind(context: trt.IExecutionContext, name: str, dtype: torch.dtype) -> torch.Tensor:
    dims = context.get_tensor_shape(name)
    shape = tuple(dims[i] for i in range(len(dims)))
    buffer = torch.empty(shape, dtype=dtype, device="cuda")
    context.set_tensor_address(name, buffer.data_ptr())
    return buffer


def _profiler(sink: dict[str, list[float]]) -> trt.IProfiler:
    import tensorrt as trt

    class Profiler(trt.IProfiler):
        def __init__(self) -> None:
            trt.IProfiler.__init__(self)

        def report_layer_time(self, layer_name: str, ms: float) -> None:
            sink.setdefault(layer_name, []).append(ms)

    return Profiler()
