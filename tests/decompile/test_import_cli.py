"""``resgraph import`` on the command line: the spec written whole to -o or printed, the
output checked before the work, and what cannot be written exit 2 with a line per cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from resgraph.cli import main


def test_writes_the_spec_and_prints_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r18.rg"
    assert main(["import", "--module", "torchvision.models:resnet18", "--input", "3x32x32",
                 "--name", "r18", "-o", str(out)]) == 0
    text = out.read_text()
    assert "network r18\ninput 3x32x32\n" in text
    assert main(["import", "--module", "torchvision.models:resnet18", "--input", "3x32x32",
                 "--name", "r18", "--stdout"]) == 0
    assert capsys.readouterr().out == text


def test_bad_requests_exit_2_before_any_work(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--module", "torchvision.models:resnet18"]) == 2
    assert "-o FILE or --stdout" in capsys.readouterr().err
    assert main(["import", "--module", "torchvision.models:resnet18",
                 "-o", str(tmp_path / "missing" / "x.rg")]) == 2
    assert main(["import", "--module", "no.such.module:f", "--stdout"]) == 2


def test_an_unwritable_model_exits_2_with_a_line_per_cause(
        capsys: pytest.CaptureFixture[str]) -> None:
    # DenseNet's stem and last norm lie in its features stage, outside the dense blocks
    assert main(["import", "--module", "torchvision.models:densenet121", "--input", "3x32x32",
                 "--stdout"]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("  features.")]
    assert [line.split(":")[0] for line in lines] == [
        "  features.conv0", "  features.norm0", "  features.relu0", "  features.pool0",
        "  features.norm5"]
    assert all("outside its blocks" in line for line in lines)
    assert "Traceback" not in err
