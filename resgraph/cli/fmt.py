"""``resgraph fmt``: a spec in canonical form, comments kept; ``--write`` rewrites the file."""

from __future__ import annotations

import argparse
from pathlib import Path

from resgraph import api
from resgraph.cli.args import read_spec
from resgraph.cli.output import err
from resgraph.errors import UsageError
from resgraph.files import read_spec_text

NAME = "fmt"
HELP = "print a spec in canonical form (comments kept)"
EPILOG = ("examples:\n  resgraph fmt my_net.rg\n  resgraph fmt my_net.rg --write\n"
          "  resgraph fmt my_net.rg --check   # exit 1 if it would change")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="a spec file, or '-' for standard input")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    p.add_argument("--write", "-w", action="store_true",
                   help="rewrite the file in place (whole, or not at all)")


def run(args: argparse.Namespace) -> int:
    import sys

    if (args.check or args.write) and (args.spec == "-" or not Path(args.spec).is_file()):
        raise UsageError(f"--check and --write need a spec file; '{args.spec}' is none")
    text = api.fmt(read_spec(args))
    if not (args.check or args.write):
        sys.stdout.write(text)
        return 0
    same = read_spec_text(Path(args.spec)) == text
    if args.write and not same:
        api.write_text(args.spec, text)
        err.print(f"reformatted {args.spec}", markup=False)
    if args.check and not same:
        err.print(f"{args.spec} would be reformatted", markup=False)
    return 0 if same or not args.check else 1
