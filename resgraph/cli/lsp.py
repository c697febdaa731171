"""``resgraph lsp``: the language server of spec files, for editors (over stdio)."""

from __future__ import annotations

import argparse

from resgraph import api

NAME = "lsp"
HELP = "serve the Language Server Protocol on stdin/stdout, for editors (needs resgraph[lsp])"
EPILOG = ("examples:\n  resgraph lsp          # started by the editor, not by hand\n"
          "  (VS Code: editors/vscode; Neovim: editors/nvim)")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true",
                   help="talk over standard input and output (the default and only way; "
                        "accepted as editors' clients pass it)")


def run(args: argparse.Namespace) -> int:
    api.lsp()
    return 0
