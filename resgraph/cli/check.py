"""``resgraph check``: parse and elaborate a spec, reporting every error found; or check a
sweep file (``NAME.sweep.rg``) whole, as ``resgraph sweep`` does before it runs anything."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from resgraph import api
from resgraph.cli.args import json_argument, parse_sets, read_spec, spec_arguments
from resgraph.cli.output import out, print_json

NAME = "check"
HELP = "parse and elaborate a spec (or check a sweep file); report every error found"
EPILOG = ("examples:\n  resgraph check resnet50\n"
          "  resgraph check my_net.rg --set depth=34 --json\n"
          "  cat my_net.rg | resgraph check -\n"
          "  resgraph check examples/regnetx_400mf.sweep.rg   # a sweep file: its space, "
          "nothing run")


def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p)
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    spec = read_spec(args)
    if api.is_sweep_file(spec):
        return _sweep(api.check_sweep(spec, **parse_sets(args.sets)), args.json)
    graph, summary = api.check(spec, **parse_sets(args.sets))
    if args.json:
        print_json({"ok": True, **summary})
        return 0
    outputs = summary.get("outputs")
    made = (f"outputs {', '.join(f'{escape(k)} {v}' for k, v in outputs.items())}" if outputs
            else f"output {summary['output']}")
    out.print(f"[green]ok[/]: {graph.name}: {summary['nodes']} ops, {summary['blocks']} blocks "
              f"in {len(graph.stages)} stages, {summary['params']:,} parameters, "
              f"input {summary['input']}, {made}")
    if "training" in summary:
        t = summary["training"]
        out.print(f"  in training: {t['nodes']} ops, {t['params']:,} parameters, outputs "
                  + ", ".join(f"{escape(k)} {v}" for k, v in t["outputs"].items()))
    for note in graph.notes:
        out.print(f"  note: {note}", markup=False)
    return 0


def _sweep(summary: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print_json({"ok": True, **summary})
        return 0
    space = summary["space"]
    axes = [f"{k} ({len(v)} values)" for k, v in space["grid"].items()]
    axes += [f"{k} ~ {d}" for k, d in space["sample"].items()]
    out.print(f"[green]ok[/]: sweep {summary['sweep']} of {summary['spec']}: "
              f"{summary['candidates']:,} candidates, measure {summary['measure']}")
    out.print(f"  over: {', '.join(axes) or 'one point'}"
              + (f"; {space['samples']:,} draws, seed {space['seed']}" if space["sample"] else ""),
              markup=False)
    if summary["where"]:
        out.print(f"  where: {summary['where']}", markup=False)
    if summary["accept"]:
        out.print(f"  stops once {summary['accept']:,} pass", markup=False)
    return 0
