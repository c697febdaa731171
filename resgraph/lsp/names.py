"""What a name at a position means, across files: the document's own definitions, then the
files its ``use`` lines bring in (the last one first, as a later ``use`` overrides an
earlier), then the prelude's built-in blocks, then the ops and built-in functions.

The prelude is shown from a read-only copy in the user's cache folder, so that going to
``bottleneck`` opens a file the editor will not let one change by mistake.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from resgraph import syntax as s
from resgraph.elaborate.functions import BUILTINS
from resgraph.errors import ResgraphError, Span
from resgraph.files import read_spec_text
from resgraph.lsp.document import Document
from resgraph.lsp.index import Index, Symbol, build_index
from resgraph.ops import OPS
from resgraph.parse import parse


@dataclass(frozen=True)
class Target:
    """The name at a position (``span``) and what it is: a definition (``symbol``, in the
    file ``index`` indexes), an op or a built-in function (``kind``), or unknown."""

    name: str
    span: Span
    symbol: Symbol | None
    kind: str


def prelude_path() -> Path:
    """A read-only copy of the prelude (rewritten when the installed one differs)."""
    text = resources.files("resgraph").joinpath("prelude.rg").read_text()
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "resgraph"
    path = folder / "prelude.rg"
    try:
        if not path.is_file() or path.read_text() != text:
            folder.mkdir(parents=True, exist_ok=True)
            if path.exists():
                path.chmod(stat.S_IRUSR | stat.S_IWUSR)
            path.write_text(text)
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except OSError:
        return Path(str(resources.files("resgraph").joinpath("prelude.rg")))
    return path


@cache
def prelude_index() -> Index:
    path = prelude_path()
    return build_index(parse(path.read_text(), str(path)))


@cache
def _file_index(path: str, size: int, mtime: int) -> Index | None:
    try:
        return build_index(parse(read_spec_text(Path(path), "file"), path))
    except (ResgraphError, RecursionError):
        return None


def used_indexes(doc: Document) -> list[Index]:
    """The indexes of the files the document's ``use`` lines name, the last first."""
    out = []
    uses = [i for i in doc.module.items if isinstance(i, s.Use)] if isinstance(
        doc.module, s.Module) else []
    for use in reversed(uses):
        path = (Path(doc.file).parent / use.path).resolve()
        try:
            st = path.stat()
        except OSError:
            continue
        found = _file_index(str(path), st.st_size, st.st_mtime_ns)
        if found is not None:
            out.append(found)
    return out


def libraries(doc: Document) -> list[Index]:
    """Where a name the document does not define is looked for, in order."""
    return [*used_indexes(doc), prelude_index()]


def target_at(doc: Document, line: int, column: int) -> Target | None:
    """The name at a 1-based position of the document and what it resolves to."""
    if doc.index is None:
        return None
    found = doc.index.target(line, column)
    if found is None:
        return None
    name, symbol, span = found
    if symbol is None:
        symbol = next((sym for lib in libraries(doc)
                       if (sym := lib.lookup(name, None)) is not None), None)
    kind = symbol.kind if symbol else "op" if name in OPS else (
        "function" if name in BUILTINS else "unknown")
    return Target(name, span, symbol, kind)
