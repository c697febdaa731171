"""``--module`` needs torch, and nothing else the command does not use: analysing a traced
model imports no exporter, runtime, sweep engine, browser, template engine, diagram library
or other counter (each costs start-up time, and some are not installed everywhere)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FACTORIES = Path(__file__).resolve().parents[1] / "analysis"

#: what analyze and paths on a module never use
UNUSED = ("onnx", "onnxruntime", "onnxscript", "tensorrt", "backends", "ray", "selenium",
          "jinja2", "graphviz", "networkx", "matplotlib", "pandas", "scipy", "torchvision",
          "fvcore", "thop", "ptflops", "deepspeed", "torchinfo")

CHECK = f"""
import sys
sys.path.insert(0, {str(FACTORIES)!r})
from resgraph.cli import main
for command in ("analyze", "paths"):
    assert main([command, "--module", "analyze_factories:small_cnn", "--input", "3x16x16",
                 "--json"]) == 0
assert "torch" in sys.modules
print("imported:", *(m for m in {UNUSED!r} if m in sys.modules), file=sys.stderr)
"""


def test_module_commands_import_only_what_they_use() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "imported:\n" in result.stderr, result.stderr
