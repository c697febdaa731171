"""Engine files with a stand-in for TensorRT: what ``build`` writes beside an engine, what
``open_engine`` refuses, and how a parser failure reaches the user node by node."""


import pytest

from resgraph.backends import api
from resgraph.backends.trt import engine, runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.backends.trt.plan import BuildOptions
from resgraph.backends.trt.scopes import ParserIssue
from resgraph.errors import UsageError

pytest.importorskip("onnx")

HERE = sc.Machine("10.13.0.35", "NVIDIA H100 80GB HBM3", "9.0")


@pytest.fixture
def fake_tensorrt(monkeypatch):
    """TensorRT "present": building returns fixed bytes and records the plan it was given."""
    calls = []

    def build_engine(plan, onnx, progress=None):
        calls.append((plan, onnx))
        if progress is not None:
            progress.phase_start("Building engine", None, 2)
            progress.step("Building engine", 0)
            progress.phase_finish("Building engine")
        return runtime.Built(b"ENGINE", 1.25, "x", "y")

    monkeypatch.setattr(runtime, "missing", lambda: None)
    monkeypatch.setattr(runtime, "machine", lambda: HERE)
    monkeypatch.setattr(runtime, "build_engine", build_engine)
    return calls


def test_build_writes_engine_and_sidecar(fake_tensorrt, tiny_onnx, tmp_path):
    options = BuildOptions(precision="fp32", batch=(1, 2, 4))
    target = engine.onnx_target(str(tiny_onnx))
    output = str(tmp_path / "tiny.engine")
    meta = engine.build(target, engine.plan_for(target, options, output))
    assert (tmp_path / "tiny.engine").read_bytes() == b"ENGINE"
    saved = sc.read(tmp_path / "tiny.engine.json")
    assert saved == meta and saved.machine == HERE and saved.build_seconds == 1.25
    assert saved.source_hash == sc.file_hash(tiny_onnx) and saved.precision == "fp32"
    assert saved.profiles == [{"input": "x", "min": [1, 3, 8, 8], "opt": [2, 3, 8, 8],
                               "max": [4, 3, 8, 8]}]
    assert saved.plan["builder_flags"] == {"TF32": False}
    assert fake_tensorrt[0][1] == tiny_onnx


def test_open_engine_checks_the_machine(fake_tensorrt, tiny_onnx, tmp_path, monkeypatch):
    target = engine.onnx_target(str(tiny_onnx))
    output = str(tmp_path / "tiny.engine")
    engine.build(target, engine.plan_for(target, BuildOptions(), output))
    blob, meta = engine.open_engine(output)
    assert blob == b"ENGINE" and meta.engine == output
    monkeypatch.setattr(runtime, "machine", lambda: sc.Machine("11.4.0.106", HERE.gpu, "9.0"))
    with pytest.raises(sc.SidecarError, match="was built with TensorRT 10.13.0.35 on NVIDIA H100"):
        engine.open_engine(output)
    with pytest.raises(UsageError, match="no such file"):
        engine.open_engine(tmp_path / "other.engine")


def test_api_build_of_an_onnx_file(fake_tensorrt, tiny_onnx, tmp_path):
    output = tmp_path / "t.engine"
    meta = api.build(tiny_onnx, output, BuildOptions(timing_cache=str(tmp_path / "t.cache")))
    assert meta.engine == str(output) and output.read_bytes() == b"ENGINE"
    assert sc.read(f"{output}.json") == meta and meta.machine.gpu == HERE.gpu
    assert fake_tensorrt[0][0].timing_cache == str(tmp_path / "t.cache")
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, nothing left behind


def test_parser_errors_are_listed_node_by_node(fake_tensorrt, tiny_onnx, monkeypatch, tmp_path):
    def refuse(plan, onnx, progress=None):
        raise runtime.ParseFailed([ParserIssue(1, "/relu1/Relu", "Relu", "bad input type"),
                                   ParserIssue(-1, "", "", "model has no opset")])

    monkeypatch.setattr(runtime, "build_engine", refuse)
    with pytest.raises(runtime.ParseFailed) as failed:
        api.build(tiny_onnx, tmp_path / "never.engine")
    assert failed.value.render().splitlines() == [
        "error: TensorRT's ONNX parser reported 2 error(s):",
        "  node 1 Relu '/relu1/Relu': bad input type",
        "  model: model has no opset"]
    assert failed.value.to_json()["issues"][1] == "model: model has no opset"
    assert not (tmp_path / "never.engine").exists()


def test_the_build_reports_phases_to_its_progress(fake_tensorrt, tiny_onnx, tmp_path):
    seen = []

    class Display:
        def phase_start(self, phase, parent, steps):
            seen.append(("start", phase, steps))

        def step(self, phase, step):
            seen.append(("step", phase, step))

        def phase_finish(self, phase):
            seen.append(("finish", phase))

    api.build(tiny_onnx, tmp_path / "t.engine", progress=Display())
    assert seen == [("start", "Building engine", 2), ("step", "Building engine", 0),
                    ("finish", "Building engine")]


def _spec_sidecar(tmp_path, **kw):
    from resgraph.api import load

    graph = load("cifar_resnet20")
    profile = {"input": "input", "min": [1, 3, 32, 32], "opt": [16, 3, 32, 32],
               "max": [64, 3, 32, 32]}
    data = {"engine": str(tmp_path / "c20.engine"), "source_kind": "spec",
            "source": "cifar_resnet20", "source_hash": sc.graph_hash(graph), "params": {},
            "machine": HERE, "precision": "tf32", "profiles": [profile], "build_seconds": 1.0,
            "input_name": "input", "output_name": "output", "weights": "seed 0"}
    meta = sc.Sidecar(**{**data, **kw})
    (tmp_path / "c20.engine").write_bytes(b"ENGINE")
    sc.write(meta, tmp_path / "c20.engine.json")
    return meta


def test_seeded_weights_are_reproducible_and_leave_the_rng_alone():
    import torch

    from resgraph.api import load

    graph = load("cifar_resnet20")
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = engine.seeded_module(graph), engine.seeded_module(graph)
    assert torch.rand(1) == before
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                 b.state_dict().values(), strict=True))


def test_reference_rebuilds_the_engines_module(tmp_path):
    import torch

    graph, module = engine.reference(_spec_sidecar(tmp_path))
    assert graph.name == "cifar_resnet20"
    seeded = engine.seeded_module(graph)
    assert all(torch.equal(x, y) for x, y in zip(module.state_dict().values(),
                                                 seeded.state_dict().values(), strict=True))


@pytest.mark.parametrize("kw,match", [
    ({"weights": "the given module's"}, "built from the given module's weights"),
    ({"source_kind": "onnx", "weights": "the ONNX file's"}, "built from the ONNX file's weights"),
    ({"source_hash": "0" * 64}, "cifar_resnet20 has changed since the engine was built"),
])
def test_reference_refuses_what_it_cannot_rebuild(tmp_path, kw, match):
    with pytest.raises(sc.SidecarError, match=match):
        engine.reference(_spec_sidecar(tmp_path, **kw))


def test_engine_workload_for_resgraph_bench(tmp_path, monkeypatch):
    from resgraph.backends.trt.backend import engine_workload

    monkeypatch.setattr(runtime, "missing", lambda: None)
    _spec_sidecar(tmp_path)
    work, backend = engine_workload(str(tmp_path / "c20.engine"))
    assert (work.batch, work.precision, work.device) == (16, "fp32", "cuda")
    assert backend.engine_path == str(tmp_path / "c20.engine")
    work, _ = engine_workload(str(tmp_path / "c20.engine"), batch=4)
    assert work.input_shape == (4, 3, 32, 32)


def test_parser_errors_name_the_spec_scope_and_line(fake_tensorrt, fake_export, monkeypatch,
                                                    tmp_path):
    def refuse(plan, onnx, progress=None):
        raise runtime.ParseFailed([ParserIssue(3, "node_conv2d_3", "Conv", "weights must be "
                                               "constant")])

    monkeypatch.setattr(runtime, "build_engine", refuse)
    with pytest.raises(runtime.ParseFailed) as failed:
        api.build("cifar_resnet20", tmp_path / "never.engine", BuildOptions(precision="fp16"))
    lines = failed.value.render().splitlines()
    assert lines[0] == "error: TensorRT's ONNX parser reported 1 error(s):"
    assert lines[1].startswith("  node 3 Conv 'node_conv2d_3' (spec scope layer1.0.conv1 at ")
    assert lines[1].endswith("): weights must be constant")
    assert ", block layer1.0 at specs/cifar_resnet.rg:" in lines[1]
    assert fake_export[0][1]["precision"] == "fp16"
