"""What a sweep measures on each accepted candidate, named by ``--measure``:

- ``analyze``: every figure of ``resgraph analyze`` (the analysis runs for every candidate
  anyway, for ``--where`` and the graph hash, so this costs nothing more);
- ``bench:BACKEND[:k=v...]``: the bench harness on one backend, parity check included, on
  the worker's device; options ``batch``, ``precision``, ``device``, ``iterations``,
  ``duration``, ``warmup``, ``seed`` and ``threads`` mean what they mean to
  ``resgraph bench``. A wrong output or a backend that cannot run makes the candidate an
  error with the harness's reason;
- ``python:pkg.mod:fn``: ``fn(module, params)`` on the compiled ``torch.fx.GraphModule``
  (weights from seed 0) and the candidate's parameters, returning a dict of figures; it is
  imported by name on every worker, so it runs wherever the package is importable.

The bench entry is :func:`resgraph.backends.api.bench`, loaded by name when a sweep asks for
it (as a ``python:`` function is): the core never imports the backends, and a sweep that
does not bench never loads them.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resgraph.errors import UsageError, unknown
from resgraph.ir import Graph
from resgraph.sweep.figures import numbers

MEASURES = ("analyze", "bench", "python")
BACKENDS_API = "resgraph.backends.api"
#: bench options a measure may set → how the text is read and which object takes it
_BENCH_OPTIONS: dict[str, Callable[[str], Any]] = {
    "batch": int, "iterations": int, "seed": int, "threads": int, "duration": float,
    "warmup": float, "precision": str, "device": str}


class MeasureError(Exception):
    """A measure failed on one candidate; the message is recorded as its error."""


@dataclass(frozen=True)
class Measure:
    """A parsed ``--measure``: ``kind`` (one of :data:`MEASURES`), its ``target`` (the
    backend or ``pkg.mod:fn``) and its options."""

    text: str
    kind: str
    target: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, float]:
        """What one run of it holds on a worker: a GPU bench holds the whole GPU, so each
        GPU measures one candidate at a time."""
        return {"num_gpus": 1} if self.options.get("device") == "cuda" else {"num_cpus": 1}

    @property
    def costly(self) -> bool:
        """Whether it does more than the analysis every candidate gets."""
        return self.kind != "analyze"


def measure(text: str) -> Measure:
    """``--measure`` text made a :class:`Measure`, checked as far as it can be here: a bench
    backend and its options, a python function that imports and is callable."""
    kind, _, rest = text.strip().partition(":")
    if kind not in MEASURES:
        raise UsageError("--measure: " + unknown("measure", kind, MEASURES)
                         + " (analyze, bench:BACKEND[:k=v...], python:pkg.mod:fn)")
    if kind == "analyze":
        if rest:
            raise UsageError("--measure analyze takes no options")
        return Measure(text, kind)
    if kind == "python":
        python_function(rest)
        return Measure(text, kind, rest)
    return _bench_measure(text, rest)


def _bench_measure(text: str, rest: str) -> Measure:
    backend, *pairs = rest.split(":")
    api = importlib.import_module(BACKENDS_API)
    if backend not in api.BACKEND_NAMES:
        raise UsageError("--measure bench: " + unknown("backend", backend, api.BACKEND_NAMES))
    options: dict[str, Any] = {}
    for pair in pairs:
        key, eq, v = pair.partition("=")
        if not eq or key not in _BENCH_OPTIONS:
            raise UsageError(f"--measure bench: '{pair}' is not an option; "
                             + unknown("option", key, _BENCH_OPTIONS).partition("; ")[2])
        try:
            options[key] = _BENCH_OPTIONS[key](v)
        except ValueError:
            raise UsageError(f"--measure bench: {key}={v} is not a number") from None
    _bench_options(api, options)  # checks the values against bench's own bounds
    return Measure(text, "bench", backend, options)


def _bench_options(api: Any, options: Mapping[str, Any]) -> Any:
    fields = {k: v for k, v in options.items() if k not in ("batch", "threads")}
    try:
        api.check_threads(options.get("threads"))
        return api.BenchOptions(batches=(options.get("batch", 1),), **fields)
    except api.BenchError as exc:
        raise UsageError(f"--measure bench: {exc}") from None


def python_function(target: str) -> Callable[..., Any]:
    """The function ``pkg.mod:fn`` names, imported."""
    module_name, colon, name = target.partition(":")
    if not colon or not module_name or not name:
        raise UsageError(f"--measure python: takes python:PKG.MODULE:FUNCTION, got "
                         f"'python:{target}'")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything on import
        raise UsageError(f"--measure python: cannot import '{module_name}': {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise UsageError(f"--measure python: '{module_name}' has no function '{name}'")
    return fn  # type: ignore[no-any-return]


def run_measure(m: Measure, graph: Graph, params: Mapping[str, Any]
                ) -> tuple[dict[str, float], dict[str, Any]]:
    """A costly measure on one candidate's graph: its figures and its whole answer."""
    if m.kind == "bench":
        return _bench(m, graph)
    from resgraph.lower_fx import lower_fx

    answer = python_function(m.target)(lower_fx(graph, "cpu", seed=0), dict(params))
    if not isinstance(answer, Mapping):
        raise MeasureError(f"{m.target} returned a {type(answer).__name__}, not a dict of "
                           f"figures")
    try:
        metrics = json.loads(json.dumps(dict(answer)))
    except (TypeError, ValueError) as exc:
        raise MeasureError(f"{m.target} returned figures that are not JSON: {exc}") from None
    return numbers(metrics), metrics


def _bench(m: Measure, graph: Graph) -> tuple[dict[str, float], dict[str, Any]]:
    api = importlib.import_module(BACKENDS_API)
    options = _bench_options(api, m.options)
    extra = {"threads": m.options["threads"]} if "threads" in m.options else {}
    report = api.bench(graph, [m.target], options, **extra).to_dict()
    row = report["results"][0]
    if row["status"] != "ok":
        raise MeasureError(f"bench {m.target}: {row['status']}"
                           + (f": {row['reason']}" if row["reason"] else ""))
    latency = row["latency_ms"]
    figures = {"latency_ms": latency["median"], "latency_p90_ms": latency["p90"],
               "latency_min_ms": latency["min"], "throughput": row["throughput"]}
    return figures, report
