"""What a worker does with a batch of candidates, the same under every engine.

:func:`screen` elaborates, analyses, hashes and constrains each candidate (milliseconds);
:func:`measure` runs the costly measure on the candidates the driver kept after removing
duplicates. A worker parses the spec once (:func:`_prepared` keeps it per sweep) and every
candidate's failure is caught into its record: a sweep goes on past any candidate.

A worker also keeps, per sweep, what screening each parameter set gave (:class:`Screening`:
the network's hash, figures and analysis, or its error), keyed by the whole assignment: a
space of few distinct networks drawn many times (pycls's samplers over a narrow family) then
elaborates and analyses each once per worker, and every repeat costs its constraint alone.
Elaboration depends on nothing but the spec's text, the assignment and the input shape, all
fixed per sweep or in the key, so a reused screening is exactly the one it replaces (the
records are the same with ``RESGRAPH_NO_CACHE=1``, which turns it off). Screening builds no
tensor and imports no torch.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from resgraph import syntax as s
from resgraph.cache import Memo
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
#: the most parameter sets a worker keeps the screening of, per sweep (an entry is the
#: analysis of one network, some tens of kilobytes in Python)
MAX_SCREENINGS = 2048


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
class Screening:
    """What elaborating and analysing one parameter set gave, shared by every candidate with
    that set: the network's hash, figures and analysis (never changed once made), or the
    error that stopped it; and what each step cost when it ran."""

    graph: str | None = None
    figures: Mapping[str, float] = field(default_factory=dict)
    report: dict[str, Any] | None = None
    error: str | None = None
    elaborate_s: float | None = None
    analyze_s: float | None = None


@dataclass(frozen=True)
class _Prepared:
    module: s.Module
    where: Where | None
    measure: Measure
    #: parameter set (:func:`params_key`) → its screening, for this sweep
    screenings: Memo[Screening] = field(default_factory=lambda: Memo("screenings", MAX_SCREENINGS))


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
    fresh = False

    def make() -> Screening:
        nonlocal fresh
        fresh = True
        return _screening(context, prepared.module, params)

    done = prepared.screenings.get(params_key(params), make)
    if fresh:  # the steps' own costs, only where this candidate paid them
        rec["timings"].update({k: v for k, v in (("elaborate_s", done.elaborate_s),
                                                 ("analyze_s", done.analyze_s)) if v is not None})
    _judge(rec, done, prepared.where)
    rec["timings"]["screen_s"] = time.perf_counter() - start
    return rec


def params_key(params: Mapping[str, Any]) -> str:
    """A parameter set as a key that tells apart every value elaboration tells apart
    (``1``, ``1.0`` and ``True`` included)."""
    return repr(sorted((k, type(v).__name__, v) for k, v in params.items()))


def _screening(context: Context, module: s.Module, params: Mapping[str, Any]) -> Screening:
    """Elaborate, analyse and hash one parameter set; its failure is its screening."""
    start = time.perf_counter()
    elaborated = None
    try:
        graph = _elaborate(context, module, params)
        elaborated = time.perf_counter()
        report = _report(graph)
        return Screening(graph_hash(graph), analysis_figures(report), report,
                         elaborate_s=elaborated - start,
                         analyze_s=time.perf_counter() - elaborated)
    except Exception as exc:  # noqa: BLE001 - a candidate's failure is its record, not the sweep's
        return Screening(error=_message(exc),
                         elaborate_s=None if elaborated is None else elaborated - start)


def _judge(rec: dict[str, Any], done: Screening, constraint: Where | None) -> None:
    """``rec`` from its screening and the constraint: ``ok``, ``rejected`` or ``error``."""
    if done.error is not None:
        rec.update(status="error", error=done.error)
        return
    rec.update(graph=done.graph, figures=dict(done.figures))
    try:
        kept = constraint is None or constraint(
            {"index": rec["index"], **rec["params"], **rec["figures"]})
    except WhereError as exc:
        rec.update(status="error", error=_message(exc))
        return
    if kept:
        rec.update(status="ok", metrics=done.report)
    else:
        rec["status"] = "rejected"


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


def _report(graph: Graph) -> dict[str, Any]:
    from resgraph.analysis.report import analyze_graph

    return analyze_graph(graph).to_json()


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
            t = time.perf_counter()
            report = _report(graph)
            rec["timings"]["analyze_s"] = time.perf_counter() - t
            rec.update(graph=graph_hash(graph), figures=analysis_figures(report), status="ok")
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
