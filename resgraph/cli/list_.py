"""``resgraph list``: the networks resgraph ships, usable by name wherever a spec is."""

from __future__ import annotations

import argparse

from resgraph import api
from resgraph.cli.args import json_argument
from resgraph.cli.output import out, print_json

NAME = "list"
HELP = "the networks resgraph ships, usable by name wherever a spec is"
EPILOG = "examples:\n  resgraph list\n  resgraph list --json"


def arguments(p: argparse.ArgumentParser) -> None:
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    from rich.table import Table

    entries = api.networks()
    if args.json:
        print_json([{"name": e.name, "file": f"specs/{e.file}", "params": e.params,
                     "summary": e.summary, "source": e.source} for e in entries])
        return 0
    table = Table("name", "spec", "summary", "source")
    for e in entries:
        table.add_row(e.name, f"specs/{e.file}", e.summary, e.source)
    out.print(table)
    return 0
