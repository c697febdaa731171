"""The Ray engine on a real local cluster (two CPUs, one per test module): the same records
as the local engine, killed workers, a killed driver resumed, bad addresses."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sweep_cases import check_grid_records, kill_midway_then_resume, records, run

from resgraph.errors import UsageError
from resgraph.sweep.worker import params_key

ray = pytest.importorskip("ray", reason="the ray engine's tests need Ray: pip install "
                                        "'resgraph[ray]'")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One local cluster for the module; the workers read the marker folder from the
    environment they are started with."""
    os.environ["RESGRAPH_SWEEP_TEST_DIR"] = str(tmp_path_factory.mktemp("markers"))
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def test_ray_gives_the_records_of_the_local_engine(cluster: str, tmp_path: Path) -> None:
    run(tmp_path / "ray", engine="ray", workers=2)
    run(tmp_path / "local", workers=2)
    on_ray, local = records(tmp_path / "ray"), records(tmp_path / "local")
    check_grid_records(on_ray)
    assert [(r["params"], r["graph"], r["figures"]) for r in on_ray] == [
        (r["params"], r["graph"], r["figures"]) for r in local]


def test_an_analyze_only_sweep_keeps_each_lane_to_one_ray_worker(cluster: str,
                                                                 tmp_path: Path) -> None:
    """Its lanes run on actors, so a parameter set's screening is kept by one worker, as
    the local engine keeps it; tasks would land on either worker."""
    run(tmp_path / "s", engine="ray", workers=2, grid={"width": ",".join(
        str(8 * i) for i in range(1, 33))})
    lanes: dict[int, set[str]] = {}
    for r in records(tmp_path / "s"):
        lane = zlib.crc32(params_key(r["params"]).encode()) % 2
        lanes.setdefault(lane, set()).add(r["worker"])
    assert sorted(lanes) == [0, 1] and all(len(w) == 1 for w in lanes.values())
    assert lanes[0] != lanes[1]


def test_a_killed_ray_worker_is_retried_and_a_poisonous_candidate_recorded(
        cluster: str, tmp_path: Path) -> None:
    run(tmp_path / "once", engine="ray", measure="python:sweep_measures:die_once",
        grid={"width": "8,16,24"})
    assert [r["status"] for r in records(tmp_path / "once")] == ["ok"] * 3
    run(tmp_path / "always", engine="ray", measure="python:sweep_measures:die_always",
        grid={"width": "8,16,24"})
    recs = records(tmp_path / "always")
    assert [r["status"] for r in recs] == ["ok", "error", "ok"]
    assert "worker died 2 times" in recs[1]["error"]


def test_a_driver_killed_mid_sweep_resumes_without_duplicates(cluster: str,
                                                              tmp_path: Path) -> None:
    # the python measure compiles each candidate: tens of ms, so the kill lands mid-sweep
    kill_midway_then_resume(tmp_path / "s", [
        "--grid", "width=" + ",".join(str(8 * i) for i in range(1, 41)), "--grid", "depth=1,2",
        "--engine", "ray", "--ray-address", cluster], total=80)


def test_an_unreachable_address_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot reach the cluster") as info:
        run(tmp_path / "s", engine="ray", ray_address="127.0.0.1:9")
    assert "\n" not in str(info.value) and not (tmp_path / "s").exists()
    with pytest.raises(UsageError, match="takes HOST:PORT"):
        run(tmp_path / "s", engine="ray", ray_address="nowhere")
