"""Build plans: option parsing, a golden JSON per option set, and no removed precision flag.

Regenerate the goldens in ``plans/`` with ``RESGRAPH_REGENERATE=1``."""

import ast
import json
import os
import re
from pathlib import Path

import pytest

from resgraph.backends.trt import plan as p

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
SAMPLE = (3, 224, 224)

CASES = {
    "default": {},
    "fp32": {"precision": "fp32"},
    "tf32": {"precision": "tf32"},
    "fp16_batch256": {"precision": "fp16", "batch": 256},
    "bf16_dynamic": {"precision": "bf16", "batch": (1, 32, 256), "workspace": "4GiB"},
    "int8_batch32": {"precision": "int8", "batch": 32},
    "fp16_cache_opt5": {"precision": "fp16", "opt_level": 5, "timing_cache": "resnet.cache",
                            "workspace": "512"},
}


def options(precision="tf32", batch=1, workspace=None, opt_level=3, timing_cache=None):
    return p.BuildOptions(precision=precision, batch=p.parse_batch(batch),
                          workspace=None if workspace is None else p.parse_size(workspace),
                          opt_level=opt_level, timing_cache=timing_cache)


def spec_plan(**kw):
    o = options(**kw)
    return p.make_plan(o, p.spec_source("resnet50", {"depth": 50}, o), "resnet50.engine",
                       "input", SAMPLE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_golden(name):
    text = spec_plan(**CASES[name]).to_json()
    golden = HERE / "plans" / f"{name}.json"
    if os.environ.get("RESGRAPH_REGENERATE"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_onnx_source_has_no_export_step():
    plan = p.make_plan(options(precision="fp32"), p.Source("onnx", "model.onnx"), "m.engine",
                       "x", (3, 32, 32))
    assert plan.source.export is None and plan.profiles[0].input == "x"
    assert plan.profiles[0].min == (1, 3, 32, 32)


def test_onnx_source_refuses_a_precision_it_cannot_emit():
    with pytest.raises(p.PlanError, match="--precision fp16 needs a spec"):
        p.make_plan(options(precision="fp16"), p.Source("onnx", "m.onnx"), "m.engine", "x", SAMPLE)


def test_tf32_is_off_only_for_fp32():
    flags = {prec: spec_plan(precision=prec).builder_flags for prec in p.PRECISIONS}
    assert flags == {"fp32": {"TF32": False}, "tf32": {"TF32": True},
                     "fp16": {"TF32": True}, "bf16": {"TF32": True}, "int8": {"TF32": True}}


def test_every_plan_is_strongly_typed_and_exports_the_target_type():
    for prec in p.PRECISIONS:
        plan = spec_plan(precision=prec)
        assert plan.network_flags == ("STRONGLY_TYPED",)
        assert plan.source.export["precision"] == p.EXPORT_PRECISION[prec]
        assert plan.source.export["io_dtype"] == "float32"


def test_no_plan_sets_a_removed_precision_flag():
    for name, kw in CASES.items():
        plan = spec_plan(**kw)
        assert not set(plan.builder_flags) & p.REMOVED_BUILDER_FLAGS, name
        assert not set(plan.network_flags) & p.REMOVED_BUILDER_FLAGS, name


def _builder_flag_uses(path):
    """``BuilderFlag.X`` attributes, flags looked up by a computed name, and string constants
    spelling a removed flag, in one module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and getattr(node.value, "attr", "") == "BuilderFlag":
            yield node.attr
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr" \
                and getattr(node.args[0], "attr", "") == "BuilderFlag":
            yield "getattr(BuilderFlag)"
        if isinstance(node, ast.Constant) and node.value in p.REMOVED_BUILDER_FLAGS:
            yield node.value


APPLYING = [ROOT / "backends" / "trt" / name for name in ("runtime.py", "backend.py")]


@pytest.mark.parametrize("path", APPLYING, ids=lambda q: q.name)
def test_applying_code_names_no_removed_flag(path):
    used = set(_builder_flag_uses(path))
    assert used <= {"TF32"}, f"{path.name} uses {used - {'TF32'}}"


def test_the_flag_guard_catches_a_removed_flag(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(trt, c):\n    c.set_flag(trt.BuilderFlag.FP16)\n"
                   "    c.set_flag(getattr(trt.BuilderFlag, name))\n")
    assert set(_builder_flag_uses(bad)) == {"FP16", "getattr(BuilderFlag)"}


@pytest.mark.parametrize("text,expected", [
    (1, (1, 1, 1)), (256, (256, 256, 256)), ((1, 32, 256), (1, 32, 256)), (8, (8, 8, 8)),
])
def test_parse_batch(text, expected):
    b = p.parse_batch(text)
    assert (b.min, b.opt, b.max) == expected
    assert b.static == (len(set(expected)) == 1)


@pytest.mark.parametrize("text", [0, "8", "1:32:256", (4, 2, 8), (1, 2, 3, 4), -1, 65537,
                                  (1, 1, 10**20), (0, 1, 2), (1, 2), True, 2.0])
def test_parse_batch_rejects(text):
    with pytest.raises(p.PlanError, match="--batch"):
        p.parse_batch(text)


def test_a_batch_range_checks_itself():
    assert p.BuildOptions(batch=(1, 8, 64)).batch == p.BatchRange(1, 8, 64)
    assert p.BuildOptions(batch=8).batch == p.BatchRange(8, 8, 8)
    with pytest.raises(p.PlanError, match="need 1 <= MIN <= OPT <= MAX"):
        p.BatchRange(8, 4, 64)
    with pytest.raises(p.PlanError, match="from 1 to 65,536, got 65537"):
        p.BuildOptions(batch=(1, 1, 65537))


@pytest.mark.parametrize("text,size", [
    ("4GiB", 4 * 2**30), ("512MiB", 512 * 2**20), ("1GB", 10**9), ("1.5GiB", 3 * 2**29),
    ("256", 256 * 2**20), ("64 kib", 64 * 1024), ("100B", 100),
])
def test_parse_size(text, size):
    assert p.parse_size(text) == size


@pytest.mark.parametrize("text", ["4GX", "lots", "0", "-1GiB", "", "2TiB", "nan", "inf",
                                  "1e9", "1" * 40])
def test_parse_size_rejects(text):
    with pytest.raises(p.PlanError, match="--workspace"):
        p.parse_size(text)


def test_format_size():
    assert [p.format_size(s) for s in (4 * 2**30, 3 * 2**29, 10**9, 100)] == \
        ["4 GiB", "1536 MiB", "1000000000 B", "100 B"]


@pytest.mark.parametrize("kw,message", [
    ({"precision": "fp8"}, "unknown precision 'fp8'; known: bf16, fp16, fp32, int8, tf32"),
    ({"opt_level": 6}, "--opt-level must be a whole number from 0 to 5, got 6"),
    ({"opt_level": -1}, "--opt-level must be a whole number from 0 to 5, got -1"),
])
def test_bad_options(kw, message):
    with pytest.raises(p.PlanError, match=re.escape(message)):
        spec_plan(**kw)


@pytest.mark.parametrize("kw,message", [
    ({"calibration_batches": 0}, ("--calibration-batches must be a whole number from 1 to "
                                 "10,000, got 0")),
    ({"calibration_batches": 10_001}, "got 10001"),
    ({"workspace": 0}, "--workspace must be more than 0 B and at most 1 TiB"),
    ({"workspace": 2**41}, "at most 1 TiB"),
    ({"workspace": 1.5}, "got '1.5'"),
    ({"opt_level": True}, "got True"),
])
def test_build_options_check_themselves(kw, message):
    with pytest.raises(p.PlanError, match=re.escape(message)):
        p.BuildOptions(**kw)


def test_text_lines_name_every_setting():
    text = "\n".join(spec_plan(precision="fp16", batch=(1, 8, 64), workspace="4GiB",
                               timing_cache="t.cache").lines())
    for word in ("STRONGLY_TYPED", "TF32 on", "WORKSPACE 4 GiB", "min 1x3x224x224",
                 "opt 8x3x224x224", "max 64x3x224x224", "optimization level: 3", "DETAILED",
                 "t.cache (read if present, written after)", "resnet50.engine.json",
                 "fp16 graph, fp32 inputs/outputs", "--set depth=50"):
        assert word in text, word


def test_json_round_trips():
    data = json.loads(spec_plan(precision="bf16").to_json())
    assert data["precision"] == "bf16" and data["profiles"][0]["opt"] == [1, 3, 224, 224]


def test_int8_plans_a_qdq_step_and_other_precisions_none():
    plan = spec_plan(precision="int8")
    assert plan.source.export["precision"] == "fp32"
    assert plan.quantize == {"type": "int8", "format": "QDQ",
                             "scheme": "symmetric, per-channel weights", "method": "minmax",
                             "calibration": "random", "batches": 8, "batch_size": 8, "seed": 0}
    assert all(spec_plan(precision=x).quantize is None for x in ("fp32", "tf32", "fp16", "bf16"))
    assert "quantize: type=int8, format=QDQ" in "\n".join(plan.lines())
    onnx_plan = p.make_plan(p.BuildOptions(precision="int8", calibration="x.npy"),
                            p.Source("onnx", "m.onnx"), "m.engine", "x", SAMPLE)
    assert onnx_plan.quantize["calibration"] == "x.npy"
