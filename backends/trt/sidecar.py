"""The JSON written beside every engine: what it was built from, with what, for which GPU.

A serialised TensorRT engine runs only with the TensorRT release and the GPU model it was
built for (unless built version- or hardware-compatible, which resgraph does not do), so
loading one elsewhere is refused here with a message that says what it was built for,
before TensorRT fails with an opaque deserialisation error. The sidecar also carries the
ONNX node → spec scope mapping and each scope's block and stage, so that ``resgraph
profile`` can sum layer times onto the spec without the spec at hand.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from resgraph.backends.options import existing_file
from resgraph.backends.trt.plan import sidecar_path
from resgraph.errors import UsageError
from resgraph.files import write_atomic
from resgraph.ir import Graph

FORMAT = 1


class SidecarError(UsageError):
    """A missing, unreadable or mismatched sidecar; the message says which file and why."""


@dataclass(frozen=True)
class Machine:
    """What an engine is tied to: the TensorRT release and the GPU."""

    tensorrt: str
    gpu: str
    #: "major.minor", e.g. "9.0" for an H100
    compute_capability: str

    def describe(self) -> str:
        return (f"TensorRT {self.tensorrt} on {self.gpu} "
                f"(compute capability {self.compute_capability})")


@dataclass
class Sidecar:
    engine: str
    #: "spec" or "onnx": what the ONNX came from
    source_kind: str
    #: the spec's name or path, or the ONNX file's path
    source: str
    #: sha256 of the elaborated spec (IR text) or of the ONNX file
    source_hash: str
    params: dict[str, Any]
    machine: Machine
    precision: str
    #: [{"input", "min", "opt", "max"}] as in the build plan
    profiles: list[dict[str, Any]]
    build_seconds: float
    input_name: str
    output_name: str
    #: the whole build plan that made the engine
    plan: dict[str, Any] = field(default_factory=dict)
    #: ONNX node name → spec scope (empty for an ONNX file resgraph did not export)
    scopes: dict[str, str] = field(default_factory=dict)
    #: spec scope → [block or None, stage]
    places: dict[str, list[str | None]] = field(default_factory=dict)
    #: int8: the Q/DQ step, its calibration data and the measured drift from fp32
    quantization: dict[str, Any] = field(default_factory=dict)
    #: where the weights came from: "seed 0" (rebuildable from the spec), "the given
    #: module's", "the ONNX file's"
    weights: str = ""
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "<sidecar>") -> Sidecar:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise SidecarError(f"{where}: sidecar format {data.get('format')!r}, this resgraph "
                                   f"reads format {FORMAT}; rebuild the engine")
            data["machine"] = Machine(**data["machine"])
            return cls(**data)
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            raise SidecarError(f"{where}: not a resgraph engine sidecar ({exc})") from None


def graph_hash(graph: Graph) -> str:
    """A stable fingerprint of an elaborated spec: its IR text, parameters resolved."""
    return hashlib.sha256(graph.to_text().encode()).hexdigest()


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def places(graph: Graph) -> dict[str, list[str | None]]:
    """Every scope of the graph (its ops and its blocks) → block (None outside blocks) and
    stage; an ONNX node that names only a block (a block's own Add) lands on the block."""
    ops: dict[str, list[str | None]] = {n.name: [n.block, n.stage] for n in graph
                                        if n.op != "input"}
    return ops | {b.name: [b.name, b.stage] for b in graph.blocks.values()}


def write(sidecar: Sidecar, path: str | Path) -> None:
    write_atomic(path, sidecar.to_json())


def read(path: str | Path) -> Sidecar:
    p = Path(path)
    if not p.is_file():
        raise SidecarError(f"{p}: no sidecar beside the engine; resgraph needs it to check the "
                           "engine fits this machine (rebuild it with 'resgraph build')")
    return Sidecar.from_json(p.read_text(), str(p))


def engine_meta(engine: str | Path) -> Sidecar:
    """The sidecar of an engine file, after checking the file is there and can be an engine:
    what is wrong with the file is said before anything looks for TensorRT."""
    path = existing_file(engine, "engine")
    if path.stat().st_size == 0:
        raise SidecarError(f"{path}: the file is empty, not a TensorRT engine")
    return read(sidecar_path(str(path)))


def check_compatible(sidecar: Sidecar, here: Machine) -> None:
    """Refuse an engine built for another TensorRT release or another GPU."""
    built = sidecar.machine
    differs = [what for what, a, b in (
        ("TensorRT version", built.tensorrt, here.tensorrt),
        ("GPU", built.gpu, here.gpu),
        ("compute capability", built.compute_capability, here.compute_capability)) if a != b]
    if differs:
        raise SidecarError(
            f"{sidecar.engine} was built with {built.describe()}; this machine has "
            f"{here.describe()} ({' and '.join(differs)} differ): rebuild it here with "
            f"'resgraph build {sidecar.source} -o {sidecar.engine}'")
