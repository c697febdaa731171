"""A sweep's folder: ``sweep.json`` (what the sweep is, and where it first ran) and
``results.jsonl``, the append-only journal of its candidates (the record format is in
:mod:`resgraph.sweep`'s docstring).

The journal is written in whole lines, some records at a time: the driver hands each job's
records to :class:`Journal`, which keeps them until :data:`FLUSH_S` has passed since it was
last written or :data:`FLUSH_BYTES` are waiting, then writes them in one ``write`` on a file
opened for appending and syncs it (``fsync``). A sweep of fast candidates then pays one sync a
fifth of a second, not one per job; a killed driver leaves at most the records of its last
fifth of a second unwritten (a resume runs those again), never half a line. Should a line be
torn all the same (a power cut), the next run drops it before it appends, and measures that
candidate again.

The journal is read one line at a time (:func:`iter_journal`), so neither a resume nor a
report holds more of it than what it keeps of each record. A resume needs of a record that is
not ``ok`` only its index, status and hash: ``brief`` reads those (and the parameters before
them) without parsing the rest of the line, which this writer lays out the same on every line
(compact separators, :func:`resgraph.sweep.worker.record`'s key order); a line laid out
otherwise, or an ``ok`` one, is parsed whole.
"""

from __future__ import annotations

import json
import json.scanner
import math
import os
import platform
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from resgraph.errors import UsageError
from resgraph.files import check_output, write_atomic

RESULTS, DEFINITION = "results.jsonl", "sweep.json"
#: the format of both files; a reader checks it
FORMAT = 1
#: the libraries whose versions a sweep records (read from their installed metadata, so
#: none is imported)
LIBRARIES = ("resgraph", "torch", "onnxruntime", "tensorrt", "ray", "lark")
#: how long a record may wait in the driver before it is written and synced, seconds
FLUSH_S = 0.2
#: how many bytes of records may wait before they are written whatever the time
FLUSH_BYTES = 4 << 20


def check_folder(folder: str | Path) -> Path:
    """``--out`` if a sweep can live there: a folder or a name that can become one, its
    two files writable. Called before any work; creates nothing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: is a file; give a folder")
    if folder.is_dir():
        for name in (RESULTS, DEFINITION):
            check_output(folder / name, flag="--out")
    else:
        check_output(folder, flag="--out")
    return folder


def definition_file(definition: Mapping[str, Any], engine: str) -> dict[str, Any]:
    """The content of ``sweep.json``: the definition, the versions, the machine."""
    return {"format": FORMAT, "definition": normal(definition),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "engine": engine, "versions": versions(), "machine": machine()}


def versions() -> dict[str, str | None]:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None
    return {"python": platform.python_version(), **{n: version(n) for n in LIBRARIES}}


def machine() -> dict[str, Any]:
    return {"host": platform.node(), "platform": platform.platform(),
            "cpu": _cpu_model(), "cpus": os.cpu_count(), "python": sys.executable}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def normal(data: Any) -> Any:
    """``data`` as JSON reads it back (tuples become lists), so definitions compare."""
    return json.loads(json.dumps(data))


def open_folder(folder: Path, definition: Mapping[str, Any], engine: str) -> Path:
    """Create the sweep's folder, or check that the sweep in it is this one; the journal's
    path, a torn last line cut from it (read its records with :func:`iter_journal`)."""
    path = folder / DEFINITION
    journal = folder / RESULTS
    if path.is_file():
        old = _read_json(path)
        if old.get("definition") != normal(definition):
            raise UsageError(f"--out {folder}: holds a different sweep (see {path}); give "
                             f"another folder, or the same options to resume it")
        _cut_torn(journal)
        return journal
    folder.mkdir(exist_ok=True)
    write_atomic(path, json.dumps(definition_file(definition, engine), indent=2) + "\n")
    _cut_torn(journal)
    return journal


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read as a sweep's definition: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not a sweep definition of format {FORMAT}")
    return data


def read_journal(path: Path, *, repair: bool = False) -> list[dict[str, Any]]:
    """The records of a journal; a torn last line is dropped (and, with ``repair``, cut
    from the file so the next record starts on a line of its own)."""
    if repair:
        _cut_torn(path)
    return list(iter_journal(path))


def iter_journal(path: Path, *, brief: bool = False,
                 fields: Fields | None = None) -> Iterator[dict[str, Any]]:
    """The records of a journal one at a time, in the order written; a torn last line (no
    newline after it) is left out. ``brief``: a record that is not ``ok`` holds only its
    ``index``, ``params``, ``status`` and ``graph``; ``fields``: every record holds only the
    fields up to ``fields.last``, equal values read once (see the module's docstring)."""
    if not path.exists():
        return
    short = Fields("graph") if brief else fields
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.endswith(b"\n"):
                return
            try:
                rec = short.read(line.decode()) if short else None
                if rec is None or (brief and rec["status"] == "ok"):
                    rec = json.loads(line)
                yield rec
            except ValueError:
                raise UsageError(f"{path}:{number}: not a JSON record; the journal was "
                                 f"changed by hand (move it away to start the sweep "
                                 f"again)") from None


#: the record's keys in the order :func:`resgraph.sweep.worker.record` makes them
LAYOUT = ("index", "params", "status", "graph", "figures", "metrics", "error", "duplicate_of")


class Fields:
    """Reads the leading fields of a journal line, up to ``last`` (of :data:`LAYOUT`), not
    parsing the rest; None for a line not of this writer's layout (compact separators,
    :data:`LAYOUT`'s order). An object value equal to one read before is that one, found by
    its text up to its first ``}`` without parsing it again: a complete JSON object is
    never a prefix of another, so the text found is the whole value."""

    def __init__(self, last: str) -> None:
        keys = LAYOUT[:LAYOUT.index(last) + 1]
        heads = ['{"index":'] + [f',"{k}":' for k in keys[1:]]
        self.fields = [(k, h, len(h)) for k, h in zip(keys, heads)]
        #: the text of each object value read → the value, shared by equal ones
        self.shared: dict[str, Any] = {}

    def read(self, line: str) -> dict[str, Any] | None:
        out, end = {}, 0
        for key, head, size in self.fields:
            if not line.startswith(head, end):
                return None
            start = end + size
            try:
                out[key], end = (self._object(line, start) if line.startswith("{", start)
                                 else _scan(line, start))
            except ValueError:
                return None  # not this layout after all (a space after the colon): parse whole
        return out

    def _object(self, line: str, start: int) -> tuple[Any, int]:
        close = line.find("}", start) + 1
        found = self.shared.get(line[start:close]) if close else None
        if found is not None:
            return found, close
        value, end = _scan(line, start)
        return self.shared.setdefault(line[start:end], value), end


def _scan(line: str, start: int) -> tuple[Any, int]:
    """The JSON value at ``start`` and where it ends (json's own C scanner)."""
    try:
        return _SCAN(line, start)  # type: ignore[no-any-return]
    except StopIteration:
        raise ValueError(f"no JSON value at {start}") from None


_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _cut_torn(path: Path) -> None:
    """Cut a torn last line from the journal, so the next record starts a line of its own."""
    if not path.exists():
        return
    with path.open("r+b") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - 1))
        if size == 0 or f.read(1) == b"\n":
            return
        whole = _last_newline(f, size) + 1
        f.truncate(whole)
        os.fsync(f.fileno())


def _last_newline(f: Any, size: int, chunk: int = 1 << 16) -> int:
    """The offset of the file's last newline (-1: none), read backwards a chunk at a time."""
    end = size
    while end > 0:
        start = max(0, end - chunk)
        f.seek(start)
        at = f.read(end - start).rfind(b"\n")
        if at >= 0:
            return start + at
        end = start
    return -1


class Journal:
    """``results.jsonl`` opened for appending whole, synced lines, written at most every
    :data:`FLUSH_S` seconds (see the module's docstring)."""

    def __init__(self, path: Path, every: float = FLUSH_S):
        self.path, self.every = path, every
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self.waiting: list[bytes] = []
        self.size = 0
        #: when the journal was last written: never, so the first records go out at once
        self.written = -math.inf

    def append(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Keep the records' lines to write; written now when enough time or bytes wait."""
        data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":"),
                                  default=str) + "\n" for r in records).encode()
        if data:
            self.waiting.append(data)
            self.size += len(data)
        if self.due() == 0:
            self.flush()

    def due(self) -> float | None:
        """Seconds until the waiting records must be written (0: now), None when none wait:
        how long the driver may block waiting for the next job."""
        if not self.waiting:
            return None
        if self.size >= FLUSH_BYTES:
            return 0.0
        return max(0.0, self.every - (time.monotonic() - self.written))

    def flush(self) -> None:
        """Write what waits in one ``write`` and sync it."""
        if self.waiting:
            view = memoryview(b"".join(self.waiting))
            while view:  # a regular file takes it in one write; the loop is for the rest
                view = view[os.write(self.fd, view):]
            os.fsync(self.fd)
            self.waiting, self.size = [], 0
        self.written = time.monotonic()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            os.close(self.fd)
