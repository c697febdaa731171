"""``resgraph draw``: a Graphviz diagram of a spec or of any traceable PyTorch model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from resgraph.cli import (
    EXIT_OK,
    AddCommand,
    MissingDependency,
    UsageError,
    out,
    parse_sets,
    print_json,
    read_target,
    target_args,
)

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


def register(add: AddCommand) -> None:
    p = add("draw", "draw a network with Graphviz, from the whole network down to single ops",
            EPILOG, run)
    target_args(p, "draw")
    p.add_argument("-o", "--output", required=True,
                   help="the file to write: .svg, .png, .pdf or .dot")
    p.add_argument("--level", default="stage", help="network, stage (default), block or op")
    p.add_argument("--expand", action="append", default=[], metavar="SCOPE",
                   help="show this stage or block op by op (repeatable), e.g. layer3.1")
    p.add_argument("--rankdir", default="TB", help="TB (top to bottom, default) or LR")
    p.add_argument("--annotate", default="shapes",
                   help="comma-separated: shapes, macs, params, paths (default shapes)")
    p.add_argument("--color", default="macs", help="macs (default), params, depth or none")
    p.add_argument("--batch", type=int, default=1, help="batch size for the costs")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")


def run(args: argparse.Namespace) -> int:
    from resgraph.render import DrawError, GraphvizMissing, make_options, render_dot, write
    from resgraph.render.output import output_format

    output = Path(args.output)
    try:
        output_format(output)
        options = make_options(level=args.level, expand=",".join(args.expand),
                               rankdir=args.rankdir.upper(), annotate=args.annotate,
                               color=args.color, batch=args.batch)
        options.check()
        graph = _graph(args)
        source = render_dot(graph, options)
        write(source, output)
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    except GraphvizMissing as exc:
        raise MissingDependency(str(exc)) from None
    info = {"network": graph.name, "output": str(output), "level": options.level,
            "expand": list(options.expand)}
    if args.json:
        print_json(info)
    else:
        out.print(f"wrote {output}: {graph.name} at {options.level} level")
    return EXIT_OK


def _graph(args: argparse.Namespace) -> Any:
    from resgraph.api import load
    from resgraph.import_fx import ImportFxError, import_fx

    target, shape = read_target(args)
    if not args.module:
        return load(target, input_shape=shape, **parse_sets(args.sets))
    try:
        return import_fx(target, shape)
    except ImportFxError as exc:
        raise UsageError(f"--module {args.module}: {exc}") from None
