"""Where commands write: ``out`` (results, stdout), ``err`` (messages, stderr), JSON, and the
number formats every table shares."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console


class _Console(Console):
    """rich's console, but a closed standard output (``| head``) is raised as Python raises
    it, where rich would exit 1 on its own: :func:`resgraph.cli.main` answers 141 for a table
    as for JSON."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout: what ``--json`` prints, results and errors alike."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def count(v: int) -> str:
    """``4,089,184,256`` as ``4.089G``: a count for people."""
    for unit, scale in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if abs(v) >= scale:
            return f"{v / scale:,.3f}{unit}"
    return str(v)


def size(v: int) -> str:
    """A byte count in binary units: ``97.49 MiB``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if v >= scale:
            return f"{v / scale:,.2f} {unit}"
    return f"{v} B"
