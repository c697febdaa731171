"""The ``resgraph`` command: one module per subcommand, each a thin view of :mod:`resgraph.api`
(or :mod:`resgraph.backends.api`), named in :data:`COMMANDS`.

A command module holds ``NAME`` (the subcommand's), ``HELP`` (one line), ``EPILOG`` (examples), ``arguments(parser)`` and
``run(args) -> exit code``; it imports the API, the errors and :mod:`.args` /
:mod:`.output`, and anything heavy only inside ``run``. Only the invoked command's arguments
are registered, so ``resgraph check`` imports neither torch nor the backends.

Exit codes (:data:`EXIT_CODES` maps the errors to them, here and nowhere else): 0 success;
1 the command ran and its answer is "no" (``fmt --check`` found a file to reformat, ``bench``
a wrong output); 2 bad input (a spec error, a bad argument or file); 3 something to install
is missing (an extra, Graphviz, TensorRT, a GPU); 70 an internal error (a bug in resgraph:
one line, and the traceback with ``RESGRAPH_DEBUG=1``); 130 interrupted; 141 standard output
closed early (a pipe such as ``| head``). Under ``--json`` an error is JSON on stdout too.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from resgraph.cli.args import ArgumentParser
from resgraph.cli.output import err, print_json
from resgraph.errors import MissingDependency, ResgraphError

EXIT_OK, EXIT_NO, EXIT_BAD_INPUT, EXIT_MISSING = 0, 1, 2, 3
EXIT_BUG, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 70, 130, 141
#: error class → exit code, the first match wins
EXIT_CODES: tuple[tuple[type[ResgraphError], int], ...] = (
    (MissingDependency, EXIT_MISSING),
    (ResgraphError, EXIT_BAD_INPUT),
)
#: the modules of the subcommands, in the order ``--help`` lists them (``list_``: the
#: module named ``list`` would hide the builtin in this package)
COMMANDS = ("list_", "check", "explain", "fmt", "compile", "analyze", "paths", "draw",
            "export", "bench", "build", "profile", "report", "sweep", "lsp", "import_")

EXAMPLES = """examples:
  resgraph list
  resgraph check resnet50
  resgraph explain specs/resnet.rg --set depth=101
  resgraph fmt my_net.rg --write
  resgraph compile resnet50 -o resnet50.pt2
  resgraph analyze resnet50 --level stage
  resgraph draw resnet50 -o resnet50.svg
  resgraph bench resnet50 --batch 1,8
  resgraph build resnet50 -o r50.engine --precision fp16 --dry-run
  resgraph report resnet50 -o resnet50.html

A spec is a file, a shipped network's name (resgraph list), or '-' for standard input.
'resgraph COMMAND --help' shows each command's options and examples.
exit codes: 0 ok, 1 a check said no, 2 bad input, 3 something to install"""


def command_modules() -> list[ModuleType]:
    return [importlib.import_module(f"resgraph.cli.{name}") for name in COMMANDS]


def build_parser(invoked: str | None = None) -> ArgumentParser:
    """The parser; only ``invoked``'s arguments are registered (all when None)."""
    parser = ArgumentParser(
        prog="resgraph", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compile, analyze, draw and benchmark residual networks written as specs.",
        epilog=EXAMPLES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                           epilog=module.EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(run=module.run)
        parser.commands[module.NAME] = p
        if invoked in (None, module.NAME):
            module.arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wants_json = "--json" in argv
    try:
        args = build_parser(_invoked(argv)).parse_command_line(argv)
        if not getattr(args, "run", None):
            build_parser("").print_help()
            return EXIT_BAD_INPUT
        return int(args.run(args))
    except ResgraphError as exc:
        return _report(exc, wants_json)
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (``| head``): say nothing more, and let Python's exit flush
        # write to /dev/null instead of raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except Exception as exc:  # noqa: BLE001 - anything else is a bug, said so in one line
        return _bug(exc, wants_json)


def _invoked(argv: list[str]) -> str:
    """The subcommand named on the command line ("" for none)."""
    return next((a for a in argv if not a.startswith("-")), "")


def _report(exc: ResgraphError, wants_json: bool) -> int:
    code = next(code for cls, code in EXIT_CODES if isinstance(exc, cls))
    if wants_json:
        print_json({**exc.to_json(), "exit_code": code})
    err.print(exc.render(), markup=False, highlight=False)
    return code


def _bug(exc: Exception, wants_json: bool) -> int:
    if os.environ.get("RESGRAPH_DEBUG"):
        raise exc
    message = f"{type(exc).__name__}: {exc}"
    if wants_json:
        print_json({"error": "InternalError", "message": message, "exit_code": EXIT_BUG})
    err.print(f"internal error (a bug in resgraph; please report it with the command line): "
              f"{message}\n  run with RESGRAPH_DEBUG=1 for the traceback", markup=False,
              highlight=False)
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
