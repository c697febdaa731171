"""``resgraph sweep`` on the command line: the tables, --json, bad input in one line with
exit 2, and a driver killed mid-sweep (SIGKILL) then resumed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sweep_cases import SPEC, kill_midway_then_resume

from resgraph.cli import main


def test_the_summary_tables_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sweep", SPEC, "--grid", "width=8,16", "--sample", "depth=int(1, 3)", "--samples",
            "2", "--where", "macs < 1e7", "--pareto", "macs,params", "--out", str(tmp_path / "s")]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert "best candidate per figure" in shown and "Pareto front of macs and params" in shown
    assert main([*args, "--json"]) == 0  # a resume: nothing left to run
    summary = json.loads(capsys.readouterr().out)
    assert summary["total"] == 4 and sum(summary["counts"].values()) == 4
    assert summary["pareto"]["figures"] == ["macs", "params"]


@pytest.mark.parametrize(("args", "says"), [
    (["--sample", "depth=log_uniform(1, 2", "--samples", "2"], "takes a distribution"),
    (["--sample", "depth=int(1, 3)"], "--sample needs --samples"),
    (["--where", "macs < 1 and flops < mcas"], "unknown figure 'mcas'"),
    (["--grid", "depth"], "--grid takes NAME="),
    (["--grid", "depth=1", "--grid", "depth=2"], "given twice"),
    (["--engine", "ray", "--ray-address", "127.0.0.1:9"], "cannot reach the cluster"),
    (["--ray-address", "127.0.0.1:9"], "is for --engine ray"),
    (["--workers", "0"], "--workers"),
    (["--samples", "99999999999"], "--samples"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list, says: str) -> None:
    assert main(["sweep", SPEC, "--out", str(tmp_path / "s"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err
    assert not (tmp_path / "s").exists()


def test_a_killed_driver_leaves_whole_lines_and_the_rerun_finishes(tmp_path: Path) -> None:
    done = kill_midway_then_resume(tmp_path / "s", [
        "--grid", "width=" + ",".join(str(8 * i) for i in range(1, 21)), "--grid", "depth=1,2",
        "--workers", "2"], total=40)
    assert json.loads(done.stdout)["counts"]["ok"] == 40
