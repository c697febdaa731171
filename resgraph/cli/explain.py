"""``resgraph explain``: every resolved value of every stage and block, and its origin."""

from __future__ import annotations

import argparse

from resgraph import api
from resgraph.cli.args import json_argument, parse_sets, read_spec, spec_arguments
from resgraph.cli.output import out, print_json

NAME = "explain"
HELP = "every resolved value of every stage and block, and where it came from"
EPILOG = ("examples:\n  resgraph explain resnet50\n"
          "  resgraph explain specs/resnet.rg --set depth=18 --json")


def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p)
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    data = api.explain(read_spec(args), **parse_sets(args.sets))
    if args.json:
        print_json(data)
        return 0
    out.print(f"[bold]{escape(data['network'])}[/] {escape(data['summary'] or '')}")
    out.print("parameters: " + ", ".join(f"{k}={v!r}" for k, v in data["parameters"].items()),
              markup=False)
    for stage in data["stages"]:
        table = Table(title=f"stage {stage['name']}: {stage['block_type']} x {stage['depth']}, "
                            f"stride {stage['stride']}", title_justify="left")
        for col in ("block", "in → out", "arguments (where from)"):
            table.add_column(col)
        for b in stage["blocks"]:
            argtext = "\n".join(f"{escape(f'{k}={v!r}')}  [dim]({escape(b['origins'][k])})[/]"
                                for k, v in b["args"].items())
            table.add_row(b["name"], f"{b['input']} → {b['output']}", argtext)
        out.print(table)
    for note in data["notes"]:
        out.print(f"note: {note}", markup=False)
    return 0
