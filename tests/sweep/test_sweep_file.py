"""Sweep files (``NAME.sweep.rg``): read by the spec language's grammar, each setting by the
command line's own code; every bad file is one located error (golden texts in
tests/sweep/files, regenerated with ``RESGRAPH_REGENERATE=1``), exit 2, nothing written; a
file runs the sweep its flags would, and flags beside it override it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sweep_cases import SPEC

from resgraph.api import check_sweep
from resgraph.cli import main
from resgraph.errors import Source, SpecError, UsageError
from resgraph.sweep import is_sweep_file, load_sweep, plan

FILES = Path(__file__).with_name("files")
CASES = sorted(p.name.removesuffix(".sweep.rg") for p in FILES.glob("*.sweep.rg"))
EXAMPLE = Path(__file__).parents[2] / "examples" / "regnetx_400mf.sweep.rg"

BODY = """\
resgraph 1
sweep small of "sweep.rg" {{
{}
}}
"""


def sweep_file(folder: Path, *lines: str) -> Path:
    """A sweep file of ``lines`` beside the test spec, in ``folder``."""
    (folder / "sweep.rg").write_text(Path(SPEC).read_text())
    path = folder / "small.sweep.rg"
    path.write_text(BODY.format("\n".join(f"    {line}" for line in lines)))
    return path


@pytest.mark.parametrize("name", CASES)
def test_a_bad_file_is_one_located_error(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FILES)
    assert main(["sweep", f"{name}.sweep.rg", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    golden = FILES / f"{name}.err"
    if os.environ.get("RESGRAPH_REGENERATE"):
        golden.write_text(err)
    assert err == golden.read_text()
    assert err.startswith(f"{name}.sweep.rg:") and "^" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_check_reads_a_sweep_file_as_sweep_does_and_fmt_leaves_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = sweep_file(tmp_path, "grid width = 8, 16", "sample depth = int(1, 2)", "samples 3",
                      "where macs < 1e7")
    monkeypatch.chdir(tmp_path)
    assert main(["check", path.name, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["sweep"], summary["candidates"], summary["where"]) == ("small", 6, "macs < 1e7")
    assert summary["space"]["grid"] == {"width": [8, 16]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.sweep.rg", "sweep.rg"]
    assert main(["check", path.name, "--set", "shortcut=3"]) == 2
    assert "'shortcut' takes a string" in capsys.readouterr().err
    monkeypatch.chdir(FILES)
    assert main(["check", f"{CASES[0]}.sweep.rg"]) == 2
    assert capsys.readouterr().err == (FILES / f"{CASES[0]}.err").read_text()
    assert main(["fmt", f"{CASES[0]}.sweep.rg"]) == 2
    assert "is a sweep file: fmt formats specs" in capsys.readouterr().err


def test_a_file_runs_the_sweep_its_flags_would(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "grid width = 8, 16", "sample depth = int(1, 2)", "samples 2",
                      "seed 7", "set shortcut = \"B\"", "where macs < 1e7  # a comment",
                      "measure analyze; pareto macs, params", "input 3x16x16")
    assert main(["sweep", str(path), "--out", str(tmp_path / "file"), "--json"]) == 0
    flags = ["sweep", str(tmp_path / "sweep.rg"), "--grid", "width=8,16", "--sample",
             "depth=int(1, 2)", "--samples", "2", "--seed", "7", "--set", 'shortcut="B"',
             "--where", "macs < 1e7", "--input", "3x16x16", "--out", str(tmp_path / "flags")]
    assert main([*flags, "--json"]) == 0
    definitions = [json.loads((tmp_path / d / "sweep.json").read_text())["definition"]
                   for d in ("file", "flags")]
    assert definitions[0] == definitions[1]
    journals = [sorted((r["index"], r["params"], r["figures"]) for r in map(
        json.loads, (tmp_path / d / "results.jsonl").read_text().splitlines()))
        for d in ("file", "flags")]
    assert journals[0] == journals[1] and len(journals[0]) == 4


def test_flags_beside_a_file_override_it(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "grid width = 8, 16", "sample depth = int(1, 3)", "samples 5",
                      "seed 1", "where macs < 1e7", "set tag = 1")
    p = plan(path, grid={"depth": [1]}, samples=3, where="params > 0", params={"tag": 2})
    space = p.definition["space"]
    assert space["grid"] == {"width": [8, 16], "depth": [1]} and space["sample"] == {}
    assert space["samples"] == 1 and space["seed"] == 1 and space["set"]["tag"] == 2
    assert p.definition["where"] == "params > 0"
    kept = plan(path, samples=3).definition["space"]
    assert kept["sample"] == {"depth": "int(1, 3, 1)"} and kept["samples"] == 3


def test_accept_is_read_from_the_file_and_kept_out_of_the_definition(tmp_path: Path) -> None:
    """A stopping rule, not the space: a rerun asking for more goes on with the same sweep."""
    path = sweep_file(tmp_path, "sample depth = int(1, 3)", "samples 5", "accept 2")
    assert plan(path).accept == 2 and plan(path, accept=4).accept == 4
    assert check_sweep(path)["accept"] == 2
    assert plan(path).definition == plan(path, accept=4).definition


def test_sampling_needs_a_count_from_the_file_or_the_flags(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "sample depth = int(1, 3)")
    with pytest.raises(UsageError, match="write 'samples N' in the file, or give --samples"):
        plan(path)
    assert len(plan(path, samples=4).space) == 4


def test_a_source_named_as_a_sweep_file_is_one() -> None:
    text = BODY.replace('"sweep.rg"', "resnet50").format("    grid depth = 18, 34")
    assert is_sweep_file(Source(text, "r.sweep.rg")) and not is_sweep_file("r.rg")
    loaded = load_sweep(Source(text, "r.sweep.rg"))
    assert loaded.spec == "resnet50" and loaded.options["grid"] == {"depth": [18, 34]}


def test_a_setting_names_a_parameter_that_is_a_sweep_word() -> None:
    """``set``, ``grid`` and the rest are words only where a setting begins."""
    text = "resgraph 1\nsweep s of x {\n  grid grid = 1\n  set where = 2\n}\n"
    with pytest.raises(SpecError, match="'x' is neither a spec file"):  # the spec is missing
        load_sweep(Source(text, "s.sweep.rg"))
    from resgraph.parse import parse_sweep
    tree = parse_sweep(text, "s.sweep.rg")
    assert [(s.key, s.name, s.text) for s in tree.settings] == [
        ("grid", "grid", "1"), ("set", "where", "2")]


def test_the_shipped_regnetx_sweep_is_pycls_s_sampler() -> None:
    loaded = load_sweep(EXAMPLE)
    assert loaded.spec == "regnet_x_400mf" and loaded.options["samples"] == 16_000
    assert {k: str(d) for k, d in loaded.options["sample"].items()} == {
        "depth": "int(12, 28, 1)", "w0": "log_uniform(8, 256, 8)",
        "wa": "log_uniform(8.0, 256.0, 0.1)", "wm": "log_uniform(2.0, 3.0, 0.001)",
        "group_width": "log_uniform(8, 128, 8)"}
    assert len(plan(EXAMPLE).space) == 16_000


WORDS = ["sweep", "of", "set", "grid", "sample", "samples", "seed", "where", "measure", "pareto",
         "input", "width", "depth", "=", ",", ";", "\n", "{", "}", "(", ")", '"', "#", "0",
         "9" * 30, "int(1, 3)", "log_uniform(", "macs", "in (1, 2)", "3x16x16", "bench:",
         "analyze", "\\\n", " "]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True),
                          st.one_of(st.sampled_from(WORDS), st.text(max_size=3))),
                max_size=4))
def test_mutated_files_load_or_fail_with_a_located_error(edits: list) -> None:
    """Inserted words and characters: a checked sweep or a located SpecError, nothing else."""
    text = EXAMPLE_SMALL
    for at, word in edits:
        i = int(at * len(text))
        text = text[:i] + word + text[i:]
    try:
        load_sweep(Source(text, "fuzz.sweep.rg"))
    except SpecError as exc:
        assert exc.span is None or exc.span.file in ("fuzz.sweep.rg", SPEC)
    except UsageError:
        pass  # a spec named by a word the mutation made, absent here


EXAMPLE_SMALL = f"""\
resgraph 1
sweep small of "{SPEC}" {{
    grid width = 8, 16
    sample depth = int(1, 3)
    samples 4; seed 0
    where macs <= 1e7 and index in (1, 2)
    measure analyze
    pareto macs, params
    input 3x16x16
}}
"""
