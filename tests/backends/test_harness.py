"""The benchmark loop on real backends (ONNX Runtime, torch, torch.compile) and on fakes that
are wrong, unsupported or missing; nothing here asserts how fast anything is."""

import dataclasses
import json
import math
import re
from importlib import metadata

import pytest
import torch
from fake_backends import (
    TINY,
    EventBackend,
    RecordingBackend,
    WrongBackend,
    registered,  # noqa: F401 - the fixture, used by name
    workload,
)

from resgraph.backends import harness
from resgraph.backends.api import bench, bench_engine
from resgraph.backends.base import MissingExtra
from resgraph.backends.harness import MIN_RUNS, POOL, Case
from resgraph.backends.options import BenchError, BenchOptions
from resgraph.backends.registry import UnknownBackend
from resgraph.backends.tolerance import tolerance

QUICK = BenchOptions(batches=(2,), warmup=0, iterations=3)
STATS = {"runs", "batch", "min", "mean", "median", "p90", "p95", "p99", "max"}


def measure(*backends, options=QUICK):
    """Each backend instance on the tiny workload, through the harness's own loop."""
    work = workload(options.batches[0])
    cases = [Case(b.name, work.batch, lambda b=b: (work, b)) for b in backends]
    return harness.measure(cases, options, "tiny_bench", TINY, {})


def test_real_backends_agree_with_the_reference_and_report_every_statistic():
    report = bench(TINY, ["onnxruntime", "torch", "torch-compile"],
                   BenchOptions(batches=(1, 2), warmup=0.01, iterations=3))
    assert [(r.backend, r.batch) for r in report.results] == [
        (b, n) for n in (1, 2) for b in ("onnxruntime", "torch", "torch-compile")]
    for row in report.results:
        assert row.status == "ok" and row.parity.ok
        assert row.parity.tolerance == tolerance(report_graph(), "fp32")
        assert row.latency.runs == 3 and row.latency.batch == row.batch
        stats = row.latency
        assert 0 < stats.min <= stats.median <= stats.p90 <= stats.p95 <= stats.p99 <= stats.max
        assert stats.min <= stats.mean <= stats.max and stats.throughput > 0
        assert row.described["backend"] == row.backend and row.prepare_s >= 0
    data = json.loads(report.to_json())
    assert set(data["results"][0]["latency_ms"]) == STATS
    assert data["baseline"] == {"1": "onnxruntime", "2": "onnxruntime"}
    assert data["environment"]["versions"]["torch"] == metadata.version("torch")


def test_a_wrong_output_is_reported_wrong_with_its_figures():
    [row] = measure(WrongBackend()).results
    assert row.status == "wrong" and not row.parity.ok and row.parity.max_rel_error > 0.1
    assert row.latency.runs == 3  # still measured, so the table can show what was wrong


def report_graph():
    return workload().graph


def test_the_wrong_list_and_the_derived_tolerance():
    report = measure(RecordingBackend(), WrongBackend())
    assert [r.backend for r in report.wrong] == ["wrong"]
    assert report.results[0].parity == harness.Parity(True, 0.0, tolerance(report_graph()))


def test_the_tolerance_follows_the_arithmetic_the_backend_reports():
    class Tf32(RecordingBackend):
        def arithmetic(self, work):
            return "tf32"

    work = workload()
    backend = Tf32()
    backend.prepare(work)
    parity = harness.check(backend, work, torch.randn(work.input_shape))
    assert parity.ok and parity.tolerance == tolerance(work.graph, "tf32")
    assert tolerance(work.graph, "tf32") > tolerance(work.graph, "fp32")


@pytest.mark.parametrize("iterations", [1, 7])
def test_iterations_are_honoured_and_warmup_runs_are_not_timed(iterations):
    backend = RecordingBackend()
    [row] = measure(backend, options=BenchOptions(batches=(2,), warmup=0,
                                                  iterations=iterations)).results
    assert row.latency.runs == iterations
    assert len(backend.inputs) == 1 + iterations  # the check, then the timed runs
    assert backend.closed


def test_a_duration_runs_at_least_the_minimum_number_of_runs():
    backend = RecordingBackend()
    [row] = measure(backend, options=BenchOptions(batches=(1,), warmup=0.01,
                                                  duration=1e-6)).results
    assert row.latency.runs == MIN_RUNS and len(backend.inputs) > 1 + MIN_RUNS


def test_inputs_are_fresh_random_batches_and_seeded():
    backend = RecordingBackend()
    measure(backend, options=BenchOptions(batches=(2,), warmup=0, iterations=POOL))
    check, *timed = backend.inputs
    assert all(x.shape == (2, 3, 8, 8) for x in backend.inputs)
    assert all(not torch.equal(a, b) for i, a in enumerate(backend.inputs)
               for b in backend.inputs[i + 1:])
    again = RecordingBackend()
    measure(again, options=BenchOptions(batches=(2,), warmup=0, iterations=2))
    assert torch.equal(again.inputs[1], timed[0])  # same seed, same data
    other = RecordingBackend()
    measure(other, options=BenchOptions(batches=(2,), warmup=0, iterations=1, seed=1))
    assert not torch.equal(other.inputs[0], check)


def test_the_backends_own_figures_are_those_of_the_timed_runs():
    # run 0 (the check) took 0 ms, the three timed runs 1, 2 and 3 ms
    report = measure(EventBackend())
    compute = report.results[0].device["compute_ms"]
    assert (compute.runs, compute.min, compute.median, compute.max) == (3, 1.0, 2.0, 3.0)
    assert json.loads(report.to_json())["results"][0]["device_ms"]["compute_ms"]["max"] == 3.0


@pytest.mark.usefixtures("registered")
def test_unsupported_and_missing_backends_get_a_row_and_the_rest_runs():
    report = bench(TINY, ["unsupported", "recording", "missing"], QUICK)
    unsupported, recording, missing = report.results
    assert (unsupported.status, unsupported.reason) == ("unsupported", "needs a GPU")
    assert missing.status == "missing" and "resgraph[fake]" in missing.reason
    assert unsupported.latency is None and unsupported.ratio is None
    assert recording.status == "ok" and recording.ratio == 1.0  # the first with figures
    assert report.baseline(2) == "recording" and report.measured == [recording]


def test_ratios_are_throughput_over_the_first_backends():
    report = measure(RecordingBackend(), EventBackend(), WrongBackend())
    first = report.results[0].latency.throughput
    assert [r.ratio for r in report.results] == [
        pytest.approx(r.latency.throughput / first) for r in report.results]
    assert report.results[0].ratio == 1.0


@pytest.mark.usefixtures("registered")
def test_progress_reports_every_phase_in_order():
    events = []
    bench(TINY, ["recording", "unsupported"],
          BenchOptions(batches=(1,), warmup=0.01, iterations=2), progress=events.append)
    first = [e.phase for e in events if e.backend == "recording"]
    assert first[:2] == ["prepare", "check"] and first[-1] == "done"
    assert {"warmup", "timed"} >= set(first[2:-1])
    assert all(0 <= e.fraction <= 1 and e.total == 2 for e in events)
    assert [e.phase for e in events if e.backend == "unsupported"] == ["prepare", "done"]


def test_check_compares_shapes_and_catches_nan():
    class Nan(RecordingBackend):
        def run(self, x):
            return super().run(x) * math.nan

    class Shape(RecordingBackend):
        def run(self, x):
            return super().run(x)[:, :2]

    work = workload()
    for cls in (Nan, Shape):
        backend = cls()
        backend.prepare(work)
        parity = harness.check(backend, work, torch.randn(work.input_shape))
        assert not parity.ok
    assert parity.max_rel_error == math.inf


def test_check_compares_every_output_of_a_network_of_several():
    work = workload()
    one = work.module
    work = dataclasses.replace(work, module=lambda x: {"out": one(x), "aux": 2 * one(x)})

    class Aux(RecordingBackend):  # the first output right, the second wrong
        def run(self, x):
            return [one(x), 3 * one(x)]

    class Fewer(RecordingBackend):
        def run(self, x):
            return [one(x)]

    x = torch.randn(work.input_shape)
    for cls, error in ((RecordingBackend, 0.0), (Aux, 0.5), (Fewer, math.inf)):
        backend = cls()
        backend.prepare(work)
        parity = harness.check(backend, work, x)
        assert parity.max_rel_error == pytest.approx(error) and parity.ok == (error == 0.0)


@pytest.mark.parametrize(("options", "message"), [
    ({"batches": (1, 0)}, "batch size must be a whole number from 1 to 65,536, got 0"),
    ({"batches": (1, 1 << 17)}, "got 131072"),
    ({"batches": ()}, "give 1 to 16 batch sizes, got 0"),
    ({"batches": tuple(range(1, 18))}, "give 1 to 16 batch sizes, got 17"),
    ({"batches": (8, 8)}, "a batch size is given twice: 8, 8"),
    ({"batches": (True,)}, "got True"),
    ({"duration": 1.0, "iterations": 3}, "not both"),
    ({"duration": 0.0}, "the duration must be above 0 to 3600 seconds, got 0.0"),
    ({"duration": math.inf}, "got inf"),
    ({"duration": math.nan}, "got nan"),
    ({"duration": 3601.0}, "got 3601.0"),
    ({"duration": "3"}, "got '3'"),
    ({"warmup": -1.0}, "the warm-up must be from 0 to 600 seconds, got -1.0"),
    ({"warmup": math.inf}, "got inf"),
    ({"iterations": 0}, "iterations must be a whole number from 1 to 1,000,000, got 0"),
    ({"iterations": 10**7}, "got 10000000"),
    ({"iterations": 2.5}, "got 2.5"),
    ({"precision": "fp8"}, "unknown precision 'fp8'"),
    ({"device": "tpu"}, "unknown device 'tpu'"),
    ({"seed": -1}, "the seed must be a whole number from 0"),
])
def test_bad_options(options, message):
    with pytest.raises(BenchError, match=re.escape(message)):
        BenchOptions(**options)


def test_options_keep_what_is_valid():
    options = BenchOptions(batches=[1, 8], warmup=0, duration=3600, seed=2**63 - 1)
    assert options.batches == (1, 8) and options.seconds == 3600


@pytest.mark.parametrize("threads", [0, -1, 1025, 1.5])
def test_threads_are_bounded(threads):
    with pytest.raises(BenchError, match="threads must be a whole number from 1 to 1,024"):
        bench(TINY, ["torch"], QUICK, threads=threads)


def test_bad_backend_names():
    with pytest.raises(UnknownBackend, match="did you mean 'onnxruntime'"):
        bench(TINY, ["onnxruntime", "onxruntime"], QUICK)
    with pytest.raises(BenchError, match="named twice"):
        bench(TINY, ["torch", "torch"], QUICK)
    with pytest.raises(BenchError, match="at least one"):
        bench(TINY, [], QUICK)


def _engine_file(tmp_path):
    """An engine file with its sidecar (TensorRT never reads it in these tests)."""
    from resgraph.backends.trt import sidecar as sc

    engine = tmp_path / "r50.engine"
    engine.write_bytes(b"ENGINE")
    (tmp_path / "r50.engine.json").write_text(sc.Sidecar(
        engine=str(engine), source_kind="spec", source=TINY, source_hash="", params={},
        machine=sc.Machine("10", "GPU", "9.0"), precision="fp16", profiles=[],
        build_seconds=1.0, input_name="input", output_name="output").to_json())
    return engine


def test_an_engine_without_tensorrt_is_a_missing_extra(monkeypatch, tmp_path):
    from resgraph.backends.trt import runtime

    monkeypatch.setattr(runtime, "missing", lambda: "TensorRT is not installed: pip install x")
    with pytest.raises(MissingExtra, match="TensorRT is not installed"):
        bench_engine(_engine_file(tmp_path))


def test_environment_names_the_machine():
    env = harness.environment("cpu")
    assert env["cpu"] and env["cpus"] >= 1 and env["torch_threads"] >= 1
    assert "gpu" not in env and {"torch", "onnxruntime"} <= set(env["versions"])


def test_nvidia_smi_fields_are_recorded_by_name(tmp_path):
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 550.54.15, 1980 MHz, 2619 MHz, "
                   "1980 MHz, 2619 MHz, 700.00 W, 35'\n")
    smi.chmod(0o755)
    info = harness.nvidia_smi(str(smi), 0)
    assert info["name"] == "NVIDIA H100 80GB HBM3" and info["driver_version"] == "550.54.15"
    assert info["clocks.sm"] == "1980 MHz" and info["temperature.gpu"] == "35"
    failing = tmp_path / "broken-smi"
    failing.write_text("#!/bin/sh\nexit 9\n")
    failing.chmod(0o755)
    assert "error" in harness.nvidia_smi(str(failing), 0)


def test_an_engine_is_timed_first_at_its_own_batch_and_precision(monkeypatch):
    """With a stand-in for the engine: the tensorrt row comes first at the batch the engine
    gives, the other backends run beside it on the engine's workload, timed as asked."""
    from resgraph.backends.trt import backend as trt

    asked, engines = [], []

    def engine_workload(path, batch, timing):
        asked.append((path, batch, timing))
        engines.append(RecordingBackend())
        return workload(batch or 4), engines[-1]

    monkeypatch.setattr(trt, "engine_workload", engine_workload)
    report = bench_engine("r.engine", ["torch", "tensorrt"],
                          BenchOptions(warmup=0, iterations=2))
    assert asked == [("r.engine", None, trt.TimingOptions())]
    assert [(r.backend, r.batch, r.status) for r in report.results] == [
        ("tensorrt", 4, "ok"), ("torch", 4, "ok")]
    assert report.options.batches == (4,) and report.results[0].latency.runs == 2
    assert len(engines[0].inputs) == 3
    bench_engine("r.engine", (), QUICK, batches=(1, 2))
    assert [b for _, b, _ in asked[1:]] == [1, 2]
