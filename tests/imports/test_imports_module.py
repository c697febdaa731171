"""``--module``: factories with literal arguments, eval and train modes, extra ``forward``
arguments, and every bad input as one line with exit code 2 or 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resgraph.cli import main
from resgraph.factory import factory_call

FACTORIES = str(Path(__file__).parents[1] / "analysis")


@pytest.fixture(autouse=True)
def _factories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(FACTORIES)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("text, call", [
    ("resnet50", ("resnet50", [], {})),
    ("resnet50(num_classes=10)", ("resnet50", [], {"num_classes": 10})),
    ("Net.make(3, (2, 2), name='x', extra=None)", ("Net.make", [3, (2, 2)], {"name": "x", "extra": None})),
])
def test_factory_call(text: str, call: tuple) -> None:
    assert factory_call(text) == call


def _macs(capsys: pytest.CaptureFixture[str], *extra: str) -> int:
    code, out, err = _run(capsys, "analyze", "--module", *extra, "--input", "3x8x8", "--json")
    assert code == 0, err
    return json.loads(out)["macs"]


def test_eval_by_default_train_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    conv = 8 * 8 * 8 * 27
    assert _macs(capsys, "analyze_factories:with_options") == conv
    assert _macs(capsys, "analyze_factories:with_options", "--train") == conv + 8 * 8 * 8 * 8
    assert _macs(capsys, "analyze_factories:with_options(width=4)") == conv // 2


def test_train_mode_is_restored() -> None:
    from analyze_factories import with_options

    import resgraph

    model = with_options()
    model.aux.train()
    model.conv.eval()
    resgraph.analyze(model, input_shape=(3, 8, 8))
    assert model.aux.training and not model.conv.training


@pytest.mark.parametrize("module, message, code", [
    ("analyze_factories:two_inputs", "TwoInputs.forward needs 2 inputs (x, y)", 2),
    ("analyze_factories:with_options(width=w)", "must be literals", 2),
    ("analyze_factories:with_options(**w)", "name each one", 2),
    ("analyze_factories:with_options(", "is not FACTORY or FACTORY(ARGS)", 2),
    ("analyze_factories:1+2", "is not FACTORY or FACTORY(ARGS)", 2),
    ("analyze_factories:with_options(width=-1)", "with_options(width=-1) failed", 2),
    ("analyze_factories:not_a_model", "cannot take a int", 2),
    ("no_such_pkg_xyz.sub:f", "cannot import 'no_such_pkg_xyz.sub'", 2),
    ("analyze_factories:" + "f" * 1000, "in at most 1,000 characters", 2),
])
def test_bad_module(capsys: pytest.CaptureFixture[str], module: str, message: str, code: int) -> None:
    got, _, err = _run(capsys, "analyze", "--module", module, "--input", "3x8x8")
    assert got == code and message in err and len(err.strip().splitlines()) == 1, err


def test_missing_dependency_is_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "needs_dep.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, _, err = _run(capsys, "analyze", "--module", "needs_dep:f")
    assert code == 3 and "needs 'no_such_dependency_xyz', which is not installed" in err


def test_train_needs_module(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "analyze", "resnet18", "--train")
    assert code == 2 and "--train applies to --module only" in err


def test_parameters_the_trace_does_not_reach(capsys: pytest.CaptureFixture[str]) -> None:
    """with_options' aux convolution runs only in training: in eval the module holds its
    8·8 + 8 parameters beyond the traced 8·27 + 8, and the report names it."""
    conv, aux = 8 * 27 + 8, 8 * 8 + 8
    for extra, reached in (((), False), (("--train",), True)):
        code, out, err = _run(capsys, "analyze", "--module", "analyze_factories:with_options",
                              *extra, "--input", "3x8x8", "--json")
        assert code == 0, err
        found = json.loads(out)["module_params"]
        assert found == {"total": conv + aux, "traced": conv + aux * reached,
                         "not_reached": [] if reached else ["aux"]}
    code, out, _ = _run(capsys, "analyze", "--module", "analyze_factories:with_options",
                        "--input", "3x8x8")
    assert code == 0 and "not reached by the trace" in out and f"{conv + aux:,}" in out
