"""The networks resgraph ships, by name: every ``variant`` line of the files in ``specs/``.

A name such as ``resnet50`` is accepted wherever a spec path is, like ``timm.create_model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.errors import SpecError, did_you_mean
from resgraph.parse import parse


@dataclass(frozen=True)
class Entry:
    name: str
    file: str
    params: dict[str, Any]
    summary: str
    source: str


@dataclass(frozen=True)
class Resolved:
    """A spec argument made concrete: its text, the file to name in errors, its parameters."""

    text: str
    file: str
    params: dict[str, Any]
    name: str | None


def specs_dir() -> Traversable:
    return resources.files("resgraph.specs")


def _literal(expr: s.Expr) -> Any:
    if isinstance(expr, (s.Int, s.Str, s.Bool)):
        return expr.value
    raise SpecError("a variant's arguments must be plain values", expr.span)


def _source_line(module: s.Module) -> str:
    """The first comment of a shipped spec names the paper it follows."""
    first = module.comments[0].text.lstrip("# ").strip() if module.comments else ""
    return first


@cache
def catalog() -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for f in sorted(specs_dir().iterdir(), key=lambda t: t.name):
        if not f.name.endswith(".rg"):
            continue
        module = parse(f.read_text(), f"specs/{f.name}")
        for item in module.items:
            if isinstance(item, s.Variant):
                params = {k.name: _literal(k.value) for k in item.kwargs}
                out[item.name] = Entry(item.name, f.name, params, item.summary or "",
                                       _source_line(module))
    return out


def resolve(spec: str | Path) -> Resolved:
    """Turn a path, a shipped network's name or spec text into text and parameters."""
    if isinstance(spec, Path) or (isinstance(spec, str) and "\n" not in spec
                                  and not spec.startswith("resgraph ")):
        path = Path(spec)
        if path.is_file():
            return Resolved(path.read_text(), str(spec), {}, None)
        name = str(spec)
        entries = catalog()
        if name in entries:
            e = entries[name]
            return Resolved(specs_dir().joinpath(e.file).read_text(), f"specs/{e.file}",
                            dict(e.params), name)
        if path.suffix == ".rg" or "/" in name:
            raise SpecError(f"no such file: {name}")
        raise SpecError(f"'{name}' is neither a spec file nor a shipped network",
                        hint=did_you_mean(name, entries) or "see 'resgraph list'")
    return Resolved(spec, "<spec>", {}, None)
