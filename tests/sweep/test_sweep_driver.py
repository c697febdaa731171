"""The driver on the local engine: the records, constraints, duplicates, resume, measures,
and workers that die."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sweep_cases import GRID, SPEC, check_grid_records, records, run

import resgraph
from resgraph.errors import UsageError


@pytest.fixture(autouse=True)
def _marker_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGRAPH_SWEEP_TEST_DIR", str(tmp_path))


def test_a_grid_gives_every_status_and_the_analysis_of_resgraph_analyze(tmp_path: Path) -> None:
    summary = run(tmp_path / "s", workers=2)
    recs = records(tmp_path / "s")
    check_grid_records(recs)
    assert summary.counts == {"ok": 4, "rejected": 0, "duplicate": 4, "error": 8}
    assert summary.best["macs"]["params"]["width"] == 8


def test_where_rejects_after_analysis_and_resume_runs_only_what_is_missing(
        tmp_path: Path) -> None:
    out = tmp_path / "s"
    run(out, where="params < 20000 and groups == 1", workers=1)
    first = records(out)
    rejected = [r for r in first if r["status"] == "rejected"]
    assert rejected and all(r["figures"]["params"] >= 20000 if r["figures"] else
                            r["params"]["groups"] != 1 for r in rejected)
    assert any(not r["figures"] for r in rejected)  # groups == 1 said no before elaboration
    kept = (out / "results.jsonl").read_bytes()
    lines = kept.splitlines(keepends=True)
    (out / "results.jsonl").write_bytes(b"".join(lines[:5]) + lines[5][:9])  # torn, as if killed
    run(out, where="params < 20000 and groups == 1", workers=1)
    again = records(out)
    assert [(r["index"], r["status"]) for r in again] == [(r["index"], r["status"])
                                                         for r in first]
    assert (out / "results.jsonl").read_bytes().startswith(b"".join(lines[:5]))
    with pytest.raises(UsageError, match="different sweep"):
        run(out, where="params < 1", workers=1)


def test_index_in_a_list_measures_chosen_candidates_only(tmp_path: Path) -> None:
    run(tmp_path / "s", grid={"width": "8,16,24,32"}, where="params > 0 and index in (1, 3)",
        workers=1, measure="python:sweep_measures:figures")
    recs = records(tmp_path / "s")
    assert {r["index"]: r["status"] for r in recs} == {
        0: "rejected", 1: "ok", 2: "rejected", 3: "ok"}
    # rejected by its index alone, before elaboration: nothing was analysed
    assert [r["figures"] for r in recs if r["status"] == "rejected"] == [{}, {}]


def test_a_term_on_parameters_rejects_before_elaboration_unless_it_cannot_be_computed(
        tmp_path: Path) -> None:
    """A name that is both a parameter and a figure (depth) is the figure, so a term that
    reads it waits for the analysis."""
    run(tmp_path / "s", grid={"width": "8,16", "tag": "0,1"},
        where="width // tag >= 16 and macs > 0", workers=1)
    recs = records(tmp_path / "s")
    assert [r["status"] for r in recs] == ["error", "rejected", "error", "ok"]
    assert all("by zero" in recs[i]["error"] for i in (0, 2))
    assert recs[1]["figures"] == {} and recs[3]["figures"]["macs"] > 0
    run(tmp_path / "d", grid={"depth": "1,2"}, where="depth >= 0 and depth < 1", workers=1)
    assert all(r["figures"] for r in records(tmp_path / "d"))


def test_a_python_measure_runs_once_per_network_with_its_figures(tmp_path: Path) -> None:
    run(tmp_path / "s", measure="python:sweep_measures:figures", workers=2,
        grid={"width": "8,16", "tag": "0,1"})
    recs = records(tmp_path / "s")
    ok = [r for r in recs if r["status"] == "ok"]
    assert sorted(r["params"]["width"] for r in ok) == [8, 16]  # one of each tag pair
    for r in ok:
        module = resgraph.compile(SPEC, **r["params"])
        assert r["figures"]["weights"] == sum(p.numel() for p in module.parameters())
        assert r["figures"]["twice.width"] == 2 * r["params"]["width"]
        assert r["metrics"]["note"] == "text" and "measure_s" in r["timings"]
    dups = [r for r in recs if r["status"] == "duplicate"]
    assert sorted(recs[r["duplicate_of"]]["params"]["width"] for r in dups) == [8, 16]


def test_a_measure_that_fails_is_the_candidates_error(tmp_path: Path) -> None:
    run(tmp_path / "s", measure="python:sweep_measures:not_a_dict", workers=1,
        grid={"width": "8"})
    (rec,) = records(tmp_path / "s")
    assert rec["status"] == "error" and "returned a list, not a dict" in rec["error"]


def test_a_killed_worker_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    run(tmp_path / "s", measure="python:sweep_measures:die_once", workers=2,
        grid={"width": "8,16,24", "depth": "1,2"})
    recs = records(tmp_path / "s")
    assert [r["status"] for r in recs] == ["ok"] * 6
    assert len(list(tmp_path.glob("died-*"))) == 2  # each width-16 candidate killed one


def test_a_candidate_that_kills_its_worker_twice_is_an_error(tmp_path: Path) -> None:
    run(tmp_path / "s", measure="python:sweep_measures:die_always", workers=2,
        grid={"width": "8,16,24"})
    recs = records(tmp_path / "s")
    assert [r["status"] for r in recs] == ["ok", "error", "ok"]
    assert "worker died 2 times" in recs[1]["error"]


@pytest.mark.parametrize(("kw", "says"), [
    ({"measure": "bench:onnxrt"}, "unknown backend 'onnxrt'"),
    ({"measure": "bench:onnxruntime:batch=0"}, "batch"),
    ({"measure": "python:no_such_module_here:f"}, "cannot import"),
    ({"measure": "train"}, "unknown measure 'train'"),
    ({"pareto": "macs,latency_ms"}, "unknown figure 'latency_ms'"),
    ({"where": "macs < 1 and mcas < 2"}, "unknown figure 'mcas'"),
    ({"workers": 0}, "--workers takes 1"),
    ({"grid": {"width": "8"}, "sample": {"width": "int(1, 4)"}}, "more than once"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, kw: dict, says: str) -> None:
    with pytest.raises(UsageError, match=says) as info:
        run(tmp_path / "s", **kw)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "s").exists()


def test_the_ray_engine_without_ray_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(resgraph.MissingDependency, match=r"pip install 'resgraph\[ray\]'"):
        run(tmp_path / "s", engine="ray")
    assert not (tmp_path / "s").exists()
    assert GRID and os.environ["RESGRAPH_SWEEP_TEST_DIR"]


def test_a_bench_measure_times_each_network_after_its_parity_check(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime", reason="the bench measure's test uses ONNX Runtime")
    summary = run(tmp_path / "s", measure="bench:onnxruntime:iterations=5:warmup=0",
                  grid={"width": "8,16"}, workers=1, pareto="macs,latency_ms")
    recs = records(tmp_path / "s")
    assert [r["status"] for r in recs] == ["ok", "ok"]
    for r in recs:
        row = r["metrics"]["results"][0]
        assert row["backend"] == "onnxruntime" and row["parity"] is not None
        assert r["figures"]["latency_ms"] == row["latency_ms"]["median"] > 0
        assert row["latency_ms"]["runs"] == 5
    assert summary.pareto and summary.best["latency_ms"]


def _accepted(recs: list[dict]) -> list[int]:  # type: ignore[type-arg]
    return [r["index"] for r in recs if r["status"] in ("ok", "duplicate")]


def test_accept_stops_drawing_once_enough_pass_and_a_rerun_asking_more_goes_on(
        tmp_path: Path) -> None:
    """pycls's NUM_CONFIGS: draws stop once N candidates pass; what ran finishes, so every
    candidate below the last one drawn is there and the first N accepted are a full run's."""
    space = {"grid": {"width": "8,16", "groups": "1,2"}, "sample": {"tag": "int(0, 9)"},
             "samples": 40, "seed": 3}
    run(tmp_path / "full", workers=1, **space)
    full = _accepted(records(tmp_path / "full"))
    summary = run(tmp_path / "s", workers=1, accept=6, **space)
    first = records(tmp_path / "s")
    assert 6 <= len(_accepted(first)) and len(first) < 160 == summary.total
    assert [r["index"] for r in first] == list(range(len(first)))  # no gap below the last
    assert _accepted(first)[:6] == full[:6]
    run(tmp_path / "s", workers=1, accept=20, **space)  # the same sweep, asked for more
    more = records(tmp_path / "s")
    assert more[:len(first)] == first and _accepted(more)[:20] == full[:20]
    with pytest.raises(UsageError, match="--accept takes 1 to the sweep's 160 candidates"):
        run(tmp_path / "t", accept=161, **space)


def test_a_network_of_several_outputs_sweeps_with_the_paths_to_all(tmp_path):
    """The FPN's five levels: a candidate's figures count the paths to every output, as
    ``resgraph analyze`` does."""
    from resgraph.api import sweep

    sweep("resnet50_fpn", tmp_path / "s", grid={"out_channels": "64,128"},
          params={"image": 64}, workers=1)
    recs = records(tmp_path / "s")
    assert [r["status"] for r in recs] == ["ok", "ok"]
    for r in recs:
        report = resgraph.analyze(resgraph.load("resnet50_fpn", **r["params"])).to_json()
        assert set(report["paths_by_output"]) == {"0", "1", "2", "3", "pool"}
        assert r["figures"]["path_longest"] == report["paths"]["lengths"]["longest"]
        assert r["metrics"]["paths_by_output"] == report["paths_by_output"]
