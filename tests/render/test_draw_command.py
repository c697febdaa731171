"""``resgraph draw``: what it writes, and a one-line error with an exit code for each mistake."""

from pathlib import Path

import pytest

from resgraph.cli import main

TINY = str(Path(__file__).resolve().parent / "tiny.rg")


def test_draws_an_svg(tmp_path, capsys) -> None:
    out = tmp_path / "t.svg"
    assert main(["draw", TINY, "-o", str(out), "--level", "block", "--annotate",
                 "shapes,params", "--color", "params", "--rankdir", "lr"]) == 0
    assert out.read_text().lstrip().startswith("<?xml")
    assert f"wrote {out}: tiny at block level" in capsys.readouterr().out


def test_set_and_expand_and_json(tmp_path, capsys) -> None:
    out = tmp_path / "c.dot"
    assert main(["draw", "cifar_resnet20", "--set", "n=4", "-o", str(out),
                 "--expand", "layer3.2", "--expand", "stem", "--json"]) == 0
    assert '"expand": [\n    "layer3.2",\n    "stem"\n  ]' in capsys.readouterr().out
    text = out.read_text()
    assert '"layer3.2.conv1"' in text and "layer1.0–3  × 4" in text


def test_input_re_elaborates_the_spec(tmp_path) -> None:
    out = tmp_path / "t.dot"
    assert main(["draw", TINY, "-o", str(out), "--input", "3x64x64", "--level", "op"]) == 0
    text = out.read_text()
    assert "8x64x64" in text and "16x32x32" in text and "8x16x16" not in text


@pytest.mark.parametrize("args, message", [
    (["--expand", "layer9"], ("error: --expand: tiny has no stage or block 'layer9'; "
                             "did you mean 'layer2'?")),
    (["--level", "ops"], "error: unknown level 'ops'; did you mean 'op'?"),
    (["--annotate", "macs,flops"], "error: unknown annotation 'flops'"),
    (["--color", "time"], "error: unknown color 'time'"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, message) -> None:
    assert main(["draw", TINY, "-o", str(tmp_path / "t.svg"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert not (tmp_path / "t.svg").exists()


def test_bad_extension_exits_2(tmp_path, capsys) -> None:
    assert main(["draw", TINY, "-o", str(tmp_path / "t.jpg")]) == 2
    assert "must end in .svg, .png, .pdf, .dot" in capsys.readouterr().err


def test_spec_errors_exit_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.rg"
    bad.write_text("resgraph 1\nnetwork x\ninput 3x8x8\nstage s: nope(4) x 2\n")
    assert main(["draw", str(bad), "-o", str(tmp_path / "t.svg")]) == 2
    assert "bad.rg:4:" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    ([], "draw needs a spec"),
    (["--module", "os.path"], "--module takes PKG.MODULE:FACTORY"),
    (["--module", "no_such_module_x:f"], "cannot import 'no_such_module_x'"),
    (["--module", "os.path:nothing_here"], "has no callable 'nothing_here'"),
    ([TINY, "--module", "os.path:join"], "give a spec or --module, not both"),
    (["--module", "os.path:join", "--input", "3xAx4"], "argument --input: takes CxHxW"),
])
def test_module_and_spec_mistakes(tmp_path, capsys, args, message) -> None:
    assert main(["draw", "-o", str(tmp_path / "t.svg"), *args]) == 2
    assert message in capsys.readouterr().err


def test_without_dot_exit_3_and_the_dot_file_is_there(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["draw", TINY, "-o", str(tmp_path / "t.png")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"dot -Tpng {tmp_path / 't.dot'} -o {tmp_path / 't.png'}" in err
    assert (tmp_path / "t.dot").exists()


def test_module_draws_a_traced_model_with_folded_blocks(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    out = tmp_path / "m.dot"
    assert main(["draw", "--module", "tracednet:make", "--input", "3x16x16",
                 "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith('digraph "TracedNet"') and "layer1.0–2  × 3" in text


def test_module_the_importer_refuses_is_a_one_line_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    assert main(["draw", "--module", "tracednet:make_unsupported", "--input", "3x16x16",
                 "-o", str(tmp_path / "m.svg"), "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --strict: Unsupported uses ops resgraph cannot count: "
                          "Tensor.sort ×1") and err.count("\n") == 1
