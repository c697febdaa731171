"""One error type for everything a user can get wrong, rendered in one place.

Every error carries the :class:`Span` of the spec text it is about, so that it prints as
``file:line:col: error: ...`` followed by the offending line and carets under the span.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A region of one source file; lines and columns count from 1, ``end_column`` is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class SpecError(Exception):
    """A problem with a spec, at a place in it."""

    message: str
    span: Span | None = None
    hint: str | None = None
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """The error as a person reads it: location, message, source line, carets, hints."""
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
            "message": self.message,
            "file": span.file if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "hint": self.hint,
            "notes": list(self.notes),
        }


class SpecErrors(Exception):
    """Several independent errors found in one pass (``resgraph check`` reports them all)."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("\n".join(e.render() for e in errors))
        self.errors = errors

    def render(self) -> str:
        return "\n\n".join(e.render() for e in self.errors) + f"\n\n{len(self.errors)} errors"


_SOURCES: dict[str, str] = {}


class UsageError(Exception):
    """A request the user can fix that is not spec text: a bad argument, option or file.
    The CLI prints the message on one line and exits 2; backends raise subclasses of it."""


class MissingDependency(Exception):
    """Something to install is missing; the message says what and how (CLI exit code 3)."""


def register_source(file: str, text: str) -> None:
    """Remember a file's text so that errors about it can quote the offending line."""
    _SOURCES[file] = text


def excerpt(span: Span) -> list[str]:
    """The source line of ``span`` with carets under the spanned columns."""
    text = _SOURCES.get(span.file)
    if text is None:
        return []
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].expandtabs(4)
    end = span.end_column if span.end_line == span.line else len(line) + 1
    width = max(1, end - span.column)
    return [f"    {line}", "    " + " " * (span.column - 1) + "^" * width]


def did_you_mean(word: str, known: Iterable[str], limit: int = 8) -> str | None:
    """A hint naming the closest known words, and a short list of what is known."""
    known = sorted(set(known))
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    shown = ", ".join(known[:limit]) + (", …" if len(known) > limit else "")
    if close:
        return f"did you mean '{close[0]}'? (known: {shown})"
    return f"known: {shown}" if known else None
