"""TensorRT layer names → spec scopes, and per-layer times summed onto blocks and stages.

TensorRT names each layer after the ONNX node it came from and, when it fuses layers, joins
their names (formats as TensorRT's profiler, trtexec ``--dumpProfile`` and the engine
inspector print them):

- vertical fusion ``A + B + C``; horizontal fusion ``A || B``;
- pointwise fusion ``PWN(A, PWN(B, C))``;
- a Myelin subgraph ``ForeignNode[first...last]`` (``{ForeignNode[...]}`` in some reports);
- inserted layers: ``Reformatting CopyNode for Input Tensor 0 to X``, ``shuffle_after_X``,
  ``shuffle_between_X_and_Y``, ``reshape_after_X``, ``(Unnamed Layer* 12) [Shuffle]``;
- tensor names where a layer is named after its input: ``X_output_0``, ``node_of_T``.

With ``ProfilingVerbosity.DETAILED`` the engine inspector also lists, per layer, the ONNX
nodes it holds in its ``Metadata`` field (``[ONNX Layer: X]`` entries joined by ``\\x1f``);
when present that list is used instead of picking the name apart.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_REFORMAT = re.compile(r"^Reformatting CopyNode for (?:Input|Output) Tensor \d+ to (.*)$")
_BETWEEN = re.compile(r"^(?:shuffle|reshape)_between_(.*)_and_(.*)$")
_AROUND = re.compile(r"^(?:shuffle|reshape|squeeze|unsqueeze)_(?:after|before)_(.*)$")
_UNNAMED = re.compile(r"^\(Unnamed Layer\* \d+\) \[[^\]]*\](?:_output)?$")
_TENSOR_SUFFIX = re.compile(r"(?:_output_\d+|_output|_out_tensor|:\d+)$")
_ONNX_META = re.compile(r"\[ONNX Layer: ([^\]]*)\]")
_BOUNDARY = re.compile(r"[A-Za-z0-9_]")
UNMAPPED = "(unmapped)"


def is_reformat(layer: str) -> bool:
    """A layer TensorRT inserted to change a tensor's format or type: no work of the spec."""
    return bool(_REFORMAT.match(layer.strip()))


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where no bracket is open."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _wrapped(text: str, opener: str, closer: str) -> str | None:
    """The inside of ``opener ... closer`` when they enclose the whole text."""
    if not (text.startswith(opener) and text.endswith(closer)):
        return None
    inner = text[len(opener):-len(closer)]
    return inner if _balanced(inner) else None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if depth < 0:
            return False
    return depth == 0


def layer_parts(layer: str) -> list[str]:
    """The ONNX node (or tensor) names a TensorRT layer name is made of, in order."""
    text = layer.strip()
    for sep in (" || ", " + "):
        pieces = _split_top(text, sep)
        if len(pieces) > 1:
            return [p for piece in pieces for p in layer_parts(piece)]
    for opener, closer in (("{", "}"), ("PWN(", ")"), ("ForeignNode[", "]")):
        inner = _wrapped(text, opener, closer)
        if inner is not None:
            seps = "..." if opener == "ForeignNode[" else ", "
            return [p for piece in _split_top(inner, seps) for p in layer_parts(piece)]
    for pattern in (_REFORMAT, _BETWEEN, _AROUND):
        m = pattern.match(text)
        if m:
            return [p for g in m.groups() for p in layer_parts(g)]
    if _UNNAMED.match(text) or (text.startswith("[") and text.endswith("]")):
        return []
    return [text.removeprefix("node_of_")]


def metadata_parts(metadata: str) -> list[str]:
    """The ONNX node names in an inspector layer's ``Metadata`` (TensorRT 10 and 11)."""
    return _ONNX_META.findall(metadata)


class ScopeResolver:
    """Finds the spec scope of an ONNX node or tensor name.

    First the export's own node → scope table; then, for names such as the TorchScript
    exporter's ``/layer1/layer1.0/conv1/Conv`` or a tensor ``layer1.0.conv1_output_0``, the
    longest spec scope that appears in the name between non-name characters."""

    def __init__(self, table: Mapping[str, str], scopes: Iterable[str]):
        self.table = dict(table)
        self.scopes = sorted(set(scopes) | set(self.table.values()), key=len, reverse=True)

    def resolve(self, name: str) -> str | None:
        candidates = (name, _TENSOR_SUFFIX.sub("", name))
        for candidate in candidates:
            if candidate in self.table:
                return self.table[candidate]
        dotted = [c.replace("/", ".") for c in candidates]
        return next((s for s in self.scopes if any(_contains(d, s) for d in dotted)), None)


def _contains(text: str, scope: str) -> bool:
    start = text.find(scope)
    while start >= 0:
        end = start + len(scope)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not _BOUNDARY.match(before or " ") and not _BOUNDARY.match(after or " "):
            return True
        start = text.find(scope, start + 1)
    return False


def layer_scopes(layer: str, resolver: ScopeResolver,
                 onnx_nodes: Sequence[str] | None = None) -> list[str]:
    """The distinct spec scopes of a layer, in order; ``onnx_nodes`` from the inspector's
    metadata when known, else taken from the name."""
    scopes: list[str] = []
    for part in onnx_nodes or layer_parts(layer):
        scope = resolver.resolve(part)
        if scope is not None and scope not in scopes:
            scopes.append(scope)
    return scopes


@dataclass
class Attribution:
    """Measured time (ms per inference) summed per scope, block and stage."""

    total: float = 0.0
    scopes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    blocks: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    #: time of layers TensorRT inserted to reformat tensors (also counted in their scopes)
    reformat: float = 0.0
    #: layer name → ms for layers no scope was found for
    unmapped: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"total_ms": self.total, "reformat_ms": self.reformat,
                "stages": dict(self.stages), "blocks": dict(self.blocks),
                "scopes": dict(self.scopes), "unmapped": self.unmapped}


def attribute(layer_ms: Mapping[str, float], resolver: ScopeResolver,
              places: Mapping[str, Sequence[str | None]],
              onnx_nodes: Mapping[str, Sequence[str]] | None = None) -> Attribution:
    """Sum per-layer times onto scopes, blocks and stages.

    A fused layer's time is split evenly among the distinct scopes it holds (TensorRT does
    not time the parts of a fused kernel apart); ``places`` maps a scope to its block (or
    None) and stage."""
    result = Attribution()
    for layer, ms in layer_ms.items():
        result.total += ms
        result.reformat += ms if is_reformat(layer) else 0.0
        scopes = layer_scopes(layer, resolver, (onnx_nodes or {}).get(layer))
        if not scopes:
            result.unmapped[layer] = ms
            continue
        for scope in scopes:
            share = ms / len(scopes)
            result.scopes[scope] += share
            block, stage = places.get(scope, (None, None))
            if block:
                result.blocks[block] += share
            if stage:
                result.stages[stage] += share
    return result


def inspector_layers(info: str) -> dict[str, list[str]]:
    """Layer name → ONNX node names from the engine inspector's JSON
    (``get_engine_information(LayerInformationFormat.JSON)``); names only when the engine was
    built with less than DETAILED verbosity."""
    layers = json.loads(info).get("Layers", [])
    return {layer: [] for layer in layers if isinstance(layer, str)} | {
        layer["Name"]: metadata_parts(str(layer.get("Metadata", "")))
        for layer in layers if isinstance(layer, dict) and "Name" in layer}


def trtexec_profile(data: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Layer name → average ms from trtexec's ``--exportProfile`` JSON
    (``[{"count": N}, {"name": ..., "averageMs": ...}, ...]``)."""
    return {str(e["name"]): float(e["averageMs"]) for e in data if "name" in e}


@dataclass(frozen=True)
class ParserIssue:
    """One error of TensorRT's ONNX parser (``OnnxParser.get_error``), as plain data."""

    node: int  # the ONNX node's index; -1 when the error belongs to no node
    node_name: str
    operator: str
    desc: str


def describe_parser_issues(issues: Sequence[ParserIssue], resolver: ScopeResolver,
                           where: Mapping[str, str] | None = None) -> list[str]:
    """One line per parser error, naming the ONNX node, the spec scope that produced it and,
    when ``where`` maps scopes to source positions, the spec line."""
    lines = []
    for issue in issues:
        scope = resolver.resolve(issue.node_name) if issue.node_name else None
        node = f"node {issue.node}" if issue.node >= 0 else "model"
        op = f" {issue.operator}" if issue.operator else ""
        name = f" '{issue.node_name}'" if issue.node_name else ""
        place = ""
        if scope:
            at = (where or {}).get(scope)
            place = f" (spec scope {scope}{' at ' + at if at else ''})"
        lines.append(f"{node}{op}{name}{place}: {issue.desc}")
    return lines
