"""The JSON files a report shows beside the analyses, read and checked, never recomputed.

``--bench`` takes what ``resgraph bench --json`` printed (a ``results`` list of rows, each a
backend at a batch size with its status, latency and ratio to the baseline); ``--profile``
takes what ``resgraph profile --json`` printed (TensorRT's per-layer times already summed onto
the spec's ``scopes``, ``blocks`` and ``stages``, whether they came from TensorRT's profiler
or from trtexec's ``--exportProfile`` through ``--layer-times``). A file of another kind is a
one-line :class:`UsageError` that says which command writes the right one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph.errors import UsageError

#: the largest JSON file read; bench and profile outputs of the deepest networks are < 1 MiB
MAX_JSON_BYTES = 16 << 20


@dataclass(frozen=True)
class BenchRow:
    backend: str
    batch: int
    status: str
    median_ms: float | None
    p90_ms: float | None
    throughput: float | None
    ratio: float | None
    reason: str | None


@dataclass(frozen=True)
class Bench:
    """``resgraph bench --json``: rows by batch size, and what the ratios are relative to."""

    network: str
    baseline: dict[int, str | None]
    rows: list[BenchRow]
    environment: dict[str, Any]

    def batches(self) -> dict[int, list[BenchRow]]:
        out: dict[int, list[BenchRow]] = {}
        for row in self.rows:
            out.setdefault(row.batch, []).append(row)
        return out


@dataclass(frozen=True)
class Profile:
    """``resgraph profile --json``: ms per inference of every scope, block and stage."""

    engine: str
    total_ms: float
    scopes: dict[str, float]
    blocks: dict[str, float]
    stages: dict[str, float]

    def values(self) -> dict[str, float]:
        """What the diagram is coloured by, as ``resgraph profile --draw`` colours it."""
        return {**self.scopes, **self.blocks, **self.stages}


def read_json(path: str | Path, flag: str) -> Any:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{flag} {path}: no such file" if not path.exists()
                         else f"{flag} {path}: not a regular file")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise UsageError(f"{flag} {path}: larger than {MAX_JSON_BYTES >> 20} MiB")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{flag} {path}: not JSON ({exc})") from None


def read_bench(path: str | Path) -> Bench:
    """A ``resgraph bench --json`` file, or a :class:`UsageError` saying it is not one."""
    data = read_json(path, "--bench")
    try:
        rows = [_bench_row(r) for r in data["results"]]
        baseline = {int(k): v for k, v in data.get("baseline", {}).items()}
        return Bench(str(data["network"]), baseline, rows, dict(data.get("environment", {})))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise UsageError(f"--bench {path}: not the output of 'resgraph bench --json'") from None


def _bench_row(r: dict[str, Any]) -> BenchRow:
    latency = r.get("latency_ms") or {}
    return BenchRow(str(r["backend"]), int(r["batch"]), str(r["status"]),
                    _number(latency.get("median")), _number(latency.get("p90")),
                    _number(r.get("throughput")), _number(r.get("ratio")), r.get("reason"))


def read_profile(path: str | Path) -> Profile:
    """A ``resgraph profile --json`` file, or a :class:`UsageError` saying how to make one."""
    data = read_json(path, "--profile")
    try:
        return Profile(str(data["engine"]), float(data["total_ms"]), _times(data["scopes"]),
                       _times(data["blocks"]), _times(data["stages"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise UsageError(f"--profile {path}: not the output of 'resgraph profile ENGINE --json' "
                         "(for trtexec's layer times: resgraph profile ENGINE --layer-times "
                         "FILE --json)") from None


def _times(table: dict[str, Any]) -> dict[str, float]:
    out = {str(k): float(v) for k, v in table.items()}
    if not all(math.isfinite(v) and v >= 0 for v in out.values()):
        raise ValueError("a time that is not a finite, non-negative number")
    return out


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
