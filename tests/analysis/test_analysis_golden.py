"""Golden analysis JSON of every shipped network: ``resgraph.analyze(name, level="stage")``
at batch 1, one file per network in tests/golden/analysis/. ``RESGRAPH_REGENERATE=1``
rewrites them; review the diff. The figures published for these networks are checked against
the goldens in test_analysis_published.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import resgraph
from resgraph.catalog import catalog

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "analysis"


def golden(name: str) -> Any:
    """The stored report of a shipped network."""
    return json.loads((GOLDEN / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(catalog()))
def test_report_equals_its_golden(name: str) -> None:
    text = json.dumps(resgraph.analyze(name, level="stage").to_json(), indent=1) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("RESGRAPH_REGENERATE") == "1":
        path.write_text(text)
    assert json.loads(text) == golden(name), \
        f"{path.name} differs; RESGRAPH_REGENERATE=1 rewrites it"


def test_every_golden_is_a_shipped_network() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(catalog())
