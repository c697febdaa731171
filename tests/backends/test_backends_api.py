"""The backends' public entries (``resgraph.backends.api``): every request is checked before
any work, in the order the module docstring gives: numbers, the files read (before any
optional dependency is looked for), the files written; and what they write is written whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from export_fixtures import tiny_graph
from fake_backends import TINY

import resgraph
from resgraph.backends import api, onnx_export
from resgraph.backends.options import BenchError
from resgraph.backends.trt import runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.backends.trt.plan import BuildOptions, PlanError
from resgraph.errors import UsageError


@pytest.fixture
def no_tensorrt(monkeypatch):
    """TensorRT missing, as on this machine: a file problem must still be reported first."""
    monkeypatch.setattr(runtime, "missing", lambda: "TensorRT is not installed: pip install x")


@pytest.fixture
def no_export(monkeypatch):
    """An exporter that must never be reached."""
    def export(*args, **kwargs):
        raise AssertionError("exported although the request was refused")

    monkeypatch.setattr(onnx_export, "export_onnx", export)


# ONNX export ------------------------------------------------------------------------------


def test_export_of_a_spec_file_with_params(tmp_path):
    info = api.export_onnx(TINY, tmp_path / "t.onnx", batch=(1, 4))
    assert onnx.load(str(info.path)).graph.input[0].name == "input"
    assert (info.network, info.batch_min, info.batch_max) == ("tiny_bench", 1, 4)
    info = api.export_onnx("cifar_resnet20", tmp_path / "c.onnx", params={"n": 1})
    assert info.network.startswith("cifar_resnet") and info.nodes > 0


@pytest.mark.usefixtures("no_export")
def test_export_onto_its_own_spec_is_refused_and_the_spec_kept(tmp_path):
    spec = tmp_path / "net.rg"
    spec.write_text(Path(TINY).read_text())
    before = spec.read_bytes()
    with pytest.raises(UsageError, match="is an input of this command"):
        api.export_onnx(spec, spec)
    assert spec.read_bytes() == before


@pytest.mark.usefixtures("no_export")
@pytest.mark.parametrize("where, message", [
    ("missing/t.onnx", "the folder '.*missing' does not exist"),
    (".", "is a directory"),
])
def test_export_to_a_bad_place_fails_before_exporting(tmp_path, where, message):
    with pytest.raises(UsageError, match=message):
        api.export_onnx(tiny_graph(), tmp_path / where)


def test_a_failed_export_leaves_the_old_file_whole(tmp_path, monkeypatch):
    out = tmp_path / "t.onnx"
    out.write_bytes(b"the old file")

    def half_then_fail(model, path):
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(onnx, "save", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        api.export_onnx(tiny_graph(), out)
    assert out.read_bytes() == b"the old file" and [p.name for p in tmp_path.iterdir()] == [
        "t.onnx"]


def test_params_apply_to_specs_only(tmp_path):
    with pytest.raises(UsageError, match="params override a spec's params"):
        api.export_onnx(tiny_graph(), tmp_path / "t.onnx", params={"n": 1})


# bench ------------------------------------------------------------------------------------


def _engine(tmp_path, content=b"ENGINE", sidecar=True):
    engine = tmp_path / "r.engine"
    engine.write_bytes(content)
    if sidecar:
        sc.write(sc.Sidecar(engine=str(engine), source_kind="spec", source=TINY,
                            source_hash="", params={}, machine=sc.Machine("10", "GPU", "9.0"),
                            precision="fp16", profiles=[{"min": [1], "opt": [4], "max": [8]}],
                            build_seconds=1.0, input_name="input", output_name="output"),
                 f"{engine}.json")
    return engine


@pytest.mark.usefixtures("no_tensorrt")
@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "none.engine", "no such file: .*none.engine"),
    (lambda tmp: tmp, "engine '.*' is a directory, not a file"),
    (lambda tmp: _engine(tmp, content=b""), "the file is empty, not a TensorRT engine"),
    (lambda tmp: _engine(tmp, sidecar=False), "no sidecar beside the engine"),
])
def test_an_engine_file_is_checked_before_tensorrt(tmp_path, make, message):
    for call in (lambda p: api.bench_engine(p), lambda p: api.profile(p)):
        with pytest.raises(UsageError, match=message):
            call(make(tmp_path))


@pytest.mark.usefixtures("no_tensorrt")
def test_a_good_engine_file_then_asks_for_tensorrt(tmp_path):
    with pytest.raises(runtime.TensorRTMissing, match="TensorRT is not installed"):
        api.bench_engine(_engine(tmp_path))


def test_bench_engine_checks_its_batches_and_threads_first(tmp_path):
    with pytest.raises(BenchError, match="a batch size is given twice"):
        api.bench_engine(tmp_path / "none.engine", batches=(2, 2))
    with pytest.raises(BenchError, match="threads"):
        api.bench_engine(tmp_path / "none.engine", threads=0)


# build ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_tensorrt")
@pytest.mark.parametrize("name, message", [
    ("none.onnx", "no such file: .*none.onnx"),
    ("folder.onnx", "ONNX file '.*folder.onnx' is a directory"),
])
def test_an_onnx_input_is_checked_before_tensorrt(tmp_path, name, message):
    (tmp_path / "folder.onnx").mkdir()
    with pytest.raises(UsageError, match=message):
        api.build(tmp_path / name, tmp_path / "t.engine")


@pytest.mark.usefixtures("no_tensorrt")
def test_build_outputs_are_checked_before_tensorrt(tiny_onnx, tmp_path):
    with pytest.raises(UsageError, match="is an input of this command"):
        api.build(tiny_onnx, tiny_onnx.with_suffix(".onnx"))
    with pytest.raises(UsageError, match="does not exist"):
        api.build(tiny_onnx, tmp_path / "missing" / "t.engine")
    with pytest.raises(UsageError, match="--timing-cache .*: is a directory"):
        api.build(tiny_onnx, tmp_path / "t.engine", BuildOptions(timing_cache=str(tmp_path)))
    (tmp_path / "t.engine.json").mkdir()
    with pytest.raises(UsageError, match="t.engine.json: is a directory"):
        api.build(tiny_onnx, tmp_path / "t.engine")


@pytest.mark.usefixtures("no_tensorrt")
def test_build_of_a_spec_file_refuses_to_write_onto_it(tmp_path):
    spec = tmp_path / "net.rg"
    spec.write_text(Path(TINY).read_text())
    with pytest.raises(UsageError, match="is an input of this command"):
        api.build(spec, spec)
    with pytest.raises(runtime.TensorRTMissing):
        api.build(spec, tmp_path / "net.engine")


def test_plan_build_needs_no_tensorrt_and_names_the_engine(tiny_onnx):
    plan = api.plan_build("cifar_resnet20", options=BuildOptions(batch=(1, 8, 32)))
    assert plan.output == "cifar_resnet20.engine" and plan.profiles[0].opt[0] == 8
    plan = api.plan_build("cifar_resnet20", "c.engine", params={"n": 1})
    assert plan.output == "c.engine" and plan.source.params == {"n": 1}
    assert api.plan_build(tiny_onnx).output == "tiny.engine"
    with pytest.raises(PlanError, match="an ONNX file has no parameters"):
        api.plan_build(tiny_onnx, params={"n": 1})


# profile ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kw, message", [
    ({"runs": 0}, "--runs must be a whole number from 1 to 100,000, got 0"),
    ({"runs": 10**6}, "--runs must be a whole number from 1 to 100,000"),
    ({"warmup": -1}, "--warmup must be a whole number from 0 to 100,000, got -1"),
])
def test_profile_counts_are_bounded(tmp_path, kw, message):
    with pytest.raises(UsageError, match=message):
        api.profile(tmp_path / "none.engine", **kw)


def test_profile_from_trtexec_times(tmp_path):
    graph = resgraph.load("resnet18")
    engine = tmp_path / "r18.engine"
    sc.write(sc.Sidecar(engine=str(engine), source_kind="spec", source="resnet18",
                        source_hash=sc.graph_hash(graph), params={},
                        machine=sc.Machine("10", "GPU", "9.0"), precision="fp16",
                        profiles=[], build_seconds=1.0, input_name="input",
                        output_name="output", places=sc.places(graph)), f"{engine}.json")
    times = tmp_path / "times.json"
    times.write_text(json.dumps([{"count": 3}, {"name": "/conv1/Conv", "averageMs": 0.5},
                                 {"name": "/layer1/layer1.0/conv1/Conv", "averageMs": 0.25}]))
    result = api.profile(engine, layer_times=times)
    data = result.to_dict()
    assert data["stages"] == {"stem": 0.5, "layer1": 0.25} and data["total_ms"] == 0.75
    assert data["layers"] == {"/conv1/Conv": 0.5, "/layer1/layer1.0/conv1/Conv": 0.25}
    assert result.values()["layer1.0"] == 0.25 and result.values()["conv1"] == 0.5
    spec, changed = result.spec()
    assert spec.name == "resnet18" and not changed
    result.meta.source_hash = "0" * 64
    assert result.spec()[1]
    result.meta.source_kind = "onnx"
    with pytest.raises(UsageError, match="built from an ONNX file, not a spec"):
        result.spec()
    with pytest.raises(UsageError, match="no such file: .*other.json"):
        api.profile(engine, layer_times=tmp_path / "other.json")
    times.write_text("{]")
    with pytest.raises(UsageError, match="not a trtexec --exportProfile JSON file"):
        api.profile(engine, layer_times=times)


def test_profile_batch_must_be_inside_the_engines_profile(tmp_path):
    meta = sc.read(f"{_engine(tmp_path)}.json")
    assert api._profile_batch(meta, None) == 4 and api._profile_batch(meta, 8) == 8
    with pytest.raises(UsageError, match="--batch 9 is outside the engine's profile"):
        api._profile_batch(meta, 9)


# importing --------------------------------------------------------------------------------


def test_the_entries_and_the_command_lines_names_import_nothing_heavy():
    code = ("import sys\n"
            "import resgraph.backends as b, resgraph.backends.api, resgraph.backends.options\n"
            "import resgraph.backends.trt.timing, resgraph.backends.trt.plan\n"
            "b.bench, b.build, b.profile, b.BenchOptions, b.BuildOptions\n"
            "heavy = {'torch', 'onnx', 'onnxruntime', 'onnxscript', 'tensorrt', 'numpy'}\n"
            "assert not heavy & set(sys.modules), heavy & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_command_line_finds_every_name_it_needs_in_the_api():
    from resgraph.backends import options
    from resgraph.backends.trt import plan, timing

    assert api.BACKEND_NAMES == tuple(options.BACKENDS)
    assert api.PRECISIONS == options.PRECISIONS and api.BUILD_PRECISIONS == plan.PRECISIONS
    assert api.add_timing_args is timing.add_timing_args and api.BatchRange is plan.BatchRange
    assert set(api.__all__) <= set(dir(api))


def test_the_package_re_exports_the_entries():
    import resgraph.backends as b

    assert b.export_onnx is api.export_onnx and b.build is api.build
    assert b.ExportInfo is onnx_export.ExportInfo
    with pytest.raises(AttributeError):
        b.nothing  # noqa: B018
