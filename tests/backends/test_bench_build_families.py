"""``resgraph bench`` (ONNX Runtime and torch, outputs checked first) and ``resgraph build
--dry-run`` on one network of each family beyond ResNet, at a small resolution: the CLI works
on all of them, not only on the ResNets its other tests use."""

from __future__ import annotations

import json

import pytest

from resgraph.cli import main

pytest.importorskip("onnxruntime")

#: one variant of each family's spec file; every one takes ``image``, its input resolution
FAMILIES = ("mobilenet_v2", "mobilenet_v3_small", "mnasnet0_5", "efficientnet_b0",
            "efficientnet_v2_s", "regnet_y_400mf", "convnext_tiny")
#: the smallest input every family takes: ConvNeXt's stem strides 4, then three 2x2 /2
#: downsamples; MBConv and RegNet networks stride 32 in all
IMAGE = 32
QUICK = ["--iterations", "1", "--warmup", "0", "--threads", "1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


@pytest.mark.parametrize("name", FAMILIES)
def test_bench_on_onnxruntime_and_torch(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out = run(capsys, "bench", name, "--set", f"image={IMAGE}", "--backend",
                    "onnxruntime,torch", *QUICK, "--json")
    report = json.loads(out)
    assert code == 0, out
    assert report["params"]["image"] == IMAGE
    rows = {row["backend"]: row for row in report["results"]}
    assert set(rows) == {"onnxruntime", "torch"}
    for row in rows.values():
        assert row["status"] == "ok" and row["parity"]["ok"], row
        assert row["latency_ms"]["runs"] == 1 and row["throughput"] > 0


@pytest.mark.parametrize("name", FAMILIES)
def test_build_dry_run(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out = run(capsys, "build", name, "--set", f"image={IMAGE}", "--dry-run", "--json")
    plan = json.loads(out)["plan"]
    assert code == 0
    assert plan["source"] == {**plan["source"], "kind": "spec", "ref": name,
                              "params": {"image": IMAGE}}
    [profile] = plan["profiles"]
    assert profile["opt"] == [1, 3, IMAGE, IMAGE]


#: networks of several outputs, each at its smallest input: every output is checked
SEVERAL_OUTPUTS = {"resnet50_fpn": 64, "fcn_resnet50": 32}


@pytest.mark.parametrize("name", sorted(SEVERAL_OUTPUTS))
def test_bench_checks_every_output_of_a_network_of_several(capsys: pytest.CaptureFixture[str],
                                                           name: str) -> None:
    image = SEVERAL_OUTPUTS[name]
    code, out = run(capsys, "bench", name, "--set", f"image={image}", "--backend",
                    "onnxruntime,torch", *QUICK, "--json")
    assert code == 0, out
    for row in json.loads(out)["results"]:
        assert row["status"] == "ok" and row["parity"]["ok"], row


def test_build_refuses_a_network_of_several_outputs_before_any_work(
        capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    code = main(["build", "resnet50_fpn", "-o", str(tmp_path / "fpn.engine")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "has 5 outputs (0, 1, 2, 3, pool)" in err and "trtexec" in err
    assert not list(tmp_path.iterdir())
