"""Writing a diagram: DOT text as it is, or SVG/PNG/PDF through Graphviz's ``dot``.

``dot`` is an external program; when it is missing, the DOT text is still written next to
the requested file and the error says how to install Graphviz and finish the job by hand.
"""

from __future__ import annotations

from pathlib import Path

from resgraph.errors import MissingDependency
from resgraph.render.view import DrawError

FORMATS = ("svg", "png", "pdf", "dot")


class GraphvizMissing(MissingDependency):
    """``dot`` is not on PATH; the DOT source was written to ``dot_path`` instead."""

    def __init__(self, dot_path: Path, target: Path) -> None:
        fmt = target.suffix.lstrip(".").lower()
        super().__init__(f"Graphviz's 'dot' is not on PATH, so only {dot_path} was written; "
                         f"install Graphviz (apt-get install graphviz, or "
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
        path.write_text(source)
        return path
    try:
        data = graphviz.pipe("dot", fmt, source.encode())
    except graphviz.ExecutableNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(source)
        raise GraphvizMissing(dot_path, path) from None
    path.write_bytes(data)
    return path
