"""Explicit INT8 quantization: Q/DQ nodes as TensorRT wants them, calibrated on seeded random
data or a user's .npy file, and the drift from fp32 measured on held-out samples."""

import json

import numpy as np
import pytest

from resgraph.backends import api
from resgraph.backends.trt import quantize as q
from resgraph.backends.trt import runtime
from resgraph.backends.trt import sidecar as sc
from resgraph.backends.trt.plan import BuildOptions, PlanError
from resgraph.errors import UsageError

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def test_random_samples_are_seeded_and_held_out_apart():
    cal, held = q.samples(q.Calibration(batches=4, batch_size=2, seed=3), (3, 8, 8))
    again, _ = q.samples(q.Calibration(batches=4, batch_size=2, seed=3), (3, 8, 8))
    assert len(cal) == 4 and len(held) == 1 and cal[0].shape == (2, 3, 8, 8)
    assert all(np.array_equal(a, b) for a, b in zip(cal, again, strict=True))
    assert not any(np.array_equal(held[0], c) for c in cal)


def test_samples_from_a_file(tmp_path):
    path = tmp_path / "images.npy"
    np.save(path, np.zeros((20, 3, 8, 8), np.float64))
    cal, held = q.samples(q.Calibration(str(path), batch_size=8), (3, 8, 8))
    assert [len(b) for b in cal] == [8, 8] and [len(b) for b in held] == [4]
    assert cal[0].dtype == np.float32
    np.save(path, np.zeros((5, 3, 8, 8), np.float32))  # one batch: measured on itself
    cal, held = q.samples(q.Calibration(str(path), batch_size=8), (3, 8, 8))
    assert len(cal) == 1 and len(held) == 1


@pytest.mark.parametrize("content,match", [
    ("wrong shape", "need an array of samples shaped Nx3x8x8, got 4x3x4x4"),
    ("not npy", "not a .npy array"),
])
def test_bad_calibration_file(tmp_path, content, match):
    path = tmp_path / "bad.npy"
    if content == "wrong shape":
        np.save(path, np.zeros((4, 3, 4, 4), np.float32))
    else:
        path.write_text("hello")
    with pytest.raises(PlanError, match=match):
        q.samples(q.Calibration(str(path)), (3, 8, 8))


def test_a_missing_calibration_file_is_refused_before_any_work(tiny_onnx, tmp_path):
    options = BuildOptions(precision="int8", calibration=str(tmp_path / "none.npy"))
    with pytest.raises(UsageError, match="no such file: .*none.npy"):
        api.plan_build(tiny_onnx, tmp_path / "t.engine", options)
    with pytest.raises(UsageError, match="is a directory"):
        api.plan_build(tiny_onnx, tmp_path / "t.engine",
                       BuildOptions(precision="int8", calibration=str(tmp_path)))


def test_a_large_calibration_file_is_read_only_as_far_as_needed(tmp_path):
    path = tmp_path / "many.npy"
    np.save(path, np.zeros((1000, 3, 8, 8), np.float32))
    cal, held = q.samples(q.Calibration(str(path), batches=4, batch_size=8), (3, 8, 8))
    assert sum(len(b) for b in cal + held) == (4 + 1) * 8


def test_qdq_nodes_as_tensorrt_wants_them(tiny_onnx, tmp_path):
    cal, held = q.samples(q.Calibration(batches=2, batch_size=4), (3, 8, 8))
    out = tmp_path / "tiny.int8.onnx"
    q.quantize_int8(tiny_onnx, out, "x", cal)
    model = onnx.load(out)
    onnx.checker.check_model(model, full_check=True)
    ops = [n.op_type for n in model.graph.node]
    assert "QuantizeLinear" in ops and "DequantizeLinear" in ops and "Conv" in ops
    init = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
    zero_points = [v for k, v in init.items() if k.endswith("zero_point")]
    assert zero_points and all(v.dtype == np.int8 and not v.any() for v in zero_points)
    assert any(v.shape == (4,) for k, v in init.items() if k.startswith("w") and "scale" in k)
    d = q.drift(tiny_onnx, out, "x", held)
    assert d.samples == 4 and d.top1_agreement >= 0.5 and d.relative_error < 0.05
    assert "int8 vs fp32 on 4 held-out samples: top-1 agreement" in d.describe()


def test_int8_build_records_the_drift(tiny_onnx, tmp_path, monkeypatch):
    parsed = []

    def build_engine(plan, onnx_path, progress=None):
        parsed.append(onnx.load(onnx_path))
        return runtime.Built(b"ENGINE", 0.5, "x", "y")

    monkeypatch.setattr(runtime, "missing", lambda: None)
    monkeypatch.setattr(runtime, "machine", lambda: sc.Machine("11.4.0", "NVIDIA H100", "9.0"))
    monkeypatch.setattr(runtime, "build_engine", build_engine)
    output = tmp_path / "tiny.engine"
    meta = api.build(tiny_onnx, output, BuildOptions(precision="int8", calibration_batches=2))
    assert meta.quantization["summary"].startswith("int8 vs fp32 on 8 held-out samples")
    assert "QuantizeLinear" in [n.op_type for n in parsed[0].graph.node]
    meta = sc.read(f"{output}.json")
    assert meta.quantization["calibrated_on"] == "2 random batches of 8 (seed 0)"
    assert set(meta.quantization["drift"]) == {"samples", "top1_agreement", "relative_error",
                                               "max_abs_error"}
    assert meta.source_hash == sc.file_hash(tiny_onnx)  # the user's file, not the Q/DQ copy
    assert json.loads(meta.to_json())["plan"]["quantize"]["type"] == "int8"


def test_onnx_runtime_failure_is_one_clear_error(tiny_onnx, tmp_path):
    model = onnx.load(tiny_onnx)
    model.opset_import[0].version = 99  # no runtime implements it
    bad = tmp_path / "future.onnx"
    onnx.save(model, bad)
    cal, _ = q.samples(q.Calibration(batches=1, batch_size=2), (3, 8, 8))
    with pytest.raises(q.QuantizeError, match="int8 quantization failed in ONNX Runtime"):
        q.quantize_int8(bad, tmp_path / "out.onnx", "x", cal)


def test_qdq_nodes_get_the_scope_of_their_op(tiny_onnx, tmp_path):
    cal, _ = q.samples(q.Calibration(batches=1, batch_size=2), (3, 8, 8))
    out = tmp_path / "tiny.int8.onnx"
    q.quantize_int8(tiny_onnx, out, "x", cal)
    found = q.qdq_scopes(out, {"/conv1/Conv": "conv1", "/relu1/Relu": "relu1"})
    assert found["x_QuantizeLinear"] == "conv1"  # the input: the op that uses it
    assert found["w_DequantizeLinear"] == "conv1"  # a weight: likewise
    assert found["c_QuantizeLinear"] == "conv1"  # an activation: the op that makes it
    assert found["y_DequantizeLinear"] == "relu1"
