"""``resgraph bench`` in-process: the closing tables, the JSON report, and every way it says
no (exit 1 wrong output, 2 bad input, 3 nothing could run)."""

import json
import subprocess
import sys

import pytest
from fake_backends import TINY, registered  # noqa: F401 - the fixture, used by name

from resgraph.cli import main

QUICK = ["--iterations", "3", "--warmup", "0"]
STATS = {"runs", "batch", "min", "mean", "median", "p90", "p95", "p99", "max"}


def bench(capsys, *args):
    code = main(["bench", TINY, *QUICK, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_one_table_per_batch_with_every_statistic_and_the_ratios(capsys):
    code, out, _ = bench(capsys, "--backend", "onnxruntime,torch", "--batch", "1,2",
                         "--threads", "1", "--channels-last")
    assert code == 0
    assert "tiny_bench" in out and "fp32 on cpu" in out
    for batch in (1, 2):
        assert f"batch {batch}: latency in ms per run, ratio of throughput to onnxruntime" in out
    header = next(line for line in out.splitlines() if "backend" in line and "p99" in line)
    assert header.split() == ["backend", "verdict", "img/s", "min", "mean", "median", "p90",
                              "p95", "p99", "max", "ratio"]
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["torch"],
                                                                              ["onnxruntime"])]
    assert len(rows) == 4 and all(r[1] == "ok" for r in rows)
    assert [r[-1] for r in rows if r[0] == "onnxruntime"] == ["1.00x", "1.00x"]


def test_json_report(capsys):
    code, out, _ = bench(capsys, "--backend", "torch", "--json", "--seed", "3")
    assert code == 0
    report = json.loads(out)
    assert {"network", "source", "params", "options", "environment", "baseline",
            "results"} <= set(report)
    assert report["options"]["seed"] == 3 and report["options"]["iterations"] == 3
    [row] = report["results"]
    assert row["backend"] == "torch" and row["batch"] == 1 and row["status"] == "ok"
    assert set(row["latency_ms"]) == STATS and row["throughput"] > 0 and row["ratio"] == 1.0
    assert row["parity"]["ok"] and 0 < row["parity"]["tolerance"] < 1e-3
    assert {"cpu", "cpus", "torch_threads", "versions"} <= set(report["environment"])


@pytest.mark.usefixtures("registered")
def test_a_wrong_output_exits_1_with_its_figures_flagged(capsys):
    code, out, _ = bench(capsys, "--backend", "recording,wrong")
    assert code == 1
    wrong = next(line for line in out.splitlines() if line.split()[:1] == ["wrong"])
    assert wrong.split()[1] == "WRONG" and wrong.split()[-1].endswith("x")
    assert "figures do not count" in out


@pytest.mark.usefixtures("registered")
def test_a_repeated_backend_flag_adds_to_the_list(capsys):
    code, out, _ = bench(capsys, "--backend", "events", "--backend", "recording")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()
            if line.split()[:1] in (["events"], ["recording"])] == ["events", "recording"]


@pytest.mark.usefixtures("registered")
def test_a_backends_own_figures_get_their_column(capsys):
    code, out, _ = bench(capsys, "--backend", "events,recording")
    header = next(line for line in out.splitlines() if "p99" in line)
    assert code == 0 and header.split()[-3:] == ["compute", "median", "ratio"]
    recording = next(line for line in out.splitlines() if line.split()[:1] == ["recording"])
    assert recording.split()[-2] == "-"


@pytest.mark.usefixtures("registered")
def test_a_backend_that_cannot_run_gets_a_line_and_the_others_run(capsys):
    code, out, _ = bench(capsys, "--backend", "recording,missing,unsupported")
    assert code == 0
    assert "missing (batch 1): fakelib is not installed: pip install 'resgraph[fake]'" in out
    assert "unsupported (batch 1): needs a GPU" in out


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(("backends", "message"), [
    ("missing", "error: missing: fakelib is not installed: pip install 'resgraph[fake]'"),
    ("unsupported,missing", "error: unsupported: needs a GPU"),
])
def test_nothing_could_run_exits_3_in_one_line_per_backend(capsys, backends, message):
    code, out, err = bench(capsys, "--backend", backends)
    assert code == 3 and out == ""
    assert message in err.splitlines()
    assert len(err.splitlines()) == len(backends.split(","))


def test_cuda_without_a_gpu_exits_3(capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, _, err = bench(capsys, "--backend", "torch", "--device", "cuda")
    assert code == 3 and "error: torch: no CUDA device" in err


def test_an_engine_is_timed_as_asked(capsys, monkeypatch):
    from fake_backends import RecordingBackend, workload

    from resgraph.backends.trt import backend as trt

    monkeypatch.setattr(trt, "engine_workload",
                        lambda path, batch, timing: (workload(batch or 4), RecordingBackend()))
    assert main(["bench", "r50.engine", "--iterations", "2", "--warmup", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == "r50.engine" and report["options"]["batches"] == [4]
    assert [(r["backend"], r["latency_ms"]["runs"]) for r in report["results"]] == [
        ("tensorrt", 2)]


def test_a_missing_engine_is_missing_whether_or_not_tensorrt_is(capsys, monkeypatch, tmp_path):
    from resgraph.backends.trt import runtime

    monkeypatch.setattr(runtime, "missing", lambda: "TensorRT is not installed: pip install x")
    code = main(["bench", str(tmp_path / "resnet50.engine")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: no such file") and err.count("\n") == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--backend", "onnxruntime,onxruntime"], "did you mean 'onnxruntime'?"),
    (["--backend", "torch,,onnxruntime"], "--backend takes names separated by commas"),
    (["--backend", "torch,torch"], "a backend is named twice"),
    (["--batch", "1,x"], "argument --batch: takes N (one size) or N,N"),
    (["--batch", "0"], "argument --batch: takes N (one size) or N,N"),
    (["--duration", "1"], "give a duration or a number of iterations, not both"),
    (["--iterations", "0"], "argument --iterations: takes a whole number from 1 to 1,000,000, got 0"),
    (["--warmup", "-1"], "argument --warmup: takes seconds from 0 to 600, got '-1'"),
    (["--precision", "fp8"], "unknown precision 'fp8'"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--threads", "0"], "argument --threads: takes a whole number from 1 to 1,024, got 0"),
    (["--set", "depth"], "--set takes NAME=VALUE"),
    (["--set", "depth=50"], "unknown parameter"),
])
def test_bad_input_exits_2_in_one_line(capsys, args, message):
    code, out, err = bench(capsys, *args)
    assert code == 2 and out == ""
    assert message in err


def test_an_unknown_network_is_a_spec_error(capsys):
    assert main(["bench", "resnet5", *QUICK]) == 2
    assert "resnet5" in capsys.readouterr().err


@pytest.mark.parametrize("flag", [["--precision", "fp16"], ["--device", "cuda"],
                                  ["--set", "n=1"]])
def test_an_engine_runs_as_built(capsys, flag):
    assert main(["bench", "r50.engine", *flag]) == 2
    assert "do not apply to an engine" in capsys.readouterr().err


def test_a_number_that_is_not_one_is_exit_2_in_one_line(capsys):
    assert main(["bench", TINY, "--iterations", "three"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_command_line_is_built_without_torch():
    code = ("import sys; from resgraph.cli import build_parser; build_parser(); "
            "print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
