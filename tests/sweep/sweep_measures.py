"""``python:`` measures for the sweep tests, imported by name on the workers.

``die_once`` and ``die_always`` kill their own worker process (SIGKILL, as the kernel's
out-of-memory killer would) for candidates of width 16: once per candidate (a marker file
in ``$RESGRAPH_SWEEP_TEST_DIR`` remembers it), or every time."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

VICTIM_WIDTH = 16


def figures(module: Any, params: dict[str, Any]) -> dict[str, Any]:
    weights = sum(p.numel() for p in module.parameters())
    return {"weights": weights, "twice": {"width": 2 * params["width"]}, "note": "text"}


def die_once(module: Any, params: dict[str, Any]) -> dict[str, Any]:
    if params["width"] == VICTIM_WIDTH:
        marker = Path(os.environ["RESGRAPH_SWEEP_TEST_DIR"]) / f"died-{sorted(params.items())}"
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return figures(module, params)


def die_always(module: Any, params: dict[str, Any]) -> dict[str, Any]:
    if params["width"] == VICTIM_WIDTH:
        os.kill(os.getpid(), signal.SIGKILL)
    return figures(module, params)


def not_a_dict(module: Any, params: dict[str, Any]) -> list[int]:
    return [1]
