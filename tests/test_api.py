"""resgraph.api: what a spec argument is, variant names, and reentrancy."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import resgraph
from resgraph.errors import Source, UsageError

TINY = "resgraph 1\nnetwork tiny\ninput 3x8x8\nstem { conv(3, 4) -> bn -> relu }\n"


def test_a_str_is_a_file_or_a_shipped_name_never_text(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(UsageError, match=r"wrap it: resgraph.Source\(text\)"):
        resgraph.load(TINY)
    assert resgraph.load(Source(TINY)).name == "tiny"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resgraph 1").write_text(TINY.replace("tiny", "from_file"))
    assert resgraph.load("resgraph 1").name == "from_file"
    with pytest.raises(UsageError, match="neither a spec file nor a shipped network"):
        resgraph.load("resgraph 2")


def test_spec_errors_quote_their_own_text() -> None:
    """Two texts under one file name: each error quotes the text it came from."""
    bad_a = Source("resgraph 1\nnetwork a\ninput 3x8x8\nstem { nope_a }\n", "same.rg")
    bad_b = Source("resgraph 1\n\n\nstem { nope_b }\n", "same.rg")
    with pytest.raises(resgraph.SpecError) as a:
        resgraph.load(bad_a)
    with pytest.raises(resgraph.ResgraphError):
        resgraph.load(bad_b)
    assert "stem { nope_a }" in a.value.render()


@pytest.mark.parametrize(("spec", "params", "name"), [
    ("resnet18", {}, "resnet18"),
    ("resnet18", {"depth": 34}, "resnet34"),
    ("resnet50", {"groups": 32, "width_per_group": 4}, "resnext50_32x4d"),
    ("resnet18", {"shortcut": "C"}, "resnet"),
    ("resnet18", {"depth": 18}, "resnet18"),
])
def test_set_names_the_network_it_makes(spec: str, params: dict, name: str) -> None:
    assert resgraph.load(spec, **params).name == name


def test_compile_to_a_file_refuses_the_spec_itself(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.rg"
    spec.write_text(TINY)
    with pytest.raises(UsageError, match="is an input"):
        resgraph.compile(spec, spec)
    assert spec.read_text() == TINY


def test_targets_of_other_types_are_refused() -> None:
    with pytest.raises(UsageError, match="cannot take a int"):
        resgraph.analyze(42)


def test_analyses_in_threads_equal_one_after_another() -> None:
    names = ["resnet18", "resnet50", "cifar_resnet56", "se_resnet50", "preact_resnet164",
             "resnext50_32x4d", "resnet50d", "wide_resnet50_2"] * 2

    def report(name: str) -> str:
        return json.dumps(resgraph.analyze(name, level="block").to_json(), sort_keys=True)

    alone = [report(n) for n in names]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(report, names))
    assert together == alone


def test_excerpts_quote_the_parsers_line_with_carets_under_tabs() -> None:
    text = "resgraph 1\n# a form feed \x0c here\nnetwork n\ninput 3x8x8\nstem {\n\tconv(3, 4) -> nope\n}\n"
    with pytest.raises(resgraph.SpecError) as exc:
        resgraph.load(Source(text, "t.rg"))
    rendered = exc.value.render().splitlines()
    assert rendered[0].startswith("t.rg:6:16: error: unknown name 'nope'")
    assert rendered[1:3] == ["        conv(3, 4) -> nope", "                      ^^^^"]
