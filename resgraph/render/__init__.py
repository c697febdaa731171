"""Diagrams: a graph folded to the level asked for (:mod:`view`), written as DOT (:mod:`dot`),
rendered by Graphviz (:mod:`output`). The API's entry is :func:`resgraph.draw`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from resgraph.errors import unknown
from resgraph.render.dot import DrawOptions, render_dot
from resgraph.render.output import FORMATS, GraphvizMissing, output_format, write
from resgraph.render.view import LEVELS, DrawError

__all__ = [
    "FORMATS",
    "LEVELS",
    "DrawError",
    "DrawOptions",
    "GraphvizMissing",
    "make_options",
    "output_format",
    "render_dot",
    "write",
]


def make_options(**options: Any) -> DrawOptions:
    known = [f.name for f in fields(DrawOptions)]
    for key in options:
        if key not in known:
            raise DrawError(unknown("draw() option", key, known))
    for key in ("expand", "annotate"):
        if key in options:
            options[key] = _names(options[key])
    return DrawOptions(**options)


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(i.strip() for i in items if i.strip())
