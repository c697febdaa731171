"""``resgraph build`` and ``resgraph profile`` here, without TensorRT or a GPU: the dry run
prints the whole plan, everything else stops in one line with exit code 3, bad arguments
exit 2, and ``profile --layer-times`` (trtexec's JSON) works end to end."""

import json
import types

import pytest

from resgraph.backends.trt import runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.cli import main

onnx = pytest.importorskip("onnx")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_dry_run_prints_the_whole_plan(capsys):
    code, text, _ = run(capsys, "build", "resnet50", "-o", "r50.engine", "--precision", "fp32",
                        "--batch", "1:8:64", "--workspace", "2GiB", "--opt-level", "4",
                        "--timing-cache", "t.cache", "--dry-run")
    assert code == 0
    for line in ("source: spec resnet50", "network: STRONGLY_TYPED, parsed by OnnxParser",
                 "precision: fp32 (fp32 graph, TF32 off)", "builder flags: TF32 off",
                 "memory pools: WORKSPACE 2 GiB",
                 "profile input: min 1x3x224x224, opt 8x3x224x224, max 64x3x224x224",
                 "builder optimization level: 4", "timing cache: t.cache", "engine: r50.engine",
                 "sidecar: r50.engine.json"):
        assert line in text, line


def test_dry_run_json_with_set(capsys):
    code, text, _ = run(capsys, "build", "resnet50", "--set", "depth=101", "--precision", "bf16",
                        "--dry-run", "--json")
    plan = json.loads(text)["plan"]
    assert code == 0 and plan["output"] == "resnet101.engine"
    assert plan["source"]["params"] == {"depth": 101}
    assert plan["source"]["export"]["precision"] == "bf16"
    assert plan["builder_flags"] == {"TF32": True}


def test_dry_run_of_an_onnx_file_reads_its_input(capsys, tiny_onnx):
    code, text, _ = run(capsys, "build", str(tiny_onnx), "--batch", "2:4:8", "--dry-run",
                        "--json")
    plan = json.loads(text)["plan"]
    assert code == 0 and plan["source"]["kind"] == "onnx" and plan["source"]["export"] is None
    assert plan["profiles"] == [{"input": "x", "min": [2, 3, 8, 8], "opt": [4, 3, 8, 8],
                                 "max": [8, 3, 8, 8]}]
    assert plan["output"] == "tiny.engine"


@pytest.mark.parametrize("argv,message", [
    (["resnet50", "--precision", "fp8"], "unknown precision 'fp8'; known: bf16, fp16, fp32, int8, tf32"),
    (["resnet50", "--batch", "8:4:2"], "argument --batch: takes N (one size) or MIN:OPT:MAX"),
    (["resnet50", "--workspace", "lots"], "--workspace takes a size"),
    (["resnet50", "--opt-level", "9"], "argument --opt-level: takes a whole number from 0 to 5, got 9"),
    (["resnet51"], "did you mean 'resnet50'?"),
    (["missing.onnx"], "no such file: missing.onnx"),
])
def test_bad_arguments_exit_2(capsys, argv, message):
    code, _, errors = run(capsys, "build", *argv, "--dry-run")
    assert code == 2 and message in errors and errors.startswith("error: ")


def test_onnx_file_refuses_set_and_reduced_precision(capsys, tiny_onnx, tmp_path):
    code, _, errors = run(capsys, "build", str(tiny_onnx), "--set", "depth=3", "--dry-run")
    assert code == 2 and "params (--set) apply to specs" in errors
    code, _, errors = run(capsys, "build", str(tiny_onnx), "--precision", "fp16", "--dry-run")
    assert code == 2 and "--precision fp16 needs a spec" in errors
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00garbage")
    code, _, errors = run(capsys, "build", str(bad), "--dry-run")
    assert code == 2 and "not an ONNX model" in errors


def test_build_without_tensorrt_is_one_line_exit_3(capsys, monkeypatch):
    monkeypatch.setattr(runtime, "missing", lambda: "TensorRT is not installed: pip install x")
    code, _, errors = run(capsys, "build", "resnet50", "-o", "r.engine")
    assert code == 3 and errors == "error: TensorRT is not installed: pip install x\n"


def test_profile_of_a_missing_engine_is_no_such_file(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(runtime, "missing", lambda: "no CUDA GPU here: ...")
    code, _, errors = run(capsys, "profile", str(tmp_path / "r.engine"))
    assert code == 2 and errors.startswith("error: no such file") and errors.count("\n") == 1


def test_missing_names_what_is_absent(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tensorrt", None)  # import fails
    assert runtime.missing().startswith("TensorRT is not installed (")
    assert "pip install 'resgraph[tensorrt]'" in runtime.missing()
    monkeypatch.setitem(__import__("sys").modules, "tensorrt", types.ModuleType("tensorrt"))
    assert runtime.missing().startswith("TensorRT is not installed (only its type stubs are)")
    fake = types.ModuleType("tensorrt")
    fake.Builder = object
    monkeypatch.setitem(__import__("sys").modules, "tensorrt", fake)
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert runtime.missing().startswith("no CUDA GPU here")
    with pytest.raises(runtime.TensorRTMissing, match="no CUDA GPU here"):
        runtime.require()


def _sidecar(tmp_path):
    from resgraph.api import load

    graph = load("resnet18")
    engine = tmp_path / "r18.engine"
    engine.write_bytes(b"not really an engine")
    meta = sc.Sidecar(engine=str(engine), source_kind="spec", source="resnet18",
                      source_hash=sc.graph_hash(graph), params={},
                      machine=sc.Machine("10.13.0.35", "NVIDIA H100", "9.0"), precision="fp16",
                      profiles=[], build_seconds=1.0, input_name="input", output_name="output",
                      places=sc.places(graph))
    sc.write(meta, f"{engine}.json")
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps([
        {"count": 10},
        {"name": "/conv1/Conv + /relu1/Relu", "averageMs": 0.2},
        {"name": "/layer1/layer1.0/conv1/Conv + /layer1/layer1.0/relu1/Relu", "averageMs": 0.3},
        {"name": "/layer4/layer4.1/conv2/Conv + /layer4/layer4.1/Add + /layer4/layer4.1/relu2/Relu",
         "averageMs": 0.4},
        {"name": "Reformatting CopyNode for Input Tensor 0 to /fc/Gemm", "averageMs": 0.1}]))
    return engine, profile


def test_profile_from_trtexec_json(capsys, tmp_path):
    engine, profile = _sidecar(tmp_path)
    code, text, _ = run(capsys, "profile", str(engine), "--layer-times", str(profile), "--json")
    data = json.loads(text)
    assert code == 0
    assert data["stages"] == pytest.approx({"stem": 0.2, "layer1": 0.3, "layer4": 0.4,
                                            "head": 0.1})
    assert data["blocks"] == pytest.approx({"layer1.0": 0.3, "layer4.1": 0.4})
    assert data["total_ms"] == pytest.approx(1.0) and data["reformat_ms"] == pytest.approx(0.1)
    code, text, _ = run(capsys, "profile", str(engine), "--layer-times", str(profile))
    assert code == 0 and "time per stage" in text and "layer4.1" in text and "40.0%" in text


def test_profile_draws_the_diagram_coloured_by_time(capsys, tmp_path):
    engine, profile = _sidecar(tmp_path)
    out = tmp_path / "times.dot"
    code, _, _ = run(capsys, "profile", str(engine), "--layer-times", str(profile),
                     "--draw", str(out))
    assert code == 0 and out.is_file() and "ms per inference (TensorRT)" in out.read_text()


@pytest.mark.parametrize("content,message", [
    (None, "no such file"), ("{]", "not a trtexec --exportProfile JSON file"),
    ('[{"name": "a"}]', "not a trtexec --exportProfile JSON file"),
])
def test_profile_bad_layer_times(capsys, tmp_path, content, message):
    engine, profile = _sidecar(tmp_path)
    if content is None:
        profile.unlink()
    else:
        profile.write_text(content)
    code, _, errors = run(capsys, "profile", str(engine), "--layer-times", str(profile))
    assert code == 2 and message in errors


def test_profile_without_sidecar(capsys, tmp_path):
    code, _, errors = run(capsys, "profile", str(tmp_path / "x.engine"), "--layer-times", "p.json")
    assert code == 2 and "no sidecar beside the engine" in errors


def test_onnx_file_with_a_fixed_batch(capsys, tiny_onnx, tmp_path):
    model = onnx.load(tiny_onnx)
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 4
    fixed = tmp_path / "fixed.onnx"
    onnx.save(model, fixed)
    code, _, errors = run(capsys, "build", str(fixed), "--dry-run")
    assert code == 2 and "has a fixed batch of 4: build it with --batch 4" in errors
    code, text, _ = run(capsys, "build", str(fixed), "--batch", "4", "--dry-run", "--json")
    assert code == 0 and json.loads(text)["plan"]["profiles"][0]["min"] == [4, 3, 8, 8]


def test_build_display_follows_phases():
    from resgraph.cli.build import BuildDisplay

    with BuildDisplay() as display:
        display.phase_start("Building engine", None, 3)
        display.phase_start("Tactic selection", "Building engine", 10)
        display.step("Tactic selection", 4)
        assert display.progress.tasks[-1].completed == 5
        display.phase_finish("Tactic selection")
        display.step("unknown phase", 1)  # TensorRT may report a phase it did not start
        display.phase_finish("Building engine")
        assert list(display.tasks) == ["build"]
