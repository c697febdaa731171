"""Command lines as a careless or hostile user types them: every one ends with a documented
exit code (never a traceback, never exit 70), in bounded time, touching no file it was not
asked to write."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resgraph.cli import main

COMMANDS = ["check", "explain", "fmt", "analyze", "paths", "list", "draw"]
SPECS = ["resnet18", "cifar_resnet20", "tiny.rg", "tiny.rg", "-", "resnet5", "", "nope.rg",
         "specs/resnet.rg", "/", ".", "resgraph 1"]
FLAGS = ["--json", "--check", "--write", "--measured", "-h"]
OPTIONS = ["--set", "--batch", "--input", "--level", "--dtype", "--module", "-o", "--expand",
           "--annotate", "--color", "--rankdir", "--samples", "--seed", "--plot"]
VALUES = ["0", "1", "-1", "8", "1,8", "1:8", "dynamic", "٣", "１", "1e9", "inf", "nan",
          "3x32x32", "3x0x32", "99999999999999999999", "depth=34", "n=0", "n=-1",
          "n=1000000000", "depth=\"x\"", "x=", "=", "stage", "op", "layer1.0", "fp16", "macs",
          "os:getcwd", "out.dot", "out.svg", "out.png", "sub/out.dot", "tiny.rg", "LR", "é"]

TINY = "resgraph 1\nnetwork tiny\ninput 3x8x8\nstem { conv(3, 4) -> bn -> relu }\n"


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(COMMANDS), st.sampled_from(SPECS),
       st.lists(st.one_of(st.sampled_from(FLAGS).map(lambda f: [f]),
                          st.tuples(st.sampled_from(OPTIONS), st.sampled_from(VALUES)).map(list),
                          st.sampled_from(VALUES).map(lambda v: [v])), max_size=4)
       .map(lambda parts: [a for part in parts for a in part]))
def test_command_lines_end_in_a_documented_exit_code(command: str, spec: str,
                                                     rest: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "tiny.rg").write_text(TINY)
        argv = [command, *([spec] if spec else []), *rest]
        argv = [str(work / a) if a in ("tiny.rg", "out.dot", "sub/out.dot") else a for a in argv]
        code = _run(argv, work)
        assert code in (0, 1, 2, 3), (argv, code)
        assert (work / "tiny.rg").read_text() == TINY or "--write" in argv, argv
        made = {p.name for p in work.iterdir()} - {"tiny.rg"}
        asked = {Path(a).name for a in argv}
        assert made <= asked, (argv, made)


def _run(argv: list[str], work: Path) -> int:
    import contextlib
    import io
    import os
    import sys

    old = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            stdin, sys.stdin = sys.stdin, io.StringIO(TINY)
            try:
                return main(argv)
            except SystemExit as exc:  # --help
                return int(exc.code or 0)
            finally:
                sys.stdin = stdin
    finally:
        os.chdir(old)
