"""``resgraph draw``: a Graphviz diagram of a spec or of any traceable PyTorch model."""

from __future__ import annotations

import argparse

from resgraph import api
from resgraph.cli.args import (
    batch_argument,
    json_argument,
    output_argument,
    parse_sets,
    read_target,
    target_arguments,
)
from resgraph.cli.output import out, print_json
from resgraph.files import check_output

NAME = "draw"
HELP = "draw a network with Graphviz, from the whole network down to single ops"
EPILOG = """examples:
  resgraph draw resnet50 -o resnet50.svg                      # stages, repeated blocks folded
  resgraph draw resnet50 -o net.png --level network --annotate shapes,macs
  resgraph draw resnet152 -o r152.svg --expand layer3.1 --color params
  resgraph draw specs/cifar_resnet.rg --set n=18 -o c110.pdf --rankdir LR
  resgraph draw resnet50 -o r50.dot --level op                # DOT text only
  resgraph draw --module torchvision.models:resnet18 --input 3x224x224 -o tv18.svg

levels: network (a node per stage), stage (blocks in clusters, identical ones folded 'x n'),
block (every layer, shortcuts beside the main column), op (every op).
Without Graphviz's 'dot' the .dot file is written and the exit code is 3."""


def arguments(p: argparse.ArgumentParser) -> None:
    target_arguments(p, "draw")
    output_argument(p, "the file to write: .svg, .png, .pdf or .dot", required=True)
    p.add_argument("--level", default="stage", help="network, stage (default), block or op")
    p.add_argument("--expand", action="append", default=[], metavar="SCOPE",
                   help="show this stage or block op by op (repeatable), e.g. layer3.1")
    p.add_argument("--rankdir", default="TB", help="TB (top to bottom, default) or LR")
    p.add_argument("--annotate", default="shapes",
                   help="comma-separated: shapes, macs, params, paths (default shapes)")
    p.add_argument("--color", default="macs", help="macs (default), params, depth or none")
    batch_argument(p, "N", help="batch size for the costs (default 1)")
    json_argument(p, "print what was written as JSON")


def run(args: argparse.Namespace) -> int:
    target, level = read_target(args), args.level
    check_output(args.output, inputs=[target] if isinstance(target, str) else [])
    graph = api.target_graph(target, args.input, parse_sets(args.sets), train=args.train,
                             strict=args.strict)
    api.draw(graph, args.output, level=level, expand=",".join(args.expand),
             rankdir=args.rankdir.upper(), annotate=args.annotate, color=args.color,
             batch=args.batch.size)
    info = {"network": graph.name, "output": str(args.output), "level": level,
            "expand": list(args.expand)}
    if args.json:
        print_json(info)
    else:
        out.print(f"wrote {args.output}: {graph.name} at {level} level", markup=False)
    return 0
