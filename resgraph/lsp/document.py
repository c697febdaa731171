"""One open document, analysed as ``resgraph check`` and ``resgraph analyze`` would.

:func:`analyse` parses and elaborates the text (a sweep file is checked as ``resgraph check``
checks one) and keeps what came of it in a :class:`Document`: the syntax tree and its
:class:`~.index.Index`, the graph, and every error and note as a :class:`Problem`. The cost
figures are computed on first request, by the same passes and rows as ``resgraph analyze``
(:func:`resgraph.analysis.report.cost_rows`), so hovers and hints show its numbers.

Results are kept by content: the text, the file name, the parameters, and the size and time
of the files its ``use`` lines name, so a hover after the diagnostics of the same text costs
a look-up, and a concurrent request for the same text waits for the one analysis.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.analysis.costs import annotate_costs
from resgraph.analysis.memory import annotate_memory
from resgraph.analysis.passes import ensure
from resgraph.analysis.report import CostRow, cost_rows
from resgraph.catalog import _literal, is_sweep_file
from resgraph.elaborate import elaborate
from resgraph.errors import ResgraphError, Source, Span, SpecError, SpecErrors, UsageError, unknown
from resgraph.files import MAX_SPEC_BYTES
from resgraph.ir import Graph
from resgraph.lsp.index import Index, build_index, contains, walk
from resgraph.parse import parse, parse_sweep

#: how many analysed texts are kept (a few documents, a version or two each: every text
#: kept is a heap the garbage collector walks)
CACHE_SIZE = 8
#: a note of elaboration ends with the place it was made: ``(file:line:col)``
_NOTE_PLACE = re.compile(r"\((?P<file>.+):(?P<line>\d+):(?P<column>\d+)\)$")
_USE_LINE = re.compile(r'^[ \t]*use[ \t]+"([^"\n]*)"', re.MULTILINE)


@dataclass
class Problem:
    """An error or note: ``span`` is where it is (None: the document as a whole), in the
    document's file or another (a ``use``d one)."""

    message: str
    span: Span | None
    severity: str = "error"
    hint: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Costs:
    """The figures of ``resgraph analyze`` at batch 1, fp32: the network's row, every
    stage's and every op's (by node name)."""

    network: CostRow
    stages: dict[str, CostRow]
    ops: dict[str, CostRow]


@dataclass
class Document:
    file: str
    text: str
    params: dict[str, Any]
    variant: str | None = None
    module: s.Module | s.Sweep | None = None
    index: Index | None = None
    graph: Graph | None = None
    problems: list[Problem] = field(default_factory=list)
    _costs: Costs | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def sweep(self) -> bool:
        return is_sweep_file(self.file)

    def costs(self) -> Costs | None:
        """The cost figures, computed once (the passes annotate the graph, so one at a time)."""
        if self.graph is None:
            return None
        with self._lock:
            if self._costs is None:
                for analysis in (annotate_costs, annotate_memory):
                    ensure(self.graph, analysis, batch=1, dtype="fp32")
                self._costs = Costs(cost_rows(self.graph, "network")[0],
                                    {r.name: r for r in cost_rows(self.graph, "stage")},
                                    {r.name: r for r in cost_rows(self.graph, "op")})
            return self._costs


class Cache:
    """Analysed documents by content, the oldest dropped past :data:`CACHE_SIZE`; a thread
    asking for a text being analysed waits for that analysis rather than repeating it."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], Future[Document]] = OrderedDict()
        self.lock = threading.Lock()
        self.analysed = 0

    def get(self, text: str, file: str, params: dict[str, Any] | None = None,
            variant: str | None = None) -> Document:
        """The analysis of ``text`` as the file ``file`` with ``params`` set, as the
        ``variant`` of that name (its arguments, then ``params``) where one is chosen."""
        params = dict(params or {})
        key = (text, file, tuple(sorted((k, repr(v)) for k, v in params.items())), variant,
               _stamps(text, file))
        with self.lock:
            future = self.entries.get(key)
            mine = future is None
            if mine:
                future = self.entries[key] = Future()
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
            self.entries.move_to_end(key)
        assert future is not None
        if mine:
            self.analysed += 1
            future.set_result(analyse(text, file, params, variant))
        return future.result()


def _stamps(text: str, file: str) -> tuple[tuple[str, int, int], ...]:
    """The size and time of each file the text's ``use`` lines name, so an edit there
    makes the text's analysis stale (files they use in turn are not followed)."""
    out = []
    for name in _USE_LINE.findall(text):
        path = Path(file).parent / name
        try:
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
        except (OSError, ValueError):
            out.append((str(path), -1, -1))
    return tuple(out)


def analyse(text: str, file: str, params: dict[str, Any],
            variant: str | None = None) -> Document:
    """Parse, index and elaborate ``text`` (or check it as a sweep file); whatever the text,
    a :class:`Document` comes back, its problems saying what went wrong."""
    doc = Document(file, text, params, variant)
    problem = _text_problem(text)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    try:
        if doc.sweep:
            _check_sweep(doc)
        else:
            _check_spec(doc)
    except ResgraphError as exc:
        doc.problems.extend(problems_of(exc))
    except RecursionError:
        doc.problems.append(Problem("the spec nests too deeply to analyse", None))
    except Exception as exc:  # noqa: BLE001 - a bug must not end the server; it is shown
        doc.problems.append(Problem(f"internal error (a bug in resgraph; please report it): "
                                    f"{type(exc).__name__}: {exc}", None))
    return doc


def _text_problem(text: str) -> Problem | None:
    """What ``resgraph check`` refuses before parsing: more than a spec's size, or binary."""
    if len(text) > MAX_SPEC_BYTES or len(text.encode("utf-8", "replace")) > MAX_SPEC_BYTES:
        return Problem(f"this file is larger than {MAX_SPEC_BYTES >> 20} MiB; a spec is text "
                       "of a few KiB", None)
    if "\0" in text:
        return Problem("this is a binary file, not spec text", None)
    return None


def _check_spec(doc: Document) -> None:
    module = doc.module = parse(doc.text, doc.file)
    doc.index = build_index(module)
    if doc.variant is not None:
        doc.params = {**_variant_params(module, doc.variant), **doc.params}
    doc.graph = elaborate(module, doc.file, doc.params, name=doc.variant)
    doc.problems.extend(_note(module, note) for note in doc.graph.notes)


def _check_sweep(doc: Document) -> None:
    from resgraph.api import check_sweep

    doc.module = parse_sweep(doc.text, doc.file)
    check_sweep(Source(doc.text, doc.file), **doc.params)


def _variant_params(module: s.Module, name: str) -> dict[str, Any]:
    """The arguments of the module's variant ``name``, as ``resgraph check NAME`` sets them."""
    for item in module.items:
        if isinstance(item, s.Variant) and item.name == name:
            return {k.name: _literal(k.value) for k in item.kwargs}
    raise UsageError(unknown("variant", name, [i.name for i in module.items
                                               if isinstance(i, s.Variant)]))


def problems_of(exc: ResgraphError) -> list[Problem]:
    """Each error of ``exc`` as a problem (a :class:`SpecErrors` holds several)."""
    if isinstance(exc, SpecErrors):
        return [p for e in exc.errors for p in problems_of(e)]
    if isinstance(exc, SpecError):
        return [Problem(exc.message, exc.span, "error", exc.hint, list(exc.notes))]
    return [Problem(str(exc), None)]


def _note(module: s.Module, note: str) -> Problem:
    """A note of elaboration (a rounding) as information at the call that made it."""
    found = _NOTE_PLACE.search(note)
    span = None
    if found:
        line, column = int(found["line"]), int(found["column"])
        call = _call_at(module, line, column)
        span = call.span if call is not None else Span(found["file"], line, column, line,
                                                       column + 1)
    return Problem(_NOTE_PLACE.sub("", note).rstrip(), span, "information")


def _call_at(module: s.Module, line: int, column: int) -> s.Call | None:
    """The call starting at a position of the module (where a rounding is reported)."""
    for node in walk(module.items):
        if isinstance(node, s.Call) and (node.span.line, node.span.column) == (line, column):
            return node
    return None


def nodes_at(graph: Graph, file: str, line: int, column: int) -> list[Any]:
    """The IR nodes made by the text at a position of ``file``, in graph order."""
    return [n for n in graph if n.span is not None and n.span.file == file
            and contains(n.span, line, column)]
