"""``resgraph analyze`` and ``resgraph paths``: output, JSON, plots and every error path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resgraph.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_analyze_prints_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", "resnet18", "--level", "stage")
    assert code == 0
    for text in ("1,814,073,344", "11,689,512", "other counters", "fvcore", "435x435", "layer4"):
        assert text in out


def test_analyze_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", "cifar_resnet20", "--json", "--batch", "4",
                        "--dtype", "bf16", "--level", "block")
    data = json.loads(out)
    assert code == 0 and data["batch"] == 4 and data["dtype"] == "bf16"
    assert data["paths"]["branches"]["total"] == str(2 ** 9)
    assert [r["name"] for r in data["rows"]][:2] == ["stem", "layer1.0"]


def test_analyze_input_re_elaborates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", "cifar_resnet20", "--input", "3x64x64", "--json")
    small = json.loads(_run(capsys, "analyze", "cifar_resnet20", "--json")[1])
    big = json.loads(out)
    assert code == 0 and big["input_shape"] == [3, 64, 64]
    fc = 64 * 10  # the one layer whose cost does not grow with the image
    assert big["macs"] - fc == 4 * (small["macs"] - fc)


def test_analyze_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", "resnet18", "--set", "depth=34", "--json")
    assert code == 0 and json.loads(out)["macs"] == 3663761408


def test_analyze_module(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    code, out, _ = _run(capsys, "analyze", "--module", "analyze_factories:small_cnn",
                        "--input", "3x8x8", "--json")
    data = json.loads(out)
    assert code == 0 and data["macs"] == 8 * 8 * 8 * 27 + 32 and data["params"] == 8 * 28 + 16 + 36


@pytest.mark.parametrize("argv, message", [
    (["--module", "nocolon"], "--module takes PKG.MODULE:FACTORY"),
    (["--module", "no_such_pkg_xyz:f"], "cannot import 'no_such_pkg_xyz'"),
    (["--module", "analyze_factories:missing"], "has no callable 'missing'"),
    (["--module", "analyze_factories:broken"], "broken() failed: no weights here"),
    (["--module", "analyze_factories:untraceable"], "cannot trace Branchy"),
    (["--module", "analyze_factories:small_cnn", "--input", "5x8x8"], "shape propagation"),
    (["--module", "analyze_factories:small_cnn", "--set", "a=1"], "does not apply to --module"),
    (["resnet18", "--module", "analyze_factories:small_cnn"], "not both"),
    (["resnet18", "--input", "224x224"], "argument --input: takes CxHxW"),
    (["resnet18", "--input", "3x0x224"], "argument --input: takes CxHxW"),
    (["resnet18", "--input", "3xaxb"], "argument --input: takes CxHxW"),
    (["resnet18", "--batch", "0"], "argument --batch: takes N (one size), sizes 1 to 65,536; got '0'"),
    ([], "needs a spec"),
])
def test_analyze_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                        argv: list[str], message: str) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    code, _, err = _run(capsys, "analyze", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_analyze_spec_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "analyze", "resnet18", "--set", "depth=19")
    assert code == 2 and "error" in err and "Traceback" not in err


def test_paths(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "paths", "cifar_resnet110")
    assert code == 0 and "18,014,398,509,481,984" in out and "nominal depth 110" in out


def test_paths_json_measured_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "c20.png"
    code, out, _ = _run(capsys, "paths", "cifar_resnet20", "--measured", "--samples", "1",
                        "--plot", str(png), "--json")
    data = json.loads(out)
    assert code == 0 and png.stat().st_size > 1000
    assert len(data["gradients_measured"]["carried"]) == 10
    assert sum(data["gradients_measured"]["shares"]) == pytest.approx(1)
    assert data["lengths"]["longest"] == 20 and data["branches"]["counts"]["9"] == "1"


def test_paths_measured_on_a_gated_network_shows_the_gate_free_shares(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The gradient columns are over the gate-free paths: their shares stand beside them."""
    tiny_se = str(Path(__file__).parent / "tiny_se.rg")
    code, out, _ = _run(capsys, "paths", tiny_se, "--measured", "--samples", "1", "--json")
    assert code == 0 and json.loads(out)["gradients_measured"]["shares"] == [0.5, 0.5]
    code, out, _ = _run(capsys, "paths", tiny_se, "--measured", "--samples", "1")
    assert code == 0 and "share, gate-free" in out and "66.7%" in out and "50%" in out


def test_paths_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                      tmp_path: Path) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    code, _, err = _run(capsys, "paths", "--module", "analyze_factories:small_cnn", "--measured")
    assert code == 2 and "does not apply to --module" in err
    code, _, err = _run(capsys, "paths", "cifar_resnet20", "--samples", "0")
    assert code == 2 and "--samples" in err
    code, _, err = _run(capsys, "paths", "cifar_resnet20", "--plot",
                        str(tmp_path / "missing" / "x.png"))
    assert code == 2 and "does not exist" in err


def test_plot_without_matplotlib(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    code, _, err = _run(capsys, "paths", "cifar_resnet20", "--plot", str(tmp_path / "x.png"))
    assert code == 3 and "resgraph[plot]" in err
