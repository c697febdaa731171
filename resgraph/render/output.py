"""Writing a diagram: DOT text as it is, or SVG/PNG/PDF through Graphviz's ``dot``.

Every file is written whole or not at all (:func:`resgraph.files.write_atomic`). ``dot`` is an
external program; when it is missing, the DOT text is still written beside the requested
file (``net.svg`` → ``net.dot``) and the error says how to install Graphviz and finish the job
by hand. That file was not asked for, so it never replaces one: if ``net.dot`` exists with
other text, the DOT goes to the first free ``net.1.dot``, ``net.2.dot``, … and the error names
both.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

from resgraph.errors import MissingDependency
from resgraph.files import write_atomic
from resgraph.render.view import DrawError

FORMATS = ("svg", "png", "pdf", "dot")


class GraphvizMissing(MissingDependency):
    """``dot`` is not on PATH; the DOT source was written to ``dot_path`` instead, which is
    ``target``'s name with ``.dot`` unless a different file held that name (``kept``)."""

    def __init__(self, dot_path: Path, target: Path, kept: Path | None = None) -> None:
        fmt = target.suffix.lstrip(".").lower()
        left = f" ({kept} exists and was left as it was)" if kept else ""
        super().__init__(f"Graphviz's 'dot' is not on PATH, so only {dot_path} was written"
                         f"{left}; install Graphviz (apt-get install graphviz, or "
                         f"https://graphviz.org/download/) and run: "
                         f"dot -T{fmt} {dot_path} -o {target}")
        self.dot_path = dot_path


def output_format(path: Path) -> str:
    """The format named by ``path``'s extension; a :class:`DrawError` for any other."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise DrawError(f"cannot draw to '{path}': the file must end in "
                        + ", ".join(f".{f}" for f in FORMATS))
    return fmt


def write(source: str, path: str | Path) -> Path:
    """Write DOT ``source`` to ``path`` in the format its extension names."""
    import graphviz

    path = Path(path)
    fmt = output_format(path)
    if fmt == "dot":
        return write_atomic(path, source)
    try:
        data = graphviz.pipe("dot", fmt, source.encode())
    except graphviz.ExecutableNotFound:
        beside = path.with_suffix(".dot")
        dot_path = _free_dot_path(beside, source)
        write_atomic(dot_path, source)
        raise GraphvizMissing(dot_path, path, beside if dot_path != beside else None) from None
    return write_atomic(path, data)


def _free_dot_path(beside: Path, source: str) -> Path:
    """``beside``, or ``stem.1.dot``, ``stem.2.dot``, …: the first that is absent or already
    holds ``source`` (so drawing the same diagram again adds no file)."""
    data = source.encode()
    names = (beside if k == 0 else beside.with_suffix(f".{k}.dot") for k in count())
    return next(p for p in names if not p.exists() or _holds(p, data))


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
