"""Build options → a TensorRT build plan: every setting ``runtime.build_engine`` will apply.

The plan is plain data so that ``resgraph build --dry-run`` prints exactly what a real build
does, golden tests pin it without TensorRT, and the one module that calls TensorRT only
applies it. Precision follows TensorRT 10.12+ and 11: the network is always strongly typed
and takes its precision from the ONNX tensor types (resgraph emits the graph in fp16/bf16
with fp32 inputs and outputs); the only precision builder flag left is TF32.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from resgraph.backends.options import (
    BUILD_PRECISIONS,
    CALIBRATION_BATCH_SIZE,
    DEFAULT_BUILD_PRECISION,
    DEFAULT_OPT_LEVEL,
    MAX_CALIBRATION_BATCHES,
    MAX_OPT_LEVEL,
    MAX_WORKSPACE,
    batch_size,
    choice,
    whole,
)
from resgraph.errors import UsageError

#: --precision values, and the type the ONNX graph is emitted in for each (int8: fp32, then
#: Q/DQ nodes inserted by :mod:`.quantize`)
EXPORT_PRECISION = {"fp32": "fp32", "tf32": "fp32", "fp16": "fp16", "bf16": "bf16",
                    "int8": "fp32"}
PRECISIONS = BUILD_PRECISIONS
#: TensorRT's own default for a plain build (trtexec with no precision flag): fp32 with TF32
DEFAULT_PRECISION = DEFAULT_BUILD_PRECISION
#: builder flags that TensorRT 10.12 deprecated and TensorRT 11 removed: never set any
REMOVED_BUILDER_FLAGS = frozenset({
    "FP16", "BF16", "INT8", "FP8", "INT4", "FP4",
    "OBEY_PRECISION_CONSTRAINTS", "PREFER_PRECISION_CONSTRAINTS", "DIRECT_IO",
})
#: the TensorRT releases this plan is written for
SUPPORTED_TENSORRT = "10.x (strongly typed, 10.12 or newer advised) and 11.x"

_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*(\d{1,16}(?:\.\d{1,16})?)\s*([a-zA-Z]*)\s*$")


class PlanError(UsageError, ValueError):
    """A build option that cannot be planned; the message names the option and the fix."""


@dataclass(frozen=True)
class BatchRange:
    """The batch dimension of the optimisation profile: ``N`` or ``MIN:OPT:MAX``, each from 1
    to :data:`~resgraph.backends.options.MAX_BATCH`; checked when made."""

    min: int
    opt: int
    max: int

    def __post_init__(self) -> None:
        for end in (self.min, self.opt, self.max):
            batch_size(end, "--batch", PlanError)
        if not self.min <= self.opt <= self.max:
            raise PlanError(f"--batch {self.min}:{self.opt}:{self.max}: need "
                            "1 <= MIN <= OPT <= MAX")

    @property
    def static(self) -> bool:
        return self.min == self.opt == self.max

    def __str__(self) -> str:
        return str(self.opt) if self.static else f"{self.min}:{self.opt}:{self.max}"


BatchArg = int | tuple[int, int, int]


def parse_batch(batch: BatchArg | BatchRange) -> BatchRange:
    """``8`` → 8:8:8; ``(1, 32, 256)`` → a dynamic batch tuned for 32. (Text such as
    ``1:32:256`` is the command line's grammar; the API takes the values.)"""
    if isinstance(batch, BatchRange):
        return batch
    if isinstance(batch, tuple) and len(batch) == 3:
        return BatchRange(*batch)
    if isinstance(batch, int) and not isinstance(batch, bool):
        return BatchRange(batch, batch, batch)
    raise PlanError(f"--batch is a size N or a range (MIN, OPT, MAX), got {str(batch)[:40]!r}")


def parse_size(text: str) -> int:
    """A memory size in bytes: ``4GiB``, ``512MiB``, ``1.5GB``; a bare number is MiB, as in
    trtexec's ``--memPoolSize``. From 1 B to 1 TiB."""
    m = _SIZE.match(text)
    unit = m.group(2).lower() if m else ""
    if not m or (unit and unit not in _UNITS):
        raise PlanError(f"--workspace takes a size such as 4GiB, 512MiB or 1GB, got '{text}'")
    return check_workspace(int(float(m.group(1)) * (_UNITS[unit] if unit else 2**20)), text)


def check_workspace(size: int, given: object = None) -> int:
    """A workspace limit in bytes, more than zero and at most 1 TiB."""
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_WORKSPACE:
        raise PlanError(f"--workspace must be more than 0 B and at most "
                        f"{format_size(MAX_WORKSPACE)}, got '{size if given is None else given}'")
    return size


def format_size(size: int) -> str:
    """A size in the largest binary unit that holds it exactly: 4294967296 → ``4 GiB``."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        if size % _UNITS[unit.lower()] == 0:
            return f"{size // _UNITS[unit.lower()]} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked for; checked when made, so a bad option never reaches a plan.
    ``batch`` may be given as ``8``, ``(1, 32, 256)`` or ``"1:32:256"``."""

    precision: str = DEFAULT_PRECISION
    batch: BatchRange = BatchRange(1, 1, 1)
    #: bytes (see :func:`parse_size` for ``"4GiB"``); None: TensorRT's default
    workspace: int | None = None
    opt_level: int = DEFAULT_OPT_LEVEL
    timing_cache: str | None = None
    #: int8 only: "random" (seeded) or a .npy file of samples, and how many batches of 8
    calibration: str = "random"
    calibration_batches: int = 8

    def __post_init__(self) -> None:
        object.__setattr__(self, "batch", parse_batch(self.batch))
        choice(self.precision, PRECISIONS, "precision", PlanError)
        if self.workspace is not None:
            check_workspace(self.workspace)
        whole(self.opt_level, 0, MAX_OPT_LEVEL, "--opt-level", PlanError)
        whole(self.calibration_batches, 1, MAX_CALIBRATION_BATCHES, "--calibration-batches",
              PlanError)


def quantize_step(o: BuildOptions) -> dict[str, Any] | None:
    """How the ONNX gets its Q/DQ nodes (int8 only): what TensorRT 11 needs instead of the
    removed INT8 flag and calibrator."""
    if o.precision != "int8":
        return None
    return {"type": "int8", "format": "QDQ", "scheme": "symmetric, per-channel weights",
            "method": "minmax", "calibration": o.calibration, "batches": o.calibration_batches,
            "batch_size": CALIBRATION_BATCH_SIZE, "seed": 0}


@dataclass(frozen=True)
class Profile:
    """One input's shapes in the optimisation profile."""

    input: str
    min: tuple[int, ...]
    opt: tuple[int, ...]
    max: tuple[int, ...]


@dataclass(frozen=True)
class Source:
    """Where the ONNX comes from: a spec resgraph exports, or an ONNX file given as is."""

    kind: str  # "spec" or "onnx"
    ref: str  # the spec name/path, or the ONNX file's path
    params: dict[str, Any] = field(default_factory=dict)
    #: how resgraph exports a spec (None for an ONNX file): the type the graph is emitted in
    export: dict[str, Any] | None = None


@dataclass(frozen=True)
class BuildPlan:
    """Every setting a build applies, in the order TensorRT sees them."""

    source: Source
    output: str
    sidecar: str
    precision: str
    #: NetworkDefinitionCreationFlag members passed to create_network
    network_flags: tuple[str, ...]
    #: BuilderFlag member → set (True) or cleared (False); only flags TensorRT 11 still has
    builder_flags: dict[str, bool]
    #: MemoryPoolType member → limit in bytes (absent: TensorRT's default, the device's memory)
    memory_pool_limits: dict[str, int]
    profiles: tuple[Profile, ...]
    builder_optimization_level: int
    #: ProfilingVerbosity: DETAILED so that the engine inspector names every fused node
    profiling_verbosity: str
    #: read before the build when the file exists, written after it
    timing_cache: str | None
    #: Q/DQ insertion before parsing (int8), else None
    quantize: dict[str, Any] | None = None
    tensorrt: str = SUPPORTED_TENSORRT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def lines(self) -> list[str]:
        """The plan as text, one setting a line, for ``--dry-run`` without ``--json``."""
        flags = ", ".join(f"{k} {'on' if v else 'off'}" for k, v in self.builder_flags.items())
        pools = ", ".join(f"{k} {format_size(v)}" for k, v in self.memory_pool_limits.items())
        out = [f"source: {self.source.kind} {self.source.ref}"
               + "".join(f" --set {k}={v}" for k, v in self.source.params.items())]
        if self.source.export:
            out.append("onnx export: " + ", ".join(f"{k}={v}" for k, v in
                                                     self.source.export.items()))
        if self.quantize:
            out.append("quantize: " + ", ".join(f"{k}={v}" for k, v in self.quantize.items()))
        out += [f"network: {', '.join(self.network_flags)}, parsed by OnnxParser",
                f"precision: {self.precision} ({_precision_note(self.precision)})",
                f"builder flags: {flags}",
                f"memory pools: {pools or 'TensorRT default (all device memory)'}"]
        out += [f"profile {p.input}: min {_dims(p.min)}, opt {_dims(p.opt)}, max {_dims(p.max)}"
                for p in self.profiles]
        out += [f"builder optimization level: {self.builder_optimization_level}",
                f"profiling verbosity: {self.profiling_verbosity}",
                f"timing cache: {self.timing_cache or 'none'}"
                + (" (read if present, written after)" if self.timing_cache else ""),
                f"engine: {self.output}", f"sidecar: {self.sidecar}",
                f"TensorRT: {self.tensorrt}"]
        return out


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def _precision_note(precision: str) -> str:
    return {"fp32": "fp32 graph, TF32 off", "tf32": "fp32 graph, TF32 on",
            "fp16": "fp16 graph, fp32 inputs/outputs with casts at the edges",
            "bf16": "bf16 graph, fp32 inputs/outputs with casts at the edges",
            "int8": "fp32 graph with Q/DQ nodes: INT8 where quantized, fp32 elsewhere"}[precision]


def sidecar_path(engine: str) -> str:
    """The JSON beside an engine: ``resnet50.engine`` → ``resnet50.engine.json``."""
    return f"{engine}.json"


def make_plan(options: BuildOptions, source: Source, output: str, input_name: str,
              sample_shape: tuple[int, ...]) -> BuildPlan:
    """The plan for building ``source`` into ``output`` with ``options``.

    ``sample_shape`` is one sample's input shape (CxHxW); the batch range goes in front."""
    if source.kind == "onnx" and options.precision in ("fp16", "bf16"):
        raise PlanError(f"--precision {options.precision} needs a spec: an ONNX file's precision "
                        "is its tensor types (strongly typed); export it in that type first")
    b = options.batch
    pools = {} if options.workspace is None else {"WORKSPACE": options.workspace}
    return BuildPlan(
        source=source, output=output, sidecar=sidecar_path(output),
        precision=options.precision,
        network_flags=("STRONGLY_TYPED",),
        builder_flags={"TF32": options.precision != "fp32"},
        memory_pool_limits=pools,
        profiles=(Profile(input_name, (b.min, *sample_shape), (b.opt, *sample_shape),
                          (b.max, *sample_shape)),),
        builder_optimization_level=options.opt_level,
        profiling_verbosity="DETAILED",
        timing_cache=options.timing_cache,
        quantize=quantize_step(options))


def spec_source(ref: str, params: dict[str, Any], options: BuildOptions,
                opset: int | None = None) -> Source:
    """A spec as the source: resgraph exports it in the precision the build asks for."""
    export = {"precision": EXPORT_PRECISION[options.precision], "io_dtype": "float32",
              "batch": "dynamic", "fold_bn": True, "opset": opset}
    return Source("spec", ref, dict(params), export)
