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
from resgraph.errors import Source, SpecError, UsageError, did_you_mean
from resgraph.files import read_spec_text
from resgraph.parse import parse

#: how a sweep file's name ends (:mod:`resgraph.sweep.file`)
SWEEP_SUFFIX = ".sweep.rg"


def is_sweep_file(spec: str | Path | Source) -> bool:
    """Whether a spec argument names a sweep file: by its name, ``*.sweep.rg``."""
    return (spec.file if isinstance(spec, Source) else str(spec)).endswith(SWEEP_SUFFIX)


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
    if isinstance(expr, (s.Int, s.Float, s.Str, s.Bool)):
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


def resolve(spec: str | Path | Source) -> Resolved:
    """Make a spec argument concrete. The rule, the same in Python and on the command line:
    a :class:`Source` is spec text; a ``str`` or ``Path`` names a file if one is there, else
    a shipped network (``resgraph list``); a ``str`` is never read as spec text."""
    if isinstance(spec, Source):
        return Resolved(spec.text, spec.file, {}, None)
    path = Path(spec)
    if isinstance(spec, Path) or path.exists():
        return Resolved(read_spec_text(path), str(spec), {}, None)
    if "\n" in spec:
        raise UsageError("a str is a spec file or a shipped network's name; to pass spec "
                         "text, wrap it: resgraph.Source(text)")
    entries = catalog()
    if spec in entries:
        e = entries[spec]
        return Resolved(specs_dir().joinpath(e.file).read_text(), f"specs/{e.file}",
                        dict(e.params), spec)
    if path.suffix == ".rg" or "/" in spec:
        raise UsageError(f"no such file: {spec}")
    raise UsageError(f"'{spec}' is neither a spec file nor a shipped network; "
                     + (did_you_mean(spec, entries) or "see 'resgraph list'"))


def variant_name(resolved: Resolved, params: dict[str, Any]) -> str | None:
    """The shipped name of the network ``params`` make of ``resolved``'s file: its own name
    when they change nothing, another variant's when they equal its arguments
    (``resnet18 --set depth=34`` is resnet34), else None (the spec's ``network`` name)."""
    merged = {**resolved.params, **params}
    if resolved.name is None or merged == resolved.params:
        return resolved.name
    file = catalog()[resolved.name].file
    return next((e.name for e in catalog().values() if e.file == file and e.params == merged),
                None)
