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


#: a model of two ops the language lacks, each at its own module path
_OPAQUE = """
import torch
from torch import nn


class Cumsum(nn.Module):
    def forward(self, x):
        return torch.cumsum(x, dim=1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.first = Cumsum()
        self.second = Cumsum()

    def forward(self, x):
        return self.second(self.first(self.conv(x)))
"""


def test_an_unwritable_model_exits_2_with_a_line_per_cause(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sorts_model.py").write_text(_OPAQUE)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["import", "--module", "sorts_model:Net", "--input", "3x8x8", "--stdout"]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "lacks" in line]
    assert [line.split(".")[0].strip() for line in lines] == ["first", "second"], err
    assert "Traceback" not in err
