"""Elaborations kept by content: the same spec with the same settings is elaborated once.

An entry is keyed by everything elaboration reads that the call does not name: the spec's
text and file name, the parameters, the variant's name, the input shape, the working folder
(where a spec given as text finds its ``use`` files) and the limits. The text of every file
brought in with ``use`` is kept beside it and read again on each hit, so an edited library is
a miss, never a stale graph. Failures are not kept: a wrong spec is elaborated each time, so
its errors are the same as without the cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph import cache
from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.errors import UsageError
from resgraph.files import read_spec_text
from resgraph.ir import Graph


@dataclass(frozen=True)
class Elaborated:
    """A graph as elaboration made it (never handed out: callers get copies) and the text
    of each file it used, by path."""

    graph: Graph
    used: dict[str, str]

    def current(self) -> bool:
        """Whether every used file still holds the text it held."""
        for path, text in self.used.items():
            try:
                if read_spec_text(Path(path), "file") != text:
                    return False
            except UsageError:
                return False
        return True


_ELABORATED: cache.Memo[Elaborated] = cache.Memo("elaborated", 128)


def elaborated(module: s.Module, file: str, params: dict[str, Any], name: str | None,
               input_shape: tuple[int, ...] | None,
               run: Callable[[], tuple[Graph, dict[str, str]]]) -> Graph:
    """A copy of the graph ``run()`` makes (with the used files' texts), made once per key."""
    text = module.span.source.text if module.span.source else None
    try:
        settings = repr((sorted(params.items()), name, input_shape, _limits()))
    except ValueError:  # an integer of more than 4,300 digits, which elaboration refuses
        text = None
    if text is None:
        return run()[0]
    key = cache.digest(file, text, settings, os.getcwd())

    def make() -> Elaborated:
        graph, used = run()
        graph.key = cache.digest(key, *(f"{path}\0{text}" for path, text in sorted(used.items())))
        if graph.training is not None:
            graph.training.key = cache.digest(graph.key, "training")
        return Elaborated(graph, used)

    entry = _ELABORATED.get(key, make)
    if not entry.current():
        _ELABORATED.forget(key)
        entry = _ELABORATED.get(key, make)
    return entry.graph.copy()


def _limits() -> tuple[int, ...]:
    return (limits.MAX_STAGE_DEPTH, limits.MAX_OPS, limits.MAX_ITEMS, limits.MAX_STRING,
            limits.MAX_STEPS)
