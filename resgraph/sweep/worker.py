"""What a worker does with a batch of candidates, the same under every engine.

:func:`screen` elaborates, analyses, hashes and constrains each candidate (milliseconds);
:func:`measure` runs the costly measure on the candidates the driver kept after removing
duplicates. A worker parses the spec once (:func:`_prepared` keeps it per sweep) and every
candidate's failure is caught into its record: a sweep goes on past any candidate.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate import elaborate
from resgraph.errors import ResgraphError
from resgraph.ir import Graph
from resgraph.parse import parse
from resgraph.sweep.figures import ANALYSIS, analysis_figures
from resgraph.sweep.measures import Measure, run_measure
from resgraph.sweep.measures import measure as parse_measure
from resgraph.sweep.where import Where, WhereError
from resgraph.sweep.where import where as parse_where

#: one candidate as the engines carry it: its index and its parameters
Candidate = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Context:
    """Everything a worker needs, shipped once per sweep: the spec's text (parsed once per
    worker), the parameters every candidate shares, the constraint, the measure, and the
    folders the driver imports from (for a ``python:`` measure)."""

    text: str
    file: str
    base: tuple[tuple[str, Any], ...]
    input_shape: tuple[int, ...] | None
    where: str | None
    known: tuple[str, ...]
    measure: str
    paths: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()


@dataclass(frozen=True)
class _Prepared:
    module: s.Module
    where: Where | None
    measure: Measure


#: the sweeps this process has prepared, by :attr:`Context.key`
_PREPARED: dict[str, _Prepared] = {}


def _prepared(context: Context) -> _Prepared:
    """The spec parsed, the constraint and the measure read: once per sweep and process."""
    key = context.key
    if key not in _PREPARED:
        sys.path.extend(p for p in context.paths if p not in sys.path)
        _PREPARED[key] = _Prepared(
            parse(context.text, context.file),
            parse_where(context.where, context.known) if context.where else None,
            parse_measure(context.measure))
    return _PREPARED[key]


def run_phase(context: Context, phase: str, batch: Sequence[Candidate]) -> list[dict[str, Any]]:
    """One job: ``screen`` or ``measure`` a batch of candidates."""
    return (screen if phase == "screen" else measure)(context, batch)


def graph_hash(graph: Graph) -> str:
    """The canonical hash of an elaborated network: its IR text (every op, argument, shape
    and scope) under its input shape, without its name, so two parameter sets that make the
    same network have the same hash."""
    body = graph.to_text().split("\n", 1)[1]
    shape = "x".join(map(str, graph.input_shape))
    return hashlib.sha256(f"input {shape}\n{body}".encode()).hexdigest()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def screen(context: Context, batch: Sequence[Candidate]) -> list[dict[str, Any]]:
    """Each candidate elaborated, analysed, hashed and constrained: a record with status
    ``ok`` (``analyze`` measures nothing more), ``accepted`` (a costly measure is to run),
    ``rejected`` or ``error``."""
    prepared = _prepared(context)
    return [_screen_one(context, prepared, index, params) for index, params in batch]


def _screen_one(context: Context, prepared: _Prepared, index: int,
                params: dict[str, Any]) -> dict[str, Any]:
    rec = record(index, params)
    start = time.perf_counter()
    if prepared.where is not None and _early(prepared.where, rec):
        return rec
    try:
        graph = _elaborate(context, prepared.module, params)
        rec["timings"]["elaborate_s"] = time.perf_counter() - start
        _analyse(rec, graph, prepared.where)
    except Exception as exc:  # noqa: BLE001 - a candidate's failure is its record, not the sweep's
        rec.update(status="error", error=_message(exc))
    rec["timings"]["screen_s"] = time.perf_counter() - start
    return rec


def _early(constraint: Where, rec: dict[str, Any]) -> bool:
    """Reject ``rec`` before its elaboration when its parameters and index alone fail the
    constraint (its figures stay empty); a term that cannot be computed is left to the
    whole constraint, after the analysis."""
    params = {k: v for k, v in rec["params"].items() if k not in ANALYSIS}  # figures win
    try:
        rejected = constraint.rejects_early({"index": rec["index"], **params})
    except WhereError:
        return False
    if rejected:
        rec.update(status="rejected")
        rec["timings"]["screen_s"] = 0.0
    return rejected


def _analyse(rec: dict[str, Any], graph: Graph, constraint: Where | None) -> None:
    from resgraph.analysis.report import analyze_graph

    t = time.perf_counter()
    report = analyze_graph(graph).to_json()
    rec["timings"]["analyze_s"] = time.perf_counter() - t
    rec.update(graph=graph_hash(graph), figures=analysis_figures(report))
    if constraint is not None and not constraint(
            {"index": rec["index"], **rec["params"], **rec["figures"]}):
        rec["status"] = "rejected"
        return
    rec.update(status="ok", metrics=report)


def measure(context: Context, batch: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The costly measure on each candidate (screened and kept by the driver): a record with
    status ``ok`` and the measure's figures beside the analysis's, or ``error``."""
    prepared = _prepared(context)
    out = []
    for index, params in batch:
        rec = record(index, params)
        start = time.perf_counter()
        try:
            graph = _elaborate(context, prepared.module, params)
            _analyse(rec, graph, None)
            figures, rec["metrics"] = run_measure(prepared.measure, graph, params)
            rec["figures"].update(figures)
        except Exception as exc:  # noqa: BLE001 - the user's measure may raise anything
            rec.update(status="error", error=_message(exc))
        rec["timings"]["measure_s"] = time.perf_counter() - start
        out.append(rec)
    return out


def _elaborate(context: Context, module: s.Module, params: Mapping[str, Any]) -> Graph:
    return elaborate(module, context.file, {**dict(context.base), **params},
                     input_shape=context.input_shape)


def _message(exc: BaseException) -> str:
    """A candidate's error as its record keeps it: a spec error with its position and
    excerpt, anything else as its type and message."""
    if isinstance(exc, (ResgraphError, WhereError)):
        return exc.render() if isinstance(exc, ResgraphError) else str(exc)
    return f"{type(exc).__name__}: {exc}"


def record(index: int, params: Mapping[str, Any], status: str = "pending") -> dict[str, Any]:
    """A fresh record of the journal's format (see :mod:`resgraph.sweep`)."""
    return {"index": index, "params": dict(params), "status": status, "graph": None,
            "figures": {}, "metrics": None, "error": None, "duplicate_of": None,
            "worker": worker_name(), "timings": {}}
