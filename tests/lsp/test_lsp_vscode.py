"""The VS Code package: its TextMate grammar against the parser's terminals, and the .vsix."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from resgraph.grammar import _parser
from resgraph.ops import OPS
from resgraph.parse import KEYWORDS
from tests.lsp.conftest import ROOT

VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "resgraph.tmLanguage.json").read_text())
SHIPPED = sorted([*(ROOT / "specs").glob("*.rg"), *(ROOT / "examples").glob("*.rg"),
                  ROOT / "resgraph" / "prelude.rg"])
#: the lexer's tokens that carry no colour of their own
UNCOLOURED = {"_NL"}


def patterns() -> list[re.Pattern[str]]:
    """Every ``match`` and ``begin`` of the grammar (the TextMate regexes here are also
    Python's)."""
    found: list[re.Pattern[str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            found.extend(re.compile(node[k]) for k in ("match", "begin") if k in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(GRAMMAR)
    return found


def alternatives(scope: str) -> set[str]:
    """The words of the grammar's ``\\b(a|b|c)\\b`` rule named ``scope``."""
    rule = next(p for p in GRAMMAR["repository"]["expression"]["patterns"]
                if p.get("name") == scope)
    return set(re.fullmatch(r"\\b\((.*)\)\\b", rule["match"]).group(1).split("|"))


def test_the_keywords_and_ops_are_the_parsers() -> None:
    stage_words = {"x", "stride", "at", "on"}
    assert alternatives("keyword.control.resgraph") == KEYWORDS - stage_words - {"true", "false"}
    assert alternatives("constant.language.boolean.resgraph") == {"true", "false"}
    assert alternatives("support.function.op.resgraph") == set(OPS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_token_of_a_shipped_spec_is_coloured(path: Path) -> None:
    text = path.read_text()
    if path.name.endswith(".sweep.rg"):
        pytest.skip("a sweep file's settings are one REST token each; its words are the spec's")
    lines = text.split("\n")
    regexes = patterns()
    missed = []
    for tok in _parser().lex(text):
        if tok.type in UNCOLOURED:
            continue
        line = lines[tok.line - 1]
        if not any((m := r.match(line, tok.column - 1)) and m.end() >= tok.column - 1 + len(tok)
                   or (m and tok.type == "FSTRING") for r in regexes):
            missed.append(f"{tok.line}:{tok.column} {tok.type} {tok.value!r}")
    for number, line in enumerate(lines, 1):
        if "#" in line and not any(r.search(line[line.index("#"):]) for r in regexes
                                   if r.pattern.startswith("#")):
            missed.append(f"{number}: comment")
    assert not missed, f"{path.name}: no grammar rule colours {missed[:10]}"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_the_extension_packages_as_a_vsix(tmp_path: Path) -> None:
    work = tmp_path / "vscode"
    shutil.copytree(VSCODE, work, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    try:
        subprocess.run(["sh", "package.sh", str(tmp_path)], cwd=work, check=True, timeout=600,
                       capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        if "ENOTFOUND" in exc.stderr or "EAI_AGAIN" in exc.stderr or "ECONNREFUSED" in exc.stderr:
            pytest.skip("the npm registry is not reachable")
        raise
    vsix = list(tmp_path.glob("*.vsix"))
    assert len(vsix) == 1 and vsix[0].stat().st_size > 1000
    import zipfile

    names = zipfile.ZipFile(vsix[0]).namelist()
    assert "extension/syntaxes/resgraph.tmLanguage.json" in names
    assert "extension/extension.js" in names
