"""One error hierarchy for everything a user can get wrong, rendered in one place.

Every error resgraph raises on purpose is a :class:`ResgraphError`; the CLI maps the classes
to exit codes (:data:`resgraph.cli.EXIT_CODES`) and prints :meth:`ResgraphError.render`, or
:meth:`ResgraphError.to_json` under ``--json``. Anything else that escapes is a bug.

- :class:`SpecError` (and :class:`SpecErrors`, several at once): spec text is wrong, at a
  :class:`Span` that carries its own :class:`Source`, so the excerpt quotes the text that was
  parsed, whatever else was parsed since under the same file name.
- :class:`UsageError`: a request that is not spec text (an option, a file, an argument).
- :class:`MissingDependency`: something to install (an extra, Graphviz, TensorRT, a GPU).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


class ResgraphError(Exception):
    """The root: a problem the user can fix, with a message that says how."""

    def render(self) -> str:
        """The error as a person reads it."""
        return f"error: {self}"

    def to_json(self) -> dict[str, object]:
        """The error as a machine reads it (``--json`` prints it on stdout)."""
        return {"error": type(self).__name__, "message": str(self)}


class UsageError(ResgraphError):
    """A request the user can fix that is not spec text: a bad argument, option or file."""


class MissingDependency(ResgraphError):
    """Something to install is missing; the message says what and how."""


@dataclass(frozen=True, eq=False)
class Source:
    """Spec text and the file name its errors give; the spans into it keep it, so errors
    quote it. Wherever a spec is taken, ``Source(text)`` is spec text (a ``str`` is a path or
    a shipped name, never text)."""

    text: str
    file: str = "<spec>"

    def line(self, number: int) -> str | None:
        """Line ``number`` as the parser counts lines: only ``\n`` ends one (``\x0c`` or
        ``\u2028`` would for ``str.splitlines``, and then the quoted line would be wrong)."""
        lines = self.text.split("\n")
        return lines[number - 1].removesuffix("\r") if 1 <= number <= len(lines) else None


@dataclass(frozen=True)
class Span:
    """A region of one source file; lines and columns count from 1, ``end_column`` is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    source: Source | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class SpecError(ResgraphError):
    """A problem with a spec, at a place in it."""

    message: str
    span: Span | None = None
    hint: str | None = None
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """Location, message, the source line with carets under the span, notes, hint."""
        head = f"{self.span}: error: {self.message}" if self.span else f"error: {self.message}"
        lines = [head]
        if self.span is not None:
            lines.extend(excerpt(self.span))
        lines.extend(f"  {note}" for note in self.notes)
        if self.hint:
            lines.append(f"  {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        span = self.span
        return {
            "error": "SpecError",
            "message": self.message,
            "file": span.file if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "hint": self.hint,
            "notes": list(self.notes),
        }


class SpecErrors(ResgraphError):
    """Several independent errors found in one pass (``resgraph check`` reports them all)."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("\n".join(e.render() for e in errors))
        self.errors = errors

    def render(self) -> str:
        return "\n\n".join(e.render() for e in self.errors) + f"\n\n{len(self.errors)} errors"

    def to_json(self) -> dict[str, object]:
        return {"error": "SpecErrors", "message": f"{len(self.errors)} errors",
                "errors": [e.to_json() for e in self.errors]}


def excerpt(span: Span) -> list[str]:
    """The source line of ``span`` with carets under the spanned columns."""
    line = span.source.line(span.line) if span.source is not None else None
    if line is None:
        return []
    end = span.end_column if span.end_line == span.line else len(line) + 1
    # columns count characters; tabs are shown expanded, so the carets are placed in the
    # expanded text
    before = len(line[:span.column - 1].expandtabs(4))
    width = max(1, len(line[:end - 1].expandtabs(4)) - before)
    return [f"    {line.expandtabs(4)}", "    " + " " * before + "^" * width]


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to ``word``, if one is close enough to suggest."""
    close = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, known: Iterable[str], limit: int = 8) -> str | None:
    """The one suggestion of resgraph: the closest known word, and a short list of what is
    known (``did you mean 'bottleneck'? (known: basic, bottleneck, …)``)."""
    known = sorted(set(known))
    close = closest(word, known)
    shown = ", ".join(known[:limit]) + (", …" if len(known) > limit else "")
    if close:
        return f"did you mean '{close}'? (known: {shown})"
    return f"known: {shown}" if known else None


def unknown(what: str, word: str, known: Iterable[str]) -> str:
    """``unknown level 'stge'; did you mean 'stage'? (known: …)``: the one wording of a
    one-line error about a name that is not one of ``known``."""
    hint = did_you_mean(word, known)
    return f"unknown {what} '{word}'" + (f"; {hint}" if hint else "")
