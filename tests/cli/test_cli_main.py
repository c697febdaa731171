"""``resgraph`` as a program: exit codes, errors on one line, JSON errors, pipes, start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from resgraph.cli import EXIT_BUG, build_parser, command_modules, main

RUN = [sys.executable, "-m", "resgraph.cli"]


def test_json_errors_are_json_on_stdout_with_the_exit_code(capsys) -> None:
    assert main(["check", "resnet5", "--json"]) == 2
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["error"] == "UsageError" and "did you mean 'resnet50'" in data["message"]
    assert data["exit_code"] == 2


def test_json_spec_errors_carry_positions(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.rg"
    bad.write_text("resgraph 1\nnetwork n\ninput 3x8x8\nstem { conv(3, 4) -> nope }\n")
    assert main(["explain", str(bad), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert (data["error"], data["line"], data["column"]) == ("SpecError", 4, 22)


def test_bad_command_lines_are_usage_errors_json_too(capsys) -> None:
    assert main(["analyze", "resnet50", "--levle", "stage", "--json"]) == 2
    captured = capsys.readouterr()
    assert "unrecognized arguments: --levle" in json.loads(captured.out)["message"]
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(("argv", "says"), [
    (["analyze", "resnet50", "--input-shape", "3x32x32"],
     "resgraph analyze: unrecognized arguments: --input-shape 3x32x32; did you mean '--input'?"),
    (["analyze", "resnet50", "--levle=stage"], "--levle=stage; did you mean '--level'?"),
    (["check", "resnet50", "--zzzzzz"], "unrecognized arguments: --zzzzzz (see"),
    (["check", "resnet50", "--where", "x"], "unrecognized arguments: --where x (see"),
    (["check", "resnet50", "extra"], "resgraph check: unrecognized arguments: extra (see"),
])
def test_an_option_the_command_lacks_is_named_with_the_closest_it_has(argv, says, capsys) -> None:
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_a_bug_is_one_line_and_exit_70(monkeypatch, capsys) -> None:
    import resgraph.api

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(resgraph.api, "check", broken)
    assert main(["check", "resnet50"]) == EXIT_BUG
    err = capsys.readouterr().err
    assert err.startswith("internal error (a bug in resgraph") and "Traceback" not in err
    monkeypatch.setenv("RESGRAPH_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["check", "resnet50"])


@pytest.mark.parametrize("form", [["--json"], []])
def test_closed_pipe_is_quiet(form: list[str]) -> None:
    """``resgraph explain --json | head -c 10``: the reader is gone before the writer is done
    (here before it starts, as pipe buffers differ between kernels); no traceback, and 141
    under a rich table as under JSON (rich would exit 1 on its own)."""
    proc = subprocess.Popen([*RUN, "explain", "resnet50", *form],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""


def test_every_command_has_help_with_examples(capsys) -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(commands)[:4] == ["list", "check", "explain", "fmt"]
    assert list(commands) == [m.NAME for m in command_modules()]
    for name, sub in commands.items():
        assert "example" in sub.epilog, name
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert capsys.readouterr().out.startswith(f"usage: resgraph {name}")


@pytest.mark.parametrize("argv", [
    ["check", "resnet50"], ["explain", "resnet50", "--json"], ["list"],
    ["analyze", "resnet50"], ["paths", "resnet50"],
])
def test_spec_commands_import_no_torch_and_no_backends(argv: list[str]) -> None:
    """Nor the sweep's engines: only ``sweep`` and ``check FILE.sweep.rg`` need them."""
    code = ("import sys; from resgraph.cli import main; import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(sys.argv[1:])\n"
            "heavy = [m for m in ('torch', 'onnx', 'resgraph.backends', 'resgraph.sweep')\n"
            "         if m in sys.modules]\n"
            "print(rc, heavy)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.stdout.strip() == "0 []", done.stderr


def test_draw_to_dot_imports_no_torch(tmp_path) -> None:
    code = ("import sys; from resgraph.cli import main\n"
            "rc = main(['draw', 'resnet18', '-o', sys.argv[1]])\n"
            "print(rc, 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.dot")],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.stdout.strip().endswith("0 False"), done.stderr
