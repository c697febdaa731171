"""A worker's screening: a parameter set drawn again reuses what screening it gave, with the
records exactly those of a worker that keeps nothing (``RESGRAPH_NO_CACHE=1``), and no
tensor is built (torch is never imported)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sweep_cases import SPEC, records, run

#: 4 widths x 2 groups (groups=2 an error) drawn 24 times: every parameter set repeats
SPACE = {"grid": {}, "sample": {"width": "int(8, 32, 8)", "groups": "int(1, 2)"}, "samples": 24,
         "seed": 5, "where": "index % 5 != 3 and params > 0"}


def _results(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records without what differs run to run (the worker's pid, the timings)."""
    return [{k: v for k, v in r.items() if k not in ("worker", "timings")} for r in recs]


def test_a_repeated_parameter_set_reuses_its_screening_and_changes_no_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(tmp_path / "kept", workers=1, **SPACE)
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    run(tmp_path / "off", workers=1, **SPACE)
    kept, off = records(tmp_path / "kept"), records(tmp_path / "off")
    assert _results(kept) == _results(off)
    statuses = {r["status"] for r in kept}
    assert statuses == {"ok", "duplicate", "rejected", "error"}
    first: dict[str, int] = {}
    for r in kept:
        if r["timings"]["screen_s"] == 0.0:
            continue  # rejected by its index before elaboration
        key = json.dumps(r["params"], sort_keys=True)
        again = first.setdefault(key, r["index"]) != r["index"]
        # the first candidate of each set was elaborated (an error's failed); its repeats
        # were not
        assert ("elaborate_s" in r["timings"]) == (not again and r["status"] != "error"), r
    assert all("elaborate_s" in r["timings"] for r in off if r["graph"])


def test_screening_builds_no_tensor() -> None:
    code = f"""
import sys
from resgraph.sweep.driver import plan
from resgraph.sweep.worker import screen
p = plan({SPEC!r}, grid={{"width": "8,16", "groups": "1,2"}}, where="macs > 0")
recs = screen(p.context, list(p.space.candidates()))
assert [r["status"] for r in recs] == ["ok", "error", "ok", "error"], recs
print("torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_two_local_workers_elaborate_each_parameter_set_once(tmp_path: Path) -> None:
    """The driver's lanes send equal parameter sets to one worker, which keeps their
    screening: no set is elaborated by both workers."""
    space = {**SPACE, "where": None, "samples": 60}
    run(tmp_path / "s", workers=2, **space)
    recs = records(tmp_path / "s")
    elaborated = [json.dumps(r["params"], sort_keys=True) for r in recs
                  if "elaborate_s" in r["timings"]]
    assert sorted(elaborated) == sorted({json.dumps(r["params"], sort_keys=True)
                                         for r in recs if r["graph"]})
    assert len({r["worker"] for r in recs}) == 2
