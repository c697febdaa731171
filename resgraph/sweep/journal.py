"""A sweep's folder: ``sweep.json`` (what the sweep is, and where it first ran) and
``results.jsonl``, the append-only journal of its candidates (the record format is in
:mod:`resgraph.sweep`'s docstring).

The journal is written a job's records at a time: whole lines, in one ``write`` on a file
opened for appending, then ``fsync``, so a killed driver leaves at most the records it had
not yet written, never half a line. Should a line be torn all the same (a power cut), the
next run drops it before it appends, and measures that candidate again.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
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


def open_folder(folder: Path, definition: Mapping[str, Any], engine: str) -> list[dict[str, Any]]:
    """Create the sweep's folder, or check that the sweep in it is this one; the records
    already in its journal (none for a new sweep)."""
    path = folder / DEFINITION
    if path.is_file():
        old = _read_json(path)
        if old.get("definition") != normal(definition):
            raise UsageError(f"--out {folder}: holds a different sweep (see {path}); give "
                             f"another folder, or the same options to resume it")
        return read_journal(folder / RESULTS, repair=True)
    folder.mkdir(exist_ok=True)
    write_atomic(path, json.dumps(definition_file(definition, engine), indent=2) + "\n")
    return read_journal(folder / RESULTS, repair=True)


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
    if not path.exists():
        return []
    data = path.read_bytes()
    whole = data[:data.rfind(b"\n") + 1]
    if repair and len(whole) != len(data):
        with path.open("r+b") as f:
            f.truncate(len(whole))
            os.fsync(f.fileno())
    records = []
    for number, line in enumerate(whole.decode().splitlines(), 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            raise UsageError(f"{path}:{number}: not a JSON record; the journal was changed "
                             f"by hand (move it away to start the sweep again)") from None
    return records


class Journal:
    """``results.jsonl`` opened for appending whole, synced lines."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)

    def append(self, records: Iterable[Mapping[str, Any]]) -> None:
        data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":"),
                                  default=str) + "\n" for r in records).encode()
        if data:
            view = memoryview(data)
            while view:  # a regular file takes it in one write; the loop is for the rest
                view = view[os.write(self.fd, view):]
            os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)
