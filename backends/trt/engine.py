"""Engines as files: build one from a spec or an ONNX file and write it with its sidecar;
open one, refusing it when the sidecar says it was built for another machine.

Shared by ``resgraph build``, ``resgraph profile`` and the ``tensorrt`` bench backend, so that
every engine resgraph makes carries the same sidecar and every engine it loads is checked
the same way. TensorRT itself is reached only through :mod:`.runtime`.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph.backends.options import existing_file
from resgraph.backends.trt import runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.backends.trt.plan import (
    BuildOptions,
    BuildPlan,
    PlanError,
    Source,
    make_plan,
    spec_source,
)
from resgraph.backends.trt.quantize import qdq_scopes
from resgraph.backends.trt.scopes import ScopeResolver, describe_parser_issues
from resgraph.files import write_atomic
from resgraph.ir import Graph

#: the names resgraph's ONNX export gives the network's input and output
INPUT_NAME, OUTPUT_NAME = "input", "output"
#: the seed of the weights of an engine built from a spec (torchvision's initialisation), so
#: that the same module can be rebuilt later to check the engine's outputs against PyTorch
WEIGHT_SEED = 0


@dataclass
class Target:
    """What to build: a spec's graph (exported by resgraph) or an ONNX file as it is."""

    source: Source
    sample_shape: tuple[int, ...]
    input_name: str
    graph: Graph | None = None
    #: an ONNX file whose batch dimension is a number, not a symbol
    fixed_batch: int | None = None
    #: the module to export, with its weights (the bench's reference); default: the graph
    #: lowered with weights from WEIGHT_SEED
    module: Any = None

    @property
    def weights(self) -> str:
        if self.graph is None:
            return "the ONNX file's"
        return "the given module's" if self.module is not None else f"seed {WEIGHT_SEED}"

    @property
    def where(self) -> dict[str, str]:
        """Spec scope → ``file:line:col``, for parser errors; an op of a block defined
        elsewhere (the prelude) also names the line that uses the block."""
        if self.graph is None:
            return {}
        blocks = self.graph.blocks
        places = {}
        for n in self.graph:
            if n.span is None:
                continue
            place = _at(n.span)
            used = blocks[n.block].span if n.block in blocks else None
            if used is not None and used.file != n.span.file:
                place += f", block {n.block} at {_at(used)}"
            places[n.name] = place
        return places


def _at(span: Any) -> str:
    return f"{span.file}:{span.line}:{span.column}"


def spec_target(graph: Graph, ref: str, params: dict[str, Any], options: BuildOptions) -> Target:
    """What ``resgraph build`` and the tensorrt backend build of a spec: one of one output
    (its runner binds one output buffer; an engine of several is not built yet)."""
    if graph.output_form != "one":
        raise PlanError(f"{graph.name} has {len(graph.outputs)} outputs "
                        f"({', '.join(graph.outputs)}): resgraph builds TensorRT engines of "
                        f"networks of one output only; export it with 'resgraph export' and "
                        f"build that file with trtexec")
    return Target(spec_source(ref, params, options), tuple(graph.input_shape), INPUT_NAME, graph)


def onnx_target(path: str) -> Target:
    """An ONNX file: its first input's name and per-sample shape come from the file (checked
    to be there before onnx is looked for)."""
    from resgraph.backends.base import require

    existing_file(path, "ONNX file")
    onnx = require("onnx", "onnx")
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError and kin: the file is not a model
        raise PlanError(f"{path}: not an ONNX model ({type(exc).__name__})") from None
    if not model.graph.input:
        raise PlanError(f"{path}: the model has no input")
    first = model.graph.input[0]
    dims = tuple(d.dim_value for d in first.type.tensor_type.shape.dim)
    if len(dims) < 2 or not all(dims[1:]):
        raise PlanError(f"{path}: input '{first.name}' needs a known shape after the batch "
                         f"dimension, got {dims}")
    return Target(Source("onnx", path), dims[1:], first.name, fixed_batch=dims[0] or None)


def plan_for(target: Target, options: BuildOptions, output: str) -> BuildPlan:
    fixed = target.fixed_batch
    if fixed and (options.batch.min, options.batch.max) != (fixed, fixed):
        raise PlanError(f"{target.source.ref} has a fixed batch of {fixed}: build it with "
                        f"--batch {fixed}, or export it with a dynamic batch dimension")
    return make_plan(options, target.source, output, target.input_name, target.sample_shape)


def build(target: Target, plan: BuildPlan,
          progress: runtime.BuildProgress | None = None) -> sc.Sidecar:
    """Export (for a spec), build with TensorRT, write the engine and its sidecar."""
    runtime.require()
    with tempfile.TemporaryDirectory(prefix="resgraph-trt-") as tmp:
        onnx, scopes = _onnx_for(target, plan, Path(tmp))
        source_hash = sc.graph_hash(target.graph) if target.graph else sc.file_hash(onnx)
        onnx, quantization = _quantized(target, plan, onnx, Path(tmp))
        if quantization:
            scopes |= qdq_scopes(onnx, scopes)
        try:
            built = runtime.build_engine(plan, onnx, progress)
        except runtime.ParseFailed as exc:
            _name_scopes(exc, target, scopes)
            raise
    write_atomic(plan.output, built.engine)
    planned = json.loads(plan.to_json())
    meta = sc.Sidecar(
        engine=plan.output, source_kind=target.source.kind, source=target.source.ref,
        source_hash=source_hash, params=target.source.params, machine=runtime.machine(),
        precision=plan.precision, profiles=planned["profiles"],
        build_seconds=round(built.seconds, 3), input_name=built.input_name,
        output_name=built.output_name, plan=planned, scopes=scopes,
        places=sc.places(target.graph) if target.graph else {}, quantization=quantization,
        weights=target.weights)
    sc.write(meta, plan.sidecar)
    return meta


def _name_scopes(exc: runtime.ParseFailed, target: Target, scopes: dict[str, str]) -> None:
    """Each parser error names the spec scope of its node and, for a spec, the line."""
    exc.scopes = scopes
    known = sc.places(target.graph) if target.graph is not None else {}
    exc.lines = describe_parser_issues(exc.issues, ScopeResolver(scopes, known), target.where)


def _onnx_for(target: Target, plan: BuildPlan, tmp: Path) -> tuple[Path, dict[str, str]]:
    """The ONNX file to parse and its node → scope table (empty for a foreign file)."""
    if target.graph is None:
        return Path(target.source.ref), {}
    from resgraph.backends.onnx_export import export_onnx

    export = plan.source.export or {}
    path = tmp / f"{target.graph.name}.onnx"
    source = target.module if target.module is not None else seeded_module(target.graph)
    info = export_onnx(source, path, batch="dynamic",
                       opset=export.get("opset"), fold_bn=export.get("fold_bn", True),
                       precision=export.get("precision", "fp32"))
    return path, dict(getattr(info, "scopes", {}))


def _quantized(target: Target, plan: BuildPlan, onnx: Path,
               tmp: Path) -> tuple[Path, dict[str, Any]]:
    """For int8, ``onnx`` with Q/DQ nodes and how far its outputs drift from fp32."""
    if not plan.quantize:
        return onnx, {}
    from resgraph.backends.trt.quantize import Calibration, drift, quantize_int8, samples

    q = plan.quantize
    cal = Calibration(q["calibration"], q["batches"], q["batch_size"], q["seed"])
    calibrate, held_out = samples(cal, target.sample_shape)
    out = tmp / f"{onnx.stem}.int8.onnx"
    quantize_int8(onnx, out, target.input_name, calibrate)
    measured = drift(onnx, out, target.input_name, held_out)
    return out, {**q, "calibrated_on": cal.describe(), "drift": measured.to_dict(),
                 "summary": measured.describe()}


def seeded_module(graph: Graph) -> Any:
    """The spec's module with weights drawn from WEIGHT_SEED (the global RNG left as it was)."""
    from resgraph.lower_fx import lower_fx

    return lower_fx(graph, "cpu", seed=WEIGHT_SEED).eval()


def reference(meta: sc.Sidecar) -> tuple[Graph, Any]:
    """The spec's graph and the very module an engine was built from, to check it against."""
    from resgraph.api import load

    if meta.source_kind != "spec" or meta.weights != f"seed {WEIGHT_SEED}":
        raise sc.SidecarError(f"{meta.engine}: built from {meta.weights} weights, which resgraph "
                              "cannot rebuild to check the engine's outputs against")
    graph = load(meta.source, **meta.params)
    if sc.graph_hash(graph) != meta.source_hash:
        raise sc.SidecarError(f"{meta.engine}: {meta.source} has changed since the engine was "
                              f"built; rebuild it with 'resgraph build {meta.source}'")
    return graph, seeded_module(graph)


def open_engine(path: str | Path) -> tuple[bytes, sc.Sidecar]:
    """An engine file and its sidecar, checked against this machine; the file is checked
    first, so a missing engine is reported missing wherever TensorRT is."""
    meta = sc.engine_meta(path)
    runtime.require()
    sc.check_compatible(meta, runtime.machine())
    return Path(path).read_bytes(), meta
