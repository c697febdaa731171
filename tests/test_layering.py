"""The house's walls: who may import whom, read from the source of every module.

- the core never imports the backends; only the CLI's backend commands reach them, through
  ``resgraph.backends.api``;
- the passes (parse, elaborate, IR, lowering, analyses, render) never import the API module
  or the CLI: they take a ``Graph``;
- a command imports the API, the errors, the file helpers and the CLI's own helpers, nothing
  else of resgraph.
And the package under test is this checkout's: an editable install of another clone would
otherwise silently serve ``resgraph.backends`` or ``resgraph.specs``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import resgraph
import resgraph.backends
import resgraph.specs

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "resgraph").rglob("*.py"))
CLI = ROOT / "resgraph" / "cli"
BACKEND_COMMANDS = {"bench.py", "build.py", "export.py", "profile.py"}
#: what a command may import of resgraph
COMMAND_IMPORTS = ("resgraph.api", "resgraph.errors", "resgraph.files", "resgraph.cli")
#: what the argument helpers may import besides: --set values are read by the spec parser,
#: --module by the reader of a model's factory that the API's decompile shares
ARGS_IMPORTS = ("resgraph.parse", "resgraph.syntax", "resgraph.factory")


def imports(path: Path) -> set[str]:
    """Everything ``path`` imports, at the top or inside functions, as dotted names:
    ``from resgraph.backends import api`` is ``resgraph.backends.api``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_never_imports_the_backends(path: Path) -> None:
    reached = {m for m in imports(path) if m.startswith("resgraph.backends")}
    if path.parent == CLI and path.name in BACKEND_COMMANDS:
        reached = {m for m in reached if not m.startswith("resgraph.backends.api")}
    assert not reached, f"{_rel(path)} imports {sorted(reached)}"


#: every module but the API's, the package's face (which re-exports it), the CLI and the
#: language server (a front end over the API, as the CLI is)
PASSES = [p for p in CORE if CLI not in p.parents and ROOT / "resgraph" / "lsp" not in p.parents
          and p not in (ROOT / "resgraph" / "api.py", ROOT / "resgraph" / "__init__.py")]


@pytest.mark.parametrize("path", PASSES, ids=_rel)
def test_passes_never_import_the_api_or_the_cli(path: Path) -> None:
    reached = {m for m in imports(path) if m.startswith(("resgraph.api", "resgraph.cli"))}
    assert not reached, f"{_rel(path)} imports {sorted(reached)}"


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=_rel)
def test_commands_import_only_the_api_errors_and_helpers(path: Path) -> None:
    allowed = COMMAND_IMPORTS + (ARGS_IMPORTS if path.name == "args.py" else ())
    allowed += ("resgraph.backends.api",) if path.name in BACKEND_COMMANDS else ()
    ours = {m for m in imports(path) if m == "resgraph" or m.startswith("resgraph.")}
    stray = {m for m in ours if m != "resgraph" and not m.startswith(allowed)}
    assert not stray, f"{_rel(path)} imports {sorted(stray)}"


@pytest.mark.parametrize(("package", "folder"), [
    (resgraph, "resgraph"), (resgraph.backends, "backends"), (resgraph.specs, "specs"),
])
def test_the_package_under_test_is_this_checkout(package: object, folder: str) -> None:
    where = Path(package.__file__).resolve().parent  # type: ignore[attr-defined]
    assert where == ROOT / folder, (
        f"{package.__name__} loads from {where}, not from this checkout ({ROOT / folder}): "  # type: ignore[attr-defined]
        f"run 'pip install -e .' here")


LSP = ROOT / "resgraph" / "lsp"
#: the language server's own dependencies (the extra resgraph[lsp])
LSP_PACKAGES = ("pygls", "lsprotocol")


@pytest.mark.parametrize("path", [p for p in CORE if LSP not in p.parents], ids=_rel)
def test_only_the_language_server_imports_pygls_or_its_package(path: Path) -> None:
    reached = {m for m in imports(path)
               if m.split(".")[0] in LSP_PACKAGES or m.startswith("resgraph.lsp")}
    if path == ROOT / "resgraph" / "api.py":  # resgraph lsp's entry, inside the function
        reached.discard("resgraph.lsp.server.serve")
    assert not reached, f"{_rel(path)} imports {sorted(reached)}"
