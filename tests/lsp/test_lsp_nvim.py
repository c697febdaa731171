"""Neovim's own LSP client (headless, editors/nvim's configuration) against resgraph lsp."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import ROOT

NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (Debian package neovim)")
def test_neovim_shows_diagnostics_and_hover(tmp_path: Path) -> None:
    text = (ROOT / "specs" / "cifar_resnet.rg").read_text()
    spec = tmp_path / "net.rg"
    spec.write_text(text.replace("param shortcut = \"A\"", "param shortcut = \"A\"\nlet w = round(24.2)"))
    hover_line = spec.read_text().split("\n").index("stage layer2: unit(32) x n stride 2")
    out = tmp_path / "out.json"
    env = {**os.environ, "RESGRAPH_ROOT": str(ROOT), "RESGRAPH_PYTHON": sys.executable,
           "RESGRAPH_SPEC": str(spec), "RESGRAPH_HOVER_LINE": str(hover_line),
           "RESGRAPH_NVIM_OUT": str(out), "XDG_STATE_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path)}
    subprocess.run([NVIM, "--headless", "--clean", "-c", f"luafile {ROOT}/tests/lsp/nvim_client.lua"],
                   env=env, cwd=ROOT, timeout=180, check=True, capture_output=True)
    got = json.loads(out.read_text())
    assert got["filetype"] == "resgraph" and got["got_diagnostics"]
    assert [d["line"] for d in got["diagnostics"]] == [
        spec.read_text().split("\n").index("let w = round(24.2)")]
    assert "round rounded 24.2 to 24" in got["diagnostics"][0]["message"]
    assert "stage **layer2**: `basic` × 3, stride 2" in got["hover"]
    assert "16x32x32 → 32x16x16" in got["hover"]
