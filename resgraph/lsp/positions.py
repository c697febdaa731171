"""Columns as the client counts them, converted at the server's edge.

resgraph counts columns in code points (a :class:`~resgraph.errors.Span`, the features'
ranges); the protocol counts them in the encoding negotiated at initialisation, UTF-16 code
units unless the client offered another, so a character outside the Basic Multilingual Plane
(an emoji in a comment) is two. Requests' positions are converted on the way in
(:func:`from_client`) and every position of a reply or a notification on the way out
(:func:`to_client`), each with the lines of the file it is in: a location or an edit in a
``use``d file is counted in that file's text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import attrs
from lsprotocol import types as t
from pygls.workspace.position_codec import PositionCodec

T = TypeVar("T")
#: the lines of the file a URI names ([] where it cannot be read: columns kept as they are)
Lines = Callable[[str], Sequence[str]]


def from_client(codec: PositionCodec, lines: Sequence[str], position: t.Position) -> int:
    """The 0-based code-point column of a client's position (past the line: kept past)."""
    text = lines[position.line] if 0 <= position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(text):
        if units >= position.character:
            return index
        units += codec.client_num_units(char)
    return len(text) + max(0, position.character - units)


def client_column(codec: PositionCodec, lines: Sequence[str], line: int, column: int) -> int:
    """A 0-based code-point column in the client's units."""
    text = lines[line] if 0 <= line < len(lines) else ""
    return codec.client_num_units(text[:column]) + max(0, column - len(text))


def to_client(value: T, uri: str, codec: PositionCodec, lines: Lines) -> T:
    """A copy of ``value`` (a reply or a notification's items) with every position in the
    client's units; a location's range is counted in its own file, a workspace edit's in each
    one's. A copy, as features may hand out what an analysis keeps."""
    if isinstance(value, t.Position):
        return t.Position(value.line, client_column(codec, lines(uri), value.line,
                                                    value.character))  # type: ignore[return-value]
    if isinstance(value, list):
        return [to_client(v, uri, codec, lines) for v in value]  # type: ignore[return-value]
    if isinstance(value, t.WorkspaceEdit) and value.changes is not None:
        return attrs.evolve(value, changes={u: to_client(edits, u, codec, lines)
                                            for u, edits in value.changes.items()})
    if not attrs.has(type(value)):
        return value
    uri = value.uri if isinstance(value, t.Location) else uri
    changed = {f.name: to_client(inner, uri, codec, lines)
               for f in attrs.fields(type(value))  # type: ignore[arg-type]
               if isinstance(inner := getattr(value, f.name), (list, t.Position))
               or attrs.has(type(inner))}
    return attrs.evolve(value, **changed)  # type: ignore[misc]
