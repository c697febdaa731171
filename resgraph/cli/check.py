"""``resgraph check``: parse and elaborate a spec, reporting every error found."""

from __future__ import annotations

import argparse

from resgraph import api
from resgraph.cli.args import json_argument, parse_sets, read_spec, spec_arguments
from resgraph.cli.output import out, print_json

NAME = "check"
HELP = "parse and elaborate a spec; report every error found"
EPILOG = ("examples:\n  resgraph check resnet50\n"
          "  resgraph check my_net.rg --set depth=34 --json\n"
          "  cat my_net.rg | resgraph check -")


def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p)
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    graph, summary = api.check(read_spec(args), **parse_sets(args.sets))
    if args.json:
        print_json({"ok": True, **summary})
        return 0
    out.print(f"[green]ok[/]: {graph.name}: {summary['nodes']} ops, {summary['blocks']} blocks "
              f"in {len(graph.stages)} stages, {summary['params']:,} parameters, "
              f"input {summary['input']}, output {summary['output']}")
    for note in graph.notes:
        out.print(f"  note: {note}", markup=False)
    return 0
