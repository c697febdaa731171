"""Files the user names: read with bounds, written whole or not at all, never onto an input.

Every command that writes checks its output paths with :func:`check_output` before any work
starts, and writes through :func:`write_atomic` or :func:`atomic_path`: the data goes to a
temporary file beside the target, which replaces the target only once complete, so Ctrl-C or
a failure mid-write leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from resgraph.errors import UsageError

#: the largest spec file resgraph reads; the shipped ones are under 10 KiB
MAX_SPEC_BYTES = 1 << 20


def read_spec_text(path: Path, what: str = "spec") -> str:
    """The text of a spec file, or a :class:`UsageError` that says why it cannot be read."""
    if path.is_dir():
        raise UsageError(f"{what} '{path}' is a directory, not a file")
    if path.exists() and not path.is_file():
        # a named pipe or a device would be read until it ends, which may be never
        raise UsageError(f"{what} '{path}' is not a regular file")
    try:
        with path.open("rb") as f:
            data = f.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise UsageError(f"{what} '{path}' is larger than {MAX_SPEC_BYTES >> 20} MiB; "
                         f"a spec is text of a few KiB")
    if b"\0" in data:
        raise UsageError(f"{what} '{path}' is a binary file, not spec text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} '{path}' is not UTF-8 text (byte {exc.start}: "
                         f"{data[exc.start:exc.start + 1]!r})") from None


def check_output(path: str | Path, *, inputs: Iterable[str | Path] = (),
                 flag: str = "-o") -> Path:
    """``path`` if it can be written: its folder exists, it is not a folder, it can be
    written, and it is none of ``inputs``. Call before the work that produces it."""
    path = Path(path)
    where = f"{flag} {path}"
    if path.is_dir():
        raise UsageError(f"{where}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{where}: the folder '{parent}' does not exist")
    for given in inputs:
        if _same_file(path, Path(given)):
            raise UsageError(f"{where}: is an input of this command; it would be overwritten")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{where}: the file is read-only")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{where}: the folder '{parent}' cannot be written")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that takes a file name; it replaces
    ``path`` when the block ends without an exception and is removed otherwise. It ends in
    ``path``'s suffix, since some writers read the format from it (``torch.export.save``
    warns at a name that does not end in ``.pt2``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                               dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        yield Path(tmp)
        _keep_mode(path, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole, or leave ``path`` as it was."""
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    return Path(path)


def _keep_mode(path: Path, tmp: Path) -> None:
    """A replaced file keeps its permissions; a new one gets the umask's, as open() gives."""
    if path.exists():
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
