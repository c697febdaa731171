"""Analysing and drawing a spec never imports torch: only gradients, import_fx and lower_fx
need it, and their callers import them when asked for them."""

from __future__ import annotations

import subprocess
import sys

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
