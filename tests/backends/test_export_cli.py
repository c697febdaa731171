"""``resgraph export``: what it writes and prints, and one line for every bad input."""

from __future__ import annotations

import json
import sys

import onnx
import pytest
from torchvision_resnet import TINY_SPEC

from resgraph.cli import main


@pytest.fixture
def spec():
    return TINY_SPEC


def run(capsys, *argv):
    code = main(["export", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_writes_the_file_and_says_what_it_holds(capsys, spec, tmp_path):
    out = tmp_path / "t.onnx"
    code, text, _ = run(capsys, spec, "-o", out)
    assert code == 0 and onnx.load(str(out)).graph.input[0].name == "input"
    assert f"wrote {out}" in text and "tiny, " in text and "opset" in text
    assert "input  (1, 3, 16, 16) fp32" in text and "output (1, 5) fp32" in text
    assert "fixed at 1" in text and "6 folded into the convolutions" in text


def test_json_is_the_export_info(capsys, spec, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, text, _ = run(capsys, spec, "--json", "--batch", "dynamic", "--no-fold-bn",
                        "--precision", "fp16", "--opset", "21")
    data = json.loads(text)
    assert code == 0 and (tmp_path / "tiny.onnx").is_file()  # NAME.onnx by default
    assert data["path"] == "tiny.onnx" and data["network"] == "tiny"
    assert (data["batch_min"], data["batch_max"], data["dynamic"]) == (1, None, True)
    assert (data["fold_bn"], data["folded"], data["precision"]) == (False, {}, "fp16")
    assert data["opset"] == 21 and data["input_shape"] == [3, 16, 16]
    assert data["scopes"]["layer2.0.conv1"] == "layer2.0.conv1"


def test_set_reaches_the_spec(capsys, tmp_path):
    code, text, _ = run(capsys, "cifar_resnet20", "--set", "n=1", "--set", "num_classes=7",
                        "-o", tmp_path / "c.onnx", "--json")
    assert code == 0 and json.loads(text)["output_shape"] == [7]


@pytest.mark.parametrize("argv, message", [
    (["--batch", "0"], "argument --batch: takes N (one size) or dynamic (any size from 1) or MIN:MAX"),
    (["--batch", "1:"], "MIN:MAX (a dynamic range), sizes 1 to 65,536; got '1:'"),
    (["--precision", "int8"], "error: unknown precision 'int8'; known: bf16, fp16, fp32"),
    (["--opset", "x"], "argument --opset: takes a whole number from 1 to 1,000, got 'x'"),
    (["--opset", "17"], "error: opset must be from 18 to"),
    (["--precision", "bf16", "--opset", "20"], "error: bf16 needs opset 22 or later"),
    (["--set", "n=x"], "parameter 'n' takes an integer"),
    (["--set", "depth=3"], "unknown parameter 'depth'"),
])
def test_bad_argument_exits_2_in_one_line(capsys, tmp_path, argv, message):
    code, _, errors = run(capsys, "cifar_resnet20", "-o", tmp_path / "x.onnx", *argv)
    assert code == 2 and message in errors.splitlines()[0]
    assert "Traceback" not in errors and not (tmp_path / "x.onnx").exists()


def test_bad_spec_exits_2_at_its_line(capsys, tmp_path):
    bad = tmp_path / "bad.rg"
    bad.write_text("resgraph 1\nnetwork n\ninput 3x8x8\nstem { conv(3, ) }\n")
    code, _, errors = run(capsys, bad, "-o", tmp_path / "x.onnx")
    assert code == 2 and f"{bad}:4:" in errors and "Traceback" not in errors


def test_unknown_name_suggests_the_nearest(capsys, tmp_path):
    code, _, errors = run(capsys, "resnet05", "-o", tmp_path / "x.onnx")
    assert code == 2 and "did you mean 'resnet50'?" in errors


@pytest.mark.parametrize("missing", ["onnx", "onnxscript"])
def test_missing_onnx_extra_exits_3_in_one_line(capsys, monkeypatch, tmp_path, missing):
    monkeypatch.setitem(sys.modules, missing, None)
    code, _, errors = run(capsys, "cifar_resnet20", "-o", tmp_path / "x.onnx")
    assert code == 3
    assert errors == f"error: {missing} is not installed: pip install 'resgraph[onnx]'\n"


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--help"])
    text = capsys.readouterr().out
    assert exit_.value.code == 0 and "examples:" in text and "--no-fold-bn" in text
