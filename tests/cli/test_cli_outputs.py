"""No command touches a file the user did not ask it to write, and every output is checked
before the work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from resgraph.cli import main

SPEC = "resgraph 1\nnetwork n\ninput 3x8x8\nstem { conv(3, 4) -> bn -> relu }\n"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "net.rg"
    path.write_text(SPEC)
    return path


@pytest.mark.parametrize("argv", [
    ["compile", "{spec}", "-o", "{spec}"],
    ["export", "{spec}", "-o", "{spec}"],
    ["draw", "{spec}", "-o", "{dot}"],
    ["paths", "{spec}", "--plot", "{png}"],
])
def test_an_output_onto_an_input_is_refused(spec: Path, argv: list[str], capsys) -> None:
    dot, png = spec.with_suffix(".dot"), spec.with_suffix(".png")
    spec.rename(dot) if "{dot}" in argv else None
    spec.rename(png) if "{png}" in argv else None
    target = dot if "{dot}" in argv else png if "{png}" in argv else spec
    target.write_text(SPEC)
    argv = [a.format(spec=target, dot=target, png=target) for a in argv]
    assert main(argv) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert target.read_text() == SPEC


@pytest.mark.parametrize("command", [
    ["compile", "-o"], ["export", "-o"], ["draw", "-o"], ["paths", "--plot"],
])
@pytest.mark.parametrize(("where", "message"), [
    ("missing/out.{ext}", "does not exist"),
    ("", "is a directory"),
])
def test_unwritable_outputs_fail_before_work(spec: Path, tmp_path: Path, command: list[str],
                                             where: str, message: str, capsys) -> None:
    ext = {"compile": "pt2", "export": "onnx", "draw": "svg", "paths": "png"}[command[0]]
    output = str(tmp_path / where.format(ext=ext))
    assert main([command[0], str(spec), command[1], output]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.rg"]


def test_compile_failing_midway_leaves_the_old_file(spec: Path, tmp_path: Path,
                                                    monkeypatch) -> None:
    import torch

    out = tmp_path / "net.pt2"
    out.write_bytes(b"the good program")

    def interrupted(program, f, *args, **kwargs):
        Path(f).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch.export, "save", interrupted)
    assert main(["compile", str(spec), "-o", str(out)]) == 130
    assert out.read_bytes() == b"the good program"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.pt2", "net.rg"]


def test_fmt_write_takes_only_a_file(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["fmt", "resgraph 1", "--write"]) == 2
    assert "need a spec file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main(["fmt", "resnet50", "--write"]) == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"resgraph 1\n\0\0", "binary file"),
    ("resgraph 1\n# \xe9\n".encode("latin-1"), "not UTF-8"),
])
def test_unreadable_specs_are_one_line(tmp_path: Path, content: bytes, message: str,
                                       capsys) -> None:
    bad = tmp_path / "bad.rg"
    bad.write_bytes(content)
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_folder_is_not_a_spec(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_set_onto_another_variant_takes_its_name(capsys) -> None:
    assert main(["check", "resnet18", "--set", "depth=34"]) == 0
    assert capsys.readouterr().out.startswith("ok: resnet34:")
    assert main(["check", "resnet18", "--set", 'shortcut="C"']) == 0
    assert capsys.readouterr().out.startswith("ok: resnet:")
