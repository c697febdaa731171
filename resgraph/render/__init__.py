"""Diagrams: a graph folded to the level asked for (:mod:`view`), written as DOT (:mod:`dot`),
rendered by Graphviz (:mod:`output`). ``draw`` is the entry point of the Python API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from resgraph.ir import Graph
from resgraph.render.dot import DrawOptions, render_dot
from resgraph.render.output import FORMATS, GraphvizMissing, write
from resgraph.render.view import LEVELS, DrawError

__all__ = [
    "FORMATS",
    "LEVELS",
    "DrawError",
    "DrawOptions",
    "GraphvizMissing",
    "draw",
    "render_dot",
    "write",
]


def draw(spec: Any, output: str | Path | None = None, *,
         params: Mapping[str, Any] | None = None, **options: Any) -> str:
    """DOT source of a spec (path, shipped name or text) or an IR ``Graph``; with ``output``
    (``.svg``, ``.png``, ``.pdf`` or ``.dot``) the diagram is also written there.

    ``options`` are those of :class:`DrawOptions`: ``level``, ``expand``, ``rankdir``,
    ``annotate``, ``color`` (``"values"`` with ``values={scope: number}`` and ``legend``)
    and ``batch``; ``expand`` and ``annotate`` take a sequence or a comma-separated string.
    """
    if output is not None:
        from resgraph.render.output import output_format

        output_format(Path(output))
    graph = spec if isinstance(spec, Graph) else _load(spec, params or {})
    source = render_dot(graph, make_options(**options))
    if output is not None:
        write(source, output)
    return source


def make_options(**options: Any) -> DrawOptions:
    known = [f.name for f in fields(DrawOptions)]
    for key in options:
        if key not in known:
            raise DrawError(f"draw() has no option '{key}'; options: {', '.join(known)}")
    for key in ("expand", "annotate"):
        if key in options:
            options[key] = _names(options[key])
    return DrawOptions(**options)


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(i.strip() for i in items if i.strip())


def _load(spec: Any, params: Mapping[str, Any]) -> Graph:
    from resgraph.api import load

    return load(spec, **params)
