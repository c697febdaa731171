"""Every kind of bad spec gives a located, readable error: golden texts in tests/errors.

Each ``tests/errors/NAME.rg`` is checked with ``resgraph check NAME.rg`` from inside that folder;
stderr must equal ``NAME.err`` exactly and the exit code be 2 (0 for specs that only earn a
note, whose stdout is compared instead). Regenerate with ``RESGRAPH_REGENERATE=1``.
"""

import os
from pathlib import Path

import pytest

from resgraph.cli import main

HERE = Path(__file__).parent / "errors"
CASES = sorted(p.stem for p in HERE.glob("*.rg") if not p.stem.endswith("_b"))


@pytest.mark.parametrize("name", CASES)
def test_error_text(name, capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    code = main(["check", f"{name}.rg"])
    captured = capsys.readouterr()
    text = captured.err if code else captured.out
    golden = HERE / f"{name}.err"
    if os.environ.get("RESGRAPH_REGENERATE"):
        golden.write_text(text)
    assert text == golden.read_text()
    assert code == (0 if name.endswith("_note") else 2)
    assert "Traceback" not in text


@pytest.mark.parametrize("argv,expected", [
    (["check", "resnet51"], "did you mean 'resnet50'?"),
    (["check", "no/such/file.rg"], "error: no such file: no/such/file.rg"),
    (["check", "resnet50", "--set", "dpeth=3"], "did you mean 'depth'?"),
    (["check", "resnet50", "--set", "depth"], "--set takes NAME=VALUE"),
    (["check", "resnet50", "--set", "depth=x"], "parameter 'depth' takes an integer (default 50), got a string \"x\""),
    (["check", "resnet50", "--set", "depth=42"], "no entry for 42 in this table"),
])
def test_command_line_errors(argv, expected, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_every_unknown_parameter_is_reported(capsys):
    assert main(["check", "resnet50", "--set", "dpeth=3", "--set", "widht=2"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'dpeth'" in err and "unknown parameter 'widht'" in err
