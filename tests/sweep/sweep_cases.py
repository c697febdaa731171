"""What the local-engine and Ray-engine tests share: the spec, sweeps of it, and checks on a
journal (every candidate exactly once, whole lines)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import resgraph
from resgraph.api import sweep
from resgraph.sweep import read_journal

SPEC = str(Path(__file__).with_name("sweep.rg"))
#: widths 8 and 16, depths 1 and 2, groups 1 and 2 (groups=2 fails the basic block's
#: require), tag 0 and 1 (tag changes nothing: duplicates)
GRID = {"width": "8,16", "depth": "1,2", "groups": "1,2", "tag": "0,1"}


def run(out: Path, **kw: Any) -> Any:
    kw.setdefault("grid", GRID)
    return sweep(SPEC, out, **kw)


def records(out: Path) -> list[dict[str, Any]]:
    """The journal, checked: whole JSON lines, each candidate exactly once."""
    text = (out / "results.jsonl").read_text()
    assert text.endswith("\n")
    recs = [json.loads(line) for line in text.splitlines()]
    assert recs == read_journal(out / "results.jsonl")
    counts = Counter(r["index"] for r in recs)
    assert all(n == 1 for n in counts.values()), [i for i, n in counts.items() if n > 1]
    return sorted(recs, key=lambda r: r["index"])


def check_grid_records(recs: list[dict[str, Any]]) -> None:
    """The 16 candidates of :data:`GRID`: groups=2 an error at its position, one of each
    pair differing only in tag a duplicate of the other, the rest analysed as ``resgraph
    analyze`` does."""
    assert [r["index"] for r in recs] == list(range(16))
    for r in recs:
        p = r["params"]
        if p["groups"] == 2:
            assert r["status"] == "error" and r["graph"] is None
            assert r["error"].startswith(f"{SPEC}:15:1: error: the basic block supports only")
            assert "^^^" in r["error"]
        elif r["status"] == "duplicate":  # of its twin of the other tag, whichever came first
            twin = next(o for o in recs if o["params"] == {**p, "tag": 1 - p["tag"]})
            assert twin["status"] == "ok" and r["duplicate_of"] == twin["index"]
            assert r["graph"] == twin["graph"] and r["metrics"] is None
        else:
            assert r["status"] == "ok"
            expected = resgraph.analyze(SPEC, params=p).to_json() | {"name": r["metrics"]["name"]}
            assert r["metrics"]["rows"] == expected["rows"]
            assert r["metrics"] == expected
            assert r["figures"]["macs"] == r["metrics"]["macs"]


def kill_midway_then_resume(out: Path, args: list[str], total: int) -> subprocess.CompletedProcess:
    """Run ``resgraph sweep SPEC ARGS --out OUT`` (a python measure from sweep_measures),
    SIGKILL the driver and its workers once the journal has a record, check what was left
    (whole lines, fewer than ``total``), then rerun it to the end and return that run."""
    command = [sys.executable, "-m", "resgraph.cli", "sweep", SPEC, *args, "--out", str(out),
               "--json", "--measure", "python:sweep_measures:figures"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True, env=env)
    journal = out / "results.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not journal.exists() or journal.stat().st_size < 2):
        time.sleep(0.01)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and its workers
    driver.wait()
    assert 0 < len(records(out)) < total, "the driver must be killed in the middle"
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert [r["index"] for r in records(out)] == list(range(total))
    return done
