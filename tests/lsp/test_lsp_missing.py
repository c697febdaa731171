"""Without pygls, ``resgraph lsp`` says what to install, in one line, exit code 3."""

from __future__ import annotations

import subprocess
import sys

from tests.lsp.conftest import ROOT

HIDE_PYGLS = ("import sys; sys.modules['pygls'] = None; from resgraph.cli import main; "
              "sys.exit(main(['lsp']))")


def test_without_pygls_the_command_says_what_to_install() -> None:
    done = subprocess.run([sys.executable, "-c", HIDE_PYGLS], check=False, capture_output=True,
                          text=True, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 3
    assert done.stderr.strip() == "error: resgraph lsp needs pygls: pip install 'resgraph[lsp]'"
