"""Analysing and drawing a spec never imports torch: only gradients, import_fx and lower_fx
need it, and their callers import them when asked for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
import resgraph, resgraph.analysis.report, resgraph.render
assert "torch" not in sys.modules, "importing analysis or render imported torch"
resgraph.analyze("cifar_resnet20", level="op")
resgraph.draw("cifar_resnet20", level="op", annotate="shapes,macs,params,paths")
assert "torch" not in sys.modules, "analysing or drawing a spec imported torch"
"""


def test_analysis_and_render_do_not_import_torch() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


LARK = """
import sys
import resgraph.cli
resgraph.cli.main(["analyze", "resnet50"])
print("lark" in sys.modules, "resgraph.grammar" in sys.modules)
"""


def test_a_spec_read_before_is_analysed_without_lark(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", LARK], capture_output=True, text=True,
                                check=True, env=env)
        return result.stdout.splitlines()[-1]

    assert run() == "True True"  # the first time, parsed (and kept in the cache folder)
    assert run() == "False False"  # then neither lark nor its parser is loaded
