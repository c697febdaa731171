"""``resgraph report`` on the command line: the page written, bad inputs in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from resgraph.cli import main

pytestmark = pytest.mark.skipif(not shutil.which("dot"), reason="needs Graphviz")


def test_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "c20.html"
    assert main(["report", "cifar_resnet20", "-o", str(page), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written == {"output": str(page), "bytes": page.stat().st_size}
    assert page.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("extra", "message"), [
    (["--bench", "missing.json"], "--bench missing.json: no such file"),
    (["--profile", "{bad}"], "not the output of 'resgraph profile ENGINE --json'"),
    (["--bench", "{bad}"], "not the output of 'resgraph bench --json'"),
    (["--bench", "{notjson}"], "not JSON"),
    (["--batch", "0"], "takes"),
])
def test_bad_inputs_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 extra: list[str], message: str) -> None:
    (tmp_path / "bad.json").write_text('{"results": 3}')
    (tmp_path / "notjson.json").write_text("<html>")
    argv = [a.replace("{bad}", str(tmp_path / "bad.json"))
            .replace("{notjson}", str(tmp_path / "notjson.json")) for a in extra]
    page = tmp_path / "out.html"
    assert main(["report", "cifar_resnet20", "-o", str(page), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not page.exists()


def test_never_overwrites_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.rg"
    spec.write_text(Path("specs/cifar_resnet.rg").read_text())
    assert main(["report", str(spec), "-o", str(spec)]) == 2
    assert "is an input" in capsys.readouterr().err
    assert spec.read_text().startswith("resgraph 1")
